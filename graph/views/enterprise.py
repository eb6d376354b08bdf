"""The enterprise view: one enterprise, its chains, segments, place, honours, projects, suppliers and customers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pyvis.network import Network

from graph.views.nodes import (
    _PLACE_COLOURS,
    CHAIN_COLOUR,
    CHILD_HEIGHT,
    COLUMN_WIDTH,
    CUSTOMER_COLOUR,
    EDGE_SUPPLY,
    ENTERPRISE_COLOUR,
    FOCUS_COLOUR,
    FONT_STACK,
    HONOUR_COLOUR,
    MEASURE_COLOUR,
    MORE_COLOUR,
    ORG_COLOUR,
    PROJECT_COLOUR,
    ROW_GAP,
    SEGMENT_HEIGHT,
    STAGE_LABELS,
    STATUS_COLOURS,
    SUPPLIER_COLOUR,
    _add,
    _both,
    _data,
    _details,
    _edge,
    _network,
    _node,
    _title,
    _view_path,
    short,
)
from graph.views.region import _place_kind, _type_names


def _fact_rows(facts: Iterable[Mapping[str, Any]], *, limit: int = 10) -> tuple[list[tuple[str, Any]], list]:
    """Rows ``(property, value)`` and the sources of a list of facts (``graph.questions.describe`` form)."""
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
        profile: a :class:`graph.questions.enterprise.EnterpriseProfile` or its ``to_dict()``.
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
