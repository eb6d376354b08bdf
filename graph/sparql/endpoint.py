"""SPARQL execution for the public endpoint: safety checks, dataset, row cap, time limit, bytes out.

The HTTP layer (``api/routes/sparql.py``) negotiates the format and hands a :class:`QueryRequest`
to a :class:`SparqlEngine`; everything that touches pyoxigraph happens here.

Safety, before any evaluation
    :func:`analyse` tokenizes the text (skipping strings, IRIs, comments, variables, prefixed
    names and language tags) and finds the operation's keywords. The query operation refuses
    SPARQL Update, and both operations refuse ``SERVICE`` and ``LOAD`` anywhere, with
    :class:`~graph.errors.ForbiddenOperationError` and a fixed message. A keyword inside a string
    or an IRI is not a keyword, so ``"SERVICE"`` in a literal is fine. Nothing is evaluated when
    a check fails, so the server never opens an outbound connection whatever the query says.

Dataset
    Without protocol parameters the default graph is the union of all graphs (``docs/model.md``),
    unless the query has its own ``FROM`` / ``FROM NAMED``, which then apply. When
    :mod:`graph.store.embedded` keeps the store's default graph as the RDF merge of the named graphs
    (each triple once), queries read that graph; otherwise pyoxigraph's
    ``use_default_graph_as_union`` is used, which yields a triple once per graph stating it
    (:func:`default_graph_is_merge` tells which). With
    ``default-graph-uri`` or ``named-graph-uri`` the protocol dataset replaces the query's
    whole: graphs not listed are not visible (SPARQL 1.1 Protocol §2.1.4). On the update
    operation, ``using-graph-uri`` / ``using-named-graph-uri`` become ``USING`` clauses
    (:func:`apply_using`); combining them with ``USING`` or ``WITH`` in the text is an error.

Row cap
    Over ``max_rows`` solutions or triples the answer is an error
    (:class:`~graph.errors.ResultTooLargeError`, HTTP 413), never a silently truncated result:
    a client that wants part of the answer says so with ``LIMIT``.

Time limit: threads and processes
    In thread mode each query runs, and its results are read, in ONE worker thread of a small
    executor that serves SPARQL only (:class:`DaemonPool`), never on the event loop; the async
    caller waits with ``asyncio.wait_for`` and answers :class:`~graph.errors.QueryTimeoutError`
    at the deadline even when the engine is stuck inside one ``next()`` (an aggregate over a
    huge join). Reading stops at the deadline or at the row cap. In process mode the event loop
    hands the query to an idle worker process and awaits its pipe directly
    (:meth:`ProcessPool.run_async`), so no thread waits on it.

    pyoxigraph cannot cancel a running query, so a thread that blocks in the engine keeps a
    core busy until the engine returns. To really stop such a query, an on-disk store is
    queried by a small pool of worker **processes** (:class:`ProcessPool`), each with its own
    ``pyoxigraph.Store.read_only(path)``; on timeout the worker is killed and a fresh one
    spawned. Processes are used when the store is on disk and the update endpoint is off;
    otherwise (in-memory store, or ``admin_token`` set) the engine falls back to threads.

    Limits of the process mode: a read-only RocksDB view is a snapshot taken when the worker
    opens it, and pyoxigraph calls reading while another process writes "undefined behaviour"
    (compaction deletes table files under the reader). When this process opened the store
    read-write, the workers therefore read a checkpoint of it (:meth:`KGStore.snapshot`, hard
    links beside the store) taken when the pool starts, never the live directory. A store opened
    read-only (the service without an update endpoint) is read in place, which is valid while no
    other process writes it: a CLI import into the directory of a running server is not seen
    until the workers restart (:meth:`SparqlEngine.restart`).
    Updates always run in a thread of the serving process through ``KGStore.update`` (so the
    store keeps its invariants), without a time limit (admin only; pyoxigraph applies each update
    whole or not at all). The endpoint's URL becomes the update's ``BASE`` unless it sets one.
    When the store's ``version`` changes (a write through this process), the worker processes
    are respawned before the next query so they read the new state.
    In thread mode an over-limit query is answered at the deadline but its thread stays busy
    until the engine finishes; the pool is bounded, so at most ``workers`` runaways exist and
    later queries wait (within their own deadline) for a free thread.

>>> from graph.store.embedded import KGStore
>>> kg = KGStore()
>>> _ = kg.load_data(b"<https://e.org/a> <https://e.org/p> 'x' .", fmt="ttl", graph="https://e.org/g")
>>> engine = SparqlEngine(kg, timeout=5, max_rows=10)
>>> answer = engine.run(QueryRequest("SELECT ?o WHERE { ?s ?p ?o }", result_format="csv"))
>>> answer.body
b'o\\r\\nx\\r\\n'
>>> engine.close()
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import pyoxigraph as ox

from graph.errors import (
    ChainKGError,
    ForbiddenOperationError,
    QuerySyntaxError,
    QueryTimeoutError,
    ResultTooLargeError,
)
from graph.prefixes import PREFIXES
from graph.sparql_text import (  # noqa: F401 (the tokenizer, re-exported)
    _TOKEN,
    Token,
    tokens,
)

if TYPE_CHECKING:
    from graph.store.embedded import KGStore

T = TypeVar("T")


class UpdateFailedError(ChainKGError, ValueError):
    """An update parsed but failed while being applied (nothing was written)."""


#: Fixed messages of the refusals (tests and clients may rely on them).
MSG_UPDATE_ON_QUERY = "SPARQL Update is not accepted on the query endpoint; POST it to /sparql/update"
MSG_SERVICE = "SERVICE (federated query) is not allowed: this endpoint makes no outbound connections"
MSG_LOAD = "LOAD is not allowed: this endpoint makes no outbound connections"
MSG_USING_CONFLICT = (
    "using-graph-uri / using-named-graph-uri cannot be combined with USING or WITH in the update"
)

#: Result-set formats (SELECT, ASK) by the names :mod:`api.conneg` uses.
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
#: Graph formats (CONSTRUCT, DESCRIBE) by name.
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}

Form = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "UPDATE", "UNKNOWN"]

# --- tokenizer --------------------------------------------------------------------------------


_QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


@dataclass(frozen=True)
class Analysis:
    """What :func:`analyse` found: operation form and the keywords that matter."""

    form: Form
    has_from: bool = False
    keywords: frozenset[str] = field(default_factory=frozenset)


def analyse(text: str) -> Analysis:
    """Find the form of a SPARQL request and the keywords the checks need.

    The form is the first bare keyword after the prologue (``BASE`` / ``PREFIX``).

    >>> found = analyse("PREFIX ex: <http://e/> SELECT * FROM <http://g> { ?s ex:p ?o }")
    >>> found.form, found.has_from, sorted(found.keywords)
    ('SELECT', True, ['FROM', 'PREFIX', 'SELECT'])
    """
    form: Form = "UNKNOWN"
    words: set[str] = set()
    for token in tokens(text):
        word = token.keyword
        if word is None:
            continue
        words.add(word)
        if form == "UNKNOWN" and word not in ("BASE", "PREFIX"):
            if word in _QUERY_FORMS:
                form = word  # type: ignore[assignment]
            elif word in _UPDATE_WORDS:
                form = "UPDATE"
    return Analysis(form=form, has_from="FROM" in words, keywords=frozenset(words))


def check_query(text: str) -> Analysis:
    """Refuse what the query operation must not run; return the analysis otherwise.

    Raises:
        ForbiddenOperationError: the text is an update, or uses ``SERVICE`` or ``LOAD``.

    >>> check_query("ASK {}").form
    'ASK'
    >>> check_query("ASK { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    Traceback (most recent call last):
    graph.errors.ForbiddenOperationError: SERVICE (federated query) is not allowed: ...
    """
    found = analyse(text)
    if found.form == "UPDATE":
        raise ForbiddenOperationError(MSG_UPDATE_ON_QUERY)
    _refuse_outbound(found)
    return found


def check_update(text: str) -> Analysis:
    """Refuse ``LOAD`` and ``SERVICE`` in an update; return the analysis otherwise.

    Raises:
        ForbiddenOperationError: the update uses ``LOAD`` or ``SERVICE``.
    """
    found = analyse(text)
    _refuse_outbound(found)
    return found


def _refuse_outbound(found: Analysis) -> None:
    if "SERVICE" in found.keywords:
        raise ForbiddenOperationError(MSG_SERVICE)
    if "LOAD" in found.keywords:
        raise ForbiddenOperationError(MSG_LOAD)


def apply_using(text: str, *, using: tuple[str, ...] = (), using_named: tuple[str, ...] = ()) -> str:
    """Add the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` as ``USING`` clauses.

    Each ``WHERE`` at brace depth 0 that is not ``DELETE WHERE`` belongs to an
    ``INSERT``/``DELETE … WHERE`` operation, and gets the clauses just before it.

    Raises:
        QuerySyntaxError: the update already has ``USING`` or ``WITH``, or a graph is not an IRI.

    >>> apply_using("INSERT { ?s a <http://c> } WHERE { ?s ?p ?o }", using=("http://g",))
    'INSERT { ?s a <http://c> } USING <http://g> WHERE { ?s ?p ?o }'
    """
    if not using and not using_named:
        return text
    clauses = " ".join(
        [f"USING {_iri(g)}" for g in using] + [f"USING NAMED {_iri(g)}" for g in using_named]
    )
    found = list(tokens(text))
    if any(t.keyword in ("USING", "WITH") for t in found):
        raise QuerySyntaxError(MSG_USING_CONFLICT)
    inserts: list[int] = []
    depth = 0
    previous: Token | None = None
    for token in found:
        if token.text == "{" and token.kind == "punct":
            depth += 1
        elif token.text == "}" and token.kind == "punct":
            depth -= 1
        elif depth == 0 and token.keyword == "WHERE" and (previous is None or previous.keyword != "DELETE"):
            inserts.append(token.start)
        previous = token
    for position in reversed(inserts):
        text = text[:position] + clauses + " " + text[position:]
    return text


def _iri(value: str) -> str:
    try:
        return str(ox.NamedNode(value))
    except ValueError:
        raise QuerySyntaxError(f"not an absolute IRI: {value!r}") from None


def default_graph_is_merge() -> bool:
    """Whether :mod:`graph.store.embedded` keeps the default graph as the merge of the named graphs."""
    from graph.store.embedded import DEFAULT_GRAPH_IS_MERGE

    return DEFAULT_GRAPH_IS_MERGE


# --- one query, in the calling thread ---------------------------------------------------------


@dataclass(frozen=True)
class QueryRequest:
    """A query to run (picklable: it crosses to worker processes).

    Args:
        query: the SPARQL text, handed to pyoxigraph as is.
        result_format: name in :data:`RESULT_FORMATS` for SELECT / ASK.
        graph_format: name in :data:`GRAPH_FORMATS` for CONSTRUCT / DESCRIBE.
        default_graphs: ``default-graph-uri`` values.
        named_graphs: ``named-graph-uri`` values.
        base_iri: base for relative IRIs (the endpoint's URL).
        union: without a protocol dataset or ``FROM``, read the union of all graphs with
            pyoxigraph's ``use_default_graph_as_union`` (``False``: read the store's default graph).
    """

    query: str
    result_format: str = "json"
    graph_format: str = "ttl"
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    union: bool = True


@dataclass(frozen=True)
class QueryAnswer:
    """A serialized answer: ``kind`` is ``results`` or ``graph``; ``fmt`` is the format name used."""

    body: bytes
    kind: Literal["results", "graph"]
    fmt: str
    count: int


def execute(store: ox.Store, request: QueryRequest, *, deadline: float, max_rows: int) -> QueryAnswer:
    """Run a query and serialize its answer, reading everything in this thread.

    Args:
        store: the pyoxigraph store.
        request: what to run.
        deadline: ``time.monotonic()`` value after which reading stops.
        max_rows: most solutions or triples the answer may hold.

    Raises:
        ForbiddenOperationError: update, ``SERVICE`` or ``LOAD`` (checked again here).
        QuerySyntaxError: the query does not parse, or a graph IRI is invalid.
        QueryTimeoutError: the deadline passed while reading.
        ResultTooLargeError: more than ``max_rows`` solutions or triples.
    """
    found = check_query(request.query)
    options: dict[str, Any] = {"base_iri": request.base_iri, "prefixes": PREFIXES}
    if request.default_graphs or request.named_graphs:
        try:
            options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
            options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
        except ValueError as err:
            raise QuerySyntaxError(f"invalid graph IRI: {err}") from None
    else:
        options["use_default_graph_as_union"] = request.union and not found.has_from
    try:
        result = store.query(request.query, **options)
    except SyntaxError as err:
        raise QuerySyntaxError(str(err)) from None
    try:
        return _read(result, request, deadline=deadline, max_rows=max_rows)
    except (QueryTimeoutError, ResultTooLargeError) as err:
        # The traceback's frames hold the result (and its solutions): pyoxigraph aborts when
        # they are dropped in another thread, so drop them here, before the error travels on.
        err.with_traceback(None)
        del result
        raise err from None


def _read(result: Any, request: QueryRequest, *, deadline: float, max_rows: int) -> QueryAnswer:
    """Serialize ``result`` in the requested format (see :func:`execute`)."""
    if isinstance(result, ox.QueryBoolean):
        fmt = _pick(request.result_format, RESULT_FORMATS, "json")
        return QueryAnswer(result.serialize(format=RESULT_FORMATS[fmt]) or b"", "results", fmt, 1)
    if isinstance(result, ox.QuerySolutions):
        fmt = _pick(request.result_format, RESULT_FORMATS, "json")
        names = star_order(request.query, [v.value for v in result.variables])
        bindings = []
        for solution in _bounded(result, deadline=deadline, max_rows=max_rows, what="rows"):
            bindings.append(
                {n: _json_term(t) for n, t in zip(names, solution, strict=True) if t is not None}
            )
        doc = json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}, ensure_ascii=False).encode()
        if fmt != "json":
            parsed = ox.parse_query_results(doc, format=ox.QueryResultsFormat.JSON)
            doc = parsed.serialize(format=RESULT_FORMATS[fmt]) or b""
        return QueryAnswer(doc, "results", fmt, len(bindings))
    fmt = _pick(request.graph_format, GRAPH_FORMATS, "ttl")
    triples = list(_bounded(result, deadline=deadline, max_rows=max_rows, what="triples"))
    rdf_format = GRAPH_FORMATS[fmt]
    items: list[Any] = triples
    if rdf_format.supports_datasets:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    prefixes = _used_prefixes(triples) if rdf_format == ox.RdfFormat.TURTLE else None
    body = ox.serialize(items, format=rdf_format, prefixes=prefixes)
    return QueryAnswer(body or b"", "graph", fmt, len(triples))


def star_order(query: str, names: list[str]) -> list[str]:
    """The columns of a ``SELECT *`` in the order their variables first appear in the query
    (pyoxigraph gives them sorted by name); other queries keep ``names`` as they are.

    >>> star_order("SELECT * WHERE { ?z ?a ?b }", ["a", "b", "z"])
    ['z', 'a', 'b']
    >>> star_order("SELECT ?b ?a { ?a ?b ?c }", ["b", "a"])
    ['b', 'a']
    """
    found = list(tokens(query))
    for i, token in enumerate(found):
        if token.keyword == "SELECT":
            rest = [t for t in found[i + 1:] if t.keyword not in ("DISTINCT", "REDUCED")]
            if not rest or rest[0].text != "*":
                return names
            first: dict[str, int] = {}
            for position, t in enumerate(rest):
                if t.kind == "var":
                    first.setdefault(t.text[1:], position)
            return sorted(names, key=lambda n: first.get(n, len(rest)))
    return names


def _used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """The chainkg prefixes whose namespace starts an IRI of the answer (for readable Turtle)."""
    iris = {t.value for triple in triples for t in triple if isinstance(t, ox.NamedNode)}
    return {p: ns for p, ns in PREFIXES.items() if any(i.startswith(ns) for i in iris)}


def _pick(name: str, table: dict[str, Any], default: str) -> str:
    return name if name in table else default


def _bounded(items: Any, *, deadline: float, max_rows: int, what: str) -> Iterator[Any]:
    for count, item in enumerate(items, start=1):
        if time.monotonic() > deadline:
            raise QueryTimeoutError(TIMEOUT_MESSAGE)
        if count > max_rows:
            raise ResultTooLargeError(
                f"the answer has more than {max_rows} {what}; narrow the query or add LIMIT"
            )
        yield item


TIMEOUT_MESSAGE = "the query ran past the time limit and was stopped"


def _json_term(term: Any) -> dict[str, Any]:
    """A term in the SPARQL 1.1 JSON results format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"unsupported term {term!r}")


# --- executors --------------------------------------------------------------------------------


class DaemonPool:
    """A fixed pool of daemon threads running submitted callables (SPARQL only).

    Daemon threads, unlike ``ThreadPoolExecutor``'s, do not hold the interpreter open while a
    runaway query finishes. Cancelled futures that have not started are skipped.

    >>> pool = DaemonPool(1, name="doc")
    >>> pool.submit(lambda: 6 * 7).result()
    42
    """

    def __init__(self, size: int, *, name: str = "sparql") -> None:
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._loop, name=f"{name}-{i}", daemon=True) for i in range(size)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        """Queue ``fn``; its result or exception lands in the returned future."""
        future: Future[T] = Future()
        self._jobs.put((future, fn))
        return future

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            future, fn = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except BaseException as err:  # delivered to the waiting caller, not swallowed
                future.set_exception(err)

    def shutdown(self) -> None:
        """Stop the threads once the queued jobs are done (does not wait)."""
        for _ in self._threads:
            self._jobs.put(None)


def _worker_main(path: str, conn: Connection, max_rows: int) -> None:
    """Body of a query worker process: answer requests from ``conn`` until it closes."""
    store = ox.Store.read_only(path)
    conn.send(("ready", None))
    while True:
        try:
            request, timeout = conn.recv()
        except (EOFError, OSError):
            return
        deadline = time.monotonic() + timeout
        reply: tuple[str, Any]
        try:
            reply = ("ok", execute(store, request, deadline=deadline, max_rows=max_rows))
        except (ChainKGError, OSError) as err:
            reply = ("error", err)
        conn.send(reply)


def worker_command(path: str, fd: int, max_rows: int) -> list[str]:
    """The command line of a worker process: :mod:`graph.sparql.worker`, which imports pyoxigraph
    and this module only (no web framework, no rdflib), so a worker is ready in a fraction of a
    second whatever program started the server.

    >>> worker_command("var/store", 5, 100)[1:3]
    ['-m', 'graph.sparql.worker']
    """
    return [sys.executable, "-m", "graph.sparql.worker", path, str(fd), str(max_rows)]


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class _Lease:
    """One query's use of a worker: the worker goes back to the pool if it replied, and is
    killed and replaced otherwise (timeout, or it died: a broken pipe becomes ``RuntimeError``)."""

    def __init__(self, pool: ProcessPool, worker: _Worker) -> None:
        self.pool = pool
        self.worker = worker
        self.reply: tuple[str, Any] | None = None

    def __enter__(self) -> _Lease:
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: Any) -> None:
        self.pool._settle(self.worker, healthy=self.reply is not None)
        if isinstance(err, (EOFError, BrokenPipeError, ConnectionResetError)):
            raise RuntimeError("the query worker process died") from None


def _unwrap(status: str, payload: Any) -> QueryAnswer:
    """A worker's reply: the answer, or the exception it sent back, raised here."""
    if status == "ok":
        answer: QueryAnswer = payload
        return answer
    raise payload


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection


#: Seconds a new worker process may take to import and open the store.
WORKER_START_TIMEOUT = 60.0


class ProcessPool:
    """Worker processes over a read-only view of an on-disk store; killed and respawned on timeout.

    Args:
        path: directory of the store.
        size: number of worker processes.
        max_rows: row cap applied in the workers.
        on_empty: called once, after :meth:`close`, when the last worker has stopped (e.g. to
            delete the snapshot the workers read).
    """

    def __init__(self, path: str, *, size: int, max_rows: int,
                 on_empty: Callable[[], None] | None = None) -> None:
        self._path = path
        self._max_rows = max_rows
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self._live = 0
        self._live_lock = threading.Lock()
        self._on_empty = on_empty
        waiting = [self._start() for _ in range(size)]  # start them all, then wait: in parallel
        try:
            while waiting:
                self._idle.put(self._ready(waiting.pop(0)))
        except BaseException:  # stop the rest, then fail
            for worker in waiting:
                self._kill(worker)
            self.close()
            raise

    def _spawn(self) -> _Worker:
        return self._ready(self._start())

    def _start(self) -> _Worker:
        ours, theirs = socket.socketpair()
        fd = theirs.fileno()
        process = subprocess.Popen(worker_command(self._path, fd, self._max_rows), pass_fds=(fd,),
                                   stdin=subprocess.DEVNULL)
        theirs.close()
        with self._live_lock:
            self._live += 1
        return _Worker(process, Connection(ours.detach()))

    def _ready(self, worker: _Worker) -> _Worker:
        """Wait until the worker has opened the store: only then does it count as idle, so
        start-up never eats a query's time."""
        if not worker.conn.poll(WORKER_START_TIMEOUT):
            self._kill(worker)
            raise RuntimeError("a SPARQL worker process did not start in time")
        try:
            worker.conn.recv()
        except EOFError:
            self._kill(worker)
            raise RuntimeError("a SPARQL worker process exited while starting") from None
        return worker

    def run(self, request: QueryRequest, *, timeout: float) -> QueryAnswer:
        """Run ``request`` in a free worker; kill that worker if it is not done by the deadline.

        Raises:
            QueryTimeoutError: no worker was free in time, or the query ran past the deadline.
            RuntimeError: the worker died.
            plus whatever :func:`execute` raises in the worker.
        """
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryTimeoutError(TIMEOUT_MESSAGE) from None
        with _Lease(self, worker) as lease:
            worker.conn.send((request, max(deadline - time.monotonic(), 0.0)))
            if not worker.conn.poll(max(deadline - time.monotonic(), 0.0)):
                raise QueryTimeoutError(TIMEOUT_MESSAGE)
            lease.reply = worker.conn.recv()
        return _unwrap(*lease.reply)

    async def run_async(self, request: QueryRequest, *, timeout: float) -> QueryAnswer:
        """:meth:`run` for the event loop: the answer is awaited on the worker's pipe (no thread
        sits waiting for it), so a query costs two process switches and nothing more.

        Raises:
            the same as :meth:`run`.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        worker = await self._acquire(deadline)
        with _Lease(self, worker) as lease:
            worker.conn.send((request, max(deadline - loop.time(), 0.0)))
            await self._readable(worker.conn, deadline)
            lease.reply = worker.conn.recv()
        return _unwrap(*lease.reply)

    async def _acquire(self, deadline: float) -> _Worker:
        """An idle worker, waiting (without blocking the loop) until ``deadline`` for one."""
        loop = asyncio.get_running_loop()
        delay = 0.0005
        while True:
            try:
                return self._idle.get_nowait()
            except queue.Empty:
                if loop.time() >= deadline:
                    raise QueryTimeoutError(TIMEOUT_MESSAGE) from None
                await asyncio.sleep(min(delay, max(deadline - loop.time(), 0.0)))
                delay = min(delay * 2, 0.02)

    def _settle(self, worker: _Worker, *, healthy: bool) -> None:
        """Return a worker that answered to the idle pool; kill any other and start its
        replacement in the background (it takes a moment: not on the caller's time)."""
        if healthy and not self._closed:
            self._idle.put(worker)
            return
        self._kill(worker)
        if not self._closed:
            threading.Thread(target=self._respawn, name="sparql-respawn", daemon=True).start()

    @staticmethod
    async def _readable(conn: Connection, deadline: float) -> None:
        """Wait until ``conn`` has data (the worker answered), or raise at ``deadline``."""
        if conn.poll(0):
            return
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        fd = conn.fileno()
        loop.add_reader(fd, _resolve, ready)
        try:
            await asyncio.wait_for(ready, max(deadline - loop.time(), 0.0))
        except TimeoutError:
            raise QueryTimeoutError(TIMEOUT_MESSAGE) from None
        finally:
            loop.remove_reader(fd)
            # uvloop makes a watched descriptor non-blocking; the reply is then read (and the next
            # request written) whole, with blocking calls: the worker has it ready to send.
            os.set_blocking(fd, True)

    def _kill(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.wait(timeout=5)
        worker.conn.close()
        with self._live_lock:
            self._live -= 1
        self._maybe_empty()

    def _maybe_empty(self) -> None:
        """Run ``on_empty`` once the pool is closed and no worker is left."""
        with self._live_lock:
            hook = self._on_empty if self._closed and self._live == 0 else None
            if hook is not None:
                self._on_empty = None
        if hook is not None:
            hook()

    def _respawn(self) -> None:
        if self._closed:
            return
        worker = self._spawn()
        self._idle.put(worker)
        if self._closed:  # closed while it started: close() may have missed it
            self.close()

    def close(self) -> None:
        """Stop every idle worker (busy ones are stopped when their query ends or times out)."""
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            self._kill(worker)
        self._maybe_empty()


# --- the engine -------------------------------------------------------------------------------


class SparqlEngine:
    """Runs endpoint queries under a time limit and a row cap, in threads or worker processes.

    Args:
        store: the store to query and update.
        timeout: seconds a query may run.
        max_rows: most solutions or triples an answer may hold.
        workers: size of the SPARQL thread pool (and of the process pool).
        processes: ``True`` forces worker processes (needs an on-disk store), ``False`` threads,
            ``None`` picks processes for an on-disk store (see the module docstring).
    """

    def __init__(
        self,
        store: KGStore,
        *,
        timeout: float,
        max_rows: int,
        workers: int = 2,
        processes: bool | None = None,
    ) -> None:
        self.store = store
        self.timeout = timeout
        self.max_rows = max_rows
        self._workers = workers
        if processes is None:
            processes = store.path is not None
        if processes and store.path is None:
            raise ValueError("worker processes need an on-disk store")
        self._union = not default_graph_is_merge()
        self._threads = DaemonPool(workers)
        self._version = getattr(store, "version", None)
        self._restart_lock = threading.Lock()
        self._processes = self._new_pool() if processes else None

    @property
    def mode(self) -> str:
        """``processes`` or ``threads``."""
        return "processes" if self._processes is not None else "threads"

    def run(self, request: QueryRequest) -> QueryAnswer:
        """Run a query in the calling thread (or a worker process), under the limits.

        Raises:
            ForbiddenOperationError, QuerySyntaxError, QueryTimeoutError, ResultTooLargeError.
        """
        check_query(request.query)
        request = replace(request, union=self._union)
        if self._processes is not None:
            with self._restart_lock:
                version = getattr(self.store, "version", None)
                if version != self._version:
                    self._version = version
                    self.restart()
                pool = self._processes
            return pool.run(request, timeout=self.timeout)
        deadline = time.monotonic() + self.timeout
        return execute(self.store.ox, request, deadline=deadline, max_rows=self.max_rows)

    async def query(self, request: QueryRequest) -> QueryAnswer:
        """Run a query under the limits without blocking the event loop: on a worker process
        (awaited on its pipe) or on the SPARQL thread pool; answer :class:`QueryTimeoutError`
        at the deadline.

        Raises:
            ForbiddenOperationError: refused before evaluation.
            QuerySyntaxError, QueryTimeoutError, ResultTooLargeError.
        """
        check_query(request.query)
        if self._processes is not None and getattr(self.store, "version", None) == self._version:
            return await self._processes.run_async(replace(request, union=self._union), timeout=self.timeout)
        future = self._threads.submit(lambda: self.run(request))
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except TimeoutError:
            raise QueryTimeoutError(TIMEOUT_MESSAGE) from None

    async def update(self, text: str, *, base_iri: str | None = None) -> None:
        """Apply an update (whole or not at all) on the SPARQL pool of the serving process.

        Raises:
            ForbiddenOperationError: ``LOAD`` or ``SERVICE``.
            QuerySyntaxError: the update does not parse.
            UpdateFailedError: the update failed while applied (e.g. ``CREATE`` of an existing graph).
        """
        check_update(text)
        if base_iri is not None and "BASE" not in analyse(text).keywords:
            text = f"BASE {_iri(base_iri)} {text}"

        def apply() -> None:
            try:
                self.store.update(text)
            except RuntimeError as err:  # pyoxigraph's evaluation errors; the update rolled back
                raise UpdateFailedError(f"update failed, nothing was written: {err}") from None
            if self.store.path is not None:
                self.store.ox.flush()

        await asyncio.wrap_future(self._threads.submit(apply))

    def restart(self) -> None:
        """Respawn the worker processes so they see the store as it is now."""
        if self._processes is not None:
            old = self._processes
            self._processes = self._new_pool()
            old.close()

    def _new_pool(self) -> ProcessPool:
        """Worker processes over the store: the directory itself when this process opened it
        read-only, else a snapshot of it (RocksDB compacts a store that is written, deleting
        table files under readers in other processes), deleted when the pool's last worker stops.
        """
        assert self.store.path is not None
        if self.store.read_only:
            return ProcessPool(str(self.store.path), size=self._workers, max_rows=self.max_rows)
        # Beside the store, so the snapshot is hard links rather than a copy.
        holder = Path(tempfile.mkdtemp(prefix=f".{self.store.path.name}-snapshot-", dir=self.store.path.parent))
        try:
            self.store.snapshot(holder / "store")
            return ProcessPool(str(holder / "store"), size=self._workers, max_rows=self.max_rows,
                               on_empty=lambda: shutil.rmtree(holder, ignore_errors=True))
        except BaseException:
            shutil.rmtree(holder, ignore_errors=True)
            raise

    def close(self) -> None:
        """Stop the pools."""
        self._threads.shutdown()
        if self._processes is not None:
            self._processes.close()
