"""``/sparql`` and ``/sparql/update``: the SPARQL 1.1 Protocol over :mod:`graph.sparql.endpoint`.

Query operation (``/sparql``)
    ``GET ?query=``, ``POST`` ``application/x-www-form-urlencoded`` (``query=``) or ``POST``
    ``application/sparql-query`` (the query as the body, UTF-8); ``default-graph-uri`` and
    ``named-graph-uri`` may repeat. The format comes from ``Accept`` (or ``?format=``), see
    :mod:`api.conneg`. ``GET /sparql`` without a query answers a service description (Turtle by
    default) or, for a browser asking for ``text/html``, a query page.

Update operation (``/sparql/update``)
    Off (404) unless ``admin_token`` is set; then needs ``Authorization: Bearer <token>`` (401).
    ``POST`` ``application/sparql-update`` or a form with ``update=``; ``using-graph-uri`` /
    ``using-named-graph-uri`` may repeat. Answers 204 once the whole update is applied.

Errors (JSON ``{"error": {"code", "message"}}``): 400 malformed query or request, 401, 403
refused operation (update on ``/sparql``, ``SERVICE``, ``LOAD``), 404, 405, 406, 413 answer
over the row cap, 415 content type or charset, 503 time limit.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any, cast
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.conneg import Family, formats, negotiate
from api.deps import SettingsDep, check_admin
from api.settings import Settings
from api.startup import is_remote
from graph.errors import ForbiddenOperationError
from graph.index import side_files
from graph.sparql.endpoint import (
    CHECK_INLINE_LIMIT,
    GRAPH_FORMATS,
    MSG_UPDATE_ON_QUERY,
    QueryRequest,
    SparqlEngine,
    apply_using,
    check_off_loop,
    check_query,
)
from graph.sparql.pools import ProcessPool

router = APIRouter(tags=["sparql"])

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"

MSG_MEDIA_TYPE = f"unsupported Content-Type; send {FORM} or {QUERY_TYPE}"
MSG_UPDATE_MEDIA_TYPE = f"unsupported Content-Type; send {FORM} or {UPDATE_TYPE}"
MSG_CHARSET = "unsupported charset; SPARQL requests must be UTF-8"
MSG_NOT_UTF8 = "the request is not valid UTF-8"
MSG_ONE_QUERY = "give exactly one query parameter"
MSG_ONE_UPDATE = "give exactly one update parameter"
MSG_NOT_ACCEPTABLE = "none of the acceptable media types can carry this answer"
MSG_UPDATE_OFF = "SPARQL Update is disabled on this server"
MSG_UNAUTHORIZED = "SPARQL Update needs Authorization: Bearer <admin token>"

_ENGINE_LOCK = threading.Lock()

SD = "http://www.w3.org/ns/sparql-service-description#"
#: W3C format IRIs (https://www.w3.org/ns/formats/) for the service description, by engine name.
FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "ttl": "Turtle",
    "nt": "N-Triples",
    "nq": "N-Quads",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
}


# --- dependencies -----------------------------------------------------------------------------


async def sparql_engine(request: Request) -> SparqlEngine:
    """The application's SPARQL engine, created on first use (after the store is open).

    Queries always run in sandboxed worker processes; updates (admin token set) on the engine's
    sandboxed update thread.
    """
    engine: SparqlEngine | None = getattr(request.app.state, "sparql_engine", None)
    if engine is not None and engine.store is request.app.state.store:
        return engine
    return await run_in_threadpool(engine_for, request.app.state)  # starting workers takes a moment


def engine_for(state: Any, *, wait: bool = True, pool: ProcessPool | None = None) -> SparqlEngine:
    """The engine of an application state, (re)built when the store changed; also used at start-up.

    The one place that chooses: a remote store gets :class:`graph.sparql.remote.RemoteEngine`
    (chainkg's checks, then the server), the embedded store a :class:`SparqlEngine`. With
    ``wait=False`` a new engine's worker processes are launched but not waited for: call its
    ``wait_ready()`` before it answers (start-up does other work meanwhile). ``pool``: workers
    launched before start-up over the same read-only directory (:mod:`api.prelaunch`).
    """
    with _ENGINE_LOCK:
        engine: SparqlEngine | None = getattr(state, "sparql_engine", None)
        if engine is None or engine.store is not state.store:
            if engine is not None:
                engine.close()
            settings: Settings = state.settings
            if is_remote(state.store):
                from graph.sparql.remote import RemoteEngine

                remote = RemoteEngine(state.store, timeout=settings.query_timeout, max_rows=settings.max_rows)
                state.sparql_engine = remote
                return cast(SparqlEngine, remote)  # the same interface (query, update, close)
            engine = SparqlEngine(
                state.store,
                timeout=settings.query_timeout,
                max_rows=settings.max_rows,
                workers=settings.sparql_workers,
                sandbox=settings.sandbox,
                memory_mb=settings.worker_memory_mb,
                updates=settings.admin_token is not None,
                refuse_outbound=settings.keyword_check,
                apply=side_files.apply_update,  # INSERT/DELETE DATA keep the name index and tables current
                wait=wait,
                pool=pool,
            )
            state.sparql_engine = engine
    return engine


EngineDep = Annotated[SparqlEngine, Depends(sparql_engine)]


# --- request parsing --------------------------------------------------------------------------


def _content_type(request: Request) -> tuple[str, str | None]:
    """Media type (lower case, ``""`` when absent) and charset parameter of the request."""
    raw = request.headers.get("content-type", "")
    media, *params = (p.strip() for p in raw.split(";"))
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


def _decode(body: bytes, charset: str | None) -> str:
    if charset not in (None, "utf-8", "utf8"):
        raise HTTPException(415, MSG_CHARSET)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, MSG_NOT_UTF8) from None


def _form(text: str) -> dict[str, list[str]]:
    try:
        return parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise HTTPException(400, MSG_NOT_UTF8) from None


async def _read_form(request: Request, charset: str | None) -> dict[str, list[str]]:
    """The form in the body, decoded and parsed on a thread when it is large (never a long
    stretch of work on the event loop)."""
    body = await request.body()
    if len(body) <= CHECK_INLINE_LIMIT:
        return _form(_decode(body, charset))
    return await run_in_threadpool(lambda: _form(_decode(body, charset)))


async def _read_text(request: Request, charset: str | None) -> str:
    """The body as UTF-8 text (decoded on a thread when it is large)."""
    body = await request.body()
    if len(body) <= CHECK_INLINE_LIMIT:
        return _decode(body, charset)
    return await run_in_threadpool(_decode, body, charset)


def _url_params(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    return params


def _merge(*sources: dict[str, list[str]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for source in sources:
        for key, values in source.items():
            merged.setdefault(key, []).extend(values)
    return merged


def _endpoint(request: Request) -> str:
    return str(request.url.replace(query="", fragment=""))


# --- the query operation ----------------------------------------------------------------------


_QUERY_ROUTE: dict[str, Any] = {
    "summary": "SPARQL 1.1 query endpoint",
    "response_class": Response,
    "responses": {200: {"description": "SPARQL results, RDF, a service description or the query page"}},
}


@router.get("/sparql", **_QUERY_ROUTE)
@router.post("/sparql", **_QUERY_ROUTE)
async def sparql_query(request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    """Answer a SPARQL query per the SPARQL 1.1 Protocol (see the module docstring)."""
    params = _url_params(request)
    if request.method == "POST":
        media, charset = _content_type(request)
        if media == FORM:
            form = await _read_form(request, charset)
            if "update" in form:
                raise ForbiddenOperationError(MSG_UPDATE_ON_QUERY)
            params = _merge(params, form)
            queries = params.get("query", [])
        elif media == QUERY_TYPE:
            queries = [await _read_text(request, charset), *params.get("query", [])]
        elif media == UPDATE_TYPE:
            raise ForbiddenOperationError(MSG_UPDATE_ON_QUERY)
        else:
            raise HTTPException(415, MSG_MEDIA_TYPE)
    else:
        if "update" in params:
            raise ForbiddenOperationError(MSG_UPDATE_ON_QUERY)
        queries = params.get("query", [])
        if not queries:
            return _describe(request, settings)
    if len(queries) != 1:
        raise HTTPException(400, MSG_ONE_QUERY)
    query = queries[0]
    analysis = await check_off_loop(check_query, query, outbound=engine.refuse_outbound)
    family: Family = "graph" if analysis.form in ("CONSTRUCT", "DESCRIBE") else "results"
    chosen = negotiate(request.headers.get("accept"), family, fmt=params.get("format"))
    if chosen is None:
        raise HTTPException(406, MSG_NOT_ACCEPTABLE)
    answer = await engine.query(
        QueryRequest(
            query,
            result_format=chosen.name if family == "results" else "json",
            graph_format=chosen.name if family == "graph" else "ttl",
            default_graphs=tuple(params.get("default-graph-uri", [])),
            named_graphs=tuple(params.get("named-graph-uri", [])),
            base_iri=_endpoint(request),
        )
    )
    media_type = chosen.media_type
    if answer.kind != chosen.family or answer.fmt != chosen.name:
        media_type = next(f.media_type for f in formats(answer.kind) if f.name == answer.fmt)
    return Response(answer.body, media_type=media_type, headers={"Vary": "Accept"})


@router.options("/sparql", include_in_schema=False)
async def sparql_options() -> Response:
    """The methods of the query operation (``Allow``)."""
    return Response(status_code=204, headers={"Allow": "GET, POST, OPTIONS"})


@router.options("/sparql/update", include_in_schema=False)
async def sparql_update_options() -> Response:
    """The methods of the update operation (``Allow``)."""
    return Response(status_code=204, headers={"Allow": "POST, OPTIONS"})


# --- service description and query page -------------------------------------------------------


def _describe(request: Request, settings: Settings) -> Response:
    """The service description (RDF, Turtle by default) or the HTML page for browsers."""
    fmt = _url_params(request).get("format")
    chosen = negotiate(request.headers.get("accept"), "graph", "page", fmt=fmt)
    if chosen is None:
        raise HTTPException(406, MSG_NOT_ACCEPTABLE)
    if chosen.family == "page":
        root = str(request.scope.get("root_path") or "").rstrip("/")
        return Response(_page(_endpoint(request), settings, root), media_type="text/html; charset=utf-8",
                        headers={"Vary": "Accept"})
    triples = service_description(_endpoint(request), update=settings.admin_token is not None)
    rdf_format = GRAPH_FORMATS[chosen.name]
    items: list[ox.Triple] | list[ox.Quad] = triples
    if rdf_format.supports_datasets:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    prefixes = {"sd": SD, "formats": "http://www.w3.org/ns/formats/"}
    if rdf_format != ox.RdfFormat.TURTLE:
        prefixes = {}
    body = ox.serialize(items, format=rdf_format, prefixes=prefixes or None)
    return Response(body, media_type=chosen.media_type, headers={"Vary": "Accept"})


def service_description(endpoint: str, *, update: bool) -> list[ox.Triple]:
    """The ``sd:`` description of the endpoint: languages, result formats, default dataset.

    >>> len(service_description("http://localhost/sparql", update=False)) > 10
    True
    """
    def sd(local: str) -> ox.NamedNode:
        return ox.NamedNode(SD + local)

    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    comment = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
    service, dataset, graph = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    triples = [
        ox.Triple(service, rdf_type, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), graph),
        ox.Triple(graph, rdf_type, sd("Graph")),
        ox.Triple(graph, comment, ox.Literal(
            "The default graph is the union of all named graphs (one per claim, plus the ontology "
            "and provenance graphs) unless default-graph-uri / named-graph-uri are given.", language="en")),
    ]
    if update:
        triples.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    for name in dict.fromkeys(f.name for f in formats("results", "graph")):
        triples.append(ox.Triple(service, sd("resultFormat"),
                                 ox.NamedNode("http://www.w3.org/ns/formats/" + FORMAT_IRIS[name])))
    return triples


def _page(endpoint: str, settings: Settings, root: str = "") -> str:
    """The query page (YASGUI, :mod:`api.sparql_page`)."""
    from api.sparql_page import render_sparql_page

    return render_sparql_page(
        endpoint=endpoint, max_rows=settings.max_rows, timeout=settings.query_timeout,
        formats=[(f.short, f.media_type) for f in formats("results", "graph") if f.aliases],
        static_url=f"{root}/static", base_url=f"{root}/",
    )


# --- the update operation ---------------------------------------------------------------------


@router.post("/sparql/update", summary="SPARQL 1.1 update endpoint (admin token)", status_code=204,
             response_class=Response)
async def sparql_update(request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    """Apply a SPARQL Update, whole or not at all (see the module docstring)."""
    check_admin(request, settings, off=MSG_UPDATE_OFF, unauthorized=MSG_UNAUTHORIZED)
    params = _url_params(request)
    media, charset = _content_type(request)
    if media == FORM:
        params = _merge(params, await _read_form(request, charset))
        updates = params.get("update", [])
    elif media == UPDATE_TYPE:
        updates = [await _read_text(request, charset), *params.get("update", [])]
    else:
        raise HTTPException(415, MSG_UPDATE_MEDIA_TYPE)
    if len(updates) != 1:
        raise HTTPException(400, MSG_ONE_UPDATE)
    using = tuple(params.get("using-graph-uri", []))
    using_named = tuple(params.get("using-named-graph-uri", []))
    text = await check_off_loop(lambda t: apply_using(t, using=using, using_named=using_named), updates[0])
    await engine.update(text, base_iri=_endpoint(request))
    return Response(status_code=204)


__all__ = ["router", "service_description"]
