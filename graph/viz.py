"""Interactive graph views built as :class:`pyvis.network.Network` objects (nothing is written to disk).

Four views answer the questions of chainkg visually:

* :func:`chain_network`: a chain's segments left to right by stage and supply order, coloured by
  their status in a region (covered / planned / missing), weak links and break points marked,
  enterprises and projects attached to their segments;
* :func:`region_network`: a region's tree, district → zones → parks → enterprises → chains;
* :func:`enterprise_network`: one enterprise, its chains and segments, place, honours, projects,
  local suppliers and customers;
* :func:`chiefs_network`: the chains of a region under the chain-chief system (链长制), with the
  chief post, chain leader, task forces, measures and targets.

Safety rule: **every string that comes from data is HTML-escaped** (``html.escape``) before it is
put into a node or edge (``label``, ``title``, ``details``) and into ``Network.heading``, so the
networks are safe even under pyvis's own template, which inserts them raw. The page renderer
(``api/viz_render.py``) decodes the entities only where the text lands in ``textContent`` or on the
canvas, never into HTML.

Layouts are deterministic: physics is off and every node has fixed ``x``/``y`` coordinates, so the
same data always gives the same picture.

Each network carries ``net.chainkg`` (a plain dict: ``view``, ``title``, ``subtitle``, ``summary``,
``legend``) with *raw* (unescaped) page text for the renderer, which escapes it itself.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
from pyvis.network import Network

ID_BASE = "https://w3id.org/chainkg/id/"

#: The font stack for CJK text, used by the page CSS and by the canvas labels.
FONT_STACK = (
    '"Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", '
    '"PingFang SC", "Microsoft YaHei", sans-serif'
)

#: Fill and border colours of a segment by status.
STATUS_COLOURS: dict[str, dict[str, str]] = {
    "covered": {"background": "#66bb6a", "border": "#1b5e20"},
    "planned": {"background": "#ffd54f", "border": "#ff8f00"},
    "missing": {"background": "#eeeeee", "border": "#9e9e9e"},
}
STATUS_LABELS = {"covered": "已覆盖 covered", "planned": "在建/规划 planned", "missing": "缺失 missing"}
STAGE_LABELS = {
    "upstream": "上游 Upstream",
    "midstream": "中游 Midstream",
    "downstream": "下游 Downstream",
    None: "未分段 Unstaged",
}
BREAK_BORDER = "#c62828"
WEAK_BORDER = "#ef6c00"
ENTERPRISE_COLOUR = {"background": "#e3f2fd", "border": "#1565c0"}
PROJECT_COLOUR = {"background": "#fff8e1", "border": "#ff8f00"}
MORE_COLOUR = {"background": "#fafafa", "border": "#757575"}
EDGE_SUPPLY = "#455a64"
EDGE_MEMBER = "#b0bec5"

#: Layout grid (pixels).
COLUMN_WIDTH = 215
ROW_GAP = 40
SEGMENT_HEIGHT = 70
CHILD_HEIGHT = 34
LABEL_MAX = 16


def esc(value: Any) -> str:
    """HTML-escape any value from data (``None`` → ``""``).

    >>> esc('<img src=x onerror=alert(1)>')
    '&lt;img src=x onerror=alert(1)&gt;'
    """
    return "" if value is None else html.escape(str(value), quote=True)


def short(text: str | None, limit: int = LABEL_MAX) -> str:
    """Shorten ``text`` to ``limit`` characters with an ellipsis (before escaping).

    >>> short("重庆三磊玻纤股份有限公司", 6)
    '重庆三磊玻…'
    """
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _data(obj: Any) -> dict[str, Any]:
    """Accept an answer object with ``to_dict()`` or its dict form."""
    if hasattr(obj, "to_dict"):
        return dict(obj.to_dict())
    if isinstance(obj, Mapping):
        return dict(obj)
    raise TypeError(f"expected an answer object or its dict form, got {type(obj).__name__}")


def _label(item: Mapping[str, Any] | None, *, key: str = "label") -> str:
    """The Chinese label of a dict, falling back to the English one and the IRI."""
    if not item:
        return ""
    return str(item.get(key) or item.get(f"{key}_en") or item.get("iri") or "")


def _both(zh: str | None, en: str | None) -> str:
    """``中文 (English)`` when both exist and differ."""
    if zh and en and zh != en:
        return f"{zh} ({en})"
    return zh or en or ""


def source_lines(sources: Iterable[Mapping[str, Any]] | None) -> list[str]:
    """One readable (unescaped) line per source: document, quote, basis.

    >>> source_lines([{"document": {"file": "d003.md", "title": "T", "date": "2023"},
    ...                "evidence": "三磊玻纤", "basis": "stated"}])
    ['«T» 2023: “三磊玻纤” [stated]']
    """
    from graph.provenance import citation

    out: list[str] = []
    for s in sources or []:
        doc = s.get("document") or {}
        where = citation(doc) or doc.get("iri") or s.get("claim") or "source"
        line = where
        if s.get("evidence"):
            line += f": “{s['evidence']}”"
        basis = s.get("basis")
        if basis:
            line += f" [{basis}]"
        if s.get("reasoning"):
            line += f" — {s['reasoning']}"
        if line not in out:
            out.append(line)
    return out


@dataclass(frozen=True)
class LegendItem:
    """One entry of a view's legend (raw text; the renderer escapes it)."""

    label: str
    background: str
    border: str
    shape: str = "box"  # box | dot | diamond | ellipse | line
    dashed: bool = False
    border_width: int = 1

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def legend(view: str) -> list[LegendItem]:
    """The legend of a view (``chain``, ``region``, ``enterprise``, ``chiefs``).

    >>> [i.label for i in legend("chain")][:3]
    ['已覆盖 covered', '在建/规划 planned', '缺失 missing']
    """
    common_ent = LegendItem("企业 enterprise", ENTERPRISE_COLOUR["background"], ENTERPRISE_COLOUR["border"])
    if view == "chain":
        return [
            *(
                LegendItem(STATUS_LABELS[s], c["background"], c["border"], border_width=2)
                for s, c in STATUS_COLOURS.items()
            ),
            LegendItem(
                "薄弱环节 weak link (1 firm)",
                STATUS_COLOURS["covered"]["background"],
                WEAK_BORDER,
                dashed=True,
                border_width=3,
            ),
            LegendItem(
                "断点 break point", STATUS_COLOURS["missing"]["background"], BREAK_BORDER, border_width=4
            ),
            common_ent,
            LegendItem("项目 project", PROJECT_COLOUR["background"], PROJECT_COLOUR["border"], dashed=True),
            LegendItem("+N 更多 more", MORE_COLOUR["background"], MORE_COLOUR["border"], dashed=True),
            LegendItem("供应关系 supplies →", EDGE_SUPPLY, EDGE_SUPPLY, shape="line"),
        ]
    if view == "region":
        return [
            LegendItem("区县 district", _PLACE_COLOURS["district"]["background"], _PLACE_COLOURS["district"]["border"]),
            LegendItem("园区/开发区 zone", _PLACE_COLOURS["zone"]["background"], _PLACE_COLOURS["zone"]["border"]),
            LegendItem("园 park", _PLACE_COLOURS["park"]["background"], _PLACE_COLOURS["park"]["border"]),
            common_ent,
            LegendItem("产业链 chain", CHAIN_COLOUR["background"], CHAIN_COLOUR["border"], shape="ellipse"),
            LegendItem("+N 更多 more", MORE_COLOUR["background"], MORE_COLOUR["border"], dashed=True),
        ]
    if view == "enterprise":
        return [
            LegendItem(
                "本企业 this enterprise", FOCUS_COLOUR["background"], FOCUS_COLOUR["border"], border_width=3
            ),
            LegendItem("产业链 chain", CHAIN_COLOUR["background"], CHAIN_COLOUR["border"], shape="ellipse"),
            LegendItem("环节 segment", STATUS_COLOURS["covered"]["background"], STATUS_COLOURS["covered"]["border"]),
            LegendItem("地点 place", _PLACE_COLOURS["zone"]["background"], _PLACE_COLOURS["zone"]["border"]),
            LegendItem("荣誉 honour", HONOUR_COLOUR["background"], HONOUR_COLOUR["border"], border_width=2),
            LegendItem("项目 project", PROJECT_COLOUR["background"], PROJECT_COLOUR["border"], dashed=True),
            LegendItem("本地供应商 local supplier", SUPPLIER_COLOUR["background"], SUPPLIER_COLOUR["border"]),
            LegendItem("本地客户 local customer", CUSTOMER_COLOUR["background"], CUSTOMER_COLOUR["border"]),
            LegendItem("区域产业 regional industry", MEASURE_COLOUR["background"], MEASURE_COLOUR["border"]),
            LegendItem("人物 person", ORG_COLOUR["background"], ORG_COLOUR["border"]),
        ]
    if view == "chiefs":
        return [
            LegendItem("地区 region", _PLACE_COLOURS["district"]["background"], _PLACE_COLOURS["district"]["border"]),
            LegendItem(
                "链长制产业链 chain under 链长制",
                CHAIN_COLOUR["background"],
                CHAIN_COLOUR["border"],
                shape="ellipse",
            ),
            LegendItem("链长 chain-chief post", POST_COLOUR["background"], POST_COLOUR["border"]),
            LegendItem("链主企业 chain leader", FOCUS_COLOUR["background"], FOCUS_COLOUR["border"]),
            LegendItem("工作专班 task force", ORG_COLOUR["background"], ORG_COLOUR["border"]),
            LegendItem("措施 measure", MEASURE_COLOUR["background"], MEASURE_COLOUR["border"]),
            LegendItem("目标/实际 target vs actual", TARGET_COLOUR["background"], TARGET_COLOUR["border"]),
        ]
    if view == "industry":
        return [
            LegendItem("本产业 this industry", FOCUS_COLOUR["background"], FOCUS_COLOUR["border"], border_width=3),
            LegendItem("地区 region", _PLACE_COLOURS["district"]["background"], _PLACE_COLOURS["district"]["border"]),
            LegendItem("产业链 chain", CHAIN_COLOUR["background"], CHAIN_COLOUR["border"], shape="ellipse"),
            LegendItem("规划环节 planned segment", STATUS_COLOURS["planned"]["background"],
                       STATUS_COLOURS["planned"]["border"], dashed=True, border_width=2),
            common_ent,
            LegendItem("环节未知 segment unknown", MORE_COLOUR["background"], ENTERPRISE_COLOUR["border"], dashed=True),
            LegendItem("成员产业 member / sub-industry", MEASURE_COLOUR["background"], MEASURE_COLOUR["border"]),
        ]
    raise ValueError(f"unknown view {view!r}")


