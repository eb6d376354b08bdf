"""Bulk inserts into SQLite for the build's side files: many rows a statement.

``executemany`` with one row a statement pays Python's and SQLite's per-statement work for every
row; binding a few hundred rows to one multi-row ``INSERT … VALUES (…), (…)`` spends it once per
few hundred, which makes bulk inserts two to three times faster. Rows are inserted in the order
given (so ``rowid`` follows it), exactly as ``executemany`` would insert them. For ordinary
tables only: SQLite copies a multi-row ``VALUES`` aside before it fills a virtual table (FTS5),
which makes it slower there than one row a statement.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from itertools import chain
from typing import Any

#: Rows bound to one ``INSERT`` (SQLite allows 32,766 parameters a statement).
ROWS_PER_INSERT = 200


def insert(db: sqlite3.Connection, table: str, rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` (all of one width) into ``table``, in order, ``ROWS_PER_INSERT`` a statement.

    Args:
        db: the connection (its open transaction, if any, takes the rows).
        table: the table, with a column list if needed (``"latin(rowid, key)"``); never user input.
        rows: the rows.

    >>> db = sqlite3.connect(":memory:")
    >>> _ = db.execute("CREATE TABLE t (a TEXT, b INTEGER)")
    >>> insert(db, "t", [(f"r{i}", i) for i in range(450)])
    >>> db.execute("SELECT COUNT(*), MIN(rowid), MAX(rowid), SUM(rowid = b + 1) FROM t").fetchone()
    (450, 1, 450, 450)
    """
    if not rows:
        return
    one = "(" + ", ".join("?" * len(rows[0])) + ")"
    whole = len(rows) - len(rows) % ROWS_PER_INSERT
    if whole:
        db.executemany(f"INSERT INTO {table} VALUES " + ", ".join([one] * ROWS_PER_INSERT),
                       (tuple(chain.from_iterable(rows[i : i + ROWS_PER_INSERT]))
                        for i in range(0, whole, ROWS_PER_INSERT)))
    if whole < len(rows):
        db.executemany(f"INSERT INTO {table} VALUES {one}", rows[whole:])
