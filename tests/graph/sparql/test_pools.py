"""``graph/sparql/pools.py``: a pool whose workers are launched now and waited for later."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graph.sparql.pools import WORKER_NICENESS, ProcessPool, WorkerStartError
from graph.sparql.protocol import QueryRequest
from graph.store.embedded import KGStore


@pytest.fixture
def store_dir(tmp_path: Path) -> str:
    store = KGStore(tmp_path / "store")
    store.load_data(b"<http://e/a> <http://e/p> 1 .", fmt="ttl", graph="http://e/g")
    store.close()
    return str(tmp_path / "store")


def test_launched_workers_count_as_idle_only_once_waited_for(store_dir: str) -> None:
    pool = ProcessPool(store_dir, size=2, max_rows=10, sandbox="off", wait=False)
    try:
        assert pool.status() == {"size": 2, "live": 2, "idle": 0}
        assert pool.starting()  # a Python process takes tens of milliseconds to say it is ready
        pool.wait_ready()
        assert not pool.starting()
        assert pool.status() == {"size": 2, "live": 2, "idle": 2}
        pool.wait_ready()  # nothing left to wait for
        answer = pool.run(QueryRequest("ASK { ?s ?p 1 }"), timeout=10)
        assert answer.body == b'{"head":{},"boolean":true}'
    finally:
        pool.close()


def test_closing_before_waiting_stops_the_launched_workers(store_dir: str) -> None:
    pool = ProcessPool(store_dir, size=2, max_rows=10, sandbox="off", wait=False)
    processes = [w.process for w in pool._starting]
    pool.close()
    assert [p.poll() is not None for p in processes] == [True, True]
    assert pool.status()["live"] == 0


def test_a_worker_that_cannot_start_fails_the_wait_and_closes_the_pool(tmp_path: Path) -> None:
    pool = ProcessPool(str(tmp_path / "missing"), size=2, max_rows=10, sandbox="off", wait=False)
    with pytest.raises(WorkerStartError, match="could not start"):
        pool.wait_ready()
    assert pool.status()["live"] == 0


def test_workers_launched_at_server_start_lower_their_priority_once_ready(store_dir: str) -> None:
    """Launched while the server starts (``start_niced=False``), a worker runs its own start at
    the server's priority and yields the CPU from the moment it is ready, as every worker does."""
    pool = ProcessPool(store_dir, size=1, max_rows=10, sandbox="off", wait=False, start_niced=False)
    try:
        process = pool._starting[0].process
        assert process.args[-1] == "ready"
        pool.wait_ready()
        assert os.getpriority(os.PRIO_PROCESS, process.pid) >= WORKER_NICENESS
    finally:
        pool.close()
