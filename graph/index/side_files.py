"""Keeping the build-time side files current across writes, per resource instead of rebuilt whole.

``names.sqlite`` (:mod:`graph.index.name_store`) and ``derived.sqlite`` (:mod:`graph.index.materialize`)
are sealed with the fingerprint of the store's files, and readers ignore them once the store changed.
A write goes through a :class:`SideFiles` maintainer instead, in one of two ways:

* a journalled import into a store *directory* (``chainkg import``/``remove --store DIR``:
  :func:`graph.build.journal.record_import` and :func:`graph.build.journal.remove_import` with a
  path) opens the store, writes, closes it, then updates the side files and seals them again
  with the store's new fingerprint (:meth:`SideFiles.finish`), so a server reading the directory
  keeps using them;
* a write into a store this process keeps open for writing (a server with an admin token:
  ``POST``/``DELETE /api/imports``, accepted article facts, ``INSERT DATA``/``DELETE DATA`` on
  ``/sparql/update``) runs inside :func:`kept_by`: the side files are updated in place and this
  process records them as current for the store's new version (:mod:`graph.index.seals`), so its
  name index and questions read them at once; they are unsealed on disk while the store is open
  and sealed again by :func:`close_and_seal`.

In both, when the side files were current before the write, the entries of the resources the
write touched (the subjects of its quads) are rewritten from the store (kind, labels, names,
their keys, stems and slug, exactly as a build computes them: :func:`graph.index.keys.keys_and_stems`).
Keys added this way are kept in table ``extra_keys`` (number, key, owner), which substring search
scans after the build-time postings; an entry that changed gets a new number, and the old one is
deleted, so hits of its old keys are dropped by the readers (``meta.deleted`` tells them to check).

``derived.sqlite`` (coverage and members per region and segment) is updated the same way for
the enterprises a write adds, changes or removes: each one's contribution (the (region,
segment) pairs it counts in, its member rows) is read before and after the write and the
difference applied. When the write touches what the tables are derived from in other ways (a
place, ``ckg:partOf``, a project or its owner), the derived tables are left behind (unsealed):
the questions that read them fall back to their SPARQL queries until the next ``chainkg build``.
The cost of all this is proportional to the resources written, not to the store.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.index import materialize, name_store, seals
from graph.index.keys import keys_and_stems
from graph.ns import CKG
from graph.store.embedded import KGStore, data_update

log = logging.getLogger("chainkg.side_files")

_DEFAULT = ox.DefaultGraph()
_LOCATED = ox.NamedNode(str(CKG.locatedIn))
_OPERATES = ox.NamedNode(str(CKG.operatesIn))
_PART_OF = ox.NamedNode(str(CKG.partOf))
_OWNER = ox.NamedNode(str(CKG.owner))
_FOR_SEGMENT = ox.NamedNode(str(CKG.forSegment))
_STATUS = ox.NamedNode(str(CKG.projectStatus))
_IN_OPERATION = ox.NamedNode(str(CKG.InOperation))
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


def outgoing(store: KGStore, subject: str | ox.NamedNode | ox.BlankNode | ox.Triple) -> dict[str, list[Any]]:
    """The default-graph objects of ``subject`` (an IRI or a node), per predicate IRI, in store
    order (one scan of the subject: the readers below pick what they need from it)."""
    node = ox.NamedNode(subject) if isinstance(subject, str) else subject
    found: dict[str, list[Any]] = {}
    for q in store.ox.quads_for_pattern(node, None, None, _DEFAULT):
        found.setdefault(q.predicate.value, []).append(q.object)
    return found


def _by_subject(quads: Iterable[ox.Quad]) -> dict[str, dict[str, list[Any]]]:
    """The triples of ``quads`` (their default-graph copies, each once), as :func:`outgoing` per
    subject IRI."""
    found: dict[str, dict[str, list[Any]]] = {}
    for q in quads:
        subject = q.subject
        if not isinstance(subject, ox.NamedNode):
            continue
        by_predicate = found.get(subject.value)
        if by_predicate is None:
            by_predicate = found[subject.value] = {}
        objects = by_predicate.setdefault(q.predicate.value, [])
        term = q.object
        if term not in objects:  # one triple stated in two graphs has one copy
            objects.append(term)
    return found


_LABELS = [p for p, how in name_store.NAME_PREDICATES if how == "label"]


def _order_free(out: dict[str, list[Any]]) -> bool:
    """Whether :func:`entry_of` and :func:`_contribution` read ``out`` the same in any order of
    its objects. They use every predicate's objects as a set except two: the first label of a
    language is the label, and a firm's first place places its projects without one."""
    if len(out.get(_LOCATED.value, ())) > 1:
        return False
    for predicate in _LABELS:
        langs = [o.language if isinstance(o, ox.Literal) else None for o in out.get(predicate, ())]
        if len(set(langs)) < len(langs):
            return False
    return True


