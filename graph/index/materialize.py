"""Build-time materialisation beside an on-disk store, so that the big questions read answers
computed once instead of walking millions of triples per request.

``materialize_closed(path)`` writes, into the directory of a closed store:

* ``names.sqlite`` + ``names.keys``: the persistent name index (:mod:`graph.index.name_store`);
* ``derived.sqlite``:
  - ``closure(region, place)``: every place inside every region at any depth (``ckg:partOf*``,
    the region itself included), i.e. the region closure as direct pairs;
  - ``coverage(region, seg, enterprises)``: per (region, segment) the number of distinct
    enterprises located in the region (or a place inside it) that operate in the segment;
  - ``regions``: the region list of :func:`graph.questions.matrix.list_regions`, in its order;
  - ``members(area, seg, e, label)``: the enterprises of every district and municipality per
    segment, and ``member_counts(area, seg, n)`` their number (the lookup's local neighbours).

Nothing is added to the RDF data: SPARQL answers (and the peers' comparison) stay those of the
source data. Every table carries the fingerprint of the store's files it was computed from; a
store written to since is detected and the callers fall back to the SPARQL queries, unless the
write kept the tables current (journalled imports and removals, ``INSERT DATA`` / ``DELETE
DATA``: :mod:`graph.index.side_files`, :mod:`graph.index.seals`).

The materialised facts are the ones the SPARQL queries compute: tests compare
:func:`graph.questions.matrix.matrix` with and without them.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.index import bulk, name_store, seals
from graph.ns import CKG
from graph.store.embedded import KGStore

FILE = "derived.sqlite"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SCHEMA_VERSION = 3


#: Member rows are written to SQLite every this many.
_CHUNK = 100_000


def _pairs(store: KGStore, predicate: str, where: str = "") -> Iterator[tuple[str, str]]:
    """(subject, object) of the default-graph triples with ``predicate`` (the merge of the named
    graphs, each triple once), in store order; ``where`` filters on ``?o``. A one-pattern SPARQL
    query reads the same index as a quad pattern but decodes two terms a row instead of four, and
    a filter leaves out what it rejects undecoded."""
    for s, o in store.query(f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o {where} }}"):
        yield s.value, o.value


def _subjects(store: KGStore, cls: str) -> set[str]:
    """The resources of class ``cls`` in the default graph."""
    return {s.value for (s,) in store.query(f"SELECT ?s WHERE {{ ?s <{RDF_TYPE.value}> <{cls}> }}")}


def _closure(store: KGStore) -> dict[str, set[str]]:
    """place → the place and every place containing it (``?place ckg:partOf* ?region``)."""
    parents: dict[str, set[str]] = defaultdict(set)
    for place, parent in _pairs(store, str(CKG.partOf)):
        parents[place].add(parent)
    memo: dict[str, set[str]] = {}

    def up(p: str, seen: frozenset[str] = frozenset()) -> set[str]:
        if p in memo:
            return memo[p]
        out = {p}
        for parent in parents.get(p, ()):
            if parent not in seen:
                out |= up(parent, seen | {p})
        memo[p] = out
        return out

    for p in list(parents):
        up(p)
    return memo


def _located(store: KGStore) -> dict[str, list[str]]:
    """thing → the places it is located in, in store order (one string object per place)."""
    places: dict[str, str] = {}
    located: dict[str, list[str]] = {}
    for thing, place in _pairs(store, str(CKG.locatedIn)):
        place = places.setdefault(place, place)
        found = located.get(thing)
        if found is None:
            located[thing] = [place]
        else:
            found.append(place)
    return located


def _zh_labels(store: KGStore, wanted: dict[str, Any]) -> dict[str, str]:
    """The first ``@zh`` ``rdfs:label`` of every resource in ``wanted``."""
    labels: dict[str, str] = {}
    for e, label in _pairs(store, RDFS_LABEL.value, 'FILTER (LANG(?o) = "zh")'):
        if e in wanted and e not in labels:
            labels[e] = label
    return labels


def _operating_projects(store: KGStore) -> list[tuple[str, str, str | None]]:
    """(project, segment, owner) of every project in operation placed on a segment."""
    rows = store.select(
        "SELECT DISTINCT ?p ?seg ?owner WHERE { ?p ckg:forSegment ?seg ; ckg:projectStatus ckg:InOperation . "
        "OPTIONAL { ?p ckg:owner ?owner } }"
    )
    return [(r["p"], r["seg"], r.get("owner")) for r in rows]


class _Regions:
    """Every region a thing is in (its places and every place containing them), one set per
    distinct combination of places."""

    def __init__(self, ups: dict[str, set[str]], located: dict[str, list[str]]) -> None:
        self.ups = ups
        self.located = located
        self._memo: dict[tuple[str, ...], frozenset[str]] = {}

    def of(self, thing: str) -> frozenset[str]:
        """The regions ``thing`` is in (empty when it is located nowhere)."""
        places = tuple(self.located.get(thing, ()))
        found = self._memo.get(places)
        if found is None:
            found = self._memo[places] = frozenset().union(*(self.ups.get(p, {p}) for p in places))
        return found


_DERIVED_SCHEMA = """
    PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
    CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT);
    CREATE TABLE closure (region TEXT NOT NULL, place TEXT NOT NULL);
    CREATE TABLE coverage (region TEXT NOT NULL, seg TEXT NOT NULL, enterprises INTEGER NOT NULL);
    CREATE TABLE regions (pos INTEGER PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE members (area TEXT NOT NULL, seg TEXT NOT NULL, e TEXT NOT NULL, label TEXT);
"""
_DERIVED_INDEXES = """
    CREATE INDEX closure_region ON closure (region); CREATE INDEX coverage_region ON coverage (region);
    CREATE INDEX members_area_seg ON members (area, seg, e);
    CREATE TABLE member_counts AS SELECT area, seg, COUNT(*) AS n FROM members GROUP BY area, seg;
    CREATE UNIQUE INDEX member_counts_key ON member_counts (area, seg);
"""


def build_derived(store: KGStore) -> dict[str, Any]:
    """Write ``derived.sqlite`` for the on-disk ``store`` (unsealed: see :func:`seal`).

    One scan each of ``ckg:locatedIn``, ``ckg:operatesIn`` and ``rdfs:label`` on the default
    graph. Coverage is counted, not collected: the default graph holds each (enterprise,
    segment) once and :class:`_Regions` gives each enterprise's regions once, so every count is
    of distinct enterprises; the owners counted again through their operating projects are the
    only overlap, removed explicitly. Member rows are streamed to SQLite in chunks.

    Returns:
        counts (``pairs``, ``places``, ``members``) and ``total_s``.

    Raises:
        ValueError: ``store`` is in memory.
    """
    from graph.index.region_list import list_regions

    if store.path is None:
        raise ValueError("materialisation needs an on-disk store")
    t0 = time.perf_counter()
    ups = _closure(store)
    located = _located(store)
    regions = _Regions(ups, located)
    areas: set[str] = set()
    for cls in (CKG.District, CKG.Municipality):
        areas |= _subjects(store, str(cls))
    labels = _zh_labels(store, located)
    # A project in operation covers its segment where it is (its own place, else its owner's),
    # counted by its owner (or itself), as graph.questions.completeness does.
    by_projects: set[tuple[str, str, str]] = set()
    for p, seg, owner in _operating_projects(store):
        places = located.get(p) or (located.get(owner, []) if owner else [])
        for place in places[:1]:
            by_projects.update((region, seg, owner or p) for region in ups.get(place, (place,)))
    counted_by_projects = {who for _, _, who in by_projects}

    tmp = store.path / (FILE + ".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    db.executescript(_DERIVED_SCHEMA)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    operating: set[tuple[str, str]] = set()  # (who, segment) of the project counters
    members: list[tuple[str, str, str, str | None]] = []
    n_members = 0
    segs: dict[str, str] = {}
    for e, seg in _pairs(store, str(CKG.operatesIn)):
        seg = segs.setdefault(seg, seg)
        where = regions.of(e)
        if not where:
            continue
        if e in counted_by_projects:
            operating.add((e, seg))
        for region in where:
            counts[(region, seg)] += 1
            if region in areas:
                members.append((region, seg, e, labels.get(e)))
        if len(members) >= _CHUNK:
            bulk.insert(db, "members", members)
            n_members += len(members)
            members.clear()
    bulk.insert(db, "members", members)
    n_members += len(members)
    for region, seg, who in by_projects:
        if (who, seg) not in operating or region not in regions.of(who):
            counts[(region, seg)] += 1
    bulk.insert(db, "closure", [(region, place) for place, found in ups.items() for region in found])
    bulk.insert(db, "coverage", [(r, s, n) for (r, s), n in counts.items()])
    db.executemany("INSERT INTO regions VALUES (?, ?)",
                   ((i, json.dumps(r, ensure_ascii=False)) for i, r in enumerate(list_regions(store))))
    db.executescript(_DERIVED_INDEXES)
    db.executemany("INSERT INTO meta VALUES (?, ?)", [("schema", str(SCHEMA_VERSION)), ("fingerprint", "")])
    db.commit()
    db.close()
    os.replace(tmp, store.path / FILE)
    return {"pairs": len(counts), "places": len(ups), "members": n_members,
            "total_s": round(time.perf_counter() - t0, 2)}


def _build_side_file(which: str, path: str) -> dict[str, Any]:
    """Build one side file (``names`` or ``derived``) of the store at ``path``, opened read-only
    (what a worker process of :func:`materialize_closed` runs)."""
    store = KGStore(path, read_only=True)
    try:
        return name_store.build(store) if which == "names" else build_derived(store)
    finally:
        store.close()


def materialize_closed(path: str | Path, *, parallel: bool = True) -> dict[str, Any]:
    """Write and seal both side files of the on-disk store at ``path``, which nobody has open for
    writing (build it, close it, then call this).

    Args:
        path: the store directory.
        parallel: build the name index and the derived tables at the same time, in two worker
            processes that each open the store read-only (they read different data and write
            different files); otherwise one after the other in this process.

    Returns:
        the reports of :func:`graph.index.name_store.build` and :func:`build_derived`.

    Raises:
        OSError: the store cannot be opened (e.g. it is open for writing elsewhere).
    """
    path = str(path)
    if parallel:
        context = multiprocessing.get_context("spawn")  # no fork of RocksDB's threads
        with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
            names = pool.submit(_build_side_file, "names", path)
            derived = pool.submit(_build_side_file, "derived", path)
            report = {"names": names.result(), "derived": derived.result()}
    else:
        report = {which: _build_side_file(which, path) for which in ("names", "derived")}
    seal(path)
    return report


def seal(path: str | Path) -> None:
    """Record the store's current file fingerprint in the side files (call after the store is
    closed, as the last step of a build)."""
    path = Path(path)
    fp = name_store.fingerprint(path)
    for name in (FILE, name_store.FILE):
        if (path / name).exists():
            db = sqlite3.connect(path / name)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fp,))
            db.commit()
            db.close()


# --- reading ----------------------------------------------------------------------------------


class Derived:
    """Read side of ``derived.sqlite`` (one connection per thread)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "db", None)
        if conn is None:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.db = conn
        return conn

    def places(self, region: str) -> set[str]:
        return {p for (p,) in self.db.execute("SELECT place FROM closure WHERE region = ?", (region,))}

    def coverage(self) -> list[tuple[str, str, int]]:
        return self.db.execute("SELECT region, seg, enterprises FROM coverage").fetchall()

    def region_coverage(self, region: str) -> dict[str, int]:
        return dict(self.db.execute("SELECT seg, enterprises FROM coverage WHERE region = ?", (region,)))

    def members(self, area: str, seg: str, *, limit: int,
                exclude: str | None = None) -> tuple[int, list[tuple[str, str | None]]]:
        """(count, first ``limit`` (enterprise, label)) of the enterprises of ``area`` in ``seg``,
        leaving out ``exclude`` (an enterprise's own neighbours do not hold it) wherever it sorts."""
        found = self.db.execute("SELECT n FROM member_counts WHERE area = ? AND seg = ?", (area, seg)).fetchone()
        count = int(found[0]) if found else 0
        if exclude is not None and self.db.execute(
                "SELECT 1 FROM members WHERE area = ? AND seg = ? AND e = ?", (area, seg, exclude)).fetchone():
            count -= 1
        rows = self.db.execute("SELECT e, label FROM members WHERE area = ? AND seg = ? AND e IS NOT ? "
                               "ORDER BY e LIMIT ?", (area, seg, exclude, limit)).fetchall()
        return count, [(e, label) for e, label in rows]

    def members_of(
        self, area: str, segs: list[str], *, limit: int, exclude: str | None = None
    ) -> dict[str, tuple[int, list[tuple[str, str | None]]]]:
        """:meth:`members` of several segments of ``area`` (segments without members are left out)."""
        out = {}
        for seg in segs:
            count, rows = self.members(area, seg, limit=limit, exclude=exclude)
            if count:
                out[seg] = (count, rows)
        return out

    def has_area(self, area: str) -> bool:
        """Whether ``members`` rows were written for ``area`` (districts and municipalities)."""
        return self.db.execute("SELECT 1 FROM member_counts WHERE area = ? LIMIT 1", (area,)).fetchone() is not None

    def regions(self) -> list[dict[str, Any]]:
        return [json.loads(d) for (d,) in self.db.execute("SELECT data FROM regions ORDER BY pos")]


