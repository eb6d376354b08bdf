"""The import journal, incremental default-graph maintenance, and user files judged with the store."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.build import journal
from graph.build.loading import build_directory, open_directory
from graph.errors import DataRejectedError
from graph.ingest import imports
from graph.store.embedded import KGStore
from tests.side_file_rows import derived_rows, rebuilt

ROOT = Path(__file__).resolve().parents[3]
ID = "https://w3id.org/chainkg/id/"
EX = "https://e.org/"


def example_file() -> bytes:
    """The copyable example of docs/model.md, exactly as printed there."""
    doc = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- example:add-enterprise:start -->\n```trig\n(.*?)```\n<!-- example:add-enterprise:end -->",
                      doc, re.S)
    assert block, "docs/model.md lost its example file"
    return block.group(1).encode()


def merged_ok(store: KGStore) -> bool:
    """The default graph is exactly the set of triples of the named graphs."""
    named = {(q.subject, q.predicate, q.object) for q in store.quads()
             if not isinstance(q.graph_name, ox.DefaultGraph)}
    default = {(q.subject, q.predicate, q.object) for q in store.quads()
               if isinstance(q.graph_name, ox.DefaultGraph)}
    return named == default


def dump(store: KGStore) -> set[str]:
    return {str(q) for q in store.quads()}


# --- the default graph, kept incrementally -----------------------------------------------------


def q(s: str, p: str, o: str, g: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(EX + s), ox.NamedNode(EX + p), ox.Literal(o), ox.NamedNode(EX + g))


def test_remove_keeps_a_triple_another_graph_states() -> None:
    kg = KGStore()
    kg.add_claims([q("a", "p", "1", "g1"), q("a", "p", "1", "g2"), q("b", "p", "2", "g1")])
    kg.remove_claims([q("a", "p", "1", "g1"), q("b", "p", "2", "g1")])
    assert merged_ok(kg) and len(kg) == 2
    assert kg.ask(f"ASK {{ <{EX}a> <{EX}p> '1' }}") and not kg.ask(f"ASK {{ <{EX}b> ?p ?o }}")


@pytest.mark.parametrize("update", [
    f"INSERT DATA {{ GRAPH <{EX}g3> {{ <{EX}c> <{EX}p> 3 }} }}",
    f"PREFIX ex: <{EX}> INSERT DATA {{ GRAPH ex:g1 {{ ex:a ex:p '1' }} }} ; INSERT DATA {{ ex:loose ex:p 9 }}",
    f"DELETE DATA {{ GRAPH <{EX}g1> {{ <{EX}a> <{EX}p> '1' }} }}",
    f"DELETE DATA {{ GRAPH <{EX}g1> {{ <{EX}a> <{EX}p> '1' }} }} ;"
    f" DELETE DATA {{ GRAPH <{EX}g2> {{ <{EX}a> <{EX}p> '1' }} }}",
    f"DELETE WHERE {{ GRAPH <{EX}g1> {{ ?s ?p ?o }} }}",
    f"DELETE DATA {{ GRAPH <{EX}g1> {{ <{EX}b> <{EX}p> '2' }} }} ;"
    f" INSERT DATA {{ GRAPH <{EX}g4> {{ <{EX}d> <{EX}p> 4 }} }}",
    f"DROP GRAPH <{EX}g2>",
])
def test_every_update_keeps_the_default_graph_the_merge(update: str) -> None:
    kg = KGStore()
    kg.add_claims([q("a", "p", "1", "g1"), q("a", "p", "1", "g2"), q("b", "p", "2", "g1")])
    reference = KGStore()
    reference.add_claims(list(kg.quads()))
    kg.update(update)
    reference.ox.update(f"{update} ; DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }} ; "
                        "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert merged_ok(kg)
    assert dump(kg) == dump(reference)


def test_update_fast_path_is_used_only_for_data_forms() -> None:
    from graph.store.embedded import _data_only

    assert _data_only("INSERT DATA { GRAPH <http://g> { <http://a> <http://p> 1 } }")[0] == "insert"
    assert _data_only("INSERT { GRAPH <http://g> { ?s ?p 1 } } WHERE { ?s ?p ?o }") is None
    assert _data_only("INSERT DATA { <http://a> <http://p> 1 } ; DELETE DATA { <http://a> <http://p> 1 }") is None
    assert _data_only("CLEAR ALL") is None
    assert _data_only("INSERT DATA { <http://a> <http://p> 1 } ; CREATE GRAPH <http://g>") is None
    found = _data_only("BASE <http://b/> PREFIX ex: <http://e/> DELETE DATA { GRAPH ex:g { <a> ex:p 1 } }")
    assert found is not None and found[0] == "delete"


# --- the journal ------------------------------------------------------------------------------


def test_example_of_the_docs_imports_and_is_seen(store_copy: Path) -> None:
    record, found = imports.import_file(store_copy, example_file(), filename="park-visit-2024.trig")
    assert found.kind == "rdf" and record.added == record.quads == 18
    with open_directory(store_copy) as kg:
        assert kg.ask(f"ASK {{ <{ID}enterprise/jinxiu-silk> ckg:locatedIn <{ID}place/qianjiang-hitech-zone> ; "
                      f"ckg:operatesIn <{ID}segment/silk--dyeing-printing> }}")
        from graph.store import stats

        assert stats.unsourced_count(kg) == 0 and merged_ok(kg)
    assert [r.id for r in journal.list_imports(store_copy)] == [record.id]


def test_build_keeps_the_journal_and_remove_takes_an_import_out(store_copy: Path) -> None:
    with KGStore(store_copy, read_only=True) as kg:
        seeds_only = dump(kg)
    record, _ = imports.import_file(store_copy, example_file(), filename="park-visit-2024.trig")
    with KGStore(store_copy, read_only=True) as kg:
        with_import = dump(kg)
    report = build_directory(store_copy)
    assert report.imports == 1
    with KGStore(store_copy, read_only=True) as kg:
        assert dump(kg) == with_import
    assert [r.id for r in journal.list_imports(store_copy)] == [record.id]
    journal.remove_import(store_copy, record.id)
    with KGStore(store_copy, read_only=True) as kg:
        assert dump(kg) == seeds_only
    assert journal.list_imports(store_copy) == []
    with pytest.raises(journal.UnknownImportError):
        journal.remove_import(store_copy, record.id)


def test_removing_one_of_two_imports_keeps_what_the_other_states() -> None:
    kg = KGStore()
    src = journal.SourceFile
    first = journal.record_import(kg, [q("a", "p", "1", "g1"), q("b", "p", "2", "g1")], source=src("1", b"1"),
                                  kind="t", validate=False)
    second = journal.record_import(kg, [q("a", "p", "1", "g1"), q("c", "p", "3", "g2")], source=src("2", b"2"),
                                   kind="t", validate=False)
    assert (first.added, second.added) == (2, 1)
    journal.remove_import(kg, first.id)
    assert kg.ask(f"ASK {{ GRAPH <{EX}g1> {{ <{EX}a> <{EX}p> '1' }} }}")
    assert not kg.ask(f"ASK {{ <{EX}b> ?p ?o }}") and merged_ok(kg)
    journal.remove_import(kg, second.id)
    assert len(kg) == 0


def test_the_same_file_twice_is_refused(store_copy: Path) -> None:
    imports.import_file(store_copy, example_file(), filename="park-visit-2024.trig")
    with pytest.raises(DataRejectedError, match="already imported"):
        imports.import_file(store_copy, example_file(), filename="park-visit-2024.trig")


CRASHER = """
import sys
from pathlib import Path
from graph.ingest import imports
from graph.build import journal
if sys.argv[1] == "remove":
    journal.remove_import(sys.argv[2], sys.argv[3])
