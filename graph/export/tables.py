"""Answers as tables for analysts: one pure "answer → tables" function per question.

Each function takes the JSON-ready answer of a question (``completeness(...).to_dict()``,
``matrix(...)``, ``chain_chiefs(...).to_dict()``, ``{"chain", "regions": regions_running(...)}``)
and returns :class:`Table` objects with Chinese headers (English in brackets). Provenance stays
visible: wherever the answer carries sources, the table has source title, date, publisher, file
and quote columns. The writers in :mod:`graph.export.writers` turn tables into CSV or XLSX bytes.

>>> t = Table("t", "示例", (Column("地区", "region"), Column("得分", "score", "percent")), [["黔江", 0.5]])
>>> t.headers, t.dicts()
(['地区 (region)', '得分 (score)'], [{'地区 (region)': '黔江', '得分 (score)': 0.5}])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.questions.provenance import NOT_STATED

#: How "not stated" reads in a table cell.
NOT_STATED_CELL = f"未说明 ({NOT_STATED})"

STATUS_ZH = {"covered": "已覆盖", "planned": "规划/在建", "missing": "缺失"}
STAGE_ZH = {"upstream": "上游", "midstream": "中游", "downstream": "下游"}
BASIS_ZH = {"stated": "原文陈述", "inferred": "推断", "curated": "整理的领域知识"}
TIER_ZH = {1: "同一联盟", 2: "同一城市", 3: "其他地区"}
PROJECT_STATUS_ZH = {"Planned": "规划", "UnderConstruction": "在建", "InOperation": "已投产"}
KIND_ZH = {"enterprise": "企业", "project": "项目"}
FIGURE_KIND_ZH = {"actual": "实际", "target": "目标"}

#: Separator of several values in one cell (several sources, several enterprises).
JOIN = "；"


@dataclass(frozen=True)
class Column:
    """A column: Chinese and English name, and how a spreadsheet should show its values.

    ``kind`` is ``text``, ``int``, ``number`` or ``percent`` (a share between 0 and 1).
    """

    zh: str
    en: str = ""
    kind: str = "text"

    @property
    def header(self) -> str:
        """The header cell: ``中文 (English)``."""
        return f"{self.zh} ({self.en})" if self.en else self.zh


@dataclass
class Table:
    """A named table: ``name`` selects it (``?table=``), ``title`` is its sheet name."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list[list[Any]] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def dicts(self) -> list[dict[str, Any]]:
        """The rows as ``{header: value}``."""
        return [dict(zip(self.headers, r, strict=True)) for r in self.rows]


def pick(tables: Sequence[Table], name: str | None) -> list[Table]:
    """The table called ``name``, or all of them when ``name`` is None.

    Raises:
        KeyError: no table has that name (the message lists those there are).

    >>> pick([Table("a", "A", ())], None)[0].name
    'a'
    """
    if name is None:
        return list(tables)
    for t in tables:
        if t.name == name:
            return [t]
    raise KeyError(f"no table {name!r}; choose one of: {', '.join(t.name for t in tables)}")


# --- cells ------------------------------------------------------------------------------------


def yes_no(value: bool) -> str:
    """``是`` / ``否``."""
    return "是" if value else "否"


def joined(values: Iterable[Any]) -> str:
    """Non-empty values joined with ``；`` (each once, in order)."""
    out: list[str] = []
    for v in values:
        text = "" if v is None else str(v)
        if text and text not in out:
            out.append(text)
    return JOIN.join(out)


def stated(value: Any, render: Any = None) -> Any:
    """``value`` rendered, or the "not stated" cell when the answer says so."""
    if value == NOT_STATED:
        return NOT_STATED_CELL
    return render(value) if render else value


def _doc(source: Mapping[str, Any], key: str) -> str | None:
    value = (source.get("document") or {}).get(key)
    return NOT_STATED_CELL if value == NOT_STATED else value


#: Provenance columns shared by every table that has sources.
SOURCE_COLUMNS = (
    Column("依据", "basis"),
    Column("来源标题", "source title"),
    Column("来源日期", "source date"),
    Column("发布者", "publisher"),
    Column("来源文件", "source file"),
    Column("原文摘录", "quote"),
)


