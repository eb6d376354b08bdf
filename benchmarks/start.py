"""Server start time over a built store: from launching the server until it answers.

    python -m benchmarks.start STORE_DIR [--runs 5] [--modes bench public admin]
                               [--lookup syn-0000007] [--search 新能]

Modes (each a fresh process per start, on 127.0.0.1):

* ``bench``: ``python -m benchmarks.serve STORE PORT``, what ``benchmarks.run`` times;
* ``public``: ``chainkg serve --store STORE`` as the README starts it, read-only (no admin token);
* ``admin``: the same with ``CHAINKG_ADMIN_TOKEN`` set: the store is opened for writing, the
  SPARQL workers read a checkpoint of it and the update endpoint is on.

Two kinds of start per run and mode, each timed from the launch of the process:

* ``openapi_s``: polled until ``/openapi.json`` answers 200 (``benchmarks.run``'s ``start_s``);
* ``health_s``: polled until ``/health`` answers 200; then, one after the other, ``ASK {}`` on
  ``/sparql`` (through a worker process: ``sparql_s`` since launch, ``benchmarks.run``'s probe),
  the first enterprise lookup (``/api/enterprises/{id}/chains``: ``lookup_s``, ``lookup_ms`` its
  own time) and the first name search (``/api/search?q=``: ``search_s``, ``search_ms``).
  ``cpu_s`` is the CPU time (user + system) the server process had used when ``/health`` first
  answered, ``workers_cpu_s`` that of its worker processes: on a busy machine, where wall times
  move with the other work, they show where the start's work went.

Prints each start and the medians per mode, with the machine's load average (the figures move
with other work on a shared machine), and one JSON line with everything.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

from benchmarks.procs import free_port

PY = sys.executable
CHAINKG = str(Path(sys.executable).parent / "chainkg")
MODES = ("bench", "public", "admin")
TOKEN = "bench-start-token"


def command(mode: str, store: Path, port: int) -> tuple[list[str], dict[str, str]]:
    """The command line and extra environment of a server in ``mode``."""
    if mode == "bench":
        return [PY, "-m", "benchmarks.serve", str(store), str(port)], {"CHAINKG_ADMIN_TOKEN": ""}
    env = {"CHAINKG_ADMIN_TOKEN": TOKEN if mode == "admin" else "", "CHAINKG_ACCESS_LOG": "false"}
    return [CHAINKG, "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(port)], env


def _poll(client: httpx.Client, url: str, proc: subprocess.Popen[bytes], deadline: float) -> None:
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if client.get(url).status_code == 200:
                return
        time.sleep(0.01)
    raise RuntimeError(f"not ready in time: {url}")


def _cpu(pid: int) -> dict[str, float]:
    """CPU seconds of the server process and of its children (the SPARQL workers) so far."""
    server = psutil.Process(pid)
    own = server.cpu_times()
    workers = 0.0
    for child in server.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            times = child.cpu_times()
            workers += times.user + times.system
    return {"cpu_s": own.user + own.system, "workers_cpu_s": workers}


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group (it and its workers), SIGKILL after 20 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def start(mode: str, store: Path, *, probe: str, lookup: str, search: str, log: Path,
          timeout: float) -> dict[str, float]:
    """Launch one server in ``mode`` and time it (``probe``: ``openapi`` or ``answers``)."""
    port = free_port()
    argv, env = command(mode, store, port)
    base = f"http://127.0.0.1:{port}"
    with log.open("ab") as out, httpx.Client(base_url=base, timeout=timeout) as client:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **env},
                                start_new_session=True)
        deadline = started + timeout
        try:
            if probe == "openapi":
                _poll(client, "/openapi.json", proc, deadline)
                return {"openapi_s": time.perf_counter() - started}
            _poll(client, "/health", proc, deadline)
            figures = {"health_s": time.perf_counter() - started, **_cpu(proc.pid)}
            for name, path, params in (("sparql", "/sparql", {"query": "ASK {}"}),
                                       ("lookup", f"/api/enterprises/{lookup}/chains", {}),
                                       ("search", "/api/search", {"q": search})):
                t = time.perf_counter()
                response = client.get(path, params=params)
                response.raise_for_status()
                figures[f"{name}_ms"] = (time.perf_counter() - t) * 1000
                figures[f"{name}_s"] = time.perf_counter() - started
            return figures
        finally:
            _stop(proc)


def run(store: Path, *, modes: list[str], runs: int, lookup: str, search: str, log: Path,
        timeout: float) -> dict[str, Any]:
    """``runs`` starts of each kind per mode; returns every figure and the medians."""
    out: dict[str, Any] = {"store": str(store), "runs": runs, "modes": {}}
    for mode in modes:
        samples: list[dict[str, float]] = []
        for i in range(runs):
            figures: dict[str, float] = {}
            for probe in ("openapi", "answers"):
                figures |= start(mode, store, probe=probe, lookup=lookup, search=search, log=log, timeout=timeout)
            figures["load_avg_1m"] = os.getloadavg()[0]
            samples.append(figures)
            print(f"{mode:6s} run {i + 1}: " + "  ".join(f"{k} {v:.3f}" for k, v in figures.items()), flush=True)
        medians = {k: round(statistics.median(s[k] for s in samples), 3) for k in samples[0]}
        out["modes"][mode] = {"medians": medians, "samples": samples}
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("store", type=Path, help="a built store directory (with its side files)")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    p.add_argument("--lookup", default="syn-0000007", help="enterprise id of the first lookup")
    p.add_argument("--search", default="新能", help="text of the first name search")
    p.add_argument("--timeout", type=float, default=300, help="seconds a start or an answer may take")
    p.add_argument("--log", type=Path, default=Path("var/bench/start-serve.log"))
    args = p.parse_args(argv)
    args.log.parent.mkdir(parents=True, exist_ok=True)
    result = run(args.store, modes=args.modes, runs=args.runs, lookup=args.lookup, search=args.search,
                 log=args.log, timeout=args.timeout)
    print("\nmedians (s; *_ms in ms):")
    for mode, found in result["modes"].items():
        print(f"  {mode:6s} " + "  ".join(f"{k} {v}" for k, v in found["medians"].items()))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