def entry_of(store: KGStore, iri: str,
             out: dict[str, list[Any]] | None = None) -> tuple[str, dict[str, str], list[str]] | None:
    """(kind, labels, names) of one resource, as :func:`graph.index.name_store.read_entries` computes
    them for every resource; ``None`` when it is not nameable. ``out``: its :func:`outgoing`
    triples, when the caller has read them."""
    if out is None:
        out = outgoing(store, iri)
    types = {o.value for o in out.get(name_store._RDF_TYPE, ()) if isinstance(o, ox.NamedNode)}
    kind = next((k for cls, k in name_store.NAMEABLE if cls in types), None)
    if kind is None:
        return None
    labels: dict[str, str] = {}
    names: list[str] = []
    for predicate, how in name_store.NAME_PREDICATES:
        for term in out.get(predicate, ()):
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

    Create it before the write, :meth:`before` and :meth:`touch` the resources the write changes
    (before and after it, the store open), and call :meth:`finish` once the write went through:
    after the store is closed for a directory written by opening it, right away for a store this
    process keeps open (``store``; :func:`kept_by` does it).

    Args:
        path: the store directory.
        store: the open store this process keeps the side files current for (``None``: the
            directory is opened for this write only, and the side files are sealed again after).
    """

    def __init__(self, path: Path, *, store: KGStore | None = None) -> None:
        self.path = path
        self.store = store
        if store is None:
            self.current = name_store.sealed(path)
            self.derived = materialize.sealed(path) if self.current else False
        else:
            version = store.version
            self.current = seals.kept_version(store, name_store.FILE, lambda: name_store.sealed(path)) == version
            self.derived = self.current and seals.kept_version(
                store, materialize.FILE, lambda: materialize.sealed(path)) == version
        self.entries: dict[str, tuple[str, dict[str, str], list[str]] | None] = {}
        self._outgoing: dict[str, dict[str, list[Any]]] = {}  # read by before()
        self._before: dict[str, _Contribution] = {}
        self._after: dict[str, _Contribution] = {}

    def abandon(self) -> None:
        """Give up keeping the side files current through this write (the store changed in a way
        this maintainer did not follow): they fall behind, and readers stop using them."""
        self.current = self.derived = False

    def before(self, store: KGStore, iris: set[str]) -> None:
        """Read the triples of ``iris`` and what they contribute to the derived tables before
        the write."""
        if not self.current:
            return
        self._outgoing = {iri: outgoing(store, iri) for iri in iris}
        self._contributions(store, self._outgoing, self._before)

    def _contributions(self, store: KGStore, outs: dict[str, dict[str, list[Any]]],
                       into: dict[str, _Contribution]) -> None:
        if not self.derived:
            return
        db = sqlite3.connect(f"file:{self.path / materialize.FILE}?mode=ro", uri=True)
        try:
            lookups = _Lookups(store, db)
            for iri, out in outs.items():
                found = _contribution(store, lookups, iri, out)
                if found is None:
                    self.derived = False
                    return
                into[iri] = found
        finally:
            db.close()

    def touch(self, store: KGStore, iris: set[str], *, written: Sequence[ox.Quad] | None = None) -> None:
        """Read the entries of ``iris`` as the (open) store has them now.

        ``written``: the named-graph quads the write added, when it only added. A resource that
        had no triple before the write then has exactly theirs (their default-graph copies), which
        are taken from ``written`` instead of read back from the store, unless the order of its
        triples could matter (see :func:`_order_free`)."""
        if not self.current:
            return
        fresh = _by_subject(written) if written is not None else {}
        outs: dict[str, dict[str, list[Any]]] = {}
        for iri in iris:
            out = fresh.get(iri) if not self._outgoing.get(iri, True) else None
            outs[iri] = out if out is not None and _order_free(out) else outgoing(store, iri)
        for iri, out in outs.items():
            self.entries[iri] = entry_of(store, iri, out)
        self._contributions(store, outs, self._after)

    def finish(self) -> list[str]:
        """Rewrite the touched entries (and the derived rows of the touched enterprises, when the
        derived tables can follow the write), then seal what was brought up to date with the
        store's new fingerprint (a directory: call after the store is closed) or record it as
        current for the open store (:mod:`graph.index.seals`). Returns the files kept current."""
        if not self.current:
            return []
        update_names(self.path, self.entries)
        files = [name_store.FILE]
        if self.derived and set(self._before) == set(self._after):
            update_derived(self.path, self._before, self._after)
            files.append(materialize.FILE)
        if self.store is None:
            _seal(self.path, files, name_store.fingerprint(self.path))
        else:
            seals.kept(self.store, files)
        return files


def _seal(path: Path, files: Iterable[str], fingerprint: str) -> None:
    """Write ``fingerprint`` as the seal of ``files`` (``""``: unsealed)."""
    for name in files:
        if not (path / name).exists():
            continue
        db = sqlite3.connect(path / name, timeout=30)
        try:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
            db.commit()
        finally:
            db.close()


@contextmanager
def kept_by(store: KGStore) -> Iterator[SideFiles | None]:
    """Hold ``store`` (open for writing in this process) for one write, and keep its side files
    current through it: yields the :class:`SideFiles` to :meth:`~SideFiles.before` and
    :meth:`~SideFiles.touch` (``None`` when the store is in memory or read-only, or its side files
    are not current: nothing to keep), and finishes it when the block ends without an error.

    Writes are serialised per store. While one runs, readers keep using the side files as of
    before it (:func:`graph.index.seals.usable`); the first one unseals them on disk, since
    another process must not trust them while this one holds the store open for writing
    (:func:`close_and_seal` seals them again).
    """
    if store.path is None or store.read_only:
        yield None
        return
    path = store.path
    with seals.writing(store):
        side = SideFiles(path, store=store)
        if not side.current:
            yield None
            return
        with seals.keeping(store):
            if not seals.mark_unsealed(store):
                _seal(path, (name_store.FILE, materialize.FILE), "")
            yield side
            try:
                side.finish()
            except sqlite3.Error as err:  # the write itself went through: the side files fall behind
                log.warning("side files of %s not brought up to date (%s): names and questions are "
                            "answered without them until the next chainkg build", path, err)


def open_writable(path: Path) -> KGStore:
    """Open the on-disk store at ``path`` for writing in this process, knowing which side files
    are current for it: they are checked against their seal *before* the store is opened, since
    RocksDB may compact its files as it opens them for writing, which changes the fingerprint
    but not the data. Writes through :func:`kept_by` then keep them current; close the store
    with :func:`close_and_seal`.

    Raises:
        StoreLockedError: another process holds the store for writing.
    """
    current = [file for file, sealed in ((name_store.FILE, name_store.sealed), (materialize.FILE, materialize.sealed))
               if sealed(path)]
    store = KGStore(path)
    seals.kept(store, current)
    return store


def status(store: KGStore) -> str:
    """Whether the side files of an on-disk ``store`` answer for it now: ``current`` (both),
    ``names only`` (the derived tables fell behind), ``stale`` (the questions use SPARQL and the
    in-memory name index) or ``absent``; ``in memory`` for a store without a directory."""
    if store.path is None:
        return "in memory"
    path = store.path
    if not (path / name_store.FILE).exists():
        return "absent"
    names, _ = seals.usable(store, name_store.FILE, lambda: name_store.sealed(path))
    derived, _ = seals.usable(store, materialize.FILE, lambda: materialize.sealed(path))
    return "current" if names and derived else "names only" if names else "stale"


def close_and_seal(store: KGStore) -> None:
    """Close ``store`` and, when this process held it for writing, seal again the side files it
    knows current for it (kept through :func:`kept_by`, or checked when it was opened) with the
    fingerprint of its closed files, so that the next process to open it uses them. Side files
    that fell behind (a write that did not keep them current) stay unsealed: readers ignore them
    until the next ``chainkg build``."""
    path = store.path
    writable = path is not None and not store.read_only  # this process holds the store: nobody else writes it
    _, files = seals.current_files(store)
    store.close()
    if writable and files:  # also when nothing was written: RocksDB may have compacted its files
        assert path is not None
        _seal(path, files, name_store.fingerprint(path))


def apply_update(store: KGStore, sparql: str) -> None:
    """``store.update(sparql)`` as one write of :func:`kept_by`: an update made only of ``INSERT
    DATA`` or only of ``DELETE DATA`` (what accepting or withdrawing facts sends) keeps the side
    files current for the subjects of its quads; any other update may change anything, so the side
    files fall behind (not current for the store's new version: readers use SPARQL and the
    in-memory index until the next ``chainkg build``).

    Raises:
        QuerySyntaxError: the update does not parse (nothing is written).
    """
    data = data_update(sparql)
    if data is None:
        with seals.writing(store):
            store.update(sparql)
        return
    subjects = touched_subjects(data[1])
    with kept_by(store) as side:
        if side is not None:
            side.before(store, subjects)
        store.update(sparql)
        if side is not None:
            side.touch(store, subjects, written=data[1] if data[0] == "insert" else None)


def update_names(directory: Path, entries: dict[str, tuple[str, dict[str, str], list[str]] | None]) -> None:
    """Replace the entries of the given IRIs in ``names.sqlite`` (``None``: remove it), in one
    transaction; keys, stems and slug computed as :func:`graph.index.name_store.build` does, old rows
    found through the tables' own indexes (by key, stem and slug)."""
    from graph.index.keys import to_pinyin

    db = sqlite3.connect(directory / name_store.FILE, timeout=30)
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
        # New rows are written at the end, each table's sorted by its index (a large index takes
        # rows in its own order several times faster than scattered).
        entry_rows: list[tuple[int, str, str, str, str, str]] = []
        slug_rows: list[tuple[str, int]] = []
        key_rows: list[tuple[str, int]] = []
        extra_rows: list[tuple[int, str, int]] = []
        stem_rows: list[tuple[str, int]] = []
        for iri, found in entries.items():
            old = db.execute("SELECT eid, names FROM entries WHERE iri = ?", (iri,)).fetchone()
            if old is not None:
                eid = old[0]
                keys, stems = keys_and_stems(json.loads(old[1]), pinyin)
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
            entry_rows.append((eid, iri, kind, label, encode(labels), encode(names)))
            slug_rows.append((_slug(iri), eid))
            keys, stems = keys_and_stems(names, pinyin)
            for k in sorted(keys):
                key_rows.append((k, eid))
                extra_rows.append((next_num, k, eid))
                next_num += 1
            stem_rows.extend((st, eid) for st in sorted(stems))
        entry_rows.sort(key=lambda row: row[1])  # by IRI
        db.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)", entry_rows)
        db.executemany("INSERT INTO slugs VALUES (?, ?)", sorted(slug_rows))
        db.executemany("INSERT INTO keys VALUES (?, ?)", sorted(key_rows))
        db.executemany("INSERT INTO extra_keys VALUES (?, ?, ?)", extra_rows)
        db.executemany("INSERT INTO stems VALUES (?, ?)", sorted(stem_rows))
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


