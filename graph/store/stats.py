"""Counts over the graph: instances per class, facts per source, facts without provenance."""

from __future__ import annotations

from dataclasses import dataclass

from graph import queries
from graph.ns import PREFIXES
from graph.store.embedded import KGStore


def compact(iri: str) -> str:
    """Shorten an IRI with the chainkg prefixes.

    >>> compact("https://w3id.org/chainkg/ontology#Enterprise")
    'ckg:Enterprise'
    """
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best):
            best, name = ns, prefix
    return f"{name}:{iri[len(best):]}" if best else iri


def class_counts(store: KGStore) -> dict[str, int]:
    """Instances per class (compact class names), largest first."""
    return {compact(r["class"]): int(r["n"]) for r in store.select(queries.load("class_counts"))}


def unsourced_facts(store: KGStore) -> list[dict[str, str]]:
    """Every fact that lacks provenance (should be empty)."""
    return store.select(queries.load("unsourced_facts"))


def unsourced_count(store: KGStore) -> int:
    """How many facts lack provenance."""
    return len(unsourced_facts(store))


@dataclass(frozen=True)
class SourceCount:
    source: str
    file: str | None
    claims: int
    facts: int


def source_counts(store: KGStore) -> list[SourceCount]:
    """Claims and facts per source document (articles and the curated source)."""
    return [
        SourceCount(compact(r["source"]), r.get("file"), int(r["claims"]), int(r["facts"]))
        for r in store.select(queries.load("source_counts"))
    ]
