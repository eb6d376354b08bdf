"""The GraphML projection: a region's places, enterprises, segments and chains, parsed back."""

from __future__ import annotations

import io
from collections import Counter

import networkx as nx
import pytest

from graph.errors import ResultTooLargeError, UnknownEntityError
from graph.store.embedded import KGStore
from graph.views.projection import graphml, region_graph

ID = "https://w3id.org/chainkg/id/"
QIANJIANG, ZONE = ID + "place/qianjiang", ID + "place/qianjiang-hitech-zone"
SANLEI, SHUANGHE = ID + "enterprise/sanlei-boxian", ID + "enterprise/shuanghe-silk"
SILK, REELING, SERICULTURE = ID + "chain/silk", ID + "segment/silk--reeling", ID + "segment/silk--sericulture"


@pytest.fixture(scope="module")
def qianjiang(seed_store: KGStore) -> nx.DiGraph:
    return region_graph(seed_store, "黔江")


def test_qianjiang_has_its_places_enterprises_and_chains(qianjiang: nx.DiGraph) -> None:
    g = qianjiang
    assert g.graph == {"name": "黔江区", "region": QIANJIANG}
    assert g.nodes[QIANJIANG].items() >= {"label": "黔江区", "label_en": "Qianjiang District", "kind": "place",
                                          "kind_zh": "地区", "type": "ckg:District"}.items()
    assert g.nodes[ZONE]["type"] == "ckg:HighTechZone" and g.nodes[ZONE]["label"] == "黔江高新区"
    assert g.edges[ZONE, QIANJIANG]["relation"] == "partOf" and g.edges[ZONE, QIANJIANG]["label"] == "属于"
    assert g.nodes[SANLEI]["label"] == "三磊玻纤" and g.nodes[SANLEI]["kind"] == "enterprise"
    assert g.edges[SANLEI, ZONE]["relation"] == "locatedIn"
    assert g.edges[SHUANGHE, REELING]["relation"] == "operatesIn"
    assert g.nodes[REELING].items() >= {"label": "缫丝", "kind": "segment", "chain": SILK, "stage": "midstream",
                                         "covered": True, "enterprises": 1}.items()
    assert g.edges[REELING, SILK]["relation"] == "segmentOf" and g.nodes[SILK]["label"] == "蚕桑丝绸(茧丝绸)"
    # the whole template comes along: sericulture is missing in 黔江 but still shown, upstream of the rest
    assert g.nodes[SERICULTURE]["covered"] is False and g.nodes[SERICULTURE]["enterprises"] == 0
    assert any(d["relation"] == "suppliesTo" for _, _, d in g.out_edges(SERICULTURE, data=True))


def test_qianjiang_stays_inside_the_region(qianjiang: nx.DiGraph, seed_store: KGStore) -> None:
    kinds = Counter(d["kind"] for _, d in qianjiang.nodes(data=True))
    assert set(kinds) == {"place", "enterprise", "segment", "chain"}
    places = {n for n, d in qianjiang.nodes(data=True) if d["kind"] == "place"}
    assert ID + "place/chongqing" not in places and ID + "place/rongchang" not in places
    assert ID + "enterprise/kerui-nanhai-pharma" in qianjiang  # in 黔江高新区
    every = region_graph(seed_store)
    assert set(qianjiang) < set(every) and ID + "place/rongchang" in every
    relations = {d["relation"] for _, _, d in qianjiang.edges(data=True)}
    assert relations == {"partOf", "locatedIn", "operatesIn", "segmentOf", "suppliesTo"}


def test_graphml_parses_back_with_labels_kinds_and_edges(qianjiang: nx.DiGraph) -> None:
    data = graphml(qianjiang)
    assert data.startswith(b"<?xml") and "黔江区".encode() in data
    back = nx.read_graphml(io.BytesIO(data))
    assert isinstance(back, nx.DiGraph)
    assert set(back.nodes) == set(qianjiang.nodes) and set(back.edges) == set(qianjiang.edges)
    assert back.nodes[SANLEI]["label"] == "三磊玻纤" and back.nodes[SANLEI]["label_en"] == "Sanlei Glass Fibre"
    assert back.nodes[REELING]["kind"] == "segment" and back.nodes[REELING]["order"] == 3
    assert back.nodes[REELING]["covered"] is True
    assert back.edges[SHUANGHE, REELING]["relation"] == "operatesIn"
    assert back.graph["name"] == "黔江区"


def test_limits_and_unknown_regions(seed_store: KGStore) -> None:
    with pytest.raises(ResultTooLargeError, match="more than 10 nodes"):
        region_graph(seed_store, "黔江", max_nodes=10)
    with pytest.raises(UnknownEntityError):
        region_graph(seed_store, "没有这个地方")
