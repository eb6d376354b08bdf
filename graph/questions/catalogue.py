"""The small, shared side of the graph, read once per store version: segments (labels, stage,
chains, supply edges) and places (their ancestors).

An enterprise lookup needs the template facts of its two or three segments and the place tree
above its location. Those facts are the same for every enterprise, and there are few of them
(hundreds of segments, thousands of places even at a national scale), so they are read with
one named query each and kept per store version; every write bumps the version, and the next
call reads them again. The per-enterprise facts (claims, provenance, location) are always
queried.

>>> from graph.store.embedded import KGStore
>>> kg = KGStore()
>>> segments(kg)
{}
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rdflib import URIRef

from graph import queries
from graph.store.embedded import KGStore

T = TypeVar("T")

_CACHE: weakref.WeakKeyDictionary[KGStore, tuple[int, dict[str, Any]]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def per_version(store: KGStore, key: str, compute: Callable[[], T]) -> T:
    """``compute()``'s value for ``store`` at its current version, computed at most once per version.

    >>> kg = KGStore()
    >>> per_version(kg, "answer", lambda: 42), per_version(kg, "answer", lambda: 0)
    (42, 42)
    """
    version = store.version
    with _LOCK:
        cached = _CACHE.get(store)
        if cached is None or cached[0] != version:
            cached = (version, {})
            _CACHE[store] = cached
        table = cached[1]
        if key in table:
            return table[key]
    value = compute()
    with _LOCK:
        current = _CACHE.get(store)
        if current is not None and current[0] == version:
            current[1][key] = value
    return value


@dataclass
class Chain:
    """A chain template a segment belongs to."""

    iri: str
    label: str | None
    label_en: str | None


@dataclass
class Segment:
    """A chain segment: labels, stage (local name of ``ckg:stage``'s value), chains, neighbours."""

    iri: str
    label: str | None = None
    label_en: str | None = None
    stage: str | None = None
    chains: list[Chain] = field(default_factory=list)


@dataclass
class Links:
    """The supply edges at one segment: (segment, its zh label) pairs supplying it and supplied by it."""

    suppliers: list[tuple[str, str | None]] = field(default_factory=list)
    customers: list[tuple[str, str | None]] = field(default_factory=list)


def segments(store: KGStore) -> dict[str, Segment]:
    """Every segment of the store by IRI (``segment_catalogue.rq``): typed ``ckg:Segment`` or part of a chain."""
    return per_version(store, "segments", lambda: _read_segments(store))


def _read_segments(store: KGStore) -> dict[str, Segment]:
    out: dict[str, Segment] = {}
    for r in store.select(queries.load("segment_catalogue")):
        seg = out.get(r["seg"])
        if seg is None:
            seg = out[r["seg"]] = Segment(r["seg"], r.get("segLabel"), r.get("segLabelEn"), r.get("stage"))
        chain = r.get("chain")
        if chain is not None and all(c.iri != chain for c in seg.chains):
            seg.chains.append(Chain(chain, r.get("chainLabel"), r.get("chainLabelEn")))
    return out


def supply_links(store: KGStore) -> dict[str, Links]:
    """The ``ckg:suppliesTo`` edges by segment, both directions (``segment_links.rq``)."""
    return per_version(store, "links", lambda: _read_links(store))


def _read_links(store: KGStore) -> dict[str, Links]:
    out: dict[str, Links] = {}
    for r in store.select(queries.load("segment_links")):
        source, target = out.setdefault(r["from"], Links()), out.setdefault(r["to"], Links())
        if all(s != r["from"] for s, _ in target.suppliers):
            target.suppliers.append((r["from"], r.get("fromLabel")))
        if all(s != r["to"] for s, _ in source.customers):
            source.customers.append((r["to"], r.get("toLabel")))
    return out


def ancestors(store: KGStore, place: str) -> list[dict[str, Any]]:
    """The place and every place containing it, nearest first, with labels and classes
    (``ancestors.rq``, read once per place and store version).

    >>> kg = KGStore()
    >>> _ = kg.load_data("<https://e.org/park> <https://w3id.org/chainkg/ontology#partOf> <https://e.org/city> .",
    ...                  fmt="ttl", graph="https://e.org/g")
    >>> [p["iri"] for p in ancestors(kg, "https://e.org/park")]
    ['https://e.org/park', 'https://e.org/city']
    """
    def read() -> list[dict[str, Any]]:
        rows = store.select(queries.load("ancestors"), bindings={"place": URIRef(place)})
        return [
            {"iri": r["anc"], "label": r.get("label"), "label_en": r.get("labelEn"),
             "types": sorted(r.get("types", "").split())}
            for r in rows
        ]

    found = per_version(store, "ancestors:" + place, read)
    return [dict(p, types=list(p["types"])) for p in found]
