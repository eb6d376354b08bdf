"""Name resolution: IRI, slug, full or short Chinese name, alias, English label or pinyin → resource.

Matching runs in tiers and stops at the first tier that matches anything:

1. the IRI itself, or its slug (last path segment);
2. a whole name, after normalisation (NFKC, case, spaces), or its whole pinyin;
3. a name's *stem*: the name without administrative or company suffixes
   (区, 县, 高新区, 有限公司, 股份有限公司, …) and without the 重庆/重庆市 prefix, or the stem's pinyin;
4. a prefix of a name or of its pinyin (``sanlei`` → 三磊玻纤);
5. a substring of a Chinese name (``三磊`` → 重庆三磊玻纤股份有限公司).

One resource in the first matching tier resolves the name; several are an
:class:`~graph.errors.AmbiguousNameError` listing them; none is an
:class:`~graph.errors.UnknownEntityError` with the closest names by fuzzy score (rapidfuzz),
which also catches typos.
"""

from __future__ import annotations

import itertools
import json
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from graph import queries
from graph.errors import AmbiguousNameError, Candidate, UnknownEntityError
from graph.index.keys import (  # noqa: F401 (re-exported)
    _PREFIXES,
    _SUFFIXES,
    has_cjk,
    keys_and_stems,
    normalise,
    stem,
    to_pinyin,
)
from graph.index.name_store import LazyEntries
from graph.ns import ID_BASE
from graph.store.embedded import KGStore

#: The kinds of named resources, in the order the search page lists them.
KINDS = ("region", "enterprise", "chain", "segment", "industry", "portfolio", "project", "alliance", "policy",
         "person", "honour")
#: Kinds a name resolves to first when no kind is asked for: ``三磊`` is the enterprise, not one of
#: the projects named after it; the other kinds are tried when none of these matches.
CORE_KINDS = ("region", "enterprise", "chain", "segment", "industry")
#: Latin search text shorter than this matches names by prefix only (``an`` inside every other
#: pinyin is noise, not a hit).
MIN_LATIN_SUBSTRING = 3

#: At most this many candidates are listed when a name is ambiguous (the count is exact).
MAX_CANDIDATES = 50


class Matches(NamedTuple):
    """What a name matches in its first matching tier."""

    tier: str  # iri, slug, exact, stem, prefix, substring or none
    candidates: list[Candidate]  # in order, at most the limit asked for
    total: int  # how many resources matched in that tier


@dataclass
class Entry:
    """A resource's names, grouped."""

    iri: str
    kind: str
    labels: dict[str, str] = field(default_factory=dict)  # lang → label
    names: set[str] = field(default_factory=set)  # every name, as written

    @property
    def label(self) -> str:
        return self.labels.get("zh") or self.labels.get("en") or next(iter(sorted(self.names)), self.iri)


