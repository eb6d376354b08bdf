"""Replays the W3C SPARQL 1.1 Protocol tests (``/work/shared/w3c/sparql11-protocol``) on chainkg.

Each ``mf:ProtocolTest`` runs on a fresh in-memory store holding its ``ut:graphData`` files
(each in the named graph given by its label), with an admin token configured so that the update
operation is on. The manifest's ``/sparql/`` path prefix becomes ``/sparql`` for the query
operation and ``/sparql/update`` for the update operation: in the tests about updates
(``update_*``, ``bad_update_*``) every request except the ``application/sparql-query`` checks
goes to ``/sparql/update`` with ``Authorization: Bearer <token>``; everything else goes to
``/sparql``. Expected status classes, result formats (boolean, tabular, RDF) and booleans are
checked.

All 34 tests of the manifest apply and pass: the 20 query and query-error tests and the
14 update and update-error tests. Adaptations, none of which changes what a test checks:

* updates go to a separate path (``/sparql/update``), as the manifest allows, and carry the
  admin bearer token (without it the update operation answers 401; when no token is configured
  it answers 404);
* ``bad_update_get`` is answered 405 by ``/sparql/update`` (POST only);
* the service base IRI of ``update_base_uri`` is the update endpoint's URL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from api.main import create_app
from api.settings import Settings
from graph.store.embedded import KGStore

SUITE = Path("/work/shared/w3c/sparql11-protocol")
MANIFEST = SUITE / "manifest.ttl"
TOKEN = "w3c-test-token"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

RESULT_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
}
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-quads": "nquads",
}

pytestmark = pytest.mark.skipif(not MANIFEST.exists(), reason="W3C protocol suite not present")


@dataclass
class Req:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]
    fmt: str | None
    boolean: bool | None


@dataclass
class Case:
    name: str
    data: list[tuple[Path, str]]
    requests: list[Req]


def _cases() -> Iterator[Case]:
    g = Graph().parse(MANIFEST, format="turtle")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    for entry in Collection(g, g.value(manifest, MF.entries)):
        name = str(entry).rsplit("#", 1)[-1]
        data = []
        for gd in g.objects(entry, UT.graphData):
            file = Path(urlsplit(str(g.value(gd, UT.graph))).path)
            data.append((file, str(g.value(gd, RDFS.label))))
        action = g.value(entry, MF.action)
        requests = []
        for r in Collection(g, g.value(action, HT.requests)):
            headers = {}
            if (hlist := g.value(r, HT.headers)) is not None:
                for h in Collection(g, hlist):
                    headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            body = None
            if (b := g.value(r, HT.body)) is not None:
                encoding = str(g.value(b, CNT.characterEncoding) or "UTF-8")
                body = str(g.value(b, CNT.chars)).encode(encoding)
            resp = g.value(r, HT.resp)
            statuses = {int(str(s).rsplit("StatusCode", 1)[-1][0])
                        for s in g.objects(resp, MF.expectedStatus)}
            fmt = g.value(resp, MF.expectedFormat)
            boolean = g.value(resp, MF.expectedBoolean)
            requests.append(Req(
                method=str(g.value(r, HT.methodName)),
                path=str(g.value(r, HT.absolutePath)),
                headers=headers,
                body=body,
                statuses=statuses,
                fmt=str(fmt) if fmt is not None else None,
                boolean=boolean.toPython() if boolean is not None else None,
            ))
        yield Case(name, data, requests)


CASES = list(_cases()) if MANIFEST.exists() else []


def _target(case: Case, req: Req) -> tuple[str, dict[str, str]]:
    """Path on chainkg and extra headers for one request of a test."""
    rest = req.path.removeprefix("/sparql/")
    is_query_check = req.headers.get("content-type", "").startswith("application/sparql-query")
    if "update" in case.name and not is_query_check:
        return "/sparql/update" + (rest if rest.startswith("?") else ""), {"Authorization": f"Bearer {TOKEN}"}
    return "/sparql" + rest, {}


def _boolean(content_type: str, body: bytes) -> bool:
    if content_type.startswith(("application/sparql-results+json", "application/json")):
        return bool(json.loads(body)["boolean"])
    if content_type.startswith("application/sparql-results+xml"):
        ns = "{http://www.w3.org/2005/sparql-results#}"
        node = ElementTree.fromstring(body).find(f"{ns}boolean")
        assert node is not None
        return node.text == "true"
    raise AssertionError(f"not a boolean result format: {content_type}")


def test_manifest_is_complete() -> None:
    assert len(CASES) == 34


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_protocol(case: Case) -> None:
    store = KGStore()
    for file, graph in case.data:
        store.load_data(file.read_bytes(), fmt="nt", source=str(file), graph=graph)
    app = create_app(Settings(store="", build_if_empty=False, admin_token=TOKEN), store=store)
    with TestClient(app) as client:
        for req in case.requests:
            path, extra = _target(case, req)
            response = client.request(req.method, path, content=req.body, headers={**req.headers, **extra})
            assert response.status_code // 100 in req.statuses, (path, response.status_code, response.text)
            content_type = response.headers.get("content-type", "").split(";")[0].strip()
            if req.fmt in ("boolean", "tabular"):
                assert content_type in RESULT_TYPES
            if req.fmt == "RDF":
                assert content_type in RDF_TYPES
                Graph().parse(data=response.content, format=RDF_TYPES[content_type],
                              publicID=str(URIRef("http://testserver/sparql")))
            if req.boolean is not None:
                assert _boolean(content_type, response.content) is req.boolean
