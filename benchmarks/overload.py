"""Load script (not a test): over-limit SPARQL queries in a loop beside REST and /health probes.

    python -m benchmarks.overload [--seconds 60] [--memory-mb 512] [--timeout 5] [--store DIR] [--no-attacks]

Starts ``chainkg`` (uvicorn, 127.0.0.1, on-disk store built from the seeds unless ``--store`` is
given, update endpoint on) and, for ``--seconds``, runs four attackers, each sending its query
again as soon as the last one is answered:

* ``time``: ``COUNT(*)`` over a three-way cross join (stopped at the time limit, 503);
* ``memory``: ``ORDER BY`` over a three-way cross join (stopped at the workers' memory cap, 507,
  or at the time limit first);
* ``rows``: every quad, over the row cap (413);
* ``crash``: an unknown function (the engine's evaluation error, 400).

Beside them two probes measure latency: ``GET /api/enterprises/{name}/chains`` (the REST hot path)
and ``GET /health``, each every 20 ms. A sampler records the resident memory of the server
and each of its worker processes every 50 ms. It prints one JSON document: p50/p95/max per
probe, the attackers' status counts, peak memory (server, largest worker, whole tree) against
the configured bound, and the worker pool seen by ``/health`` afterwards (targets: REST p95 < 50
ms, /health p95 < 20 ms, every worker under its cap, pool full afterwards).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil

from benchmarks.procs import Watched, free_port, wait_ready

CROSS = "?a ?b ?c . ?d ?e ?f . ?g ?h ?i"
ATTACKS = {
    "time": f"SELECT (COUNT(*) AS ?n) WHERE {{ {CROSS} }}",
    "memory": f"SELECT * WHERE {{ {CROSS} }} ORDER BY ?c ?f ?i DESC(?a)",
    "rows": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
    "crash": "SELECT ((<urn:nope>(1)) AS ?x) WHERE {}",
}
TOKEN = "overload-benchmark"


def _percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {"n": len(ordered), "p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(p95 * 1000, 2), "max_ms": round(ordered[-1] * 1000, 2)}


def run(*, seconds: float, memory_mb: int, timeout: float, store: Path | None,
        attacks: bool = True) -> dict[str, object]:
    """Run the load against a fresh server and return the figures."""
    with tempfile.TemporaryDirectory(prefix="chainkg-overload-") as tmp:
        if store is None:
            from graph.build.loading import build_directory

            store = Path(tmp) / "store"
            build_directory(store)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {"CHAINKG_STORE": str(store), "CHAINKG_BUILD_IF_EMPTY": "false", "CHAINKG_ADMIN_TOKEN": TOKEN,
               "CHAINKG_QUERY_TIMEOUT": str(timeout), "CHAINKG_WORKER_MEMORY_MB": str(memory_mb),
               "CHAINKG_ACCESS_LOG": "false", "CHAINKG_MAX_ROWS": "1000"}
        server = Watched([sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory", "--host",
                          "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                         log=Path(tmp) / "server.log", env=env)
        try:
            wait_ready(f"{base}/health", server, timeout=120)
            return _load(base, server, seconds=seconds, memory_mb=memory_mb, attacks=attacks)
        finally:
            server.stop()


def _load(base: str, server: Watched, *, seconds: float, memory_mb: int, attacks: bool) -> dict[str, object]:
    stop = threading.Event()
    statuses: dict[str, Counter[int]] = {name: Counter() for name in ATTACKS}
    latencies: dict[str, list[float]] = {"rest": [], "health": []}
    peaks = {"server": 0, "worker": 0, "tree": 0}
    with httpx.Client(timeout=30) as client:
        name = client.get(f"{base}/api/enterprises", params={"limit": 1}).json()["items"][0]["id"]

    def attack(kind: str) -> None:
        with httpx.Client(timeout=60) as client:
            while not stop.is_set():
                response = client.post(f"{base}/sparql", content=ATTACKS[kind].encode(),
                                       headers={"content-type": "application/sparql-query"})
                statuses[kind][response.status_code] += 1

    def probe(kind: str, path: str) -> None:
        with httpx.Client(timeout=30) as client:
            while not stop.is_set():
                started = time.perf_counter()
                response = client.get(f"{base}{path}")
                latencies[kind].append(time.perf_counter() - started)
                if response.status_code != 200:
                    latencies.setdefault(f"{kind}_errors", []).append(float(response.status_code))
                stop.wait(0.02)

    def sample() -> None:
        while not stop.is_set():
            with contextlib.suppress(psutil.Error):
                own = server.proc.memory_info().rss
                workers = [c.memory_info().rss for c in server.proc.children(recursive=True)]
                peaks["server"] = max(peaks["server"], own)
                peaks["worker"] = max([peaks["worker"], *workers])
                peaks["tree"] = max(peaks["tree"], own + sum(workers))
            stop.wait(0.05)

    threads = [threading.Thread(target=attack, args=(k,), daemon=True) for k in ATTACKS if attacks]
    threads += [threading.Thread(target=probe, args=("rest", f"/api/enterprises/{name}/chains"), daemon=True),
                threading.Thread(target=probe, args=("health", "/health"), daemon=True),
                threading.Thread(target=sample, daemon=True)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=90)
    with httpx.Client(timeout=30) as client:
        deadline = time.monotonic() + 30
        while True:
            pool = client.get(f"{base}/health").json()["sparql"]
            if pool["live"] == pool["size"] == pool["idle"] or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    mib = 2**20
    return {
        "seconds": seconds,
        "rest": _percentiles(latencies["rest"]),
        "health": _percentiles(latencies["health"]),
        "probe_errors": {k: len(v) for k, v in latencies.items() if k.endswith("_errors")},
        "attacks": {k: dict(sorted(v.items())) for k, v in statuses.items()},
        "memory": {"worker_cap_mib": memory_mb, "peak_worker_mib": round(peaks["worker"] / mib, 1),
                   "peak_server_mib": round(peaks["server"] / mib, 1), "peak_tree_mib": round(peaks["tree"] / mib, 1),
                   "bound": f"server + {pool['size']} workers x {memory_mb} MiB of data memory each"},
        "pool_after": pool,
        "targets_met": {
            "rest_p95_under_50ms": _percentiles(latencies["rest"]).get("p95_ms", 1e9) < 50,
            "health_p95_under_20ms": _percentiles(latencies["health"]).get("p95_ms", 1e9) < 20,
            "workers_under_cap": peaks["worker"] < memory_mb * mib,
            "pool_full": pool["live"] == pool["size"] == pool["idle"],
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--memory-mb", type=int, default=512)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--store", type=Path, default=None, help="existing store directory (default: seeds)")
    parser.add_argument("--no-attacks", action="store_true", help="probes only (the baseline)")
    args = parser.parse_args(argv)
    figures = run(seconds=args.seconds, memory_mb=args.memory_mb, timeout=args.timeout, store=args.store,
                  attacks=not args.no_attacks)
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
