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
FONT_STACK = ('"Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", '
              '"PingFang SC", "Microsoft YaHei", sans-serif')

#: Fill and border colours of a segment by status.
STATUS_COLOURS: dict[str, dict[str, str]] = {
    "covered": {"background": "#66bb6a", "border": "#1b5e20"},
    "planned": {"background": "#ffd54f", "border": "#ff8f00"},
    "missing": {"background": "#eeeeee", "border": "#9e9e9e"},
}
STATUS_LABELS = {"covered": "已覆盖 covered", "planned": "在建/规划 planned", "missing": "缺失 missing"}
STAGE_LABELS = {"upstream": "上游 Upstream", "midstream": "中游 Midstream", "downstream": "下游 Downstream",
                None: "未分段 Unstaged"}
BREAK_BORDER = "#c62828"
WEAK_BORDER = "#ef6c00"
ENTERPRISE_COLOUR = {"background": "#e3f2fd", "border": "#1565c0"}
PROJECT_COLOUR = {"background": "#fff8e1", "border": "#ff8f00"}
MORE_COLOUR = {"background": "#fafafa", "border": "#757575"}
EDGE_SUPPLY = "#455a64"
EDGE_MEMBER = "#b0bec5"

#: Layout grid (pixels).
COLUMN_WIDTH = 240
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
    ['d003.md «T» 2023: “三磊玻纤” [stated]']
    """
    out: list[str] = []
    for s in sources or []:
        doc = s.get("document") or {}
        where = " ".join(
            p for p in (doc.get("file"), f"«{doc['title']}»" if doc.get("title") else None,
                        doc.get("date") if doc.get("date") not in (None, "not stated") else None) if p
        ) or (doc.get("iri") or s.get("claim") or "source")
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
            *(LegendItem(STATUS_LABELS[s], c["background"], c["border"], border_width=2)
              for s, c in STATUS_COLOURS.items()),
            LegendItem("薄弱环节 weak link (1 firm)", STATUS_COLOURS["covered"]["background"], WEAK_BORDER,
                       dashed=True, border_width=3),
            LegendItem("断点 break point", STATUS_COLOURS["missing"]["background"], BREAK_BORDER,
                       border_width=4),
            common_ent,
            LegendItem("项目 project", PROJECT_COLOUR["background"], PROJECT_COLOUR["border"], dashed=True),
            LegendItem("+N 更多 more", MORE_COLOUR["background"], MORE_COLOUR["border"], dashed=True),
            LegendItem("供应关系 supplies →", EDGE_SUPPLY, EDGE_SUPPLY, shape="line"),
        ]
    if view == "region":
        return [
            LegendItem("区县 district", *_PLACE_COLOURS["district"].values()),
            LegendItem("园区/开发区 zone", *_PLACE_COLOURS["zone"].values()),
            LegendItem("园 park", *_PLACE_COLOURS["park"].values()),
            common_ent,
            LegendItem("产业链 chain", CHAIN_COLOUR["background"], CHAIN_COLOUR["border"], shape="ellipse"),
            LegendItem("+N 更多 more", MORE_COLOUR["background"], MORE_COLOUR["border"], dashed=True),
        ]
    if view == "enterprise":
        return [
            LegendItem("本企业 this enterprise", FOCUS_COLOUR["background"], FOCUS_COLOUR["border"],
                       border_width=3),
            LegendItem("产业链 chain", CHAIN_COLOUR["background"], CHAIN_COLOUR["border"], shape="ellipse"),
            LegendItem("环节 segment", *STATUS_COLOURS["covered"].values()),
            LegendItem("地点 place", *_PLACE_COLOURS["zone"].values()),
            LegendItem("荣誉 honour", HONOUR_COLOUR["background"], HONOUR_COLOUR["border"], shape="diamond"),
            LegendItem("项目 project", PROJECT_COLOUR["background"], PROJECT_COLOUR["border"], dashed=True),
            LegendItem("本地供应商 local supplier", *SUPPLIER_COLOUR.values()),
            LegendItem("本地客户 local customer", *CUSTOMER_COLOUR.values()),
        ]
    if view == "chiefs":
        return [
            LegendItem("地区 region", *_PLACE_COLOURS["district"].values()),
            LegendItem("链长制产业链 chain under 链长制", CHAIN_COLOUR["background"], CHAIN_COLOUR["border"],
                       shape="ellipse"),
            LegendItem("链长 chain-chief post", POST_COLOUR["background"], POST_COLOUR["border"]),
            LegendItem("链主企业 chain leader", FOCUS_COLOUR["background"], FOCUS_COLOUR["border"]),
            LegendItem("工作专班 task force", ORG_COLOUR["background"], ORG_COLOUR["border"]),
            LegendItem("措施 measure", *MEASURE_COLOUR.values(), shape="diamond"),
            LegendItem("目标/实际 target vs actual", TARGET_COLOUR["background"], TARGET_COLOUR["border"]),
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
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False,
                        "keyboard": False, "multiselect": False},
        "nodes": {"font": {"face": FONT_STACK, "size": 14, "color": "#212121"},
                  "shapeProperties": {"interpolation": False},
                  "widthConstraint": {"maximum": 170}, "margin": 8},
        "edges": {"smooth": {"enabled": True, "type": "cubicBezier", "forceDirection": "horizontal",
                             "roundness": 0.4},
                  "font": {"face": FONT_STACK, "size": 11, "align": "middle"},
                  "color": {"inherit": False}},
    }


def _network(view: str, title: str, subtitle: str, summary: Sequence[tuple[str, str]]) -> Network:
    net = Network(height="100%", width="100%", directed=True, heading=esc(title), cdn_resources="remote")
    net.options = _options()
    net.chainkg = {  # type: ignore[attr-defined]
        "view": view,
        "title": title,
        "subtitle": subtitle,
        "summary": [list(row) for row in summary],
        "legend": [i.to_dict() for i in legend(view)],
    }
    return net


def _details(heading: str, kind: str, *, iri: str | None = None, rows: Sequence[tuple[str, Any]] = (),
             sources: Iterable[Mapping[str, Any]] | None = None, items: Sequence[str] = (),
             view: str | None = None) -> dict[str, Any]:
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


def _title(heading: str, rows: Sequence[tuple[str, Any]] = (),
           sources: Iterable[Mapping[str, Any]] | None = None, items: Sequence[str] = (), *,
           max_items: int = 12) -> str:
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


def _add(net: Network, node_id: str, label: str, *, kind: str, colour: Mapping[str, str], x: float, y: float,
         details: dict[str, Any], title: str, shape: str = "box", border_width: int = 1,
         dashed: bool = False, font: Mapping[str, Any] | None = None, **extra: Any) -> None:
    """Add one fixed-position node; ``label`` is raw and escaped here."""
    opts: dict[str, Any] = {
        "title": title,
        "x": round(x),
        "y": round(y),
        "fixed": {"x": True, "y": True},
        "physics": False,
        "borderWidth": border_width,
        "borderWidthSelected": border_width + 2,
        "color": {"background": colour["background"], "border": colour["border"],
                  "highlight": {"background": colour["background"], "border": "#000000"},
                  "hover": {"background": colour["background"], "border": "#000000"}},
        "kind": kind,
        "details": details,
        **extra,
    }
    if dashed:
        opts["shapeProperties"] = {"borderDashes": [6, 4]}
    if font:
        opts["font"] = dict(font)
    net.add_node(node_id, label=esc(label) or esc(node_id), shape=shape, **opts)


def _edge(net: Network, src: str, dst: str, *, kind: str, colour: str = EDGE_MEMBER, arrows: bool = True,
          dashed: bool = False, width: float = 1, label: str | None = None, title: str | None = None) -> None:
    opts: dict[str, Any] = {"id": f"{kind}:{src}->{dst}", "kind": kind, "width": width,
                            "color": {"color": colour, "highlight": "#000000", "hover": "#000000"},
                            "arrows": "to" if arrows else ""}
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
    where = {"enterprise": "viz/enterprises", "region": "viz/regions", "place": "viz/regions",
             "chain": "viz/chains"}.get(kind)
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
    return (_STAGE_ORDER.get(s.get("stage"), 3), order if isinstance(order, int) else 10**6,
            str(s.get("label") or ""), str(s.get("iri")))


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
        _add(net, f"stage:{stage}", label, kind="stage", colour=_BLANK,
             x=x, y=-90, shape="text", title=esc(label),
             details=_details(label, "stage 环节阶段", rows=[("环节数 segments", str(len(cols)))]),
             font={"size": 18, "color": "#37474f", "face": FONT_STACK})

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
        ]
        items = [f"企业 {_both(e.get('label'), e.get('label_en'))}" for e in enterprises]
        items += [f"项目 {_both(p.get('label'), p.get('label_en'))}" for p in seg.get("projects") or []]
        items += [f"补链候选 candidate (tier {c.get('tier')}): {c.get('label')} — {c.get('why')}"
                  for c in candidates]
        name = seg.get("label") or seg.get("label_en") or seg["iri"]
        label = short(name, 18)
        if seg.get("break_point"):
            label += "\n✕ 断点"
        elif seg.get("weak_link"):
            label += "\n△ 薄弱"
        heading = _both(seg.get("label"), seg.get("label_en"))
        _add(net, seg["iri"], label, kind="segment", colour=colour, x=x, y=y, border_width=border_width,
             dashed=dashed, status=status, weak_link=bool(seg.get("weak_link")),
             break_point=bool(seg.get("break_point")),
             title=_title(heading, rows, items=items),
             details=_details(heading, "segment 产业链环节", iri=seg["iri"], rows=rows, items=items,
                              sources=[{"document": {"file": None, "title": "chainkg curation"},
                                        "basis": "curated", "claim": data.get("chain")}]),
             font={"size": 15, "face": FONT_STACK, "color": "#212121", "multi": False})
        y += SEGMENT_HEIGHT
        shown = enterprises[:max_enterprises]
        for actor in [*shown, *seg_projects[:max_enterprises]]:
            actor_iri = actor.get("iri") or f"{seg['iri']}#actor-{len(placed)}"
            kind = actor.get("kind") or "enterprise"
            if actor_iri not in placed:
                placed.add(actor_iri)
                a_rows = [("所在地 place", actor.get("place_label") or actor.get("place")),
                          ("依据 basis", actor.get("basis")),
                          ("状态 status", (actor.get("status") or "").rsplit("#", 1)[-1] or None),
                          ("环节 segment", heading)]
                a_heading = _both(actor.get("label"), actor.get("label_en"))
                colour_a = PROJECT_COLOUR if kind == "project" else ENTERPRISE_COLOUR
                _add(net, actor_iri, short(actor.get("label") or actor_iri, 14), kind=kind, colour=colour_a,
                     x=x + 18, y=y, dashed=kind == "project",
                     title=_title(a_heading, a_rows, actor.get("sources")),
                     details=_details(a_heading, "project 项目" if kind == "project" else "enterprise 企业",
                                      iri=actor.get("iri"), rows=a_rows, sources=actor.get("sources"),
                                      view=_view_path(kind, actor.get("iri"))),
                     font={"size": 12, "face": FONT_STACK, "color": "#0d47a1"})
                y += CHILD_HEIGHT
            _edge(net, seg["iri"], actor_iri, kind="operates", arrows=False, dashed=kind == "project")
        rest = enterprises[max_enterprises:]
        if rest:
            more_id = f"{seg['iri']}#more"
            names = [_both(e.get("label"), e.get("label_en")) for e in rest]
            _add(net, more_id, f"+{len(rest)} 更多 more", kind="more", colour=MORE_COLOUR, x=x + 18, y=y,
                 dashed=True, hidden_count=len(rest),
                 title=_title(f"{heading}: +{len(rest)}", items=names),
                 details=_details(f"{heading}: 另有 {len(rest)} 家企业 / {len(rest)} more enterprises",
                                  "more 更多", items=names),
                 font={"size": 12, "face": FONT_STACK, "color": "#424242"})
            _edge(net, seg["iri"], more_id, kind="operates", arrows=False, dashed=True)
            y += CHILD_HEIGHT
        column_y[col] = y + ROW_GAP

    iris = {s["iri"] for s in segments}
    for a, b in edges:
        if a in iris and b in iris:
            broken = a in break_iris or b in break_iris
            _edge(net, a, b, kind="supplies", colour=BREAK_BORDER if broken else EDGE_SUPPLY, width=2,
                  dashed=broken, title="供应 supplies")
    return net