_PLACE_COLOURS = {
    "district": {"background": "#d1c4e9", "border": "#4527a0"},
    "zone": {"background": "#c5cae9", "border": "#283593"},
    "park": {"background": "#e8eaf6", "border": "#3949ab"},
}
CHAIN_COLOUR = {"background": "#b2dfdb", "border": "#00695c"}
FOCUS_COLOUR = {"background": "#1565c0", "border": "#0d47a1"}
HONOUR_COLOUR = {"background": "#fff59d", "border": "#f9a825"}
SUPPLIER_COLOUR = {"background": "#dcedc8", "border": "#558b2f"}
CUSTOMER_COLOUR = {"background": "#f8bbd0", "border": "#ad1457"}
POST_COLOUR = {"background": "#ffcdd2", "border": "#b71c1c"}
ORG_COLOUR = {"background": "#e1bee7", "border": "#6a1b9a"}
MEASURE_COLOUR = {"background": "#ffe0b2", "border": "#e65100"}
TARGET_COLOUR = {"background": "#f5f5f5", "border": "#424242"}
_BLANK = {"background": "#ffffff", "border": "#ffffff"}


# --- the network frame ------------------------------------------------------------------------


def _options() -> dict[str, Any]:
    """vis-network options shared by every view: physics off, fixed positions, CJK fonts."""
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "navigationButtons": False,
            "keyboard": False,
            "multiselect": False,
        },
        "nodes": {
            "font": {"face": FONT_STACK, "size": 14, "color": "#212121"},
            "shapeProperties": {"interpolation": False},
            "widthConstraint": {"maximum": 170},
            "margin": 8,
        },
        "edges": {
            "smooth": {
                "enabled": True,
                "type": "cubicBezier",
                "forceDirection": "horizontal",
                "roundness": 0.4,
            },
            "font": {
                "face": FONT_STACK,
                "size": 11,
                "align": "horizontal",
                "background": "rgba(255,255,255,0.85)",
            },
            "color": {"inherit": False},
        },
    }


