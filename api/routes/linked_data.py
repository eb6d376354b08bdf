"""Linked data: every IRI minted under ``https://w3id.org/chainkg/id/`` dereferences at ``/id/…``.

RDF clients get Turtle, N-Triples, N-Quads (with the provenance graphs), JSON-LD or RDF/XML by
content negotiation; browsers get a readable HTML page listing every fact with its source.
"""

from __future__ import annotations

import io
from functools import cache
from importlib.resources import files
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, select_autoescape

from api.conneg import negotiate
from api.deps import StoreDep
from graph.errors import InvalidTermError
from graph.ns import ID_BASE, PREFIXES
from graph.questions.describe import facts, types
from graph.store.embedded import KGStore

router = APIRouter(tags=["linked data"])

RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}

# ?r is bound by the store; it must appear in the patterns themselves (a FILTER in an inner
# group cannot see a binding made outside it).
DESCRIBE = """
SELECT ?r ?p ?o ?x ?g WHERE {
  { GRAPH ?g { ?r ?p ?o } }
  UNION
  { GRAPH ?g { ?x ?p ?r } }
}
"""


@cache
def _templates() -> Environment:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.globals["ID_BASE"] = ID_BASE
    return env


def _template(name: str) -> Any:
    text = files("api").joinpath("templates", name).read_text(encoding="utf-8")
    return _templates().from_string(text)


def local_href(iri: str, root: str) -> str | None:
    """The server path of an IRI minted by chainkg, or ``None`` for foreign IRIs.

    >>> local_href("https://w3id.org/chainkg/id/place/qianjiang", "/kg")
    '/kg/id/place/qianjiang'
    """
    return f"{root}/id/{iri[len(ID_BASE):]}" if iri.startswith(ID_BASE) else None


def quads_about(store: KGStore, iri: str) -> list[ox.Quad]:
    """Every quad with the resource as subject or object, graph names kept."""
    out = []
    result = store.query(DESCRIBE, bindings={"r": _uri(iri)})
    for sol in result:
        if sol["o"] is not None:
            out.append(ox.Quad(sol["r"], sol["p"], sol["o"], sol["g"]))
        else:
            out.append(ox.Quad(sol["x"], sol["p"], sol["r"], sol["g"]))
    return out


def _uri(iri: str) -> Any:
    from rdflib import URIRef

    return URIRef(iri)


def serialize(quads: list[ox.Quad], fmt: ox.RdfFormat) -> bytes:
    """Serialize quads for N-Quads (claim graphs kept), triples for every other format."""
    buf = io.BytesIO()
    if fmt == ox.RdfFormat.N_QUADS:
        ox.serialize(quads, buf, format=fmt)
    else:
        triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
        ox.serialize(triples, buf, format=fmt, prefixes=PREFIXES if fmt != ox.RdfFormat.N_TRIPLES else None)
    return buf.getvalue()


@router.get("/id/{path:path}", summary="Dereference a chainkg IRI", response_model=None)
def dereference(store: StoreDep, request: Request, path: str) -> Response:
    """Describe ``https://w3id.org/chainkg/id/{path}`` as RDF or HTML, by the Accept header."""
    iri = ID_BASE + path
    try:
        quads = quads_about(store, iri)
    except InvalidTermError:
        quads = []
    if not quads:
        raise HTTPException(404, f"no resource {iri}")
    chosen = negotiate(request.headers.get("accept"), "graph", "page", fmt=request.query_params.get("format"))
    if chosen is None:
        raise HTTPException(406, "no acceptable representation; offer text/turtle, application/ld+json, "
                                 "application/n-triples, application/n-quads, application/rdf+xml or text/html")
    if chosen.family == "page":
        return HTMLResponse(render_page(store, iri, root=request.scope.get("root_path", "")))
    body = serialize(quads, RDF_FORMATS[chosen.name])
    return Response(body, media_type=chosen.media_type, headers={"Vary": "Accept"})


def render_page(store: KGStore, iri: str, *, root: str) -> str:
    """The HTML page of a resource: every fact with its source; links stay on this server."""
    f = facts(store, iri)
    rows = []
    for fact in f.all:
        d = fact.to_dict()
        d["href"] = local_href(fact.value, root) if fact.is_iri else None
        rows.append(d)
    rows.sort(key=lambda d: (d["property"] != "rdfs:label", d["property"], str(d["value"])))
    incoming: list[dict[str, Any]] = []
    for q in quads_about(store, iri):
        if isinstance(q.subject, ox.NamedNode) and q.subject.value != iri:
            href = local_href(q.subject.value, root)
            if href and all(r["iri"] != q.subject.value for r in incoming):
                incoming.append({"iri": q.subject.value, "href": href, "property": q.predicate.value,
                                 "label": facts(store, q.subject.value).label("zh")})
    kinds = types(f)
    slug = iri.rsplit("/", 1)[-1]
    views = []
    if any(k in kinds for k in ("ckg:ChainTemplate",)):
        views.append({"href": f"{root}/viz/chains/{slug}", "label": "chain view 产业链视图"})
    if any(k.endswith(("District", "Zone", "Park", "Corridor", "Municipality")) for k in kinds):
        views.append({"href": f"{root}/viz/regions/{slug}", "label": "region view 区域视图"})
    if "ckg:Enterprise" in kinds:
        views.append({"href": f"{root}/viz/enterprises/{slug}", "label": "enterprise view 企业视图"})
    return str(_template("resource.html").render(
        title=f.label("zh") or f.label("en") or iri, title_en=f.label("en"), iri=iri, types=kinds,
        not_stated=sorted(f.not_stated()), facts=rows, incoming=incoming[:200], root=root, views=views,
    ))
