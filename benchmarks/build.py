"""Build time, peak memory and start time of chainkg against the Oxigraph loader, on the same file.

    python -m benchmarks.build --enterprises 100000 [--work var/bench/build] [--no-oxigraph]

Generates the data (seeded N-Quads, kept in ``--work`` for the next run), then

* builds chainkg's store with :mod:`benchmarks.build_store` in a child process: the phases
  (bulk load, flush, compaction, close, side files) with their seconds and peak memory, and the
  whole build's time and peak resident memory of the process tree;
* loads the same file with ``oxigraph load`` (the Oxigraph server's loader), timed the same way;
* starts each server on the built store and times it until it answers (chainkg: ``/health``;
  Oxigraph: ``ASK {}``), then stops it.

Prints every figure, and one JSON line at the end.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

from benchmarks.generate import generate
from benchmarks.procs import Watched, free_port, wait_ready

PY = sys.executable
OXIGRAPH = str(Path(sys.executable).parent / "oxigraph")


def data_file(work: Path, enterprises: int) -> tuple[Path, int]:
    """The generated file for ``enterprises`` (made once) and its number of quads."""
    data = work / f"ent-{enterprises}.nq"
    if not data.exists():
        generate(data.with_suffix(".tmp"), enterprises, 1)
        data.with_suffix(".tmp").rename(data)
    with data.open("rb") as f:
        quads = sum(1 for line in f if line.strip() and not line.startswith(b"#"))
    return data, quads


def chainkg_build(data: Path, store: Path, logs: Path) -> dict[str, Any]:
    proc = Watched([PY, "-m", "benchmarks.build_store", str(data), str(store)], log=logs / "chainkg-build.log")
    t = time.perf_counter()
    if proc.wait() != 0:
        raise RuntimeError("chainkg build failed: " + (logs / "chainkg-build.log").read_text()[-800:])
    seconds = time.perf_counter() - t
    proc.stop()
    detail = json.loads((logs / "chainkg-build.log").read_text().strip().splitlines()[-1])
    return {"build_s": round(seconds, 2), "peak_mib": proc.peak_mib, "detail": detail}


def oxigraph_load(data: Path, store: Path, logs: Path) -> dict[str, Any]:
    shutil.rmtree(store, ignore_errors=True)
    proc = Watched([OXIGRAPH, "load", "--location", str(store), "--file", str(data)], log=logs / "oxigraph-load.log")
    t = time.perf_counter()
    if proc.wait() != 0:
        raise RuntimeError("oxigraph load failed: " + (logs / "oxigraph-load.log").read_text()[-800:])
    seconds = time.perf_counter() - t
    proc.stop()
    return {"build_s": round(seconds, 2), "peak_mib": proc.peak_mib}


def start_time(argv: list[str], url: str, log: Path) -> float:
    """Seconds from starting ``argv`` until ``url`` answers 200 (the server is then stopped)."""
    server = Watched(argv, log=log)
    try:
        return round(wait_ready(url, server, timeout=120), 2)
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--enterprises", type=int, default=100_000)
    p.add_argument("--work", default="var/bench/build", help="data, stores and logs (kept)")
    p.add_argument("--no-oxigraph", action="store_true", help="skip the Oxigraph loader")
    p.add_argument("--no-start", action="store_true", help="skip the start times")
    args = p.parse_args(argv)
    work = Path(args.work)
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    data, quads = data_file(work, args.enterprises)
    print(f"data: {data} ({quads:,} quads, {data.stat().st_size / 2**20:.0f} MiB)")
    out: dict[str, Any] = {"enterprises": args.enterprises, "quads": quads}

    store = work / f"chainkg-{args.enterprises}"
    out["chainkg"] = ck = chainkg_build(data, store, logs)
    print(f"chainkg build: {ck['build_s']} s, peak {ck['peak_mib']} MiB (process tree)")
    for row in ck["detail"].get("phases", ()):
        print(f"  {row['phase']:<12} {row['s']:>8.2f} s  cpu {row.get('cpu_s', 0):>8.2f} s  "
              f"peak {row['peak_mib']:>6} MiB")
    print(f"  load {ck['detail'].get('load_s')} s, side files {ck['detail'].get('materialize_s')} s")
    for which in ("names", "derived"):
        side = ck["detail"]["materialize"][which]
        print(f"  side file {which}: {side.get('total_s')} s")
    if not args.no_start:
        port = free_port()
        ck["start_s"] = start_time([PY, "-m", "benchmarks.serve", str(store), str(port)],
                                   f"http://127.0.0.1:{port}/health", logs / "chainkg-serve.log")
        print(f"chainkg start (until /health answers): {ck['start_s']} s")

    if not args.no_oxigraph:
        ox_store = work / f"oxigraph-{args.enterprises}"
        out["oxigraph"] = oxr = oxigraph_load(data, ox_store, logs)
        print(f"oxigraph load: {oxr['build_s']} s, peak {oxr['peak_mib']} MiB")
        print(f"chainkg build / oxigraph load: {ck['build_s'] / oxr['build_s']:.2f}x time, "
              f"{ck['peak_mib'] / oxr['peak_mib']:.2f}x memory")
        if not args.no_start:
            port = free_port()
            probe = f"http://127.0.0.1:{port}/query?query=" + urllib.parse.quote("ASK {}")
            oxr["start_s"] = start_time([OXIGRAPH, "serve-read-only", "--location", str(ox_store), "--bind",
                                         f"127.0.0.1:{port}"], probe, logs / "oxigraph-serve.log")
            print(f"oxigraph start (until ASK answers): {oxr['start_s']} s")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
