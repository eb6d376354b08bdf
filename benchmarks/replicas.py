"""Throughput of ``chainkg serve --workers N`` (replica processes sharing one port) over one
read-only embedded store and over one remote SPARQL server (the Oxigraph server).

    python -m benchmarks.replicas [--workers 1 2] [--clients 8] [--seconds 15] [--store DIR]

The store is the seed graph (``chainkg build``) unless ``--store`` names a built one; the remote
server holds its N-Quads export. Each run asks a fixed mix of REST questions (enterprise lookups,
name searches, a completeness, a 链长制 question) from ``--clients`` threads for ``--seconds``
and prints requests per second with the machine's load average, since on a shared machine the
figures move with the other work.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from benchmarks.procs import Watched, free_port, wait_ready

PY = sys.executable
CHAINKG = str(Path(sys.executable).parent / "chainkg")
OXIGRAPH = str(Path(sys.executable).parent / "oxigraph")
PATHS = ["/api/enterprises/sanlei-boxian/chains", "/api/search?q=sanlei", "/api/enterprises/科瑞南海制药/chains",
         "/api/search?q=荣昌", "/api/chains/silk/completeness?region=qianjiang", "/api/regions/黔江/chain-chiefs",
         "/api/enterprises/aolong-bio/chains", "/api/search?q=玻纤"]


def load(base: str, *, clients: int, seconds: float) -> dict[str, float]:
    """Requests per second from ``clients`` threads for ``seconds`` over :data:`PATHS`."""
    deadline = time.perf_counter() + seconds

    def worker(k: int) -> tuple[int, int]:
        ok = bad = 0
        with httpx.Client(base_url=base, timeout=60) as c:
            i = k
            while time.perf_counter() < deadline:
                r = c.get(PATHS[i % len(PATHS)])
                ok, bad = (ok + 1, bad) if r.status_code == 200 else (ok, bad + 1)
                i += 1
        return ok, bad

    t = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(worker, range(clients)))
    elapsed = time.perf_counter() - t
    done = sum(ok for ok, _ in results)
    return {"rps": round(done / elapsed, 1), "requests": done, "errors": sum(b for _, b in results),
            "load_avg_1m": round(os.getloadavg()[0], 2)}


def run(mode: str, workers: int, *, store: Path, endpoint: str | None, clients: int, seconds: float,
        logs: Path) -> dict[str, float]:
    port = free_port()
    env = {**os.environ, "CHAINKG_STORE": str(store), "CHAINKG_ACCESS_LOG": "false", "CHAINKG_BUILD_IF_EMPTY": "false"}
    env.pop("CHAINKG_ADMIN_TOKEN", None)
    if endpoint:
        env["CHAINKG_SPARQL_ENDPOINT"] = endpoint
    server = Watched([CHAINKG, "serve", "--port", str(port), "--workers", str(workers)],
                     log=logs / f"{mode}-{workers}.log", env=env)
    try:
        wait_ready(f"http://127.0.0.1:{port}/health", server, timeout=120)
        base = f"http://127.0.0.1:{port}"
        load(base, clients=clients, seconds=min(3.0, seconds))  # warm every worker's caches
        return load(base, clients=clients, seconds=seconds)
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--seconds", type=float, default=15.0)
    p.add_argument("--store", type=Path, default=None, help="a built store (default: the seeds, built here)")
    args = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="chainkg-replicas-"))
    logs = work / "logs"
    logs.mkdir()
    oxigraph: Watched | None = None
    try:
        store = args.store
        if store is None:
            from graph.build.loading import build_directory

            store = work / "store"
            build_directory(store)
        from graph.store.embedded import KGStore

        with KGStore(store, read_only=True) as kg:
            (work / "dump.nq").write_bytes(kg.export("nq"))
        Watched([OXIGRAPH, "load", "--location", str(work / "ox"), "--file", str(work / "dump.nq")],
                log=logs / "oxigraph-load.log").wait()
        ox_port = free_port()
        oxigraph = Watched([OXIGRAPH, "serve-read-only", "--location", str(work / "ox"), "--bind",
                            f"127.0.0.1:{ox_port}"], log=logs / "oxigraph.log")
        endpoint = f"http://127.0.0.1:{ox_port}/query"
        wait_ready(f"{endpoint}?query={urllib.parse.quote('ASK {}')}", oxigraph, timeout=60)
        from graph.index.remote import index_dump

        side = work / "side"
        index_dump(work / "dump.nq", side, parallel=False)
        print(f"{os.cpu_count()} CPUs; {args.clients} clients, {args.seconds:g} s per run; load average before: "
              f"{os.getloadavg()[0]:.2f}", flush=True)
        print("| store | workers | req/s | requests | errors | load avg (1 min) |\n|---|---|---|---|---|---|")
        for mode, where, url in (("embedded", store, None), ("remote", side, endpoint)):
            for n in args.workers:
                r = run(mode, n, store=where, endpoint=url, clients=args.clients, seconds=args.seconds, logs=logs)
                print(f"| {mode} | {n} | {r['rps']} | {r['requests']} | {r['errors']} | {r['load_avg_1m']} |",
                      flush=True)
    finally:
        if oxigraph is not None:
            oxigraph.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
