"""Server processes for the benchmark: start, wait until ready, watch peak memory, stop.

Every process listens on 127.0.0.1 only and is stopped (its whole tree) by the harness.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
import psutil


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_rss(proc: psutil.Process) -> int:
    """Resident memory of a process and all its children, in bytes."""
    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


class Watched:
    """A child process whose tree's peak resident memory is sampled every 50 ms."""

    def __init__(self, argv: Sequence[str], *, log: Path, env: dict[str, str] | None = None) -> None:
        self.argv = list(argv)
        self.log = log.open("wb")
        self.popen = subprocess.Popen(self.argv, stdout=self.log, stderr=subprocess.STDOUT,
                                      env={**os.environ, **(env or {})}, start_new_session=True)
        self.proc = psutil.Process(self.popen.pid)
        self.peak = 0
        self.started = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set() and self.popen.poll() is None:
            self.peak = max(self.peak, tree_rss(self.proc))
            self._stop.wait(0.05)

    def wait(self, timeout: float | None = None) -> int:
        code = self.popen.wait(timeout=timeout)
        self._stop.set()
        return code

    def stop(self) -> None:
        """Terminate the process tree (SIGTERM, then SIGKILL after 10 s)."""
        self._stop.set()
        try:
            procs = [self.proc, *self.proc.children(recursive=True)]
        except psutil.Error:
            procs = []
        for p in procs:
            with contextlib.suppress(psutil.Error):
                p.terminate()
        _, alive = psutil.wait_procs(procs, timeout=10)
        for p in alive:
            with contextlib.suppress(psutil.Error):
                p.kill()
        self.log.close()

    @property
    def peak_mib(self) -> float:
        return round(self.peak / 2**20, 1)


def wait_ready(url: str, proc: Watched, *, timeout: float) -> float:
    """Poll ``url`` until it answers 200; return the seconds since the process started.

    Raises:
        RuntimeError: the process died or did not get ready in time.
    """
    deadline = time.perf_counter() + timeout
    with httpx.Client(timeout=5) as client:
        while time.perf_counter() < deadline:
            if proc.popen.poll() is not None:
                raise RuntimeError(f"{proc.argv[0]} exited with {proc.popen.returncode}")
            try:
                if client.get(url).status_code == 200:
                    return time.perf_counter() - proc.started
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
    raise RuntimeError(f"not ready after {timeout:.0f}s: {url}")
