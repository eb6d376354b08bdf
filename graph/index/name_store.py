"""A persistent name index beside an on-disk store: SQLite tables built once at build time.

:class:`graph.index.names.NameIndex` keeps every key in Python sets and scans them all for prefixes and
substrings; for a million enterprises that takes seconds to build and about a second per search.
This module writes the same keys (normalised names, their pinyin, stems, slugs) to
``<store>/names.sqlite`` with B-tree indexes, so that

* opening it is instant (no start-up work: the 2 s server-start target holds at any size);
* exact, stem and slug lookups are index seeks, and prefix search (Chinese or pinyin) is an index
  range scan in (key, eid) order;
* substring search reads, for a needle with a Chinese character, the postings of its character
  bigrams (or of its one character) in table ``grams`` (→ numbers of the Chinese keys holding it)
  and checks the keys of the shortest posting; for three or more Latin letters, SQLite's FTS5
  trigram index over the keys that hold a non-Chinese character (table ``latin``); anything
  else scans one memory-mapped UTF-8 blob of every key (``names.keys``) with ``bytes.find``.
* key numbers follow the entries' IRI order, so every tier yields its hits in the order a search
  ranks them, and a search reads only as many as it shows (``prefix_hits``, ``substring_hits``).

The keys are exactly those :class:`NameIndex` would compute, except that for large stores (above
``EXACT_PINYIN_LIMIT`` names) the pinyin of a Chinese name is built per character from
pypinyin's character table (first reading) instead of pypinyin's phrase segmentation, which
costs ~60 µs a name (a minute per million). Synthetic and most real enterprise names give the
same pinyin either way; :func:`build` reports the mismatch rate measured on a sample.

The index records a fingerprint of the store's files; :func:`open_for` returns ``None`` when the
store has changed since, and callers fall back to the in-memory index.
"""

from __future__ import annotations

import heapq
import mmap
import os
import random
import re
import sqlite3
import threading
import time
from array import array
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from itertools import groupby
from json.encoder import encode_basestring as _json_string  # as JSONEncoder(ensure_ascii=False) writes it
from operator import itemgetter
from pathlib import Path
from typing import Any

from graph.index import bulk
from graph.store.embedded import KGStore

FILE = "names.sqlite"
BLOB = "names.keys"
#: Below this many names the exact pypinyin conversion is used (it is ~60 µs a name).
EXACT_PINYIN_LIMIT = 50_000
SCHEMA_VERSION = 4  # 4: projects, alliances, policies, portfolios, people and honours are named
#: Up to this many keys the fuzzy tier scores every key, as the in-memory index does.
FULL_FUZZY_LIMIT = 20_000


# --- store fingerprint ------------------------------------------------------------------------


def fingerprint(path: Path) -> str:
    """Names and sizes of the store's immutable table files (RocksDB ``*.sst``).

    A write that is flushed adds or replaces a table file; one left in the write-ahead log is
    flushed into a new table file when the store is next opened (RocksDB recovery). Writes made
    through this process's :class:`KGStore` bump ``store.version``, which the readers check too.
    Opening and closing a store changes neither.
    """
    parts = []
    for entry in sorted(os.scandir(path), key=lambda e: e.name):
        if entry.name.endswith(".sst"):
            parts.append(f"{entry.name}:{entry.stat().st_size}")
    return ";".join(parts)


# --- fast pinyin ------------------------------------------------------------------------------

_CHAR_PINYIN: dict[str, str] | None = None
_PINYIN_TABLE: list[str] | None = None


def _char_table() -> dict[str, str]:
    global _CHAR_PINYIN
    if _CHAR_PINYIN is None:
        from pypinyin import Style
        from pypinyin.constants import PINYIN_DICT
        from pypinyin.style import convert as convert_style

        table = {}
        plain: dict[str, str] = {}  # a reading → its tone-less spelling (~1,500 readings for ~40,000 characters)
        for code, readings in PINYIN_DICT.items():
            first = readings.split(",")[0]
            found = plain.get(first)
            if found is None:
                found = plain[first] = convert_style(first, style=Style.NORMAL, strict=True)
            table[chr(code)] = found
        _CHAR_PINYIN = table
    return _CHAR_PINYIN


