"""The region view: a region's tree, district → zones → parks → enterprises → chains."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyvis.network import Network

from graph.views.nodes import (
    _PLACE_COLOURS,
    CHAIN_COLOUR,
    CHILD_HEIGHT,
    COLUMN_WIDTH,
    EDGE_MEMBER,
    ENTERPRISE_COLOUR,
    FONT_STACK,
    MORE_COLOUR,
    ROW_GAP,
    _add,
    _both,
    _data,
    _details,
    _edge,
    _network,
    _title,
    _view_path,
    short,
)

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
        tree: a :class:`graph.questions.regions.RegionTree` or its ``to_dict()`` (a place: ``iri``, ``label``,
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
