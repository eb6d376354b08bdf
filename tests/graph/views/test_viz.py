"""Graph view builders: nodes, labels, colours, statuses, escaping, the "+N more" cap, layout."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest

from graph.questions.completeness import completeness
from graph.store.embedded import KGStore
from graph.views import viz
from tests.viz_hostile import IMG, SCRIPT, hostile_store

PAYLOADS = [SCRIPT, IMG, "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


def _segment(
    iri: str, label: str, order: int, stage: str, status: str = "missing", **kw: Any
) -> dict[str, Any]:
    return {
        "iri": iri,
        "label": label,
        "label_en": None,
        "stage": stage,
        "order": order,
        "weight": 1.0,
        "gbt_codes": [],
        "status": status,
        "enterprises": [],
        "projects": [],
        "weak_link": False,
        "break_point": False,
        "candidates": [],
        **kw,
    }


def _ent(i: int, label: str | None = None) -> dict[str, Any]:
    return {
        "iri": f"https://w3id.org/chainkg/id/enterprise/e{i}",
        "label": label or f"企业{i}",
        "label_en": None,
        "kind": "enterprise",
        "place": None,
        "place_label": "黔江高新区",
        "basis": "stated",
        "sources": [
            {
                "claim": "c",
                "evidence": "原文",
                "basis": "stated",
                "document": {"file": "d.txt", "title": "T", "date": "2023-05-04"},
            }
        ],
    }


def synthetic(n_enterprises: int = 3, label: str = "缫丝") -> dict[str, Any]:
    base = "https://w3id.org/chainkg/id/segment/t--"
    return {
        "chain": "https://w3id.org/chainkg/id/chain/t",
        "chain_label": "测试链",
        "chain_label_en": "Test",
        "region": "https://w3id.org/chainkg/id/place/r",
        "region_label": "测试区",
        "segments": [
            _segment(base + "a", "上游A", 1, "upstream", "covered", enterprises=[_ent(0)], weak_link=True),
            _segment(
                base + "b",
                label,
                2,
                "midstream",
                "covered",
                enterprises=[_ent(i) for i in range(1, n_enterprises + 1)],
            ),
            _segment(base + "c", "下游C", 3, "downstream", "missing", break_point=True),
            _segment(
                base + "d",
                "下游D",
                4,
                "downstream",
                "planned",
                projects=[{**_ent(99, "在建项目"), "kind": "project", "status": "ckg:Planned"}],
            ),
        ],
        "edges": [[base + "a", base + "b"], [base + "b", base + "c"], [base + "b", base + "d"]],
        "score": 0.5,
        "weighted_score": 0.5,
        "by_stage": {},
        "planned_share": 0.25,
        "connected": False,
        "break_points": [base + "c"],
        "weak_links": [base + "a"],
    }


def _by_kind(net: Any, kind: str) -> list[dict[str, Any]]:
    return [n for n in net.nodes if n["kind"] == kind]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def test_chain_segments_statuses_colours_and_marks() -> None:
    net = viz.chain_network(synthetic())
    segs = {n["id"].rsplit("--", 1)[-1]: n for n in _by_kind(net, "segment")}
    assert {k: n["status"] for k, n in segs.items()} == {
        "a": "covered",
        "b": "covered",
        "c": "missing",
        "d": "planned",
    }
    assert segs["b"]["color"]["background"] == viz.STATUS_COLOURS["covered"]["background"]
    assert segs["c"]["color"]["background"] == viz.STATUS_COLOURS["missing"]["background"]
    assert segs["d"]["color"]["background"] == viz.STATUS_COLOURS["planned"]["background"]
    assert segs["c"]["break_point"] and segs["c"]["color"]["border"] == viz.BREAK_BORDER
    assert segs["c"]["borderWidth"] > segs["b"]["borderWidth"] and "断点" in segs["c"]["label"]
    assert segs["a"]["weak_link"] and segs["a"]["shapeProperties"]["borderDashes"]
    assert "薄弱" in segs["a"]["label"]
    supplies = [e for e in net.edges if e["kind"] == "supplies"]
    assert len(supplies) == 3 and all(e["arrows"] == "to" for e in supplies)
    broken = [e for e in supplies if e["to"].endswith("--c")]
    assert broken[0]["dashes"] and broken[0]["color"]["color"] == viz.BREAK_BORDER


def test_chain_layout_left_to_right_and_deterministic() -> None:
    a, b = viz.chain_network(synthetic()), viz.chain_network(synthetic())
    assert [(n["id"], n["x"], n["y"]) for n in a.nodes] == [(n["id"], n["x"], n["y"]) for n in b.nodes]
    assert a.options["physics"]["enabled"] is False
    assert all(n["fixed"] == {"x": True, "y": True} for n in a.nodes)
    xs = {n["id"].rsplit("--", 1)[-1]: n["x"] for n in _by_kind(a, "segment")}
    assert xs["a"] < xs["b"] < xs["c"] == xs["d"]
    positions = [(n["x"], n["y"]) for n in a.nodes]
    assert len(positions) == len(set(positions)), "no two nodes share a position"


def test_enterprises_attached_with_sources_and_links() -> None:
    net = viz.chain_network(synthetic())
    ents = _by_kind(net, "enterprise")
    assert len(ents) == 4
    e1 = next(n for n in ents if n["id"].endswith("/e1"))
    assert any(e["from"].endswith("--b") and e["to"] == e1["id"] for e in net.edges)
    assert e1["details"]["iri"] == "https://w3id.org/chainkg/id/enterprise/e1"
    assert e1["details"]["view"] == "viz/enterprises/e1"
    assert any("«T»" in s and "原文" in s for s in e1["details"]["sources"])
    assert "原文" in e1["title"]
    assert _by_kind(net, "project")[0]["shapeProperties"]["borderDashes"]


def test_more_node_caps_hundreds_of_enterprises() -> None:
    net = viz.chain_network(synthetic(n_enterprises=300), max_enterprises=5)
    more = _by_kind(net, "more")
    assert len(more) == 1 and more[0]["hidden_count"] == 295 and "+295" in more[0]["label"]
    assert len(more[0]["details"]["items"]) == 295
    assert len(_by_kind(net, "enterprise")) == 1 + 5
    assert len(net.nodes) < 20


@pytest.mark.parametrize("payload", PAYLOADS)
def test_chain_labels_titles_details_escaped(payload: str) -> None:
    data = synthetic(label=payload)
    data["segments"][0]["enterprises"] = [_ent(7, payload)]
    data["segments"][0]["enterprises"][0]["sources"][0]["evidence"] = payload
    data["chain_label"] = payload
    net = viz.chain_network(data)
    texts = _strings([{k: n.get(k) for k in ("label", "title", "details")} for n in net.nodes])
    texts += [*_strings([{k: e.get(k) for k in ("label", "title")} for e in net.edges]), net.heading]
    assert all("<" not in t and ">" not in t for t in texts)
    assert any(html.escape(payload) in t for t in texts)
    assert net.chainkg["title"].startswith(payload)  # raw for the renderer, which escapes it


def test_seeded_chain_template_and_region() -> None:
    store = hostile_store()
    net = viz.chain_network(completeness(store, "蚕桑丝绸", "黔江"))
    segs = _by_kind(net, "segment")
    assert len(segs) == 7
    assert {n["status"] for n in segs} >= {"covered", "missing"}
    labels = json.dumps([n["label"] for n in net.nodes], ensure_ascii=False)
    assert "&lt;script&gt;" in labels and "<script>" not in labels
    template = viz.chain_network(completeness(store, "蚕桑丝绸"))
    assert {n["status"] for n in _by_kind(template, "segment")} == {"missing"}
    assert not _by_kind(template, "enterprise")


def test_chain_columns_falls_back_on_cycles() -> None:
    segs = [{"iri": "a", "stage": "midstream", "order": 1}, {"iri": "b", "stage": "midstream", "order": 2}]
    assert viz.chain_columns(segs, [("a", "b"), ("b", "a")]) == {"a": 0, "b": 1}


def test_legend_for_every_view() -> None:
    for view in ("chain", "region", "enterprise", "chiefs"):
        items = viz.legend(view)
        assert items and all(i.label for i in items)
    with pytest.raises(ValueError):
        viz.legend("nope")


def test_region_network(seed_store: KGStore) -> None:
    from graph.questions.regions import region_tree

    net = viz.region_network(region_tree(seed_store, "黔江"))
    kinds = {n["kind"] for n in net.nodes}
    assert {"place", "enterprise", "chain"} <= kinds
    root = next(n for n in net.nodes if n["id"] == "https://w3id.org/chainkg/id/place/qianjiang")
    assert root["x"] == 0
    capped = viz.region_network(region_tree(seed_store, "黔江"), max_enterprises=1)
    assert _by_kind(capped, "more")


def test_region_network_escapes() -> None:
    tree = {
        "iri": "p",
        "label": SCRIPT,
        "types": ["ckg:District"],
        "children": [],
        "enterprises": [
            {"iri": "e", "label": IMG, "chains": [{"iri": "c", "label": SCRIPT, "segments": []}]}
        ],
    }
    net = viz.region_network(tree)
    assert all(
        "<" not in t for t in _strings([{k: n[k] for k in ("label", "title", "details")} for n in net.nodes])
    )


def test_enterprise_network(seed_store: KGStore) -> None:
    from graph.questions.enterprise import enterprise_profile

    profile = enterprise_profile(seed_store, "三磊玻纤")
    net = viz.enterprise_network(profile)
    focus = _by_kind(net, "focus")
    assert len(focus) == 1 and focus[0]["x"] == 0 and focus[0]["y"] == 0
    assert _by_kind(net, "segment") and _by_kind(net, "chain") and _by_kind(net, "place")
    assert len(_by_kind(net, "project")) == len(profile.to_dict()["projects"])
    evil = viz.enterprise_network(
        {"iri": "e", "label": SCRIPT, "honours": [{"iri": "h", "label": IMG, "facts": []}]}
    )
    assert all(
        "<" not in t for t in _strings([{k: n[k] for k in ("label", "title", "details")} for n in evil.nodes])
    )


def test_chiefs_network(seed_store: KGStore) -> None:
    from graph.questions.chiefs import chain_chiefs

    report = chain_chiefs(seed_store, "黔江")
    net = viz.chiefs_network(report)
    assert {"region", "record", "industry", "post", "leader"} <= {n["kind"] for n in net.nodes}
    posts = _by_kind(net, "post")
    assert all("not stated" in p["label"] for p in posts if p["not_stated"])
    industries = {i["iri"] for r in report.to_dict()["records"] for i in r["industries"]}
    assert {n["id"] for n in _by_kind(net, "industry")} == industries


def test_builders_accept_dicts_only() -> None:
    with pytest.raises(TypeError):
        viz.chain_network(42)
