"""``graph/sparql/sandbox.py``: a worker or a thread that cannot reach the network, and the memory cap."""

from __future__ import annotations

import os
import socket
import threading

import pytest

from graph.sparql.endpoint import WORKER_NICENESS, ProcessPool, QueryRequest
from graph.sparql.sandbox import isolate_thread, network_is_cut
from graph.store.embedded import KGStore


def test_an_isolated_thread_has_no_network_and_the_others_keep_theirs() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    port = server.getsockname()[1]
    seen: dict[str, object] = {}

    def cut() -> None:
        try:
            seen["how"] = isolate_thread()
        except RuntimeError as err:  # not root: the sandbox is unavailable, said clearly
            seen["error"] = str(err)
            return
        seen["cut"] = network_is_cut()
        with socket.socket() as probe, pytest.raises(OSError) as refused:
            probe.connect(("127.0.0.1", port))
        seen["errno"] = refused.value.errno

    thread = threading.Thread(target=cut)
    thread.start()
    thread.join(10)
    if "error" in seen:
        pytest.skip(str(seen["error"]))
    assert seen["how"] == "network namespace (thread)" and seen["cut"] is True
    assert seen["errno"] == 101  # ENETUNREACH: nothing reached the listener
    with socket.create_connection(("127.0.0.1", port), timeout=2):  # this thread still can
        pass
    server.close()


def test_workers_report_their_sandbox_and_answer_under_the_memory_cap(tmp_path) -> None:
    store = KGStore(tmp_path / "store")
    store.load_data(b"<http://e/a> <http://e/p> 1 .", fmt="ttl", graph="http://e/g")
    store.close()
    pool = ProcessPool(str(tmp_path / "store"), size=1, max_rows=10, memory_mb=256)
    try:
        assert pool.isolation in ("network namespace", "user + network namespace")
        assert pool.status() == {"size": 1, "live": 1, "idle": 1}
        worker = pool._idle.queue[0].process.pid
        assert os.getpriority(os.PRIO_PROCESS, worker) >= WORKER_NICENESS  # yields the CPU to the server
        answer = pool.run(QueryRequest("ASK { ?s ?p 1 }"), timeout=10)
        assert answer.body == b'{"head":{},"boolean":true}'
    finally:
        pool.close()
