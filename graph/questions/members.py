"""Members of regional industries, and the chain segments their programmes target, with sources.

Read by the industry answers (:mod:`graph.questions.industries`) and by chain completeness
(:mod:`graph.questions.completeness`), so it sits below both.
"""

from __future__ import annotations

from typing import Any

from rdflib import URIRef

from graph import queries
from graph.questions.provenance import documents, source_from_row
from graph.store.embedded import KGStore


def targeted_segments(store: KGStore, industries: list[str]) -> list[dict[str, Any]]:
    """The segments the given industries' programmes target (``ckg:targetsSegment``), each with
    the industry, the chain and the sources (quote, basis), ordered by industry and segment."""
    if not industries:
        return []
    docs = documents(store)
    rows = store.select(queries.load("industry_targets"),
                        bindings={"industry": [URIRef(i) for i in sorted(set(industries))]})
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        item = out.setdefault((r["industry"], r["seg"]), {
            "segment": r["seg"], "label": r.get("label"), "label_en": r.get("labelEn"), "chain": r.get("chain"),
            "industry": r["industry"], "industry_label": r.get("industryLabel"), "sources": []})
        src = source_from_row(r, docs).to_dict()
        if src not in item["sources"]:
            item["sources"].append(src)
    return [out[k] for k in sorted(out)]


def members(store: KGStore, industry: str) -> list[dict[str, Any]]:
    """Enterprises in ``industry`` or its sub-industries, ordered by label then IRI; each with the
    industries naming it (``via``), its basis and sources, and the segments it operates in
    (``segments``: empty when the sources place it on none)."""
    docs = documents(store)
    found: dict[str, dict[str, Any]] = {}
    for r in store.select(queries.load("industry_members"), bindings={"industry": URIRef(industry)}):
        item = found.setdefault(r["e"], {"iri": r["e"], "label": r.get("label"), "label_en": r.get("labelEn"),
                                         "via": [], "sources": [], "segments": []})
        if r["via"] not in item["via"]:
            item["via"].append(r["via"])
        src = source_from_row(r, docs).to_dict()
        if src not in item["sources"]:
            item["sources"].append(src)
    if found:
        rows = store.select(queries.load("members_segments"), bindings={"e": [URIRef(e) for e in sorted(found)]})
        for r in rows:
            seg = {"iri": r["seg"], "label": r.get("label"), "chain": r.get("chain")}
            if seg not in found[r["e"]]["segments"]:
                found[r["e"]]["segments"].append(seg)
    for item in found.values():
        item["via"].sort()
        item["basis"] = "stated" if any(s["basis"] == "stated" for s in item["sources"]) else "inferred"
    return sorted(found.values(), key=lambda m: (m["label"] or "", m["iri"]))