class _Lookups:
    """What contributions ask again and again in one write, asked once: the regions a place is
    in (``closure`` of ``derived.sqlite``) and whether a region is a district or municipality."""

    def __init__(self, store: KGStore, db: sqlite3.Connection) -> None:
        self.store = store
        self.db = db
        self._regions: dict[str, frozenset[str]] = {}
        self._areas: dict[str, bool] = {}

    def regions_of(self, place: str) -> frozenset[str]:
        found = self._regions.get(place)
        if found is None:
            ups = {r for (r,) in self.db.execute("SELECT region FROM closure WHERE place = ?", (place,))}
            found = self._regions[place] = frozenset(ups or {place})
        return found

    def is_area(self, region: str) -> bool:
        found = self._areas.get(region)
        if found is None:
            node = ox.NamedNode(region)
            found = self._areas[region] = any(_has(self.store, node, _RDF_TYPE, ox.NamedNode(a)) for a in _AREAS)
        return found


def _iris(terms: Iterable[Any]) -> list[str]:
    return [t.value for t in terms if isinstance(t, ox.NamedNode)]


def _contribution(store: KGStore, lookups: _Lookups, iri: str, out: dict[str, list[Any]]) -> _Contribution | None:
    """What ``iri`` adds to ``coverage`` and ``members``, as :func:`graph.index.materialize.build_derived`
    counts it: the segments it operates in where it is, and those of the projects in operation
    it owns where they are (or, without a place of their own, where it is); ``None`` when it is
    something the tables are derived from otherwise (a place, a project), which this update does
    not follow. ``out``: its :func:`outgoing` triples."""
    types = set(_iris(out.get(_RDF_TYPE.value, ())))
    if types & _PLACES or _PART_OF.value in out or _FOR_SEGMENT.value in out:
        return None
    places = _iris(out.get(_LOCATED.value, ()))
    segs = _iris(out.get(_OPERATES.value, ()))
    regions: set[str] = set().union(*(lookups.regions_of(p) for p in places))
    pairs = {(r, s) for r in regions for s in segs}
    for q in store.ox.quads_for_pattern(None, _OWNER, ox.NamedNode(iri), _DEFAULT):  # its projects in operation
        project = outgoing(store, q.subject)
        if _IN_OPERATION not in project.get(_STATUS.value, ()):
            continue
        where = (_iris(project.get(_LOCATED.value, ())) or places)[:1]
        for seg in _iris(project.get(_FOR_SEGMENT.value, ())):
            pairs |= {(r, seg) for place in where for r in lookups.regions_of(place)}
    if not regions or not segs:
        return frozenset(pairs), frozenset()
    label = next((o.value for o in out.get(_RDFS_LABEL.value, ())
                  if isinstance(o, ox.Literal) and o.language == "zh"), None)
    areas = {r for r in regions if lookups.is_area(r)}
    members = frozenset((a, s, iri, label) for a in areas for s in segs)
    return frozenset(pairs), members


