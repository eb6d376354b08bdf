"""The large-file build: one bulk load that keeps the default graph the merge of the named graphs,
and a name index read without the ``names.rq`` query that holds exactly that query's entries."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph import queries
from graph.errors import DataRejectedError
from graph.index import name_store
from graph.store.embedded import KGStore

NQ = """<https://e.org/a> <https://e.org/p> "x" <https://e.org/g1> .
<https://e.org/a> <https://e.org/p> "x" <https://e.org/g2> .
<https://e.org/b> <https://e.org/p> <https://e.org/c> <https://e.org/g1> .
<https://e.org/d> <https://e.org/p> "only default" .
_:n <https://e.org/p> "blank" <https://e.org/g2> .
"""


def _triples(store: KGStore, graph: ox.DefaultGraph | None) -> set[tuple[str, str, str]]:
    return {(str(q.subject), str(q.predicate), str(q.object))
            for q in store.ox.quads_for_pattern(None, None, None, graph)
            if graph is not None or not isinstance(q.graph_name, ox.DefaultGraph)}


@pytest.mark.parametrize("on_disk", [False, True])
def test_bulk_load_keeps_the_default_graph_the_merge(tmp_path: Path, on_disk: bool) -> None:
    data = tmp_path / "d.nq"
    data.write_text(NQ)
    store = KGStore(tmp_path / "store" if on_disk else None)
    report = store.bulk_load_file(data)
    named = _triples(store, None)
    default = _triples(store, ox.DefaultGraph())
    assert default == named | {("<https://e.org/d>", "<https://e.org/p>", '"only default"')}
    assert report.quads_read == 5 and report.added == 5 + len(named)  # 4 named quads + 4 copies, 1 deduped
    assert store.bulk_load_file(data).added == 0  # N-Quads blank node labels are kept: nothing new
    store.close()


def test_bulk_load_rejects_a_bad_file_whole(tmp_path: Path) -> None:
    data = tmp_path / "bad.nq"
    data.write_text(NQ + "<https://e.org/a> <https://e.org/p> .\n")
    store = KGStore()
    with pytest.raises(DataRejectedError) as err:
        store.bulk_load_file(data)
    assert store.is_empty()
    problem = err.value.problems[0]
    assert problem.source.endswith("bad.nq") and problem.line == 6


def _names_rq_terms() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    text = queries.load("names")
    prefixes = dict(re.findall(r"PREFIX (\w+): <([^>]+)>", text))

    def expand(curie: str) -> str:
        prefix, local = curie.split(":")
        return prefixes[prefix] + local

    classes = [(expand(c), k) for c, k in re.findall(r'\((\S+) "(\w+)"\)', text)]
    predicates = [(expand(p), how) for p, how in re.findall(r'\?s (\S+) \?name \. BIND\("(\w+)"', text)]
    return classes, predicates


def test_name_classes_and_predicates_follow_the_query() -> None:
    classes, predicates = _names_rq_terms()
    assert list(name_store.NAMEABLE) == classes
    assert list(name_store.NAME_PREDICATES) == predicates


def test_read_entries_equals_the_names_query(seed_store: KGStore) -> None:
    expected: dict[str, tuple[str, dict[str, str], set[str]]] = {}
    for row in seed_store.select(queries.load("names")):
        _, labels, names = expected.setdefault(row["s"], (row["kind"], {}, set()))
        names.add(row["name"])
        if row.get("how") == "label" and row.get("lang"):
            labels.setdefault(row["lang"], row["name"])
    got = name_store.read_entries(seed_store)
    assert {iri: (kind, labels, set(names)) for iri, (kind, labels, names) in got.items()} == expected
    assert all(len(names) == len(set(names)) for _, _, names in got.values())


@pytest.mark.parametrize("text", ["三磊玻纤", "重庆 黔江区", "Ｓanlei 玻纤", "abc", "𠀀三"])
def test_fast_pinyin_of_a_key_is_fast_pinyin(text: str) -> None:
    from graph.index.keys import normalise

    key = normalise(text)
    assert name_store._fast_pinyin_of_key(key) == name_store.fast_pinyin(key)


@pytest.mark.parametrize("parallel", [True, False])
def test_side_files_of_a_closed_store_are_current_and_answer_alike(
    tmp_path: Path, seed_store: KGStore, parallel: bool
) -> None:
    from graph.build.loading import build
    from graph.index.materialize import derived_for, materialize_closed
    from graph.index.names import NameIndex, PersistentNameIndex, index_for
    from graph.questions.matrix import matrix

    path = tmp_path / "store"
    store = KGStore(path)
    build(store, validate=False)
    store.close()
    report = materialize_closed(path, parallel=parallel)
    assert report["names"]["entries"] == len(NameIndex.build(seed_store).entries)
    reopened = KGStore(path, read_only=True)
    assert derived_for(reopened) is not None
    assert isinstance(index_for(reopened), PersistentNameIndex)
    assert matrix(reopened) == matrix(seed_store)
    reopened.close()
