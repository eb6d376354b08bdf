"""Chain completeness (产业链完整度) of a region: covered, planned and missing segments.

For every segment of a chain template the status in a region (the region and every zone and
park inside it) is

* ``covered``: an enterprise located in the region operates in it, or a project in the region
  placed on the segment is in operation (someone operates there even if the owner is not placed);
* ``planned``: nothing operates in it, but a project in the region placed on the segment is
  planned or under construction;
* ``missing``: neither.

A covered segment is a *weak link* when it rests on a single operator (one enterprise, or one
operating project whose owner is not already counted).

Scores are the unweighted share of covered segments, the importance-weighted share (segment
weights from the template, 1 where absent) and the share per stage. Break points, weak links and
gap-filling candidates (补链招商) come with it. networkx works only on the template's small segment
graph.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import networkx as nx
from rdflib import URIRef

from graph import queries
from graph.errors import AmbiguousNameError
from graph.names import index_for
from graph.ns import CKG
from graph.provenance import Source, documents, source_from_row
from graph.store import KGStore

COVERED, PLANNED, MISSING = "covered", "planned", "missing"
STAGES = {str(CKG.Upstream): "upstream", str(CKG.Midstream): "midstream", str(CKG.Downstream): "downstream"}
_IN_OPERATION = str(CKG.InOperation)


@dataclass
class Actor:
    """An enterprise or project behind a segment's status, with where it is and why we know."""

    iri: str
    label: str
    label_en: str | None
    kind: str  # "enterprise" | "project"
    place: str | None = None
    place_label: str | None = None
    status: str | None = None  # projects: ckg:Planned / ckg:UnderConstruction / ckg:InOperation
    owner: str | None = None  # projects: the owning enterprise, when stated
    sources: list[Source] = field(default_factory=list)

    @property
    def basis(self) -> str:
        """``stated`` if any source states it, else ``inferred``."""
        return "stated" if any(s.basis == "stated" for s in self.sources) else "inferred"


@dataclass
class GapCandidate:
    """An enterprise elsewhere that operates in a segment the region misses."""

    iri: str
    label: str
    label_en: str | None
    place: str | None
    place_label: str | None
    tier: int  # 1 same alliance, 2 same municipality, 3 elsewhere
    why: str
    sources: list[Source] = field(default_factory=list)


@dataclass
class SegmentStatus:
    """One segment of the chain and its status in the region."""

    iri: str
    label: str
    label_en: str | None
    stage: str | None
    order: int | None
    weight: float
    gbt_codes: list[str]
    status: str = MISSING
    enterprises: list[Actor] = field(default_factory=list)
    projects: list[Actor] = field(default_factory=list)
    weak_link: bool = False
    break_point: bool = False
    candidates: list[GapCandidate] = field(default_factory=list)


@dataclass
class Completeness:
    """The completeness of one chain in one region (or the bare template when ``region`` is None)."""

    chain: str
    chain_label: str
    chain_label_en: str | None
    region: str | None
    region_label: str | None
    segments: list[SegmentStatus]
    edges: list[tuple[str, str]]
    score: float
    weighted_score: float
    by_stage: dict[str, float]
    planned_share: float
    connected: bool
    template_note: str = "chain template: curated domain knowledge (chainkg curation), not an article fact"

    @property
    def break_points(self) -> list[str]:
        return [s.iri for s in self.segments if s.break_point]

    @property
    def weak_links(self) -> list[str]:
        return [s.iri for s in self.segments if s.weak_link]

    def segment(self, name_or_iri: str) -> SegmentStatus:
        """The segment with this IRI or label (zh or en).

        Raises:
            KeyError: no such segment.
        """
        for s in self.segments:
            if name_or_iri in (s.iri, s.label, s.label_en):
                return s
        raise KeyError(name_or_iri)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (sources included)."""
        data = asdict(self)
        data["break_points"] = self.break_points
        data["weak_links"] = self.weak_links
        for seg, raw in zip(self.segments, data["segments"], strict=True):
            for actors, key in ((seg.enterprises, "enterprises"), (seg.projects, "projects")):
                for actor, out in zip(actors, raw[key], strict=True):
                    out["basis"] = actor.basis
                    out["sources"] = [s.to_dict() for s in actor.sources]
            for cand, out in zip(seg.candidates, raw["candidates"], strict=True):
                out["sources"] = [s.to_dict() for s in cand.sources]
        data["edges"] = [list(e) for e in self.edges]
        return data


# --- reading the template ---------------------------------------------------------------------


def template(store: KGStore, chain: str) -> tuple[list[SegmentStatus], list[tuple[str, str]]]:
    """The segments (in stage and order) and supply edges of a chain template."""
    b = {"chain": URIRef(chain)}
    segments = [
        SegmentStatus(
            iri=r["seg"],
            label=r.get("label") or r.get("labelEn") or r["seg"],
            label_en=r.get("labelEn"),
            stage=STAGES.get(r.get("stage", "")),
            order=int(r["order"]) if "order" in r else None,
            weight=float(r["weight"]) if "weight" in r else 1.0,
            gbt_codes=sorted(r["codes"].split()) if r.get("codes") else [],
        )
        for r in store.select(queries.load("chain_segments"), bindings=b)
    ]
    edges = sorted((r["from"], r["to"]) for r in store.select(queries.load("chain_edges"), bindings=b))
    return segments, edges


def region_places(store: KGStore, region: str) -> set[str]:
    """The region and every place inside it, at any depth."""
    rows = store.select(queries.load("region_places"), bindings={"region": URIRef(region)})
    return {r["place"] for r in rows} | {region}


def segment_graph(segment_iris: list[str], edges: list[tuple[str, str]]) -> nx.DiGraph:
    """The template's segment graph (a small projection: segments and supply edges)."""
    g = nx.DiGraph()
    g.add_nodes_from(segment_iris)
    g.add_edges_from(edges)
    return g


