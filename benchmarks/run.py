"""chainkg vs rdflib-endpoint vs the Oxigraph server, side by side, on the same data and questions.

    python -m benchmarks.run                 # 10k and 100k enterprises (add --sizes 1000000)
    python -m benchmarks.run --quick         # 2k enterprises, a couple of minutes; CI runs it

For each size: generate the data (seeded, N-Quads), then for each system load/build it (time,
peak memory of the process tree), start its server on 127.0.0.1 (start time), ask every question
(median and p99 latency), run a bounded concurrent load (throughput), and stop it. chainkg is asked
through its REST API (and /sparql for the SPARQL mix); the peers get the same question as the
equivalent plain SPARQL query from ``benchmarks/queries/``. Writes ``results.json``,
``results.md`` and ``latency.png`` into ``--out`` (default ``docs/benchmarks``; quick mode:
``var/bench/quick``) and prints every figure.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import sys
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil

from benchmarks import report
from benchmarks.generate import Generator, generate
from benchmarks.procs import Watched, free_port, wait_ready
from graph.index.keys import to_pinyin

ROOT = Path(__file__).resolve().parent.parent
QUERIES = Path(__file__).resolve().parent / "queries"
PY = sys.executable
OXIGRAPH = str(Path(sys.executable).parent / "oxigraph")
CHAINKG = str(Path(sys.executable).parent / "chainkg")
RDFLIB_ENDPOINT = str(Path(sys.executable).parent / "rdflib-endpoint")
ID = "https://w3id.org/chainkg/id/"
SYSTEMS = ("chainkg", "chainkg-remote", "oxigraph", "rdflib-endpoint")

#: rdflib keeps everything in Python objects: above this many quads it would need more memory
#: than the machine has (measured ~2 KiB a quad at 100k enterprises) or hours to load.
RDFLIB_MAX_QUADS = 3_000_000


def rq(name: str, **params: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8") % params


@dataclass
class Settings:
    reps: int  # latency samples per question
    heavy_reps: int  # for completeness and matrix
    time_bound: float  # seconds per (system, question)
    request_timeout: float
    clients: int
    requests: int  # throughput: requests in total
    load_bound: float  # throughput: seconds at most


QUICK = Settings(reps=8, heavy_reps=4, time_bound=8, request_timeout=30, clients=4, requests=120, load_bound=10)
FULL = Settings(reps=20, heavy_reps=5, time_bound=20, request_timeout=60, clients=8, requests=600, load_bound=20)


# --- the questions ----------------------------------------------------------------------------


@dataclass
class Question:
    key: str
    label: str
    heavy: bool
    chainkg: Callable[[], tuple[str, dict[str, str]]]  # → (path, params)
    sparql: Callable[[], str]  # → the peers' query


def first_alias(data: Path) -> str:
    """The first ``skos:altLabel`` of an enterprise in the data file (an alias to search for)."""
    with data.open(encoding="utf-8") as f:
        for line in f:
            if "/enterprise/" in line and "#altLabel>" in line:
                return line.split('"')[1]
    return "集团"


def questions(n: int, data: Path) -> tuple[list[Question], list[Question]]:
    """The questions for a world of ``n`` enterprises (same seed as the generated data)."""
    g = Generator(n, 1)
    chain = "new-energy"
    # A district of middling size (Zipf rank 3) with its zones and parks.
    region = f"{ID}place/syn-m00-d03"
    ents = [7, n // 3 + 1, (2 * n) // 3 + 5]
    # Names of a few enterprises for the search questions (computed like the generator does).
    zh, _en, legal, _short, pinyin = g.enterprise_names(ents[1], "new-energy")
    core = zh[:2]
    lookup_ids = [f"syn-{i:07d}" for i in ents]
    counter = {"i": 0}

    def next_ent() -> str:
        counter["i"] += 1
        return lookup_ids[counter["i"] % len(lookup_ids)]

    def search(role: str, text: str) -> Question:  # the key names the role: the text varies by size
        return Question(f"search:{role}", f"search “{text}”", False,
                        lambda: ("/api/search", {"q": text}),
                        lambda: rq("search", text=text.lower()))

    qs = [
        Question("lookup", "enterprise lookup", False,
                 lambda: (f"/api/enterprises/{next_ent()}/chains", {}),
                 lambda: rq("enterprise", e=f"{ID}enterprise/{lookup_ids[counter['i'] % 3]}")),
        search("zh-prefix", core),  # Chinese prefix (first two characters of a name)
        search("zh-inside", zh[1:3]),  # Chinese substring inside names (not at their start)
        search("legal-suffix", legal[-4:]),  # a substring of most legal names (有限公司): very many matches
        search("alias", first_alias(data)),  # an alias (skos:altLabel)
        search("pinyin-prefix", pinyin[:6]),  # pinyin prefix
        search("pinyin-inside", to_pinyin(zh[1:3])),  # pinyin substring inside names
        Question("completeness", f"completeness {chain} in a district", True,
                 lambda: (f"/api/chains/{chain}/completeness", {"region": region.rsplit('/', 1)[-1]}),
                 lambda: rq("completeness", chain=f"{ID}chain/{chain}", region=region)),
        Question("matrix", "regions × chains matrix", True,
                 lambda: ("/api/completeness/matrix", {}),
                 lambda: rq("matrix")),
    ]
    mix = [
        Question("sparql:chain_counts", "SPARQL: enterprises per chain", True, None,  # type: ignore[arg-type]
                 lambda: rq("mix_chain_counts")),
        Question("sparql:describe", "SPARQL: facts of an enterprise", False, None,  # type: ignore[arg-type]
                 lambda: rq("mix_describe", e=f"{ID}enterprise/{lookup_ids[0]}")),
        Question("sparql:projects", "SPARQL: projects in a district", False, None,  # type: ignore[arg-type]
                 lambda: rq("mix_projects", region=region)),
        Question("sparql:provenance", "SPARQL: provenance of a fact", False, None,  # type: ignore[arg-type]
                 lambda: rq("mix_provenance", e=f"{ID}enterprise/{lookup_ids[1]}")),
    ]
    return qs, mix


# --- asking -----------------------------------------------------------------------------------


class Target:
    """How to ask one running system."""

    def __init__(self, system: str, base: str, sparql_path: str, timeout: float) -> None:
        self.system = system
        self.base = base
        self.sparql_path = sparql_path
        self.client = httpx.Client(base_url=base, timeout=timeout)

    def ask(self, q: Question, *, pass_through: bool = False) -> int:
        """Ask ``q``; return the response size in bytes. Raises on a non-200 answer."""
        if self.system.startswith("chainkg") and not pass_through:
            path, params = q.chainkg()
            r = self.client.get(path, params=params)
        else:
            r = self.client.post(self.sparql_path, data={"query": q.sparql()},
                                 headers={"Accept": "application/sparql-results+json"})
        if r.status_code != 200:
            raise RuntimeError(f"{self.system} {q.key}: HTTP {r.status_code}: {r.text[:200]}")
        return len(r.content)

    def close(self) -> None:
        self.client.close()


def measure(target: Target, q: Question, s: Settings, *, pass_through: bool = False) -> dict[str, Any]:
    """Median and p99 latency (ms) of ``q`` on ``target``: one warm-up, then up to ``reps`` samples
    within the time bound."""
    reps = s.heavy_reps if q.heavy else s.reps
    out: dict[str, Any] = {"question": q.key, "label": q.label}
    try:
        t = time.perf_counter()
        out["bytes"] = target.ask(q, pass_through=pass_through)
        out["first_ms"] = round((time.perf_counter() - t) * 1000, 2)
        samples = []
        bound = time.perf_counter() + s.time_bound
        while len(samples) < reps and time.perf_counter() < bound:
            t = time.perf_counter()
            target.ask(q, pass_through=pass_through)
            samples.append((time.perf_counter() - t) * 1000)
        if not samples:
            samples = [out["first_ms"]]
        samples.sort()
        out["n"] = len(samples)
        out["median_ms"] = round(statistics.median(samples), 2)
        out["p99_ms"] = round(samples[min(len(samples) - 1, math.ceil(0.99 * len(samples)) - 1)], 2)
    except (httpx.HTTPError, RuntimeError) as err:
        out["error"] = f"{type(err).__name__}: {str(err)[:200]}"
    return out


def throughput(target: Target, qs: list[Question], s: Settings) -> dict[str, Any]:
    """Requests per second with ``clients`` concurrent clients over a fixed mix (lookups and
    searches), at most ``requests`` requests and ``load_bound`` seconds."""
    mix = [q for q in qs if not q.heavy]
    deadline = time.perf_counter() + s.load_bound
    done = errors = 0

    def worker(k: int) -> tuple[int, int]:
        ok = bad = 0
        client = Target(target.system, target.base, target.sparql_path, s.request_timeout)
        try:
            for i in range(k, s.requests, s.clients):
                if time.perf_counter() > deadline:
                    break
                try:
                    client.ask(mix[i % len(mix)])
                    ok += 1
                except (httpx.HTTPError, RuntimeError):
                    bad += 1
        finally:
            client.close()
        return ok, bad

    t = time.perf_counter()
    with ThreadPoolExecutor(s.clients) as pool:
        for ok, bad in pool.map(worker, range(s.clients)):
            done += ok
            errors += bad
    elapsed = time.perf_counter() - t
    return {"clients": s.clients, "requests": done, "errors": errors, "seconds": round(elapsed, 2),
            "rps": round(done / elapsed, 1) if elapsed else 0.0}


# --- one system at one size -------------------------------------------------------------------


def run_system(system: str, data: Path, work: Path, n: int, quads: int, s: Settings) -> dict[str, Any]:
    res: dict[str, Any] = {"system": system}
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
            server = Watched([PY, "-m", "benchmarks.serve", str(store), str(port)], log=logs / "chainkg-serve.log")
            res["start_s"] = round(wait_ready(f"http://127.0.0.1:{port}/openapi.json", server, timeout=120), 2)
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
        res["latency"] = {q.key: measure(target, q, s) for q in qs}
        res["sparql"] = {q.key: measure(target, q, s, pass_through=True) for q in mix}
        res["throughput"] = throughput(target, qs, s)
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
                     log=logs / "chainkg-remote-serve.log")
    wait_ready(f"http://127.0.0.1:{port}/openapi.json", server, timeout=120)
    res["start_s"] = round(time.perf_counter() - t, 2)
    return Target("chainkg-remote", f"http://127.0.0.1:{port}", "/sparql", s.request_timeout), server, oxigraph


def run_writes(n: int, data: Path, work: Path, *, rows: int, quick: bool) -> dict[str, Any]:
    """The write figures of one size (:func:`benchmarks.writes.run_writes`): a roster of ``rows``
    rows imported beside a running server, one accepted fact, one-triple updates."""
    from benchmarks import writes

    try:
        return writes.run_writes(data, work / "writes", rows=rows, reps=5 if quick else 20)
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
    for system in systems:
        r = run_system(system, data, work / f"ent-{n}", n, quads, s)
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
