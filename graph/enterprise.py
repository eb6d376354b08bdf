"""Enterprise-to-chain lookup: an enterprise's chains and segments, place, honours, projects,
figures, and its local suppliers' and customers' segments, all with sources."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from graph import queries
from graph.completeness import STAGES
from graph.describe import facts
from graph.figures import observations
from graph.names import index_for
from graph.ns import CKG
from graph.provenance import documents, source_from_row
from graph.store import KGStore

_DISTRICT = str(CKG.District)
_MUNICIPALITY = str(CKG.Municipality)


@dataclass
class EnterpriseProfile:
    """Everything the graph knows about one enterprise (JSON via :meth:`to_dict`)."""

    data: dict[str, Any]

    @property
    def chains(self) -> list[dict[str, Any]]:
        return list(self.data["chains"])

    def to_dict(self) -> dict[str, Any]:
        return self.data


def location(store: KGStore, place: str) -> list[dict[str, Any]]:
    """The place and every place containing it, nearest first, with labels and classes."""
    rows = store.select(queries.load("ancestors"), bindings={"place": URIRef(place)})
    return [
        {"iri": r["anc"], "label": r.get("label"), "label_en": r.get("labelEn"),
         "types": sorted(r.get("types", "").split())}
        for r in rows
    ]


def local_area(places: list[dict[str, Any]]) -> str | None:
    """The district that counts as "local" (else the municipality, else the place itself)."""
    for kind in (_DISTRICT, _MUNICIPALITY):
        for p in places:
            if kind in p["types"]:
                return str(p["iri"])
    return str(places[0]["iri"]) if places else None


def enterprise_profile(store: KGStore, name: str) -> EnterpriseProfile:
    """Look an enterprise up by IRI, slug, name, alias or pinyin and describe it with sources.

    Raises:
        UnknownEntityError, AmbiguousNameError: the name does not resolve to one enterprise.
    """
    entry = index_for(store).resolve(name, kinds=("enterprise",))
    iri = entry.iri
    f = facts(store, iri)
    docs = documents(store)

    chains: dict[str, dict[str, Any]] = {}
    for r in store.select(queries.load("enterprise_segments"), bindings={"e": URIRef(iri)}):
        chain_iri = r.get("chain", "")
        chain = chains.setdefault(chain_iri, {
            "iri": chain_iri, "label": r.get("chainLabel"), "label_en": r.get("chainLabelEn"), "segments": {},
        })
        seg = chain["segments"].setdefault(r["seg"], {
            "iri": r["seg"], "label": r.get("segLabel"), "label_en": r.get("segLabelEn"),
            "stage": STAGES.get(r.get("stage", "")), "sources": [],
        })
        src = source_from_row(r, docs)
        seg["sources"].append(src.to_dict())
    for chain in chains.values():
        chain["segments"] = list(chain["segments"].values())
        for seg in chain["segments"]:
            seg["basis"] = "stated" if any(s["basis"] == "stated" for s in seg["sources"]) else "inferred"

    places = [location(store, p) for p in f.values("ckg:locatedIn")]
    area = local_area(places[0]) if places else None

    neighbours: dict[str, dict[str, dict[str, Any]]] = {"supplier": {}, "customer": {}}
    if area:
        for r in store.select(queries.load("neighbours"), bindings={"e": URIRef(iri), "area": URIRef(area)}):
            seg = neighbours[r["direction"]].setdefault(
                r["seg"], {"segment": r["seg"], "label": r.get("segLabel"), "for_segment": r["mySeg"],
                           "enterprises": []})
            if "other" in r and all(e["iri"] != r["other"] for e in seg["enterprises"]):
                seg["enterprises"].append({"iri": r["other"], "label": r.get("otherLabel")})

    links: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in store.select(queries.load("enterprise_links"), bindings={"e": URIRef(iri)}):
        lf = facts(store, r["x"])
        links[r["kind"]].append({
            "iri": r["x"],
            "label": lf.label("zh"),
            "label_en": lf.label("en"),
            "facts": [fact.to_dict() for fact in lf.all if fact.predicate != "http://www.w3.org/2000/01/rdf-schema#label"],
        })

    data = {
        "iri": iri,
        "label": f.label("zh") or entry.label,
        "label_en": f.label("en"),
        "legal_names": f.with_sources("ckg:legalName"),
        "short_names": f.with_sources("ckg:shortName"),
        "aliases": f.with_sources("skos:altLabel"),
        "chains": list(chains.values()),
        "location": places[0] if places else [],
        "locations": places,
        "local_area": area,
        "suppliers": list(neighbours["supplier"].values()),
        "customers": list(neighbours["customer"].values()),
        "honours": links.get("honour", []),
        "platforms": links.get("platform", []),
        "projects": links.get("project", []),
        "people": links.get("membership", []),
        "industries": links.get("industry", []),
        "figures": [fig.to_dict() for fig in observations(store, iri)],
        "facts": [fact.to_dict() for fact in f.all],
        "sources": f.sources(),
    }
    return EnterpriseProfile(data)