class NameIndex:
    """In-memory index of every name in a store; build once per store version.

    >>> kg = KGStore()
    >>> _ = kg.load_data('''@prefix ckg: <https://w3id.org/chainkg/ontology#> .
    ... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ... <https://w3id.org/chainkg/id/enterprise/sanlei-boxian> a ckg:Enterprise ;
    ...     rdfs:label "三磊玻纤"@zh , "Sanlei Glass Fibre"@en .''', fmt="ttl")
    >>> NameIndex.build(kg).resolve("sanlei").label
    '三磊玻纤'
    """

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: dict[str, Entry] = {e.iri: e for e in entries}
        self._exact: dict[str, set[str]] = defaultdict(set)
        self._stem: dict[str, set[str]] = defaultdict(set)
        self._slug: dict[str, set[str]] = defaultdict(set)
        self._keys: list[tuple[str, str]] = []  # (key, iri) for prefix / substring / fuzzy
        for entry in self.entries.values():
            self._slug[entry.iri.rstrip("/").rsplit("/", 1)[-1].lower()].add(entry.iri)
            keys, stems = keys_and_stems(entry.names)
            for k in sorted(keys):
                self._exact[k].add(entry.iri)
                self._keys.append((k, entry.iri))
            for s in stems:
                self._stem[s].add(entry.iri)
        self._key_list = [k for k, _ in self._keys]

    @classmethod
    def build(cls, store: KGStore) -> NameIndex:
        """Read every name from ``store`` (one SPARQL query) and index it."""
        entries: dict[str, Entry] = {}
        for row in store.select(queries.load("names")):
            entry = entries.get(row["s"])
            if entry is None:
                entry = entries[row["s"]] = Entry(row["s"], row["kind"])
            elif entry.kind in ("region", "industry") and row["kind"] != entry.kind:
                pass  # first kind wins; the classes map to one kind per resource
            name = str(row["name"])
            entry.names.add(name)
            if row.get("how") == "label" and row.get("lang"):
                entry.labels.setdefault(row["lang"], name)
        return cls(entries.values())

    # --- resolution ---------------------------------------------------------------------------

    def _allowed(self, iris: Iterable[str], kinds: tuple[str, ...] | None) -> set[str]:
        return {i for i in iris if i in self.entries and (kinds is None or self.entries[i].kind in kinds)}

    def candidates(self, name: str, *, kinds: tuple[str, ...] | None = None) -> tuple[str, list[Candidate]]:
        """Return (tier, matches) for ``name``: the first tier with any match, or ``("none", [])``."""
        found = self.matches(name, kinds=kinds)
        return found.tier, found.candidates

    def matches(self, name: str, *, kinds: tuple[str, ...] | None = None, limit: int | None = None) -> Matches:
        """The first tier with any match for ``name``: its first ``limit`` candidates (all when
        ``None``) and how many there are. Prefix matches come by the key they matched, the others
        by IRI, as in :meth:`search`.

        >>> kg = KGStore()
        >>> _ = kg.load_data('''@prefix ckg: <https://w3id.org/chainkg/ontology#> .
        ... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ... <https://w3id.org/chainkg/id/enterprise/a> a ckg:Enterprise ; rdfs:label "华芯智造"@zh .
        ... <https://w3id.org/chainkg/id/enterprise/b> a ckg:Enterprise ; rdfs:label "华芯科技"@zh .''', fmt="ttl")
        >>> found = NameIndex.build(kg).matches("华芯", limit=1)
        >>> found.tier, [c.label for c in found.candidates], found.total  # by the Chinese key matched
        ('prefix', ['华芯智造'], 2)
        """
        raw = name.strip()
        if raw in self.entries or raw.startswith(ID_BASE):
            found = self._listed("iri", [raw], raw, kinds, limit)
            return found if found.total else Matches("none", [], 0)
        key = normalise(raw)
        if not key:
            return Matches("none", [], 0)
        # Chinese text matches Chinese names as typed: its pinyin would make a wrong character
        # (三雷 for 三磊) resolve silently; those are suggestions (:meth:`suggest`), not answers.
        pinyin_key = key if has_cjk(key) else to_pinyin(key)
        stem_pinyin = stem(key) if has_cjk(key) else to_pinyin(stem(key))
        tiers: list[tuple[str, set[str]]] = [
            ("slug", self._slug.get(raw.lower(), set())),
            ("exact", self._exact.get(key, set()) | self._exact.get(pinyin_key, set())),
            ("stem", self._stem.get(stem(key), set()) | self._stem.get(stem_pinyin, set())),
        ]
        for tier, iris in tiers:
            found = self._listed(tier, sorted(iris), raw, kinds, limit)
            if found.total:
                return found
        first_key: dict[str, str] = {}  # iri → its smallest key with either prefix
        for k, iri in self._keys:
            hit = k.startswith(key) or (pinyin_key and k.startswith(pinyin_key))
            if hit and (iri not in first_key or k < first_key[iri]):
                first_key[iri] = k
        by_key = [iri for iri, _ in sorted(first_key.items(), key=lambda hit: (hit[1], hit[0]))]
        found = self._listed("prefix", by_key, raw, kinds, limit)
        if found.total or not has_cjk(key):
            return found if found.total else Matches("none", [], 0)
        found = self._listed("substring", sorted({i for k, i in self._keys if key in k}), raw, kinds, limit)
        return found if found.total else Matches("none", [], 0)

    def _listed(self, tier: str, iris: list[str], matched: str, kinds: tuple[str, ...] | None,
                limit: int | None) -> Matches:
        """``iris`` (ordered) of the allowed kinds as a tier's :class:`Matches`."""
        allowed = [i for i in iris if i in self.entries and (kinds is None or self.entries[i].kind in kinds)]
        shown = allowed if limit is None else allowed[:limit]
        return Matches(tier, [Candidate(i, self.entries[i].kind, self.entries[i].label, matched) for i in shown],
                       len(allowed))

    def suggest(self, name: str, *, kinds: tuple[str, ...] | None = None, limit: int = 5) -> list[Candidate]:
        """The closest names by fuzzy score (at least 50), one per resource, best first (ties by IRI)."""
        key = normalise(name)
        if not key or not self._key_list:
            return []
        from rapidfuzz import fuzz
        from rapidfuzz.process import extract

        queries_ = {key, to_pinyin(key)} if has_cjk(key) else {key}
        best: dict[str, Candidate] = {}
        for q in queries_:
            for _, score, idx in extract(q, self._key_list, scorer=fuzz.WRatio, limit=None, score_cutoff=50):
                iri = self._keys[idx][1]
                if iri not in self._allowed([iri], kinds):
                    continue
                e = self.entries[iri]
                if iri not in best or (best[iri].score, best[iri].matched) < (score, self._key_list[idx]):
                    best[iri] = Candidate(iri, e.kind, e.label, self._key_list[idx], float(score))
        return sorted(best.values(), key=lambda c: (-c.score, c.iri))[:limit]

    def resolve(self, name: str, *, kinds: tuple[str, ...] | None = None) -> Entry:
        """Resolve ``name`` to one resource.

        Args:
            name: IRI, slug, Chinese name (full, short, alias), English label or pinyin.
            kinds: restrict to these kinds (see ``KINDS``); without, the ``CORE_KINDS`` are tried
                first and the others only when none of them matches.

        Raises:
            AmbiguousNameError: several resources match equally well.
            UnknownEntityError: nothing matches; carries suggestions.
        """
        what = "/".join(kinds) if kinds else None
        found = self.matches(name, kinds=kinds or CORE_KINDS, limit=MAX_CANDIDATES)
        if not found.total and kinds is None:
            found = self.matches(name, kinds=None, limit=MAX_CANDIDATES)
        if found.total == 1:
            return self.entries[found.candidates[0].iri]
        if found.total:
            raise AmbiguousNameError(name, found.candidates, kind=what, total=found.total)
        raise UnknownEntityError(name, self.suggest(name, kinds=kinds), kind=what)

    def _typo_matches(self, text: str, *, kinds: tuple[str, ...] | None, limit: int) -> list[Candidate]:
        """The fuzzy suggestions for ``text`` as search hits (score 50), closest first."""
        suggestions = self.suggest(text, kinds=kinds, limit=limit)
        return [Candidate(c.iri, c.kind, c.label, c.matched, 50.0) for c in suggestions]

    def search(self, text: str, *, kinds: tuple[str, ...] | None = None, limit: int = 20) -> list[Candidate]:
        """Find resources whose names contain ``text`` (Chinese, alias or pinyin), best first.

        Each resource appears once, in its best tier: exact name (or, for Latin text, a name's
        whole pinyin; score 100), stem
        (90), prefix of a name (80), substring of a name (70; Latin text of at least
        ``MIN_LATIN_SUBSTRING`` letters), and for Chinese text a prefix of a name's pinyin (60:
        homophones, e.g. a character typed wrong). Text matches as typed: Chinese in Chinese names,
        Latin letters in pinyin and English names. Within a tier, prefix hits come by the key they
        matched (the closest completion first), the others by IRI; so the first ``limit`` hits
        can be read off ordered indexes without collecting every match. Fuzzy matches (typos,
        score 50) only when nothing else matched.

        >>> kg = KGStore()
        >>> _ = kg.load_data('''@prefix ckg: <https://w3id.org/chainkg/ontology#> .
        ... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ... <https://w3id.org/chainkg/id/enterprise/a> a ckg:Enterprise ; rdfs:label "三磊玻纤"@zh .
        ... <https://w3id.org/chainkg/id/enterprise/b> a ckg:Enterprise ; rdfs:label "玻纤制品"@zh .
        ... <https://w3id.org/chainkg/id/enterprise/c> a ckg:Enterprise ; rdfs:label "博贤科技"@zh .''', fmt="ttl")
        >>> [(c.label, c.score) for c in NameIndex.build(kg).search("玻纤")]
        [('玻纤制品', 80.0), ('三磊玻纤', 70.0), ('博贤科技', 60.0)]
        """
        key = normalise(text)
        if not key:
            return []
        pkey = to_pinyin(key) if has_cjk(key) else key
        chinese = pkey != key
        inner = chinese or len(key) >= MIN_LATIN_SUBSTRING
        prefixed: dict[str, str] = {}  # iri → its smallest key starting with the text
        inside: dict[str, str] = {}  # iri → its smallest key holding the text (not set order: stable)
        sounds: dict[str, str] = {}  # iri → its smallest key starting with the text's pinyin
        for k, iri in self._keys:
            if k.startswith(key):
                if iri not in prefixed or k < prefixed[iri]:
                    prefixed[iri] = k
            elif inner and key in k and (iri not in inside or k < inside[iri]):
                inside[iri] = k
            elif chinese and k.startswith(pkey) and (iri not in sounds or k < sounds[iri]):
                sounds[iri] = k
        exact = self._exact.get(key, set())  # as typed: a Chinese text's pinyin is a homophone (60)
        tiers: list[list[tuple[str, str]]] = [
            [(iri, text) for iri in sorted(exact)],
            [(iri, text) for iri in sorted(self._stem.get(stem(key), set()))],
            sorted(prefixed.items(), key=lambda hit: (hit[1], hit[0])),
            sorted(inside.items()),
            sorted(sounds.items(), key=lambda hit: (hit[1], hit[0])),
        ]
        found: list[Candidate] = []
        seen: set[str] = set()
        for tier, hits in enumerate(tiers):
            for iri, matched in hits:
                if len(found) >= limit:
                    break
                if iri in seen or not self._allowed([iri], kinds):
                    continue
                seen.add(iri)
                e = self.entries[iri]
                found.append(Candidate(iri, e.kind, e.label, matched, float(100 - tier * 10)))
        if not found:  # fuzzy matching only rescues typos: closest first, when nothing else matched
            return self._typo_matches(text, kinds=kinds, limit=limit)
        return found