else:
    imports.import_file(sys.argv[2], Path(sys.argv[3]).read_bytes(), filename="park-visit-2024.trig")
"""


def _crash(env_point: str, *args: str) -> None:
    env = {**os.environ, "CHAINKG_CRASH_AT": env_point}
    done = subprocess.run([sys.executable, "-c", CRASHER, *args], cwd=ROOT, env=env, timeout=120,
                          capture_output=True)
    assert done.returncode == -9, done.stderr.decode()  # killed at the crash point


@pytest.mark.parametrize("point", ["journal-written", "store-written"])
def test_a_crash_in_the_middle_of_an_import_changes_nothing(store_copy: Path, tmp_path: Path, point: str) -> None:
    with KGStore(store_copy, read_only=True) as kg:
        before = dump(kg)
    example = tmp_path / "park-visit-2024.trig"
    example.write_bytes(example_file())
    _crash(point, "import", str(store_copy), str(example))
    assert journal.needs_recovery(store_copy)  # the process died with its entry pending
    assert journal.list_imports(store_copy) == []
    with open_directory(store_copy) as kg:  # what every reader and writer opens the store with
        assert dump(kg) == before
    assert not journal.needs_recovery(store_copy)
    record, _ = imports.import_file(store_copy, example_file(), filename="park-visit-2024.trig")  # works again
    assert record.added == 18


def test_a_crash_in_the_middle_of_a_removal_completes_it(store_copy: Path) -> None:
    with KGStore(store_copy, read_only=True) as kg:
        before = dump(kg)
    record, _ = imports.import_file(store_copy, example_file(), filename="park-visit-2024.trig")
    _crash("remove-marked", "remove", str(store_copy), record.id)
    with open_directory(store_copy) as kg:
        assert dump(kg) == before
    assert journal.list_imports(store_copy) == []


# --- judged with the store it joins -----------------------------------------------------------

PREFIXES = """@prefix ckg: <https://w3id.org/chainkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix place: <https://w3id.org/chainkg/id/place/> .
@prefix seg: <https://w3id.org/chainkg/id/segment/> .
@prefix ent: <https://w3id.org/chainkg/id/enterprise/> .
"""
PLAIN = PREFIXES + """ent:plain-co a ckg:Enterprise ; rdfs:label "普通丝绸"@zh , "Plain Silk"@en ;
    ckg:locatedIn place:qianjiang-hitech-zone ; ckg:operatesIn seg:silk--dyeing-printing .
