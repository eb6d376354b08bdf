"""Real clients against a real ``uvicorn`` on 127.0.0.1 over a temporary on-disk store.

The store is filled by a separate process before the server starts (RocksDB allows one writer),
so the server runs with worker processes (on-disk store, no admin token). Only loopback
addresses are used; every wait is bounded.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, N3, RDFXML, TURTLE, XML, SPARQLWrapper

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parents[2]
EX = "http://example.org/"
TIMEOUT = 1.0
SLOW = "SELECT (COUNT(*) AS ?c) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LOADER = """
import sys
from graph.store.embedded import KGStore
store = KGStore(sys.argv[1])
store.load_data(sys.stdin.read(), fmt="trig")
store.close()
"""


def _data() -> str:
    lines = [
        f"@prefix ex: <{EX}> .",
        'ex:claim1 { ex:a a ex:Park ; ex:label "Park A" . }',
        'ex:claim2 { ex:b a ex:Enterprise ; ex:locatedIn ex:a ; ex:label "B corp" . }',
        "ex:bulk {",
    ]
    lines += [f"  ex:s{i} ex:n {i} ." for i in range(300)]
    lines.append("}")
    return "\n".join(lines)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = tmp_path_factory.mktemp("live") / "store"
    subprocess.run([sys.executable, "-c", LOADER, str(store)], input=_data(), text=True, cwd=ROOT,
                   check=True, timeout=60)
    port = _free_port()
    env = {**os.environ, "CHAINKG_STORE": str(store), "CHAINKG_BUILD_IF_EMPTY": "false",
           "CHAINKG_QUERY_TIMEOUT": str(TIMEOUT), "CHAINKG_MAX_ROWS": "1000"}
    env.pop("CHAINKG_ADMIN_TOKEN", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"uvicorn exited: {proc.stderr.read().decode() if proc.stderr else ''}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("uvicorn did not start within 30 s")
        yield base + "/sparql"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _request(endpoint: str, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    host, port = endpoint.removeprefix("http://").split("/")[0].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=15)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_sparqlwrapper_json_and_xml(server: str) -> None:
    query = f"SELECT ?s ?l WHERE {{ ?s <{EX}label> ?l }} ORDER BY ?s"
    client = SPARQLWrapper(server)
    client.setQuery(query)
    client.setReturnFormat(JSON)
    rows = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    assert [(r["s"]["value"], r["l"]["value"]) for r in rows] == [(EX + "a", "Park A"), (EX + "b", "B corp")]
    client.setReturnFormat(XML)
    document = client.queryAndConvert()
    literals = [n.firstChild.data for n in document.getElementsByTagName("literal")]  # type: ignore[union-attr]
    assert literals == ["Park A", "B corp"]


@pytest.mark.parametrize("return_format", [RDFXML, N3, TURTLE])
def test_sparqlwrapper_graph_formats(server: str, return_format: str) -> None:
    """SPARQLWrapper sends ``format=rdf+xml`` / ``format=n3`` beside a good Accept header."""
    client = SPARQLWrapper(server)
    client.setQuery(f"CONSTRUCT {{ ?s <{EX}in> ?o }} WHERE {{ ?s <{EX}locatedIn> ?o }}")
    client.setReturnFormat(return_format)
    answer = client.query()
    assert answer.response.headers["Content-Type"].startswith(
        "application/rdf+xml" if return_format == RDFXML else "text/turtle")
    graph = answer.convert()  # a Graph for RDF/XML; the Turtle text for N3 and Turtle
    if not isinstance(graph, Graph):
        graph = Graph().parse(data=graph, format="turtle")
    assert set(graph) == {(URIRef(EX + "b"), URIRef(EX + "in"), URIRef(EX + "a"))}


def test_sparqlwrapper_post_and_ask(server: str) -> None:
    client = SPARQLWrapper(server)
    client.setMethod("POST")
    client.setQuery(f"ASK {{ <{EX}b> <{EX}locatedIn> <{EX}a> }}")
    client.setReturnFormat(JSON)
    assert client.queryAndConvert()["boolean"] is True  # type: ignore[index]


def test_rdflib_sparqlstore(server: str) -> None:
    graph = Graph(store=SPARQLStore(server, returnFormat="xml"))
    rows = list(graph.query(f"SELECT ?l WHERE {{ <{EX}b> <{EX}label> ?l }}"))
    assert [row[0] for row in rows] == [Literal("B corp")]  # type: ignore[index]
    assert set(graph.triples((URIRef(EX + "b"), URIRef(EX + "locatedIn"), None))) == {
        (URIRef(EX + "b"), URIRef(EX + "locatedIn"), URIRef(EX + "a"))
    }
    built = graph.query(f"CONSTRUCT {{ ?s <{EX}in> ?o }} WHERE {{ ?s <{EX}locatedIn> ?o }}")
    assert set(built) == {(URIRef(EX + "b"), URIRef(EX + "in"), URIRef(EX + "a"))}


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status"),
    [
        ("PUT", "/sparql?query=ASK%20%7B%7D", b"", {}, 405),
        ("DELETE", "/sparql", None, {}, 405),
        ("POST", "/sparql", b"ASK {}", {"Content-Type": "text/plain"}, 415),
        ("POST", "/sparql", b"query=ASK%20%7B%7D", {}, 415),
        ("GET", "/sparql?" + urlencode({"query": "SELECT * WHERE {"}), None, {}, 400),
        ("GET", "/sparql?" + urlencode({"query": "INSERT DATA { <a:s> <a:p> <a:o> }"}), None, {}, 403),
        ("POST", "/sparql", b"CLEAR ALL", {"Content-Type": "application/sparql-update"}, 403),
        ("POST", "/sparql", b"update=CLEAR+ALL", {"Content-Type": "application/x-www-form-urlencoded"}, 403),
        ("GET", "/sparql?" + urlencode({"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}),
         None, {}, 403),
        ("GET", "/sparql?" + urlencode({"query": "LOAD <http://127.0.0.1:9/x.ttl>"}), None, {}, 403),
        ("POST", "/sparql/update", b"CLEAR ALL", {"Content-Type": "application/sparql-update"}, 404),
        ("GET", "/sparql?" + urlencode({"query": "ASK {}"}), None, {"Accept": "image/png"}, 406),
    ],
)
def test_status_codes(server: str, method: str, path: str, body: bytes | None,
                      headers: dict[str, str], status: int) -> None:
    got, content = _request(server, method, path, body, headers)
    assert got == status, content
    assert "error" in json.loads(content)


def test_service_and_load_open_no_connection(server: str) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    accepted: list[tuple[str, int]] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            try:
                conn, peer = listener.accept()
            except TimeoutError:
                continue
            accepted.append(peer)
            conn.close()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        target = f"http://127.0.0.1:{port}/sparql"
        queries = [
            f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
            f"LOAD <{target}>",
            f"LOAD SILENT <{target}> INTO GRAPH <{EX}g>",
        ]
        for query in queries:
            status, _ = _request(server, "GET", "/sparql?" + urlencode({"query": query}))
            assert status == 403
            direct, _ = _request(server, "POST", "/sparql", query.encode(),
                                 {"Content-Type": "application/sparql-query"})
            assert direct == 403
        update, _ = _request(server, "POST", "/sparql/update", f"LOAD <{target}>".encode(),
                             {"Content-Type": "application/sparql-update"})
        assert update == 404
        time.sleep(0.5)
    finally:
        stop.set()
        watcher.join(timeout=2)
        listener.close()
    assert accepted == []


def test_slow_query_is_stopped_and_the_server_stays_responsive(server: str) -> None:
    results: dict[str, tuple[int, float]] = {}
    start = time.monotonic()

    def slow() -> None:
        status, _ = _request(server, "GET", "/sparql?" + urlencode({"query": SLOW}))
        results["slow"] = (status, time.monotonic() - start)

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.2)
    health, _ = _request(server, "GET", "/health")
    lookup, body = _request(server, "GET", "/sparql?" + urlencode({"query": f"ASK {{ <{EX}s7> ?p 7 }}"}))
    fast_at = time.monotonic() - start
    thread.join(timeout=30)
    assert health == 200
    assert lookup == 200 and json.loads(body)["boolean"] is True
    status, slow_at = results["slow"]
    assert status == 503
    assert fast_at < slow_at < TIMEOUT + 3
