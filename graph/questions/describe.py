"""Facts about one resource, each with its source: the building block of detail answers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from graph import queries
from graph.questions.provenance import NOT_STATED, Source, documents, source_from_row
from graph.store.embedded import KGStore
from graph.store.stats import compact

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@dataclass(frozen=True)
class Fact:
    """One statement about a resource: property, value (with its label) and source."""

    predicate: str
    value: Any
    value_label: str | None
    value_label_en: str | None
    is_iri: bool
    source: Source

    def to_dict(self) -> dict[str, Any]:
        return {
            "property": compact(self.predicate),
            "value": self.value,
            "label": self.value_label,
            "label_en": self.value_label_en,
            "source": self.source.to_dict(),
        }


class Facts:
    """The facts about one resource, grouped by property.

    >>> from graph.store.embedded import KGStore
    >>> Facts("https://w3id.org/chainkg/id/x", []).first("rdfs:label") is None
    True
    """

    def __init__(self, iri: str, facts: list[Fact], labels: dict[str, str] | None = None) -> None:
        self.iri = iri
        self.labels = labels or {}
        self.all = facts
        self.by_property: dict[str, list[Fact]] = defaultdict(list)
        for f in facts:
            self.by_property[compact(f.predicate)].append(f)

    def values(self, prop: str) -> list[Any]:
        """Distinct values of a property (compact name, e.g. ``ckg:since``), in first-seen order."""
        seen: dict[Any, None] = {}
        for f in self.by_property.get(prop, []):
            seen.setdefault(f.value, None)
        return list(seen)

    def first(self, prop: str) -> Any:
        vals = self.values(prop)
        return vals[0] if vals else None

    def with_sources(self, prop: str) -> list[dict[str, Any]]:
        """Values of a property, each with every source that states it."""
        grouped: dict[Any, dict[str, Any]] = {}
        for f in self.by_property.get(prop, []):
            entry = grouped.setdefault(
                f.value, {"value": f.value, "label": f.value_label, "label_en": f.value_label_en, "sources": []}
            )
            entry["sources"].append(f.source.to_dict())
        return list(grouped.values())

    def not_stated(self) -> set[str]:
        """Properties the sources leave unstated (``ckg:notStated``), compact names."""
        return {compact(v) for v in self.values("ckg:notStated")}

    def stated_or_not(self, prop: str) -> list[dict[str, Any]] | str:
        """The values with sources, or ``"not stated"`` when the graph says so or has none."""
        vals = self.with_sources(prop)
        return vals if vals else NOT_STATED

    def sources(self) -> list[dict[str, Any]]:
        """Every distinct source behind these facts."""
        seen: dict[str, dict[str, Any]] = {}
        for f in self.all:
            seen.setdefault(f.source.claim, f.source.to_dict())
        return list(seen.values())

    def label(self, lang: str = "zh") -> str | None:
        """The resource's ``rdfs:label`` in ``lang``."""
        return self.labels.get(lang)


def facts(store: KGStore, iri: str) -> Facts:
    """Every fact about ``iri`` with its source (one query)."""
    docs = documents(store)
    out = []
    labels: dict[str, str] = {}
    for r in store.select(queries.load("facts"), bindings={"s": URIRef(iri)}, terms=True):
        p = str(r["p"])
        o = r["o"]
        row = {k: str(v) for k, v in r.items() if k not in ("o",)}
        is_iri = isinstance(o, URIRef)
        value = str(o) if is_iri else o.toPython() if hasattr(o, "toPython") else str(o)
        if not isinstance(value, (str, int, float, bool)):
            value = str(o)
        if p == RDFS_LABEL and getattr(o, "language", None):
            labels.setdefault(o.language, str(o))
        out.append(Fact(p, value, row.get("oLabel"), row.get("oLabelEn"), is_iri, source_from_row(row, docs)))
    # A defined order whatever the store's: by property, value, then claim (each row once).
    out.sort(key=lambda f: (f.predicate, not f.is_iri, type(f.value).__name__, str(f.value), f.source.claim,
                            str(f.source.to_dict())))
    return Facts(iri, out, labels)


def types(f: Facts) -> list[str]:
    """The compact class names of a resource."""
    return [compact(t) for t in f.values("rdf:type")]

