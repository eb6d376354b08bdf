"""The region list: every region with its most specific class, labels and parent.

Read by the build-time tables (:mod:`graph.index.materialize`) and by the questions
(:mod:`graph.questions.matrix`), so it sits below both.
"""

from __future__ import annotations

from typing import Any

from graph import queries
from graph.store.embedded import KGStore
from graph.store.stats import compact

#: Most specific first: a place typed both ckg:SubPark and ckg:Zone is listed as a sub-park.
REGION_TYPES = ("ckg:SubPark", "ckg:HighTechZone", "ckg:IndustrialPark", "ckg:EconomicCorridor", "ckg:Zone",
                "ckg:District", "ckg:Municipality")


def most_specific(types: list[str]) -> str:
    """The most specific region class among ``types`` (compact names).

    >>> most_specific(["ckg:Zone", "ckg:SubPark"])
    'ckg:SubPark'
    """
    return min(types, key=lambda t: (REGION_TYPES.index(t) if t in REGION_TYPES else len(REGION_TYPES), t))


def list_regions(store: KGStore) -> list[dict[str, Any]]:
    """Every region with its most specific class, labels and (first) parent."""
    return [
        {"iri": r["region"], "type": most_specific([compact(t) for t in r["types"].split()]),
         "label": r.get("label"), "label_en": r.get("labelEn"), "parent": r.get("parent")}
        for r in store.select(queries.load("regions"))
    ]