def break_points(g: nx.DiGraph, missing: set[str]) -> set[str]:
    """Missing segments that lie on every supply path from a first to a last segment.

    A first segment has no supplier, a last one no customer. A missing segment is a break point
    when removing it leaves no path from any first to any last segment.

    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "x"), ("x", "c")])
    >>> sorted(break_points(g, {"b"})), sorted(break_points(g, {"a"}))
    ([], ['a'])
    """
    firsts = [n for n in g if g.in_degree(n) == 0]
    lasts = [n for n in g if g.out_degree(n) == 0]
    if not firsts or not lasts:
        return set()
    flow = g.copy()
    flow.add_edges_from(("__source__", n) for n in firsts)
    flow.add_edges_from((n, "__sink__") for n in lasts)
    out = set()
    for m in missing:
        cut = flow.copy()
        cut.remove_node(m)
        if not nx.has_path(cut, "__source__", "__sink__"):
            out.add(m)
    return out


def connected(g: nx.DiGraph, present: set[str]) -> bool:
    """Whether the present segments alone link some first segment to some last segment."""
    firsts = [n for n in g if g.in_degree(n) == 0 and n in present]
    lasts = {n for n in g if g.out_degree(n) == 0 and n in present}
    sub = g.subgraph(present)
    return any(lasts & (nx.descendants(sub, f) | {f}) for f in firsts)


# --- the question -----------------------------------------------------------------------------


def completeness(store: KGStore, chain: str, region: str | None = None, *, candidates: bool = True) -> Completeness:
    """Chain completeness of ``chain`` in ``region`` (names are resolved, see :mod:`graph.names`).

    Args:
        store: the store.
        chain: a chain template, or a regional industry covering exactly one template.
        region: a region; ``None`` returns the template with every segment ``missing``.
        candidates: also rank gap-filling candidates for missing segments.

    Raises:
        UnknownEntityError, AmbiguousNameError: a name does not resolve to one resource.
    """
    chain_entry = resolve_chain(store, chain)
    region_entry = index_for(store).resolve(region, kinds=("region",)) if region else None
    segments, edges = template(store, chain_entry.iri)
    docs = documents(store)
    by_iri = {s.iri: s for s in segments}
    places = region_places(store, region_entry.iri) if region_entry else set()
    context = place_context(store)

    elsewhere: dict[str, dict[str, GapCandidate]] = defaultdict(dict)
    for r in store.select(queries.load("segment_enterprises"), bindings={"chain": URIRef(chain_entry.iri)}):
        seg = by_iri.get(r["seg"])
        if seg is None:
            continue
        src = source_from_row(r, docs)
        place = r.get("place")
        if region_entry and place in places:
            actor = next((a for a in seg.enterprises if a.iri == r["e"]), None)
            if actor is None:
                actor = Actor(r["e"], r.get("label", r["e"]), r.get("labelEn"), "enterprise", place,
                              context.get(place, {}).get("label"))
                seg.enterprises.append(actor)
            if src not in actor.sources:
                actor.sources.append(src)
        elif candidates:
            cand = elsewhere[seg.iri].get(r["e"])
            if cand is None:
                tier, why = _rank(place, region_entry.iri if region_entry else None, places, context)
                cand = GapCandidate(r["e"], r.get("label", r["e"]), r.get("labelEn"), place,
                                    context.get(place or "", {}).get("label"), tier, why)
                elsewhere[seg.iri][r["e"]] = cand
            if src not in cand.sources:
                cand.sources.append(src)

    if region_entry:
        for r in store.select(queries.load("segment_projects"), bindings={"chain": URIRef(chain_entry.iri)}):
            seg = by_iri.get(r["seg"])
            where = r.get("place") or r.get("ownerPlace")
            if seg is None or where not in places:
                continue
            actor = next((a for a in seg.projects if a.iri == r["p"]), None)
            if actor is None:
                actor = Actor(r["p"], r.get("label", r["p"]), r.get("labelEn"), "project", where,
                              context.get(where, {}).get("label"), r.get("status"), r.get("owner"))
                seg.projects.append(actor)
            src = source_from_row(r, docs)
            if src not in actor.sources:
                actor.sources.append(src)

    for seg in segments:
        seg.enterprises.sort(key=lambda a: a.label)
        seg.projects.sort(key=lambda a: a.label)
        operating = [p for p in seg.projects if p.status == _IN_OPERATION]
        operators = {a.iri for a in seg.enterprises} | {p.owner or p.iri for p in operating}
        if operators:
            seg.status = COVERED
            seg.weak_link = len(operators) == 1
        elif seg.projects:
            seg.status = PLANNED
        seg.candidates = sorted(elsewhere.get(seg.iri, {}).values(), key=lambda c: (c.tier, c.label))
        if seg.status == COVERED:
            seg.candidates = []

    g = segment_graph([s.iri for s in segments], edges)
    missing = {s.iri for s in segments if s.status != COVERED}
    if region_entry:
        for iri in break_points(g, missing):
            by_iri[iri].break_point = True

    return Completeness(
        chain=chain_entry.iri,
        chain_label=chain_entry.labels.get("zh", chain_entry.label),
        chain_label_en=chain_entry.labels.get("en"),
        region=region_entry.iri if region_entry else None,
        region_label=region_entry.label if region_entry else None,
        segments=segments,
        edges=edges,
        score=_share(segments, lambda s: 1.0),
        weighted_score=_share(segments, lambda s: s.weight),
        by_stage={
            stage: _share([s for s in segments if s.stage == stage], lambda s: 1.0)
            for stage in ("upstream", "midstream", "downstream")
            if any(s.stage == stage for s in segments)
        },
        planned_share=(sum(1 for s in segments if s.status == PLANNED) / len(segments)) if segments else 0.0,
        connected=connected(g, {s.iri for s in segments if s.status == COVERED}),
    )


