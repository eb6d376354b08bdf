"""The remote store: chainkg over a real SPARQL server (Oxigraph), its errors, side files and
the conformance check."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Literal, URIRef

from api.cli_remote import DIFFERENT, SAME, check_remote
from api.main import create_app
from api.settings import Settings
from graph.errors import ForbiddenOperationError, QuerySyntaxError, StoreTimeoutError, StoreUnavailableError
from graph.index import materialize, name_store
from graph.index.names import index_for
from graph.index.remote import attach, index_dump, read_seal
from graph.questions.matrix import matrix
from graph.store.embedded import KGStore
from graph.store.remote import RemoteStore

SANLEI = URIRef("https://w3id.org/chainkg/id/enterprise/sanlei-boxian")


def test_questions_bind_user_values_safely(remote_store: KGStore, seed_store: KGStore) -> None:
    query = "SELECT ?s WHERE { ?s rdfs:label ?l }"
    hostile = Literal('三磊玻纤" } DROP ALL #', lang="zh")
    assert remote_store.select(query, bindings={"l": hostile}) == []
    found = remote_store.select(query, bindings={"l": Literal("三磊玻纤", lang="zh")})
    assert found == seed_store.select(query, bindings={"l": Literal("三磊玻纤", lang="zh")})
    assert found == [{"s": str(SANLEI)}]


def test_select_ask_construct_match_the_embedded_store(remote_store: KGStore, seed_store: KGStore) -> None:
    q = "SELECT ?p ?o WHERE { ?s ?p ?o } ORDER BY ?p ?o"
    assert remote_store.select(q, bindings={"s": SANLEI}) == seed_store.select(q, bindings={"s": SANLEI})
    assert remote_store.ask("ASK { ?s a ckg:Enterprise }", bindings={"s": SANLEI})
    c = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?s = ent:sanlei-boxian) }"
    triples = set(map(str, remote_store.construct(c)))
    assert triples and triples == set(map(str, seed_store.construct(c)))


def test_a_query_the_server_refuses_is_a_syntax_error(remote_store: KGStore) -> None:
    with pytest.raises(QuerySyntaxError):
        remote_store.select("SELECT ?s WHERE { ?s ?p }")


def test_read_only_without_an_update_endpoint(remote_store: KGStore) -> None:
    with pytest.raises(ForbiddenOperationError):
        remote_store.update("INSERT DATA { <https://e.org/a> <https://e.org/p> 1 }")
    with pytest.raises(ForbiddenOperationError):
        remote_store.load_data(b"<https://e.org/a> <https://e.org/p> \"1\" .", fmt="nt")


def test_health_says_remote_and_without_side_files(remote_store: RemoteStore) -> None:
    app = create_app(Settings(store="", admin_token=None), store=remote_store)
    with TestClient(app) as client:
        body = client.get("/health").json()
    assert body["store"] == "remote"
    assert body["side_files"] == "absent"
    assert "slower" in body["note"]


def test_sparql_passes_through_after_chainkg_s_checks(remote_store: RemoteStore) -> None:
    app = create_app(Settings(store="", admin_token=None), store=remote_store)
    with TestClient(app) as client:
        counted = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?e a ckg:Enterprise }"},
                             headers={"Accept": "application/sparql-results+json"})
        assert counted.status_code == 200, counted.text
        assert int(counted.json()["results"]["bindings"][0]["n"]["value"]) > 0
        refused = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE:x { ?s ?p ?o } }"})
        assert refused.status_code == 403


# --- a failing and a slow server -------------------------------------------------------------------


class _Failing(http.server.BaseHTTPRequestHandler):
    status = 500

    def do_POST(self) -> None:
        self.send_response(self.status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"internal error")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def failing_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/query"
    server.shutdown()


class _Unauthorized(_Failing):
    status = 401


@pytest.fixture()
def unauthorized_server() -> Iterator[str]:
    """Answers 401, as a server does to wrong credentials."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Unauthorized)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/query"
    server.shutdown()


@pytest.fixture()
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/query"
    sock.close()


@pytest.mark.parametrize(("which", "status", "code", "error"), [
    ("failing_server", 502, "store_unavailable", StoreUnavailableError),
    ("unauthorized_server", 502, "store_unavailable", StoreUnavailableError),
    ("silent_server", 504, "store_timeout", StoreTimeoutError),
    ("closed_port", 502, "store_unavailable", StoreUnavailableError),
])
def test_server_failures_are_502_and_504(request: pytest.FixtureRequest, which: str, status: int, code: str,
                                         error: type[Exception]) -> None:
    if which == "closed_port":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{s.getsockname()[1]}/query"
    else:
        url = request.getfixturevalue(which)
    store = RemoteStore(url, timeout=0.5)
    with pytest.raises(error):
        store.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    app = create_app(Settings(store="", admin_token=None), store=store)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/api/chains/silk")
    assert r.status_code == status
    assert r.json()["error"]["code"] == code
    store.close()