def source_cells(sources: Sequence[Mapping[str, Any]]) -> list[str]:
    """Basis, title, date, publisher, file and quote of ``sources``, several joined with ``；``.

    >>> src = {"basis": "stated", "evidence": "引文", "document": {"title": "T", "date": "2022-01-01",
    ...        "publisher": "not stated", "file": "a.txt"}}
    >>> source_cells([src])
    ['原文陈述', 'T', '2022-01-01', '未说明 (not stated)', 'a.txt', '引文']
    """
    return [
        joined(BASIS_ZH.get(s.get("basis") or "", s.get("basis")) for s in sources),
        joined(_doc(s, "title") for s in sources),
        joined(_doc(s, "date") for s in sources),
        joined(_doc(s, "publisher") for s in sources),
        joined(_doc(s, "file") for s in sources),
        joined(s.get("evidence") for s in sources),
    ]


# --- completeness -----------------------------------------------------------------------------


def completeness_tables(d: Mapping[str, Any]) -> list[Table]:
    """Chain completeness as four tables: ``segments`` (one row per segment), ``actors`` (the
    enterprises and projects behind each segment, with sources), ``candidates`` (the gap list for
    补链招商: enterprises elsewhere that could fill a segment the region misses, with sources) and
    ``summary`` (scores).
    """
    chain, region = d["chain_label"], d["region_label"] or "(模板 template)"
    segments = Table("segments", "环节完整度", (
        Column("产业链", "chain"), Column("地区", "region"), Column("链位", "stage"), Column("顺序", "order", "int"),
        Column("环节", "segment"), Column("环节英文", "segment, English"), Column("状态", "status"),
        Column("企业数", "enterprises", "int"), Column("企业", "enterprises listed"), Column("项目", "projects"),
        Column("薄弱环节", "weak link"), Column("断点", "break point"), Column("补链候选数", "candidates", "int"),
        Column("权重", "weight", "number"), Column("国民经济行业代码", "GB/T 4754-2017"), Column("IRI"),
    ))
    actors = Table("actors", "企业与项目", (
        Column("环节", "segment"), Column("类型", "kind"), Column("名称", "name"), Column("英文名", "name, English"),
        Column("所在地", "place"), Column("项目状态", "project status"), *SOURCE_COLUMNS, Column("IRI"),
    ))
    candidates = Table("candidates", "补链候选", (
        Column("环节", "segment"), Column("环节状态", "segment status"), Column("候选企业", "candidate"),
        Column("英文名", "name, English"), Column("所在地", "place"), Column("优先级", "tier", "int"),
        Column("理由", "why"), *SOURCE_COLUMNS, Column("IRI"),
    ))
    for s in d["segments"]:
        stage = STAGE_ZH.get(s["stage"] or "", s["stage"])
        segments.rows.append([
            chain, region, stage, s["order"], s["label"], s["label_en"], STATUS_ZH.get(s["status"], s["status"]),
            s["enterprise_count"], joined(e["label"] for e in s["enterprises"]),
            joined(f"{p['label']}({_project_status(p['status'])})" for p in s["projects"]),
            yes_no(s["weak_link"]), yes_no(s["break_point"]), len(s["candidates"]), s["weight"],
            joined(s["gbt_codes"]), s["iri"],
        ])
        for a in (*s["enterprises"], *s["projects"]):
            actors.rows.append([
                s["label"], KIND_ZH.get(a["kind"], a["kind"]), a["label"], a["label_en"], a["place_label"],
                _project_status(a["status"]) if a["kind"] == "project" else None,
                *source_cells(a["sources"]), a["iri"],
            ])
        for c in s["candidates"]:
            candidates.rows.append([
                s["label"], STATUS_ZH.get(s["status"], s["status"]), c["label"], c["label_en"], c["place_label"],
                c["tier"], f"{TIER_ZH.get(c['tier'], '')}: {c['why']}", *source_cells(c["sources"]), c["iri"],
            ])
    summary = Table("summary", "概况", (Column("项目", "item"), Column("值", "value")), [
        ["产业链 (chain)", chain],
        ["产业链英文 (chain, en)", d["chain_label_en"]],
        ["地区 (region)", region],
        ["完整度 (score)", d["score"]],
        ["加权完整度 (weighted score)", d["weighted_score"]],
        *([f"{STAGE_ZH.get(k, k)}完整度 ({k} score)", v] for k, v in d["by_stage"].items()),
        ["规划/在建占比 (planned share)", d["planned_share"]],
        ["链条贯通 (connected)", yes_no(d["connected"])],
        ["断点 (break points)", joined(_segment_label(d, i) for i in d["break_points"])],
        ["薄弱环节 (weak links)", joined(_segment_label(d, i) for i in d["weak_links"])],
        ["说明 (note)", d["template_note"]],
    ])
    return [segments, candidates, actors, summary]


