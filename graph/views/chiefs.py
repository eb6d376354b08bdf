"""The chain-chief (链长制) view: a region's chains under the system, with posts, leaders, measures and targets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyvis.network import Network

from graph.views.nodes import (
    _PLACE_COLOURS,
    CHAIN_COLOUR,
    CHILD_HEIGHT,
    COLUMN_WIDTH,
    FOCUS_COLOUR,
    FONT_STACK,
    ID_BASE,
    MEASURE_COLOUR,
    ORG_COLOUR,
    POST_COLOUR,
    ROW_GAP,
    SEGMENT_HEIGHT,
    TARGET_COLOUR,
    _add,
    _both,
    _data,
    _details,
    _edge,
    _network,
    _node,
    _slug,
    _title,
    _view_path,
    short,
)


def _not_stated(value: Any) -> bool:
    return value in (None, "", [], "not stated")


def _values(value: Any) -> str:
    """A readable form of a value that may be "not stated", a list of facts, or a plain value."""
    if _not_stated(value):
        return "未载明 not stated"
    if isinstance(value, list):
        return "、".join(
            str(v.get("label") or v.get("value")) if isinstance(v, Mapping) else str(v) for v in value
        )
    return str(value)


def _fact_sources(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, list):
        return [v["source"] for v in value if isinstance(v, Mapping) and v.get("source")]
    return []


def _figure_text(fig: Mapping[str, Any] | None) -> str:
    if not fig:
        return "—"
    value = fig.get("value")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = f"{value}{fig.get('unit_label') or ''}"
    if fig.get("period"):
        text += f" ({fig['period']})"
    return text


def chiefs_network(report: Any) -> Network:
    """The 链长制 view: a region's chain-chief records, the chains under them, the chief post
    (holder "not stated" unless an article names one), chain leader, task forces, measures and
    targets vs actuals.

    Args:
        report: a :class:`graph.questions.chiefs.ChiefReport` or its ``to_dict()``.

    Returns:
        A network with ``kind`` ``region``, ``record``, ``industry``, ``post``, ``leader``,
        ``task-force``, ``measure`` and ``target`` nodes.

    Example:
        >>> net = chiefs_network({"region": "r", "region_label": "黔江区", "records": []})
        >>> [n["kind"] for n in net.nodes]
        ['region']
    """
    data = _data(report)
    region = data.get("region") or "region"
    region_label = data.get("region_label") or region
    records = data.get("records") or []
    from graph.questions.chiefs import ChiefReport

    # the count the API and the CLI give: a chain two records name counts once
    industries_n = len(ChiefReport(region, region_label, records).chains)
    summary = [
        ("实行链长制 runs 链长制", "是 yes" if records else "否 no / 未载明 not stated"),
        ("记录 records", str(len(records))),
        ("产业链 chains", str(industries_n)),
    ]
    net = _network("chiefs", f"{region_label} · 链长制 chain-chief system", "", summary)

    col = COLUMN_WIDTH * 1.15
    y = 0.0
    record_ys: list[float] = []
    for rec in records:
        rec_iri = rec.get("iri") or f"record:{len(record_ys)}"
        top = y
        heading = _both(rec.get("label"), rec.get("label_en"))
        r_rows = [
            ("起始 since", _values(rec.get("since"))),
            (
                "适用全部产业 applies to all industries",
                "是 yes" if rec.get("applies_to_all_industries") else "否 no",
            ),
            ("未载明 not stated", "、".join(rec.get("not_stated") or [])),
        ]
        _node(
            net, rec_iri, short(rec.get("label") or rec_iri, 20), heading, "链长制 record", kind="record",
            colour=POST_COLOUR, x=col, y=top, border_width=3,
            font={"size": 14, "face": FONT_STACK, "color": "#b71c1c"}, iri=rec.get("iri"), rows=r_rows,
            sources=rec.get("sources"),
        )
        # Right: the chains (industries) under the record, each with its targets vs actuals.
        iy = top
        for ind in rec.get("industries") or []:
            if ind["iri"] in net.node_map:  # already drawn under an earlier record
                _edge(net, rec_iri, ind["iri"], kind="applies-to", colour=CHAIN_COLOUR["border"], width=1.5)
                continue
            i_heading = _both(ind.get("label"), ind.get("label_en"))
            tva = ind.get("targets_vs_actuals") or []
            i_rows = [
                ("模板 templates", len(ind.get("chains") or [])),
                ("目标 targets", len(tva)),
                (
                    "明确列出 named by the record",
                    "是 yes" if ind.get("iri") in (rec.get("explicit_industries") or []) else "否 no",
                ),
            ]
            _add(
                net,
                ind["iri"],
                short(ind.get("label") or ind["iri"], 16),
                kind="industry",
                colour=CHAIN_COLOUR,
                x=2 * col,
                y=iy,
                shape="ellipse",
                title=_title(i_heading, i_rows, ind.get("sources")),
                details=_details(
                    i_heading,
                    "chain under 链长制 链长制产业链",
                    iri=ind["iri"],
                    rows=i_rows,
                    items=[_slug(c) or c for c in ind.get("chains") or []],
                    sources=ind.get("sources"),
                    view=_view_path("chain", (ind.get("chains") or [None])[0])
                    if len(ind.get("chains") or []) == 1
                    else None,
                ),
                font={"size": 13, "face": FONT_STACK, "color": "#004d40"},
            )
            _edge(net, rec_iri, ind["iri"], kind="applies-to", colour=CHAIN_COLOUR["border"], width=1.5)
            ty = iy
            for j, t in enumerate(tva):
                tid = f"{ind['iri']}#target-{j}"
                target, actual = t.get("target") or {}, t.get("latest_actual")
                name = t.get("indicator_label") or t.get("indicator") or "indicator"
                t_rows = [
                    ("指标 indicator", name),
                    ("目标 target", _figure_text(target)),
                    ("最新实际 latest actual", _figure_text(actual)),
                    ("差距 gap", t.get("gap")),
                    ("说明 note", t.get("note")),
                ]
                srcs = [*(target.get("sources") or []), *((actual or {}).get("sources") or [])]
                _node(
                    net, tid, short(f"{name}: {_figure_text(target)}", 18), str(name), "target vs actual 目标与实际",
                    kind="target", colour=TARGET_COLOUR, x=3 * col, y=ty,
                    font={"size": 12, "face": FONT_STACK, "color": "#212121"}, iri=target.get("iri"),
                    rows=t_rows, sources=srcs,
                )
                _edge(net, ind["iri"], tid, kind="target", arrows=False, dashed=True)
                ty += CHILD_HEIGHT + 6
            iy = max(iy + SEGMENT_HEIGHT, ty + 10)
        # Below the record: post, leader, task forces, measures.
        by = top + SEGMENT_HEIGHT + 20
        posts = rec.get("chief_posts")
        post_list = (
            posts
            if isinstance(posts, list)
            else [{"iri": None, "label": "链长 chain chief", "holder": "not stated", "sources": []}]
        )
        parts: list[
            tuple[str, str, str, Mapping[str, str], list[tuple[str, Any]], Any, bool, str | None]
        ] = []
        for k, post in enumerate(post_list):
            holder = post.get("holder")
            label = f"链长 chief\n{_values(holder)}"
            rows = [
                ("职务 post", _both(post.get("label"), post.get("label_en"))),
                ("担任者 holder", _values(holder)),
            ]
            srcs = [*(post.get("sources") or []), *_fact_sources(holder)]
            parts.append(
                (
                    post.get("iri") or f"{rec_iri}#post-{k}",
                    label,
                    "post",
                    POST_COLOUR,
                    rows,
                    srcs,
                    _not_stated(holder),
                    post.get("iri"),
                )
            )
        leader = rec.get("chain_leader")
        parts.append(
            (
                f"{rec_iri}#leader",
                f"链主 leader\n{_values(leader)}",
                "leader",
                FOCUS_COLOUR,
                [("链主企业 chain leader", _values(leader))],
                _fact_sources(leader),
                _not_stated(leader),
                None,
            )
        )
        for k, tf in enumerate(rec.get("task_forces") or []):
            parts.append(
                (
                    tf.get("iri") or f"{rec_iri}#tf-{k}",
                    f"专班 {tf.get('label') or ''}",
                    "task-force",
                    ORG_COLOUR,
                    [("工作专班 task force", _both(tf.get("label"), tf.get("label_en")))],
                    tf.get("sources"),
                    False,
                    tf.get("iri"),
                )
            )
        for k, m in enumerate(rec.get("measures") or []):
            parts.append(
                (
                    m.get("iri") or f"{rec_iri}#m-{k}",
                    f"措施 {m.get('label') or ''}",
                    "measure",
                    MEASURE_COLOUR,
                    [("措施 measure", _both(m.get("label"), m.get("label_en")))],
                    m.get("sources"),
                    False,
                    m.get("iri"),
                )
            )
        for node_id, label, kind, colour, rows, srcs, unstated, node_iri in parts:
            _node(
                net, node_id, short(label, 40), label, f"{kind} 链长制", kind=kind, colour=colour, x=col, y=by,
                dashed=unstated, not_stated=unstated,
                font={
                    "size": 13,
                    "face": FONT_STACK,
                    "color": "#ffffff" if colour is FOCUS_COLOUR else "#212121",
                },
                iri=node_iri, rows=rows, sources=srcs,
            )
            _edge(net, rec_iri, node_id, kind=kind, arrows=False, colour=colour["border"])
            by += CHILD_HEIGHT + 14
        record_ys.append(top)
        y = max(iy, by) + ROW_GAP * 2
    r_y = (min(record_ys) + max(record_ys)) / 2 if record_ys else 0
    _node(
        net, region, short(region_label, 12), region_label, "region 地区", kind="region",
        colour=_PLACE_COLOURS["district"], x=0, y=r_y, border_width=2,
        font={"size": 16, "face": FONT_STACK, "color": "#311b92"},
        iri=region if region.startswith(ID_BASE) else None, rows=[("链长制记录 records", len(records))],
        view=_view_path("region", region),
    )
    for rec_index, rec in enumerate(records):
        _edge(
            net,
            region,
            rec.get("iri") or f"record:{rec_index}",
            kind="runs",
            colour=POST_COLOUR["border"],
            width=2,
            label="实行 runs",
        )
    return net
