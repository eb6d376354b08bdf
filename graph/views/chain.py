"""The chain view: a chain's segments by stage and supply order, coloured by status in a region."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import networkx as nx
from pyvis.network import Network

from graph.views.nodes import (
    _BLANK,
    BREAK_BORDER,
    CHILD_HEIGHT,
    COLUMN_WIDTH,
    EDGE_SUPPLY,
    ENTERPRISE_COLOUR,
    FONT_STACK,
    MORE_COLOUR,
    PROJECT_COLOUR,
    ROW_GAP,
    SEGMENT_HEIGHT,
    STAGE_LABELS,
    STATUS_COLOURS,
    STATUS_LABELS,
    WEAK_BORDER,
    _add,
    _both,
    _data,
    _details,
    _edge,
    _network,
    _node,
    _title,
    _view_path,
    esc,
    short,
)

_STAGE_ORDER = {"upstream": 0, "midstream": 1, "downstream": 2, None: 3}


def chain_columns(segments: Sequence[Mapping[str, Any]], edges: Sequence[Sequence[str]]) -> dict[str, int]:
    """Column of each segment: stages left to right, and inside a stage the supply order.

    A segment's column is one more than that of its suppliers in the same stage (longest path);
    every stage starts right of the previous one. Cycles fall back to the template order.

    >>> segs = [{"iri": "a", "stage": "upstream", "order": 1},
    ...         {"iri": "b", "stage": "upstream", "order": 2},
    ...         {"iri": "c", "stage": "downstream", "order": 3},
    ...         {"iri": "d", "stage": "downstream", "order": 4}]
    >>> chain_columns(segs, [("a", "b"), ("b", "c"), ("b", "d")])
    {'a': 0, 'b': 1, 'c': 2, 'd': 2}
    """
    ordered = sorted(segments, key=_segment_key)
    by_stage: dict[Any, list[str]] = {}
    for s in ordered:
        by_stage.setdefault(s.get("stage"), []).append(s["iri"])
    columns: dict[str, int] = {}
    base = 0
    for stage in sorted(by_stage, key=lambda st: _STAGE_ORDER.get(st, 3)):
        iris = by_stage[stage]
        inside = set(iris)
        g = nx.DiGraph()
        g.add_nodes_from(iris)
        g.add_edges_from((a, b) for a, b in edges if a in inside and b in inside and a != b)
        if nx.is_directed_acyclic_graph(g):
            depth: dict[str, int] = {}
            for n in nx.lexicographical_topological_sort(g, key=iris.index):
                depth[n] = max((depth[p] + 1 for p in g.predecessors(n)), default=0)
        else:
            depth = {n: i for i, n in enumerate(iris)}
        for n in iris:
            columns[n] = base + depth[n]
        base = max(columns[n] for n in iris) + 1
    return columns


def _segment_key(s: Mapping[str, Any]) -> tuple[int, int, str, str]:
    order = s.get("order")
    return (
        _STAGE_ORDER.get(s.get("stage"), 3),
        order if isinstance(order, int) else 10**6,
        str(s.get("label") or ""),
        str(s.get("iri")),
    )


def chain_network(completeness: Any, *, max_enterprises: int = 6, projects: bool = True) -> Network:
    """The chain view: segments left to right, coloured by status, enterprises attached.

    Args:
        completeness: a :class:`graph.questions.completeness.Completeness` or its ``to_dict()``.
        max_enterprises: enterprises shown under a segment; the rest become one "+N more" node
            whose details list them all.
        projects: also attach the region's projects placed on each segment.

    Returns:
        A network with fixed positions (physics off). Segment nodes have ``kind="segment"`` and
        ``status``; enterprise nodes ``kind="enterprise"``; "+N more" nodes ``kind="more"``;
        stage headings ``kind="stage"``.

    Example:
        >>> from graph.store.embedded import KGStore
        >>> from graph.build.loading import build
        >>> from graph.questions.completeness import completeness as cc
        >>> kg = KGStore(); _ = build(kg)
        >>> net = chain_network(cc(kg, "蚕桑丝绸"))
        >>> sorted({n["status"] for n in net.nodes if n["kind"] == "segment"})
        ['missing']
    """
    data = _data(completeness)
    segments = sorted(data.get("segments") or [], key=_segment_key)
    edges = [tuple(e) for e in data.get("edges") or []]
    chain_title = _both(data.get("chain_label"), data.get("chain_label_en")) or data.get("chain", "")
    region = data.get("region_label") or data.get("region")
    title = f"{chain_title} · {region}" if region else f"{chain_title} · 产业链模板 template"
    status_count = {s: sum(1 for seg in segments if seg.get("status") == s) for s in STATUS_COLOURS}
    summary = [
        ("完整度 score", f"{float(data.get('score') or 0):.0%}"),
        ("加权 weighted", f"{float(data.get('weighted_score') or 0):.0%}"),
        *((STATUS_LABELS[s], str(n)) for s, n in status_count.items()),
        ("断点 break points", str(len(data.get("break_points") or []))),
        ("薄弱环节 weak links", str(len(data.get("weak_links") or []))),
        ("连通 connected", "是 yes" if data.get("connected") else "否 no"),
    ]
    subtitle = data.get("template_note") or ""
    net = _network("chain", title, subtitle, summary)

    columns = chain_columns(segments, edges)
    break_iris = {s["iri"] for s in segments if s.get("break_point")}
    stage_cols: dict[Any, list[int]] = {}
    for s in segments:
        stage_cols.setdefault(s.get("stage"), []).append(columns[s["iri"]])
    for stage, cols in sorted(stage_cols.items(), key=lambda kv: min(kv[1])):
        x = (min(cols) + max(cols)) / 2 * COLUMN_WIDTH
        label = STAGE_LABELS.get(stage, str(stage))
        _add(
            net,
            f"stage:{stage}",
            label,
            kind="stage",
            colour=_BLANK,
            x=x,
            y=-90,
            shape="text",
            title=esc(label),
            details=_details(label, "stage 环节阶段", rows=[("环节数 segments", str(len(cols)))]),
            font={"size": 18, "color": "#37474f", "face": FONT_STACK},
        )

    column_y: dict[int, float] = {}
    placed: set[str] = set()
    for seg in segments:
        col = columns[seg["iri"]]
        x = col * COLUMN_WIDTH
        y = column_y.get(col, 0.0)
        status = seg.get("status") or "missing"
        colour = dict(STATUS_COLOURS.get(status, STATUS_COLOURS["missing"]))
        border_width, dashed = 2, False
        marks = []
        if seg.get("break_point"):
            colour["border"], border_width = BREAK_BORDER, 5
            marks.append("断点 break point")
        if seg.get("weak_link"):
            colour["border"], border_width, dashed = WEAK_BORDER, 4, True
            marks.append("薄弱 weak link")
        enterprises = seg.get("enterprises") or []
        seg_projects = (seg.get("projects") or []) if projects else []
        candidates = seg.get("candidates") or []
        rows = [
            ("阶段 stage", STAGE_LABELS.get(seg.get("stage"), seg.get("stage"))),
            ("状态 status", STATUS_LABELS.get(status, status)),
            ("标记 marks", "、".join(marks)),
            ("顺序 order", seg.get("order")),
            ("权重 weight", seg.get("weight")),
            ("国标行业 GB/T 4754", " ".join(seg.get("gbt_codes") or [])),
            ("企业 enterprises", len(enterprises)),
            ("项目 projects", len(seg.get("projects") or [])),
            ("规划 targeted by", "、".join(str(t.get("industry_label") or t.get("industry"))
                                           for t in seg.get("targeted_by") or [])),
        ]
        items = [f"企业 {_both(e.get('label'), e.get('label_en'))}" for e in enterprises]
        items += [f"项目 {_both(p.get('label'), p.get('label_en'))}" for p in seg.get("projects") or []]
        items += [
            f"补链候选 candidate (tier {c.get('tier')}): {c.get('label')} — {c.get('why')}"
            for c in candidates
        ]
        name = seg.get("label") or seg.get("label_en") or seg["iri"]
        label = short(name, 18)
        if seg.get("break_point"):
            label += "\n✕ 断点"
        elif seg.get("weak_link"):
            label += "\n△ 薄弱"
        heading = _both(seg.get("label"), seg.get("label_en"))
        _add(
            net,
            seg["iri"],
            label,
            kind="segment",
            colour=colour,
            x=x,
            y=y,
            border_width=border_width,
            dashed=dashed,
            status=status,
            weak_link=bool(seg.get("weak_link")),
            break_point=bool(seg.get("break_point")),
            title=_title(heading, rows, items=items),
            details=_details(
                heading,
                "segment 产业链环节",
                iri=seg["iri"],
                rows=rows,
                items=items,
                sources=[
                    {
                        "document": {"file": None, "title": "chainkg curation"},
                        "basis": "curated",
                        "claim": data.get("chain"),
                    },
                    *(src for t in seg.get("targeted_by") or [] for src in t.get("sources") or []),
                ],
            ),
            font={"size": 15, "face": FONT_STACK, "color": "#212121", "multi": False},
        )
        y += SEGMENT_HEIGHT
        shown = enterprises[:max_enterprises]
        for actor in [*shown, *seg_projects[:max_enterprises]]:
            actor_iri = actor.get("iri") or f"{seg['iri']}#actor-{len(placed)}"
            kind = actor.get("kind") or "enterprise"
            if actor_iri not in placed:
                placed.add(actor_iri)
                a_rows = [
                    ("所在地 place", actor.get("place_label") or actor.get("place")),
                    ("依据 basis", actor.get("basis")),
                    ("状态 status", (actor.get("status") or "").rsplit("#", 1)[-1] or None),
                    ("环节 segment", heading),
                ]
                a_heading = _both(actor.get("label"), actor.get("label_en"))
                colour_a = PROJECT_COLOUR if kind == "project" else ENTERPRISE_COLOUR
                _node(
                    net, actor_iri, short(actor.get("label") or actor_iri, 14), a_heading,
                    "project 项目" if kind == "project" else "enterprise 企业", kind=kind, colour=colour_a,
                    x=x + 18, y=y, dashed=kind == "project",
                    font={"size": 12, "face": FONT_STACK, "color": "#0d47a1"}, iri=actor.get("iri"),
                    rows=a_rows, sources=actor.get("sources"), view=_view_path(kind, actor.get("iri")),
                )
                y += CHILD_HEIGHT
            _edge(net, seg["iri"], actor_iri, kind="operates", arrows=False, dashed=kind == "project")
        rest = enterprises[max_enterprises:]
        if rest:
            more_id = f"{seg['iri']}#more"
            names = [_both(e.get("label"), e.get("label_en")) for e in rest]
            _add(
                net,
                more_id,
                f"+{len(rest)} 更多 more",
                kind="more",
                colour=MORE_COLOUR,
                x=x + 18,
                y=y,
                dashed=True,
                hidden_count=len(rest),
                title=_title(f"{heading}: +{len(rest)}", items=names),
                details=_details(
                    f"{heading}: 另有 {len(rest)} 家企业 / {len(rest)} more enterprises",
                    "more 更多",
                    items=names,
                ),
                font={"size": 12, "face": FONT_STACK, "color": "#424242"},
            )
            _edge(net, seg["iri"], more_id, kind="operates", arrows=False, dashed=True)
            y += CHILD_HEIGHT
        column_y[col] = y + ROW_GAP

    unknown = data.get("unknown_segment") or []
    if unknown:  # members of the region's industries on this chain, segment not given by the sources
        names = [f"{_both(m.get('label'), m.get('label_en'))} — {m.get('industry_label') or ''}" for m in unknown]
        heading = "环节未知 segment unknown"
        _add(
            net, "unknown-segment", f"{heading} ({len(unknown)})", kind="unknown-segment", colour=MORE_COLOUR,
            x=-COLUMN_WIDTH, y=0, dashed=True, members=[m.get("iri") for m in unknown],
            title=_title(heading, items=names),
            details=_details(heading, "members without a known segment 环节未知的成员企业", items=names,
                             sources=[src for m in unknown for src in m.get("sources") or []]),
        )

    iris = {s["iri"] for s in segments}
    for a, b in edges:
        if a in iris and b in iris:
            broken = a in break_iris or b in break_iris
            _edge(
                net,
                a,
                b,
                kind="supplies",
                colour=BREAK_BORDER if broken else EDGE_SUPPLY,
                width=2,
                dashed=broken,
                title="供应 supplies",
            )
    return net