def _network(view: str, title: str, subtitle: str, summary: Sequence[tuple[str, str]]) -> Network:
    net = Network(height="100%", width="100%", directed=True, heading=esc(title), cdn_resources="remote")
    net.options = _options()
    net.chainkg = {
        "view": view,
        "title": title,
        "subtitle": subtitle,
        "summary": [list(row) for row in summary],
        "legend": [i.to_dict() for i in legend(view)],
    }
    return net


def _details(
    heading: str,
    kind: str,
    *,
    iri: str | None = None,
    rows: Sequence[tuple[str, Any]] = (),
    sources: Iterable[Mapping[str, Any]] | None = None,
    items: Sequence[str] = (),
    view: str | None = None,
) -> dict[str, Any]:
    """The escaped details of a node, shown in the details panel on click."""
    return {
        "heading": esc(heading),
        "kind": esc(kind),
        "iri": esc(iri) if iri else None,
        "view": esc(view) if view else None,
        "rows": [[esc(k), esc(v)] for k, v in rows if v not in (None, "", [])],
        "items": [esc(i) for i in items],
        "sources": [esc(s) for s in source_lines(sources)],
    }


def _title(
    heading: str,
    rows: Sequence[tuple[str, Any]] = (),
    sources: Iterable[Mapping[str, Any]] | None = None,
    items: Sequence[str] = (),
    *,
    max_items: int = 12,
) -> str:
    """The escaped hover text of a node (plain lines; vis-network shows titles as text)."""
    lines = [heading, *(f"{k}: {v}" for k, v in rows if v not in (None, "", []))]
    if items:
        lines += [f"· {i}" for i in items[:max_items]]
        if len(items) > max_items:
            lines.append(f"… +{len(items) - max_items}")
    src = source_lines(sources)
    if src:
        lines.append("来源 sources:")
        lines += [f"· {s}" for s in src[:3]]
        if len(src) > 3:
            lines.append(f"… +{len(src) - 3}")
    return esc("\n".join(lines))


def _add(
    net: Network,
    node_id: str,
    label: str,
    *,
    kind: str,
    colour: Mapping[str, str],
    x: float,
    y: float,
    details: dict[str, Any],
    title: str,
    shape: str = "box",
    border_width: int = 1,
    dashed: bool = False,
    font: Mapping[str, Any] | None = None,
    **extra: Any,
) -> None:
    """Add one fixed-position node; ``label`` is raw and escaped here."""
    opts: dict[str, Any] = {
        "title": title,
        "x": round(x),
        "y": round(y),
        "fixed": {"x": True, "y": True},
        "physics": False,
        "borderWidth": border_width,
        "borderWidthSelected": border_width + 2,
        "color": {
            "background": colour["background"],
            "border": colour["border"],
            "highlight": {"background": colour["background"], "border": "#000000"},
            "hover": {"background": colour["background"], "border": "#000000"},
        },
        "kind": kind,
        "details": details,
        **extra,
    }
    if dashed:
        opts["shapeProperties"] = {"borderDashes": [6, 4]}
    if font:
        opts["font"] = dict(font)
    net.add_node(node_id, label=esc(label) or esc(node_id), shape=shape, **opts)


def _node(
    net: Network,
    node_id: str,
    label: str,
    heading: str,
    kind_label: str,
    *,
    iri: str | None = None,
    rows: Sequence[tuple[str, Any]] = (),
    sources: Iterable[Mapping[str, Any]] | None = None,
    items: Sequence[str] = (),
    view: str | None = None,
    max_items: int = 12,
    **node: Any,
) -> None:
    """Add a node whose hover text and details panel show the same heading, rows, items and
    sources (``node`` takes :func:`_add`'s keyword options: kind, colour, position, style)."""
    _add(
        net,
        node_id,
        label,
        title=_title(heading, rows, sources, items, max_items=max_items),
        details=_details(heading, kind_label, iri=iri, rows=rows, sources=sources, items=items, view=view),
        **node,
    )


def _edge(
    net: Network,
    src: str,
    dst: str,
    *,
    kind: str,
    colour: str = EDGE_MEMBER,
    arrows: bool = True,
    dashed: bool = False,
    width: float = 1,
    label: str | None = None,
    title: str | None = None,
) -> None:
    opts: dict[str, Any] = {
        "id": f"{kind}:{src}->{dst}",
        "kind": kind,
        "width": width,
        "color": {"color": colour, "highlight": "#000000", "hover": "#000000"},
        "arrows": "to" if arrows else "",
    }
    if dashed:
        opts["dashes"] = True
    if label:
        opts["label"] = esc(label)
    if title:
        opts["title"] = esc(title)
    seen: set[str] = net.__dict__.setdefault("_chainkg_edge_ids", set())
    if opts["id"] in seen:
        return
    seen.add(opts["id"])
    net.add_edge(src, dst, **opts)


def edge_count(net: Network) -> int:
    """Number of edges of ``net``."""
    return len(net.edges)


