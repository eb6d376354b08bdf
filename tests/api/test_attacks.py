"""Attacks on a live server (uvicorn on 127.0.0.1): egress, stalls, memory, crashes, writers.

A loopback listener stands in for "the internet": every request that tries ``SERVICE`` or
``LOAD`` names it, and it must record zero connections, whatever the spelling. The corpus runs
against a server with the keyword check (refused with 403 before evaluation) and against
servers with the keyword check turned off (``CHAINKG_KEYWORD_CHECK=false``), where only the
workers' sandbox stands between the query and the listener: on-disk store with the update
endpoint, in-memory store, read-only on-disk store.
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
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parents[2]
EX = "http://example.org/"
TOKEN = "attack-test-token"
MEMORY_MB = 600
LOADER = """
import sys
from graph.store.embedded import KGStore
store = KGStore(sys.argv[1])
store.load_data(sys.stdin.read(), fmt="trig")
if len(sys.argv) > 2:
    store.ox.optimize()  # compaction: deletes table files that readers opened before
store.close()
"""
BOMB = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i DESC(?a)"
CRASH = "SELECT ((<urn:nope>(1)) AS ?x) WHERE {}"


def _data(prefix: str = "s", n: int = 300) -> str:
    lines = [f"@prefix ex: <{EX}> .", "ex:bulk {"]
    lines += [f"  ex:{prefix}{i} ex:n {i} ." for i in range(n)]
    lines.append("}")
    return "\n".join(lines)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Listener:
    """A TCP listener on loopback that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = int(self.sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    sink = Listener()
    yield sink
    sink.close()


@dataclass
class Server:
    base: str
    proc: subprocess.Popen[bytes]
    store: Path | None
    token: str | None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
        host, port = self.base.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def query(self, text: str, **headers: str) -> tuple[int, dict]:
        status, _, body = self.request("POST", "/sparql", text.encode(),
                                       {"content-type": "application/sparql-query",
                                        "accept": "application/sparql-results+json, application/n-triples;q=0.5",
                                        **headers})
        return status, json.loads(body) if body.startswith(b"{") else {}

    def update(self, text: str, token: str = TOKEN) -> tuple[int, dict]:
        status, _, body = self.request("POST", "/sparql/update", text.encode(),
                                       {"content-type": "application/sparql-update",
                                        "authorization": f"Bearer {token}"})
        return status, json.loads(body) if body.startswith(b"{") else {}

    def health(self) -> dict:
        return json.loads(self.request("GET", "/health")[2])

    def workers(self) -> list[int]:
        """Process ids of the server's child processes (its SPARQL workers)."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        return sorted(int(c) for c in children)

    def wait_full(self, timeout: float = 20) -> dict:
        """Wait until the worker pool is back to its size, idle; return the last ``/health``."""
        deadline = time.monotonic() + timeout
        while True:
            sparql = self.health()["sparql"]
            if sparql["live"] == sparql["size"] == sparql["idle"] or time.monotonic() > deadline:
                return sparql
            time.sleep(0.1)


def _load(store: Path, data: str, *, compact: bool = False) -> None:
    args = [sys.executable, "-c", LOADER, str(store)] + (["compact"] if compact else [])
    subprocess.run(args, input=data, text=True, cwd=ROOT, check=True, timeout=120)


def _start(tmp: Path, *, memory: bool = False, token: str | None = TOKEN, **env: str) -> Server:
    store: Path | None = None
    if not memory:
        store = tmp / "store"
        _load(store, _data())
    port = _free_port()
    environ = {**os.environ, "CHAINKG_STORE": str(store) if store else "", "CHAINKG_BUILD_IF_EMPTY": "false",
               "CHAINKG_QUERY_TIMEOUT": "3", "CHAINKG_MAX_ROWS": "1000", "CHAINKG_SPARQL_WORKERS": "2",
               "CHAINKG_WORKER_MEMORY_MB": str(MEMORY_MB), "CHAINKG_MAX_BODY_BYTES": "131072", **env}
    environ.pop("CHAINKG_ADMIN_TOKEN", None)
    if token is not None:
        environ["CHAINKG_ADMIN_TOKEN"] = token
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    server = Server(f"http://127.0.0.1:{port}", proc, store, token or None)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            _stop(server)
            pytest.fail(f"uvicorn exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.1)
    else:
        _stop(server)
        pytest.fail("uvicorn did not start within 60 s")
    if memory:  # the in-memory store gets its data through the update endpoint
        assert server.update(f"INSERT DATA {{ GRAPH <{EX}bulk> {{ <{EX}s1> <{EX}n> 1 }} }}")[0] == 204
    return server


def _stop(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait(timeout=15)


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """On-disk store, update endpoint on, keyword check on (the default settings); a time limit
    long enough that the memory bomb meets the memory cap first, even on a busy machine."""
    server = _start(tmp_path_factory.mktemp("guarded"), CHAINKG_QUERY_TIMEOUT="8")
    yield server
    _stop(server)


@pytest.fixture(scope="module", params=["disk+token", "memory+token", "disk read-only"])
def sandbox_only(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The keyword check turned off: only the sandbox holds, in each mode of the service."""
    tmp = tmp_path_factory.mktemp("sandbox")
    server = _start(tmp, memory=request.param.startswith("memory"),
                    token=None if request.param == "disk read-only" else TOKEN, CHAINKG_KEYWORD_CHECK="false")
    yield server
    _stop(server)


# --- the corpus -------------------------------------------------------------------------------

PATTERN = "{ ?s ?p ?o }"
#: An unterminated string of escaped quotes: the input that made the old check quadratic.
ESCAPED_QUOTES = '\\"' * 20_000


def query_corpus(url: str) -> list[str]:
    """SERVICE spelled and placed every way we know the engine accepts."""
    service = f"SERVICE <{url}> {PATTERN}"
    return [
        f"SELECT * WHERE {{ {service} }}",
        f"select * where {{ sErViCe <{url}> {PATTERN} }}",
        f"PREFIX : <{url}> SELECT * WHERE {{ SERVICE:x {PATTERN} }}",
        f"PREFIX : <{url}> SELECT * WHERE {{ service:x {PATTERN} }}",
        f"PREFIX ex: <{url}> SELECT * WHERE {{ SERVICEex:x {PATTERN} }}",
        f"PREFIX service: <http://e/> PREFIX : <{url}> SELECT * WHERE {{ service:x {PATTERN} }}",
        f"SELECT * WHERE {{ SERVICE<{url}> {PATTERN} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {PATTERN} }}",
        f"PREFIX : <{url}> SELECT * WHERE {{ SERVICESILENT:x {PATTERN} }}",
        f"SELECT * WHERE {{ #x\rSERVICE <{url}> {PATTERN} }}",
        f"SELECT * WHERE {{ #x\nSERVICE <{url}> {PATTERN} }}",
        f"SELECT * WHERE {{ #x\r\nSERVICE <{url}> {PATTERN} }}",
        f"SELECT * WHERE {{ SERVICE#x\r<{url}> {PATTERN} }}",
        f"SELECT * WHERE {{ SERVICE\t<{url}> {PATTERN} }}",
        f"SELECT * WHERE {{ VALUES ?u {{ <{url}> }} SERVICE ?u {PATTERN} }}",
        f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ {service} }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c MINUS {{ {service} }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c FILTER EXISTS {{ {service} }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c FILTER NOT EXISTS {{ {service} }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ {service} }} }} }}",
        f"SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ {service} }} }}",
        f"SELECT * WHERE {{ GRAPH ?g {{ {service} }} }}",
        f"ASK {{ {service} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {service} }}",
        f"SELECT * WHERE {{ ?a ?b 1SERVICE <{url}> {PATTERN} }}",
        f"SELECT * WHERE {{ ?a ?b trueSERVICE <{url}> {PATTERN} }}",
        f'SELECT * WHERE {{ ?a ?b "x"SERVICE <{url}> {PATTERN} }}',
        f'SELECT * WHERE {{ ?s ?p "{ESCAPED_QUOTES} }} SERVICE <{url}> {PATTERN}',
    ]