def _project_status(iri: str | None) -> str:
    local = (iri or "").rsplit("#", 1)[-1]
    return PROJECT_STATUS_ZH.get(local, local or "?")


def _segment_label(d: Mapping[str, Any], iri: str) -> str:
    return next((s["label"] for s in d["segments"] if s["iri"] == iri), iri)


# --- regions × chains matrix ------------------------------------------------------------------


def matrix_tables(d: Mapping[str, Any]) -> list[Table]:
    """The regions × chains matrix: ``matrix`` (a row per region, a score column per chain headed
    by its Chinese name; a missing cell is 0) and ``cells`` (one row per region and chain that covers something)."""
    chains = d["chains"]
    labels = {r["iri"]: r["label"] or r["iri"] for r in d["regions"]}
    scores = {(c["region"], c["chain"]): c["score"] for c in d["cells"]}
    wide = Table("matrix", "地区×产业链", (
        Column("地区", "region"), Column("地区英文", "region, English"), Column("类型", "type"),
        Column("上级", "parent"),
        *(Column(c["label"] or c["label_en"] or c["iri"], "", "percent") for c in chains),
        Column("IRI"),
    ))
    for r in d["regions"]:
        wide.rows.append([
            r["label"], r["label_en"], r["type"], labels.get(r["parent"], r["parent"]),
            *(scores.get((r["iri"], c["iri"]), 0.0) for c in chains), r["iri"],
        ])
    chain_labels = {c["iri"]: c["label"] or c["iri"] for c in chains}
    cells = Table("cells", "明细", (
        Column("地区", "region"), Column("产业链", "chain"), Column("已覆盖环节", "covered", "int"),
        Column("环节数", "segments", "int"), Column("完整度", "score", "percent"),
        Column("加权完整度", "weighted score", "percent"), Column("地区IRI", "region IRI"),
        Column("产业链IRI", "chain IRI"),
    ), [
        [labels.get(c["region"], c["region"]), chain_labels.get(c["chain"], c["chain"]), c["covered"],
         c["segments"], c["score"], c["weighted_score"], c["region"], c["chain"]]
        for c in d["cells"]
    ])
    return [wide, cells]


# --- 链长制 ------------------------------------------------------------------------------------


def _values(items: Any) -> Any:
    """Values of a ``with_sources`` list (labels where they have one)."""
    return stated(items, lambda xs: joined(x.get("label") or x.get("value") for x in xs))


def _posts(posts: Any) -> Any:
    def holder(p: Mapping[str, Any]) -> str:
        return f"{p['label']}: {stated(p['holder'], lambda hs: joined(h['value'] for h in hs))}"

    return stated(posts, lambda ps: joined(holder(p) for p in ps))


#: Columns of a target-vs-actual row, after the columns that say whose it is.
TARGET_COLUMNS = (
    Column("指标", "indicator"), Column("目标值", "target", "number"), Column("目标期", "target period"),
    Column("最新实际值", "latest actual", "number"), Column("实际期", "actual period"),
    Column("差距", "gap", "number"), Column("单位", "unit"), Column("说明", "note"),
    Column("目标来源", "target source"), Column("目标摘录", "target quote"),
    Column("实际来源", "actual source"), Column("实际摘录", "actual quote"),
)

#: Columns of a figure row, after the columns that say whose it is.
FIGURE_COLUMNS = (
    Column("指标", "indicator"), Column("类型", "kind"), Column("值", "value", "number"),
    Column("上限", "max", "number"), Column("单位", "unit"), Column("期间", "period"),
    Column("增长率", "growth rate", "number"), Column("标记", "flag"), *SOURCE_COLUMNS, Column("IRI"),
)


