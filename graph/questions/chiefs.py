"""链长制 (industry-chain chief system): which chains run it, since when, who and what.

Everything comes with its source; what the articles leave unsaid (a 链长's name, the 链主企业)
is reported as ``"not stated"``, never guessed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from graph import queries
from graph.index.names import index_for
from graph.questions.describe import Facts, facts
from graph.questions.figures import observations, targets_vs_actuals
from graph.questions.provenance import NOT_STATED
from graph.store.embedded import KGStore


def _labelled(store: KGStore, iri: str) -> dict[str, Any]:
    f = facts(store, iri)
    return {"iri": iri, "label": f.label("zh"), "label_en": f.label("en"), "sources": f.sources()}


def _post(store: KGStore, iri: str) -> dict[str, Any]:
    f = facts(store, iri)
    holders = f.with_sources("org:heldBy")
    return {
        "iri": iri,
        "label": f.label("zh"),
        "label_en": f.label("en"),
        "holder": holders if holders else NOT_STATED,
        "sources": f.sources(),
    }


def _industry(store: KGStore, iri: str, chains: list[str]) -> dict[str, Any]:
    f = facts(store, iri)
    figs = observations(store, iri)
    return {
        "iri": iri,
        "label": f.label("zh"),
        "label_en": f.label("en"),
        "chains": chains,
        "targets_vs_actuals": [t.to_dict() for t in targets_vs_actuals(figs)],
        "figures": [fig.to_dict() for fig in figs],
        "sources": f.sources(),
    }


def _record(store: KGStore, rec: str, region: str) -> dict[str, Any]:
    f: Facts = facts(store, rec)
    unstated = f.not_stated()
    applies_all = any(v is True for v in f.values("ckg:appliesToAllIndustries"))
    industries: dict[str, list[str]] = defaultdict(list)
    explicit = set(f.values("ckg:appliesTo"))
    for row in store.select(queries.load("region_industries"), bindings={"region": URIRef(region)}):
        if row["industry"] in explicit or applies_all:
            chains = industries[row["industry"]]
            if "chain" in row and row["chain"] not in chains:
                chains.append(row["chain"])
    for iri in explicit:
        industries.setdefault(iri, [])
    leaders = f.with_sources("ckg:chainLeader")
    return {
        "iri": rec,
        "label": f.label("zh"),
        "label_en": f.label("en"),
        "region": f.first("ckg:region"),
        "since": f.with_sources("ckg:since") or NOT_STATED,
        "applies_to_all_industries": applies_all,
        "industries": [_industry(store, i, c) for i, c in sorted(industries.items())],
        "explicit_industries": sorted(explicit),
        "chief_posts": [_post(store, p) for p in f.values("ckg:chiefPost")] or NOT_STATED,
        "chain_leader": leaders if leaders and "ckg:chainLeader" not in unstated else NOT_STATED,
        "task_forces": [_labelled(store, t) for t in f.values("ckg:taskForce")],
        "measures": [_labelled(store, m) for m in f.values("ckg:measure")],
        "not_stated": sorted(unstated),
        "sources": f.sources(),
    }


@dataclass
class ChiefReport:
    """链长制 records for a region."""

    region: str
    region_label: str
    records: list[dict[str, Any]]

    @property
    def chains(self) -> list[dict[str, Any]]:
        """The chains (regional industries) under 链长制, each once (``iri``, ``label``), in
        record order: every surface counts and lists these, so a chain two records name is one.

        >>> rec = {"industries": [{"iri": "a", "label": "A"}], "explicit_industries": ["a"]}
        >>> [c["iri"] for c in ChiefReport("r", "R", [rec, rec]).chains]
        ['a']
        """
        seen: dict[str, dict[str, Any]] = {}
        for rec in self.records:
            for ind in rec["industries"]:
                seen.setdefault(ind["iri"], {"iri": ind["iri"], "label": ind["label"]})
        return list(seen.values())

    @property
    def named_chains(self) -> list[dict[str, Any]]:
        """The chains a record names explicitly (not only through "all industries")."""
        return [c for c in self.chains if any(c["iri"] in r["explicit_industries"] for r in self.records)]

    def to_dict(self) -> dict[str, Any]:
        chains = self.chains
        return {
            "region": self.region,
            "region_label": self.region_label,
            "runs_chain_chief_system": bool(self.records),
            "chain_count": len(chains),
            "chains": [c["label"] or c["iri"] for c in chains],
            "named_chains": [c["label"] or c["iri"] for c in self.named_chains],
            "records": self.records,
        }


def chain_chiefs(store: KGStore, region: str) -> ChiefReport:
    """The 链长制 records that concern ``region`` (by name or IRI), with everything they say.

    Raises:
        UnknownEntityError, AmbiguousNameError: the region name does not resolve.
    """
    entry = index_for(store).resolve(region, kinds=("region",))
    rows = store.select(queries.load("chief_systems"), bindings={"region": URIRef(entry.iri)})
    records = [_record(store, r["rec"], r["r"]) for r in rows]
    return ChiefReport(entry.iri, entry.label, records)


def regions_running(store: KGStore, chain: str) -> list[dict[str, Any]]:
    """Every region that runs ``chain`` (a chain template or regional industry) under 链长制.

    Raises:
        UnknownEntityError, AmbiguousNameError: the chain name does not resolve.
    """
    from graph.questions.completeness import resolve_chain

    target = resolve_chain(store, chain).iri
    index = index_for(store)
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for r in store.select(queries.load("chief_systems_all")):
        if r.get("chain") != target:
            continue
        key = (r["rec"], r["r"])
        entry = found.setdefault(key, {
            "record": r["rec"],
            "region": r["r"],
            "region_label": index.entries[r["r"]].label if r["r"] in index.entries else r["r"],
            "industries": [],
            "basis": "applies to all industries" if r.get("all") is True else "names this chain",
        })
        if r.get("industry") and r["industry"] not in entry["industries"]:
            entry["industries"].append(r["industry"])
    return sorted(found.values(), key=lambda e: (e["region_label"], e["record"]))
