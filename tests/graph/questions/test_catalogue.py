"""The segment and place catalogues give the same answers as the per-enterprise queries they replace."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from graph import queries
from graph.ns import CKG
from graph.questions import catalogue
from graph.questions.enterprise import _chains_by_query, chains_of, claims_of, local_area, local_neighbours, location
from graph.questions.provenance import documents
from graph.store.embedded import KGStore


def _enterprises(store: KGStore) -> list[str]:
    rows = store.select("SELECT DISTINCT ?e WHERE { ?e ckg:operatesIn ?seg }")
    return sorted(r["e"] for r in rows)


def test_seed_graph_has_enterprises_on_segments(seed_store: KGStore) -> None:
    assert len(_enterprises(seed_store)) >= 10  # the loops below must have something to compare


def test_chains_of_equals_the_one_query_answer_for_every_seed_enterprise(seed_store: KGStore) -> None:
    docs = documents(seed_store)
    for e in _enterprises(seed_store):
        assert chains_of(seed_store, e) == _chains_by_query(seed_store, e, docs), e


def test_neighbours_equal_the_neighbour_query_for_every_seed_enterprise(seed_store: KGStore) -> None:
    for e in _enterprises(seed_store):
        rows = seed_store.select(queries.load("neighbour_segments"), bindings={"e": URIRef(e)})
        expected = {(r["direction"], r["seg"]) for r in rows}
        places = seed_store.select("SELECT ?p WHERE { ?e ckg:locatedIn ?p }", bindings={"e": URIRef(e)})
        area = local_area(location(seed_store, places[0]["p"])) if places else "https://e.org/nowhere"
        found = local_neighbours(seed_store, e, area, segments=[r["seg"] for r in claims_of(seed_store, e)])
        assert {(side, n["segment"]) for side, items in found.items() for n in items} == expected, e


def test_ancestors_walk_up_to_the_municipality_nearest_first(seed_store: KGStore) -> None:
    district = seed_store.select("SELECT ?d WHERE { ?d a ckg:District } ORDER BY ?d LIMIT 1")[0]["d"]
    chain = catalogue.ancestors(seed_store, district)
    assert chain[0]["iri"] == district
    assert any(str(CKG.Municipality) in p["types"] for p in chain[1:])


def test_catalogue_is_read_again_after_a_write() -> None:
    kg = KGStore()
    assert catalogue.segments(kg) == {}
    kg.load_data("""@prefix ckg: <https://w3id.org/chainkg/ontology#> .
        <https://e.org/s> a ckg:Segment ; <http://www.w3.org/2000/01/rdf-schema#label> "段"@zh .""",
                 fmt="ttl", graph="https://e.org/g")
    assert catalogue.segments(kg)["https://e.org/s"].label == "段"


@pytest.mark.parametrize("key", ["segments", "links"])
def test_per_version_values_are_shared_until_the_version_changes(key: str) -> None:
    kg = KGStore()
    calls = []
    catalogue.per_version(kg, key, lambda: calls.append(1))
    catalogue.per_version(kg, key, lambda: calls.append(1))
    kg.version += 1
    catalogue.per_version(kg, key, lambda: calls.append(1))
    assert len(calls) == 2
