"""Entry point and body of a SPARQL worker process (started by :class:`graph.sparql.pools.ProcessPool`).

    python -m graph.sparql.worker STORE_DIR FD MAX_ROWS SANDBOX MEMORY_MB [MODE [NICE]]

``FD`` is the worker's end of a socket pair inherited from the server; the worker lowers its CPU
priority first (so even its start-up yields to the server's own requests), cuts itself off from
the network (``SANDBOX`` = ``require``), caps its memory at ``MEMORY_MB`` MiB (0: none), opens
the store (read-only; read-write with ``MODE`` = ``update``, to try an update on a checkpoint),
says it is ready, then answers requests until the server closes the socket. With ``NICE`` =
``ready`` (workers launched while the server starts, when it serves nothing yet) the priority is
lowered only once the store is open, before the worker says it is ready.

This module imports only the standard library at its top, and the worker then only pyoxigraph and
the query modules it needs (no asyncio, no web framework, no rdflib), so a worker is ready in a
fraction of a second whatever program started the server.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

#: CPU priority of worker processes below the server's (``nice`` increment).
WORKER_NICENESS = 10


def memory_message(memory_mb: int) -> str:
    """The fixed message of a query stopped at the workers' memory limit.

    >>> memory_message(512)
    'the query needed more memory than a query worker may use (512 MiB, CHAINKG_WORKER_MEMORY_MB) and was stopped'
    """
    return (f"the query needed more memory than a query worker may use ({memory_mb} MiB, "
            "CHAINKG_WORKER_MEMORY_MB) and was stopped")


#: What a worker opens its store for: ``query`` (read-only) or ``update`` (read-write: a checkpoint
#: the engine tries an update on before applying it to the live store).
WORKER_MODES = ("query", "update")


def _worker_main(path: str, conn: Connection, max_rows: int, *, sandbox: str = "require",
                 memory_mb: int = 0, mode: str = "query") -> None:
    """Body of a worker process: cut itself off from the network (``sandbox="require"``), cap its
    memory, open the store (read-only, or read-write in ``update`` mode), then answer requests
    from ``conn`` (a query request, or an update request in ``update`` mode) until it closes.

    It says ``("ready", how)`` once the store is open, or ``("failed", reason)`` and exits.
    """
    import pyoxigraph as ox

    from graph.errors import ChainKGError, QueryMemoryError
    from graph.sparql.protocol import execute
    from graph.sparql.sandbox import SandboxUnavailableError, isolate_process, limit_memory
    from graph.sparql.updates import UpdateRequest, execute_update

    try:
        how = isolate_process() if sandbox == "require" else "none"
        limit_memory(memory_mb)
        store = ox.Store(path) if mode == "update" else ox.Store.read_only(path)
        if os.getpriority(os.PRIO_PROCESS, 0) < WORKER_NICENESS:  # not yet lowered by the entry point
            os.nice(WORKER_NICENESS)  # runaway queries yield the CPU to the server's own requests
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
            if isinstance(request, UpdateRequest):
                if mode != "update":
                    raise PermissionError("this worker holds its store read-only")
                execute_update(store, request)
                reply = ("ok", None)
            else:
                reply = ("ok", execute(store, request, deadline=deadline, max_rows=max_rows))
        except MemoryError:
            reply = ("error", QueryMemoryError(memory_message(memory_mb)))
        except (ChainKGError, OSError) as err:
            reply = ("error", err)
        try:
            conn.send(reply)
        except OSError:  # the server stopped waiting (it kills this worker next)
            return


if __name__ == "__main__":
    if sys.argv[7:8] != ["ready"]:  # "ready": launched while the server starts, lowered once ready
        os.nice(WORKER_NICENESS)  # before the imports: runaway queries yield the CPU to the server

    from multiprocessing.connection import Connection

    _worker_main(sys.argv[1], Connection(int(sys.argv[2])), int(sys.argv[3]),
                 sandbox=sys.argv[4] if len(sys.argv) > 4 else "require",
                 memory_mb=int(sys.argv[5]) if len(sys.argv) > 5 else 0,
                 mode=sys.argv[6] if len(sys.argv) > 6 else "query")
