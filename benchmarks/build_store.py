"""Build chainkg's store from an N-Quads file: bulk load, then build-time materialisation.

    python -m benchmarks.build_store DATA.nq STORE_DIR [--sequential] [--progress]

The store is closed after the load; the name index and the derived tables are then built in two
processes at once (``--sequential``: one after the other in this process). Prints one JSON line
with the timings: per phase (``phases``: load, flush, optimize, close, side files) its seconds
and the peak resident memory of this process and its children while it ran. ``--progress``
draws a progress bar of the load on standard error.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from benchmarks.procs import tree_rss
from graph.index.materialize import materialize_closed
from graph.store.embedded import KGStore, ReadProgress


class Phases:
    """Seconds, CPU seconds and peak resident memory (this process and its children) of named
    phases (CPU time is steadier than wall time on a shared machine).

    A sampler thread reads the memory every 50 ms; :meth:`done` closes the running phase.
    """

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.started = self.mark = time.perf_counter()
        self.cpu_mark = _cpu()
        self.peak = 0
        self.overall = 0
        self.rows: list[dict[str, Any]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(0.05)

    def sample(self) -> None:
        rss = tree_rss(self.proc)
        self.peak = max(self.peak, rss)
        self.overall = max(self.overall, rss)

    def done(self, name: str) -> None:
        """Close the phase ``name`` (it ran since the previous :meth:`done`)."""
        self.sample()
        now, cpu = time.perf_counter(), _cpu()
        self.rows.append({"phase": name, "s": round(now - self.mark, 2), "cpu_s": round(cpu - self.cpu_mark, 2),
                          "peak_mib": round(self.peak / 2**20)})
        self.mark, self.cpu_mark = now, cpu
        self.peak = tree_rss(self.proc)

    def stop(self) -> dict[str, Any]:
        self._stop.set()
        self._thread.join()
        return {"phases": self.rows, "total_s": round(time.perf_counter() - self.started, 2),
                "peak_mib": round(self.overall / 2**20)}


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def build(data: Path, directory: Path, *, parallel: bool = True, optimize: bool = True,
          progress: ReadProgress | None = None) -> dict[str, object]:
    """Build the store at ``directory`` (emptied first) from ``data``; return counts and timings.

    Raises:
        DataRejectedError: ``data`` does not parse; nothing is loaded.
    """
    shutil.rmtree(directory, ignore_errors=True)
    phases = Phases()
    store = KGStore(directory)
    report = store.bulk_load_file(data, optimize=optimize, progress=progress, steps=phases.done)
    store.close()
    del store
    gc.collect()
    phases.done("close")
    t_load = time.perf_counter() - phases.started
    mat = materialize_closed(directory, parallel=parallel)
    phases.done("side files")
    figures = phases.stop()
    return {"quads": report.quads_after, "quads_read": report.quads_read, "load_s": round(t_load, 2),
            "materialize_s": round(figures["total_s"] - t_load, 2), **figures, "materialize": mat}


def _bar() -> tuple[ReadProgress, Any]:
    from tqdm import tqdm

    bar = tqdm(total=0, desc="loading", unit="B", unit_scale=True, file=sys.stderr, dynamic_ncols=True)

    def told(done: int, size: int) -> None:
        bar.total = size
        bar.update(done - bar.n)

    return told, bar


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    told, bar = _bar() if "--progress" in sys.argv else (None, None)
    result = build(Path(args[0]), Path(args[1]), parallel="--sequential" not in sys.argv, progress=told)
    if bar is not None:
        bar.close()
    print(json.dumps(result))