def dataset_corpus(url: str) -> list[str]:
    """Queries naming the listener as a graph: allowed, the dataset comes from the store only."""
    return [f"SELECT * FROM <{url}> WHERE {PATTERN}", f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {PATTERN} }}"]


def update_corpus(url: str) -> list[str]:
    """LOAD (and SERVICE in updates) every way we know the engine accepts."""
    return [
        f"LOAD <{url}>",
        f"load <{url}>",
        f"LoAd <{url}> INTO GRAPH <{EX}loaded>",
        f"LOAD<{url}>",
        f"PREFIX : <{url}> LOAD:x",
        f"PREFIX ex: <{url}> LOADex:x",
        f"LOAD SILENT <{url}>",
        f"#c\rLOAD <{url}>",
        f"#c\r\nLOAD <{url}>",
        f"INSERT DATA {{ <{EX}a> <{EX}b> 1 }} ; LOAD <{url}>",
        f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {PATTERN} }}",
        f"PREFIX : <{url}> INSERT {{ ?s ?p ?o }} WHERE {{ OPTIONAL {{ SERVICE:x {PATTERN} }} }}",
        f"DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE SILENT <{url}> {PATTERN} }} }}",
    ]


def test_every_spelling_is_refused_by_the_keyword_check(guarded: Server, listener: Listener) -> None:
    before = listener.connections
    for text in query_corpus(listener.url):
        status, body = guarded.query(text)
        assert status == 403, (text[:120], status, body)
        assert body["error"]["code"] == "forbidden_operation"
    for text in update_corpus(listener.url):
        status, body = guarded.update(text)
        assert status == 403, (text[:120], status, body)
    for text in update_corpus(listener.url)[:3]:  # updates on the query endpoint
        assert guarded.query(text)[0] == 403
    for text in dataset_corpus(listener.url):
        status, body = guarded.query(text)
        assert (status, body["results"]) == (200, {"bindings": []})
    assert listener.connections == before == 0