def node_count(net: Network) -> int:
    """Number of nodes of ``net``."""
    return len(net.nodes)


def _slug(iri: str | None) -> str | None:
    if not iri or not iri.startswith(ID_BASE):
        return None
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _view_path(kind: str, iri: str | None) -> str | None:
    """Server-relative path of the view of a resource (``viz/enterprises/<slug>``) or None."""
    slug = _slug(iri)
    if slug is None:
        return None
    where = {
        "enterprise": "viz/enterprises",
        "region": "viz/regions",
        "place": "viz/regions",
        "chain": "viz/chains",
        "industry": "viz/industries",
        "portfolio": "viz/industries",
    }.get(kind)
    return f"{where}/{slug}" if where else None


# --- chain view -------------------------------------------------------------------------------


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
        completeness: a :class:`graph.completeness.Completeness` or its ``to_dict()``.
        max_enterprises: enterprises shown under a segment; the rest become one "+N more" node
            whose details list them all.
        projects: also attach the region's projects placed on each segment.

    Returns:
        A network with fixed positions (physics off). Segment nodes have ``kind="segment"`` and
        ``status``; enterprise nodes ``kind="enterprise"``; "+N more" nodes ``kind="more"``;
        stage headings ``kind="stage"``.

    Example:
        >>> from graph.store import KGStore
        >>> from graph.loading import build
        >>> from graph.completeness import completeness as cc
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


# --- region view ------------------------------------------------------------------------------


_DISTRICT_TYPES = ("District", "County", "Municipality", "City", "Province")
_ZONE_TYPES = ("Zone", "HighTech", "Development", "Economic", "Corridor", "Area")


def _place_kind(types: Sequence[str]) -> str:
    """``district``, ``zone`` or ``park`` from a place's classes (compact or full IRIs)."""
    local = [str(t).rsplit("#", 1)[-1].rsplit(":", 1)[-1] for t in types or []]
    if any(any(k in t for k in _DISTRICT_TYPES) for t in local):
        return "district"
    if any(any(k in t for k in _ZONE_TYPES) for t in local):
        return "zone"
    return "park"


def _type_names(types: Sequence[str]) -> str:
    return "、".join(str(t).rsplit("#", 1)[-1].rsplit(":", 1)[-1] for t in types or [])