_CACHE: weakref.WeakKeyDictionary[KGStore, tuple[int, Derived | None]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def derived_for(store: KGStore) -> Derived | None:
    """The derived tables of ``store`` when present and current, else ``None`` (use SPARQL)."""
    version = store.version
    with _LOCK:
        cached = _CACHE.get(store)
        if cached is not None and cached[0] == version:
            return cached[1]
    found: Derived | None = None
    cache = True
    located: tuple[Path, str] | None = getattr(store, "side_files", None)  # a remote store's, checked
    if located is not None:
        if version == 0 and sealed(located[0], located[1]):
            found = Derived(located[0] / FILE)
    elif store.path is not None:
        directory = store.path
        ok, cache = seals.usable(store, FILE, lambda: sealed(directory))
        if ok and (directory / FILE).exists():
            found = Derived(directory / FILE)
    if cache:  # not while a write that keeps the tables current is under way (seals.usable)
        with _LOCK:
            _CACHE[store] = (version, found)
    return found


def sealed(directory: Path, seal: str | None = None) -> bool:
    """Whether ``derived.sqlite`` in ``directory`` exists, has this schema and carries ``seal``
    (default: the fingerprint of the store files in ``directory``)."""
    expected = seal if seal is not None else name_store.fingerprint(directory)
    return name_store.meta_matches(directory / FILE, SCHEMA_VERSION, expected)


def segment_weights(store: KGStore) -> dict[str, tuple[list[str], list[Decimal]]]:
    """segment → (its chains, its weights or [1.0]) — the join of ``matrix_covered.rq``."""
    rows = store.select("""
        PREFIX ckg: <https://w3id.org/chainkg/ontology#>
        SELECT ?seg ?chain ?w WHERE { ?seg ckg:segmentOf ?chain . OPTIONAL { ?seg ckg:weight ?w } }""",
                        terms=True)
    chains: dict[str, set[str]] = defaultdict(set)
    weights: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        chains[str(r["seg"])].add(str(r["chain"]))
        if "w" in r:
            weights[str(r["seg"])].add(str(r["w"]))
    return {s: (sorted(c), [Decimal(w) for w in sorted(weights.get(s, ()))] or [Decimal("1.0")])
            for s, c in chains.items()}
