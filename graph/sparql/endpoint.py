"""SPARQL execution for the public endpoint: safety checks, sandbox, dataset, row cap, limits, bytes out.

The HTTP layer (``api/routes/sparql.py``) negotiates the format and hands a :class:`QueryRequest`
to a :class:`SparqlEngine`; everything that touches pyoxigraph happens here.

Safety, before any evaluation
    :func:`analyse` scans the text once, in linear time (one regular expression whose every
    alternative is possessive: no backtracking, whatever the text), skipping strings, IRIs,
    comments (which end at LF or CR), variables and language tags, and finds the operation's
    keywords. The query operation refuses SPARQL Update, and both operations refuse ``SERVICE``
    and ``LOAD`` with :class:`~graph.errors.ForbiddenOperationError` and a fixed message.
    pyoxigraph reads a keyword without a word boundary (``SERVICE:x``, ``SERVICEex:x``,
    ``trueSERVICE``), so any name whose part before the first colon contains either word counts
    (:attr:`Token.outbound`); after a string that never ends, the rest of the text is searched
    for the words anywhere. When unsure, refuse. A keyword inside a string, an IRI or the local
    part of a prefixed name is not a keyword.

Sandbox, in case the check is ever wrong
    Queries are evaluated only in worker processes that moved into an empty network namespace
    before opening the store (:mod:`graph.sparql.sandbox`), and updates only on one thread of the
    server that did the same, so a ``SERVICE`` or ``LOAD`` the check missed fails with "network
    unreachable" (answered 403, :data:`MSG_OUTBOUND`). With ``sandbox="require"`` (the default)
    the engine does not start when that is not possible.

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

Time and memory limits: worker processes
    Every query runs in one of a pool of worker **processes** (:class:`ProcessPool`), each with
    its own ``pyoxigraph.Store.read_only`` view, a data-memory cap (``memory_mb``) and a lower CPU
    priority than the server. The event loop hands the query to an idle worker and awaits its
    pipe (:meth:`ProcessPool.run_async`). pyoxigraph cannot cancel a running query, so at the
    deadline the worker is killed (:class:`~graph.errors.QueryTimeoutError`, HTTP 503); a worker
    that dies at its memory cap answers :class:`~graph.errors.QueryMemoryError` (HTTP 507); any
    other death :class:`~graph.errors.QueryWorkerError` (503). Either way a replacement is
    started in the background, retried until it starts: the pool never shrinks. Evaluation
    errors (e.g. an unknown function) answer :class:`~graph.errors.QueryEvaluationError` (400,
    the engine's message) and keep the worker.

    What the workers read: a store this process opened read-only is read in place (valid while
    nobody writes it; a worker that cannot open it while another process rewrites it is
    retried). A store this process opened read-write is read through a checkpoint of it
    (:meth:`KGStore.snapshot`, hard links beside the store) taken when the pool starts, because
    RocksDB compaction deletes table files under readers in other processes. An in-memory store
    is copied to a temporary on-disk store. When the store's ``version`` changes (a write
    through this process), the workers are respawned before the next query so they read the new
    state. ``processes=False`` (library use only) runs queries in threads instead, with none of
    these guarantees.

    Updates run one at a time on the update thread through ``KGStore.update`` (so the store
    keeps its invariants), without a time limit (admin only; pyoxigraph applies each update
    whole or not at all). The endpoint's URL becomes the update's ``BASE`` unless it sets one.

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
import contextlib
import errno
import json
import logging
import os
import queue
import re
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
    QueryEvaluationError,
    QueryMemoryError,
    QuerySyntaxError,
    QueryTimeoutError,
    QueryWorkerError,
    ResultTooLargeError,
)
from graph.prefixes import PREFIXES
from graph.sparql.sandbox import SANDBOX_MODES, SandboxUnavailableError, isolate_process, isolate_thread, limit_memory
from graph.sparql_text import (  # noqa: F401 (the tokenizer, re-exported)
    _BASE,
    _CHARS,
    _PLX,
    _TOKEN,
    OUTBOUND,
    Token,
    _closed,
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
MSG_OUTBOUND = "the request tried to open an outbound connection; this endpoint makes none (refused)"
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

# --- tokenizer ---------------------------------------------------------------------------------


_QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
_OUTBOUND_ANYWHERE = re.compile("SERVICE|LOAD", re.IGNORECASE)


@dataclass(frozen=True)
class Analysis:
    """What :func:`analyse` found: operation form, the keywords that matter, and the first
    ``SERVICE`` / ``LOAD`` the engine may read (``None`` when there is none)."""

    form: Form
    has_from: bool = False
    keywords: frozenset[str] = field(default_factory=frozenset)
    outbound: str | None = None


def analyse(text: str) -> Analysis:
    """Find the form of a SPARQL request and the keywords the checks need (linear time).

    The form is the first bare keyword after the prologue (``BASE`` / ``PREFIX``). A string
    that is never closed ends the scan: the rest of the text is then searched for ``SERVICE``
    and ``LOAD`` anywhere, in any case (the engine rejects such a text, but when unsure, refuse).

    >>> found = analyse("PREFIX ex: <http://e/> SELECT * FROM <http://g> { ?s ex:p ?o }")
    >>> found.form, found.has_from, sorted(found.keywords)
    ('SELECT', True, ['FROM', 'PREFIX', 'SELECT'])
    >>> analyse("PREFIX : <http://127.0.0.1:9/> ASK { SERVICE:x {} }").outbound
    'SERVICE'
    """
    form: Form = "UNKNOWN"
    words: set[str] = set()
    outbound: str | None = None
    for match in _TOKEN.finditer(text):  # tokens() without building a Token for each
        kind = match.lastgroup
        if kind == "string" and not _closed(match.group()):
            if outbound is None:
                hit = _OUTBOUND_ANYWHERE.search(text, match.start())
                outbound = hit.group().upper() if hit else None
            break
        if kind != "name":
            continue
        value = match.group().upper()
        head, colon, _ = value.partition(":")
        if outbound is None and ("SERVICE" in head or "LOAD" in head):  # as Token.outbound
            outbound = "SERVICE" if "SERVICE" in head else "LOAD"
        if colon:
            continue
        word = value
        words.add(word)
        if form == "UNKNOWN" and word not in ("BASE", "PREFIX"):
            if word in _QUERY_FORMS:
                form = word  # type: ignore[assignment]
            elif word in _UPDATE_WORDS:
                form = "UPDATE"
    return Analysis(form=form, has_from="FROM" in words, keywords=frozenset(words), outbound=outbound)


def check_query(text: str, *, outbound: bool = True) -> Analysis:
    """Refuse what the query operation must not run; return the analysis otherwise.

    Args:
        text: the query.
        outbound: refuse ``SERVICE`` and ``LOAD`` (``False`` leaves them to the sandbox alone).

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
    if outbound:
        _refuse_outbound(found)
    return found


