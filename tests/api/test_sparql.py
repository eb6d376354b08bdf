"""``/sparql`` and ``/sparql/update`` through FastAPI's TestClient, and the engine's limits."""

from __future__ import annotations

import asyncio
import csv
import html
import io
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
from fastapi.testclient import TestClient
from rdflib import RDFS, Graph, Literal, URIRef

from api.main import create_app
from api.settings import Settings
from graph.errors import ForbiddenOperationError, QuerySyntaxError, QueryTimeoutError, ResultTooLargeError
from graph.sparql.endpoint import (
    MSG_LOAD,
    MSG_SERVICE,
    MSG_UPDATE_ON_QUERY,
    QueryRequest,
    SparqlEngine,
    analyse,
    apply_using,
    check_query,
    check_update,
)
from graph.store.embedded import KGStore

EX = "http://example.org/"
TRIG = f"""
@prefix ex: <{EX}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:claim1 {{ ex:a a ex:Park ; rdfs:label "Park A"@en , "园区A"@zh . }}
ex:claim2 {{ ex:b a ex:Enterprise ; ex:locatedIn ex:a ; rdfs:label "B \\"quoted\\" corp" . }}
ex:meta {{ ex:claim1 ex:source ex:doc1 . }}
"""
TOKEN = "s3cret-token"
SLOW = "SELECT (COUNT(*) AS ?c) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"


def make_store() -> KGStore:
    store = KGStore()
    store.load_data(TRIG, fmt="trig")
    return store


def make_client(**settings: object) -> TestClient:
    options: dict[str, object] = {"store": "", "build_if_empty": False, **settings}
    return TestClient(create_app(Settings(**options), store=make_store()))  # type: ignore[arg-type]


@pytest.fixture
def client() -> Iterator[TestClient]:
    with make_client() as c:
        yield c


@pytest.fixture
def admin() -> Iterator[TestClient]:
    with make_client(admin_token=TOKEN) as c:
        yield c


def select(client: TestClient, query: str, **params: str) -> list[dict[str, str]]:
    response = client.get("/sparql", params={"query": query, **params})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


