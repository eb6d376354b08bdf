"""Regional industries (区域产业, 产业集群, 产业链) and industry portfolios (产业体系) as answers.

An industry is one answer however many chain templates it covers: its regions, the templates
(with its completeness in its region), the segments its programme targets, its member
enterprises (each with basis and quote, and the industry that names them), its figures (growth
rates and flags kept), its parents, sub-industries and portfolios. A portfolio (黔江五大产业)
adds a comparison table of its member industries: latest actual output with growth rate, the
target, the gap. Everything carries its source; nothing is summed or merged across sources.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rdflib import URIRef

from graph import queries
from graph.index.names import index_for
from graph.questions.describe import facts
from graph.questions.figures import Figure, observations, targets_vs_actuals
from graph.questions.members import members, targeted_segments
from graph.questions.provenance import documents, source_from_row
from graph.store.embedded import KGStore
from graph.store.stats import compact

_PORTFOLIO = "https://w3id.org/chainkg/ontology#IndustryPortfolio"
#: The indicator a portfolio's comparison table reads first (产业产值), then any other.
OUTPUT = "https://w3id.org/chainkg/id/indicator/industry-output"


def _kind(classes: set[str]) -> str:
    return "portfolio" if _PORTFOLIO in classes else "industry"


def list_industries(store: KGStore, *, region: str | None = None) -> list[dict[str, Any]]:
    """Every regional industry and portfolio (of ``region``: attached to it or to a place inside
    it), ordered by Chinese label, then IRI.

    Raises:
        UnknownEntityError, AmbiguousNameError: ``region`` does not resolve to one region.

    >>> list_industries(KGStore())
    []
    """
    from graph.questions.places import region_places

    inside: set[str] | None = None
    if region:
        inside = region_places(store, index_for(store).resolve(region, kinds=("region",)).iri)
    found: dict[str, dict[str, Any]] = {}
    classes: dict[str, set[str]] = defaultdict(set)
    for r in store.select(queries.load("industries")):
        item = found.setdefault(r["industry"], {
            "iri": r["industry"], "id": r["industry"].rsplit("/", 1)[-1], "label": r.get("label"),
            "label_en": r.get("labelEn"), "regions": [], "chains": [], "parents": [], "portfolios": []})
        classes[r["industry"]].add(r["class"])
        for key, col in (("regions", "region"), ("chains", "chain"), ("parents", "parent"),
                         ("portfolios", "portfolio")):
            if col in r and r[col] not in item[key]:
                item[key].append(r[col])
    out = []
    for iri, item in found.items():
        if inside is not None and not set(item["regions"]) & inside:
            continue
        for key in ("regions", "chains", "parents", "portfolios"):
            item[key].sort()
        item["kind"] = _kind(classes[iri])
        item["types"] = sorted(compact(c) for c in classes[iri])
        out.append(item)
    return sorted(out, key=lambda i: (i["label"] or "", i["iri"]))


def _sourced(rows: list[dict[str, Any]], key: str, docs: Any, **extra_cols: str) -> list[dict[str, Any]]:
    """Rows grouped by ``key`` (first-seen order), each with every claim's source."""
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        item = out.setdefault(r[key], {"iri": r[key], **{k: r.get(c) for k, c in extra_cols.items()},
                                       "sources": []})
        src = source_from_row(r, docs).to_dict()
        if src not in item["sources"]:
            item["sources"].append(src)
    for item in out.values():
        item["basis"] = "stated" if any(s["basis"] == "stated" for s in item["sources"]) else (
            item["sources"][0]["basis"] if item["sources"] else "stated")
    return list(out.values())


def _latest(figs: list[Figure], kind: str) -> Figure | None:
    """The latest figure of a kind, output indicator first (by period end, then IRI)."""
    pool = [f for f in figs if f.kind == kind]
    if not pool:
        return None
    return max(pool, key=lambda f: (f.indicator == OUTPUT, f.period_end or "", f.iri))


