"""The engine behind /sparql and /sparql/update: the check, then the pool, then the answer."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.errors import (
    QueryTimeoutError,
)
from graph.sparql.guard import copy_to_disk as _copy_to_disk
from graph.sparql.guard import try_update
from graph.sparql.pools import (
    DaemonPool,
    ProcessPool,
    T,
)
from graph.sparql.protocol import (
    TIMEOUT_MESSAGE,
    QueryAnswer,
    QueryRequest,
    default_graph_is_merge,
    execute,
)
from graph.sparql.safety import (
    _iri,
    check_query,
    check_update,
)
from graph.sparql.sandbox import SANDBOX_MODES, isolate_thread
from graph.sparql.updates import UpdateRequest, update_errors
from graph.store.merged_update import data_only

if TYPE_CHECKING:
    from graph.store.embedded import KGStore


#: Above this many characters a query is checked on a thread, not on the event loop.
CHECK_INLINE_LIMIT = 16_384


class SparqlEngine:
    """Runs endpoint queries under a time limit, a row cap and a memory cap, in sandboxed
    worker processes; applies updates on one sandboxed thread, each first tried in a sandboxed
    worker process under the same limits (:mod:`graph.sparql.guard`).

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
        apply: how an update is written, ``apply(store, text)`` (default ``store.update(text)``;
            the service passes :func:`graph.index.side_files.apply_update`, which keeps the side
            files current).
        wait: wait here until the worker processes are ready; ``False`` only launches them, and
            :meth:`wait_ready` (to be called before the engine is used) waits, so the caller can
            do other work while they start.
        pool: worker processes already launched over the directory of ``store``, opened
            read-only (:mod:`api.prelaunch`), used instead of launching new ones.

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
        apply: Callable[[KGStore, str], None] | None = None,
        wait: bool = True,
        pool: ProcessPool | None = None,
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
        self._apply = apply or _store_update
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
                self._processes = pool if pool is not None else self._new_pool(wait=wait)
            except BaseException:
                self.close()
                raise

    def starting(self) -> bool:
        """Whether worker processes launched with ``wait=False`` are still starting."""
        return self._processes is not None and self._processes.starting()

    def wait_ready(self) -> None:
        """Wait until the worker processes launched with ``wait=False`` are ready.

        Raises:
            WorkerStartError: a worker could not start (e.g. no sandbox available); the engine
                is then closed.
        """
        if self._processes is not None:
            try:
                self._processes.wait_ready()
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

        In the worker-process mode, an update other than pure ``INSERT DATA`` / ``DELETE DATA``
        (bounded by the size of its body) first runs on a checkpoint of the store in a sandboxed
        worker process, under the query time limit and the workers' memory cap
        (:func:`graph.sparql.guard.try_update`); only an update that finished there is applied to
        the store. Updates run one at a time. ``processes=False`` skips the try (library use).

        Raises:
            ForbiddenOperationError: ``LOAD`` or ``SERVICE``, or the update tried to connect out.
            QuerySyntaxError: the update does not parse.
            UpdateFailedError: the update failed while applied (e.g. ``CREATE`` of an existing graph).
            QueryTimeoutError: the update ran past the time limit in its try; nothing was applied.
            QueryMemoryError: the update needed more memory than a worker may use; nothing was applied.
            RuntimeError: updates are not enabled on this engine.
        """
        if self._updater is None:
            raise RuntimeError("updates are not enabled on this engine")

        def apply() -> None:
            found = check_update(text, outbound=self.refuse_outbound)
            sparql = text
            if base_iri is not None and "BASE" not in found.keywords:
                sparql = f"BASE {_iri(base_iri)} {text}"
            if self._processes is not None and data_only(sparql) is None:
                try_update(self.store, UpdateRequest(sparql, refuse_outbound=self.refuse_outbound),
                           timeout=self.timeout, sandbox=self.sandbox, memory_mb=self.memory_mb)
            with update_errors():
                self._apply(self.store, sparql)
            if self.store.path is not None:
                self.store.ox.flush()

        await asyncio.wrap_future(self._updater.submit(apply))

    def restart(self) -> None:
        """Respawn the worker processes so they see the store as it is now."""
        if self._processes is not None:
            old = self._processes
            self._processes = self._new_pool()
            old.close()

    def _new_pool(self, *, wait: bool = True) -> ProcessPool:
        """Worker processes over the store: the directory itself when this process opened it
        read-only, else a snapshot of it (RocksDB compacts a store that is written, deleting
        table files under readers in other processes; an in-memory store is copied), deleted
        when the pool's last worker stops.
        """
        options: dict[str, Any] = {"size": self._workers, "max_rows": self.max_rows, "sandbox": self.sandbox,
                                   "memory_mb": self.memory_mb}
        if self.store.path is not None and self.store.read_only:
            return ProcessPool(str(self.store.path), **options, wait=wait)
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
            return ProcessPool(str(holder / "store"), **options, wait=wait,
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


def _store_update(store: KGStore, text: str) -> None:
    store.update(text)


async def check_off_loop(check: Callable[..., T], text: str, **options: Any) -> T:
    """Run a text check (:func:`check_query`, :func:`check_update`) inline for a short text and on a
    thread for a long one, so a large request never holds the event loop."""
    if len(text) <= CHECK_INLINE_LIMIT:
        return check(text, **options)
    return await asyncio.to_thread(check, text, **options)