def check_update(text: str, *, outbound: bool = True) -> Analysis:
    """Refuse ``LOAD`` and ``SERVICE`` in an update; return the analysis otherwise.

    Raises:
        ForbiddenOperationError: the update uses ``LOAD`` or ``SERVICE``.
    """
    found = analyse(text)
    if outbound:
        _refuse_outbound(found)
    return found


def _refuse_outbound(found: Analysis) -> None:
    if found.outbound == "SERVICE":
        raise ForbiddenOperationError(MSG_SERVICE)
    if found.outbound == "LOAD":
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
        refuse_outbound: refuse ``SERVICE`` / ``LOAD`` by the keyword check (``False`` leaves
            them to the worker's sandbox alone; never set from a request).
    """

    query: str
    result_format: str = "json"
    graph_format: str = "ttl"
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    union: bool = True
    refuse_outbound: bool = True


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
        ForbiddenOperationError: update, ``SERVICE`` or ``LOAD`` (checked again here), or the
            engine tried to open a connection (a sandboxed worker cannot).
        QuerySyntaxError: the query does not parse, or a graph IRI is invalid.
        QueryEvaluationError: the engine failed to evaluate it (with the engine's message).
        QueryTimeoutError: the deadline passed while reading.
        ResultTooLargeError: more than ``max_rows`` solutions or triples.
    """
    try:
        return _execute(store, request, deadline=deadline, max_rows=max_rows)
    except RuntimeError as err:  # pyoxigraph's evaluation errors (e.g. an unknown function)
        err.with_traceback(None)  # its frames hold the result: drop them in this thread
        raise QueryEvaluationError(f"the query failed: {err}") from None
    except OSError as err:
        if is_network_error(err):
            err.with_traceback(None)
            raise ForbiddenOperationError(MSG_OUTBOUND) from None
        raise


def is_network_error(err: OSError) -> bool:
    """Whether an error from the engine comes from an attempt to reach the network.

    >>> is_network_error(OSError(101, "Network is unreachable"))
    True
    """
    return isinstance(err, ConnectionError) or err.errno in _NETWORK_ERRNOS or (
        "os error 101" in str(err) or "Network is unreachable" in str(err)
    )


_NETWORK_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ECONNREFUSED}


