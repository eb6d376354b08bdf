"""The regions × chains matrix of completeness scores, in two aggregate queries."""

from __future__ import annotations

from typing import Any

from graph import queries
from graph.index.region_list import REGION_TYPES, list_regions, most_specific  # noqa: F401 (re-exported)
from graph.store.embedded import KGStore


def list_chains(store: KGStore) -> list[dict[str, Any]]:
    """Every chain template with its segment count and total weight."""
    return [
        {"iri": r["chain"], "label": r.get("label"), "label_en": r.get("labelEn"),
         "segments": int(r["segments"]), "weight": float(r["weight"])}
        for r in store.select(queries.load("chain_totals"))
    ]


def matrix(store: KGStore, *, include_empty: bool = False) -> dict[str, Any]:
    """Completeness of every chain in every region, as rows of cells.

    Args:
        store: the store.
        include_empty: also list regions that cover no segment of any chain.

    Returns:
        ``{"chains": [...], "regions": [...], "cells": [{"region", "chain", "covered", "segments",
        "score", "weighted_score"}]}``; a missing (region, chain) cell means a score of 0.
    """
    from graph.index.materialize import derived_for

    derived = derived_for(store)
    chains = {c["iri"]: c for c in list_chains(store)}
    regions = {r["iri"]: r for r in (derived.regions() if derived else list_regions(store))}
    cells = []
    seen_regions = set()
    for r in (covered_from(store, derived) if derived else store.select(queries.load("matrix_covered"))):
        chain = chains.get(r["chain"])
        if chain is None or r["region"] not in regions:
            continue
        seen_regions.add(r["region"])
        covered = int(r["covered"])
        cells.append({
            "region": r["region"],
            "chain": r["chain"],
            "covered": covered,
            "segments": chain["segments"],
            "score": round(covered / chain["segments"], 4) if chain["segments"] else 0.0,
            "weighted_score": round(float(r["weight"]) / chain["weight"], 4) if chain["weight"] else 0.0,
        })
    cells.sort(key=lambda c: (c["region"], c["chain"]))
    listed = [r for iri, r in regions.items() if include_empty or iri in seen_regions]
    return {"chains": list(chains.values()), "regions": listed, "cells": cells}


def covered_from(store: KGStore, derived: Any) -> list[dict[str, Any]]:
    """The rows of ``matrix_covered.rq`` computed from the materialised (region, segment) coverage."""
    from decimal import Decimal

    from graph.index.materialize import segment_weights

    segs = segment_weights(store)
    acc: dict[tuple[str, str], list[Any]] = {}
    for region, seg, n in derived.coverage():
        if n <= 0 or seg not in segs:
            continue
        chains, weights = segs[seg]
        for chain in chains:
            cell = acc.setdefault((region, chain), [0, Decimal(0)])
            cell[0] += len(weights)
            cell[1] += sum(weights)
    return [{"region": r, "chain": c, "covered": v[0], "weight": str(v[1])} for (r, c), v in acc.items()]


#: Largest ``offset`` a page may start at (far beyond any store; keeps the number a plain int64).
MAX_PAGE_OFFSET = 1_000_000_000
#: Most items a page may hold.
MAX_PAGE_LIMIT = 1000


def instances_page(store: KGStore, cls: str, *, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """(total, one page) of the instances of ``cls`` in IRI order, with labels; paged in the store.

    ``offset`` and ``limit`` are checked here (non-negative ints, at most :data:`MAX_PAGE_OFFSET` and
    :data:`MAX_PAGE_LIMIT`) and written by ``int`` formatting: SPARQL cannot bind ``LIMIT`` /
    ``OFFSET`` to a variable, so only a validated integer ever reaches the text.

    Raises:
        ValueError: ``offset`` or ``limit`` out of range.

    >>> from graph.store.embedded import KGStore
    >>> instances_page(KGStore(), "https://w3id.org/chainkg/ontology#Enterprise", offset=0, limit=10)
    (0, [])
    """
    from rdflib import URIRef

    if type(offset) is not int or not 0 <= offset <= MAX_PAGE_OFFSET:
        raise ValueError(f"offset must be an integer from 0 to {MAX_PAGE_OFFSET}")
    if type(limit) is not int or not 1 <= limit <= MAX_PAGE_LIMIT:
        raise ValueError(f"limit must be an integer from 1 to {MAX_PAGE_LIMIT}")

    bindings = {"class": URIRef(cls)}
    (count,) = store.select(queries.load("instances_count"), bindings=bindings)
    page = f"{queries.load('instances_page').rstrip()}\nLIMIT {int(limit)} OFFSET {int(offset)}"
    iris = [r["s"] for r in store.select(page, bindings=bindings)]
    if not iris:
        return int(count["n"]), []
    labels = {r["s"]: r for r in store.select(queries.load("labels"), bindings={"s": [URIRef(i) for i in iris]})}
    return int(count["n"]), [
        {"iri": i, "label": labels.get(i, {}).get("label"), "label_en": labels.get(i, {}).get("labelEn")}
        for i in iris
    ]
