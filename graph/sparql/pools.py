"""Where queries run: a pool of daemon threads, or of worker processes each holding the store read-only."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from graph.errors import (
    ChainKGError,
    QueryMemoryError,
    QueryTimeoutError,
    QueryWorkerError,
)
from graph.sparql.protocol import (
    TIMEOUT_MESSAGE,
    QueryAnswer,
    QueryRequest,
)
from graph.sparql.sandbox import SANDBOX_MODES
from graph.sparql.updates import UpdateRequest
from graph.sparql.worker import WORKER_MODES, WORKER_NICENESS, _worker_main, memory_message  # noqa: F401 (re-exported)

T = TypeVar("T")


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


def worker_command(path: str, fd: int, max_rows: int, *, sandbox: str = "require", memory_mb: int = 0,
                   mode: str = "query", nice: str = "start") -> list[str]:
    """The command line of a worker process: :mod:`graph.sparql.worker`, which imports pyoxigraph
    and this module only (no web framework, no rdflib), so a worker is ready in a fraction of a
    second whatever program started the server. ``nice``: lower its CPU priority from its first
    instruction (``start``) or once it is ready (``ready``).

    >>> worker_command("var/store", 5, 100)[1:3]
    ['-m', 'graph.sparql.worker']
    """
    return [sys.executable, "-m", "graph.sparql.worker", path, str(fd), str(max_rows), sandbox, str(memory_mb),
            mode, nice]


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
        mode: ``query`` (workers read the store) or ``update`` (workers write it: see
            :meth:`apply`).
        respawn: replace a worker that timed out or died (``False`` for a pool used once).
        wait: wait here until the first workers are ready; ``False`` only launches them, and
            :meth:`wait_ready` (which must be called before the pool is used) waits, so the
            caller can do other work while they start.
        start_niced: the first workers lower their CPU priority from their first instruction
            (the default); ``False``: only once they are ready, for workers launched while the
            server starts (it serves nothing yet for them to yield to). Replacements always do.

    Raises:
        WorkerStartError: the first workers could not start (e.g. no sandbox available).
    """

    def __init__(self, path: str, *, size: int, max_rows: int, sandbox: str = "require", memory_mb: int = 0,
                 on_empty: Callable[[], None] | None = None, mode: str = "query", respawn: bool = True,
                 wait: bool = True, start_niced: bool = True) -> None:
        if sandbox not in SANDBOX_MODES:
            raise ValueError(f"sandbox must be one of {SANDBOX_MODES}")
        if mode not in WORKER_MODES:
            raise ValueError(f"mode must be one of {WORKER_MODES}")
        self._mode = mode
        self._respawn_workers = respawn
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
        nice = "start" if start_niced else "ready"
        self._starting = [self._start(nice) for _ in range(size)]  # start them all, then wait: in parallel
        if wait:
            self.wait_ready()

    def starting(self) -> bool:
        """Whether a worker launched by the constructor has not yet said it is ready (or failed)."""
        return any(not worker.conn.poll(0) for worker in self._starting)

    def wait_ready(self) -> None:
        """Wait until the workers launched by the constructor are ready (at once if they are).

        Raises:
            WorkerStartError: one could not start; the pool is then closed.
        """
        waiting, self._starting = self._starting, []
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

    def _start(self, nice: str = "start") -> _Worker:
        ours, theirs = socket.socketpair()
        fd = theirs.fileno()
        command = worker_command(self._path, fd, self._max_rows, sandbox=self._sandbox, memory_mb=self._memory_mb,
                                 mode=self._mode, nice=nice)
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
        return _unwrap(*self._exchange(request, timeout=timeout))

    def apply(self, request: UpdateRequest, *, timeout: float) -> None:
        """Apply an update in a free worker of an ``update`` pool, under the same time limit and
        memory cap as a query (the worker is killed at the deadline).

        Raises:
            QueryTimeoutError, QueryMemoryError, QueryWorkerError: as :meth:`run`.
            plus whatever :func:`execute_update` raises in the worker.
        """
        status, payload = self._exchange(request, timeout=timeout)
        if status != "ok":
            raise payload

    def _exchange(self, request: QueryRequest | UpdateRequest, *, timeout: float) -> tuple[str, Any]:
        """Send ``request`` to a free worker and return its reply, under the deadline."""
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
        return lease.reply

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
        if not self._closed and self._respawn_workers:
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
        starting, self._starting = self._starting, []  # launched, never waited for
        for worker in starting:
            self._kill(worker)
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            self._kill(worker)
        self._maybe_empty()