def _translation() -> list[str]:
    """``str.translate`` table over the Basic Multilingual Plane: a CJK ideograph (U+4E00–U+9FFF)
    → its first reading, every other character → itself (a list indexes twice as fast as a dict)."""
    global _PINYIN_TABLE
    if _PINYIN_TABLE is None:
        table = [chr(code) for code in range(0x10000)]
        for ch, py in _char_table().items():
            if "\u4e00" <= ch <= "\u9fff":
                table[ord(ch)] = py
        _PINYIN_TABLE = table
    return _PINYIN_TABLE


def fast_pinyin(text: str) -> str:
    """Per-character pinyin (first reading) of ``text``, other characters kept, normalised.

    >>> fast_pinyin("三磊 玻纤")
    'sanleiboxian'
    """
    from graph.index.keys import normalise

    return normalise(text.translate(_translation()))


def _fast_pinyin_of_key(key: str) -> str:
    """:func:`fast_pinyin` of an already normalised key (skips normalising an ASCII result,
    which a normalised key turned into lowercase pinyin letters already is)."""
    out = key.translate(_translation())
    if out.isascii():
        return out
    from graph.index.keys import normalise

    return normalise(out)


# --- reading the names ------------------------------------------------------------------------

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_CKG = "https://w3id.org/chainkg/ontology#"

#: (class, kind) of every nameable class, in the order of ``queries/names.rq`` (a test keeps the
#: two in sync); a resource of several classes takes the kind of the first.
NAMEABLE: tuple[tuple[str, str], ...] = tuple((_CKG + c, k) for c, k in (
    ("Region", "region"), ("Municipality", "region"), ("District", "region"), ("Zone", "region"),
    ("HighTechZone", "region"), ("IndustrialPark", "region"), ("SubPark", "region"),
    ("EconomicCorridor", "region"), ("Enterprise", "enterprise"), ("EnterpriseGroup", "enterprise"),
    ("ChainTemplate", "chain"), ("Segment", "segment"), ("RegionalIndustry", "industry"),
    ("IndustryCluster", "industry"), ("ChainProgramme", "industry"), ("IndustryPortfolio", "portfolio"),
    ("Project", "project"), ("Alliance", "alliance"), ("PolicyDocument", "policy"), ("Policy", "policy"),
    ("Measure", "policy"), ("Fund", "policy"), ("IncentiveScheme", "policy"), ("ChainChiefSystem", "policy"),
    ("Person", "person"), ("Honour", "honour"),
))
#: (predicate, how) of every name predicate, in the order of ``queries/names.rq``; the names
#: given as ``label`` (with a language) are a resource's labels, first one per language.
NAME_PREDICATES: tuple[tuple[str, str], ...] = (
    (_RDFS + "label", "label"), (_SKOS + "prefLabel", "label"), (_CKG + "legalName", "legal"),
    (_CKG + "shortName", "short"), (_SKOS + "altLabel", "alias"), (_CKG + "pinyin", "pinyin"),
)

#: iri → (kind, labels (language → label), names as written, each once)
Entries = dict[str, tuple[str, dict[str, str], list[str]]]

_STAGING = """
    PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;
    CREATE TEMP TABLE raw (rank INTEGER NOT NULL, name TEXT NOT NULL, lang TEXT);
"""
#: Staged name rows are written to SQLite every this many.
_STAGE_CHUNK = 100_000


def _text(term: Any) -> str:
    """The lexical form of an IRI or literal read from the store."""
    return str(term.value)


@dataclass
class _Nameable:
    """Every resource of a nameable class, in IRI order (a resource's rank is its position), with
    its kind (that of its first class in ``NAMEABLE``)."""

    iris: list[str]
    kinds: list[str]