def error_code(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


# --- the query operation ----------------------------------------------------------------------


def test_default_graph_is_the_union_of_all_graphs(client: TestClient) -> None:
    rows = select(client, "SELECT ?s WHERE { ?s a ?t } ORDER BY ?s")
    assert [r["s"] for r in rows] == [EX + "a", EX + "b"]


def test_get_post_form_and_post_direct_agree(client: TestClient) -> None:
    query = f"SELECT ?l WHERE {{ <{EX}a> <http://www.w3.org/2000/01/rdf-schema#label> ?l }} ORDER BY ?l"
    get = client.get("/sparql", params={"query": query}).json()
    form = client.post("/sparql", data={"query": query}).json()
    direct = client.post("/sparql", content=query.encode(),
                         headers={"content-type": "application/sparql-query"})
    assert get == form == direct.json()
    assert [b["l"]["value"] for b in get["results"]["bindings"]] == ["Park A", "园区A"]
    assert {b["l"].get("xml:lang") for b in get["results"]["bindings"]} == {"en", "zh"}


def test_chainkg_prefixes_are_predeclared(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK { FILTER(STR(rdfs:label) != '') }"})
    assert response.json()["boolean"] is True


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/json"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_select_formats(client: TestClient, accept: str, media: str) -> None:
    query = f"SELECT ?s ?l WHERE {{ ?s rdfs:label ?l FILTER(?s = <{EX}b>) }}"
    response = client.get("/sparql", params={"query": query}, headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    body = response.content
    if media == "text/csv":
        rows = list(csv.DictReader(io.StringIO(body.decode())))
        assert rows == [{"s": EX + "b", "l": 'B "quoted" corp'}]
    elif media == "text/tab-separated-values":
        lines = body.decode().splitlines()
        assert lines[0] == "?s\t?l"
        assert lines[1] == f'<{EX}b>\t"B \\"quoted\\" corp"'
    elif media == "application/sparql-results+xml":
        literal = ElementTree.fromstring(body).find(f".//{RESULTS_NS}literal")
        assert literal is not None and literal.text == 'B "quoted" corp'
    else:
        assert json.loads(body)["results"]["bindings"][0]["l"]["value"] == 'B "quoted" corp'


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT * {}", "format": "csv"},
                          headers={"accept": "application/sparql-results+xml"})
    assert response.headers["content-type"].startswith("text/csv")


def test_ask_in_json_and_xml(client: TestClient) -> None:
    query = f"ASK {{ <{EX}b> <{EX}locatedIn> <{EX}a> }}"
    assert client.get("/sparql", params={"query": query}).json()["boolean"] is True
    xml = client.get("/sparql", params={"query": query}, headers={"accept": "application/sparql-results+xml"})
    node = ElementTree.fromstring(xml.content).find(f"{RESULTS_NS}boolean")
    assert node is not None and node.text == "true"


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        (None, "turtle"),
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/n-quads", "nquads"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_parses_back(client: TestClient, accept: str | None, rdflib_format: str) -> None:
    query = f"CONSTRUCT {{ ?s <{EX}in> ?o }} WHERE {{ ?s <{EX}locatedIn> ?o }}"
    headers = {"accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    graph = Graph().parse(data=response.content, format=rdflib_format)
    assert set(graph) == {(URIRef(EX + "b"), URIRef(EX + "in"), URIRef(EX + "a"))}


def test_describe_returns_rdf(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": f"DESCRIBE <{EX}a>"})
    graph = Graph().parse(data=response.content, format="turtle")
    assert (URIRef(EX + "a"), RDFS.label, Literal("Park A", lang="en")) in graph


def test_relative_iris_resolve_against_the_endpoint(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"})
    graph = Graph().parse(data=response.content, format="turtle")
    assert {str(s) for s in graph.subjects()} == {"http://testserver/s"}


def test_protocol_dataset_replaces_the_union(client: TestClient) -> None:
    query = "SELECT ?s WHERE { ?s a ?t }"
    assert [r["s"] for r in select(client, query, **{"default-graph-uri": EX + "claim2"})] == [EX + "b"]
    named = client.get("/sparql", params=[
        ("query", "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"),
        ("named-graph-uri", EX + "claim1"),
        ("named-graph-uri", EX + "meta"),
    ])
    graphs = sorted(b["g"]["value"] for b in named.json()["results"]["bindings"])
    assert graphs == [EX + "claim1", EX + "meta"]
    # with only named graphs given, the default graph is empty
    assert select(client, query, **{"named-graph-uri": EX + "claim1"}) == []


def test_from_in_the_query_is_honoured(client: TestClient) -> None:
    rows = select(client, f"SELECT ?s FROM <{EX}claim1> WHERE {{ ?s a ?t }}")
    assert [r["s"] for r in rows] == [EX + "a"]


def test_invalid_graph_iri_is_400(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert response.status_code == 400


# --- query errors -----------------------------------------------------------------------------


def test_malformed_query_is_400_with_the_parser_message(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p"})
    assert response.status_code == 400
    assert error_code(response) == "malformed_query"
    assert "error at 1:" in response.json()["error"]["message"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405(client: TestClient, method: str) -> None:
    assert client.request(method, "/sparql", params={"query": "ASK {}"}).status_code == 405


@pytest.mark.parametrize(
    "headers",
    [{"content-type": "text/plain"}, {}, {"content-type": "application/json"},
     {"content-type": "application/sparql-query; charset=UTF-16"}],
)
def test_unsupported_content_type_is_415(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post("/sparql", content=b"ASK {}", headers=headers)
    assert response.status_code == 415
    assert error_code(response) == "unsupported_media_type"


def test_multiple_queries_is_400(client: TestClient) -> None:
    response = client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert response.status_code == 400


def test_nothing_acceptable_is_406(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"accept": "image/png"})
    assert response.status_code == 406


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"method": "GET", "params": {"query": "INSERT DATA { <a:s> <a:p> <a:o> }"}},
        {"method": "GET", "params": {"update": "CLEAR ALL"}},
        {"method": "POST", "data": {"update": "CLEAR ALL"}},
        {"method": "POST", "data": {"query": "PREFIX ex: <http://e/> DELETE WHERE { ?s ?p ?o }"}},
        {"method": "POST", "content": b"DROP ALL", "headers": {"content-type": "application/sparql-update"}},
        {"method": "POST", "content": b"CLEAR ALL", "headers": {"content-type": "application/sparql-query"}},
    ],
)
def test_update_on_the_query_endpoint_is_403(client: TestClient, request_kwargs: dict[str, object]) -> None:
    before = len(client.app.state.store)  # type: ignore[attr-defined]
    response = client.request(url="/sparql", **request_kwargs)  # type: ignore[arg-type]
    assert response.status_code == 403
    assert response.json()["error"] == {"code": "forbidden_operation", "message": MSG_UPDATE_ON_QUERY}
    assert len(client.app.state.store) == before  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", MSG_SERVICE),
        ("select * where { service silent <http://127.0.0.1:9/> { ?s ?p ?o } }", MSG_SERVICE),
        ("SELECT * WHERE { ?s ?p ?o # comment\n SERVICE<http://127.0.0.1:9/>{} }", MSG_SERVICE),
        ("LOAD <http://127.0.0.1:9/data.ttl>", MSG_UPDATE_ON_QUERY),
    ],
)
def test_service_and_load_are_403(client: TestClient, query: str, message: str) -> None:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 403
    assert response.json()["error"]["message"] == message


def test_keywords_inside_strings_iris_and_comments_are_not_refused(client: TestClient) -> None:
    query = ('SELECT ?x WHERE { BIND("SERVICE LOAD INSERT" AS ?x) '
             "FILTER(?x != <http://e/SERVICE>) } # SERVICE <http://x/>")
    assert select(client, query) == [{"x": "SERVICE LOAD INSERT"}]


def test_row_cap_is_413() -> None:
    with make_client(max_rows=2) as c:
        over = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert over.status_code == 413
        assert error_code(over) == "result_too_large"
        assert "more than 2 rows" in over.json()["error"]["message"]
        assert c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 2"}).status_code == 200
        construct = c.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
        assert construct.status_code == 413


# --- service description and query page -----------------------------------------------------


def test_service_description_is_turtle_by_default(client: TestClient) -> None:
    response = client.get("/sparql")
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.content, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (None, URIRef(sd + "endpoint"), URIRef("http://testserver/sparql")) in graph
    assert (None, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in graph
    assert (None, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Update")) not in graph
    json_format = URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON")
    assert (None, URIRef(sd + "resultFormat"), json_format) in graph
    assert (None, URIRef(sd + "defaultGraph"), None) in graph
    rdfxml = client.get("/sparql", headers={"accept": "application/rdf+xml"})
    assert len(Graph().parse(data=rdfxml.content, format="xml")) == len(graph)


def test_query_page_for_browsers(client: TestClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/sparql", headers={"accept": browser})
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<textarea" in page and "<form" in page  # the form without JavaScript
    # the editor: scripts from the server's own /static only, each with the page's nonce
    scripts = re.findall(r"<script([^>]*)>", page)
    nonce = re.search(r"script-src 'self' 'nonce-([\w-]+)'", html.unescape(page))
    assert nonce and scripts
    for attrs in scripts:
        assert 'type="application/json"' in attrs or (
            f'nonce="{nonce.group(1)}"' in attrs and re.search(r'src="/static/', attrs)), attrs
    escaped = client.get("/sparql?x=%3Cscript%3E", headers={"accept": "text/html"}).text
    assert "<script>" not in escaped


# --- the update operation ---------------------------------------------------------------------

INSERT = f'INSERT DATA {{ GRAPH <{EX}claim3> {{ <{EX}c> a <{EX}Park> }} }}'


def test_update_is_off_without_an_admin_token(client: TestClient) -> None:
    response = client.post("/sparql/update", content=INSERT,
                           headers={"content-type": "application/sparql-update"})
    assert response.status_code == 404


@pytest.mark.parametrize("auth", [None, "Bearer wrong", f"Basic {TOKEN}", "Bearer"])
def test_update_needs_the_token(admin: TestClient, auth: str | None) -> None:
    headers = {"content-type": "application/sparql-update"}
    if auth:
        headers["authorization"] = auth
    response = admin.post("/sparql/update", content=INSERT, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def _update(client: TestClient, text: str, **kwargs: object) -> httpx.Response:
    headers = {"authorization": f"Bearer {TOKEN}", "content-type": "application/sparql-update"}
    return client.post("/sparql/update", content=text.encode(), headers=headers, **kwargs)  # type: ignore[arg-type]


def test_update_applies_and_is_visible(admin: TestClient) -> None:
    assert _update(admin, INSERT).status_code == 204
    assert {r["s"] for r in select(admin, "SELECT ?s WHERE { ?s a ?t }")} == {EX + "a", EX + "b", EX + "c"}
    form = admin.post("/sparql/update", data={"update": f"DROP GRAPH <{EX}claim3>"},
                      headers={"authorization": f"Bearer {TOKEN}"})
    assert form.status_code == 204
    assert {r["s"] for r in select(admin, "SELECT ?s WHERE { ?s a ?t }")} == {EX + "a", EX + "b"}


def test_update_applies_whole_or_not_at_all(admin: TestClient) -> None:
    before = len(admin.app.state.store)  # type: ignore[attr-defined]
    response = _update(admin, f"{INSERT} ; CREATE GRAPH <{EX}claim1>")
    assert response.status_code == 400
    assert error_code(response) == "update_failed"
    assert len(admin.app.state.store) == before  # type: ignore[attr-defined]
    assert _update(admin, f"{INSERT} ; INSERT DATA {{ <{EX}x> <{EX}p> }}").status_code == 400
    assert len(admin.app.state.store) == before  # type: ignore[attr-defined]


def test_update_with_using_graph_uri(admin: TestClient) -> None:
    text = f"INSERT {{ GRAPH <{EX}out> {{ ?s a <{EX}Seen> }} }} WHERE {{ ?s a ?t }}"
    assert _update(admin, text, params={"using-graph-uri": EX + "claim2"}).status_code == 204
    assert [r["s"] for r in select(admin, f"SELECT ?s WHERE {{ ?s a <{EX}Seen> }}")] == [EX + "b"]
    conflict = _update(admin, f"WITH <{EX}claim1> {text}", params={"using-graph-uri": EX + "claim2"})
    assert conflict.status_code == 400


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("LOAD <http://127.0.0.1:9/data.ttl>", MSG_LOAD),
        ("load silent <http://127.0.0.1:9/data.ttl> into graph <http://e/g>", MSG_LOAD),
        ("INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", MSG_SERVICE),
    ],
)
def test_load_and_service_are_refused_on_update(admin: TestClient, text: str, message: str) -> None:
    response = _update(admin, text)
    assert response.status_code == 403
    assert response.json()["error"]["message"] == message


def test_update_errors(admin: TestClient) -> None:
    assert _update(admin, "CLEAR XYZ").status_code == 400
    auth = {"authorization": f"Bearer {TOKEN}"}
    assert admin.post("/sparql/update", content=b"CLEAR ALL", headers={**auth, "content-type": "text/plain"}
                      ).status_code == 415
    assert admin.get("/sparql/update", params={"update": "CLEAR ALL"}, headers=auth).status_code == 405
    two = admin.post("/sparql/update", data={"update": ["CLEAR NAMED", "CLEAR DEFAULT"]}, headers=auth)
    assert two.status_code == 400


def test_service_description_lists_update_when_enabled(admin: TestClient) -> None:
    graph = Graph().parse(data=admin.get("/sparql").content, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (None, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Update")) in graph


# --- time limit -------------------------------------------------------------------------------


def cross_product_store(path: Path | None = None, n: int = 300) -> KGStore:
    store = KGStore(path)
    store.load_data("\n".join(f"<{EX}s{i}> <{EX}p> {i} ." for i in range(n)), fmt="ttl", graph=EX + "g")
    return store


def test_slow_query_times_out_while_a_lookup_answers_promptly() -> None:
    timeout = 1.0
    settings = Settings(store="", build_if_empty=False, query_timeout=timeout)
    app = create_app(settings, store=cross_product_store())

    async def scenario() -> tuple[httpx.Response, float, httpx.Response, float]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            assert (await http.get("/sparql", params={"query": "ASK {}"})).status_code == 200  # workers up
            start = time.monotonic()

            async def timed(query: str) -> tuple[httpx.Response, float]:
                response = await http.get("/sparql", params={"query": query})
                return response, time.monotonic() - start

            slow_task = asyncio.create_task(timed(SLOW))
            await asyncio.sleep(0.2)
            fast, fast_at = await timed(f"SELECT ?s WHERE {{ ?s <{EX}p> 7 }}")
            slow, slow_at = await slow_task
            return slow, slow_at, fast, fast_at

    slow, slow_at, fast, fast_at = asyncio.run(scenario())
    assert fast.status_code == 200
    assert fast.json()["results"]["bindings"][0]["s"]["value"] == EX + "s7"
    assert slow.status_code == 503
    assert slow.json()["error"]["code"] == "query_timeout"
    assert fast_at < slow_at
    assert slow_at < timeout + 2.0  # answered at the deadline, not when the engine finished


def test_worker_process_is_killed_and_replaced_on_timeout(tmp_path: Path) -> None:
    store = cross_product_store(tmp_path / "store")
    engine = SparqlEngine(store, timeout=1.0, max_rows=100, workers=1, processes=True)
    try:
        assert engine.mode == "processes"
        pool = engine._processes
        assert pool is not None
        first = pool._idle.queue[0].process
        with pytest.raises(QueryTimeoutError):
            asyncio.run(engine.query(QueryRequest(SLOW)))
        deadline = time.monotonic() + 10
        while first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert first.poll() is not None  # the runaway query was really stopped
        while pool._idle.qsize() < 1 and time.monotonic() < deadline:  # its replacement has started
            time.sleep(0.05)
        assert pool._idle.qsize() == 1 and pool._idle.queue[0].process is not first
        lookup = QueryRequest(f"SELECT ?s WHERE {{ ?s <{EX}p> 3 }}", result_format="csv")
        answer = asyncio.run(engine.query(lookup))
        assert answer.body.decode().splitlines() == ["s", EX + "s3"]
        with pytest.raises(ResultTooLargeError):
            engine.run(QueryRequest("SELECT * WHERE { ?s ?p ?o }"))
        with pytest.raises(QuerySyntaxError):
            engine.run(QueryRequest("SELECT * WHERE {"))
    finally:
        engine.close()


# --- the safety checks themselves -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * {}", "SELECT"),
        ("PREFIX select: <http://e/> BASE <http://b/> ask {}", "ASK"),
        ("# INSERT\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://e/>", "DESCRIBE"),
        ("PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b ex:c }", "UPDATE"),
        ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "UPDATE"),
        ("'''x'''", "UNKNOWN"),
    ],
)
def test_analyse_form(text: str, form: str) -> None:
    assert analyse(text).form == form


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * { ?s ?p "SERVICE" }',
        "SELECT * { ?s ?p '''LOAD\n<http://x>''' }",
        "SELECT * { ?s <http://e/SERVICE> ?o }",
        "PREFIX ex: <http://e/> SELECT * { ?s ex:service ex:LOAD }",
        "PREFIX ex: <http://e/> SELECT * { ?s ex:a.SERVICE ?o }",
        "SELECT ?service { ?service ?p ?o }",
        "SELECT * { ?s ?p ?o } # SERVICE <http://x/>",
        'SELECT * { ?s ?p "a"@service }',
    ],
)
def test_check_query_allows_keywords_that_are_not_keywords(text: str) -> None:
    check_query(text)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { SERVICE <http://x/> {} }",
        "SELECT * { sErViCe ?x {} }",
        'SELECT * { ?s ?p "unterminated } SERVICE <http://x/> {} }',
        "SELECT * { ?s ?p ?o FILTER(?o<?p) SERVICE <http://x/> {} }",
        # pyoxigraph reads these as the keyword: no word boundary after (or before) it
        "PREFIX : <http://x/> SELECT * { SERVICE:x {} }",
        "PREFIX ex: <http://x/> SELECT * { SERVICEex:x {} }",
        "PREFIX service: <http://e/> PREFIX : <http://x/> SELECT * { service:x {} }",
        "SELECT * { ?s ?p trueSERVICE <http://x/> {} }",
        "SELECT * { ?s ?p 1SERVICE <http://x/> {} }",
        "SELECT * { SERVICE<http://x/> {} }",
        "SELECT * { SERVICE#c\n<http://x/> {} }",
        "SELECT * { #c\rSERVICE <http://x/> {} }",
        "SELECT * { #c\r\nSERVICE <http://x/> {} }",
        'SELECT * { ?s ?p "\\"\\"\\" } SERVICE <http://x/> {}',
    ],
)
def test_check_query_refuses_service(text: str) -> None:
    with pytest.raises(ForbiddenOperationError):
        check_query(text)


def test_check_update_refuses_load_but_not_insert() -> None:
    check_update(INSERT)
    with pytest.raises(ForbiddenOperationError):
        check_update(f"{INSERT} ; LOAD <http://127.0.0.1:9/x>")


def test_apply_using_places_clauses_before_where_only() -> None:
    text = "DELETE WHERE { ?a ?b ?c } ; INSERT { ?s ?p 'WHERE' } WHERE { ?s ?p ?o }"
    assert apply_using(text, using=("http://g",), using_named=("http://n",)) == (
        "DELETE WHERE { ?a ?b ?c } ; INSERT { ?s ?p 'WHERE' } USING <http://g> USING NAMED <http://n> "
        "WHERE { ?s ?p ?o }"
    )


def test_worker_processes_see_writes_made_through_the_store(tmp_path: Path) -> None:
    store = cross_product_store(tmp_path / "store", n=3)
    if not hasattr(store, "version"):
        pytest.skip("this KGStore has no write version counter")
    engine = SparqlEngine(store, timeout=5.0, max_rows=100, workers=1, processes=True)
    try:
        ask = QueryRequest(f"ASK {{ <{EX}new> ?p ?o }}")
        assert json.loads(engine.run(ask).body)["boolean"] is False
        store.load_data(f"<{EX}new> <{EX}p> 1 .", fmt="ttl", graph=EX + "g2")
        assert json.loads(engine.run(ask).body)["boolean"] is True
    finally:
        engine.close()


def snapshots_beside(store_dir: Path) -> list[Path]:
    return sorted(store_dir.parent.glob(f".{store_dir.name}-snapshot-*"))


def test_workers_of_a_written_store_read_a_snapshot_that_goes_with_them(tmp_path: Path) -> None:
    """A store this process writes is compacted underneath readers in other processes; the
    workers read a checkpoint of it instead, one per pool, removed when the pool stops."""
    store = cross_product_store(tmp_path / "store", n=50)
    engine = SparqlEngine(store, timeout=5.0, max_rows=100, workers=1, processes=True)
    count = QueryRequest("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    try:
        first = snapshots_beside(tmp_path / "store")
        assert len(first) == 1
        store.ox.optimize()  # compaction of the live directory: the workers' files stay
        assert json.loads(engine.run(count).body)["results"]["bindings"][0]["n"]["value"] == "50"
        store.load_data(f"<{EX}new> <{EX}p> 1 .", fmt="ttl", graph=EX + "g2")
        assert json.loads(engine.run(count).body)["results"]["bindings"][0]["n"]["value"] == "51"
        second = snapshots_beside(tmp_path / "store")
        assert len(second) == 1 and second != first  # the old pool's snapshot went with it
    finally:
        engine.close()
    assert snapshots_beside(tmp_path / "store") == []


def test_workers_of_a_read_only_store_read_it_in_place(tmp_path: Path) -> None:
    cross_product_store(tmp_path / "store", n=5).close()
    store = KGStore(tmp_path / "store", read_only=True)
    engine = SparqlEngine(store, timeout=5.0, max_rows=100, workers=1, processes=True)
    try:
        assert json.loads(engine.run(QueryRequest(f"ASK {{ <{EX}s4> ?p ?o }}")).body)["boolean"] is True
        assert snapshots_beside(tmp_path / "store") == []
    finally:
        engine.close()
        store.close()


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_worker_answers_larger_than_a_socket_buffer_arrive_whole(tmp_path: Path, loop: str) -> None:
    """uvloop makes a watched descriptor non-blocking; a reply of several hundred KiB must still
    be read whole, query after query."""
    store = cross_product_store(tmp_path / "store", n=3000)
    engine = SparqlEngine(store, timeout=10.0, max_rows=10_000, workers=1, processes=True)
    request = QueryRequest("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")

    async def ask_twice() -> list[int]:
        return [(await engine.query(request)).count for _ in range(2)]

    try:
        if loop == "uvloop":
            uvloop = pytest.importorskip("uvloop")
            counts = uvloop.run(ask_twice())
        else:
            counts = asyncio.run(ask_twice())
        assert counts == [3000, 3000]
        assert len(engine.run(request).body) > 200_000
    finally:
        engine.close()
