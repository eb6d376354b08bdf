"""``graph/sparql/sandbox.py``: a worker or a thread that cannot reach the network, and the memory cap."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
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


# --- the seccomp fallback (no namespace possible: not root, user namespaces disabled) ----------
# A seccomp filter cannot be undone, so each case runs in a fresh interpreter.

_NO_NAMESPACES = """
import socket, sys, threading
import graph.sparql.sandbox as sandbox
sandbox._unshare = lambda flags: 1  # EPERM, as for a user without CAP_SYS_ADMIN or user namespaces
port = int(sys.argv[1])
"""


def _listener() -> socket.socket:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    server.settimeout(0.5)
    return server


def _accepted(server: socket.socket) -> int:
    count = 0
    while True:
        try:
            conn, _ = server.accept()
        except TimeoutError:
            return count
        conn.close()
        count += 1


def _run(code: str, port: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _NO_NAMESPACES + code, str(port)],
                          capture_output=True, text=True, timeout=60)


def test_a_worker_without_namespaces_falls_back_to_seccomp_and_reaches_nothing() -> None:
    server = _listener()
    code = """
how = sandbox.isolate_process()
errors = []
for family, address in ((socket.AF_INET, ("127.0.0.1", port)), (socket.AF_INET6, ("::1", port))):
    try:
        socket.socket(family).connect(address)
    except OSError as err:
        errors.append(err.errno)
try:
    socket.create_connection(("127.0.0.1", port), timeout=2)
except OSError as err:
    errors.append(err.errno)
a, b = socket.socketpair()  # Unix sockets (how workers talk to the server) still work
a.sendall(b"ok")
print(how, errors, b.recv(2).decode())
"""
    done = _run(code, server.getsockname()[1])
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["seccomp", "filter", "[13,", "13,", "13]", "ok"]  # EACCES, three times
    assert _accepted(server) == 0  # the listener saw no connection
    server.close()


def test_a_thread_without_a_namespace_gets_the_filter_and_the_others_keep_the_network() -> None:
    server = _listener()
    code = """
seen = {}
def cut():
    seen["how"] = sandbox.isolate_thread()
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2)
    except OSError as err:
        seen["errno"] = err.errno
thread = threading.Thread(target=cut)
thread.start()
thread.join(10)
socket.create_connection(("127.0.0.1", port), timeout=2).close()  # the main thread still can
print(seen["how"], "|", seen["errno"])
"""
    done = _run(code, server.getsockname()[1])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "seccomp filter (thread) | 13"
    assert _accepted(server) == 1  # only the main thread's connection arrived
    server.close()


def test_without_libseccomp_the_error_names_every_way_out() -> None:
    code = """
import ctypes
real = ctypes.CDLL
def cdll(name, *args, **kwargs):
    if "seccomp" in str(name):
        raise OSError("no such file")
    return real(name, *args, **kwargs)
ctypes.CDLL = cdll
try:
    sandbox.isolate_process()
except sandbox.SandboxUnavailableError as err:
    print(err)
"""
    done = _run(code, 9)
    assert done.returncode == 0, done.stderr
    assert "so did a user namespace" in done.stdout and "libseccomp is not installed" in done.stdout
    assert "CHAINKG_SANDBOX=off" in done.stdout