def _pairs(store: KGStore, predicate: str) -> Any:
    """(subject, object) of every default-graph triple with ``predicate``, in store order: a
    one-pattern SPARQL query, which reads the same index as a quad pattern but decodes two terms
    a row instead of four (a quarter less time for names, half for types)."""
    return store.query(f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o }}")


def _nameable(store: KGStore) -> _Nameable:
    """The resources of the nameable classes: one index scan of the default graph per class."""
    kind_of: dict[str, str] = {}
    for cls, kind in NAMEABLE:
        for (subject,) in store.query(f"SELECT ?s WHERE {{ ?s <{_RDF_TYPE}> <{cls}> }}"):
            kind_of.setdefault(_text(subject), kind)
    iris = sorted(kind_of)  # code point order, which is SQLite's order of their UTF-8 text
    return _Nameable(iris, [kind_of[iri] for iri in iris])


def _stage(store: KGStore, db: sqlite3.Connection) -> _Nameable:
    """Write one row (rank, name, lang) per name of every nameable resource into the temporary
    table ``raw`` of ``db``, from one index scan of the default graph per name predicate (no
    name held in memory); return the resources the ranks number.

    Rows are written in the order of ``NAME_PREDICATES``, then in store order (their ``rowid``);
    ``lang`` is set on labels only.
    """
    import pyoxigraph as ox

    nameable = _nameable(store)
    rank_of = {iri: rank for rank, iri in enumerate(nameable.iris)}
    rows: list[tuple[int, str, str | None]] = []
    for predicate, how in NAME_PREDICATES:
        label = how == "label"
        for subject, term in _pairs(store, predicate):
            rank = rank_of.get(_text(subject))
            if rank is None:
                continue
            lang = (term.language or None) if label and isinstance(term, ox.Literal) else None
            rows.append((rank, _text(term), lang))
            if len(rows) >= _STAGE_CHUNK:
                bulk.insert(db, "raw", rows)
                rows.clear()
    bulk.insert(db, "raw", rows)
    return nameable


def _staged_entries(
    db: sqlite3.Connection, nameable: _Nameable
) -> Iterator[tuple[str, str, dict[str, str], list[str]]]:
    """(iri, kind, labels, names) of every staged resource, in IRI order: its names each once,
    first seen first; per language its first label (``rdfs:label`` before ``skos:prefLabel``)."""
    iris, kinds = nameable.iris, nameable.kinds
    rows = db.execute("SELECT rank, name, lang FROM raw ORDER BY rank, rowid")
    for rank, group in groupby(rows, key=itemgetter(0)):
        labels: dict[str, str] = {}
        names: list[str] = []
        for _, name, lang in group:
            if name not in names:
                names.append(name)
            if lang:
                labels.setdefault(lang, name)
        yield iris[rank], kinds[rank], labels, names


def read_entries(store: KGStore) -> Entries:
    """Every nameable resource of ``store`` with its kind, labels and names, in memory.

    The same entries as the ``names.rq`` query that :class:`graph.index.names.NameIndex` reads (where a
    resource has several labels in one language, the first ``rdfs:label`` in store order wins,
    then the first ``skos:prefLabel``); :func:`build` streams them instead.
    """
    db = sqlite3.connect(":memory:")
    db.executescript(_STAGING)
    nameable = _stage(store, db)
    entries = {iri: (kind, labels, names) for iri, kind, labels, names in _staged_entries(db, nameable)}
    db.close()
    return entries


# --- building ---------------------------------------------------------------------------------

#: A character that is not a CJK ideograph: keys holding one go to the trigram table ``latin``.
_NON_CJK = re.compile("[^\u4e00-\u9fff]")
#: Bytes of a bigram posting read at a time (4-byte key numbers).
_POSTING_CHUNK = 16_384
#: Characters that ``LIKE`` would read as wildcards.
_LIKE_SPECIAL = re.compile("[%_]")

