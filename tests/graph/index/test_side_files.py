"""The side files follow writes into a store held open for writing (a server with an admin token):
imports, removals and ``INSERT DATA``/``DELETE DATA`` update them in place, exactly as a rebuild
computes them; the process's name index and questions read them at once; they are sealed again
when the store is closed; a write they cannot follow leaves them behind, never wrong."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from graph.build import journal
from graph.errors import UnknownEntityError
from graph.index import name_store, seals, side_files
from graph.index.keys import keys_and_stems, to_pinyin
from graph.index.materialize import derived_for
from graph.index.names import Entry, NameIndex, PersistentNameIndex, index_for
from graph.ingest.imports import import_file
from graph.ingest.table import credit_code_check_char
from graph.questions.matrix import matrix
from graph.store.embedded import KGStore
from tests.side_file_rows import derived_rows, rebuilt

ID = "https://w3id.org/chainkg/id/"
CLINIC = "重庆蔚澜康复医院有限公司"
CLINIC_SHORT = "蔚澜康复医院"
DYER = "重庆蔚澜印染有限公司"
RONGCHANG = ID + "place/rongchang"
BIG_HEALTH = ID + "chain/big-health"
HEADER = ("企业名称,统一社会信用代码,法定代表人,成立日期,注册资本,登记状态,所属省份,所属城市,所属区县,企业地址,"
          "国标行业门类,国标行业大类,国标行业小类,企业类型,经营范围,产业链环节")


def _code(area: str, serial: str) -> str:
    body = f"91{area}MA{serial}"
    return body + credit_code_check_char(body)


def roster() -> bytes:
    """Two brand-new firms in the shape of a registry export: a clinic in 荣昌区 placed by the
    park's segment column (大健康 has no cell in 荣昌区 before), a dyer in 黔江区 placed by its
    GB/T class."""
    rows = [
        f"{CLINIC},{_code('500153', '6WLKF01')},王芳,2015-06-01,500万元人民币,存续,重庆市,重庆市,荣昌区,"
        "重庆市荣昌区创业路8号,卫生和社会工作,卫生,综合医院,有限责任公司,综合医疗服务,医疗服务",
        f"{DYER},{_code('500114', '6WLYR02')},李强,2018-03-12,300万元人民币,存续,重庆市,重庆市,黔江区,"
        "重庆市黔江区正阳大道9号,制造业,纺织业,丝印染精加工,有限责任公司,丝绸印染及后整理,",
    ]
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def _memory_copy(store: KGStore) -> KGStore:
    """The same quads in an in-memory store: its questions run as SPARQL, without side files."""
    copy = KGStore()
    copy.ox.extend(store.ox.quads_for_pattern(None, None, None, None))
    return copy


def _cell(m: dict[str, Any], region: str, chain: str) -> int | None:
    return next((c["covered"] for c in m["cells"] if c["region"] == region and c["chain"] == chain), None)


def _names_rows(path: Path) -> dict[str, set[tuple[Any, ...]]]:
    """The name index in ``path`` by IRI (entry numbers differ between an update and a build)."""
    db = sqlite3.connect(path / name_store.FILE)
    try:
        out = {"entries": {(iri, kind, label, labels, frozenset(names_)) for iri, kind, label, labels, names_ in
                           db.execute("SELECT iri, kind, label, labels, names FROM entries")}}
        for table, column in (("keys", "key"), ("stems", "stem"), ("slugs", "slug")):
            out[table] = set(db.execute(f"SELECT t.{column}, e.iri FROM {table} t JOIN entries e USING (eid)"))
        return out
    finally:
        db.close()


def _normalised_names(rows: dict[str, set[tuple[Any, ...]]]) -> dict[str, set[tuple[Any, ...]]]:
    import json

    out = dict(rows)
    out["entries"] = {(i, k, lb, json.dumps(json.loads(ls), sort_keys=True), n) for i, k, lb, ls, n in rows["entries"]}
    return out


def test_an_import_into_an_open_store_keeps_its_side_files_current(store_copy: Path, tmp_path: Path) -> None:
    kg = side_files.open_writable(store_copy)  # held open for writing, as a server with an admin token holds it
    try:
        assert isinstance(index_for(kg), PersistentNameIndex) and derived_for(kg) is not None
        assert _cell(matrix(kg), RONGCHANG, BIG_HEALTH) is None
        record, found = import_file(kg, roster(), filename="clinics.csv")
        assert side_files.status(kg) == "current"
        clinic = next(r.enterprise for r in found.summary.outcomes if r.name == CLINIC)
        assert all(r.action == "new" for r in found.summary.outcomes)
        index = index_for(kg)
        assert isinstance(index, PersistentNameIndex)  # the persistent index, not a rebuild in memory
        for text in (CLINIC, CLINIC_SHORT, to_pinyin(CLINIC_SHORT), clinic):
            assert index.resolve(text).iri == clinic, text
        assert {c.iri for c in index.search("蔚澜")} >= {clinic}  # inside a name: the keys added
        assert derived_for(kg) is not None
        assert matrix(kg) == matrix(_memory_copy(kg))  # the tables answer as SPARQL does
        assert _cell(matrix(kg), RONGCHANG, BIG_HEALTH) == 1
        # exactly the rows a rebuild writes
        fresh = rebuilt(kg, tmp_path / "after-import")
        assert _normalised_names(_names_rows(store_copy)) == _normalised_names(_names_rows(fresh))
        assert derived_rows(store_copy) == derived_rows(fresh)

        journal.remove_import(kg, record.id)
        assert side_files.status(kg) == "current"
        index = index_for(kg)
        assert isinstance(index, PersistentNameIndex)
        with pytest.raises(UnknownEntityError):
            index.resolve(CLINIC_SHORT)
        assert all(c.iri != clinic for c in index.search("蔚澜"))
        assert _cell(matrix(kg), RONGCHANG, BIG_HEALTH) is None
        assert matrix(kg) == matrix(_memory_copy(kg))
        fresh = rebuilt(kg, tmp_path / "after-removal")
        assert _normalised_names(_names_rows(store_copy)) == _normalised_names(_names_rows(fresh))
        assert derived_rows(store_copy) == derived_rows(fresh)
        import_file(kg, roster(), filename="clinics-again.csv")
    finally:
        side_files.close_and_seal(kg)
    with KGStore(store_copy, read_only=True) as reader:  # the next process uses them as they are
        assert side_files.status(reader) == "current"
        assert name_store.open_for(reader) is not None and derived_for(reader) is not None
        assert index_for(reader).resolve(CLINIC_SHORT).iri.startswith(ID + "enterprise/")


def test_while_the_store_is_open_for_writing_other_processes_do_not_trust_the_side_files(store_copy: Path) -> None:
    kg = side_files.open_writable(store_copy)
    try:
        import_file(kg, roster(), filename="clinics.csv")
        assert not name_store.sealed(store_copy)  # unsealed on disk until the store is closed
        assert side_files.status(kg) == "current"  # kept current for this process
    finally:
        side_files.close_and_seal(kg)
    assert name_store.sealed(store_copy)


def _data_update(verb: str) -> str:
    """A new clinic in 荣昌区 (大健康 › 医疗服务), as accepting a fact through ``/sparql/update`` writes it."""
    return (f"PREFIX ckg: <https://w3id.org/chainkg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            f"{verb} DATA {{ GRAPH <{ID}claim/test-update> {{ <{ID}enterprise/test-clinic> a ckg:Enterprise ; "
            f"rdfs:label \"磊磊康复诊所\"@zh ; ckg:locatedIn <{RONGCHANG}> ; "
            f"ckg:operatesIn <{ID}segment/big-health--medical-services> }} }}")


def test_insert_data_and_delete_data_keep_the_side_files_current(store_copy: Path) -> None:
    kg = side_files.open_writable(store_copy)
    clinic = ID + "enterprise/test-clinic"
    try:
        side_files.apply_update(kg, _data_update("INSERT"))
        assert side_files.status(kg) == "current"
        assert index_for(kg).resolve("磊磊康复诊所").iri == clinic
        assert _cell(matrix(kg), RONGCHANG, BIG_HEALTH) == 1
        assert matrix(kg) == matrix(_memory_copy(kg))
        side_files.apply_update(kg, _data_update("DELETE"))
        assert side_files.status(kg) == "current"
        with pytest.raises(UnknownEntityError):
            index_for(kg).resolve("磊磊康复诊所")
        assert _cell(matrix(kg), RONGCHANG, BIG_HEALTH) is None
        assert index_for(kg).resolve("三磊玻纤").iri == ID + "enterprise/sanlei-boxian"
        side_files.apply_update(kg, f"INSERT DATA {{ GRAPH <{ID}claim/test-alias> {{ <{ID}enterprise/sanlei-boxian> "
                                    "<http://www.w3.org/2004/02/skos/core#altLabel> \"磊磊玻璃丝\"@zh } }")
        assert side_files.status(kg) == "current"
        assert index_for(kg).resolve("磊磊玻璃丝").iri == ID + "enterprise/sanlei-boxian"
        assert matrix(kg) == matrix(_memory_copy(kg))
        # a place is what the derived tables are built around: they are not followed per resource
        side_files.apply_update(kg, f"INSERT DATA {{ GRAPH <{ID}claim/test-place> {{ <{RONGCHANG}> "
                                    "<http://www.w3.org/2004/02/skos/core#altLabel> \"昌州\"@zh } }")
        assert side_files.status(kg) == "names only"
        assert index_for(kg).resolve("昌州").iri == RONGCHANG
        assert matrix(kg) == matrix(_memory_copy(kg))  # from SPARQL now
    finally:
        side_files.close_and_seal(kg)
    with KGStore(store_copy, read_only=True) as reader:
        assert side_files.status(reader) == "names only"
        assert index_for(reader).resolve("磊磊玻璃丝").iri == ID + "enterprise/sanlei-boxian"


def test_a_general_update_leaves_the_side_files_behind_never_wrong(store_copy: Path) -> None:
    kg = side_files.open_writable(store_copy)
    try:
        side_files.apply_update(kg, _data_update("INSERT"))
        side_files.apply_update(kg, f"DELETE WHERE {{ GRAPH <{ID}claim/test-update> {{ ?s ?p ?o }} }}")
        assert side_files.status(kg) == "stale"
        assert derived_for(kg) is None
        index = index_for(kg)
        assert not isinstance(index, PersistentNameIndex)  # every name read from the store again
        with pytest.raises(UnknownEntityError):
            index.resolve("磊磊康复诊所")
    finally:
        side_files.close_and_seal(kg)
    with KGStore(store_copy, read_only=True) as reader:
        assert side_files.status(reader) == "stale"  # not sealed again: a rebuild brings them back


def test_during_a_write_readers_use_the_side_files_as_of_before_it(store_copy: Path) -> None:
    kg = side_files.open_writable(store_copy)
    firm = ox.NamedNode(ID + "enterprise/test-writing")
    graph = ox.NamedNode(ID + "claim/test-writing")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    enterprise = ox.NamedNode("https://w3id.org/chainkg/ontology#Enterprise")
    try:
        with side_files.kept_by(kg) as side:
            assert side is not None and seals.in_flight(kg)
            name = ox.Literal("写入中企业", language="zh")
            kg.add_claims([ox.Quad(firm, a, enterprise, graph), ox.Quad(firm, label, name, graph)])
            side.touch(kg, {firm.value})
            during = index_for(kg)
            assert isinstance(during, PersistentNameIndex)  # not a rebuild of every name in memory
            with pytest.raises(UnknownEntityError):
                during.resolve("写入中企业")
        assert not seals.in_flight(kg)
        assert index_for(kg) is not during  # nothing read during the write was kept for the new version
        assert index_for(kg).resolve("写入中企业").iri == firm.value
    finally:
        side_files.close_and_seal(kg)


def test_the_in_memory_and_the_persistent_index_derive_keys_alike() -> None:
    names = ["重庆蔚澜康复医院有限公司", "Weilan Rehab", "蔚澜康复"]
    keys, stems = keys_and_stems(names)
    index = NameIndex([Entry(ID + "enterprise/x", "enterprise", {"zh": names[0]}, set(names))])
    assert {k for k, _ in index._keys} == keys
    assert set(index._stem) == stems
    assert to_pinyin(CLINIC_SHORT) in stems


def test_side_files_checked_before_opening_stay_current_whatever_rocksdb_does_to_its_files(store_copy: Path) -> None:
    kg = side_files.open_writable(store_copy)
    stray = store_copy / "999999.sst"
    try:
        stray.write_bytes(b"")  # a new table file, as RocksDB compacting as it opens for writing: same data
        assert not name_store.sealed(store_copy)
        assert side_files.status(kg) == "current"  # checked before the store was opened
        import_file(kg, roster(), filename="clinics.csv")
        assert side_files.status(kg) == "current"
    finally:
        stray.unlink(missing_ok=True)
        side_files.close_and_seal(kg)
    with KGStore(store_copy, read_only=True) as reader:
        assert side_files.status(reader) == "current"
        assert index_for(reader).resolve(CLINIC_SHORT).iri.startswith(ID + "enterprise/")


def test_the_derived_tables_follow_an_import_that_touches_the_owner_of_projects(store_copy: Path,
                                                                              tmp_path: Path) -> None:
    """三磊玻纤 owns projects in operation: what it counts in through them stays counted, as a
    rebuild counts it (a roster names the seed's firms by their legal names)."""
    kg = side_files.open_writable(store_copy)
    try:
        assert kg.ask("ASK { ?p ckg:owner ent:sanlei-boxian ; ckg:projectStatus ckg:InOperation }")
        row = (f"重庆三磊玻纤股份有限公司,{_code('500114', '6QLBX03')},,,,存续,重庆市,重庆市,荣昌区,"
               "重庆市荣昌区创业路9号,卫生和社会工作,卫生,综合医院,股份有限公司,综合医疗服务,医疗服务")
        record, found = import_file(kg, f"{HEADER}\n{row}\n".encode(), filename="sanlei.csv")
        assert [r.action for r in found.summary.outcomes] == ["matched"]
        assert side_files.status(kg) == "current"
        assert _cell(matrix(kg), RONGCHANG, BIG_HEALTH) == 1
        assert matrix(kg) == matrix(_memory_copy(kg))
        assert derived_rows(store_copy) == derived_rows(rebuilt(kg, tmp_path / "a"))
        journal.remove_import(kg, record.id)
        assert side_files.status(kg) == "current" and _cell(matrix(kg), RONGCHANG, BIG_HEALTH) is None
        assert derived_rows(store_copy) == derived_rows(rebuilt(kg, tmp_path / "b"))
    finally:
        side_files.close_and_seal(kg)


def test_new_resources_whose_triple_order_matters_get_the_rows_a_rebuild_writes(store_copy: Path,
                                                                                tmp_path: Path) -> None:
    """A new firm's entry is taken from the written quads, except when their order could change it
    (two labels of one language: the first in store order wins, and the store orders long strings
    by their hash, not as the import sorted them), where it is read back."""
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    located = ox.NamedNode("https://w3id.org/chainkg/ontology#locatedIn")
    operates = ox.NamedNode("https://w3id.org/chainkg/ontology#operatesIn")
    segment = ox.NamedNode(ID + "segment/glass-fibre--glass-fibre-manufacturing")
    graph = ox.NamedNode(ID + "claim/order-test")
    quads = []
    for i in range(6):
        firm = ox.NamedNode(f"{ID}enterprise/order-{i}")
        names = [f"重庆次序测试{i}甲制造有限公司", f"重庆次序测试{i}乙制造有限公司"]  # long: stored by hash
        quads += [ox.Quad(firm, ox.NamedNode(rdf + "type"), ox.NamedNode("https://w3id.org/chainkg/ontology#Enterprise"),
                          graph),
                  *(ox.Quad(firm, label, ox.Literal(n, language="zh"), graph) for n in names),
                  ox.Quad(firm, label, ox.Literal(f"Order {i}", language="en"), graph),
                  ox.Quad(firm, located, ox.NamedNode(RONGCHANG), graph), ox.Quad(firm, operates, segment, graph)]
    kg = side_files.open_writable(store_copy)
    try:
        journal.record_import(kg, quads, source=journal.SourceFile("order.trig", b"order"), kind="test", validate=False)
        assert side_files.status(kg) == "current"
        fresh = rebuilt(kg, tmp_path / "after")
        assert _normalised_names(_names_rows(store_copy)) == _normalised_names(_names_rows(fresh))
        assert derived_rows(store_copy) == derived_rows(fresh)
    finally:
        side_files.close_and_seal(kg)
