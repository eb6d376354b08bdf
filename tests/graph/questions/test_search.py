"""Search answers: results as typed, guesses as suggestions, every named kind with its place."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from graph.errors import UnknownEntityError
from graph.index.names import KINDS, index_for
from graph.questions.search import search
from graph.store.embedded import KGStore

SANLEI = "https://w3id.org/chainkg/id/enterprise/sanlei-boxian"
GLASS_FIBRE = "https://w3id.org/chainkg/id/chain/glass-fibre"
GF_MANUFACTURING = "https://w3id.org/chainkg/id/segment/glass-fibre--glass-fibre-manufacturing"


def test_text_not_in_the_graph_has_no_results_only_marked_suggestions(seed_store: KGStore) -> None:
    answer = search(seed_store, "华为")
    assert answer.results == []
    assert answer.did_you_mean and 0 < len(answer.suggestions) <= 5
    assert {h.match for h in answer.suggestions} <= {"homophone", "close spelling"}
    assert answer.to_dict()["did_you_mean"] is True


def test_a_wrong_character_is_a_suggestion_not_a_result(seed_store: KGStore) -> None:
    answer = search(seed_store, "钱江")  # 黔江 typed with a homophone
    assert answer.results == []
    assert answer.suggestions[0].label == "黔江区" and answer.suggestions[0].match == "homophone"


def test_a_typo_does_not_resolve_silently(seed_store: KGStore) -> None:
    with pytest.raises(UnknownEntityError) as err:
        index_for(seed_store).resolve("三雷")
    assert err.value.suggestions[0].iri == SANLEI
    assert "did you mean '三磊玻纤'?" in str(err.value)
    with pytest.raises(UnknownEntityError):
        index_for(seed_store).resolve("三雷", kinds=("enterprise",))
    assert index_for(seed_store).resolve("sanlei").iri == SANLEI  # pinyin typed as pinyin still resolves


def test_short_forms_find_the_chain_and_its_segment(seed_store: KGStore) -> None:
    hits = {h.iri: h for h in search(seed_store, "玻纤", limit=50).results}
    assert GLASS_FIBRE in hits and GF_MANUFACTURING in hits
    assert hits[GLASS_FIBRE].match == "exact"
    assert index_for(seed_store).resolve("玻纤", kinds=("chain",)).iri == GLASS_FIBRE


def test_short_forms_are_curated_not_article_facts(seed_store: KGStore) -> None:
    rows = seed_store.select("""
        SELECT ?g ?basis ?doc WHERE { GRAPH ?g { ?chain skos:altLabel "玻纤"@zh }
          ?g ckg:basis ?basis ; prov:wasDerivedFrom ?doc }""", bindings={"chain": URIRef(GLASS_FIBRE)})
    assert rows and all(r["basis"].endswith("#Curated") and r["doc"].endswith("/chainkg-curation") for r in rows)


@pytest.mark.parametrize(("text", "kind", "iri_end", "place"), [
    ("泸内荣永", "alliance", "/lu-nei-rong-yong-alliance", "荣昌高新区"),
    ("实施办法", "policy", "/rongchang-national-zone-innovation-measures", "荣昌高新区"),
    ("五大产业", "portfolio", "/qianjiang-five-industries", "黔江区"),
    ("垃圾焚烧", "project", "/qianjiang-waste-to-energy", "黔江环保产业园"),
    ("洪忠进", "person", "/hong-zhongjin", "黔江高新区"),
    ("小巨人", "honour", "/national-specialised-little-giant", "黔江高新区"),
])
def test_every_named_kind_is_found_with_its_place(seed_store: KGStore, text: str, kind: str, iri_end: str,
                                                  place: str) -> None:
    hits = [h for h in search(seed_store, text).results if h.iri.endswith(iri_end)]
    assert hits, text
    assert hits[0].kind == kind and hits[0].place is not None and hits[0].place["label"] == place
    assert hits[0].view and hits[0].view.endswith(iri_end.rsplit("/", 1)[-1])
    only = search(seed_store, text, kinds=(kind,)).results
    assert hits[0].iri in [h.iri for h in only] and {h.kind for h in only} == {kind}


def test_the_index_holds_every_kind(seed_store: KGStore) -> None:
    kinds = {e.kind for e in index_for(seed_store).entries.values()}
    assert kinds == set(KINDS)


def test_region_filter_keeps_hits_inside_the_region(seed_store: KGStore) -> None:
    from graph.questions.places import region_places

    inside = region_places(seed_store, "https://w3id.org/chainkg/id/place/rongchang")
    everywhere = search(seed_store, "产业", limit=100).results
    hits = search(seed_store, "产业", region="荣昌", limit=100).results
    assert hits and len(hits) < len(everywhere)
    assert all((h.place and h.place["iri"] in inside) or h.iri in inside for h in hits)
    assert any(h.kind == "industry" for h in hits) and not any("黔江" in h.label for h in hits)


def test_main_kinds_come_first_within_a_tier(seed_store: KGStore) -> None:
    results = search(seed_store, "三磊").results
    assert results[0].iri == SANLEI and {h.kind for h in results[1:]} == {"project"}
