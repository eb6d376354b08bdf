"""Reading side files back for comparison in tests (shared by the journal and side-file tests)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from graph.index.materialize import materialize_closed
from graph.store.embedded import KGStore

DERIVED_TABLES = ("coverage", "members", "member_counts", "closure", "regions")


def derived_rows(path: Path) -> dict[str, set[tuple[Any, ...]]]:
    """Every row of each table of ``path/derived.sqlite``, as sets (order-free)."""
    db = sqlite3.connect(path / "derived.sqlite")
    try:
        return {t: set(db.execute(f"SELECT * FROM {t}").fetchall()) for t in DERIVED_TABLES}
    finally:
        db.close()


def rebuilt(store: KGStore, target: Path) -> Path:
    """The side files a build computes for ``store`` as it is now, on a snapshot at ``target``."""
    store.snapshot(target)
    materialize_closed(target, parallel=False)
    return target
