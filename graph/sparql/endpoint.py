"""SPARQL execution for the public endpoint: safety checks, sandbox, dataset, row cap, limits, bytes out.

The endpoint in four modules, gathered here: :mod:`graph.sparql.safety` (the check),
:mod:`graph.sparql.protocol` (one query: dataset, row cap, time limit, encoding),
:mod:`graph.sparql.pools` (threads or worker processes), :mod:`graph.sparql.engine` (the engine).

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
    keeps its invariants; pyoxigraph applies each update whole or not at all). Each one, unless
    it is only ``INSERT DATA`` or only ``DELETE DATA`` (bounded by its body), is first tried on a
    checkpoint of the store in a worker process (:mod:`graph.sparql.guard`) under the same
    sandbox, time limit and memory cap as a query: past the limit it answers
    :class:`~graph.errors.QueryTimeoutError` (503), over the cap
    :class:`~graph.errors.QueryMemoryError` (507), and nothing is applied. The endpoint's URL
    becomes the update's ``BASE`` unless it sets one.

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

from graph.sparql.engine import (  # noqa: F401
    CHECK_INLINE_LIMIT,
    SparqlEngine,
    _copy_to_disk,
    check_off_loop,
)
from graph.sparql.pools import (  # noqa: F401
    RESPAWN_MAX_DELAY,
    WORKER_NICENESS,
    WORKER_START_TIMEOUT,
    DaemonPool,
    ProcessPool,
    T,
    WorkerStartError,
    _Lease,
    _resolve,
    _unwrap,
    _Worker,
    _worker_main,
    log,
    memory_message,
    worker_command,
)
from graph.sparql.protocol import (  # noqa: F401
    _NETWORK_ERRNOS,
    GRAPH_FORMATS,
    RESULT_FORMATS,
    TIMEOUT_MESSAGE,
    QueryAnswer,
    QueryRequest,
    _bounded,
    _execute,
    _json_term,
    _pick,
    _read,
    _used_prefixes,
    default_graph_is_merge,
    execute,
    is_network_error,
    star_order,
)
from graph.sparql.safety import (  # noqa: F401
    _OUTBOUND_ANYWHERE,
    _QUERY_FORMS,
    _UPDATE_WORDS,
    MSG_LOAD,
    MSG_OUTBOUND,
    MSG_SERVICE,
    MSG_UPDATE_ON_QUERY,
    MSG_USING_CONFLICT,
    Analysis,
    Form,
    UpdateFailedError,
    _iri,
    _refuse_outbound,
    analyse,
    apply_using,
    check_query,
    check_update,
)