_SCHEMA = """
    DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS entries; DROP TABLE IF EXISTS keys;
    DROP TABLE IF EXISTS stems; DROP TABLE IF EXISTS slugs; DROP TABLE IF EXISTS grams;
    DROP TABLE IF EXISTS latin;
    CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT);
    CREATE TABLE entries (eid INTEGER PRIMARY KEY, iri TEXT NOT NULL, kind TEXT NOT NULL,
                          label TEXT NOT NULL, labels TEXT NOT NULL, names TEXT NOT NULL);
    CREATE TABLE keys (key TEXT NOT NULL, eid INTEGER NOT NULL);
    CREATE TABLE stems (stem TEXT NOT NULL, eid INTEGER NOT NULL);
    CREATE TABLE slugs (slug TEXT NOT NULL, eid INTEGER NOT NULL);
    CREATE TABLE grams (gram TEXT PRIMARY KEY, keys BLOB NOT NULL);
    CREATE VIRTUAL TABLE latin USING fts5(key, tokenize = 'trigram', detail = 'none');
"""
_INDEXES = """
    CREATE INDEX keys_key ON keys (key, eid);
    CREATE INDEX stems_stem ON stems (stem);
    CREATE INDEX slugs_slug ON slugs (slug);
    CREATE UNIQUE INDEX entries_iri ON entries (iri);
"""
#: Rows are written to SQLite every this many entries, so few are held at once.
_CHUNK = 50_000
#: Entries whose names :func:`_pinyin_mismatch` checks.
_SAMPLE = 500


def _json_array(texts: list[str]) -> str:
    r"""``json.dumps(texts, ensure_ascii=False)`` of a list of strings, with the encoder's own
    string escaper but without building an encoder per call (a third of the time).

    >>> import json
    >>> texts = ['三磊 "玻纤"', "a\\b\n\u0001", ""]
    >>> _json_array(texts) == json.dumps(texts, ensure_ascii=False), _json_array([])
    (True, '[]')
    """
    return "[" + ", ".join(map(_json_string, texts)) + "]"


def _json_object(texts: dict[str, str]) -> str:
    """``json.dumps(texts, ensure_ascii=False)`` of a dict of strings (see :func:`_json_array`).

    >>> import json
    >>> texts = {"zh": "三磊", "en": 'Sanlei "glass"'}
    >>> _json_object(texts) == json.dumps(texts, ensure_ascii=False), _json_object({})
    (True, '{}')
    """
    return "{" + ", ".join(f"{_json_string(k)}: {_json_string(v)}" for k, v in texts.items()) + "}"


