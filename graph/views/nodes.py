"""Shared pieces of every view: network frame, colours, legend, node and edge helpers (text escaped)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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
    from graph.questions.provenance import citation

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
