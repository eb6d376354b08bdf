"""Regional industries and portfolios as one answer; planned segments and members of unknown
segment in completeness; the industry view's content."""

from __future__ import annotations

import pytest

from graph.errors import AmbiguousNameError
from graph.questions.completeness import completeness
from graph.questions.industries import industry_profile, list_industries
from graph.store.embedded import KGStore
from graph.views.viz import chain_network, industry_network

ID = "https://w3id.org/chainkg/id/"
NEW_MATERIALS = ID + "industry/qianjiang-new-materials"


def test_an_industry_over_two_templates_is_one_answer(seed_store: KGStore) -> None:
    p = industry_profile(seed_store, "新材料")
    assert p["iri"] == NEW_MATERIALS and p["kind"] == "industry"
    assert [c["iri"] for c in p["chains"]] == [ID + "chain/aluminium", ID + "chain/glass-fibre"]
    assert all(0 <= c["completeness"]["score"] <= 1 for c in p["chains"])
    assert {r["value"] for r in p["regions"]} == {ID + "place/qianjiang", ID + "place/qianjiang-hitech-zone"}
    names = [m["label"] for m in p["members"]]
    assert names == sorted(names) and {"三磊玻纤", "京宏源铝业", "铝晟新材料", "黔瑞锰业", "瑞耀电子"} <= set(names)
    for m in p["members"]:
        assert m["basis"] in ("stated", "inferred") and m["sources"] and m["sources"][0]["evidence"]
    unknown = {m["label"] for m in p["members"] if not m["segments"]}
    assert unknown == {"黔瑞锰业", "瑞耀电子"}


def test_industry_figures_keep_growth_rate_flag_and_target(seed_store: KGStore) -> None:
    figs = industry_profile(seed_store, "qianjiang-new-materials")["figures"]
    actual = next(f for f in figs if f["kind"] == "actual")
    assert actual["value"] == 35.75 and actual["growth_rate"] == 17.8 and actual["flag"]
    assert any(f["kind"] == "target" and f["value"] == 100.0 for f in figs)


def test_a_portfolio_compares_its_members(seed_store: KGStore) -> None:
    p = industry_profile(seed_store, "黔江五大产业")
    assert p["kind"] == "portfolio" and len(p["portfolio_members"]) == 5
    table = p["comparison"]
    assert table[0]["label"] == "黔江新材料产业"  # grew fastest (17.8%)
    rates = [r["growth_rate"] for r in table]
    assert rates == sorted(rates, reverse=True)
    new_energy = next(r for r in table if r["industry"].endswith("/qianjiang-new-energy"))
    assert new_energy["actual"]["value"] == 30.73 and new_energy["target"]["value"] == 30.0
    assert new_energy["gap"] == -0.73
    assert any(f["value"] == 400.0 for f in p["figures"])  # the portfolio's own target


def test_planned_segments_of_a_programme_carry_the_quote(seed_store: KGStore) -> None:
    planned = industry_profile(seed_store, "qianjiang-silk")["planned_segments"]
    assert {s["segment"].rsplit("--", 1)[-1] for s in planned} == {"reeling", "weaving", "garments", "art-products"}
    assert all("缫丝、织绸、服装" in s["sources"][0]["evidence"] for s in planned)


def test_list_of_a_region_s_industries(seed_store: KGStore) -> None:
    items = list_industries(seed_store, region="黔江")
    ids = [i["id"] for i in items]
    assert "qianjiang-new-materials" in ids and "qianjiang-five-industries" in ids
    assert not any(i.startswith("rongchang") for i in ids)
    assert [(i["label"], i["iri"]) for i in items] == sorted((i["label"], i["iri"]) for i in items)
    assert {i["kind"] for i in items} == {"industry", "portfolio"}


def test_completeness_marks_segments_a_programme_targets_as_planned(seed_store: KGStore) -> None:
    c = completeness(seed_store, "蚕桑丝绸", "黔江")
    by_end = {s.iri.rsplit("--", 1)[-1]: s for s in c.segments}
    for end in ("garments", "art-products"):
        assert by_end[end].status == "planned"
        assert by_end[end].targeted_by[0]["industry"].endswith("/qianjiang-silk")
        assert by_end[end].targeted_by[0]["sources"][0]["evidence"]
    assert by_end["reeling"].status == "covered" and by_end["reeling"].targeted_by
    assert by_end["dyeing-printing"].status == "missing"
    assert c.planned_share > 0
    assert [m["label"] for m in c.unknown_segment] == ["海通丝绸"]


def test_completeness_lists_industry_members_of_unknown_segment(seed_store: KGStore) -> None:
    c = completeness(seed_store, "玻纤", "黔江").to_dict()
    assert [m["label"] for m in c["unknown_segment"]] == ["瑞耀电子", "黔瑞锰业"]
    assert all(m["industry"] == NEW_MATERIALS and m["sources"] for m in c["unknown_segment"])
    assert completeness(seed_store, "玻纤").unknown_segment == []  # the bare template


def test_a_chain_name_that_is_an_industry_over_two_templates_lists_the_templates(seed_store: KGStore) -> None:
    with pytest.raises(AmbiguousNameError) as err:
        completeness(seed_store, "新材料", "黔江")
    assert {c.iri for c in err.value.candidates} == {ID + "chain/aluminium", ID + "chain/glass-fibre"}


def test_chain_view_shows_targets_and_unknown_segment_members(seed_store: KGStore) -> None:
    net = chain_network(completeness(seed_store, "蚕桑丝绸", "黔江"))
    unknown = next(n for n in net.nodes if n["kind"] == "unknown-segment")
    assert unknown["members"] == [ID + "enterprise/haitong-silk"]
    garments = next(n for n in net.nodes if n["id"].endswith("--garments"))
    assert garments["status"] == "planned" and "黔江蚕桑丝绸产业链" in garments["title"]


def test_industry_view_content(seed_store: KGStore) -> None:
    net = industry_network(industry_profile(seed_store, "新材料"))
    kinds = {n["kind"] for n in net.nodes}
    assert {"focus", "place", "chain", "enterprise", "industry", "portfolio"} <= kinds
    members = {n["id"]: n for n in net.nodes if n["kind"] == "enterprise"}
    assert members[ID + "enterprise/qianrui-manganese"]["segment_known"] is False
    assert members[ID + "enterprise/sanlei-boxian"]["segment_known"] is True
    assert net.chainkg["view"] == "industry" and any("17.8%" in v for _, v in net.chainkg["summary"])
    silk = industry_network(industry_profile(seed_store, "qianjiang-silk"))
    assert sum(n["kind"] == "planned-segment" for n in silk.nodes) == 4
    five = industry_network(industry_profile(seed_store, "黔江五大产业"))
    assert sum(n["kind"] == "industry" for n in five.nodes) == 5
