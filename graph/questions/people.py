"""People, their roles and honours; the regional industries an enterprise belongs to — each
entry with its basis and sources."""

from __future__ import annotations

from typing import Any

from rdflib import URIRef

from graph import queries
from graph.questions.provenance import documents, source_from_row
from graph.store.embedded import KGStore


def _basis(sources: list[dict[str, Any]]) -> str:
    return "stated" if any(s["basis"] == "stated" for s in sources) else (sources[0]["basis"] if sources else "stated")


def honours_of(store: KGStore, holders: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Honours held by each of ``holders``: the award, the honour's label, its date (``date``
    when stated, else the article's ``date_note``) and sources; ordered by award IRI."""
    if not holders:
        return {}
    docs = documents(store)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    rows = store.select(queries.load("holder_honours"), bindings={"holder": [URIRef(h) for h in sorted(set(holders))]})
    for r in rows:
        item = out.setdefault(r["holder"], {}).setdefault(r["award"], {
            "award": r["award"], "honour": r.get("honour"), "label": r.get("label"), "label_en": r.get("labelEn"),
            "date": r.get("date") and str(r["date"]), "date_note": r.get("dateNote"), "sources": []})
        src = source_from_row(r, docs).to_dict()
        if src not in item["sources"]:
            item["sources"].append(src)
    return {h: [awards[a] for a in sorted(awards)] for h, awards in out.items()}


def people_of(store: KGStore, organisation: str) -> list[dict[str, Any]]:
    """The people in roles at ``organisation`` (an IRI): name, role as stated, honours (with
    date), basis and sources; ordered by name then IRI.

    >>> people_of(KGStore(), "https://w3id.org/chainkg/id/enterprise/x")
    []
    """
    docs = documents(store)
    found: dict[str, dict[str, Any]] = {}
    for r in store.select(queries.load("org_people"), bindings={"org": URIRef(organisation)}):
        item = found.setdefault(r["m"], {"iri": r["m"], "person": r["person"], "name": r.get("name"),
                                         "name_en": r.get("nameEn"), "role": r.get("role"), "sources": []})
        src = source_from_row(r, docs).to_dict()
        if src not in item["sources"]:
            item["sources"].append(src)
    honours = honours_of(store, [p["person"] for p in found.values()])
    for item in found.values():
        item["basis"] = _basis(item["sources"])
        item["honours"] = honours.get(item["person"], [])
    return sorted(found.values(), key=lambda p: (p["name"] or "", p["person"], p["iri"]))


def industries_of(store: KGStore, enterprise: str) -> list[dict[str, Any]]:
    """The regional industries ``enterprise`` belongs to, each with basis, evidence quotes and
    sources; ordered by label then IRI."""
    docs = documents(store)
    found: dict[str, dict[str, Any]] = {}
    for r in store.select(queries.load("enterprise_industries"), bindings={"e": URIRef(enterprise)}):
        item = found.setdefault(r["industry"], {"iri": r["industry"], "label": r.get("label"),
                                                "label_en": r.get("labelEn"), "sources": []})
        src = source_from_row(r, docs).to_dict()
        if src not in item["sources"]:
            item["sources"].append(src)
    for item in found.values():
        item["basis"] = _basis(item["sources"])
        item["evidence"] = [s["evidence"] for s in item["sources"] if s.get("evidence")]
    return sorted(found.values(), key=lambda i: (i["label"] or "", i["iri"]))