def _has(store: KGStore, s: Any, p: Any, o: Any) -> bool:
    return next(iter(store.ox.quads_for_pattern(s, p, o, _DEFAULT)), None) is not None


def update_derived(directory: Path, before: dict[str, _Contribution], after: dict[str, _Contribution]) -> None:
    """Apply the difference of the contributions to ``coverage``, ``members`` and
    ``member_counts`` of ``derived.sqlite``, in one transaction: each (region, segment) count and
    each (area, segment) member count touched is written once, whatever the number of
    enterprises behind it."""
    from collections import Counter

    steps: Counter[tuple[str, str]] = Counter()
    gone: set[tuple[str, str, str, str | None]] = set()
    new: set[tuple[str, str, str, str | None]] = set()
    for iri in before:
        (pairs_b, members_b), (pairs_a, members_a) = before[iri], after[iri]
        steps.update(pairs_a - pairs_b)
        steps.subtract(pairs_b - pairs_a)
        gone |= members_b - members_a
        new |= members_a - members_b
    db = sqlite3.connect(directory / materialize.FILE, timeout=30)
    try:
        for (region, seg), step in steps.items():
            if step == 0:
                continue
            cur = db.execute("UPDATE coverage SET enterprises = enterprises + ? WHERE region = ? AND seg = ?",
                             (step, region, seg))
            if cur.rowcount == 0 and step > 0:
                db.execute("INSERT INTO coverage VALUES (?, ?, ?)", (region, seg, step))
            elif step < 0:
                db.execute("DELETE FROM coverage WHERE region = ? AND seg = ? AND enterprises <= 0", (region, seg))
        db.executemany("DELETE FROM members WHERE area = ? AND seg = ? AND e = ?",
                       [(area, seg, e) for area, seg, e, _ in gone])
        db.executemany("INSERT INTO members VALUES (?, ?, ?, ?)", sorted(new - gone, key=str))
        for area, seg in {(a, s) for a, s, _, _ in gone | new}:
            n = db.execute("SELECT COUNT(*) FROM members WHERE area = ? AND seg = ?", (area, seg)).fetchone()[0]
            db.execute("DELETE FROM member_counts WHERE area = ? AND seg = ?", (area, seg))
            if n:
                db.execute("INSERT INTO member_counts VALUES (?, ?, ?)", (area, seg, n))
        db.commit()
    finally:
        db.close()