def _share(segments: list[SegmentStatus], weight: Any) -> float:
    total = sum(weight(s) for s in segments)
    if not total:
        return 0.0
    return round(sum(weight(s) for s in segments if s.status == COVERED) / total, 4)


def resolve_chain(store: KGStore, name: str) -> Any:
    """Resolve a chain template by name; a regional industry stands for the template it covers.

    When every resource the name matches leads to the same template (the template itself, or
    industries covering only it), that template is the answer.

    Raises:
        UnknownEntityError, AmbiguousNameError: as :meth:`graph.names.NameIndex.resolve`.
    """
    index = index_for(store)
    _, found = index.candidates(name, kinds=("chain", "industry"))
    if not found:
        return index.resolve(name, kinds=("chain", "industry"))  # raises with suggestions
    chains: set[str] = set()
    for cand in found:
        if cand.kind == "chain":
            chains.add(cand.iri)
            continue
        rows = store.select(
            "SELECT DISTINCT ?chain WHERE { ?industry <https://w3id.org/chainkg/ontology#coversChain> ?chain }",
            bindings={"industry": URIRef(cand.iri)},
        )
        covered = {r["chain"] for r in rows if r["chain"] in index.entries}
        chains |= covered if len(covered) == 1 else {cand.iri}
    if len(chains) == 1:
        (iri,) = chains
        if iri in index.entries and index.entries[iri].kind == "chain":
            return index.entries[iri]
    raise AmbiguousNameError(name, found, kind="chain")


def place_context(store: KGStore) -> dict[str, dict[str, Any]]:
    """Per place: label, municipalities and alliances (with labels)."""
    out: dict[str, dict[str, Any]] = {}
    for r in store.select(queries.load("place_context")):
        entry = out.setdefault(r["place"], {"label": None, "municipalities": set(), "alliances": {}})
        entry["label"] = entry["label"] or r.get("label")
        if "municipality" in r:
            entry["municipalities"].add(r["municipality"])
        if "alliance" in r:
            entry["alliances"][r["alliance"]] = r.get("allianceLabel") or r["alliance"]
    return out


def _rank(place: str | None, region: str | None, region_places_: set[str],
          context: dict[str, dict[str, Any]]) -> tuple[int, str]:
    """Tier and reason of a gap-filling candidate located at ``place`` for ``region``."""
    here = context.get(region or "", {"alliances": {}, "municipalities": set()})
    alliances: dict[str, str] = {}
    for p in region_places_ or {region or ""}:
        alliances.update(context.get(p or "", {}).get("alliances", {}))
    there = context.get(place or "", {"alliances": {}, "municipalities": set(), "label": None})
    shared = set(alliances) & set(there["alliances"])
    where = there.get("label") or place or "unknown place"
    if shared:
        names = "、".join(sorted(alliances[a] for a in shared))
        return 1, f"same alliance ({names}); located in {where}"
    municipalities = set(here.get("municipalities", set())) & set(there.get("municipalities", set()))
    if municipalities:
        labels = "、".join(sorted(context.get(m, {}).get("label") or m for m in municipalities))
        return 2, f"same municipality ({labels}); located in {where}"
    return 3, f"operates in this segment elsewhere; located in {where}"