def region_network(tree: Any, *, max_enterprises: int = 12) -> Network:
    """The region view: district → zones → parks → enterprises → chains, left to right.

    Args:
        tree: a :class:`graph.regions.RegionTree` or its ``to_dict()`` (a place: ``iri``, ``label``,
            ``label_en``, ``types``, ``enterprises`` with ``chains``, ``children``; a ``root`` key
            is accepted too).
        max_enterprises: enterprises shown per place; the rest become a "+N more" node.

    Returns:
        A network with ``kind`` ``place``, ``enterprise``, ``chain`` and ``more`` nodes.

    Example:
        >>> net = region_network({"iri": "p", "label": "黔江区", "types": ["ckg:District"],
        ...                       "enterprises": [{"iri": "e", "label": "三磊玻纤", "chains": []}],
        ...                       "children": []})
        >>> sorted(n["kind"] for n in net.nodes)
        ['enterprise', 'place']
    """
    data = _data(tree)
    root = data.get("root", data)
    places: list[tuple[int, dict[str, Any]]] = []

    def walk(p: dict[str, Any], depth: int) -> None:
        places.append((depth, p))
        for c in p.get("children") or []:
            walk(c, depth + 1)

    walk(root, 0)
    max_depth = max(d for d, _ in places)
    ent_x = (max_depth + 1) * COLUMN_WIDTH
    chain_x = ent_x + COLUMN_WIDTH * 1.3
    all_ents = {e["iri"] for _, p in places for e in p.get("enterprises") or [] if e.get("iri")}
    chains_seen = {
        c["iri"] for _, p in places for e in p.get("enterprises") or [] for c in e.get("chains") or []
    }
    title = f"{_both(root.get('label'), root.get('label_en'))} · 园区与企业 parks and enterprises"
    summary = [
        ("园区/地点 places", str(len(places))),
        ("企业 enterprises", str(len(all_ents))),
        ("产业链 chains", str(len(chains_seen))),
    ]
    net = _network("region", title, "", summary)

    cursor = [0.0]
    placed_ents: dict[str, float] = {}
    chain_rows: dict[str, list[float]] = {}
    chain_info: dict[str, dict[str, Any]] = {}
    member_edges: list[tuple[str, str]] = []

    def lay(p: dict[str, Any], depth: int, parent: str | None) -> float:
        """Lay out ``p``'s enterprises and subtree; return the y of ``p`` (centre of its span)."""
        ys: list[float] = []
        enterprises = p.get("enterprises") or []
        for e in enterprises[:max_enterprises]:
            iri = e.get("iri") or f"{p['iri']}#e{len(placed_ents)}"
            if iri not in placed_ents:
                y = cursor[0]
                cursor[0] += CHILD_HEIGHT + 6
                placed_ents[iri] = y
                chains = e.get("chains") or []
                seg_names = [
                    f"{c.get('label')}: " + "、".join(str(s.get("label")) for s in c.get("segments") or [])
                    for c in chains
                ]
                rows = [("地点 place", p.get("label")), ("产业链 chains", len(chains))]
                heading = _both(e.get("label"), e.get("label_en"))
                _add(
                    net,
                    iri,
                    short(e.get("label") or iri, 14),
                    kind="enterprise",
                    colour=ENTERPRISE_COLOUR,
                    x=ent_x,
                    y=y,
                    title=_title(heading, rows, items=seg_names),
                    details=_details(
                        heading,
                        "enterprise 企业",
                        iri=e.get("iri"),
                        rows=rows,
                        items=seg_names,
                        sources=e.get("sources"),
                        view=_view_path("enterprise", e.get("iri")),
                    ),
                    font={"size": 13, "face": FONT_STACK, "color": "#0d47a1"},
                )
                for c in chains:
                    chain_rows.setdefault(c["iri"], []).append(y)
                    chain_info.setdefault(c["iri"], c)
                    member_edges.append((iri, c["iri"]))
            ys.append(placed_ents[iri])
            member_edges.append((p["iri"], iri))
        rest = enterprises[max_enterprises:]
        if rest:
            more_id = f"{p['iri']}#more"
            y = cursor[0]
            cursor[0] += CHILD_HEIGHT + 6
            names = [_both(e.get("label"), e.get("label_en")) for e in rest]
            _add(
                net,
                more_id,
                f"+{len(rest)} 更多 more",
                kind="more",
                colour=MORE_COLOUR,
                x=ent_x,
                y=y,
                dashed=True,
                hidden_count=len(rest),
                title=_title(f"{p.get('label')}: +{len(rest)}", items=names),
                details=_details(
                    f"{p.get('label')}: 另有 {len(rest)} 家企业 / {len(rest)} more", "more 更多", items=names
                ),
                font={"size": 12, "face": FONT_STACK, "color": "#424242"},
            )
            member_edges.append((p["iri"], more_id))
            ys.append(y)
        for c in p.get("children") or []:
            ys.append(lay(c, depth + 1, p["iri"]))
        if not ys:
            ys.append(cursor[0])
            cursor[0] += CHILD_HEIGHT + 6
        y_p = (min(ys) + max(ys)) / 2
        kind = _place_kind(p.get("types") or [])
        heading = _both(p.get("label"), p.get("label_en"))
        rows = [
            ("类型 type", _type_names(p.get("types") or [])),
            ("企业 enterprises", len(enterprises)),
            ("下级 sub-places", len(p.get("children") or [])),
        ]
        _add(
            net,
            p["iri"],
            short(p.get("label") or p["iri"], 14),
            kind="place",
            colour=_PLACE_COLOURS[kind],
            x=depth * COLUMN_WIDTH,
            y=y_p,
            border_width=2,
            place_kind=kind,
            title=_title(heading, rows),
            details=_details(
                heading,
                f"place 地点 ({kind})",
                iri=p["iri"],
                rows=rows,
                sources=p.get("sources"),
                view=_view_path("region", p["iri"]) if depth else None,
            ),
            font={"size": 15 if depth == 0 else 14, "face": FONT_STACK, "color": "#1a237e"},
        )
        if parent:
            member_edges.insert(0, (parent, p["iri"]))
        cursor[0] += ROW_GAP / 2
        return y_p

    lay(root, 0, None)
    # Chains: ordered by the mean row of their enterprises, then pushed apart so none overlap.
    order = sorted(chain_rows, key=lambda c: (sum(chain_rows[c]) / len(chain_rows[c]), c))
    last = -1e9
    for iri in order:
        c = chain_info[iri]
        y = max(sum(chain_rows[iri]) / len(chain_rows[iri]), last + 50)
        last = y
        heading = _both(c.get("label"), c.get("label_en"))
        segs = ["、".join(str(s.get("label")) for s in c.get("segments") or [])]
        rows = [("本地区企业 enterprises here", len(chain_rows[iri]))]
        _add(
            net,
            iri,
            short(c.get("label") or iri, 16),
            kind="chain",
            colour=CHAIN_COLOUR,
            x=chain_x,
            y=y,
            shape="ellipse",
            title=_title(heading, rows),
            details=_details(
                heading,
                "chain 产业链",
                iri=iri,
                rows=rows,
                items=[s for s in segs if s],
                view=_view_path("chain", iri),
            ),
            font={"size": 13, "face": FONT_STACK, "color": "#004d40"},
        )
    for a, b in member_edges:
        kind = "in-chain" if b in chain_info else "contains"
        _edge(
            net,
            a,
            b,
            kind=kind,
            arrows=kind == "contains",
            colour=EDGE_MEMBER if kind == "in-chain" else "#7986cb",
        )
    return net


# --- enterprise view --------------------------------------------------------------------------


def _fact_rows(facts: Iterable[Mapping[str, Any]], *, limit: int = 10) -> tuple[list[tuple[str, Any]], list]:
    """Rows ``(property, value)`` and the sources of a list of facts (``graph.describe`` form)."""
    rows: list[tuple[str, Any]] = []
    sources: list[Mapping[str, Any]] = []
    for f in facts or []:
        prop = str(f.get("property") or "")
        if prop in ("rdf:type",):
            continue
        value = f.get("label") or f.get("value")
        if len(rows) < limit:
            rows.append((prop, value))
        if f.get("source"):
            sources.append(f["source"])
    return rows, sources