def comparison(store: KGStore, member_iris: list[str], labels: dict[str, str | None]) -> list[dict[str, Any]]:
    """One row per member industry of a portfolio: latest actual (with growth rate and flag),
    target and the gap, ordered by growth rate (fastest first; members without a rate last),
    then label and IRI."""
    rows = []
    for iri in member_iris:
        figs = observations(store, iri)
        actual, target = _latest(figs, "actual"), _latest(figs, "target")
        gap = None
        if actual and target and actual.indicator == target.indicator and actual.unit == target.unit:
            gap = round(target.value - actual.value, 4)
        rows.append({
            "industry": iri, "label": labels.get(iri),
            "actual": actual.to_dict() if actual else None,
            "growth_rate": actual.growth_rate if actual else None,
            "target": target.to_dict() if target else None,
            "gap": gap,
        })
    return sorted(rows, key=lambda r: (r["growth_rate"] is None, -(r["growth_rate"] or 0.0), r["label"] or "",
                                       r["industry"]))


def industry_profile(store: KGStore, name: str) -> dict[str, Any]:
    """A regional industry or portfolio by IRI, slug, name, alias or pinyin, with everything the
    graph holds about it (see the module docstring).

    Raises:
        UnknownEntityError, AmbiguousNameError: the name does not resolve to one industry.
    """
    from graph.questions.completeness import completeness

    entry = index_for(store).resolve(name, kinds=("industry", "portfolio"))
    iri = entry.iri
    f = facts(store, iri)
    docs = documents(store)
    regions = f.with_sources("ckg:region")
    region_iris = [r["value"] for r in regions]
    # the broadest region (one containing the others) is where completeness is read
    from graph.questions.places import region_places

    broadest = None
    for r in sorted(region_iris):
        if set(region_iris) <= region_places(store, r):
            broadest = r
            break
    broadest = broadest or (sorted(region_iris)[0] if region_iris else None)
    chains = []
    for c in f.with_sources("ckg:coversChain"):
        item = {"iri": c["value"], "label": c["label"], "label_en": c["label_en"], "sources": c["sources"]}
        if broadest:
            comp = completeness(store, c["value"], broadest, candidates=False, limit=1)
            item["completeness"] = {"region": broadest, "score": comp.score, "weighted_score": comp.weighted_score,
                                    "covered": sum(s.status == "covered" for s in comp.segments),
                                    "planned": sum(s.status == "planned" for s in comp.segments),
                                    "segments": len(comp.segments)}
        chains.append(item)
    chains.sort(key=lambda c: c["iri"])
    links = store.select(queries.load("industry_links"), bindings={"industry": URIRef(iri)})
    subs = _sourced([r for r in links if r["rel"] == "sub"], "x", docs, label="label", label_en="labelEn")
    portfolio_members = _sourced([r for r in links if r["rel"] == "member"], "x", docs, label="label",
                                 label_en="labelEn")
    figs = observations(store, iri)
    kind = "portfolio" if "ckg:IndustryPortfolio" in [compact(t) for t in f.values("rdf:type")] else "industry"
    data: dict[str, Any] = {
        "iri": iri,
        "id": iri.rsplit("/", 1)[-1],
        "kind": kind,
        "label": f.label("zh") or entry.label,
        "label_en": f.label("en"),
        "types": sorted(compact(t) for t in f.values("rdf:type")),
        "aliases": f.with_sources("skos:altLabel"),
        "regions": regions,
        "chains": chains,
        "status_notes": f.with_sources("ckg:statusNote"),
        "planned_segments": targeted_segments(store, [iri]),
        "parents": f.with_sources("ckg:subIndustryOf"),
        "sub_industries": sorted(subs, key=lambda s: (s["label"] or "", s["iri"])),
        "portfolios": f.with_sources("ckg:memberOfPortfolio"),
        "members": members(store, iri),
        "figures": [fig.to_dict() for fig in figs],
        "targets_vs_actuals": [t.to_dict() for t in targets_vs_actuals(figs)],
        "sources": f.sources(),
    }
    if kind == "portfolio":
        ordered = sorted(portfolio_members, key=lambda m: (m["label"] or "", m["iri"]))
        data["portfolio_members"] = ordered
        data["comparison"] = comparison(store, [m["iri"] for m in ordered], {m["iri"]: m["label"] for m in ordered})
    return data
