"""Keeping the build-time side files current across imports, per resource instead of rebuilt whole.

``names.sqlite`` (:mod:`graph.index.name_store`) is sealed with the fingerprint of the store's files, and
readers ignore it once the store changed. A journalled import into a store directory
(:func:`graph.build.journal.record_import`, :func:`graph.build.journal.remove_import`) goes through a
:class:`SideFiles` maintainer instead: when the side files were current before the write, the
entries of the resources the import touched are rewritten from the store (kind, labels, names,
their keys, stems and slug, exactly as a build computes them), and the index is sealed again with
the store's new fingerprint once the writer has closed the store. Keys added this way are kept in
table ``extra_keys`` (number, key, owner), which substring search scans after the build-time
postings; an entry that changed gets a new number, and the old one is deleted, so hits of its old
keys are dropped by the readers (``meta.deleted`` tells them to check).

``derived.sqlite`` (coverage and members per region and segment) is updated the same way for
the enterprises an import adds, changes or removes: each one's contribution (the (region,
segment) pairs it counts in, its member rows) is read before and after the write and the
difference applied. When the write touches what the tables are derived from in other ways (a
place, ``ckg:partOf``, a project or its owner), the derived tables are left unsealed: the
questions that read them fall back to their SPARQL queries until the next ``chainkg build``.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.index import materialize, name_store
from graph.ns import CKG
from graph.store.embedded import KGStore

_DEFAULT = ox.DefaultGraph()
_LOCATED = ox.NamedNode(str(CKG.locatedIn))
_OPERATES = ox.NamedNode(str(CKG.operatesIn))
_PART_OF = ox.NamedNode(str(CKG.partOf))
_OWNER = ox.NamedNode(str(CKG.owner))
_FOR_SEGMENT = ox.NamedNode(str(CKG.forSegment))
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_PLACES = {str(CKG[c]) for c in ("Region", "Municipality", "District", "Zone", "HighTechZone", "IndustrialPark",
                                 "SubPark", "EconomicCorridor")}
_AREAS = {str(CKG.District), str(CKG.Municipality)}

#: (the (region, segment) pairs a thing counts in, its member rows (area, segment, thing, label))
_Contribution = tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str, str, str | None]]]

EXTRA_SCHEMA = """
    CREATE TABLE IF NOT EXISTS extra_keys (num INTEGER PRIMARY KEY, key TEXT NOT NULL, eid INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS extra_keys_eid ON extra_keys (eid);
"""


def entry_of(store: KGStore, iri: str) -> tuple[str, dict[str, str], list[str]] | None:
    """(kind, labels, names) of one resource, as :func:`graph.index.name_store.read_entries` computes
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
        self.derived = _derived_current(path) if self.current else False
        self._before: dict[str, _Contribution] = {}
        self._after: dict[str, _Contribution] = {}

    def before(self, store: KGStore, iris: set[str]) -> None:
        """Read what ``iris`` contribute to the derived tables before the write."""
        self._contributions(store, iris, self._before)

    def _contributions(self, store: KGStore, iris: set[str], into: dict[str, _Contribution]) -> None:
        if not self.derived:
            return
        db = sqlite3.connect(f"file:{self.path / materialize.FILE}?mode=ro", uri=True)
        try:
            for iri in iris:
                found = _contribution(store, db, iri)
                if found is None:
                    self.derived = False
                    return
                into[iri] = found
        finally:
            db.close()

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
        self._contributions(store, iris, self._after)

    def finish(self) -> None:
        """Rewrite the touched entries and seal the name index with the store's new fingerprint
        (call after the store is closed); the derived tables stay unsealed."""
        if not self.current:
            return
        update_names(self.path, self.entries)
        sealed = [name_store.FILE]
        if self.derived and set(self._before) == set(self._after):
            update_derived(self.path, self._before, self._after)
            sealed.append(materialize.FILE)
        fp = name_store.fingerprint(self.path)
        for name in sealed:
            db = sqlite3.connect(self.path / name)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fp,))
            db.commit()
            db.close()


def _keys_of(names: list[str], pinyin: Any) -> tuple[set[str], set[str]]:
    """The keys and stems of a resource's names, as :func:`graph.index.name_store.build` computes them."""
    from graph.index.keys import _PREFIXES, _SUFFIXES, has_cjk, normalise, stem

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
    return keys, stems