def test_the_sandbox_alone_stops_every_spelling(sandbox_only: Server, listener: Listener) -> None:
    """With the keyword check off, the engine evaluates SERVICE and LOAD in the sandbox: nothing
    reaches the listener; the request fails (403 naming the refused connection, or 400) or, for
    SILENT, answers without the remote part."""
    before = listener.connections
    statuses = []
    for text in query_corpus(listener.url):
        status, body = sandbox_only.query(text)
        statuses.append(status)
        assert status in (200, 400, 403), (text[:120], status, body)
        if status == 200:
            assert "bindings" not in body or all("s" not in row for row in body["results"]["bindings"])
    if sandbox_only.token is not None:
        for text in update_corpus(listener.url):
            status, body = sandbox_only.update(text)
            assert status in (204, 400, 403), (text[:120], status, body)
    assert listener.connections == before == 0
    assert 403 in statuses  # the sandbox's refusal was seen, not only syntax errors
    assert sandbox_only.wait_full()["live"] == 2


# --- stalls, memory, crashes ------------------------------------------------------------------


def test_a_quadratic_string_does_not_stall_the_server(guarded: Server) -> None:
    stall = 'SELECT * WHERE { ?s ?p "' + '\\"' * 30_000  # 60 KB, never closed
    answers: list[int] = []
    thread = threading.Thread(target=lambda: answers.append(guarded.query(stall)[0]))
    started = time.monotonic()
    thread.start()
    health = [guarded.request("GET", "/health")[0] for _ in range(5)]
    thread.join(timeout=30)
    assert answers == [400]  # the parser's message, after a linear scan
    assert health == [200] * 5
    assert time.monotonic() - started < 10


