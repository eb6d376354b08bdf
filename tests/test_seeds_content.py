"""Content tests for the seed graphs (seeds/*.trig).

The seeds are parsed with rdflib, merged into one union graph together with the ontology,
validated with the SHACL shapes, and checked against the source articles in
../shared/seeds/ (relative to the repository root).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, RDFS, SKOS

REPO = Path(__file__).parents[1]
SEEDS = REPO / "seeds"
ARTICLES = Path(__file__).parents[1].parent / "shared" / "seeds"

CKG = Namespace("https://w3id.org/chainkg/ontology#")
PROV = Namespace("http://www.w3.org/ns/prov#")
ORG = Namespace("http://www.w3.org/ns/org#")
DCT = Namespace("http://purl.org/dc/terms/")
ID = "https://w3id.org/chainkg/id/"
PLACE = Namespace(ID + "place/")
ENT = Namespace(ID + "enterprise/")
CHAIN = Namespace(ID + "chain/")
DOC = Namespace(ID + "document/")
INDICATOR = Namespace(ID + "indicator/")
GRAPH = Namespace(ID + "graph/")

SYSTEM_GRAPHS = {GRAPH.provenance, GRAPH.ontology}


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    ds = Dataset()
    files = sorted(SEEDS.glob("*.trig"))
    assert files, "no seed files found"
    for f in files:
        ds.parse(f, format="trig")
    return ds


@pytest.fixture(scope="module")
def union(dataset: Dataset) -> Graph:
    g = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        g.add((s, p, o))
    g.parse(REPO / "ontology" / "chainkg.ttl", format="turtle")
    return g


@pytest.fixture(scope="module")
def claim_graphs(dataset: Dataset) -> dict[URIRef, Graph]:
    out = {}
    for g in dataset.graphs():
        if g.identifier == DATASET_DEFAULT_GRAPH_ID or g.identifier in SYSTEM_GRAPHS or not len(g):
            continue
        out[g.identifier] = g
    return out


def source_of(union: Graph, claim: URIRef) -> URIRef | None:
    return union.value(claim, PROV.wasDerivedFrom)


def labels(g: Graph, node, lang: str | None = None) -> set[str]:
    out = set()
    for p in (RDFS.label, SKOS.altLabel, CKG.legalName, CKG.shortName):
        for o in g.objects(node, p):
            if lang is None or getattr(o, "language", None) == lang:
                out.add(str(o))
    return out


def subjects_named(g: Graph, name: str) -> set:
    return {s for p in (RDFS.label, SKOS.altLabel, CKG.legalName, CKG.shortName)
            for s in g.subjects(p, Literal(name, lang="zh"))}


# --------------------------------------------------------------------------- structure


def test_shacl_conforms(union: Graph) -> None:
    pyshacl = pytest.importorskip("pyshacl")
    shapes = Graph().parse(REPO / "ontology" / "shapes.ttl", format="turtle")
    conforms, _, text = pyshacl.validate(union, shacl_graph=shapes, advanced=True)
    assert conforms, text


def test_every_claim_graph_has_a_claim_record(union: Graph, claim_graphs: dict) -> None:
    claims = set(union.subjects(RDF.type, CKG.Claim))
    missing = set(claim_graphs) - claims
    assert not missing, f"named graphs without a ckg:Claim record: {sorted(missing)}"
    dangling = claims - set(claim_graphs)
    assert not dangling, f"claim records without a named graph: {sorted(dangling)}"


def test_evidence_is_verbatim_and_short(union: Graph) -> None:
    texts: dict[str, str] = {}
    checked = 0
    for claim, evidence in union.subject_objects(CKG.evidence):
        doc = source_of(union, claim)
        assert (doc, RDF.type, CKG.SourceDocument) in union, f"{claim}: evidence from a non-article"
        file_name = str(union.value(doc, CKG.fileName))
        if file_name not in texts:
            texts[file_name] = collapse((ARTICLES / file_name).read_text(encoding="utf-8"))
        quote = str(evidence)
        assert len(quote) <= 50, f"{claim}: evidence longer than 50 characters"
        assert collapse(quote) in texts[file_name], f"{claim}: evidence not found in {file_name}: {quote}"
        checked += 1
    assert checked > 0


def test_every_article_contributes_claims(union: Graph) -> None:
    per_doc = defaultdict(int)
    for claim in union.subjects(RDF.type, CKG.Claim):
        per_doc[source_of(union, claim)] += 1
    for doc in union.subjects(RDF.type, CKG.SourceDocument):
        assert per_doc[doc] > 0, f"{doc} has no claims"
        file_name = str(union.value(doc, CKG.fileName))
        assert (ARTICLES / file_name).exists(), f"{doc}: file {file_name} not found"


def test_documents_say_what_is_not_stated(union: Graph) -> None:
    # d000 prints its publisher and date; the others do not.
    assert union.value(DOC.d000, DCT.publisher) is not None
    assert str(union.value(DOC.d000, DCT.date)) == "2023-05-04"
    for d in (DOC.d001, DOC.d002, DOC.d003, DOC.d004):
        assert union.value(d, DCT.date) is None
        assert (d, CKG.notStated, DCT.date) in union
        assert (d, CKG.notStated, DCT.publisher) in union
        assert union.value(d, CKG.dateNote) is not None
    assert "2020" in str(union.value(DOC.d002, CKG.dateNote))


def test_templates_are_curated_and_apart_from_article_facts(union: Graph, claim_graphs: dict) -> None:
    template_graphs = [g for gid, g in claim_graphs.items()
                       if str(gid).split("/")[-1].startswith("template-")]
    assert template_graphs
    for g in template_graphs:
        assert (g.identifier, CKG.basis, CKG.Curated) in union
        assert (source_of(union, g.identifier), RDF.type, CKG.CuratedSource) in union
        # no enterprises, placements or figures inside a template graph
        for p in (CKG.operatesIn, CKG.locatedIn, CKG.subject):
            assert not list(g.triples((None, p, None))), f"{g.identifier} holds article facts ({p})"
    # conversely, templates and segments are defined only in curated graphs
    for gid, g in claim_graphs.items():
        if (source_of(union, gid), RDF.type, CKG.SourceDocument) in union:
            assert not list(g.triples((None, RDF.type, CKG.ChainTemplate))), gid
            assert not list(g.triples((None, CKG.segmentOf, None))), gid


def test_template_segments_form_a_dag_within_the_chain(union: Graph) -> None:
    for chain in union.subjects(RDF.type, CKG.ChainTemplate):
        segs = set(union.subjects(CKG.segmentOf, chain))
        assert 4 <= len(segs) <= 8, f"{chain}: {len(segs)} segments"
        edges = {(a, b) for a in segs for b in union.objects(a, CKG.suppliesTo)}
        assert edges, f"{chain} has no supply edges"
        assert all(b in segs for _, b in edges), f"{chain}: supply edge leaves the chain"
        # Kahn's algorithm: a DAG can be fully ordered
        indeg = {s: 0 for s in segs}
        for _, b in edges:
            indeg[b] += 1
        queue = [s for s, d in indeg.items() if d == 0]
        seen = 0
        while queue:
            n = queue.pop()
            seen += 1
            for a, b in edges:
                if a == n:
                    indeg[b] -= 1
                    if indeg[b] == 0:
                        queue.append(b)
        assert seen == len(segs), f"{chain}: supply edges contain a cycle"


def test_silk_template_has_the_named_steps_and_shows_gaps(union: Graph) -> None:
    segs = set(union.subjects(CKG.segmentOf, CHAIN.silk))
    seg_labels = " ".join(lab for s in segs for lab in labels(union, s, "zh"))
    for step in ("蚕桑养殖", "缫丝", "织绸", "服装", "艺术品精深加工"):
        assert step in seg_labels, f"silk template lacks {step}"
    occupied = {s for s in segs if any(union.subjects(CKG.operatesIn, s))}
    assert occupied, "no enterprise placed on the silk chain"
    assert occupied != segs, "every silk segment has a firm: the gaps the articles imply are gone"


def test_every_operates_in_comes_from_an_article(union: Graph, claim_graphs: dict) -> None:
    for gid, g in claim_graphs.items():
        if list(g.triples((None, CKG.operatesIn, None))):
            assert (source_of(union, gid), RDF.type, CKG.SourceDocument) in union, gid


def test_inferred_placements_carry_reasoning(union: Graph) -> None:
    for claim in union.subjects(CKG.basis, CKG.Inferred):
        reasoning = union.value(claim, CKG.reasoning)
        assert reasoning is not None and len(str(reasoning)) > 20, claim


# --------------------------------------------------------------------------- key facts


def test_qianjiang_zone_names_are_merged(union: Graph) -> None:
    names = ("正阳工业园区", "黔江高新区", "重庆黔江高新技术产业开发区", "重庆市正阳工业园区(黔江高新区)")
    for name in names:
        assert subjects_named(union, name) == {PLACE["qianjiang-hitech-zone"]}, name
    zone = PLACE["qianjiang-hitech-zone"]
    assert (zone, CKG.level, CKG.MunicipalLevel) in union
    assert (zone, CKG.aspiresToLevel, CKG.NationalLevel) in union
    assert str(union.value(zone, CKG.approvedOn)) == "2021-10-29"
    assert any("以认促建" in str(n) for n in union.objects(zone, CKG.statusNote))
    assert (zone, CKG.partOf, PLACE.qianjiang) in union
    assert (PLACE.qianjiang, CKG.partOf, PLACE.chongqing) in union


def test_enterprise_names_are_merged(union: Graph) -> None:
    sanlei = ENT["sanlei-boxian"]
    assert str(union.value(sanlei, CKG.legalName)) == "重庆三磊玻纤股份有限公司"
    for name in ("三磊玻纤", "重庆三磊玻纤股份有限公司", "黔江区三磊玻纤有限公司", "重庆三磊玻纤公司"):
        assert subjects_named(union, name) == {sanlei}, name
    for name in ("科瑞南海", "南海制药", "科瑞南海制药有限公司", "重庆科瑞南海制药有限公司"):
        assert subjects_named(union, name) == {ENT["kerui-nanhai-pharma"]}, name
    assert subjects_named(union, "衡生药用胶囊") == {ENT["hengsheng-capsules"]}
    assert str(union.value(ENT["hengsheng-capsules"], CKG.legalName)) == "重庆衡生药用胶囊有限公司"


def test_every_named_enterprise_has_bilingual_labels(union: Graph) -> None:
    firms = set(union.subjects(RDF.type, CKG.Enterprise)) | set(union.subjects(RDF.type, CKG.EnterpriseGroup))
    for e in firms:
        assert labels(union, e, "zh") and any(o.language == "en" for o in union.objects(e, RDFS.label)), e


def test_qianjiang_chain_chief_2021_covers_the_1plus3_chains(union: Graph) -> None:
    records = [r for r in union.subjects(RDF.type, CKG.ChainChiefSystem)
               if (r, CKG.region, PLACE.qianjiang) in union]
    assert len(records) >= 1
    portfolio = next(p for p in union.subjects(RDF.type, CKG.IndustryPortfolio)
                     if any("1+3" in lab for lab in labels(union, p)))
    members = set(union.subjects(CKG.memberOfPortfolio, portfolio))
    assert len(members) == 4  # the article: 智慧文旅、新材料、蚕桑丝绸、大健康
    scoped = [r for r in records if set(union.objects(r, CKG.appliesTo))]
    assert any(set(union.objects(r, CKG.appliesTo)) == members for r in scoped)
    covered = {c for m in members for c in union.objects(m, CKG.coversChain)}
    assert {CHAIN["smart-culture-tourism"], CHAIN.silk, CHAIN["big-health"], CHAIN["glass-fibre"]} <= covered
    # the 2022/23 statement: all industries, with a task force, kept as its own record
    all_ind = [r for r in records if (r, CKG.appliesToAllIndustries, Literal(True)) in union]
    assert all_ind and union.value(all_ind[0], CKG.taskForce) is not None
    assert (all_ind[0], CKG.notStated, CKG.chainLeader) in union
    # no chain chief is named anywhere
    for r in records:
        post = union.value(r, CKG.chiefPost)
        assert post is not None and (post, CKG.notStated, ORG.heldBy) in union
        assert union.value(post, ORG.heldBy) is None


def test_tech_sme_counts_kept_apart(union: Graph, claim_graphs: dict) -> None:
    obs = {float(union.value(o, CKG.value)): o
           for o in union.subjects(CKG.indicator, INDICATOR["tech-smes"])
           if float(union.value(o, CKG.value)) in (350.0, 431.0)}
    assert set(obs) == {350.0, 431.0}
    a, b = obs[350.0], obs[431.0]

    def period(o):
        return (str(union.value(o, CKG.periodLabel)), union.value(o, CKG.periodEnd))

    assert period(a) != period(b)
    assert str(union.value(b, CKG.periodEnd)) == "2023-05-04"

    def sources(node):
        return {source_of(union, gid) for gid, g in claim_graphs.items()
                if (node, RDF.type, CKG.Observation) in g}

    # the two figures come from different articles
    assert sources(a) == {DOC.d001}
    assert sources(b) == {DOC.d000}


def test_rongchang_zone_has_three_sub_parks(union: Graph) -> None:
    zone = PLACE["rongchang-hitech-zone"]
    assert (zone, CKG.level, CKG.NationalLevel) in union
    subparks = {s for s in union.subjects(CKG.partOf, zone) if (s, RDF.type, CKG.SubPark) in union}
    names = {lab for s in subparks for lab in labels(union, s, "zh")}
    assert {"板桥园", "广富园", "荣隆园"} <= names


def test_lu_nei_rong_yong_alliance_members(union: Graph) -> None:
    alliance = next(a for a in union.subjects(RDF.type, CKG.Alliance)
                    if any("泸内荣永" in lab for lab in labels(union, a)))
    members = list(union.objects(alliance, CKG.allianceMember))
    member_names = " ".join(lab for m in members for lab in labels(union, m, "zh"))
    for city in ("泸州", "内江", "永川", "荣昌"):
        assert city in member_names, city


def test_regional_industries_link_regions_and_templates(union: Graph) -> None:
    for ind in union.subjects(RDF.type, CKG.RegionalIndustry):
        assert union.value(ind, CKG.region) is not None, ind
        for chain in union.objects(ind, CKG.coversChain):
            assert (chain, RDF.type, CKG.ChainTemplate) in union, (ind, chain)
    portfolios = {lab for p in union.subjects(RDF.type, CKG.IndustryPortfolio)
                  for lab in labels(union, p, "zh")}
    joined = " ".join(portfolios)
    for key in ("三大百亿级", "五大产业", "1+3", "3+1", "五大产业集群"):
        assert key in joined, key


def test_doubtful_figures_are_flagged(union: Graph) -> None:
    flagged = {float(union.value(o, CKG.value)) for o in union.subjects(CKG.flag, None)
               if (o, RDF.type, CKG.Observation) in union}
    assert 594662.0 in flagged  # 兑现企业补贴594662万元
    assert 50.0 in flagged  # 三磊 capacity 50万吨 vs the 50万吨 base
    assert {69.88, 35.75, 5.28, 2.89, 30.73} <= flagged  # 五大产业 actuals, growth rates in one run


def test_projects_have_status_and_key_dates(union: Graph) -> None:
    s02 = URIRef(ID + "project/sanlei-s02-line")
    assert (s02, CKG.projectStatus, CKG.InOperation) in union
    assert str(union.value(s02, CKG.operationDate)) == "2022-06-27"
    relocation = URIRef(ID + "project/qianjiang-cigarette-factory-relocation")
    assert (relocation, CKG.projectStatus, CKG.UnderConstruction) in union
    assert str(union.value(relocation, CKG.startDate)) == "2022-05-18"
    wte = URIRef(ID + "project/qianjiang-waste-to-energy")
    assert (wte, CKG.forSegment, URIRef(ID + "segment/new-energy--waste-to-energy")) in union


def test_enterprise_placements_from_the_articles(union: Graph) -> None:
    seg = lambda s: URIRef(ID + "segment/" + s)  # noqa: E731
    expected = {
        "sanlei-boxian": "glass-fibre--glass-fibre-manufacturing",
        "kerui-nanhai-pharma": "biomedicine--formulations",
        "hengsheng-capsules": "biomedicine--excipients-capsules",
        "huashen-silk": "silk--weaving",
        "shuanghe-silk": "silk--reeling",
        "sanfeng-environment": "new-energy--waste-to-energy",
        "weimei-ceramics": "ceramics--building-ceramics",
        "aolong-bio": "agri-livestock--veterinary-vaccines",
        "kaituo-satellite": "satellite--core-units",
    }
    for firm, segment in expected.items():
        assert (ENT[firm], CKG.operatesIn, seg(segment)) in union, firm


def test_people_in_roles(union: Graph) -> None:
    roles = defaultdict(set)
    for m in union.subjects(RDF.type, ORG.Membership):
        person = union.value(m, ORG.member)
        for name in labels(union, person, "zh"):
            roles[name].add(str(union.value(m, CKG.roleLabel)))
    for name in ("邓波", "罗庆林", "黄攀", "李娟", "徐江", "洪忠进", "臧世伟", "姜天波", "罗成"):
        assert roles.get(name), name
    assert "董事长" in roles["洪忠进"]
    assert "区长" in roles["罗成"]
