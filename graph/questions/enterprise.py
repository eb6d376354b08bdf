"""Enterprise-to-chain lookup: an enterprise's chains and segments, place, honours, projects,
figures, and its local suppliers' and customers' segments, all with sources."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from graph import queries
from graph.index.names import index_for
from graph.ns import CKG
from graph.questions import catalogue
from graph.questions.describe import facts
from graph.questions.figures import observations
from graph.questions.people import industries_of, people_of
from graph.questions.places import STAGES
from graph.questions.projects import project_summary
from graph.questions.provenance import documents, source_from_row
from graph.store.embedded import KGStore

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
    return catalogue.ancestors(store, place)


def places_of(store: KGStore, iri: str) -> list[list[dict[str, Any]]]:
    """Every place the enterprise is located in (``ckg:locatedIn``), each as :func:`location`
    (the place, then what contains it), the most specific first: the longest chain of containing
    places, then the place IRI. The first is *the* place every answer names.

    Example:
        >>> from graph.build.loading import build
        >>> store = KGStore(); _ = build(store, validate=False)
        >>> [p[0]["label"] for p in places_of(store, "https://w3id.org/chainkg/id/enterprise/sanlei-boxian")]
        ['黔江高新区', '黔江区']
    """
    rows = store.select(_LOCATED_IN, bindings={"e": URIRef(iri)})
    chains = [location(store, place) for place in sorted({r["place"] for r in rows})]
    return sorted((c for c in chains if c), key=lambda c: (-len(c), str(c[0]["iri"])))


def local_area(places: list[dict[str, Any]]) -> str | None:
    """The district that counts as "local" (else the municipality, else the place itself)."""
    for kind in (_DISTRICT, _MUNICIPALITY):
        for p in places:
            if kind in p["types"]:
                return str(p["iri"])
    return str(places[0]["iri"]) if places else None


#: Enterprises listed per neighbouring segment; the answer gives the full count beside them.
NEIGHBOURS_PER_SEGMENT = 50


def local_neighbours(store: KGStore, iri: str, area: str, *, segments: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Segments feeding (``supplier``) or fed by (``customer``) the enterprise's segments, and
    the enterprises in ``area`` (a region, at any depth) operating in them.

    Args:
        segments: the enterprise's segments (those of its claims, :func:`claims_of`).

    The neighbouring segments come from the segment catalogue; the enterprises from the
    build-time ``members`` table when it is current, else from one query over the area's places.
    """
    from graph.index.materialize import derived_for
    from graph.questions.places import region_places

    links = catalogue.supply_links(store)
    mine = sorted(set(segments))
    out: dict[str, dict[str, dict[str, Any]]] = {"supplier": {}, "customer": {}}
    for my_seg in mine:
        at = links.get(my_seg)
        if at is None:
            continue
        for direction, pairs in (("supplier", at.suppliers), ("customer", at.customers)):
            for seg, label in pairs:
                out[direction].setdefault(seg, {
                    "segment": seg, "label": label, "for_segment": my_seg,
                    "enterprises": [], "enterprise_count": 0,
                })
    out = {side: dict(sorted(entries.items())) for side, entries in out.items()}
    wanted = sorted({seg for side in out.values() for seg in side})
    derived = derived_for(store)
    if wanted and derived is not None and derived.has_area(area):
        found = derived.members_of(area, wanted, limit=NEIGHBOURS_PER_SEGMENT, exclude=iri)
        for side in out.values():
            for seg, entry in side.items():
                count, members = found.get(seg, (0, []))
                entry["enterprise_count"] = count
                entry["enterprises"] = [{"iri": e, "label": label} for e, label in members]
    elif wanted:
        places = sorted(region_places(store, area))
        rows = store.select(
            queries.load("segment_enterprises_in_places"),
            bindings={"seg": [URIRef(s) for s in wanted], "place": [URIRef(p) for p in places]},
        )
        for r in rows:
            if r["e"] == iri:
                continue
            for side in out.values():
                found_entry = side.get(r["seg"])
                if found_entry is None:
                    continue
                if any(e["iri"] == r["e"] for e in found_entry["enterprises"]):
                    continue
                found_entry["enterprise_count"] += 1
                if len(found_entry["enterprises"]) < NEIGHBOURS_PER_SEGMENT:
                    found_entry["enterprises"].append({"iri": r["e"], "label": r.get("label")})
    return {side: list(entries.values()) for side, entries in out.items()}


_LOCATED_IN = "SELECT ?place WHERE { ?e ckg:locatedIn ?place }"


def claims_of(store: KGStore, iri: str) -> list[dict[str, Any]]:
    """The enterprise's ``ckg:operatesIn`` claims with their provenance (``enterprise_claims.rq``)."""
    return store.select(queries.load("enterprise_claims"), bindings={"e": URIRef(iri)})


