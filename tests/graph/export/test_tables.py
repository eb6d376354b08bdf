"""Answers → tables: every row traces back to the JSON answer, provenance columns included."""

from __future__ import annotations

from typing import Any

import pytest

from graph.export.tables import (
    NOT_STATED_CELL,
    STATUS_ZH,
    chain_chief_regions_tables,
    chiefs_tables,
    completeness_tables,
    matrix_tables,
    pick,
)
from graph.questions.chiefs import chain_chiefs, regions_running
from graph.questions.completeness import completeness
from graph.questions.matrix import matrix
from graph.store.embedded import KGStore


def _by_name(tables: list[Any]) -> dict[str, Any]:
    return {t.name: t for t in tables}


@pytest.fixture(scope="module")
def silk_qianjiang(seed_store: KGStore) -> dict[str, Any]:
    return completeness(seed_store, "蚕桑丝绸", "黔江").to_dict()


@pytest.fixture(scope="module")
def silk_rongchang(seed_store: KGStore) -> dict[str, Any]:
    return completeness(seed_store, "蚕桑丝绸", "荣昌").to_dict()


def test_completeness_segments_follow_the_answer(silk_qianjiang: dict[str, Any]) -> None:
    t = _by_name(completeness_tables(silk_qianjiang))["segments"]
    rows = t.dicts()
    segs = silk_qianjiang["segments"]
    assert [r["环节 (segment)"] for r in rows] == [s["label"] for s in segs]
    assert [r["IRI"] for r in rows] == [s["iri"] for s in segs]
    assert [r["状态 (status)"] for r in rows] == [STATUS_ZH[s["status"]] for s in segs]
    assert [r["企业数 (enterprises)"] for r in rows] == [s["enterprise_count"] for s in segs]
    assert [r["断点 (break point)"] == "是" for r in rows] == [s["break_point"] for s in segs]
    assert [r["薄弱环节 (weak link)"] == "是" for r in rows] == [s["weak_link"] for s in segs]
    # the break point of silk in 黔江 (sericulture is missing and lies on every supply path)
    assert any(r["断点 (break point)"] == "是" and r["状态 (status)"] == "缺失" for r in rows)
    reeling = next(r for r in rows if r["IRI"].endswith("silk--reeling"))
    assert "双河丝绸" in reeling["企业 (enterprises listed)"] and reeling["国民经济行业代码 (GB/T 4754-2017)"] == "1741"
    assert {r["产业链 (chain)"] for r in rows} == {silk_qianjiang["chain_label"]}
    assert {r["地区 (region)"] for r in rows} == {"黔江区"}


def test_completeness_actors_keep_their_provenance(silk_qianjiang: dict[str, Any]) -> None:
    actors = _by_name(completeness_tables(silk_qianjiang))["actors"].dicts()
    expected = [(s["label"], a["iri"]) for s in silk_qianjiang["segments"] for a in (*s["enterprises"], *s["projects"])]
    assert [(r["环节 (segment)"], r["IRI"]) for r in actors] == expected
    shuanghe = next(r for r in actors if r["IRI"].endswith("shuanghe-silk") and r["依据 (basis)"] == "原文陈述")
    src = next(s for seg in silk_qianjiang["segments"] for a in seg["enterprises"]
               if a["iri"].endswith("shuanghe-silk") for s in a["sources"] if s["basis"] == "stated")
    assert shuanghe["来源标题 (source title)"] == src["document"]["title"]
    assert shuanghe["来源文件 (source file)"] == src["document"]["file"]
    assert shuanghe["原文摘录 (quote)"] == src["evidence"]
    assert shuanghe["来源日期 (source date)"] == NOT_STATED_CELL  # the article's date is not stated


