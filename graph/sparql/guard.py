"""Updates bounded like queries: tried first in a sandboxed worker process, on a checkpoint.

pyoxigraph cannot stop an update once it runs, and the live store's update runs in the server.
So before the engine applies an update (other than pure ``INSERT DATA`` / ``DELETE DATA``, whose
cost is bounded by the body size), :func:`try_update` runs it on a copy of the store in a worker
process of :class:`~graph.sparql.pools.ProcessPool` (``mode="update"``): cut off from the network,
under the workers' memory cap (``CHAINKG_WORKER_MEMORY_MB``) and the query time limit
(``CHAINKG_QUERY_TIMEOUT``), killed at the deadline. Only an update that finished there is
applied to the live store.

The copy of an on-disk store is a RocksDB checkpoint beside it (:meth:`KGStore.snapshot`: hard
links, cheap at any size); an in-memory store is copied to a temporary on-disk store (a cost
proportional to the store: in-memory stores are the small ones of tests and demos). The copy is
deleted when the try ends, whatever its outcome.
"""

from __future__ import annotations

import gc
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph.sparql.pools import ProcessPool
from graph.sparql.updates import UpdateRequest

if TYPE_CHECKING:
    from graph.store.embedded import KGStore


def try_update(store: KGStore, request: UpdateRequest, *, timeout: float, sandbox: str = "require",
               memory_mb: int = 0) -> None:
    """Run an update on a copy of ``store`` in a sandboxed worker process, under a time limit and
    a memory cap; ``store`` itself is not changed.

    Args:
        store: the store the update is meant for.
        request: the update.
        timeout: seconds the update may run (the worker's start is not counted).
        sandbox: ``require`` or ``off`` (see :mod:`graph.sparql.sandbox`).
        memory_mb: data-memory cap of the worker in MiB (0: none).

    Raises:
        QueryTimeoutError: the update ran past ``timeout`` (the worker was killed).
        QueryMemoryError: the update needed more than ``memory_mb``.
        QueryWorkerError, WorkerStartError: the worker died otherwise, or could not start.
        ForbiddenOperationError, QuerySyntaxError, UpdateFailedError: as
            :func:`~graph.sparql.updates.execute_update` raises them in the worker.
    """
    with checkpoint(store) as copy:
        pool = ProcessPool(str(copy), size=1, max_rows=0, sandbox=sandbox, memory_mb=memory_mb,
                           mode="update", respawn=False)
        try:
            pool.apply(request, timeout=timeout)
        finally:
            pool.close()  # kills the worker (it is idle, or was killed at the deadline)


@contextmanager
def checkpoint(store: KGStore) -> Iterator[Path]:
    """A consistent on-disk copy of ``store`` that may be written, deleted afterwards.

    >>> from graph.store.embedded import KGStore
    >>> kg = KGStore()
    >>> _ = kg.load_data(b"<https://e.org/a> <https://e.org/p> 'x' .", fmt="ttl")
    >>> with checkpoint(kg) as copy:
    ...     len(ox.Store.read_only(str(copy)))
    1
    >>> copy.exists()
    False
    """
    if store.path is not None:  # beside the store, so the checkpoint is hard links
        holder = Path(tempfile.mkdtemp(prefix=f".{store.path.name}-update-", dir=store.path.parent))
    else:
        holder = Path(tempfile.mkdtemp(prefix="chainkg-update-"))
    try:
        target = holder / "store"
        if store.path is not None:
            store.snapshot(target)
        else:
            copy_to_disk(store.ox, target)
        yield target
    finally:
        shutil.rmtree(holder, ignore_errors=True)


def copy_to_disk(store: ox.Store, target: Path) -> None:
    """Write every quad of an (in-memory) store into a new on-disk store at ``target``."""
    copy = ox.Store(str(target))
    copy.bulk_extend(store.quads_for_pattern(None, None, None, None))
    copy.flush()
    del copy
    gc.collect()  # release the directory lock before another process opens it
