"""The industry view: a regional industry, its chains, members and figures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyvis.network import Network

from graph.views.chiefs import _figure_text
from graph.views.nodes import (
    _PLACE_COLOURS,
    CHAIN_COLOUR,
    CHILD_HEIGHT,
    COLUMN_WIDTH,
    ENTERPRISE_COLOUR,
    FOCUS_COLOUR,
    FONT_STACK,
    MEASURE_COLOUR,
    MORE_COLOUR,
    STATUS_COLOURS,
    _both,
    _edge,
    _network,
    _node,
    _view_path,
    short,
)


def _growth(rate: Any) -> str:
    return "—" if rate is None else f"{rate}%"


def industry_network(profile: Mapping[str, Any]) -> Network:
    """The industry view: a regional industry or portfolio with its regions, chains (completeness
    in its region), the segments its programme targets, member enterprises (those whose segment
    the sources do not give marked "segment unknown"), sub-industries and, for a portfolio, its
    member industries with latest output, growth rate and target.

    Args:
        profile: :func:`graph.questions.industries.industry_profile`'s answer.

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