def _execute(store: ox.Store, request: QueryRequest, *, deadline: float, max_rows: int) -> QueryAnswer:
    found = check_query(request.query, outbound=request.refuse_outbound)
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


def _worker_main(path: str, conn: Connection, max_rows: int, *, sandbox: str = "require",
                 memory_mb: int = 0) -> None:
    """Body of a query worker process: cut itself off from the network (``sandbox="require"``),
    cap its memory, open the store read-only, then answer requests from ``conn`` until it closes.

    It says ``("ready", how)`` once the store is open, or ``("failed", reason)`` and exits.
    """
    try:
        how = isolate_process() if sandbox == "require" else "none"
        limit_memory(memory_mb)
        if os.getpriority(os.PRIO_PROCESS, 0) < WORKER_NICENESS:  # not yet lowered by the entry point
            os.nice(WORKER_NICENESS)  # runaway queries yield the CPU to the server's own requests
        store = ox.Store.read_only(path)
    except (SandboxUnavailableError, OSError, MemoryError) as err:
        with contextlib.suppress(OSError):
            conn.send(("failed", f"{type(err).__name__}: {err}"))
        return
    try:
        conn.send(("ready", how))
    except OSError:  # the server went away while this worker started
        return
    while True:
        try:
            request, timeout = conn.recv()
        except (EOFError, OSError):
            return
        deadline = time.monotonic() + timeout
        reply: tuple[str, Any]
        try:
            reply = ("ok", execute(store, request, deadline=deadline, max_rows=max_rows))
        except MemoryError:
            reply = ("error", QueryMemoryError(memory_message(memory_mb)))
        except (ChainKGError, OSError) as err:
            reply = ("error", err)
        try:
            conn.send(reply)
        except OSError:  # the server stopped waiting (it kills this worker next)
            return


#: CPU priority of worker processes below the server's (``nice`` increment).
WORKER_NICENESS = 10


def memory_message(memory_mb: int) -> str:
    """The fixed message of a query stopped at the workers' memory limit.

    >>> memory_message(512)
    'the query needed more memory than a query worker may use (512 MiB, CHAINKG_WORKER_MEMORY_MB) and was stopped'
    """
    return (f"the query needed more memory than a query worker may use ({memory_mb} MiB, "
            "CHAINKG_WORKER_MEMORY_MB) and was stopped")


