"""The store: safe binding, atomic and idempotent loads, export round trips, the Oxigraph engine."""

from __future__ import annotations

import gc
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.compare import isomorphic

from graph.errors import DataRejectedError, QuerySyntaxError
from graph.store.embedded import KGStore, bind_values

DATA = b"""
@prefix ex: <https://example.org/> .
ex:a ex:name "alpha" .
ex:b ex:name "beta\\" } ; DROP ALL ; #" .
_:x ex:name "blank" .
"""


@pytest.fixture()
def small(empty_store: KGStore) -> KGStore:
    empty_store.load_data(DATA, fmt="ttl")
    return empty_store


@pytest.mark.parametrize(
    "hostile",
    [
        'beta" } ; DROP ALL ; #',
        '"} UNION { ?s ?p ?o } #',
        "x' . ?s ?p ?o . FILTER('a'",
        "line\nbreak } }",
    ],
)
def test_bound_values_cannot_change_the_query(small: KGStore, hostile: str) -> None:
    q = "SELECT ?s WHERE { ?s <https://example.org/name> ?n }"
    rows = small.select(q, bindings={"n": Literal(hostile)})
    expected = ["https://example.org/b"] if hostile == 'beta" } ; DROP ALL ; #' else []
    assert [r["s"] for r in rows] == expected
    assert len(small) == 3  # nothing was dropped


def test_bind_rejects_bad_iri_and_bad_variable_name(small: KGStore) -> None:
    with pytest.raises(ValueError):
        small.select("SELECT ?s WHERE { ?s ?p ?o }", bindings={"s": URIRef("https://e.org/> } ; DROP ALL ; <x")})
    with pytest.raises(ValueError):
        bind_values("SELECT ?s WHERE { ?s ?p ?o }", {"s } DROP": Literal("x")})


def test_bind_skips_braces_in_comments_strings_and_iris() -> None:
    q = 'PREFIX e: <https://e.org/>  # {\nSELECT ("{" AS ?z) ?s WHERE { ?s ?p ?o }'
    out = bind_values(q, {"o": Literal("x")})
    assert out.endswith('WHERE { VALUES (?o) { ("x") } ?s ?p ?o }')


def test_malformed_query_raises_syntax_error(small: KGStore) -> None:
    with pytest.raises(QuerySyntaxError) as err:
        small.select("SELEC ?s WHERE { ?s ?p ?o }")
    assert "1:" in str(err.value) or "line" in str(err.value)


def test_loading_twice_adds_nothing(small: KGStore) -> None:
    before = len(small)
    report = small.load_data(DATA, fmt="ttl")
    assert report.added == 0 and len(small) == before


def test_bad_file_rejects_the_whole_import(empty_store: KGStore, tmp_path: Path) -> None:
    good = tmp_path / "good.ttl"
    good.write_bytes(DATA)
    bad = tmp_path / "bad.ttl"
    bad.write_text("<https://e.org/a> <https://e.org/p> 'ok' .\n<https://e.org/b> <https://e.org/p> .\n")
    with pytest.raises(DataRejectedError) as err:
        empty_store.load_files([good, bad])
    assert len(empty_store) == 0
    problem = err.value.problems[0]
    assert problem.source.endswith("bad.ttl") and problem.line == 2
    assert "bad.ttl:2" in str(err.value)


def test_export_reimport_is_isomorphic(seed_store: KGStore) -> None:
    nq = seed_store.export("nq")
    again = KGStore()
    again.load_data(nq, fmt="nq")
    assert len(again) == len(seed_store)
    assert set(map(str, again.quads())) == set(map(str, seed_store.quads()))
    a, b = Dataset(), Dataset()
    a.parse(data=seed_store.export("trig"), format="trig")
    b.parse(data=again.export("trig"), format="trig")
    for g in a.graphs():
        assert isomorphic(g, b.graph(g.identifier)), g.identifier
    ttl = seed_store.export("ttl")
    assert b"@prefix ckg:" in ttl