# --- side files ---------------------------------------------------------------------------------


def test_side_files_from_the_dump_are_sealed_and_checked(tmp_path: Path, seed_store: KGStore,
                                                         remote_endpoint: str) -> None:
    dump = tmp_path / "seed.nq"
    dump.write_bytes(seed_store.export("nq"))
    report = index_dump(dump, tmp_path / "side", parallel=False)
    assert read_seal(tmp_path / "side") == report["seal"]
    store = RemoteStore(remote_endpoint)
    status = attach(store, tmp_path / "side")
    assert status.startswith("current"), status
    assert name_store.open_for(store) is not None
    assert materialize.derived_for(store) is not None
    # the answers read from the side files are those of SPARQL on the embedded store
    assert matrix(store) == matrix(seed_store)
    assert [h.iri for h in index_for(store).search("三磊")] == [h.iri for h in index_for(seed_store).search("三磊")]
    store.close()


def test_side_files_of_another_dump_are_not_used(tmp_path: Path, seed_store: KGStore, remote_endpoint: str) -> None:
    dump = tmp_path / "other.nq"
    extra = b"<https://e.org/x> <https://e.org/p> <https://e.org/y> <https://e.org/g> .\n"
    dump.write_bytes(seed_store.export("nq") + extra)
    index_dump(dump, tmp_path / "side", parallel=False)
    store = RemoteStore(remote_endpoint)
    status = attach(store, tmp_path / "side")
    assert status.startswith("stale") and "chainkg index" in status
    assert name_store.open_for(store) is None and materialize.derived_for(store) is None
    app = create_app(Settings(store="", admin_token=None), store=store)
    with TestClient(app) as client:
        assert client.get("/health").json()["side_files"].startswith("stale")
    store.close()


# --- the conformance check ----------------------------------------------------------------------


def test_check_remote_finds_no_difference(remote_store: KGStore, seed_store: KGStore) -> None:
    paths = ["/api/regions", "/api/regions/qianjiang", "/api/chains/silk/completeness?region=qianjiang",
             "/api/enterprises/sanlei-boxian/chains", "/api/completeness/matrix", "/api/search?q=sanlei"]
    verdicts = check_remote(remote_store, seed_store, paths=paths)
    assert [v.path for v in verdicts] == paths
    assert all(v.verdict != DIFFERENT and v.status == (200, 200) for v in verdicts), verdicts


def test_check_remote_reports_a_different_answer(remote_store: KGStore) -> None:
    other = KGStore()
    from graph.build.loading import build

    build(other, validate=False)
    other.update("DELETE WHERE { GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#label> '三磊玻纤'@zh } }")
    verdicts = check_remote(remote_store, other, paths=["/api/enterprises/sanlei-boxian", "/api/chains"])
    assert [v.verdict for v in verdicts] == [DIFFERENT, SAME]


def test_answers_do_not_depend_on_the_store_order(seed_store: KGStore) -> None:
    """An embedded store loaded from the reversed export answers every sampled question exactly
    as the seed store does (same lists in the same order)."""
    if isinstance(seed_store, RemoteStore):
        pytest.skip("compares two embedded stores")
    lines = seed_store.export("nq").splitlines(keepends=True)
    reversed_store = KGStore()
    reversed_store.load_data(b"".join(reversed(lines)), fmt="nq")
    from api.cli_remote import SAME, _client, question_paths

    with _client(seed_store) as client:
        paths = question_paths(client)[::4]
    verdicts = check_remote(reversed_store, seed_store, paths=paths)
    assert len(verdicts) > 100
    assert [v.path for v in verdicts if v.verdict != SAME] == []


def test_several_workers_need_a_read_only_store(monkeypatch: pytest.MonkeyPatch) -> None:
    from api.cli_serve import serve
    from api.settings import get_settings

    get_settings.cache_clear()
    monkeypatch.setenv("CHAINKG_ADMIN_TOKEN", "secret")
    try:
        with pytest.raises(ValueError, match="read-only"):
            serve(host="127.0.0.1", port=0, store="var/never-built", workers=2)
    finally:
        get_settings.cache_clear()
    monkeypatch.delenv("CHAINKG_ADMIN_TOKEN")
    with pytest.raises(ValueError, match="on-disk"):
        serve(host="127.0.0.1", port=0, store="", workers=2)
    get_settings.cache_clear()
