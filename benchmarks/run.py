"""chainkg vs rdflib-endpoint vs the Oxigraph server, side by side, on the same data and questions.

    python -m benchmarks.run                 # 10k and 100k enterprises (add --sizes 1000000)
    python -m benchmarks.run --quick         # 2k enterprises, a couple of minutes; CI runs it

For each size: generate the data (seeded, N-Quads), then for each system load/build it (time,
peak memory of the process tree), start its server on 127.0.0.1 (start time), ask every question
(median and p99 latency), run a bounded concurrent load (throughput), and stop it. chainkg is asked
through its REST API (and /sparql for the SPARQL mix); the peers get the same question as the
query a careful SPARQL user would write for the same answer (``benchmarks/queries/``, a plain and
where it differs a tuned variant; :mod:`benchmarks.questions`). Before anything is timed, every
peer answer is checked to hold the same content as chainkg's (:mod:`benchmarks.equivalence`,
:mod:`benchmarks.asking`); a variant that fails is reported and not timed. Writes ``results.json``,
``results.md`` and ``latency.png`` into ``--out`` (default ``docs/benchmarks``; quick mode:
``var/bench/quick``) and prints every figure.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

import psutil

from benchmarks import report
from benchmarks.asking import References, Settings, Target, ask, throughput
from benchmarks.generate import generate
from benchmarks.procs import Watched, free_port, wait_ready
from benchmarks.questions import questions

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
OXIGRAPH = str(Path(sys.executable).parent / "oxigraph")
CHAINKG = str(Path(sys.executable).parent / "chainkg")

#: chainkg counts as started when its SPARQL endpoint answers ``ASK {}`` (through a worker process),
#: the question the Oxigraph server's start is timed with. (``/openapi.json`` was the probe before:
#: its first answer adds FastAPI's build of the OpenAPI document, about 0.3 s, to the start.)
CHAINKG_PROBE = "/sparql?query=" + urllib.parse.quote("ASK {}")
RDFLIB_ENDPOINT = str(Path(sys.executable).parent / "rdflib-endpoint")
ID = "https://w3id.org/chainkg/id/"
SYSTEMS = ("chainkg", "chainkg-remote", "oxigraph", "rdflib-endpoint")

#: rdflib keeps everything in Python objects: above this many quads it would need more memory
#: than the machine has (measured ~2 KiB a quad at 100k enterprises) or hours to load.
RDFLIB_MAX_QUADS = 3_000_000


QUICK = Settings(reps=8, heavy_reps=4, time_bound=8, request_timeout=10, clients=4, requests=120, load_bound=10)
FULL = Settings(reps=20, heavy_reps=5, time_bound=20, request_timeout=60, clients=8, requests=600, load_bound=20)


# --- one system at one size -------------------------------------------------------------------


def run_system(system: str, data: Path, work: Path, n: int, quads: int, s: Settings,
               refs: References | None = None) -> dict[str, Any]:
    res: dict[str, Any] = {"system": system}
    refs = {} if refs is None else refs
    qs, mix = questions(n, data)
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server: Watched | None = None
    watched: list[Watched] = []  # further processes of the system (chainkg-remote: the Oxigraph server)
    try:
        if system == "chainkg":
            store = work / "chainkg-store"
            b = Watched([PY, "-m", "benchmarks.build_store", str(data), str(store)], log=logs / "chainkg-build.log")
            t = time.perf_counter()
            if b.wait() != 0:
                raise RuntimeError("chainkg build failed: " + (logs / "chainkg-build.log").read_text()[-500:])
            res["build_s"] = round(time.perf_counter() - t, 2)
            res["build_peak_mib"] = b.peak_mib
            b.stop()
            line = (logs / "chainkg-build.log").read_text().strip().splitlines()[-1]
            res["build_detail"] = json.loads(line)
            server = Watched([PY, "-m", "benchmarks.serve", str(store), str(port)], log=logs / "chainkg-serve.log",
                             env=_time_limit(s))
            res["start_s"] = round(wait_ready(f"http://127.0.0.1:{port}{CHAINKG_PROBE}", server, timeout=120), 2)
            target = Target(system, f"http://127.0.0.1:{port}", "/sparql", s.request_timeout)
        elif system == "chainkg-remote":
            target, server, extra = _chainkg_remote(res, data, work, port, logs, s)
            watched.append(extra)
        elif system == "oxigraph":
            store = work / "oxigraph-store"
            import shutil

            shutil.rmtree(store, ignore_errors=True)
            b = Watched([OXIGRAPH, "load", "--location", str(store), "--file", str(data)],
                        log=logs / "oxigraph-load.log")
            t = time.perf_counter()
            if b.wait() != 0:
                raise RuntimeError("oxigraph load failed: " + (logs / "oxigraph-load.log").read_text()[-500:])
            res["build_s"] = round(time.perf_counter() - t, 2)
            res["build_peak_mib"] = b.peak_mib
            b.stop()
            server = Watched([OXIGRAPH, "serve-read-only", "--location", str(store), "--bind",
                              f"127.0.0.1:{port}", "--union-default-graph", "--timeout-s", str(int(s.request_timeout))],
                             log=logs / "oxigraph-serve.log")
            probe = "/query?query=" + urllib.parse.quote("ASK {}")
            res["start_s"] = round(wait_ready(f"http://127.0.0.1:{port}{probe}", server, timeout=120), 2)
            target = Target(system, f"http://127.0.0.1:{port}", "/query", s.request_timeout)
        else:
            if quads > RDFLIB_MAX_QUADS:
                res["skipped"] = (f"{quads:,} quads: rdflib holds every quad as Python objects (~2 KiB each "
                                  f"measured at 100k enterprises), about {quads * 2 / 2**20:.0f} GiB, more than "
                                  "the 24 GiB machine, and its parser loads ~10k quads/s (hours)")
                return res
            server = Watched([RDFLIB_ENDPOINT, "serve", "--host", "127.0.0.1", "--port", str(port), str(data)],
                             log=logs / "rdflib-serve.log")
            probe = "/?query=" + urllib.parse.quote("ASK {}")
            # rdflib-endpoint parses the file before it listens: load time == time to first answer.
            res["build_s"] = round(wait_ready(f"http://127.0.0.1:{port}{probe}", server, timeout=3600), 2)
            res["build_peak_mib"] = server.peak_mib
            res["start_s"] = res["build_s"]
            target = Target(system, f"http://127.0.0.1:{port}", "/", s.request_timeout)

            def restart() -> None:
                # rdflib-endpoint keeps evaluating a query whose client gave up, in a thread that
                # holds the GIL: every later request would time out too. Start it afresh.
                nonlocal server
                assert server is not None
                peak = server.peak_mib
                server.stop()
                server = Watched([RDFLIB_ENDPOINT, "serve", "--host", "127.0.0.1", "--port", str(port), str(data)],
                                 log=logs / "rdflib-serve.log")
                wait_ready(f"http://127.0.0.1:{port}{probe}", server, timeout=3600)
                server.peak = max(server.peak, int(peak * 2**20))
                res["restarts"] = res.get("restarts", 0) + 1

            target.recover = restart
        res["latency"] = ask(target, qs, s, refs)
        res["sparql"] = ask(target, mix, s, refs, sparql_only=True)
        res["throughput"] = throughput(target, qs, res["latency"], s)
        res["serve_peak_mib"] = server.peak_mib + sum(w.peak_mib for w in watched)
        target.close()
    except RuntimeError as err:
        res["error"] = str(err)
    finally:
        if server is not None:
            server.stop()
        for w in watched:
            w.stop()
    return res


def _time_limit(s: Settings) -> dict[str, str]:
    """chainkg's SPARQL time limit set to the one the peers get (``--timeout-s``, the client's
    timeout): its default of 10 s would stop a query that a peer is given a minute for."""
    return {"CHAINKG_QUERY_TIMEOUT": str(s.request_timeout)}


def _chainkg_remote(res: dict[str, Any], data: Path, work: Path, port: int, logs: Path,
                    s: Settings) -> tuple[Target, Watched, Watched]:
    """chainkg in remote mode: the data loaded into an Oxigraph server (its own loader, the
    default graph as the union of the named graphs), the side files built from the same dump
    (``chainkg index``), and chainkg's REST and /sparql over the server. ``build_s`` is the
    server's load plus the index build (they could run at once); memory adds both processes."""
    import shutil

    store, side = work / "remote-oxigraph-store", work / "remote-side"
    shutil.rmtree(store, ignore_errors=True)
    shutil.rmtree(side, ignore_errors=True)
    t = time.perf_counter()
    load = Watched([OXIGRAPH, "load", "--location", str(store), "--file", str(data)], log=logs / "remote-load.log")
    if load.wait() != 0:
        raise RuntimeError("oxigraph load failed: " + (logs / "remote-load.log").read_text()[-500:])
    load.stop()
    index = Watched([CHAINKG, "index", str(data), "--store", str(side)], log=logs / "remote-index.log")
    if index.wait() != 0:
        raise RuntimeError("chainkg index failed: " + (logs / "remote-index.log").read_text()[-500:])
    res["build_s"] = round(time.perf_counter() - t, 2)
    res["build_peak_mib"] = max(load.peak_mib, index.peak_mib)
    index.stop()
    ox_port = free_port()
    oxigraph = Watched([OXIGRAPH, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{ox_port}",
                        "--union-default-graph", "--timeout-s", str(int(s.request_timeout))],
                       log=logs / "remote-oxigraph-serve.log")
    probe = "/query?query=" + urllib.parse.quote("ASK {}")
    t = time.perf_counter()
    wait_ready(f"http://127.0.0.1:{ox_port}{probe}", oxigraph, timeout=120)
    server = Watched([PY, "-m", "benchmarks.serve", str(side), str(port), f"http://127.0.0.1:{ox_port}/query"],
                     log=logs / "chainkg-remote-serve.log", env=_time_limit(s))
    wait_ready(f"http://127.0.0.1:{port}{CHAINKG_PROBE}", server, timeout=120)
    res["start_s"] = round(time.perf_counter() - t, 2)
    return Target("chainkg-remote", f"http://127.0.0.1:{port}", "/sparql", s.request_timeout), server, oxigraph