def test_bodies_over_the_limit_are_refused_on_every_route(guarded: Server) -> None:
    big = b"x" * 200_000
    for method, path in [("POST", "/sparql"), ("POST", "/sparql/update"), ("POST", "/api/enterprises"),
                         ("POST", "/health"), ("PUT", "/id/anything")]:
        status, _, body = guarded.request(method, path, big, {"content-type": "application/sparql-query"})
        assert status == 413, (path, status)
        assert json.loads(body)["error"]["code"] == "request_too_large"
    status, _, _ = guarded.request("GET", "/sparql?" + urlencode({"query": "x" * 200_000}))
    assert status in (400, 414)  # the HTTP parser or the application refuses the URL
    status, _, body = guarded.request("GET", "/sparql?" + urlencode({"query": "x" * 140_000}))
    assert status in (400, 414)
    assert guarded.request("GET", "/health")[0] == 200


def test_the_memory_bomb_hits_the_cap_and_the_pool_recovers(guarded: Server) -> None:
    status, body = guarded.query(BOMB)  # sorting 27 million rows needs gigabytes
    assert status == 507, body
    assert body["error"] == {"code": "query_memory", "message": (
        f"the query needed more memory than a query worker may use ({MEMORY_MB} MiB, CHAINKG_WORKER_MEMORY_MB) "
        "and was stopped")}
    assert guarded.wait_full() == {"mode": "processes", "size": 2, "live": 2, "idle": 2,
                                   "sandbox": "network namespace", "memory_mb": MEMORY_MB}
    assert guarded.query(f"ASK {{ <{EX}s3> ?p 3 }}") == (200, {"head": {}, "boolean": True})


