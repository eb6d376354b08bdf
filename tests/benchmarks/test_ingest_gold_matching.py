"""The matching rules of ``benchmarks/ingest_gold.py`` on small hand-made graphs."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import RDFS

from benchmarks.ingest_gold import Matcher, Names, found_facts, norm, recovered

ID = "https://w3id.org/chainkg/id/"
CKG = "https://w3id.org/chainkg/ontology#"


def names(pairs: dict[str, str]) -> Names:
    return Names((URIRef(s), RDFS.label, Literal(n, lang="zh")) for s, n in pairs.items())


def test_names_compare_without_quotes_and_industry_suffixes() -> None:
    assert norm("“泸内荣永”国家高新区产业联盟") == norm('"泸内荣永"国家高新区产业联盟')
    assert norm("綦江装备制造产业集群") == norm("綦江装备制造产业")


def test_resources_match_by_iri_or_shared_name_and_figures_by_family() -> None:
    gold = names({ID + "place/rongchang-hitech-zone": "荣昌高新区", ID + "place/rongchang": "荣昌区"})
    found = names({ID + "place/new-zone": "荣昌高新区", ID + "place/other": "永川区"})
    m = Matcher(gold, found, {(ID + "place/rongchang-hitech-zone", ID + "place/rongchang")})
    assert m.same(ID + "place/new-zone", ID + "place/rongchang-hitech-zone")
    assert not m.same(ID + "place/other", ID + "place/rongchang")
    assert m.family(ID + "place/new-zone", ID + "place/rongchang")  # a zone stands for its district
    triples = [
        (ID + "observation/x", CKG + "subject", ID + "place/new-zone"),
        (ID + "observation/x", CKG + "value", "277.06"),
        (ID + "observation/x", CKG + "unit", ID + "indicator/unit-100m-yuan"),
        (ID + "observation/x", CKG + "figureKind", CKG + "Actual"),
    ]
    found_f = found_facts(triples)
    fact = (ID + "place/rongchang-hitech-zone", "277.06", ID + "indicator/unit-100m-yuan", CKG + "Actual")
    assert recovered("figure", fact, found_f, m)
    assert not recovered("figure", (*fact[:3], CKG + "Target"), found_f, m)
