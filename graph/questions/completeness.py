"""Chain completeness (产业链完整度) of a region: covered, planned and missing segments.

For every segment of a chain template the status in a region (the region and every zone and
park inside it) is

* ``covered``: an enterprise located in the region operates in it, or a project in the region
  placed on the segment is in operation (someone operates there even if the owner is not placed);
* ``planned``: nothing operates in it, but a project in the region placed on the segment is
  planned or under construction, or a programme of the region (a regional industry covering the
  chain) targets it (``ckg:targetsSegment``, listed in ``targeted_by`` with the quote);
* ``missing``: neither.

A covered segment is a *weak link* when it rests on a single operator (one enterprise, or one
operating project whose owner is not already counted).

Scores are the unweighted share of covered segments, the importance-weighted share (segment
weights from the template, 1 where absent) and the share per stage. Break points, weak links and
gap-filling candidates (补链招商) come with it, and the members of the region's industries on this
chain whose segment the sources do not give (``unknown_segment``). networkx works only on the
template's small segment graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rdflib import URIRef

from graph import queries
from graph.errors import AmbiguousNameError, Candidate
from graph.index.names import index_for
from graph.ns import CKG
from graph.questions.places import STAGES, region_places
from graph.questions.provenance import Source, documents, source_from_row
from graph.store.embedded import KGStore

if TYPE_CHECKING:
    import networkx as nx

COVERED, PLANNED, MISSING = "covered", "planned", "missing"
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
    enterprise_count: int = 0  # all of them; ``enterprises`` lists at most ``limit``
    projects: list[Actor] = field(default_factory=list)
    weak_link: bool = False
    break_point: bool = False
    candidates: list[GapCandidate] = field(default_factory=list)
    #: programmes of the region targeting the segment: {"industry", "industry_label", "sources"}
    targeted_by: list[dict[str, Any]] = field(default_factory=list)


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
    #: members of the region's industries on this chain placed on no segment of the industry's
    #: chains: {"iri", "label", "label_en", "industry", "industry_label", "basis", "sources"}
    unknown_segment: list[dict[str, Any]] = field(default_factory=list)

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
        """JSON-ready form (sources included); written out by hand: ``dataclasses.asdict`` deep-copies
        every nested object and was most of the cost on large regions."""
        def actor(a: Actor) -> dict[str, Any]:
            return {"iri": a.iri, "label": a.label, "label_en": a.label_en, "kind": a.kind, "place": a.place,
                    "place_label": a.place_label, "status": a.status, "owner": a.owner, "basis": a.basis,
                    "sources": [s.to_dict() for s in a.sources]}

        def candidate(c: GapCandidate) -> dict[str, Any]:
            return {"iri": c.iri, "label": c.label, "label_en": c.label_en, "place": c.place,
                    "place_label": c.place_label, "tier": c.tier, "why": c.why,
                    "sources": [s.to_dict() for s in c.sources]}

        return {
            "chain": self.chain,
            "chain_label": self.chain_label,
            "chain_label_en": self.chain_label_en,
            "region": self.region,
            "region_label": self.region_label,
            "segments": [
                {"iri": s.iri, "label": s.label, "label_en": s.label_en, "stage": s.stage, "order": s.order,
                 "weight": s.weight, "gbt_codes": list(s.gbt_codes), "status": s.status,
                 "enterprises": [actor(a) for a in s.enterprises], "enterprise_count": s.enterprise_count,
                 "projects": [actor(a) for a in s.projects],
                 "weak_link": s.weak_link, "break_point": s.break_point,
                 "targeted_by": s.targeted_by,
                 "candidates": [candidate(c) for c in s.candidates]}
                for s in self.segments
            ],
            "edges": [list(e) for e in self.edges],
            "score": self.score,
            "weighted_score": self.weighted_score,
            "by_stage": dict(self.by_stage),
            "planned_share": self.planned_share,
            "connected": self.connected,
            "template_note": self.template_note,
            "break_points": self.break_points,
            "weak_links": self.weak_links,
            "unknown_segment": self.unknown_segment,
        }


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


def place_labels(store: KGStore, places: set[str]) -> dict[str, str]:
    """Chinese labels of the given places."""
    if not places:
        return {}
    rows = store.select(queries.load("place_labels"), bindings={"place": [URIRef(p) for p in sorted(places)]})
    return {r["place"]: r["label"] for r in rows if "label" in r}


def segment_graph(segment_iris: list[str], edges: list[tuple[str, str]]) -> nx.DiGraph:
    """The template's segment graph (a small projection: segments and supply edges)."""
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(segment_iris)
    g.add_edges_from(edges)
    return g