def test_persistent_store_reopens(tmp_path: Path) -> None:
    store = KGStore(tmp_path / "kg")
    store.load_data(DATA, fmt="ttl")
    store.close()
    del store
    gc.collect()
    reopened = KGStore(tmp_path / "kg")
    assert len(reopened) == 3
    assert reopened.select("SELECT ?n WHERE { <https://example.org/a> ?p ?n }") == [{"n": "alpha"}]


def test_string_queries_run_on_oxigraph_not_rdflib(small: KGStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """rdflib's own SPARQL engine must never run: both our path and rdflib's Graph.query use Oxigraph."""
    import rdflib.plugins.sparql.processor as proc

    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("rdflib's SPARQL engine was used")

    monkeypatch.setattr(proc.SPARQLProcessor, "query", refuse)
    assert isinstance(small.query("SELECT * WHERE { ?s ?p ?o }"), ox.QuerySolutions)
    rows = list(small.dataset.query("SELECT ?s WHERE { ?s <https://example.org/name> 'alpha' }"))
    assert [str(r[0]) for r in rows] == ["https://example.org/a"]
    # A pre-parsed query is what makes oxrdflib fall back to rdflib's engine: chainkg never passes one.
    from rdflib.plugins.sparql import prepareQuery

    with pytest.raises(AssertionError, match="rdflib's SPARQL engine"):
        small.dataset.query(prepareQuery("SELECT * WHERE { ?s ?p ?o }"))


TWO_CLAIMS = b"""
<https://e.org/g1> { <https://e.org/s> <https://e.org/p> 10 }
<https://e.org/g2> { <https://e.org/s> <https://e.org/p> 10 }
"""


def test_a_triple_in_two_claims_counts_once(empty_store: KGStore) -> None:
    empty_store.load_data(TWO_CLAIMS, fmt="trig")
    rows = empty_store.select("SELECT (COUNT(*) AS ?n) (SUM(?o) AS ?t) WHERE { ?s <https://e.org/p> ?o }")
    assert rows == [{"n": 1, "t": 10}]
    graphs = empty_store.select("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    assert [r["g"] for r in graphs] == ["https://e.org/g1", "https://e.org/g2"]


def test_update_keeps_the_default_graph_the_merge_of_named_graphs(empty_store: KGStore) -> None:
    empty_store.load_data(TWO_CLAIMS, fmt="trig")
    empty_store.update("DROP GRAPH <https://e.org/g1>")
    assert empty_store.ask("ASK { <https://e.org/s> <https://e.org/p> 10 }")
    empty_store.update("DROP GRAPH <https://e.org/g2>")
    assert not empty_store.ask("ASK { <https://e.org/s> <https://e.org/p> 10 }")
    empty_store.update("INSERT DATA { GRAPH <https://e.org/g3> { <https://e.org/s> <https://e.org/q> 1 } }")
    assert empty_store.ask("ASK { <https://e.org/s> <https://e.org/q> 1 }")


def test_failed_update_changes_nothing(empty_store: KGStore) -> None:
    empty_store.load_data(TWO_CLAIMS, fmt="trig")
    before = set(map(str, empty_store.quads()))
    with pytest.raises(QuerySyntaxError):
        empty_store.update("INSERT DATA { <https://e.org/a> <https://e.org/b> 1 } ; DELETE WHERE { oops")
    assert set(map(str, empty_store.quads())) == before


def test_a_writer_removes_the_files_a_killed_bulk_load_left(tmp_path: Path) -> None:
    store = KGStore(tmp_path / "s")
    store.close()
    stray = tmp_path / "s" / "bulk-1234-0.sst"
    stray.write_bytes(b"half a table file")
    KGStore(tmp_path / "s", read_only=True).close()  # a reader leaves the directory as it is
    assert stray.exists()
    KGStore(tmp_path / "s").close()
    assert not stray.exists()