def test_over_limit_queries_are_stopped_and_the_pool_stays_full(guarded: Server) -> None:
    slow = "SELECT (COUNT(*) AS ?c) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    results = []
    threads = [threading.Thread(target=lambda: results.append(guarded.query(slow)[0])) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [503, 503, 503]
    assert guarded.wait_full()["live"] == 2
    assert len(guarded.workers()) == 2  # the runaway workers were killed, not left running
    assert guarded.query(f"ASK {{ <{EX}s5> ?p 5 }}")[0] == 200


def test_an_evaluation_error_answers_400_and_keeps_the_workers(guarded: Server) -> None:
    guarded.wait_full()
    workers = guarded.workers()
    for _ in range(20):
        status, body = guarded.query(CRASH)
        assert status == 400
        assert body["error"]["code"] == "query_failed"
        assert "<urn:nope>" in body["error"]["message"]
    assert guarded.workers() == workers  # no worker died, none was respawned
    status, body = guarded.update(f"INSERT {{ ?s <{EX}q> ?x }} WHERE {{ ?s <{EX}n> 1 BIND(<urn:nope>(1) AS ?x) }}")
    assert status == 400 and body["error"]["code"] == "update_failed"


# --- updates: bounded like queries ------------------------------------------------------------

#: 600 quads to the third power, each compared: minutes of work in little memory (after an
#: INSERT DATA that must not be applied either).
RUNAWAY_UPDATE = (f"INSERT DATA {{ GRAPH <{EX}marker> {{ <{EX}m> <{EX}m> 1 }} }} ; "
                  "DELETE { ?a ?b ?c } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
                  "FILTER(STR(?c) = CONCAT(STR(?f), STR(?i), 'x')) }")
#: Sorting hundreds of millions of rows in an update's WHERE: gigabytes.
BOMB_UPDATE = (f"INSERT {{ GRAPH <{EX}bomb> {{ ?a ?b ?c }} }} WHERE {{ SELECT * WHERE {{ ?a ?b ?c . ?d ?e ?f . "
               "?g ?h ?i } ORDER BY ?c ?f ?i DESC(?a) }")


def _checkpoints(server: Server) -> list[Path]:
    assert server.store is not None
    return sorted(server.store.parent.glob(f".{server.store.name}-update-*"))


def test_a_runaway_update_answers_503_on_time_and_changes_nothing(guarded: Server) -> None:
    guarded.wait_full()
    answers: list[tuple[int, dict]] = []
    thread = threading.Thread(target=lambda: answers.append(guarded.update(RUNAWAY_UPDATE)))
    started = time.monotonic()
    thread.start()
    time.sleep(1)
    assert guarded.query(f"ASK {{ <{EX}s2> ?p 2 }}")[0] == 200  # the server answers meanwhile
    assert guarded.request("GET", "/health")[0] == 200
    thread.join(timeout=60)
    assert time.monotonic() - started < 8 + 10  # the limit, a worker's start and a checkpoint
    status, body = answers[0]
    assert status == 503, body
    assert body["error"] == {"code": "query_timeout", "message": "the query ran past the time limit and was stopped"}
    assert guarded.query(f"ASK {{ <{EX}m> ?p ?o }}") == (200, {"head": {}, "boolean": False})
    assert guarded.query(f"ASK {{ <{EX}s4> ?p 4 }}") == (200, {"head": {}, "boolean": True})
    assert _checkpoints(guarded) == []
    assert len(guarded.workers()) == 2  # the update's worker was killed


def test_a_memory_bomb_update_is_stopped_at_the_cap(guarded: Server) -> None:
    status, body = guarded.update(BOMB_UPDATE)
    assert status == 507, body
    assert body["error"]["code"] == "query_memory"
    assert f"({MEMORY_MB} MiB, CHAINKG_WORKER_MEMORY_MB)" in body["error"]["message"]
    assert guarded.query(f"ASK {{ GRAPH <{EX}bomb> {{ ?s ?p ?o }} }}") == (200, {"head": {}, "boolean": False})
    assert _checkpoints(guarded) == []
    assert guarded.wait_full()["live"] == 2


def test_an_ordinary_update_still_applies(guarded: Server) -> None:
    text = (f"DELETE {{ GRAPH <{EX}bulk> {{ ?s <{EX}n> 9 }} }} INSERT {{ GRAPH <{EX}bulk> {{ ?s <{EX}n> 900 }} }} "
            f"WHERE {{ GRAPH <{EX}bulk> {{ ?s <{EX}n> 9 }} }}")
    assert guarded.update(text)[0] == 204
    assert guarded.query(f"ASK {{ <{EX}s9> <{EX}n> 900 }}") == (200, {"head": {}, "boolean": True})
    assert guarded.query(f"ASK {{ <{EX}s9> <{EX}n> 9 }}") == (200, {"head": {}, "boolean": False})
    assert _checkpoints(guarded) == []


# --- writers and readers of one directory -------------------------------------------------------


def test_a_second_writer_is_refused_with_a_clear_message(guarded: Server, tmp_path: Path) -> None:
    data = tmp_path / "more.trig"
    data.write_text(_data("w", 3), encoding="utf-8")
    assert guarded.store is not None
    done = subprocess.run([sys.executable, "-m", "api.cli", "import", "--store", str(guarded.store), str(data)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "open for writing by another process" in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


def test_writes_into_a_served_directory_keep_the_pool_full(tmp_path: Path) -> None:
    server = _start(tmp_path, token=None, CHAINKG_QUERY_TIMEOUT="1")
    try:
        assert server.store is not None
        for round_ in range(4):
            _load(server.store, _data(f"r{round_}x", 50), compact=True)  # another process writes
            # a timeout kills a worker: its replacement opens the rewritten directory
            assert server.query("SELECT (COUNT(*) AS ?c) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")[0] == 503
            assert server.wait_full()["live"] == 2
            assert server.query(f"ASK {{ <{EX}s7> ?p 7 }}")[0] == 200
        assert len(server.workers()) == 2
    finally:
        _stop(server)


# --- the admin token -------------------------------------------------------------------------


def test_an_empty_admin_token_means_no_update_endpoint(tmp_path: Path) -> None:
    server = _start(tmp_path, token="")
    try:
        for authorization in ("Bearer ", "Bearer", ""):
            status, _, body = server.request("POST", "/sparql/update", b"CLEAR ALL",
                                             {"content-type": "application/sparql-update",
                                              "authorization": authorization})
            assert status == 404, body
        assert server.query(f"ASK {{ <{EX}s1> ?p 1 }}")[0] == 200  # CLEAR ALL did not run
    finally:
        _stop(server)