class PersistentNameIndex(NameIndex):
    """The same questions as :class:`NameIndex`, answered from the persistent index
    (:mod:`graph.index.name_store`) built beside an on-disk store: nothing is loaded at start-up."""

    def __init__(self, ns: Any) -> None:
        self.ns = ns
        self.entries = LazyEntries(ns, self._entry)  # type: ignore[assignment]
        self._by_eid: dict[int, Entry] = {}

    @staticmethod
    def _entry(row: tuple[Any, ...]) -> Entry:
        _, iri, kind, _, labels, names = row
        return Entry(iri, kind, json.loads(labels), set(json.loads(names)))

    def _entries(self, eids: Iterable[int]) -> dict[int, Entry]:
        missing = [e for e in eids if e not in self._by_eid]
        if missing:
            found = {row[0]: self._entry(row) for row in self.ns.entry_by_eid(missing)}
            if len(self._by_eid) > 100_000:
                self._by_eid.clear()
            self._by_eid.update(found)
        return {e: self._by_eid[e] for e in eids if e in self._by_eid}

    def matches(self, name: str, *, kinds: tuple[str, ...] | None = None, limit: int | None = None) -> Matches:
        raw = name.strip()
        ns = self.ns
        if raw.startswith(ID_BASE) or ns.entry_row(raw) is not None:
            row = ns.entry_row(raw)
            found = self._listed_eids("iri", [row[0]] if row else [], raw, kinds, limit)
            return found if found.total else Matches("none", [], 0)
        key = normalise(raw)
        if not key:
            return Matches("none", [], 0)
        pinyin_key = key if has_cjk(key) else to_pinyin(key)  # Chinese matches as typed (see NameIndex)
        stem_pinyin = stem(key) if has_cjk(key) else to_pinyin(stem(key))
        tiers: list[tuple[str, Callable[[], Iterable[int]]]] = [
            ("slug", lambda: sorted(ns.slugs(key, raw.lower()))),
            ("exact", lambda: sorted(ns.exact(key, pinyin_key))),
            ("stem", lambda: sorted(ns.stems(stem(key), stem_pinyin))),
            ("prefix", lambda: (eid for eid, _ in ns.prefix_hits(key, pinyin_key))),
        ]
        if has_cjk(key):
            tiers.append(("substring", lambda: (eid for eid, _ in ns.substring_hits(key))))
        for tier, eids in tiers:
            found = self._listed_eids(tier, list(dict.fromkeys(eids())), raw, kinds, limit)
            if found.total:
                return found
        return Matches("none", [], 0)

    def _listed_eids(self, tier: str, eids: list[int], matched: str, kinds: tuple[str, ...] | None,
                     limit: int | None) -> Matches:
        """``eids`` (ordered) of the allowed kinds as a tier's :class:`Matches`: kinds read for all
        of them, entries only for those listed."""
        if kinds is not None:
            kind_of = self.ns.kinds(eids)
            eids = [e for e in eids if kind_of.get(e) in kinds]
        shown = eids if limit is None else eids[:limit]
        entries = self._entries(shown)
        return Matches(tier, [Candidate(entries[e].iri, entries[e].kind, entries[e].label, matched)
                              for e in shown if e in entries], len(eids))

    def suggest(self, name: str, *, kinds: tuple[str, ...] | None = None, limit: int = 5) -> list[Candidate]:
        key = normalise(name)
        if not key:
            return []
        queries_ = {key, to_pinyin(key)} if has_cjk(key) else {key}
        pool = self.ns.keys_with_owner(*queries_)
        if not pool:
            return []
        key_list = [k for k, _ in pool]
        from rapidfuzz import fuzz
        from rapidfuzz.process import extract

        scored: dict[int, tuple[float, str]] = {}
        for q in queries_:
            for _, score, idx in extract(q, key_list, scorer=fuzz.WRatio, limit=None, score_cutoff=50):
                eid = pool[idx][1]
                if eid not in scored or scored[eid] < (score, key_list[idx]):
                    scored[eid] = (float(score), key_list[idx])
        best = []
        for eid, e in self._entries(scored).items():
            if kinds is None or e.kind in kinds:
                best.append(Candidate(e.iri, e.kind, e.label, scored[eid][1], scored[eid][0]))
        return sorted(best, key=lambda c: (-c.score, c.iri))[:limit]

    def search(self, text: str, *, kinds: tuple[str, ...] | None = None, limit: int = 20) -> list[Candidate]:
        """:meth:`NameIndex.search`, reading each tier's hits in rank order from the persistent
        index and stopping at ``limit``: a common prefix or substring costs what the hits shown
        cost, not what every match would."""
        key = normalise(text)
        if not key:
            return []
        pkey = to_pinyin(key) if has_cjk(key) else key
        ns = self.ns
        found: list[Candidate] = []
        seen: set[int] = set()
        chinese = pkey != key
        none: list[tuple[int, str]] = []
        tiers: list[tuple[Iterable[tuple[int, str]], str | None]] = [
            (sorted(ns.exact(key).items()), text),
            (sorted(ns.stems(stem(key)).items()), text),
            (ns.prefix_hits(key), None),
            (ns.substring_hits(key) if chinese or len(key) >= MIN_LATIN_SUBSTRING else none, None),
            (ns.prefix_hits(pkey) if chinese else none, None),
        ]
        for tier, (hits, matched) in enumerate(tiers):
            score = float(100 - tier * 10)
            unseen = _first_sight(hits, seen)
            # Read entries a batch at a time, never more than could still be shown.
            while len(found) < limit and (batch := list(itertools.islice(unseen, limit - len(found)))):
                entries = self._entries([eid for eid, _ in batch])
                found += [Candidate(e.iri, e.kind, e.label, matched or k, score) for eid, k in batch
                          if (e := entries.get(eid)) is not None and (kinds is None or e.kind in kinds)]
        if not found:  # fuzzy matching only rescues typos: closest first, when nothing else matched
            return self._typo_matches(text, kinds=kinds, limit=limit)
        return found