class _Rows:
    """The rows of the four tables, written to SQLite a chunk at a time."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.entries: list[tuple[int, str, str, str, str, str]] = []
        self.keys: list[tuple[str, int]] = []
        self.stems: list[tuple[str, int]] = []
        self.slugs: list[tuple[str, int]] = []
        self.latin: list[tuple[int, str]] = []  # (key number, key) of keys with a non-CJK character

    def flush(self) -> None:
        """Insert the rows held and forget them."""
        for table, rows in (("entries", self.entries), ("keys", self.keys), ("stems", self.stems),
                            ("slugs", self.slugs)):
            bulk.insert(self.db, table, rows)
            rows.clear()
        # one row a statement: SQLite copies a multi-row VALUES aside before it fills a virtual table
        self.db.executemany("INSERT INTO latin(rowid, key) VALUES (?, ?)", self.latin)
        self.latin.clear()


@dataclass
class _Written:
    """What :func:`_write_tables` wrote, and the key blob it built."""

    entries: int = 0
    names: int = 0
    blob: bytearray = field(default_factory=bytearray)
    offsets: array[int] = field(default_factory=lambda: array("q"))
    owners: array[int] = field(default_factory=lambda: array("q"))
    sample: list[list[str]] = field(default_factory=list)  # the names of a random sample of entries


def _write_tables(db: sqlite3.Connection, nameable: _Nameable, pinyin: Callable[[str], str]) -> _Written:
    """Create the index tables in ``db`` and fill them from the staged names of ``nameable``, one
    resource at a time (rows are inserted in chunks and indexed at the end)."""
    from graph.index.keys import has_cjk, keys_and_stems

    db.executescript(_SCHEMA)
    rows = _Rows(db)
    out = _Written()
    blob, offsets, owners = out.blob, out.offsets, out.owners
    rng = random.Random(0)
    cjk = has_cjk  # a local name: called for every key
    not_cjk = _NON_CJK.search
    # character bigram (or character) of the Chinese keys → their key numbers
    grams: defaultdict[str, array[int]] = defaultdict(partial(array, "i"))
    for eid, (iri, kind, labels, names) in enumerate(_staged_entries(db, nameable)):
        out.entries += 1
        out.names += len(names)
        if eid < _SAMPLE:  # reservoir sampling
            out.sample.append(names)
        elif (slot := rng.randrange(eid + 1)) < _SAMPLE:
            out.sample[slot] = names
        label = labels.get("zh") or labels.get("en") or (min(names) if names else iri)
        rows.entries.append((eid, iri, kind, label, _json_object(labels), _json_array(names)))
        rows.slugs.append((iri.rstrip("/").rsplit("/", 1)[-1].lower(), eid))
        keys, stems = keys_and_stems(names, pinyin)
        for k in keys:
            rows.keys.append((k, eid))
            at = len(offsets)
            if cjk(k):  # postings of its characters and character bigrams
                for gram in {k[i : i + 2] for i in range(len(k) - 1)}.union(k):
                    grams[gram].append(at)
            if not_cjk(k):
                rows.latin.append((at, k))
            offsets.append(len(blob))
            owners.append(eid)
            blob += k.encode() + b"\n"
        rows.stems.extend((s, eid) for s in stems)
        if len(rows.entries) >= _CHUNK:
            rows.flush()
    rows.flush()
    db.executemany("INSERT INTO grams VALUES (?, ?)", ((g, p.tobytes()) for g, p in grams.items()))
    del grams
    db.executescript(_INDEXES)
    return out


def build(store: KGStore, directory: str | Path | None = None) -> dict[str, Any]:
    """Write ``names.sqlite`` and ``names.keys`` for ``store`` into ``directory`` (default: the store's).

    The keys follow :class:`graph.index.names.NameIndex` exactly (see the module docstring for the
    pinyin of large stores). The names are staged in a temporary SQLite table and read back
    grouped by resource, so memory stays flat however many there are; a store of at most
    ``EXACT_PINYIN_LIMIT`` names is written with pypinyin's exact pinyin.

    Returns:
        counts (``entries``, ``keys``), timings (``read_s``, ``total_s``) and the pinyin mode
        with its measured mismatch rate.
    """
    from graph.index.keys import to_pinyin

    t0 = time.perf_counter()
    directory = Path(directory or store.path or ".")
    tmp = directory / (FILE + ".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    db.executescript(_STAGING)
    nameable = _stage(store, db)
    t_read = time.perf_counter() - t0
    exact = _names_at_most(db, EXACT_PINYIN_LIMIT)  # small enough for pypinyin's phrase segmentation
    written = _write_tables(db, nameable, to_pinyin if exact else _fast_pinyin_of_key)
    mismatch = 0.0 if exact else _pinyin_mismatch(written.sample)
    meta = {
        "schema": str(SCHEMA_VERSION),
        "fingerprint": fingerprint(store.path) if store.path else "",
        "entries": str(written.entries),
        "keys": str(len(written.offsets)),
        "pinyin": "exact" if exact else "per-character",
        "pinyin_mismatch": f"{mismatch:.4f}",
    }
    db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    db.commit()
    db.close()
    with (directory / (BLOB + ".tmp")).open("wb") as f:
        f.write(len(written.offsets).to_bytes(8, "little"))
        f.write(written.offsets.tobytes())
        f.write(written.owners.tobytes())
        f.write(written.blob)
    os.replace(directory / (BLOB + ".tmp"), directory / BLOB)
    os.replace(tmp, directory / FILE)
    return {"entries": written.entries, "keys": len(written.offsets), "read_s": round(t_read, 2),
            "total_s": round(time.perf_counter() - t0, 2), "pinyin": meta["pinyin"],
            "pinyin_mismatch": mismatch}


def _names_at_most(db: sqlite3.Connection, limit: int) -> bool:
    """Whether the staged resources have at most ``limit`` names (each resource's distinct names,
    counted only up to ``limit + 1``)."""
    (n,) = db.execute("SELECT COUNT(*) FROM (SELECT DISTINCT rank, name FROM raw LIMIT ?)", (limit + 1,)).fetchone()
    return bool(n <= limit)


def _pinyin_mismatch(sample: list[list[str]]) -> float:
    """Share of the Chinese names in ``sample`` (the names of some entries) whose per-character
    pinyin differs from pypinyin's phrase segmentation."""
    from graph.index.keys import has_cjk, normalise, to_pinyin

    keys = [normalise(n) for names in sample for n in names if has_cjk(n)]
    if not keys:
        return 0.0
    return sum(fast_pinyin(k) != to_pinyin(k) for k in keys) / len(keys)


# --- reading ----------------------------------------------------------------------------------


class NameStore:
    """Read side of the persistent index; thread-safe (one SQLite connection per thread)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._local = threading.local()
        self.meta = dict(self.db.execute("SELECT k, v FROM meta").fetchall())
        self.size = int(self.meta["keys"])
        self._blob: tuple[mmap.mmap, memoryview, memoryview] | None = None
        self._lock = threading.Lock()

    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "db", None)
        if conn is None:
            conn = sqlite3.connect(f"file:{self.directory / FILE}?mode=ro", uri=True, check_same_thread=False)
            self._local.db = conn
        return conn

    # entries

    def entry_row(self, iri: str) -> tuple[Any, ...] | None:
        return self.db.execute("SELECT eid, iri, kind, label, labels, names FROM entries WHERE iri = ?",
                               (iri,)).fetchone()

    def entry_by_eid(self, eids: list[int]) -> list[tuple[Any, ...]]:
        out = []
        for i in range(0, len(eids), 500):
            chunk = eids[i : i + 500]
            out += self.db.execute(
                f"SELECT eid, iri, kind, label, labels, names FROM entries WHERE eid IN ({','.join('?' * len(chunk))})",
                chunk).fetchall()
        return out

    def kinds(self, eids: list[int]) -> dict[int, str]:
        """The kind of each of ``eids`` (no entry is decoded)."""
        out: dict[int, str] = {}
        for i in range(0, len(eids), 500):
            chunk = eids[i : i + 500]
            out.update(self.db.execute(
                f"SELECT eid, kind FROM entries WHERE eid IN ({','.join('?' * len(chunk))})", chunk).fetchall())
        return out

    def all_entries(self) -> Iterator[tuple[Any, ...]]:
        yield from self.db.execute("SELECT eid, iri, kind, label, labels, names FROM entries ORDER BY eid")

    def count(self) -> int:
        return int(self.meta["entries"])

    # lookups: each returns {eid: matched key}

    def exact(self, *keys: str) -> dict[int, str]:
        out: dict[int, str] = {}
        for k in dict.fromkeys(keys):
            for (eid,) in self.db.execute("SELECT eid FROM keys WHERE key = ?", (k,)):
                out.setdefault(eid, k)
        return out

    def stems(self, *stems: str) -> dict[int, str]:
        out: dict[int, str] = {}
        for s in dict.fromkeys(stems):
            for (eid,) in self.db.execute("SELECT eid FROM stems WHERE stem = ?", (s,)):
                out.setdefault(eid, s)
        return out

    def slugs(self, *slugs: str) -> dict[int, str]:
        out: dict[int, str] = {}
        for s in dict.fromkeys(slugs):
            for (eid,) in self.db.execute("SELECT eid FROM slugs WHERE slug = ?", (s,)):
                out.setdefault(eid, s)
        return out

    def prefix_hits(self, *prefixes: str) -> Iterator[tuple[int, str]]:
        """(eid, key) for the keys starting with one of ``prefixes``, in (key, eid) order: an index
        range scan per prefix, merged, read only as far as the caller iterates."""
        scans = [
            self.db.execute("SELECT key, eid FROM keys WHERE key >= ? AND key < ? ORDER BY key, eid",
                            (p, p + "\U0010ffff"))
            for p in dict.fromkeys(x for x in prefixes if x)
        ]
        for key, eid in heapq.merge(*scans):
            yield eid, key

    def _mapped(self) -> tuple[mmap.mmap, memoryview, memoryview]:
        with self._lock:
            if self._blob is None:
                f = (self.directory / BLOB).open("rb")
                mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
                f.close()
                n = int.from_bytes(mm[:8], "little")
                offsets = memoryview(mm)[8 : 8 + 8 * n].cast("q")
                owners = memoryview(mm)[8 + 8 * n : 8 + 16 * n].cast("q")
                self._blob = (mm, offsets, owners)
            return self._blob

    def substring_hits(self, needle: str) -> Iterator[tuple[int, str]]:
        """(eid, key) for the keys containing ``needle``: those of the build (:meth:`_built_hits`),
        then those added by imports since (table ``extra_keys``, :mod:`graph.index.side_files`); hits
        of entries an import replaced or removed are skipped."""
        hits = self._built_hits(needle)
        if int(self.meta.get("deleted", "0")):
            alive = self.db.execute
            hits = ((eid, key) for eid, key in hits
                    if alive("SELECT 1 FROM entries WHERE eid = ?", (eid,)).fetchone() is not None)
        yield from hits
        if self._has_extra():
            yield from self.db.execute("SELECT eid, key FROM extra_keys WHERE instr(key, ?) > 0 ORDER BY num",
                                       (needle,))

    def _has_extra(self) -> bool:
        found = self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'extra_keys'").fetchone()
        return found is not None

    def _built_hits(self, needle: str) -> Iterator[tuple[int, str]]:
        """(eid, key) for the build's keys containing ``needle``, in key-number order (which is eid
        order, so IRI order), read only as far as the caller iterates.

        With a Chinese character: the keys of the shortest posting among the needle's character
        bigrams (or, for one character, of that character) in ``grams``, checked. Three or more
        characters without a Chinese one: SQLite's trigram index (``latin``). Anything else (one
        or two Latin letters): a scan of the key blob.
        """
        from graph.index.keys import has_cjk

        mm, offsets, owners = self._mapped()
        base = 8 + 16 * len(offsets)
        if has_cjk(needle):
            for i in self._gram_candidates(needle):
                start = base + offsets[i]
                key = mm[start : mm.find(b"\n", start)].decode()
                if needle in key:
                    yield owners[i], key
            return
        if len(needle) >= 3 and not _LIKE_SPECIAL.search(needle):
            for i, key in self.db.execute("SELECT rowid, key FROM latin WHERE key LIKE ? ORDER BY rowid",
                                          (f"%{needle}%",)):
                if needle in key:  # LIKE folds ASCII case; keys are lower case already
                    yield owners[i], key
            return
        pat = needle.encode()
        pos = mm.find(pat, base)
        while pos != -1:
            i = bisect_right(offsets, pos - base) - 1
            start = base + offsets[i]
            end = mm.find(b"\n", start)
            yield owners[i], mm[start:end].decode()
            pos = mm.find(pat, end + 1)

    def _gram_candidates(self, needle: str) -> Iterator[int]:
        """Numbers of the Chinese keys holding every character bigram of ``needle`` (its one
        character if it has only one): the
        shortest posting, ascending (a superset of the keys containing ``needle``; nothing if a
        bigram is absent). Only that posting is read, and only as far as the caller iterates
        (SQLite's incremental blob I/O): the lengths of the others come from the table."""
        grams = sorted({needle[i : i + 2] for i in range(len(needle) - 1)} or {needle})
        sizes = self.db.execute(
            f"SELECT rowid, length(keys) FROM grams WHERE gram IN ({','.join('?' * len(grams))})",
            grams).fetchall()
        if len(sizes) < len(grams):
            return
        rowid = min(sizes, key=lambda row: (row[1], row[0]))[0]
        with self.db.blobopen("grams", "keys", rowid, readonly=True) as blob:
            while chunk := blob.read(_POSTING_CHUNK):
                yield from array("i", chunk)

    def keys_with_owner(self, *prefixes: str, limit: int = 50_000) -> list[tuple[str, int]]:
        """(key, eid) for fuzzy matching: every key (seed-sized stores, so the fuzzy tier is exactly
        :class:`NameIndex`'s) or, above ``FULL_FUZZY_LIMIT`` keys, the keys sharing the first two
        characters of a query (a scan of every key costs ~3 ms per 10k keys)."""
        if self.size <= FULL_FUZZY_LIMIT or not prefixes:
            return [(k, e) for k, e in self.db.execute("SELECT key, eid FROM keys")]
        rows: list[tuple[str, int]] = []
        for p in dict.fromkeys(x[:2] for x in prefixes if x):
            rows += self.db.execute("SELECT key, eid FROM keys WHERE key >= ? AND key < ? LIMIT ?",
                                    (p, p + "\U0010ffff", limit)).fetchall()
        return rows


def sealed(directory: Path, seal: str | None = None) -> bool:
    """Whether the index in ``directory`` exists, has this schema and carries ``seal`` (default:
    the fingerprint of the store files in ``directory``)."""
    if not (directory / BLOB).exists():
        return False
    return meta_matches(directory / FILE, SCHEMA_VERSION, seal if seal is not None else fingerprint(directory))


def meta_matches(path: Path, schema: int, expected: str) -> bool:
    """Whether the side file at ``path`` exists, is readable and its ``meta`` table says ``schema``
    and the fingerprint ``expected`` (shared by every sealed side file)."""
    if not path.exists():
        return False
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            meta = dict(db.execute("SELECT k, v FROM meta").fetchall())
        finally:
            db.close()
    except sqlite3.Error:
        return False
    return meta.get("schema") == str(schema) and meta.get("fingerprint") == expected


def open_for(store: KGStore) -> NameStore | None:
    """The persistent index of ``store`` when it exists and is current for it, else None.

    Current: sealed with the fingerprint of the store's files (or, for a remote store, with the
    seal checked against the server) while this process has not written the store, or kept
    current by this process's writes (:mod:`graph.index.seals`).
    """
    from graph.index import seals

    located: tuple[Path, str] | None = getattr(store, "side_files", None)  # a remote store's, checked
    if located is not None:
        if store.version != 0 or not sealed(located[0], located[1]):
            return None
        directory = located[0]
    elif store.path is None:
        return None
    else:
        directory = store.path
        ok, _ = seals.usable(store, FILE, lambda: sealed(directory))
        if not ok:
            return None
    try:
        ns = NameStore(directory)
    except sqlite3.Error:
        return None
    return ns if ns.meta.get("schema") == str(SCHEMA_VERSION) else None


class LazyEntries(Mapping[str, Any]):
    """``NameIndex.entries`` over the persistent index: entries read on demand."""

    def __init__(self, ns: NameStore, make: Any) -> None:
        self.ns = ns
        self.make = make  # row → Entry

    def __getitem__(self, iri: str) -> Any:
        row = self.ns.entry_row(iri)
        if row is None:
            raise KeyError(iri)
        return self.make(row)

    def __contains__(self, iri: object) -> bool:
        return isinstance(iri, str) and self.ns.entry_row(iri) is not None

    def __iter__(self) -> Iterator[str]:
        for row in self.ns.all_entries():
            yield row[1]

    def __len__(self) -> int:
        return self.ns.count()

    def values(self) -> Any:
        return [self.make(row) for row in self.ns.all_entries()]
