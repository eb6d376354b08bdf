"""What a region holds, typed: industries, policies (documents, measures, funds, chain-chief
systems), alliances, projects, honours and figures — everything attached to the region or to a
place inside it, optionally with what its containing regions hold (marked ``inherited_from``).

The facts point *at* the region (``ckg:region``, ``ckg:allianceMember``, ``ckg:locatedIn``), so a
region's own facts do not show them; these sections do, each item with the place it is attached
to and the claims stating it.
"""

from __future__ import annotations

from typing import Any

from rdflib import URIRef

from graph import queries
from graph.index.names import index_for
from graph.questions import catalogue
from graph.questions.describe import facts
from graph.questions.figures import observations
from graph.questions.provenance import documents, source_from_row
from graph.questions.search import view_path
from graph.store.embedded import KGStore
from graph.store.stats import compact

#: Section of an item with several classes: the first in this order.
SECTION_ORDER = ("industries", "documents", "chain_chief_systems", "funds", "measures", "other_policies",
                 "alliances", "projects", "honours")
POLICY_SECTIONS = ("documents", "measures", "funds", "chain_chief_systems", "other_policies")
_KIND = {"industries": "industry", "alliances": "alliance", "projects": "project", "honours": "honour"}


def _items(store: KGStore, places: dict[str, str | None]) -> dict[str, list[dict[str, Any]]]:
    """Items attached to ``places`` (place → the region it is inherited from, or None), by section,
    each ordered by label then IRI."""
    if not places:
        return {s: [] for s in SECTION_ORDER}
    docs = documents(store)
    rows = store.select(queries.load("region_sections"), bindings={"place": [URIRef(p) for p in sorted(places)]})
    found: dict[str, dict[str, Any]] = {}
    for r in rows:
        item = found.get(r["x"])
        if item is None or SECTION_ORDER.index(r["section"]) < SECTION_ORDER.index(item["section"]):
            previous = item
            item = found[r["x"]] = {"iri": r["x"], "id": r["x"].rsplit("/", 1)[-1], "label": r.get("label"),
                                    "label_en": r.get("labelEn"), "section": r["section"], "types": [],
                                    "places": [], "sources": []}
            if previous is not None:
                item.update(types=previous["types"], places=previous["places"], sources=previous["sources"])
        cls = compact(r["class"])
        if cls not in item["types"]:
            item["types"].append(cls)
        if r["place"] not in item["places"]:
            item["places"].append(r["place"])
        src = source_from_row(r, docs).to_dict()
        if src not in item["sources"]:
            item["sources"].append(src)
    out: dict[str, list[dict[str, Any]]] = {s: [] for s in SECTION_ORDER}
    for item in found.values():
        section = item.pop("section")
        item["places"].sort()
        item["types"].sort()
        inherited = {places[p] for p in item["places"]}
        item["inherited_from"] = None if None in inherited else sorted(i for i in inherited if i)[0]
        item["basis"] = "stated" if any(s["basis"] == "stated" for s in item["sources"]) else "inferred"
        kind = _KIND.get(section, "policy")
        if section == "industries" and "ckg:IndustryPortfolio" in item["types"]:
            kind = "portfolio"
        item["view"] = view_path(kind, item["iri"])
        if section == "honours":
            f = facts(store, item["iri"])
            item["honour"] = f.with_sources("ckg:honour")
            item["awarded_by"] = f.with_sources("ckg:awardedBy")
            item["date"] = f.first("ckg:awardedOn") or f.first("ckg:dateNote")
            item["view"] = view_path("honour", str(f.first("ckg:honour") or item["iri"]))
        out[section].append(item)
    for items in out.values():
        items.sort(key=lambda i: (i["label"] or "", i["iri"]))
    return out


def region_sections(store: KGStore, region: str, *, with_parent: bool = False) -> dict[str, Any]:
    """Typed sections of a region (name or IRI): ``industries``, ``policies`` (``documents``,
    ``measures``, ``funds``, ``chain_chief_systems``, ``other``), ``alliances``, ``projects``,
    ``honours`` and ``figures`` (the region's own observations).

    Args:
        with_parent: also list what the regions containing it hold (``inherited_from`` says which).

    Raises:
        UnknownEntityError, AmbiguousNameError: the region does not resolve.
    """
    from graph.questions.places import region_places

    entry = index_for(store).resolve(region, kinds=("region",))
    places: dict[str, str | None] = {p: None for p in region_places(store, entry.iri)}
    if with_parent:
        for anc in catalogue.ancestors(store, entry.iri):
            if anc["iri"] != entry.iri:
                places.setdefault(anc["iri"], anc["iri"])
    items = _items(store, places)
    return {
        "industries": items["industries"],
        "policies": {
            "documents": items["documents"], "measures": items["measures"], "funds": items["funds"],
            "chain_chief_systems": items["chain_chief_systems"], "other": items["other_policies"],
        },
        "alliances": items["alliances"],
        "projects": items["projects"],
        "honours": items["honours"],
        "figures": [f.to_dict() for f in observations(store, entry.iri)],
    }


def policies(store: KGStore, *, region: str | None = None) -> list[dict[str, Any]]:
    """Policy documents, measures, funds, schemes and chain-chief systems (of ``region`` and the
    places inside it), each with its ``section``; ordered by label then IRI.

    Raises:
        UnknownEntityError, AmbiguousNameError: the region does not resolve.
    """
    from graph.questions.places import region_places

    if region:
        entry = index_for(store).resolve(region, kinds=("region",))
        places: dict[str, str | None] = {p: None for p in region_places(store, entry.iri)}
    else:
        places = {r["place"]: None for r in store.select(
            "SELECT DISTINCT ?place WHERE { ?x <https://w3id.org/chainkg/ontology#region> ?place }")}
    items = _items(store, places)
    out = [{**i, "section": s} for s in POLICY_SECTIONS for i in items[s]]
    return sorted(out, key=lambda i: (i["label"] or "", i["iri"]))