def update_names(directory: Path, entries: dict[str, tuple[str, dict[str, str], list[str]] | None]) -> None:
    """Replace the entries of the given IRIs in ``names.sqlite`` (``None``: remove it), in one
    transaction; keys, stems and slug computed as :func:`graph.index.name_store.build` does, old rows
    found through the tables' own indexes (by key, stem and slug)."""
    from graph.index.keys import to_pinyin

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
            old = db.execute("SELECT eid, names FROM entries WHERE iri = ?", (iri,)).fetchone()
            if old is not None:
                eid = old[0]
                keys, stems = _keys_of(json.loads(old[1]), pinyin)
                db.executemany("DELETE FROM keys WHERE key = ? AND eid = ?", ((k, eid) for k in keys))
                db.executemany("DELETE FROM stems WHERE stem = ? AND eid = ?", ((st, eid) for st in stems))
                db.execute("DELETE FROM slugs WHERE slug = ? AND eid = ?", (_slug(iri), eid))
                db.execute("DELETE FROM extra_keys WHERE eid = ?", (eid,))
                db.execute("DELETE FROM entries WHERE eid = ?", (eid,))
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
            db.execute("INSERT INTO slugs VALUES (?, ?)", (_slug(iri), eid))
            keys, stems = _keys_of(names, pinyin)
            for k in sorted(keys):
                db.execute("INSERT INTO keys VALUES (?, ?)", (k, eid))
                db.execute("INSERT INTO extra_keys VALUES (?, ?, ?)", (next_num, k, eid))
                next_num += 1
            db.executemany("INSERT INTO stems VALUES (?, ?)", ((st, eid) for st in sorted(stems)))
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                       [("entries", str(count)), ("deleted", str(deleted))])
        db.commit()
    finally:
        db.close()


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].lower()


def touched_subjects(quads: Any) -> set[str]:
    """The IRIs whose names an import may change: the subjects of its quads."""
    return {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}


def _derived_current(path: Path) -> bool:
    file = path / materialize.FILE
    if not file.exists():
        return False
    try:
        db = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        meta = dict(db.execute("SELECT k, v FROM meta").fetchall())
        db.close()
    except sqlite3.Error:
        return False
    return (meta.get("schema") == str(materialize.SCHEMA_VERSION)
            and meta.get("fingerprint") == name_store.fingerprint(path))


def _contribution(store: KGStore, db: sqlite3.Connection, iri: str) -> _Contribution | None:
    """What ``iri`` adds to ``coverage`` and ``members``, as :func:`graph.index.materialize.build_derived`
    counts it; ``None`` when it is something the tables are derived from otherwise (a place, a
    project or the owner of one), which this update does not handle."""
    node = ox.NamedNode(iri)
    types = {q.object.value for q in store.ox.quads_for_pattern(node, _RDF_TYPE, None, _DEFAULT)
             if isinstance(q.object, ox.NamedNode)}
    if types & _PLACES or _has(store, node, _PART_OF, None) or _has(store, node, _FOR_SEGMENT, None) \
            or _has(store, None, _OWNER, node):
        return None
    segs = [q.object.value for q in store.ox.quads_for_pattern(node, _OPERATES, None, _DEFAULT)
            if isinstance(q.object, ox.NamedNode)]
    regions: set[str] = set()
    for q in store.ox.quads_for_pattern(node, _LOCATED, None, _DEFAULT):
        if isinstance(q.object, ox.NamedNode):
            place = q.object.value
            ups = {r for (r,) in db.execute("SELECT region FROM closure WHERE place = ?", (place,))}
            regions |= ups or {place}
    if not regions or not segs:
        return frozenset(), frozenset()
    label = next((q.object.value for q in store.ox.quads_for_pattern(node, _RDFS_LABEL, None, _DEFAULT)
                  if isinstance(q.object, ox.Literal) and q.object.language == "zh"), None)
    areas = {r for r in regions
             if any(_has(store, ox.NamedNode(r), _RDF_TYPE, ox.NamedNode(a)) for a in _AREAS)}
    pairs = frozenset((r, s) for r in regions for s in segs)
    members = frozenset((a, s, iri, label) for a in areas for s in segs)
    return pairs, members


def _has(store: KGStore, s: Any, p: Any, o: Any) -> bool:
    return next(iter(store.ox.quads_for_pattern(s, p, o, _DEFAULT)), None) is not None


def update_derived(directory: Path, before: dict[str, _Contribution], after: dict[str, _Contribution]) -> None:
    """Apply the difference of the contributions to ``coverage``, ``members`` and
    ``member_counts`` of ``derived.sqlite``, in one transaction."""
    db = sqlite3.connect(directory / materialize.FILE)
    try:
        for iri in before:
            (pairs_b, members_b), (pairs_a, members_a) = before[iri], after[iri]
            for (region, seg), step in [*((p, -1) for p in pairs_b - pairs_a), *((p, 1) for p in pairs_a - pairs_b)]:
                cur = db.execute("UPDATE coverage SET enterprises = enterprises + ? WHERE region = ? AND seg = ?",
                                 (step, region, seg))
                if cur.rowcount == 0 and step > 0:
                    db.execute("INSERT INTO coverage VALUES (?, ?, 1)", (region, seg))
            db.execute("DELETE FROM coverage WHERE enterprises <= 0")
            for area, seg, e, _ in members_b - members_a:
                db.execute("DELETE FROM members WHERE area = ? AND seg = ? AND e = ?", (area, seg, e))
            for row in members_a - members_b:
                db.execute("INSERT INTO members VALUES (?, ?, ?, ?)", row)
            for area, seg in {(a, s) for a, s, _, _ in members_a ^ members_b}:
                n = db.execute("SELECT COUNT(*) FROM members WHERE area = ? AND seg = ?", (area, seg)).fetchone()[0]
                db.execute("DELETE FROM member_counts WHERE area = ? AND seg = ?", (area, seg))
                if n:
                    db.execute("INSERT INTO member_counts VALUES (?, ?, ?)", (area, seg, n))
        db.commit()
    finally:
        db.close()