"""


def test_a_file_pointing_at_existing_resources_is_judged_on_the_merged_result(built_dir: Path) -> None:
    with KGStore(built_dir, read_only=True) as kg:
        imports.validate_file(kg, example_file(), filename="park-visit-2024.trig")  # no error
        wrong = example_file().replace(b"ckg:locatedIn place:qianjiang-hitech-zone",
                                       b"ckg:locatedIn seg:silk--reeling")
        with pytest.raises(DataRejectedError) as err:
            imports.validate_file(kg, wrong, filename="wrong.trig")
    assert err.value.kind == "shacl"
    assert any("ckg:Region" in p.message and p.focus == ID + "enterprise/jinxiu-silk" for p in err.value.problems)


def test_plain_turtle_becomes_the_claim_of_a_user_document(store_copy: Path) -> None:
    _, found = imports.import_file(store_copy, PLAIN.encode(), filename="notes.ttl", title="走访笔记",
                                   date="2024-05-01")
    assert found.kind == "rdf-plain"
    with open_directory(store_copy) as kg:
        from graph.store import stats

        assert stats.unsourced_count(kg) == 0
        rows = kg.select(f"""SELECT ?doc ?title ?date WHERE {{
            GRAPH ?g {{ <{ID}enterprise/plain-co> ckg:operatesIn <{ID}segment/silk--dyeing-printing> }}
            ?g prov:wasDerivedFrom ?doc ; ckg:evidence ?e . ?doc ckg:fileName "notes.ttl" ; dct:title ?title ;
            dct:date ?date ; ckg:notStated dct:publisher }}""")
    assert rows and rows[0]["title"] == "走访笔记" and rows[0]["date"] == "2024-05-01"


@pytest.mark.parametrize(("text", "kind", "message"), [
    (PREFIXES + "ent:x rdfs:label 'x'@en .\n<urn:g> { ent:y rdfs:label 'y'@en . }", "provenance",
     "outside any named graph"),
    (PREFIXES + "<https://e.org/claim> { ent:y rdfs:label 'y'@en . }", "provenance", "has no provenance"),
    (PREFIXES + "<https://w3id.org/chainkg/id/graph/ontology> { ent:y rdfs:label 'y'@en . }", "provenance",
     "not user data"),
])
def test_files_without_provenance_are_refused_with_a_clear_message(built_dir: Path, text: str, kind: str,
                                                                   message: str) -> None:
    with KGStore(built_dir, read_only=True) as kg, pytest.raises(DataRejectedError) as err:
        imports.validate_file(kg, text.encode(), filename="x.trig")
    assert err.value.kind == kind and message in str(err.value)


def test_a_bad_date_is_refused() -> None:
    with pytest.raises(DataRejectedError, match="YYYY-MM-DD"):
        imports.read_file_quads(PLAIN.encode(), filename="x.ttl", store=KGStore(), date="May 2024")


# --- the name index follows imports -----------------------------------------------------------


def test_the_name_index_is_updated_for_imported_and_removed_resources(store_copy: Path) -> None:
    from graph.index import name_store
    from graph.index.materialize import derived_for
    from graph.index.names import NameIndex, index_for

    record, _ = imports.import_file(store_copy, example_file(), filename="park-visit-2024.trig")
    firm = ID + "enterprise/jinxiu-silk"
    with KGStore(store_copy, read_only=True) as kg:
        assert name_store.open_for(kg) is not None  # sealed again: current, not rebuilt
        assert derived_for(kg) is not None
        index, memory = index_for(kg), NameIndex.build(kg)
        for text in ("锦绣丝绸", "重庆锦绣丝绸印染有限公司", "jinxiusichou", "jinxiu-silk"):
            assert index.resolve(text).iri == firm, text
            assert [c.iri for c in index.search(text)][:1] == [c.iri for c in memory.search(text)][:1], text
        assert any(c.iri == firm for c in index.search("绣丝"))  # inside a name (added keys)
    journal.remove_import(store_copy, record.id)
    with KGStore(store_copy, read_only=True) as kg:
        index = index_for(kg)
        assert name_store.open_for(kg) is not None
        assert all(c.iri != firm for c in index.search("锦绣丝绸"))
        assert all(c.iri != firm for c in index.search("绣丝"))
        assert index.resolve("三磊玻纤").iri.endswith("sanlei-boxian")


def _rebuilt_rows(path: Path, tmp: Path) -> dict[str, set[tuple[object, ...]]]:
    """The derived tables a full build computes for the store at ``path`` (on a copy)."""
    with KGStore(path, read_only=True) as kg:
        return derived_rows(rebuilt(kg, tmp))


def test_derived_tables_follow_imports_as_a_rebuild_computes_them(store_copy: Path, tmp_path: Path) -> None:
    from graph.index.materialize import derived_for

    before = derived_rows(store_copy)
    more = PLAIN.replace("plain-co", "plain-two").replace("普通丝绸", "另一丝绸").replace("Plain Silk", "Other Silk")
    first, _ = imports.import_file(store_copy, example_file(), filename="park-visit-2024.trig")
    imports.import_file(store_copy, more.encode(), filename="more.ttl")
    incremental = derived_rows(store_copy)
    assert incremental != before
    assert incremental == _rebuilt_rows(store_copy, tmp_path / "a")
    assert (ID + "place/qianjiang", ID + "segment/silk--dyeing-printing", ID + "enterprise/jinxiu-silk",
            "锦绣丝绸印染") in incremental["members"]
    with KGStore(store_copy, read_only=True) as kg:
        assert derived_for(kg) is not None  # sealed: the questions read the tables
    journal.remove_import(store_copy, first.id)
    assert derived_rows(store_copy) == _rebuilt_rows(store_copy, tmp_path / "b")
