"""Keeping the build-time side files current across imports, per resource instead of rebuilt whole.

``names.sqlite`` (:mod:`graph.name_store`) is sealed with the fingerprint of the store's files, and
readers ignore it once the store changed. A journalled import into a store directory
(:func:`graph.journal.record_import`, :func:`graph.journal.remove_import`) goes through a
:class:`SideFiles` maintainer instead: when the side files were current before the write, the
entries of the resources the import touched are rewritten from the store (kind, labels, names,
their keys, stems and slug, exactly as a build computes them), and the index is sealed again with
the store's new fingerprint once the writer has closed the store. Keys added this way are kept in
table ``extra_keys`` (number, key, owner), which substring search scans after the build-time
postings; an entry that changed gets a new number, and the old one is deleted, so hits of its old
keys are dropped by the readers (``meta.deleted`` tells them to check).

``derived.sqlite`` (coverage and members per region) is left as it is and therefore no longer
current: the questions that read it fall back to their SPARQL queries (correct, slower at large
sizes) until the next ``chainkg build``.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph import name_store
from graph.store import KGStore

EXTRA_SCHEMA = """
    CREATE TABLE IF NOT EXISTS extra_keys (num INTEGER PRIMARY KEY, key TEXT NOT NULL, eid INTEGER NOT NULL);
"""


def entry_of(store: KGStore, iri: str) -> tuple[str, dict[str, str], list[str]] | None:
    """(kind, labels, names) of one resource, as :func:`graph.name_store.read_entries` computes
    them for every resource; ``None`` when it is not nameable."""
    default = ox.DefaultGraph()
    node = ox.NamedNode(iri)
    types = {q.object.value for q in store.ox.quads_for_pattern(node, ox.NamedNode(name_store._RDF_TYPE),
                                                                        None, default)
             if isinstance(q.object, ox.NamedNode)}
    kind = next((k for cls, k in name_store.NAMEABLE if cls in types), None)
    if kind is None:
        return None
    labels: dict[str, str] = {}
    names: list[str] = []
    for predicate, how in name_store.NAME_PREDICATES:
        for q in store.ox.quads_for_pattern(node, ox.NamedNode(predicate), None, default):
            term = q.object
            if not isinstance(term, (ox.Literal, ox.NamedNode)):
                continue
            text = str(term.value)
            if text not in names:
                names.append(text)
            lang = term.language if how == "label" and isinstance(term, ox.Literal) else None
            if lang:
                labels.setdefault(lang, text)
    return kind, labels, names


class SideFiles:
    """The side files of one store directory during one write (see the module docstring).

    Create it before the store is opened for writing, :meth:`touch` the resources the write
    changes while the store is open, and call :meth:`finish` after the store is closed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.current = self._names_current()
        self.entries: dict[str, tuple[str, dict[str, str], list[str]] | None] = {}

    def _names_current(self) -> bool:
        if not (self.path / name_store.FILE).exists() or not (self.path / name_store.BLOB).exists():
            return False
        try:
            db = sqlite3.connect(f"file:{self.path / name_store.FILE}?mode=ro", uri=True)
            meta = dict(db.execute("SELECT k, v FROM meta").fetchall())
            db.close()
        except sqlite3.Error:
            return False
        return (meta.get("schema") == str(name_store.SCHEMA_VERSION)
                and meta.get("fingerprint") == name_store.fingerprint(self.path))

    def touch(self, store: KGStore, iris: set[str]) -> None:
        """Read the entries of ``iris`` as the (open) store has them now."""
        if not self.current:
            return
        for iri in iris:
            self.entries[iri] = entry_of(store, iri)

    def finish(self) -> None:
        """Rewrite the touched entries and seal the name index with the store's new fingerprint
        (call after the store is closed); the derived tables stay unsealed."""
        if not self.current:
            return
        update_names(self.path, self.entries)
        db = sqlite3.connect(self.path / name_store.FILE)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (name_store.fingerprint(self.path),))
        db.commit()
        db.close()


def update_names(directory: Path, entries: dict[str, tuple[str, dict[str, str], list[str]] | None]) -> None:
    """Replace the entries of the given IRIs in ``names.sqlite`` (``None``: remove it), in one
    transaction; keys, stems and slug computed as :func:`graph.name_store.build` does."""
    from graph.names import _PREFIXES, _SUFFIXES, has_cjk, normalise, stem, to_pinyin

    db = sqlite3.connect(directory / name_store.FILE)
    try:
        db.executescript(EXTRA_SCHEMA)
        meta = dict(db.execute("SELECT k, v FROM meta").fetchall())
        pinyin = to_pinyin if meta.get("pinyin") == "exact" else name_store._fast_pinyin_of_key
        base_keys = int(meta["keys"])
        next_num = max(base_keys, (db.execute("SELECT MAX(num) FROM extra_keys").fetchone()[0] or -1) + 1)
        next_eid = (db.execute("SELECT MAX(eid) FROM entries").fetchone()[0] or -1) + 1
        count = int(meta["entries"])
        deleted = int(meta.get("deleted", "0"))
        encode = json.JSONEncoder(ensure_ascii=False).encode
        for iri, found in entries.items():
            old = db.execute("SELECT eid FROM entries WHERE iri = ?", (iri,)).fetchone()
            if old is not None:
                for table in ("keys", "stems", "slugs", "extra_keys", "entries"):
                    db.execute(f"DELETE FROM {table} WHERE eid = ?", (old[0],))
                count -= 1
                deleted += 1
            if found is None:
                continue
            kind, labels, names = found
            eid = next_eid
            next_eid += 1
            count += 1
            label = labels.get("zh") or labels.get("en") or (min(names) if names else iri)
            db.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)",
                       (eid, iri, kind, label, encode(labels), encode(names)))
            db.execute("INSERT INTO slugs VALUES (?, ?)", (iri.rstrip("/").rsplit("/", 1)[-1].lower(), eid))
            keys: set[str] = set()
            stems: set[str] = set()
            for name in names:
                key = normalise(name)
                if not key:
                    continue
                keys.add(key)
                st = stem(key) if key.startswith(_PREFIXES) or key.endswith(_SUFFIXES) else key
                stems.add(st)
                if has_cjk(key):
                    keys.add(pinyin(key))
                    stems.add(pinyin(st))
            for k in sorted(keys):
                db.execute("INSERT INTO keys VALUES (?, ?)", (k, eid))
                db.execute("INSERT INTO extra_keys VALUES (?, ?, ?)", (next_num, k, eid))
                next_num += 1
            db.executemany("INSERT INTO stems VALUES (?, ?)", ((s, eid) for s in sorted(stems)))
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                       [("entries", str(count)), ("deleted", str(deleted))])
        db.commit()
    finally:
        db.close()


def touched_subjects(quads: Any) -> set[str]:
    """The IRIs whose names an import may change: the subjects of its quads."""
    return {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}