def worker_command(path: str, fd: int, max_rows: int, *, sandbox: str = "require", memory_mb: int = 0) -> list[str]:
    """The command line of a worker process: :mod:`graph.sparql.worker`, which imports pyoxigraph
    and this module only (no web framework, no rdflib), so a worker is ready in a fraction of a
    second whatever program started the server.

    >>> worker_command("var/store", 5, 100)[1:3]
    ['-m', 'graph.sparql.worker']
    """
    return [sys.executable, "-m", "graph.sparql.worker", path, str(fd), str(max_rows), sandbox, str(memory_mb)]


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class _Lease:
    """One query's use of a worker: the worker goes back to the pool if it replied, and is
    killed and replaced otherwise (timeout, or it died: then the answer says why, memory limit
    or crash)."""

    def __init__(self, pool: ProcessPool, worker: _Worker) -> None:
        self.pool = pool
        self.worker = worker
        self.reply: tuple[str, Any] | None = None

    def __enter__(self) -> _Lease:
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: Any) -> None:
        died = isinstance(err, (EOFError, OSError)) and not isinstance(err, ChainKGError)
        code = self.pool._settle(self.worker, healthy=self.reply is not None, died=died)
        if died:
            raise self.pool.death(code) from None


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
#: Longest pause between two attempts to replace a worker that failed to start.
RESPAWN_MAX_DELAY = 5.0

log = logging.getLogger("chainkg.sparql")


class WorkerStartError(RuntimeError):
    """A worker process could not start (its reason: no sandbox, store unreadable, …)."""