def enterprise_network(profile: Any, *, max_enterprises: int = 6) -> Network:
    """The enterprise view: the enterprise, its chains and segments, place, honours, projects, and
    the local suppliers and customers of its segments (supply flows left to right).

    Args:
        profile: a :class:`graph.enterprise.EnterpriseProfile` or its ``to_dict()``.
        max_enterprises: local enterprises shown per supplier/customer segment ("+N more" after).

    Returns:
        A network centred on the ``kind="focus"`` node.

    Example:
        >>> net = enterprise_network({"iri": "e", "label": "三磊玻纤", "chains": []})
        >>> net.nodes[0]["kind"]
        'focus'
    """
    data = _data(profile)
    iri = data.get("iri") or "enterprise"
    heading = _both(data.get("label"), data.get("label_en"))
    chains = data.get("chains") or []
    own_segments = [(c, s) for c in chains for s in c.get("segments") or []]
    suppliers = data.get("suppliers") or []
    customers = data.get("customers") or []
    honours = data.get("honours") or []
    projects_ = data.get("projects") or []
    location = data.get("location") or []
    summary = [
        ("产业链 chains", str(len(chains))),
        ("环节 segments", str(len(own_segments))),
        ("荣誉 honours", str(len(honours))),
        ("项目 projects", str(len(projects_))),
        ("本地供应环节 local supplier segments", str(len(suppliers))),
        ("本地客户环节 local customer segments", str(len(customers))),
    ]
    net = _network("enterprise", f"{heading} · 企业画像 enterprise profile", "", summary)

    def names(key: str) -> str:
        return "、".join(str(n.get("value")) for n in data.get(key) or [] if n.get("value"))

    rows = [
        ("全称 legal name", names("legal_names")),
        ("简称 short name", names("short_names")),
        ("别名 aliases", names("aliases")),
        ("所在地 location", " › ".join(str(p.get("label")) for p in location if p.get("label"))),
    ]
    _node(
        net, iri, short(data.get("label") or iri, 14), heading, "enterprise 企业", kind="focus",
        colour=FOCUS_COLOUR, x=0, y=0, border_width=3,
        font={"size": 18, "face": FONT_STACK, "color": "#ffffff"}, iri=iri, rows=rows,
        sources=data.get("sources"),
    )

    side = COLUMN_WIDTH * 1.5
    # Own segments below the enterprise; suppliers to the left, customers to the right, level with them.
    seg_y: dict[str, float] = {}
    y = 120.0
    for chain, seg in own_segments:
        s_heading = _both(seg.get("label"), seg.get("label_en"))
        s_rows = [
            ("产业链 chain", chain.get("label")),
            ("阶段 stage", STAGE_LABELS.get(seg.get("stage"))),
            ("依据 basis", seg.get("basis")),
        ]
        if seg["iri"] not in seg_y:
            seg_y[seg["iri"]] = y
            _node(
                net, seg["iri"], short(seg.get("label") or seg["iri"], 16), s_heading, "segment 产业链环节",
                kind="segment", colour=STATUS_COLOURS["covered"], x=0, y=y, border_width=2, iri=seg["iri"],
                rows=s_rows, sources=seg.get("sources"),
            )
            y += SEGMENT_HEIGHT
        _edge(net, iri, seg["iri"], kind="operates", colour="#1565c0", width=2, label="经营 operates")

    def flank(groups: Sequence[Mapping[str, Any]], x: float, colour: Mapping[str, str], role: str) -> None:
        yy = 120.0
        for g in groups:
            seg = str(g.get("segment") or "")
            node = f"{role}:{seg}"
            ents = g.get("enterprises") or []
            g_rows = [
                (
                    "角色 role",
                    "本地供应商环节 local supplier segment"
                    if role == "supplier"
                    else "本地客户环节 local customer segment",
                ),
                ("本地企业 local enterprises", len(ents)),
            ]
            label = g.get("label") or seg
            _node(
                net, node, short(label, 16), str(label), f"{role} segment 环节", kind=f"{role}-segment",
                colour=colour, x=x, y=yy, border_width=2, iri=seg or None, rows=g_rows,
                items=[str(e.get("label")) for e in ents],
            )
            mine = g.get("for_segment")
            if mine in seg_y:
                if role == "supplier":
                    _edge(net, node, mine, kind="supplies", colour=EDGE_SUPPLY, width=2)
                else:
                    _edge(net, mine, node, kind="supplies", colour=EDGE_SUPPLY, width=2)
            yy += SEGMENT_HEIGHT
            for e in ents[:max_enterprises]:
                e_iri = e.get("iri") or f"{node}#{yy}"
                e_heading = str(e.get("label") or e_iri)
                _node(
                    net, e_iri, short(e_heading, 14), e_heading,
                    f"local {role} 本地{'供应商' if role == 'supplier' else '客户'}", kind="enterprise",
                    colour=ENTERPRISE_COLOUR, x=x + (-40 if role == "supplier" else 40), y=yy,
                    font={"size": 12, "face": FONT_STACK, "color": "#0d47a1"}, iri=e.get("iri"),
                    view=_view_path("enterprise", e.get("iri")),
                )
                _edge(net, node, e_iri, kind="operates", arrows=False)
                yy += CHILD_HEIGHT
            rest = ents[max_enterprises:]
            if rest:
                more = f"{node}#more"
                more_names = [str(e.get("label")) for e in rest]
                _add(
                    net,
                    more,
                    f"+{len(rest)} 更多 more",
                    kind="more",
                    colour=MORE_COLOUR,
                    x=x + (-40 if role == "supplier" else 40),
                    y=yy,
                    dashed=True,
                    hidden_count=len(rest),
                    title=_title(f"+{len(rest)}", items=more_names),
                    details=_details(f"{label}: +{len(rest)}", "more 更多", items=more_names),
                )
                _edge(net, node, more, kind="operates", arrows=False, dashed=True)
                yy += CHILD_HEIGHT
            yy += ROW_GAP / 2

    flank(suppliers, -side, SUPPLIER_COLOUR, "supplier")
    flank(customers, side, CUSTOMER_COLOUR, "customer")

    # Chains above the enterprise; places above-left; honours above-right; projects below segments.
    for i, chain in enumerate(chains):
        c_heading = _both(chain.get("label"), chain.get("label_en"))
        cx = (i - (len(chains) - 1) / 2) * COLUMN_WIDTH * 0.9
        _add(
            net,
            chain["iri"],
            short(chain.get("label") or chain["iri"], 16),
            kind="chain",
            colour=CHAIN_COLOUR,
            x=cx,
            y=-130,
            shape="ellipse",
            title=_title(c_heading),
            details=_details(
                c_heading,
                "chain 产业链",
                iri=chain["iri"],
                items=[str(s.get("label")) for s in chain.get("segments") or []],
                view=_view_path("chain", chain["iri"]),
            ),
        )
        _edge(net, chain["iri"], iri, kind="in-chain", arrows=False, label="所属链 in chain")
    for i, place in enumerate(location):
        p_heading = _both(place.get("label"), place.get("label_en"))
        kind = _place_kind(place.get("types") or [])
        _add(
            net,
            place["iri"],
            short(place.get("label") or place["iri"], 12),
            kind="place",
            colour=_PLACE_COLOURS[kind],
            x=-side,
            y=-60 - i * 60,
            title=_title(p_heading),
            details=_details(
                p_heading,
                "place 地点",
                iri=place["iri"],
                rows=[("类型 type", _type_names(place.get("types") or []))],
                view=_view_path("region", place["iri"]),
            ),
        )
        if i == 0:
            _edge(net, iri, place["iri"], kind="located-in", colour="#7986cb", label="位于 located in")
        else:
            _edge(net, location[i - 1]["iri"], place["iri"], kind="part-of", colour="#7986cb")
    for i, h in enumerate(honours):
        h_heading = _both(h.get("label"), h.get("label_en"))
        h_rows, h_sources = _fact_rows(h.get("facts") or [])
        _node(
            net, h["iri"], short(h.get("label") or h["iri"], 14), h_heading, "honour 荣誉", kind="honour",
            colour=HONOUR_COLOUR, x=side, y=-60 - i * 60, shape="box", border_width=2, iri=h["iri"],
            rows=h_rows, sources=h_sources,
        )
        _edge(net, iri, h["iri"], kind="honour", colour=HONOUR_COLOUR["border"])
    py = -60.0 - len(honours) * 60
    for p in projects_:
        p_heading = _both(p.get("label"), p.get("label_en"))
        p_rows, p_sources = _fact_rows(p.get("facts") or [])
        _node(
            net, p["iri"], short(p.get("label") or p["iri"], 16), p_heading, "project 项目", kind="project",
            colour=PROJECT_COLOUR, x=side, y=py, dashed=True,
            font={"size": 12, "face": FONT_STACK, "color": "#e65100"}, iri=p["iri"], rows=p_rows,
            sources=p_sources,
        )
        _edge(net, iri, p["iri"], kind="owns", colour=PROJECT_COLOUR["border"], dashed=True)
        py -= CHILD_HEIGHT + 16
    # regional industries it belongs to (above, right of the chains) and its people (below left)
    for i, ind in enumerate(data.get("industries") or []):
        i_heading = _both(ind.get("label"), ind.get("label_en"))
        _node(
            net, f"industry:{ind['iri']}", short(ind.get("label") or ind["iri"], 14), i_heading,
            "regional industry 区域产业", kind="industry", colour=MEASURE_COLOUR, x=COLUMN_WIDTH * 0.6 * (i + 1),
            y=-230, iri=ind["iri"], rows=[("依据 basis", ind.get("basis"))], sources=ind.get("sources"),
            view=_view_path("industry", ind["iri"]),
        )
        _edge(net, iri, f"industry:{ind['iri']}", kind="in-industry", colour=MEASURE_COLOUR["border"],
              label="所属产业 industry" if i == 0 else None)
    for i, person in enumerate(data.get("people") or []):
        p_heading = _both(person.get("name"), person.get("name_en"))
        honours_ = [f"{h.get('label')} ({h.get('date') or h.get('date_note') or '日期未载明 date not stated'})"
                    for h in person.get("honours") or []]
        _node(
            net, f"person:{person.get('iri')}", short(person.get("name") or person.get("person") or "", 10),
            p_heading, "person 人物", kind="person", colour=ORG_COLOUR, x=-side, y=-230 - i * 50,
            iri=person.get("person"), rows=[("职务 role", person.get("role"))], items=honours_,
            sources=person.get("sources"),
        )
        _edge(net, iri, f"person:{person.get('iri')}", kind="person", colour=ORG_COLOUR["border"],
              label=str(person.get("role") or "") or None)
    return net