def test_gap_list_lists_every_candidate_with_tier_and_source(silk_rongchang: dict[str, Any]) -> None:
    cands = _by_name(completeness_tables(silk_rongchang))["candidates"].dicts()
    expected = [(s["label"], c["iri"], c["tier"]) for s in silk_rongchang["segments"] for c in s["candidates"]]
    assert expected and [(r["环节 (segment)"], r["IRI"], r["优先级 (tier)"]) for r in cands] == expected
    for row in cands:
        assert row["环节状态 (segment status)"] in ("缺失", "规划/在建")
        assert row["来源文件 (source file)"] and row["原文摘录 (quote)"]


def test_summary_holds_the_scores(silk_qianjiang: dict[str, Any]) -> None:
    summary = dict(_by_name(completeness_tables(silk_qianjiang))["summary"].rows)
    assert summary["完整度 (score)"] == silk_qianjiang["score"]
    assert summary["加权完整度 (weighted score)"] == silk_qianjiang["weighted_score"]
    assert summary["链条贯通 (connected)"] == ("是" if silk_qianjiang["connected"] else "否")
    assert "缫丝" not in summary["断点 (break points)"] and summary["断点 (break points)"]


def test_matrix_wide_and_long_agree_with_the_cells(seed_store: KGStore) -> None:
    d = matrix(seed_store)
    wide, cells = (_by_name(matrix_tables(d))[n] for n in ("matrix", "cells"))
    assert wide.headers[4:-1] == [c["label"] for c in d["chains"]]
    assert [r[-1] for r in wide.rows] == [r["iri"] for r in d["regions"]]
    scores = {(c["region"], c["chain"]): c["score"] for c in d["cells"]}
    for row in wide.rows:
        for chain, value in zip(d["chains"], row[4:-1], strict=True):
            assert value == scores.get((row[-1], chain["iri"]), 0.0)
    assert [(r[-2], r[-1], r[2], r[4]) for r in cells.rows] == [
        (c["region"], c["chain"], c["covered"], c["score"]) for c in d["cells"]]
    qianjiang = next(r for r in wide.dicts() if r["IRI"].endswith("/qianjiang"))
    assert qianjiang["地区 (region)"] == "黔江区" and qianjiang["上级 (parent)"] == "重庆市"


def test_chiefs_tables_say_not_stated_and_keep_targets(seed_store: KGStore) -> None:
    d = chain_chiefs(seed_store, "黔江").to_dict()
    t = _by_name(chiefs_tables(d))
    records = t["records"].dicts()
    assert [r["IRI"] for r in records] == [r["iri"] for r in d["records"]]
    assert all(r["链主企业 (chain leader)"] == NOT_STATED_CELL for r in records)  # the articles do not name one
    assert all(NOT_STATED_CELL in r["链长 (chain chiefs)"] for r in records)
    targets = t["targets"].dicts()
    expected = [(i["label"], x["target"]["value"], x["gap"]) for r in d["records"] for i in r["industries"]
                for x in i["targets_vs_actuals"]]
    assert expected and [(r["产业 (industry)"], r["目标值 (target)"], r["差距 (gap)"]) for r in targets] == expected
    assert all(r["目标摘录 (target quote)"] for r in targets)
    figures = t["figures"].dicts()
    assert figures and all(r["来源文件 (source file)"] and r["原文摘录 (quote)"] for r in figures)


def test_regions_running_a_chain(seed_store: KGStore) -> None:
    d = {"chain": "蚕桑丝绸", "regions": regions_running(seed_store, "蚕桑丝绸")}
    (t,) = chain_chief_regions_tables(d)
    assert [(r["地区 (region)"], r["记录 (record)"]) for r in t.dicts()] == [
        (r["region_label"], r["record"]) for r in d["regions"]]


def test_pick_names_the_tables_there_are(silk_qianjiang: dict[str, Any]) -> None:
    tables = completeness_tables(silk_qianjiang)
    assert [t.name for t in pick(tables, "candidates")] == ["candidates"]
    with pytest.raises(KeyError, match="segments, candidates, actors, summary"):
        pick(tables, "nope")