class ProcessPool:
    """Worker processes over a read-only view of an on-disk store; killed and respawned on timeout.

    Every worker cuts itself off from the network before it opens the store (``sandbox``) and
    caps its address space at ``memory_mb``. The pool keeps ``size`` workers: one that timed
    out or died is replaced in the background, and a replacement that fails to start is retried
    (with a growing pause, each failure logged) until it starts or the pool closes.

    Args:
        path: directory of the store.
        size: number of worker processes.
        max_rows: row cap applied in the workers.
        sandbox: ``require`` (the default) or ``off``, see :mod:`graph.sparql.sandbox`.
        memory_mb: address-space cap of each worker in MiB (0: none).
        on_empty: called once, after :meth:`close`, when the last worker has stopped (e.g. to
            delete the snapshot the workers read).

    Raises:
        WorkerStartError: the first workers could not start (e.g. no sandbox available).
    """

    def __init__(self, path: str, *, size: int, max_rows: int, sandbox: str = "require", memory_mb: int = 0,
                 on_empty: Callable[[], None] | None = None) -> None:
        if sandbox not in SANDBOX_MODES:
            raise ValueError(f"sandbox must be one of {SANDBOX_MODES}")
        self._path = path
        self._size = size
        self._max_rows = max_rows
        self._sandbox = sandbox
        self._memory_mb = memory_mb
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self._live = 0
        self._live_lock = threading.Lock()
        self._on_empty = on_empty
        #: How the workers are cut off from the network (``none`` when the sandbox is off).
        self.isolation = "none"
        waiting = [self._start() for _ in range(size)]  # start them all, then wait: in parallel
        try:
            while waiting:
                self._idle.put(self._ready(waiting.pop(0)))
        except BaseException:  # stop the rest, then fail
            for worker in waiting:
                self._kill(worker)
            self.close()
            raise

    def status(self) -> dict[str, int]:
        """``size`` (target), ``live`` (running, busy or idle) and ``idle`` worker counts."""
        with self._live_lock:
            live = self._live
        return {"size": self._size, "live": live, "idle": self._idle.qsize()}

    def death(self, code: int | None) -> ChainKGError:
        """The error for a worker that stopped without answering, by its exit status: an abort
        under a memory cap is the cap (Rust and RocksDB abort when an allocation fails)."""
        if self._memory_mb and code in (-6, -9, 134, 137):  # SIGABRT / SIGKILL
            return QueryMemoryError(memory_message(self._memory_mb))
        return QueryWorkerError(f"the query worker process stopped unexpectedly (exit status {code}); "
                                "the query was not answered")

    def _spawn(self) -> _Worker:
        return self._ready(self._start())

    def _start(self) -> _Worker:
        ours, theirs = socket.socketpair()
        fd = theirs.fileno()
        command = worker_command(self._path, fd, self._max_rows, sandbox=self._sandbox, memory_mb=self._memory_mb)
        try:
            process = subprocess.Popen(command, pass_fds=(fd,), stdin=subprocess.DEVNULL)
        finally:
            theirs.close()
        with self._live_lock:
            self._live += 1
        return _Worker(process, Connection(ours.detach()))

    def _ready(self, worker: _Worker) -> _Worker:
        """Wait until the worker has opened the store: only then does it count as idle, so
        start-up never eats a query's time."""
        if not worker.conn.poll(WORKER_START_TIMEOUT):
            self._kill(worker)
            raise WorkerStartError("a SPARQL worker process did not start in time")
        try:
            status, detail = worker.conn.recv()
        except (EOFError, OSError):
            code = worker.process.poll()
            self._kill(worker)
            raise WorkerStartError(f"a SPARQL worker process exited while starting (exit status {code})") from None
        if status != "ready":
            self._kill(worker)
            raise WorkerStartError(f"a SPARQL worker process could not start: {detail}")
        self.isolation = str(detail)
        return worker

    def run(self, request: QueryRequest, *, timeout: float) -> QueryAnswer:
        """Run ``request`` in a free worker; kill that worker if it is not done by the deadline.

        Raises:
            QueryTimeoutError: no worker was free in time, or the query ran past the deadline.
            QueryMemoryError: the worker hit its memory cap.
            QueryWorkerError: the worker died otherwise.
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
        try:
            worker.conn.send((request, max(deadline - loop.time(), 0.0)))
            await self._readable(worker.conn, deadline)
            reply = worker.conn.recv()
        except BaseException as err:
            # Killing a worker and reading its exit status may take a moment: not on the loop.
            died = isinstance(err, (EOFError, OSError)) and not isinstance(err, ChainKGError)
            code = await asyncio.to_thread(self._settle, worker, healthy=False, died=died)
            if died:
                raise self.death(code) from None
            raise
        self._settle(worker, healthy=True)
        return _unwrap(*reply)

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

    def _settle(self, worker: _Worker, *, healthy: bool, died: bool = False) -> int | None:
        """Return a worker that answered to the idle pool; kill any other and start its
        replacement in the background (it takes a moment: not on the caller's time). Returns
        the exit status of a worker that ``died`` by itself (its pipe closed), else ``None``."""
        if healthy and not self._closed:
            self._idle.put(worker)
            return None
        code = None
        if died:
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = worker.process.wait(timeout=2)
        self._kill(worker)
        if not self._closed:
            threading.Thread(target=self._respawn, name="sparql-respawn", daemon=True).start()
        return code

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
        """Start one replacement worker, retrying until it starts or the pool closes: the pool
        never stays smaller than its size (each failure is logged with its reason)."""
        delay = 0.1
        while not self._closed:
            try:
                worker = self._spawn()
            except (WorkerStartError, OSError) as err:
                log.warning("SPARQL worker replacement failed (%s); retrying in %.1f s", err, delay)
                time.sleep(delay)
                delay = min(delay * 2, RESPAWN_MAX_DELAY)
                continue
            self._idle.put(worker)
            if self._closed:  # closed while it started: close() may have missed it
                self.close()
            return

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

#: Above this many characters a query is checked on a thread, not on the event loop.
CHECK_INLINE_LIMIT = 16_384


class SparqlEngine:
    """Runs endpoint queries under a time limit, a row cap and a memory cap, in sandboxed
    worker processes; applies updates on one sandboxed thread.

    Args:
        store: the store to query and update.
        timeout: seconds a query may run.
        max_rows: most solutions or triples an answer may hold.
        workers: number of worker processes (and size of the helper thread pool).
        processes: ``False`` runs queries in threads of this process instead (library use only:
            no sandbox, no memory cap, not stoppable); the default is worker processes, over a
            snapshot of the store (an in-memory store is copied to a temporary directory).
        sandbox: ``require`` cuts the workers and the update thread off from the network and
            fails when that is not possible; ``off`` does not (see :mod:`graph.sparql.sandbox`).
        memory_mb: address-space cap of each worker process in MiB (0: none).
        updates: enable :meth:`update` (its thread is sandboxed when it starts).
        refuse_outbound: refuse ``SERVICE`` / ``LOAD`` by the keyword check before evaluation
            (``False``: the sandbox alone stops them).

    Raises:
        WorkerStartError, SandboxUnavailableError: the sandbox is required but not available.
    """

    def __init__(
        self,
        store: KGStore,
        *,
        timeout: float,
        max_rows: int,
        workers: int = 2,
        processes: bool | None = None,
        sandbox: str = "require",
        memory_mb: int = 0,
        updates: bool = False,
        refuse_outbound: bool = True,
    ) -> None:
        if sandbox not in SANDBOX_MODES:
            raise ValueError(f"sandbox must be one of {SANDBOX_MODES}")
        if sandbox == "off" and not refuse_outbound:
            raise ValueError("the keyword check may be turned off only while the sandbox is on")
        self.store = store
        self.timeout = timeout
        self.max_rows = max_rows
        self.sandbox = sandbox
        self.memory_mb = memory_mb
        self.refuse_outbound = refuse_outbound
        self._workers = workers
        self._union = not default_graph_is_merge()
        self._threads = DaemonPool(workers)
        self._updater: DaemonPool | None = None
        self.update_isolation = "none"
        if updates:
            self._updater = DaemonPool(1, name="sparql-update")
            if sandbox == "require":
                try:
                    self.update_isolation = self._updater.submit(isolate_thread).result(timeout=30)
                except BaseException:
                    self._updater.shutdown()
                    self._threads.shutdown()
                    raise
        self._version = getattr(store, "version", None)
        self._restart_lock = threading.Lock()
        self._processes: ProcessPool | None = None
        if processes is None or processes:
            try:
                self._processes = self._new_pool()
            except BaseException:
                self.close()
                raise

    @property
    def mode(self) -> str:
        """``processes`` or ``threads``."""
        return "processes" if self._processes is not None else "threads"

    def status(self) -> dict[str, Any]:
        """The worker pool's counts and how workers are isolated (for ``/health``)."""
        if self._processes is None:
            return {"mode": "threads"}
        return {"mode": "processes", **self._processes.status(), "sandbox": self._processes.isolation,
                "memory_mb": self.memory_mb}

    def run(self, request: QueryRequest) -> QueryAnswer:
        """Run a query in the calling thread (or a worker process), under the limits.

        Raises:
            ForbiddenOperationError, QuerySyntaxError, QueryEvaluationError, QueryTimeoutError,
            ResultTooLargeError, QueryMemoryError, QueryWorkerError.
        """
        request = replace(request, union=self._union, refuse_outbound=self.refuse_outbound)
        check_query(request.query, outbound=self.refuse_outbound)
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
        at the deadline. A long text is checked on a thread too.

        Raises:
            ForbiddenOperationError: refused before evaluation.
            QuerySyntaxError, QueryEvaluationError, QueryTimeoutError, ResultTooLargeError,
            QueryMemoryError, QueryWorkerError.
        """
        await check_off_loop(check_query, request.query, outbound=self.refuse_outbound)
        if self._processes is not None and getattr(self.store, "version", None) == self._version:
            request = replace(request, union=self._union, refuse_outbound=self.refuse_outbound)
            return await self._processes.run_async(request, timeout=self.timeout)
        future = self._threads.submit(lambda: self.run(request))
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except TimeoutError:
            raise QueryTimeoutError(TIMEOUT_MESSAGE) from None

    async def update(self, text: str, *, base_iri: str | None = None) -> None:
        """Apply an update (whole or not at all) on the update thread, which cannot open network
        connections (with ``sandbox="require"``).

        Raises:
            ForbiddenOperationError: ``LOAD`` or ``SERVICE``, or the update tried to connect out.
            QuerySyntaxError: the update does not parse.
            UpdateFailedError: the update failed while applied (e.g. ``CREATE`` of an existing graph).
            RuntimeError: updates are not enabled on this engine.
        """
        if self._updater is None:
            raise RuntimeError("updates are not enabled on this engine")

        def apply() -> None:
            found = check_update(text, outbound=self.refuse_outbound)
            sparql = text
            if base_iri is not None and "BASE" not in found.keywords:
                sparql = f"BASE {_iri(base_iri)} {text}"
            try:
                self.store.update(sparql)
            except RuntimeError as err:  # pyoxigraph's evaluation errors; the update rolled back
                raise UpdateFailedError(f"update failed, nothing was written: {err}") from None
            except OSError as err:
                if is_network_error(err):
                    raise ForbiddenOperationError(MSG_OUTBOUND) from None
                raise
            if self.store.path is not None:
                self.store.ox.flush()

        await asyncio.wrap_future(self._updater.submit(apply))

    def restart(self) -> None:
        """Respawn the worker processes so they see the store as it is now."""
        if self._processes is not None:
            old = self._processes
            self._processes = self._new_pool()
            old.close()

    def _new_pool(self) -> ProcessPool:
        """Worker processes over the store: the directory itself when this process opened it
        read-only, else a snapshot of it (RocksDB compacts a store that is written, deleting
        table files under readers in other processes; an in-memory store is copied), deleted
        when the pool's last worker stops.
        """
        options: dict[str, Any] = {"size": self._workers, "max_rows": self.max_rows, "sandbox": self.sandbox,
                                   "memory_mb": self.memory_mb}
        if self.store.path is not None and self.store.read_only:
            return ProcessPool(str(self.store.path), **options)
        if self.store.path is not None:  # beside the store, so the snapshot is hard links
            holder = Path(tempfile.mkdtemp(prefix=f".{self.store.path.name}-snapshot-",
                                           dir=self.store.path.parent))
        else:
            holder = Path(tempfile.mkdtemp(prefix="chainkg-memory-snapshot-"))
        try:
            if self.store.path is not None:
                self.store.snapshot(holder / "store")
            else:
                _copy_to_disk(self.store.ox, holder / "store")
            return ProcessPool(str(holder / "store"), **options,
                               on_empty=lambda: shutil.rmtree(holder, ignore_errors=True))
        except BaseException:
            shutil.rmtree(holder, ignore_errors=True)
            raise

    def close(self) -> None:
        """Stop the pools."""
        self._threads.shutdown()
        if self._updater is not None:
            self._updater.shutdown()
        if self._processes is not None:
            self._processes.close()


def _copy_to_disk(store: ox.Store, target: Path) -> None:
    """Write every quad of an (in-memory) store into a new on-disk store at ``target``."""
    copy = ox.Store(str(target))
    copy.bulk_extend(store.quads_for_pattern(None, None, None, None))
    copy.flush()
    del copy
    import gc

    gc.collect()  # release the directory lock before the workers open it


async def check_off_loop(check: Callable[..., T], text: str, **options: Any) -> T:
    """Run a text check (:func:`check_query`, :func:`check_update`) inline for a short text and on a
    thread for a long one, so a large request never holds the event loop."""
    if len(text) <= CHECK_INLINE_LIMIT:
        return check(text, **options)
    return await asyncio.to_thread(check, text, **options)
