"""The graph, or one region's part of it, as a small ``networkx.DiGraph`` for Gephi or yEd.

The projection holds places (the region and every zone and park inside it, or every region),
the enterprises located there, the whole templates of the chains they work in (segments and
chains, curated knowledge) and the edges between them:

=============  =====================  ==========================================
relation       label                  from → to
=============  =====================  ==========================================
``partOf``     属于                   place → the place it lies in
``locatedIn``  位于                   enterprise → place
``operatesIn`` 从事环节               enterprise → segment
``segmentOf``  环节属于               segment → chain
``suppliesTo`` 供给                   segment → downstream segment
=============  =====================  ==========================================

Every node carries ``label`` (Chinese, else English, else the IRI), ``label_en``, ``kind``
(``place`` / ``enterprise`` / ``segment`` / ``chain``), ``kind_zh`` and ``type`` (the most
specific class, e.g. ``ckg:HighTechZone``); segments also ``chain``, ``stage``, ``order``,
``enterprises`` (how many firms of the projection operate in it) and ``covered``. Node ids are
IRIs; the graph's ``name`` is the region's label and ``region`` its IRI. Three named queries
build it (``projection_places``, ``projection_enterprises``, ``projection_templates``);
:func:`graphml` writes it.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import TYPE_CHECKING, Any

from rdflib import URIRef

from graph import queries
from graph.errors import ResultTooLargeError
from graph.store.embedded import KGStore
from graph.store.stats import compact

if TYPE_CHECKING:
    import networkx as nx

KIND_ZH = {"place": "地区", "enterprise": "企业", "segment": "产业链环节", "chain": "产业链"}
RELATION_ZH = {"partOf": "属于", "locatedIn": "位于", "operatesIn": "从事环节", "segmentOf": "环节属于",
               "suppliesTo": "供给"}
STAGE = {"Upstream": "upstream", "Midstream": "midstream", "Downstream": "downstream"}


def region_graph(store: KGStore, region: str | None = None, *, max_nodes: int | None = None) -> nx.DiGraph:
    """The projection of ``region`` (name or IRI; ``None``: every region) as a directed graph.

    Args:
        store: the store.
        region: a region name, alias, pinyin or IRI; ``None`` for the whole graph.
        max_nodes: refuse a projection with more nodes than this.

    Raises:
        UnknownEntityError, AmbiguousNameError: the region does not resolve.
        ResultTooLargeError: more than ``max_nodes`` nodes.

    >>> region_graph(KGStore()).number_of_nodes()
    0
    """
    import networkx as nx

    from graph.index.names import index_for
    from graph.index.region_list import list_regions, most_specific
    from graph.questions.places import region_places

    g = nx.DiGraph(name="chainkg")
    if region is None:
        places = {r["iri"] for r in list_regions(store)}
    else:
        entry = index_for(store).resolve(region, kinds=("region",))
        places = region_places(store, entry.iri)
        g.graph.update(name=entry.label, region=entry.iri)
    if not places:
        return g

    def check() -> None:
        if max_nodes is not None and g.number_of_nodes() > max_nodes:
            raise ResultTooLargeError(f"the graph has more than {max_nodes} nodes; export one region at a time")

    place_terms = [URIRef(p) for p in sorted(places)]
    types: dict[str, list[str]] = {}
    parents: set[tuple[str, str]] = set()
    for r in store.select(queries.load("projection_places"), bindings={"place": place_terms}):
        p = r["place"]
        if p not in g:
            _node(g, p, "place", r.get("label"), r.get("labelEn"))
        if "type" in r:
            types.setdefault(p, []).append(compact(r["type"]))
        if r.get("parent") in places:
            parents.add((p, r["parent"]))
    for p, ts in types.items():
        g.nodes[p]["type"] = most_specific(ts)
    for p, parent in sorted(parents):
        _edge(g, p, parent, "partOf")
    check()

    operated: Counter[str] = Counter()
    for r in store.select(queries.load("projection_enterprises"), bindings={"place": place_terms}):
        e = r["e"]
        if e not in g:
            _node(g, e, "enterprise", r.get("label"), r.get("labelEn"), type="ckg:Enterprise")
        _edge(g, e, r["place"], "locatedIn")
        if "seg" in r and not g.has_edge(e, r["seg"]):
            operated[r["seg"]] += 1
            g.add_edge(e, r["seg"], relation="operatesIn", label=RELATION_ZH["operatesIn"])
    check()

    if operated:
        rows = store.select(queries.load("projection_templates"),
                            bindings={"seg": [URIRef(s) for s in sorted(operated)]})
        for r in rows:
            chain, s = r["chain"], r["s"]
            if chain not in g:
                _node(g, chain, "chain", r.get("chainLabel"), r.get("chainLabelEn"), type="ckg:ChainTemplate")
            if s not in g or g.nodes[s].get("kind") != "segment":
                stage = STAGE.get(str(r.get("stage", "")).rsplit("#", 1)[-1])
                _node(g, s, "segment", r.get("label"), r.get("labelEn"), type="ckg:Segment", chain=chain,
                      enterprises=operated.get(s, 0), covered=s in operated,
                      **({"stage": stage} if stage else {}),
                      **({"order": int(r["order"])} if "order" in r else {}))
            _edge(g, s, chain, "segmentOf")
            if "next" in r:
                _edge(g, s, r["next"], "suppliesTo")
        for s in operated:
            if "kind" not in g.nodes[s]:  # a segment of no chain template
                _node(g, s, "segment", None, None, type="ckg:Segment", enterprises=operated[s], covered=True)
        check()
    return g


def _node(g: nx.DiGraph, iri: str, kind: str, label: str | None, label_en: str | None, **attrs: Any) -> None:
    g.add_node(iri, label=label or label_en or iri, kind=kind, kind_zh=KIND_ZH[kind], iri=iri,
               **({"label_en": label_en} if label_en else {}), **attrs)


def _edge(g: nx.DiGraph, a: str, b: str, relation: str) -> None:
    g.add_edge(a, b, relation=relation, label=RELATION_ZH[relation])


def graphml(g: nx.DiGraph) -> bytes:
    """The graph as GraphML (UTF-8), typed attributes declared once per key.

    >>> import networkx as nx
    >>> g = nx.DiGraph(); g.add_node("a", label="黔江", kind="place")
    >>> ">黔江</data>" in graphml(g).decode("utf-8")
    True
    """
    import networkx as nx

    buf = io.BytesIO()
    nx.write_graphml(g, buf, encoding="utf-8", named_key_ids=False)
    return buf.getvalue()