def break_points(g: nx.DiGraph, missing: set[str]) -> set[str]:
    """Missing segments that lie on every supply path from a first to a last segment.

    A first segment has no supplier, a last one no customer. A missing segment is a break point
    when removing it leaves no path from any first to any last segment.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "x"), ("x", "c")])
    >>> sorted(break_points(g, {"b"})), sorted(break_points(g, {"a"}))
    ([], ['a'])
    """
    firsts = [n for n in g if g.in_degree(n) == 0]
    lasts = [n for n in g if g.out_degree(n) == 0]
    if not firsts or not lasts:
        return set()
    import networkx as nx

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
    import networkx as nx

    sub = g.subgraph(present)
    return any(lasts & (nx.descendants(sub, f) | {f}) for f in firsts)


# --- the question -----------------------------------------------------------------------------


#: Enterprises listed per segment by default (the count covers them all).
ENTERPRISES_LISTED = 100

#: Gap-filling candidates listed per missing segment.
CANDIDATES_PER_SEGMENT = 10


def completeness(
    store: KGStore, chain: str, region: str | None = None, *, candidates: bool = True, limit: int = ENTERPRISES_LISTED
) -> Completeness:
    """Chain completeness of ``chain`` in ``region`` (names are resolved, see :mod:`graph.index.names`).

    Reads only what the answer shows: the enterprises and projects among the region's places
    (the region closure comes from the build-time side files when they are current), and for
    each missing segment at most ``CANDIDATES_PER_SEGMENT`` candidates, tier by tier.

    Args:
        store: the store.
        chain: a chain template, or a regional industry covering exactly one template.
        region: a region; ``None`` returns the template with every segment ``missing``.
        candidates: also rank gap-filling candidates for missing segments.
        limit: enterprises listed (with sources) per segment; ``enterprise_count`` gives them all.

    Raises:
        UnknownEntityError, AmbiguousNameError: a name does not resolve to one resource.
    """
    chain_entry = resolve_chain(store, chain)
    region_entry = index_for(store).resolve(region, kinds=("region",)) if region else None
    segments, edges = template(store, chain_entry.iri)
    docs = documents(store)
    by_iri = {s.iri: s for s in segments}
    labels: dict[str, str] = {}
    places: set[str] = set()

    if region_entry:
        places = region_places(store, region_entry.iri)
        place_list = [URIRef(p) for p in sorted(places)]
        b: dict[str, Any] = {"chain": URIRef(chain_entry.iri), "place": place_list}
        enterprises_seen: dict[tuple[str, str], Actor] = {}
        projects_seen: dict[tuple[str, str], Actor] = {}
        listed = _listed_enterprises(store, region_entry.iri, segments, b, limit)
        if listed:
            rows = store.select(queries.load("enterprise_placements"),
                                bindings={"e": [URIRef(e) for e in sorted({e for _, e, _ in listed})]})
            labels_of = {(seg, e): label for seg, e, label in listed}
            for r in sorted(rows, key=_row_order):  # first place and sources: the same on every store
                seg = by_iri.get(r["seg"])
                key = (r["seg"], r["e"])
                if seg is None or key not in labels_of or r.get("place") not in places:
                    continue
                actor = enterprises_seen.get(key)
                if actor is None:
                    actor = Actor(r["e"], labels_of[key] or r["e"], r.get("labelEn"), "enterprise", r["place"])
                    enterprises_seen[key] = actor
                    seg.enterprises.append(actor)
                src = source_from_row(r, docs)
                if src not in actor.sources:
                    actor.sources.append(src)
        for r in sorted(store.select(queries.load("region_segment_projects"), bindings=b), key=_row_order):
            seg = by_iri.get(r["seg"])
            if seg is None:
                continue
            actor = projects_seen.get((seg.iri, r["p"]))
            if actor is None:
                actor = Actor(r["p"], r.get("label", r["p"]), r.get("labelEn"), "project", r["place"],
                              None, r.get("status"), r.get("owner"))
                projects_seen[(seg.iri, r["p"])] = actor
                seg.projects.append(actor)
            src = source_from_row(r, docs)
            if src not in actor.sources:
                actor.sources.append(src)

    unknown: list[dict[str, Any]] = []
    if region_entry:
        unknown = _programmes(store, chain_entry.iri, places, by_iri)

    for seg in segments:
        seg.enterprises.sort(key=lambda a: (a.label, a.iri))
        seg.projects.sort(key=lambda a: (a.label, a.iri))
        operating = [p for p in seg.projects if p.status == _IN_OPERATION]
        listed_iris = {a.iri for a in seg.enterprises}
        extra = {p.owner or p.iri for p in operating} - listed_iris
        operators = seg.enterprise_count + len(extra)
        if operators:
            seg.status = COVERED
            seg.weak_link = operators == 1
        elif seg.projects or seg.targeted_by:
            seg.status = PLANNED

    if candidates:
        ranking = _Ranking.for_region(store, region_entry.iri if region_entry else None, places)
        for seg in segments:
            if seg.status != COVERED:
                seg.candidates = ranking.candidates(store, seg.iri, docs)

    shown = {a.place for s in segments for a in (*s.enterprises, *s.projects) if a.place}
    shown |= {c.place for s in segments for c in s.candidates if c.place}
    labels.update(place_labels(store, shown))
    for s in segments:
        for a in (*s.enterprises, *s.projects):
            a.place_label = labels.get(a.place or "")
        for c in s.candidates:
            c.place_label = labels.get(c.place or "")

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
        unknown_segment=unknown,
    )