# --- chain-chief (链长制) view ----------------------------------------------------------------


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
        report: a :class:`graph.chiefs.ChiefReport` or its ``to_dict()``.

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
    from graph.chiefs import ChiefReport

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


# --- industry view ----------------------------------------------------------------------------


def _growth(rate: Any) -> str:
    return "—" if rate is None else f"{rate}%"


def industry_network(profile: Mapping[str, Any]) -> Network:
    """The industry view: a regional industry or portfolio with its regions, chains (completeness
    in its region), the segments its programme targets, member enterprises (those whose segment
    the sources do not give marked "segment unknown"), sub-industries and, for a portfolio, its
    member industries with latest output, growth rate and target.

    Args:
        profile: :func:`graph.industries.industry_profile`'s answer.

    Returns:
        A network with ``kind`` ``focus``, ``place``, ``chain``, ``planned-segment``,
        ``enterprise`` (``segment_known`` true or false), ``industry`` and ``portfolio`` nodes.

    Example:
        >>> net = industry_network({"iri": "i", "label": "黔江新材料产业", "members": [
        ...     {"iri": "e", "label": "黔瑞锰业", "segments": [], "sources": []}]})
        >>> [(n["kind"], n.get("segment_known")) for n in net.nodes]
        [('focus', None), ('enterprise', False)]
    """
    iri = str(profile.get("iri") or "industry")
    heading = _both(profile.get("label"), profile.get("label_en"))
    chains = profile.get("chains") or []
    planned = profile.get("planned_segments") or []
    members = profile.get("members") or []
    regions = profile.get("regions") or []
    subs = list(profile.get("sub_industries") or []) + list(profile.get("portfolio_members") or [])
    comparison = {row["industry"]: row for row in profile.get("comparison") or []}
    figures = profile.get("figures") or []
    actual = next((f for f in reversed(figures) if f.get("kind") == "actual"), None)
    target = next((f for f in reversed(figures) if f.get("kind") == "target"), None)
    portfolio = profile.get("kind") == "portfolio"
    summary = [
        ("地区 regions", "、".join(str(r.get("label") or r.get("value")) for r in regions) or "—"),
        ("产业链 chains", str(len(chains))),
        ("规划环节 planned segments", str(len(planned))),
        ("成员企业 member enterprises", str(len(members))),
        ("成员产业 member industries" if portfolio else "下属产业 sub-industries", str(len(subs))),
        ("产值 output", f"{_figure_text(actual)} · 增速 growth "
                        f"{_growth(actual.get('growth_rate') if actual else None)}"),
        ("目标 target", _figure_text(target)),
    ]
    kind_label = "industry portfolio 产业体系" if portfolio else "regional industry 区域产业"
    net = _network("industry", f"{heading} · {'产业体系 portfolio' if portfolio else '区域产业 industry'}",
                   "", summary)
    notes = "；".join(str(n.get("value")) for n in profile.get("status_notes") or [])
    _node(net, iri, short(profile.get("label") or iri, 14), heading, kind_label, kind="focus", colour=FOCUS_COLOUR,
          x=0, y=0, border_width=3, font={"size": 18, "face": FONT_STACK, "color": "#ffffff"}, iri=iri,
          rows=[("状态 status", notes), ("产值 output", _figure_text(actual)),
                ("增速 growth", _growth(actual.get("growth_rate") if actual else None)),
                ("目标 target", _figure_text(target))],
          sources=profile.get("sources"))
    side = COLUMN_WIDTH * 1.6
    for i, r in enumerate(regions):
        r_iri = str(r.get("value"))
        _node(net, r_iri, short(r.get("label") or r_iri, 12), _both(r.get("label"), r.get("label_en")),
              "region 地区", kind="place", colour=_PLACE_COLOURS["district"], x=-side, y=-120 - i * 50,
              iri=r_iri, sources=r.get("sources"), view=_view_path("region", r_iri))
        _edge(net, iri, r_iri, kind="region", colour="#7986cb", label="区域 region" if i == 0 else None)
    # chains in a row below, planned segments under their chain
    chain_x: dict[str, float] = {}
    for i, c in enumerate(chains):
        cx = (i - (len(chains) - 1) / 2) * COLUMN_WIDTH
        chain_x[c["iri"]] = cx
        comp = c.get("completeness") or {}
        rows = [("完整度 completeness", comp.get("score")), ("已覆盖 covered", comp.get("covered")),
                ("规划 planned", comp.get("planned")), ("环节 segments", comp.get("segments"))]
        _node(net, c["iri"], short(c.get("label") or c["iri"], 16), _both(c.get("label"), c.get("label_en")),
              "chain 产业链", kind="chain", colour=CHAIN_COLOUR, x=cx, y=150, shape="ellipse", iri=c["iri"],
              rows=rows, sources=c.get("sources"), view=_view_path("chain", c["iri"]))
        _edge(net, iri, c["iri"], kind="covers", colour=CHAIN_COLOUR["border"], width=2, label="产业链 covers")
    depth: dict[str, int] = {}
    for seg in planned:
        chain = seg.get("chain")
        node = f"planned:{seg['segment']}"
        k = depth.get(chain or "", 0)
        depth[chain or ""] = k + 1
        _node(net, node, short(seg.get("label") or seg["segment"], 16),
              _both(seg.get("label"), seg.get("label_en")), "planned segment 规划环节", kind="planned-segment",
              colour=STATUS_COLOURS["planned"], x=chain_x.get(chain or "", -side), y=230 + k * CHILD_HEIGHT * 1.6,
              dashed=True, border_width=2, iri=seg["segment"], rows=[("规划者 planned by", seg.get("industry_label"))],
              sources=seg.get("sources"))
        _edge(net, chain if chain in chain_x else iri, node, kind="targets", colour=STATUS_COLOURS["planned"]["border"],
              dashed=True)
    # member enterprises in a column on the right
    for i, m in enumerate(members):
        segs = m.get("segments") or []
        known = bool(segs)
        m_iri = str(m.get("iri"))
        _node(net, m_iri, short(m.get("label") or m_iri, 14), str(m.get("label") or m_iri), "enterprise 企业",
              kind="enterprise", colour=ENTERPRISE_COLOUR if known else MORE_COLOUR, x=side, y=-120 + i * CHILD_HEIGHT,
              dashed=not known, iri=m_iri, segment_known=known,
              rows=[("环节 segments", "、".join(str(s.get("label")) for s in segs) or "未知 unknown"),
                    ("依据 basis", m.get("basis"))],
              sources=m.get("sources"), view=_view_path("enterprise", m_iri))
        _edge(net, iri, m_iri, kind="member", arrows=False)
    # member or sub-industries in a column on the left
    for i, sub in enumerate(subs):
        s_iri = str(sub.get("iri"))
        row = comparison.get(s_iri) or {}
        rows = [("产值 output", _figure_text(row.get("actual"))), ("增速 growth", _growth(row.get("growth_rate"))),
                ("目标 target", _figure_text(row.get("target"))), ("差距 gap", row.get("gap"))]
        _node(net, s_iri, short(sub.get("label") or s_iri, 14), _both(sub.get("label"), sub.get("label_en")),
              "industry 产业", kind="industry", colour={"background": MEASURE_COLOUR["background"],
                                                      "border": MEASURE_COLOUR["border"]},
              x=-side, y=20 + i * 50, iri=s_iri, rows=rows if row else (), sources=sub.get("sources"),
              view=_view_path("industry", s_iri))
        _edge(net, s_iri, iri, kind="member-of", colour=MEASURE_COLOUR["border"])
    for i, pf in enumerate(profile.get("portfolios") or []):
        p_iri = str(pf.get("value"))
        _node(net, p_iri, short(pf.get("label") or p_iri, 14), _both(pf.get("label"), pf.get("label_en")),
              "portfolio 产业体系", kind="portfolio", colour={"background": MEASURE_COLOUR["background"],
                                                          "border": MEASURE_COLOUR["border"]},
              x=COLUMN_WIDTH * (i + 1) * 0.8, y=-130, iri=p_iri, sources=pf.get("sources"),
              view=_view_path("portfolio", p_iri))
        _edge(net, iri, p_iri, kind="member-of", colour=MEASURE_COLOUR["border"])
    return net