def _first_sight(hits: Iterable[tuple[int, str]], seen: set[int]) -> Iterator[tuple[int, str]]:
    """The hits whose resource is not in ``seen``, each resource once (added to ``seen``)."""
    for eid, key in hits:
        if eid not in seen:
            seen.add(eid)
            yield eid, key


_CACHE: weakref.WeakKeyDictionary[KGStore, tuple[int, NameIndex]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def index_for(store: KGStore) -> NameIndex:
    """The name index of ``store``, rebuilt when the store has changed since it was built.

    An on-disk store with a current persistent index (see :mod:`graph.index.name_store`, written by
    :func:`graph.index.materialize.materialize_closed` and kept current across imports by
    :mod:`graph.index.side_files`) is answered from it; otherwise every name is read into memory
    once per store version.
    """
    version = store.version
    with _LOCK:
        cached = _CACHE.get(store)
        if cached is not None and cached[0] == version:
            return cached[1]
    from graph.index import name_store, seals

    # While a write that keeps the persistent index current is under way, it answers as of before
    # that write: used, not cached (the write records it current for the new version when done).
    cache = not seals.in_flight(store)
    ns = name_store.open_for(store)
    index = PersistentNameIndex(ns) if ns is not None else NameIndex.build(store)
    if cache:
        with _LOCK:
            _CACHE[store] = (version, index)
    return index


def resolve(store: KGStore, name: str, *, kinds: tuple[str, ...] | None = None) -> Entry:
    """Resolve ``name`` in ``store`` (see :meth:`NameIndex.resolve`)."""
    return index_for(store).resolve(name, kinds=kinds)
