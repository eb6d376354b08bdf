"""Build chainkg's store from an N-Quads file: bulk load, then build-time materialisation.

    python -m benchmarks.build_store DATA.nq STORE_DIR [--sequential]

The store is closed after the load; the name index and the derived tables are then built in two
processes at once (``--sequential``: one after the other in this process). Prints one JSON line
with the timings.
"""

from __future__ import annotations

import gc
import json
import shutil
import sys
import time
from pathlib import Path

from graph.index.materialize import materialize_closed
from graph.store.embedded import KGStore


def build(data: Path, directory: Path, *, parallel: bool = True) -> dict[str, object]:
    """Build the store at ``directory`` (emptied first) from ``data``; return counts and timings.

    Raises:
        DataRejectedError: ``data`` does not parse; nothing is loaded.
    """
    shutil.rmtree(directory, ignore_errors=True)
    t0 = time.perf_counter()
    store = KGStore(directory)
    report = store.bulk_load_file(data)
    store.close()
    del store
    gc.collect()
    t_load = time.perf_counter() - t0
    mat = materialize_closed(directory, parallel=parallel)
    return {"quads": report.quads_after, "load_s": round(t_load, 2),
            "materialize_s": round(time.perf_counter() - t0 - t_load, 2),
            "total_s": round(time.perf_counter() - t0, 2), "materialize": mat}


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--sequential"]
    print(json.dumps(build(Path(args[0]), Path(args[1]), parallel="--sequential" not in sys.argv)))
