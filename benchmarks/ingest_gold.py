"""How much of the hand-curated seed knowledge ``chainkg ingest`` recovers from the five articles.

For each seed article: a scratch store with the ontology, the chain templates and the *other*
articles' facts (the article's own curated facts removed), ingest the article, accept every
candidate, and compare what entered the graph with the curated facts of that article.

Matching: a resource found matches a curated one when it is the same IRI or when the two share a
name (label, short, legal or alias name, policy title; normalised). A relation matches when both
ends match. A figure matches on subject, value, unit and actual/target. 链长制 matches on its region
(and each chain it applies to). Precision: every accepted candidate's main fact is *correct* when
the curated facts (of any article) hold it, *wrong* when the curated facts describe its subject
but not this fact, *unverified* when the curation does not describe the subject at all; strict
precision counts unverified as wrong.

Run: ``python -m benchmarks.ingest_gold`` (``--markdown`` for the docs table, ``--details`` lists
every wrong or unverified candidate).
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from graph.build.loading import build, seed_files, seeds_dir
from graph.index.keys import normalise
from graph.ingest.reading import read_article
from graph.ingest.review import ReviewArea, accept, ingest
from graph.store.embedded import KGStore

CKG = "https://w3id.org/chainkg/ontology#"
DCT_TITLE = URIRef("http://purl.org/dc/terms/title")
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
REGION = {
    CKG + c
    for c in (
        "Region",
        "Municipality",
        "District",
        "Zone",
        "HighTechZone",
        "IndustrialPark",
        "SubPark",
        "EconomicCorridor",
    )
}
INDUSTRY = {CKG + c for c in ("RegionalIndustry", "IndustryCluster", "ChainProgramme")}
KINDS = {  # reported kind → fact kinds
    "places": ("place", "part-of"),
    "enterprises": ("enterprise", "located-in"),
    "chain memberships": ("industry", "member"),
    "链长制": ("chief", "applies"),
    "figures": ("figure",),
    "policies": ("policy",),
    "alliances, honours, projects, people": ("alliance", "honour", "project", "person"),
}


def norm(text: str) -> str:
    """A name for comparison: brackets, quotes and a trailing 产业/产业链/产业集群 dropped (the same
    regional industry is written with any of them)."""
    return re.sub(r"(产业集群|产业链|产业|集群)$", "", normalise(re.sub(r"[《》“”\"']", "", text))) or normalise(text)


class Names:
    """Normalised names of every resource of a graph."""

    PROPS = (RDFS.label, SKOS.altLabel, URIRef(CKG + "legalName"), URIRef(CKG + "shortName"), DCT_TITLE)

    def __init__(self, triples: Iterable[tuple[Any, Any, Any]]) -> None:
        self.of: dict[str, set[str]] = defaultdict(set)
        for s, p, o in triples:
            if p in self.PROPS and isinstance(o, Literal) and o.language != "en":
                self.of[str(s)].add(norm(str(o)))


def _claim_triples(ds: Dataset) -> list[tuple[Any, Any, Any]]:
    prov = URIRef("https://w3id.org/chainkg/id/graph/provenance")
    return [(s, p, o) for s, p, o, g in ds.quads() if g is not None and g != prov]


@dataclass
class Gold:
    facts: dict[str, set[tuple[str, ...]]] = field(default_factory=lambda: defaultdict(set))


def gold_facts(triples: list[tuple[Any, Any, Any]], all_triples: list[tuple[Any, Any, Any]]) -> Gold:
    """The curated facts of one article, by fact kind."""
    types: dict[str, set[str]] = defaultdict(set)
    for s, p, o in all_triples:
        if p == RDF.type:
            types[str(s)].add(str(o))
    regions_of = defaultdict(set)
    for s, p, o in all_triples:
        if str(p) == CKG + "region":
            regions_of[str(s)].add(str(o))
    g = Gold()
    honour_of = {str(s): str(o) for s, p, o in all_triples if str(p) == CKG + "honour"}
    obs: dict[str, dict[str, str]] = defaultdict(dict)
    for s, p, o in triples:
        s_, p_, o_ = str(s), str(p), str(o)
        t = types.get(s_, set())
        if p == RDF.type:
            if o_ in REGION:
                g.facts["place"].add((s_,))
            if o_ in (CKG + "Enterprise", CKG + "EnterpriseGroup"):
                g.facts["enterprise"].add((s_,))
            if o_ in INDUSTRY:
                g.facts["industry"].add((s_,))
            if o_ == CKG + "ChainChiefSystem":
                for r in regions_of[s_]:
                    g.facts["chief"].add((r,))
            if o_ == CKG + "PolicyDocument":
                g.facts["policy"].add((s_,))
            if o_ == CKG + "Project":
                g.facts["project"].add((s_,))
            if o_ == CKG + "Person":
                g.facts["person"].add((s_,))
            if o_ == CKG + "Alliance":
                g.facts["alliance"].add((s_,))
        elif p_ == CKG + "partOf" and REGION & t:
            g.facts["part-of"].add((s_, o_))
        elif p_ == CKG + "locatedIn" and {CKG + "Enterprise"} & t:
            g.facts["located-in"].add((s_, o_))
        elif p_ == CKG + "partOfIndustry":
            g.facts["member"].add((s_, o_))
        elif p_ == CKG + "appliesTo" and CKG + "ChainChiefSystem" in t:
            for r in regions_of[s_]:
                g.facts["applies"].add((r, o_))
        elif p_ == CKG + "hasHonour" and o_ in honour_of:
            g.facts["honour"].add((s_, honour_of[o_]))
        if CKG + "Observation" in t and p_ in (CKG + "subject", CKG + "value", CKG + "unit", CKG + "figureKind"):
            obs[s_][p_.rsplit("#", 1)[1]] = o_
    for o in obs.values():
        if len(o) == 4:
            g.facts["figure"].add((o["subject"], f"{float(o['value']):g}", o["unit"], o["figureKind"]))
    return g


class Matcher:
    """Resource matching by IRI or shared name between the curated seeds and the ingested graph;
    ``family`` also lets a zone stand for its district and back (a figure's subject)."""

    def __init__(self, gold_names: Names, found_names: Names, part_of: set[tuple[str, str]] = frozenset()) -> None:
        self.gold = gold_names
        self.found = found_names
        self.part_of = part_of

    def same(self, found: str, gold: str) -> bool:
        return found == gold or bool(self.found.of.get(found, set()) & self.gold.of.get(gold, set()))

    def family(self, found: str, gold: str) -> bool:
        if self.same(found, gold):
            return True
        return any((self.same(found, a) and b == gold) or (self.same(found, b) and a == gold) for a, b in self.part_of)


def ingested(store: KGStore) -> list[tuple[str, str, str]]:
    rows = store.select(
        "PREFIX ckg: <https://w3id.org/chainkg/ontology#> "
        "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } ?g ckg:basis ckg:ExtractedAndReviewed }"
    )
    return [(str(r["s"]), str(r["p"]), str(r["o"])) for r in rows]


def found_facts(triples: list[tuple[str, str, str]]) -> dict[str, set[tuple[str, ...]]]:
    types: dict[str, set[str]] = defaultdict(set)
    region: dict[str, set[str]] = defaultdict(set)
    honour_of: dict[str, str] = {}
    obs: dict[str, dict[str, str]] = defaultdict(dict)
    mentioned: set[str] = set()
    for s, p, o in triples:
        mentioned.add(s)
        if o.startswith("https://w3id.org/chainkg/id/"):
            mentioned.add(o)
        if p == str(RDF.type):
            types[s].add(o)
        if p == CKG + "region":
            region[s].add(o)
        if p == CKG + "honour":
            honour_of[s] = o
        if p.rsplit("#", 1)[-1] in ("subject", "value", "unit", "figureKind"):
            obs[s][p.rsplit("#", 1)[1]] = o
    f: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for m in mentioned:
        f["mentioned"].add((m,))
    for s, p, o in triples:
        if p == CKG + "partOf":
            f["part-of"].add((s, o))
        elif p == CKG + "locatedIn":
            f["located-in"].add((s, o))
        elif p == CKG + "partOfIndustry":
            f["member"].add((s, o))
        elif p == CKG + "appliesTo":
            for r in region[s]:
                f["applies"].add((r, o))
        elif p == CKG + "hasHonour" and o in honour_of:
            f["honour"].add((s, honour_of[o]))
    for s, ts in types.items():
        if CKG + "ChainChiefSystem" in ts:
            for r in region[s]:
                f["chief"].add((r,))
    for o in obs.values():
        if len(o) == 4:
            f["figure"].add((o["subject"], f"{float(o['value']):g}", o["unit"], o["figureKind"]))
    return f


def recovered(kind: str, fact: tuple[str, ...], found: dict[str, set[tuple[str, ...]]], m: Matcher) -> bool:
    if kind in ("place", "enterprise", "industry", "policy", "project", "person", "alliance"):
        return any(m.same(x[0], fact[0]) for x in found["mentioned"])
    if kind == "chief":
        return any(m.same(x[0], fact[0]) for x in found["chief"])
    if kind == "figure":
        return any(x[1:] == fact[1:] and m.family(x[0], fact[0]) for x in found["figure"])
    key = {
        "part-of": "part-of",
        "located-in": "located-in",
        "member": "member",
        "applies": "applies",
        "honour": "honour",
    }[kind]
    return any(m.same(x[0], fact[0]) and m.same(x[1], fact[1]) for x in found[key])


def verdict(
    cand: dict[str, Any], store_triples: dict[str, list[tuple[str, str, str]]], gold_all: Gold, m: Matcher
) -> str:
    """correct / wrong / unverified for one accepted candidate (its main fact against all curated facts)."""
    triples = store_triples.get(cand["claim"], [])
    f = found_facts(triples)
    subject = cand["subject_iri"]
    described = any(
        m.same(subject, x[0])
        for k, facts in gold_all.facts.items()
        for x in facts
        if k not in ("figure", "chief", "applies")
    )
    kind = cand["kind"]
    main = {
        "located-in": "located-in",
        "industry-member": "member",
        "zone": "part-of",
        "part-of": "part-of",
        "honour": "honour",
        "chain-chief": "chief",
        "figure": "figure",
    }.get(kind)
    if main is not None and f.get(main):
        ok = all(any(recovered(main, x, {main: {y}}, m) for x in gold_all.facts.get(main, ())) for y in f[main])
        if ok:
            return "correct"
        if main == "figure":
            subj = next(iter(f["figure"]))[0]
            return "wrong" if any(m.same(subj, x[0]) for x in gold_all.facts["figure"]) else "unverified"
        if main == "chief":
            return "wrong"
        return "wrong" if described else "unverified"
    if kind in (
        "enterprise",
        "industry",
        "policy-document",
        "person-role",
        "project",
        "alliance",
        "zone-alias",
        "product",
        "zone",
    ):
        if described:
            if kind == "product":
                return "correct" if _literal_in_gold(triples, m) else "wrong"
            return "correct"
        return "unverified"
    return "unverified"


_GOLD_LITERALS: set[str] = set()


def _literal_in_gold(triples: list[tuple[str, str, str]], m: Matcher) -> bool:
    return any(
        norm(o) in g or g in norm(o)
        for _, p, o in triples
        if p.endswith(("#product", "#businessScope"))
        for g in _GOLD_LITERALS
    )


def run(*, details: bool = False) -> dict[str, Any]:
    files = {p.name[:3]: p for p in sorted(SHARED.glob("*.txt"))}
    all_ds = Dataset()
    for p in seed_files(seeds_dir()):
        all_ds.parse(p, format="trig" if p.suffix == ".trig" else "turtle")
    all_triples = [(s, pp, o) for s, pp, o, _ in all_ds.quads()]
    gold_names = Names(all_triples)
    gold_all = gold_facts(_claim_triples(all_ds), all_triples)
    for _, p, o in all_triples:
        if str(p) in (CKG + "product", CKG + "businessScope"):
            _GOLD_LITERALS.add(norm(str(o)))
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_article = []
    verdicts: dict[str, int] = defaultdict(int)
    listed: list[str] = []
    quotes_ok = quotes_all = 0
    for n, path in files.items():
        ds = Dataset()
        ds.parse(seeds_dir() / f"d{n}.trig", format="trig")
        gold = gold_facts(_claim_triples(ds), all_triples)
        store = KGStore()
        build(store, seeds=[p for p in seed_files() if p.name != f"d{n}.trig"], validate=False)
        area = ReviewArea(None)
        data = path.read_bytes()
        ingest(store, ReviewArea(None), "黔江区。".encode(), source="warm-up.txt")  # imports and tables
        t0 = time.perf_counter()
        report = ingest(store, area, data, source=path.name)
        seconds = time.perf_counter() - t0
        text = read_article(data).text
        rows = area.candidates()
        for r in rows:
            quotes_all += 1
            quotes_ok += int(text[r["start"] : r["end"]] == r["quote"] and len(r["quote"]) <= 50)
        accept(store, area, [r["id"] for r in rows], who="benchmark")
        # facts the article states that the graph already held count as recognised
        triples = ingested(store) + [
            (str(t[0].value), str(t[1].value), str(t[2].value)) for c in report.known_candidates for t in c.triples
        ]
        found = found_facts(triples)
        part_of = {(str(s), str(o)) for s, p, o in all_triples if str(p) == CKG + "partOf"}
        m = Matcher(gold_names, Names((URIRef(s), URIRef(p), _lit(o, store)) for s, p, o in _name_rows(store)), part_of)
        art = {"article": f"d{n}", "candidates": len(rows), "seconds": seconds, "recall": {}}
        for label, kinds in KINDS.items():
            hit = total = 0
            for k in kinds:
                for fact in gold.facts.get(k, ()):
                    total += 1
                    hit += recovered(k, fact, found, m)
            per_kind[label][0] += hit
            per_kind[label][1] += total
            art["recall"][label] = (hit, total)
        by_claim: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for r in store.select(
            "PREFIX ckg: <https://w3id.org/chainkg/ontology#> SELECT ?g ?s ?p ?o WHERE { "
            "GRAPH ?g { ?s ?p ?o } ?g ckg:basis ckg:ExtractedAndReviewed }"
        ):
            by_claim[str(r["g"])].append((str(r["s"]), str(r["p"]), str(r["o"])))
        for cand in area.candidates(status="accepted"):
            v = verdict(cand, by_claim, gold_all, m)
            verdicts[v] += 1
            art.setdefault("verdicts", defaultdict(int))[v] += 1
            if details and v != "correct":
                listed.append(f"d{n} {v:10} {cand['kind']:15} {cand['summary']} | {cand['quote']}")
        per_article.append(art)
        del report
    return {
        "kinds": dict(per_kind),
        "articles": per_article,
        "verdicts": dict(verdicts),
        "details": listed,
        "quotes": (quotes_ok, quotes_all),
    }


def _name_rows(store: KGStore) -> list[tuple[str, str, str]]:
    rows = store.select(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "PREFIX ckg: <https://w3id.org/chainkg/ontology#> PREFIX dct: <http://purl.org/dc/terms/> "
        "SELECT ?s ?p ?o WHERE { ?s rdfs:label|skos:altLabel|ckg:legalName|ckg:shortName|dct:title ?o "
        "BIND(rdfs:label AS ?p) FILTER(LANG(?o) != 'en') }"
    )
    return [(str(r["s"]), str(r["p"]), str(r["o"])) for r in rows]


def _lit(o: str, _: KGStore) -> Literal:
    return Literal(o, lang="zh")


def table(result: dict[str, Any]) -> str:
    lines = ["| kind | recovered | curated | recall |", "|---|---:|---:|---:|"]
    hit_all = total_all = 0
    for label, (hit, total) in result["kinds"].items():
        hit_all += hit
        total_all += total
        lines.append(f"| {label} | {hit} | {total} | {hit / total:.0%} |" if total else f"| {label} | 0 | 0 | — |")
    lines.append(f"| **all** | **{hit_all}** | **{total_all}** | **{hit_all / total_all:.0%}** |")
    v = result["verdicts"]
    judged = v.get("correct", 0) + v.get("wrong", 0)
    accepted = sum(v.values())
    ok, quotes = result["quotes"]
    lines += [
        "",
        "| accepted candidates | correct | wrong | unverified | wrong / judged | (wrong + unverified) / accepted |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {accepted} | {v.get('correct', 0)} | {v.get('wrong', 0)} | {v.get('unverified', 0)} | "
        f"{v.get('wrong', 0) / judged if judged else 0:.0%} | "
        f"{(v.get('wrong', 0) + v.get('unverified', 0)) / accepted if accepted else 0:.0%} |",
        "",
        "| article | candidates | seconds | recall |",
        "|---|---:|---:|---:|",
    ]
    for a in result["articles"]:
        h = sum(x[0] for x in a["recall"].values())
        t = sum(x[1] for x in a["recall"].values())
        lines.append(f"| {a['article']} | {a['candidates']} | {a['seconds']:.2f} | {h / t:.0%} |")
    secs = [a["seconds"] for a in result["articles"]]
    lines += [
        "",
        f"Evidence quotes verbatim and ≤ 50 characters: {ok}/{quotes}. "
        f"Ingestion time per article: median {statistics.median(secs):.2f} s, max {max(secs):.2f} s.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--details", action="store_true", help="list every wrong or unverified accepted candidate")
    args = p.parse_args(argv)
    result = run(details=args.details)
    print(table(result))
    if args.details:
        print()
        print("\n".join(result["details"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