def _programmes(store: KGStore, chain: str, places: set[str], by_iri: dict[str, SegmentStatus]) -> list[dict[str, Any]]:
    """Mark the segments the region's programmes on ``chain`` target (``targeted_by``) and return
    the members of those industries placed on no segment of any chain the industry covers,
    ordered by label then IRI."""
    from graph.questions.members import members, targeted_segments

    rows = store.select(queries.load("region_chain_industries"),
                        bindings={"chain": URIRef(chain), "place": [URIRef(p) for p in sorted(places)]})
    covers: dict[str, set[str]] = {}
    labels: dict[str, str | None] = {}
    for r in rows:
        covers.setdefault(r["industry"], set()).add(r["covers"])
        labels[r["industry"]] = r.get("label")
    for t in targeted_segments(store, sorted(covers)):
        seg = by_iri.get(t["segment"])
        if seg is not None:
            seg.targeted_by.append({"industry": t["industry"], "industry_label": t["industry_label"],
                                    "sources": t["sources"]})
    unknown: dict[str, dict[str, Any]] = {}
    for industry in sorted(covers):
        for m in members(store, industry):
            if any(s.get("chain") in covers[industry] for s in m["segments"]) or m["iri"] in unknown:
                continue
            unknown[m["iri"]] = {"iri": m["iri"], "label": m["label"], "label_en": m["label_en"],
                                 "industry": industry, "industry_label": labels.get(industry),
                                 "basis": m["basis"], "sources": m["sources"]}
    return sorted(unknown.values(), key=lambda m: (m["label"] or "", m["iri"]))


def _listed_enterprises(
    store: KGStore, region: str, segments: list[SegmentStatus], bindings: dict[str, Any], limit: int
) -> list[tuple[str, str, str | None]]:
    """(segment, enterprise, label) of the enterprises to list, at most ``limit`` per segment, and
    each segment's full ``enterprise_count`` set on the way.

    A district or municipality reads the build-time ``members`` table when it is current; any
    other region (or a store without side files) asks SPARQL for the whole list.
    """
    from graph.index.materialize import derived_for

    derived = derived_for(store)
    out: list[tuple[str, str, str | None]] = []
    if derived is not None and derived.has_area(region):
        for seg in segments:
            count, rows = derived.members(region, seg.iri, limit=limit)
            seg.enterprise_count = count
            out.extend((seg.iri, e, label) for e, label in rows)
        return out
    per_segment: dict[str, dict[str, str | None]] = {}
    for r in store.select(queries.load("region_segment_members"), bindings=bindings):
        per_segment.setdefault(r["seg"], {}).setdefault(r["e"], r.get("label"))
    for seg in segments:
        members = per_segment.get(seg.iri, {})
        seg.enterprise_count = len(members)
        out.extend((seg.iri, e, members[e]) for e in sorted(members)[:limit])
    return out


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
        UnknownEntityError, AmbiguousNameError: as :meth:`graph.index.names.NameIndex.resolve`.
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
    if len(found) == 1 and found[0].kind == "industry":
        # one regional industry covering several templates (黔江新材料: glass fibre and aluminium):
        # the candidates are its templates (its own answer is /api/industries/{id})
        rows = store.select(
            "SELECT DISTINCT ?chain WHERE { ?industry <https://w3id.org/chainkg/ontology#coversChain> ?chain }",
            bindings={"industry": URIRef(found[0].iri)},
        )
        templates = sorted(r["chain"] for r in rows if r["chain"] in index.entries)
        if len(templates) > 1:
            raise AmbiguousNameError(name, [Candidate(t, "chain", index.entries[t].label, found[0].label)
                                            for t in templates], kind="chain")
    raise AmbiguousNameError(name, found, kind="chain")