def target_cells(t: Mapping[str, Any]) -> list[Any]:
    """The :data:`TARGET_COLUMNS` cells of a target-vs-actual answer."""
    tgt, act = t["target"], t["latest_actual"] or {}
    return [
        t["indicator_label"], tgt["value"], tgt["period"], act.get("value"), act.get("period"), t["gap"],
        t["unit"], t["note"], _title_date(tgt["sources"]), joined(s.get("evidence") for s in tgt["sources"]),
        _title_date(act.get("sources", [])), joined(s.get("evidence") for s in act.get("sources", [])),
    ]


def figure_cells(f: Mapping[str, Any]) -> list[Any]:
    """The :data:`FIGURE_COLUMNS` cells of a figure."""
    return [
        f["indicator_label"], FIGURE_KIND_ZH.get(f["kind"], f["kind"]), f["value"], f["value_max"],
        f["unit_label"], f["period"], f["growth_rate"], f["flag"], *source_cells(f["sources"]), f["iri"],
    ]


def chiefs_tables(d: Mapping[str, Any]) -> list[Table]:
    """链长制 in a region: ``records`` (one row per record: since, posts and holders, 链主企业,
    task forces, measures, what is not stated, sources), ``targets`` (targets vs latest actuals)
    and ``figures`` (every figure of the industries concerned, with its source)."""
    region = d["region_label"]
    records = Table("records", "链长制", (
        Column("地区", "region"), Column("记录", "record"), Column("起始", "since"),
        Column("适用全部产业", "all industries"), Column("产业链", "industries"), Column("链长", "chain chiefs"),
        Column("链主企业", "chain leader"), Column("工作专班", "task forces"), Column("措施", "measures"),
        Column("未说明项", "not stated"), *SOURCE_COLUMNS, Column("IRI"),
    ))
    targets = Table("targets", "目标与实际", (
        Column("地区", "region"), Column("记录", "record"), Column("产业", "industry"), *TARGET_COLUMNS,
    ))
    figures = Table("figures", "数据", (Column("地区", "region"), Column("产业", "industry"), *FIGURE_COLUMNS))
    seen_figures: set[tuple[str, str]] = set()
    for r in d["records"]:
        records.rows.append([
            region, r["label"], _values(r["since"]), yes_no(r["applies_to_all_industries"]),
            joined(i["label"] for i in r["industries"]), _posts(r["chief_posts"]), _values(r["chain_leader"]),
            joined(t["label"] or t["iri"] for t in r["task_forces"]),
            joined(m["label"] or m["iri"] for m in r["measures"]), joined(r["not_stated"]),
            *source_cells(r["sources"]), r["iri"],
        ])
        for ind in r["industries"]:
            for t in ind["targets_vs_actuals"]:
                targets.rows.append([region, r["label"], ind["label"], *target_cells(t)])
            for f in ind["figures"]:
                if (ind["iri"], f["iri"]) not in seen_figures:
                    seen_figures.add((ind["iri"], f["iri"]))
                    figures.rows.append([region, ind["label"], *figure_cells(f)])
    return [records, targets, figures]


def figures_tables(d: Mapping[str, Any]) -> list[Table]:
    """The figures of a subject (``figures_for``): ``figures`` (every figure with its source,
    series by series) and ``targets`` (targets vs latest actuals)."""
    figures = Table("figures", "数据", (Column("对象", "subject"), *FIGURE_COLUMNS), [
        [d["subject"], *figure_cells(f)] for s in d["series"] for f in s["figures"]
    ])
    targets = Table("targets", "目标与实际", (Column("对象", "subject"), *TARGET_COLUMNS), [
        [d["subject"], *target_cells(t)] for t in d["targets_vs_actuals"]
    ])
    return [figures, targets]


def _title_date(sources: Sequence[Mapping[str, Any]]) -> str:
    return joined(f"{_doc(s, 'title')} ({_doc(s, 'date')})" for s in sources)


def chain_chief_regions_tables(d: Mapping[str, Any]) -> list[Table]:
    """The regions running a chain under 链长制 (``{"chain", "regions": regions_running(...)}``)."""
    return [Table("regions", "链长制地区", (
        Column("产业链", "chain"), Column("地区", "region"), Column("依据", "basis"),
        Column("产业", "industries"), Column("记录", "record"), Column("地区IRI", "region IRI"),
    ), [
        [d["chain"], r["region_label"], r["basis"], joined(r["industries"]), r["record"], r["region"]]
        for r in d["regions"]
    ])]
