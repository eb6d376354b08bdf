"""Building and importing: SHACL conformance, provenance on every fact, all-or-nothing imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import queries
from graph.build.loading import build, import_files, seed_files
from graph.errors import DataRejectedError
from graph.store import stats
from graph.store.embedded import KGStore

PREFIXES = """@prefix ckg: <https://w3id.org/chainkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix place: <https://w3id.org/chainkg/id/place/> .
@prefix ent: <https://w3id.org/chainkg/id/enterprise/> .
"""


def test_seed_graph_conforms_and_every_fact_has_provenance(seed_store: KGStore) -> None:
    # seed_store was built with validate=True: SHACL conformance is a precondition of the fixture.
    assert stats.unsourced_facts(seed_store) == []
    assert stats.class_counts(seed_store)["ckg:Enterprise"] > 0


def test_unsourced_query_finds_a_fact_without_provenance(seed_store: KGStore) -> None:
    store = KGStore()
    store.load_data(seed_store.export("nq"), fmt="nq")
    store.load_data(PREFIXES + "ent:sanlei-boxian ckg:product '无来源产品'@zh .", fmt="ttl")
    store.load_data(
        "<https://w3id.org/chainkg/id/claim/orphan> { <https://w3id.org/chainkg/id/enterprise/x> "
        "<http://www.w3.org/2000/01/rdf-schema#label> 'x'@zh }",
        fmt="trig",
    )
    found = {(r.get("g"), r["o"]) for r in stats.unsourced_facts(store)}
    assert (None, "无来源产品") in found
    assert ("https://w3id.org/chainkg/id/claim/orphan", "x") in found


def test_every_evidence_quote_is_verbatim_and_short(seed_store: KGStore, articles: dict[str, str]) -> None:
    rows = seed_store.select(
        "SELECT ?g ?quote ?file WHERE { ?g ckg:evidence ?quote ; prov:wasDerivedFrom ?d . ?d ckg:fileName ?file }"
    )
    assert rows
    flat = {name: "".join(text.split()) for name, text in articles.items()}
    for r in rows:
        assert len(r["quote"]) <= 50, r
        assert "".join(r["quote"].split()) in flat[r["file"]], r


def test_each_article_is_a_source(seed_store: KGStore, articles: dict[str, str]) -> None:
    files = {s.file for s in stats.source_counts(seed_store) if s.file}
    assert files == set(articles)


def test_build_is_idempotent(seed_store: KGStore) -> None:
    store = KGStore()
    build(store, validate=False)
    first = len(store)
    build(store, validate=False)
    assert len(store) == first == len(seed_store)


def test_broken_data_is_rejected_with_readable_violations(seed_store: KGStore, tmp_path: Path) -> None:
    store = KGStore()
    store.load_data(seed_store.export("nq"), fmt="nq")
    before = set(map(str, store.quads()))
    bad = tmp_path / "bad.ttl"
    bad.write_text(PREFIXES + "ent:nameless a ckg:Enterprise ; ckg:locatedIn place:qianjiang .\n", encoding="utf-8")
    with pytest.raises(DataRejectedError) as err:
        import_files(store, [bad])
    assert err.value.kind == "shacl"
    assert any(p.focus == "https://w3id.org/chainkg/id/enterprise/nameless" for p in err.value.problems)
    assert "nameless" in str(err.value)
    assert set(map(str, store.quads())) == before


def test_parse_error_names_file_and_line(tmp_path: Path) -> None:
    store = KGStore()
    bad = tmp_path / "broken.trig"
    bad.write_text(PREFIXES + "\nent:a rdfs:label 'x'@zh\n ent:b .\n", encoding="utf-8")
    with pytest.raises(DataRejectedError) as err:
        import_files(store, [bad])
    assert err.value.kind == "parse"
    assert err.value.problems[0].line is not None and err.value.problems[0].line >= 6
    assert len(store) == 0


def test_seed_files_are_found() -> None:
    names = {p.name for p in seed_files()}
    assert {"documents.trig", "templates.trig"} <= names
    assert "SELECT" in queries.load("unsourced_facts")