def _row_order(row: dict[str, Any]) -> tuple[Any, ...]:
    """A total order of result rows that does not depend on the store: segment, actor, place,
    claim graph, then everything else.

    >>> _row_order({"seg": "s", "e": "e1", "place": "p", "g": "g"})[:4]
    ('s', 'e1', 'p', 'g')
    """
    rest = tuple(sorted((k, str(v)) for k, v in row.items()))
    return (row.get("seg", ""), row.get("e") or row.get("p", ""), row.get("place", ""), row.get("g", ""), rest)


@dataclass
class _Ranking:
    """How to rank gap-filling candidates for a region: tier 1 same alliance, 2 same
    municipality, 3 elsewhere; never a place of the region itself."""

    region_places: set[str]
    alliance_places: dict[str, str]  # place → alliance label(s)
    municipality_places: set[str]
    municipality_label: str | None

    @classmethod
    def for_region(cls, store: KGStore, region: str | None, places: set[str]) -> _Ranking:
        if region is None:
            return cls(set(), {}, set(), None)
        from graph.questions.enterprise import location

        ancestors = location(store, region)
        municipality = next((a for a in ancestors if str(CKG.Municipality) in a["types"]), None)
        around = places | {a["iri"] for a in ancestors}
        alliance_places: dict[str, str] = {}
        rows = store.select(queries.load("region_alliances"), bindings={"place": [URIRef(p) for p in sorted(around)]})
        for r in rows:
            name = r.get("label") or r["alliance"]
            for p in region_places(store, r["member"]):
                if p not in places:
                    known = alliance_places.get(p)
                    alliance_places[p] = name if not known or name in known else f"{known}、{name}"
        municipality_places = region_places(store, municipality["iri"]) - places if municipality else set()
        return cls(places, alliance_places, municipality_places, municipality["label"] if municipality else None)

    def candidates(self, store: KGStore, seg: str, docs: Any) -> list[GapCandidate]:
        """Up to ``CANDIDATES_PER_SEGMENT`` enterprises outside the region operating in ``seg``."""
        found: dict[str, GapCandidate] = {}
        text = queries.load("segment_operators")
        tiers: list[tuple[int, set[str] | None]] = [
            (1, set(self.alliance_places)),
            (2, self.municipality_places - set(self.alliance_places)),
            (3, None),
        ]
        for tier, pool in tiers:
            room = CANDIDATES_PER_SEGMENT - len(found)
            if room <= 0:
                break
            if pool is not None and not pool:
                continue
            bindings: dict[str, Any] = {"seg": URIRef(seg)}
            if pool is not None:
                bindings["place"] = [URIRef(p) for p in sorted(pool)]
            limit = (room + len(self.region_places) + len(found)) * 4
            for r in store.select(f"{text}\nLIMIT {limit}", bindings=bindings):
                place = r["place"]
                if place in self.region_places or (pool is None and (place in self.alliance_places
                                                                     or place in self.municipality_places)):
                    continue
                cand = found.get(r["e"])
                if cand is None:
                    if len(found) >= CANDIDATES_PER_SEGMENT:
                        continue
                    cand = found[r["e"]] = GapCandidate(r["e"], r.get("label", r["e"]), r.get("labelEn"), place,
                                                        None, tier, self._why(tier, place))
                src = source_from_row(r, docs)
                if src not in cand.sources:
                    cand.sources.append(src)
        return sorted(found.values(), key=lambda c: (c.tier, c.label, c.iri))

    def _why(self, tier: int, place: str) -> str:
        if tier == 1:
            return f"same alliance ({self.alliance_places.get(place)})"
        if tier == 2:
            return f"same municipality ({self.municipality_label})"
        return "operates in this segment elsewhere"
