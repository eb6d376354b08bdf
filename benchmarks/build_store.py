"""Build chainkg's store from an N-Quads file: bulk load, then build-time materialisation.

    python -m benchmarks.build_store DATA.nq STORE_DIR

Prints one JSON line with the timings.
"""

from __future__ import annotations

import gc
import json
import shutil
import sys
import time
from pathlib import Path

from graph.materialize import materialize, seal
from graph.store import KGStore


def build(data: Path, directory: Path) -> dict[str, object]:
    shutil.rmtree(directory, ignore_errors=True)
    t0 = time.perf_counter()
    store = KGStore(directory)
    report = store.bulk_load_file(data)
    t_load = time.perf_counter() - t0
    mat = materialize(store)
    store.close()
    del store
    gc.collect()
    seal(directory)
    return {"quads": report.quads_after, "load_s": round(t_load, 2),
            "materialize_s": round(time.perf_counter() - t0 - t_load, 2),
            "total_s": round(time.perf_counter() - t0, 2), "materialize": mat}


if __name__ == "__main__":
    print(json.dumps(build(Path(sys.argv[1]), Path(sys.argv[2]))))