def chains_of(store: KGStore, iri: str, *, claims: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The chains and segments an enterprise operates in, each segment with stage, basis and
    sources: the enterprise's claims (:func:`claims_of`, unless given) joined with the segment
    catalogue."""
    docs = documents(store)
    catalog = catalogue.segments(store)
    if claims is None:
        claims = claims_of(store, iri)
    if any(r["seg"] not in catalog for r in claims):
        return _chains_by_query(store, iri, docs)  # a segment outside any template: ask for all of it
    rows = []
    for r in claims:
        seg = catalog[r["seg"]]
        chains: list[catalogue.Chain | None] = list(seg.chains) or [None]
        for chain in chains:
            rows.append({**r, "segLabel": seg.label, "segLabelEn": seg.label_en, "stage": seg.stage,
                         "chain": chain.iri if chain else None,
                         "chainLabel": chain.label if chain else None,
                         "chainLabelEn": chain.label_en if chain else None})
    rows.sort(key=lambda r: (r["chain"] or "", r["seg"]))
    return _group_chains(rows, docs)


def _chains_by_query(store: KGStore, iri: str, docs: dict[str, Any]) -> list[dict[str, Any]]:
    return _group_chains(store.select(queries.load("enterprise_segments"), bindings={"e": URIRef(iri)}), docs)


def _group_chains(rows: list[dict[str, Any]], docs: dict[str, Any]) -> list[dict[str, Any]]:
    chains: dict[str, dict[str, Any]] = {}
    # chain, segment, then claim: the same order of sources on every store
    for r in sorted(rows, key=lambda r: (r.get("chain") or "", r["seg"], r.get("g", ""),
                                         sorted((k, str(v)) for k, v in r.items()))):
        chain_iri = r.get("chain") or ""
        chain = chains.setdefault(chain_iri, {
            "iri": chain_iri, "label": r.get("chainLabel"), "label_en": r.get("chainLabelEn"), "segments": {},
        })
        seg = chain["segments"].setdefault(r["seg"], {
            "iri": r["seg"], "label": r.get("segLabel"), "label_en": r.get("segLabelEn"),
            "stage": STAGES.get(r.get("stage") or ""), "sources": [],
        })
        seg["sources"].append(source_from_row(r, docs).to_dict())
    for chain in chains.values():
        chain["segments"] = list(chain["segments"].values())
        for seg in chain["segments"]:
            seg["basis"] = "stated" if any(s["basis"] == "stated" for s in seg["sources"]) else "inferred"
    return list(chains.values())


def enterprise_chains(store: KGStore, name: str) -> dict[str, Any]:
    """Enterprise-to-chain lookup: chains and segments (stage, basis, sources), place, and the local
    suppliers' and customers' segments with the enterprises on them.

    Raises:
        UnknownEntityError, AmbiguousNameError: the name does not resolve to one enterprise.
    """
    entry = index_for(store).resolve(name, kinds=("enterprise",))
    iri = entry.iri
    located = places_of(store, iri)
    places = located[0] if located else []
    area = local_area(places) if places else None
    claims = claims_of(store, iri)
    neighbours = (local_neighbours(store, iri, area, segments=[r["seg"] for r in claims])
                  if area else {"supplier": [], "customer": []})
    return {
        "iri": iri,
        "label": entry.labels.get("zh") or entry.label,
        "label_en": entry.labels.get("en"),
        "chains": chains_of(store, iri, claims=claims),
        "location": places,
        "locations": located,
        "local_area": area,
        "suppliers": neighbours["supplier"],
        "customers": neighbours["customer"],
    }


def enterprise_profile(store: KGStore, name: str) -> EnterpriseProfile:
    """Look an enterprise up by IRI, slug, name, alias or pinyin and describe it with sources.

    Raises:
        UnknownEntityError, AmbiguousNameError: the name does not resolve to one enterprise.
    """
    entry = index_for(store).resolve(name, kinds=("enterprise",))
    iri = entry.iri
    f = facts(store, iri)

    claims = claims_of(store, iri)
    chains = chains_of(store, iri, claims=claims)
    places = places_of(store, iri)
    area = local_area(places[0]) if places else None

    neighbours = (local_neighbours(store, iri, area, segments=[r["seg"] for r in claims])
                  if area else {"supplier": [], "customer": []})

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
        "chains": chains,
        "location": places[0] if places else [],
        "locations": places,
        "local_area": area,
        "suppliers": neighbours["supplier"],
        "customers": neighbours["customer"],
        "honours": links.get("honour", []),
        "platforms": links.get("platform", []),
        "projects": [{**p, **project_summary(store, p["iri"])} for p in links.get("project", [])],
        "people": people_of(store, iri),
        "industries": industries_of(store, iri),
        "figures": [fig.to_dict() for fig in observations(store, iri)],
        "facts": [fact.to_dict() for fact in f.all],
        "sources": f.sources(),
    }
    return EnterpriseProfile(data)
