"""链长制, enterprise-to-chain lookup and figures, checked against what the articles say."""

from __future__ import annotations

from graph.index.names import index_for
from graph.questions.chiefs import chain_chiefs, regions_running
from graph.questions.enterprise import enterprise_profile
from graph.questions.figures import figures_for, observations
from graph.questions.provenance import NOT_STATED
from graph.store.embedded import KGStore

D001 = "001_061ee2a158ccf944.txt"
D003 = "003_e64839a68220c915.txt"


def _files(item: dict) -> set[str]:
    return {s["document"]["file"] for s in item["sources"]}


def test_qianjiang_runs_chain_chiefs_for_the_four_chains_per_2021_article(seed_store: KGStore) -> None:
    report = chain_chiefs(seed_store, "黔江").to_dict()
    assert report["runs_chain_chief_system"]
    from_2021 = [r for r in report["records"] if D001 in _files(r)]
    assert from_2021
    named = " ".join(i["label"] for r in from_2021 for i in r["industries"] if i["iri"] in r["explicit_industries"])
    for chain in ("智慧文旅", "蚕桑丝绸", "新材料", "大健康"):
        assert chain in named


def test_qianjiang_applies_chain_chiefs_to_its_industries_per_2022_23_article(seed_store: KGStore) -> None:
    report = chain_chiefs(seed_store, "黔江").to_dict()
    later = [r for r in report["records"] if D003 in _files(r)]
    assert later and any(r["applies_to_all_industries"] for r in later)
    assert any(r["task_forces"] for r in later)


def test_chief_person_and_chain_leader_are_not_stated(seed_store: KGStore) -> None:
    for record in chain_chiefs(seed_store, "黔江").to_dict()["records"]:
        posts = record["chief_posts"]
        holders = [NOT_STATED] if posts == NOT_STATED else [p["holder"] for p in posts]
        assert holders and all(h == NOT_STATED for h in holders)
        assert record["chain_leader"] == NOT_STATED


def test_region_without_chain_chiefs_says_so(seed_store: KGStore) -> None:
    index = index_for(seed_store)
    others = [e for e in index.entries.values() if e.kind == "region" and "qianjiang" not in e.iri]
    if others:
        report = chain_chiefs(seed_store, others[0].iri).to_dict()
        assert report["runs_chain_chief_system"] == bool(report["records"])


def test_silk_chain_is_run_under_chain_chiefs_in_qianjiang(seed_store: KGStore) -> None:
    regions = regions_running(seed_store, "蚕桑丝绸")
    assert any(r["region"].endswith("/qianjiang") for r in regions)


def _chains(profile: dict) -> set[str]:
    return {c["iri"].rsplit("/", 1)[-1] for c in profile["chains"]}


def test_hengsheng_capsules_and_kerui_nanhai_land_on_biomedicine(seed_store: KGStore) -> None:
    for name in ("衡生药用胶囊", "科瑞南海"):
        p = enterprise_profile(seed_store, name).to_dict()
        assert "biomedicine" in _chains(p), name
        for chain in p["chains"]:
            for seg in chain["segments"]:
                assert seg["sources"] and seg["basis"] in ("stated", "inferred")
                assert seg["stage"] in ("upstream", "midstream", "downstream")


def test_enterprise_profile_has_place_honours_and_neighbours(seed_store: KGStore) -> None:
    p = enterprise_profile(seed_store, "三磊").to_dict()
    assert p["label"] == "三磊玻纤"
    assert any("黔江" in (loc["label"] or "") for loc in p["location"])
    assert p["honours"], "三磊 is a national 专精特新 little giant (article 003)"
    assert p["local_area"] and p["local_area"].endswith("/qianjiang")
    for side in ("suppliers", "customers"):
        for n in p[side]:
            assert n["segment"] and all(e["iri"] != p["iri"] for e in n["enterprises"])


def test_tech_sme_figures_350_and_431_are_kept_apart(seed_store: KGStore) -> None:
    values = set()
    for subject in ("黔江高新区", "黔江"):
        iri = index_for(seed_store).resolve(subject).iri
        for f in observations(seed_store, iri):
            if "科技型企业" in (f.indicator_label or ""):
                values.add((f.value, f.period_end, f.sources[0].document.file if f.sources[0].document else None))
    assert {v for v, _, _ in values} >= {350.0, 431.0}
    assert len({p for _, p, _ in values}) >= 2


def test_figures_answer_has_series_and_targets(seed_store: KGStore) -> None:
    data = figures_for(seed_store, "黔江高新区")
    assert data["series"]
    for t in data["targets_vs_actuals"]:
        if t["latest_actual"]:
            assert t["gap"] == round(t["target"]["value"] - t["latest_actual"]["value"], 4)