def run_writes(n: int, data: Path, work: Path, *, rows: int, quick: bool) -> dict[str, Any]:
    """The write figures of one size (:func:`benchmarks.writes.run_writes`): a roster of ``rows``
    rows imported beside a running server, one accepted fact, one-triple updates. A writes store
    that an earlier run of this size left sealed is reused (fresh rosters are imported into it);
    the build figures are those of the ``chainkg`` system."""
    from benchmarks import writes

    try:
        return writes.run_writes(data, work / "writes", rows=rows, reps=5 if quick else 20, reuse=True)
    except RuntimeError as err:
        return {"rows": rows, "error": str(err)}


def run_size(n: int, s: Settings, work: Path, systems: tuple[str, ...] = SYSTEMS,
             write_rows: int = 0) -> dict[str, Any]:
    data = work / "data" / f"ent-{n}.nq"
    t = time.perf_counter()
    if not data.exists():
        generate(data, n, 1)
    gen_s = time.perf_counter() - t
    quads = sum(1 for _ in data.open("rb"))
    print(f"\n== {n:,} enterprises: {quads:,} quads ({data}, generated in {gen_s:.1f}s)", flush=True)
    out: dict[str, Any] = {"enterprises": n, "quads": quads, "systems": {}}
    refs: References = {}  # chainkg's answers, the reference every other system is checked against
    for system in systems:
        r = run_system(system, data, work / f"ent-{n}", n, quads, s, refs)
        out["systems"][system] = r
        report.print_system(r)
    if write_rows:
        out["writes"] = run_writes(n, data, work / f"ent-{n}", rows=write_rows, quick=s is QUICK)
        report.print_writes(out["writes"])
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="2k enterprises, few samples (CI)")
    p.add_argument("--sizes", type=int, nargs="+", help="enterprise counts (default 10000 100000)")
    p.add_argument("--out", type=Path, help="where results go (default docs/benchmarks; quick: var/bench/quick)")
    p.add_argument("--work", type=Path, default=ROOT / "var" / "bench", help="data and stores (large)")
    p.add_argument("--merge", action="store_true", help="keep sizes already in results.json that were not run")
    p.add_argument("--systems", nargs="+", choices=SYSTEMS, default=list(SYSTEMS),
                   help="systems to run (default: all three; a partial run is for development, "
                        "give --out elsewhere so the report keeps every peer)")
    p.add_argument("--write-rows", type=int, help="rows of the roster the write figures import "
                   "(default 10000; quick: 200; 0: no write figures)")
    args = p.parse_args(argv)
    s = QUICK if args.quick else FULL
    write_rows = args.write_rows if args.write_rows is not None else (200 if args.quick else 10_000)
    sizes = args.sizes or ([2000] if args.quick else [10_000, 100_000])
    out = args.out or (ROOT / "var" / "bench" / "quick" if args.quick else ROOT / "docs" / "benchmarks")
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "machine": {"cpus": psutil.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
                    "python": platform.python_version(), "platform": platform.platform()},
        "mode": "quick" if args.quick else "full",
        "settings": s.__dict__,
        "sizes": [],
    }
    previous = out / "results.json"
    if args.merge and previous.exists():
        old = json.loads(previous.read_text())
        results["sizes"] = [x for x in old.get("sizes", []) if x["enterprises"] not in sizes]
    for n in sizes:
        results["sizes"].append(run_size(n, s, args.work, tuple(args.systems), write_rows=write_rows))
        results["sizes"].sort(key=lambda x: x["enterprises"])
        report.write(results, out)
    print(report.markdown(results))
    print(report.writes_markdown(results))
    print(f"\nwrote {out / 'results.json'}, {out / 'results.md'}, {out / 'latency.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
