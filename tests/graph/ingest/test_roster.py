"""Roster import: registry exports and park rosters (CSV in any of their encodings, XLSX) → claims."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import datetime
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from benchmarks import roster_sample
from graph.build.loading import build
from graph.errors import DataRejectedError
from graph.ingest.roster import import_roster, read_roster
from graph.ingest.table import credit_code_check_char, credit_code_problem, parse_capital, parse_date
from graph.ns import CKG, ENT
from graph.questions.completeness import COVERED, completeness, region_places
from graph.store import stats
from graph.store.embedded import KGStore

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "examples" / "rosters" / "sample-roster.csv"
SANLEI = str(ENT["sanlei-boxian"])
JINGHONGYUAN = str(ENT["jinghongyuan-aluminium"])
QIANJIANG = "https://w3id.org/chainkg/id/place/qianjiang"
HEADER = ["企业名称", "统一社会信用代码", "法定代表人", "成立日期", "注册资本", "登记状态", "所属省份", "所属城市",
          "所属区县", "企业地址", "国标行业门类", "国标行业大类", "国标行业小类", "企业类型", "经营范围"]


def code(body: str) -> str:
    """A valid credit code from its first 17 characters."""
    return body + credit_code_check_char(body)


@pytest.fixture()
def kg() -> KGStore:
    store = KGStore()
    build(store, validate=False)
    return store


def csv_bytes(rows: list[list[str]], *, header: list[str] = HEADER, encoding: str = "utf-8",
              title: str | None = None) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    if title:
        w.writerow([title])
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode(encoding)


def registry_row(name: str, credit: str, district: str = "黔江区", cls: str = "缫丝加工", **extra: str) -> list[str]:
    row = dict(zip(HEADER, [name, credit, "张伟", "2012-03-05", "500万元人民币", "存续", "重庆市", "重庆市", district,
                            f"重庆市{district}新华大道8号", "制造业", "纺织业", cls, "有限责任公司", "缫丝加工"],
                   strict=True))
    row.update(extra)
    return [row[h] for h in HEADER]


def enterprises_named(store: KGStore, legal: str) -> set[str]:
    rows = store.select("SELECT ?e WHERE { ?e a ckg:Enterprise ; ckg:legalName ?n FILTER(STR(?n) = ?want) }",
                        bindings={"want": Literal(legal)})
    return {r["e"] for r in rows}


# --- cell checks -------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "problem"), [
    ("91500114MA5U00001E", None),
    ("91500114MA5U00001F", "check character is F"),
    ("91500114MA5U0000", "has 16 characters"),
    ("91500114MA5U0000IE", "not allowed"),
])
def test_credit_codes_are_checked_by_gb_32100(value: str, problem: str | None) -> None:
    found = credit_code_problem(value)
    assert (found is None) if problem is None else (problem in (found or ""))


@pytest.mark.parametrize(("text", "unit", "expected"), [
    ("5000万元人民币", None, ("5000", "CNY")), ("5000万人民币", None, ("5000", "CNY")),
    ("1.2亿元", None, ("12000", "CNY")), ("300万美元", None, ("300", "USD")), ("80000元", None, ("8", "CNY")),
    ("5,000 万元", None, ("5000", "CNY")), ("800", "万元", ("800", "CNY")), ("50(万港元)", None, ("50", "HKD")),
])
def test_capital_forms(text: str, unit: str | None, expected: tuple[str, str]) -> None:
    amount, currency = parse_capital(text, header_unit=unit)
    assert (amount, currency) == (pytest.approx(float(expected[0])), expected[1])


@pytest.mark.parametrize("text", ["五百万", "800", "300万比特币"])
def test_unparseable_capital(text: str) -> None:
    with pytest.raises(ValueError):
        parse_capital(text)


@pytest.mark.parametrize("text", ["2012-3-5", "2012/03/05", "2012年3月5日", "20120305", "2012.03.05"])
def test_date_forms(text: str) -> None:
    assert parse_date(text).isoformat() == "2012-03-05"


# --- the sample roster -------------------------------------------------------------------------


def test_sample_roster_is_what_the_generator_writes() -> None:
    out = io.StringIO()
    roster_sample.write_csv(out, 300, seed=11)
    assert SAMPLE.read_text(encoding="utf-8-sig") == out.getvalue()
    rows = list(csv.reader(io.StringIO(out.getvalue())))[2:]
    assert len(rows) == 300 and all(credit_code_problem(r[1]) is None for r in rows)


def test_sample_roster_imports_with_provenance(kg: KGStore) -> None:
    enterprises_before = stats.class_counts(kg)["ckg:Enterprise"]
    result = import_roster(kg, SAMPLE.read_bytes(), filename=SAMPLE.name, title="示例企业名录", date="2024-03-01")
    s = result.summary
    assert s.rows == 300 and s.new + s.matched == len({r.enterprise for r in result.rows})
    assert s.matched == len(roster_sample.SEED_FIRMS)
    assert stats.class_counts(kg)["ckg:Enterprise"] == enterprises_before + s.new
    assert s.mapped_by_code > 0 and s.mapped_by_column > 0 and s.unmapped > 0
    assert s.mapped_by_code + s.mapped_by_column + s.unmapped == s.rows
    assert "5212 超级市场零售" in s.unmapped_classes
    assert sum(s.statuses.values()) == 300 and set(s.statuses) == {"存续", "在业"}
    # every chain of the seed graph gets rows, by code or by the park's column
    chains = {r["c"] for r in kg.select("SELECT ?c WHERE { ?c a ckg:ChainTemplate }")}
    assert len(s.by_chain) == len(chains)
    assert stats.unsourced_count(kg) == 0
    # the document and one row's claim
    doc = kg.select("SELECT ?f ?sha ?t ?d WHERE { ?doc a ckg:EnterpriseRoster , ckg:SourceDocument ; "
                    "ckg:fileName ?f ; ckg:sha256 ?sha ; dct:title ?t ; dct:date ?d ; ckg:notStated dct:publisher }")
    assert doc == [{"f": SAMPLE.name, "sha": hashlib.sha256(SAMPLE.read_bytes()).hexdigest(),
                    "t": "示例企业名录", "d": "2024-03-01"}]
    first_new = next(r for r in result.rows if r.action == "new")
    ev = kg.select("SELECT ?ev ?basis WHERE { GRAPH ?g { ?e ckg:legalName ?n } ?g ckg:evidence ?ev ; "
                   "ckg:basis ?basis ; prov:wasDerivedFrom ?doc . ?doc a ckg:EnterpriseRoster }",
                   bindings={"e": URIRef(first_new.enterprise)})
    assert ev == [{"ev": f"row {first_new.row}: {first_new.name}", "basis": str(CKG.Stated)}]
    # the summary reads as tables
    text = s.table()
    assert "rows: 300" in text and "黔江区" in text and "GB/T class without a chain segment" in text


def test_code_mapping_is_inferred_with_reasoning(kg: KGStore) -> None:
    data = csv_bytes([registry_row("重庆甲乙丝绸有限公司", code("91500114MA5U0000A"), cls="1742")])
    result = import_roster(kg, data, filename="r.csv")
    (row,) = result.rows
    assert row.segments == [("https://w3id.org/chainkg/id/segment/silk--weaving", "code")]
    found = kg.select("SELECT ?basis ?why WHERE { GRAPH ?g { ?e ckg:operatesIn ?seg } ?g ckg:basis ?basis ; "
                      "ckg:reasoning ?why }", bindings={"e": URIRef(row.enterprise)})
    assert len(found) == 1 and found[0]["basis"] == str(CKG.Inferred)
    assert "1742" in found[0]["why"] and "seg:silk--weaving" in found[0]["why"]


def test_segment_column_resolves_by_name_within_the_chain(kg: KGStore) -> None:
    header = ["企业名称", "园区", "产业链", "产业链环节"]
    data = csv_bytes([["重庆甲乙陶瓷有限公司", "荣昌高新区", "", "建筑陶瓷"],
                      ["重庆丙丁玻纤有限公司", "黔江高新区", "玻璃纤维", "下游应用"]], header=header)
    result = read_roster(data, filename="park.csv", store=kg)
    assert [r.segments for r in result.rows] == [
        [("https://w3id.org/chainkg/id/segment/ceramics--building-ceramics", "column")],
        [("https://w3id.org/chainkg/id/segment/glass-fibre--applications", "column")]]
    # without the chain, 下游应用 is ambiguous: a row error that lists the candidates
    bad = csv_bytes([["重庆丙丁玻纤有限公司", "黔江高新区", "", "下游应用"]], header=header)
    with pytest.raises(DataRejectedError) as err:
        read_roster(bad, filename="park.csv", store=kg)
    assert "ambiguous segment" in str(err.value) and "glass-fibre--applications" in str(err.value)


# --- encodings and formats -----------------------------------------------------------------------


def test_gbk_registry_export(kg: KGStore) -> None:
    rows = [
        registry_row("重庆三磊玻纤股份有限公司", code("91500114MA5U0000B"), cls="C3061"),
        registry_row("重庆黔丰丝绸有限公司", code("91500114MA5U0000C"), cls="C1742 绢纺和丝织加工",
                     **{"注册资本": "1,200万人民币", "成立日期": "2015年6月1日"}),
    ]
    data = csv_bytes(rows, encoding="gbk", title="企查查 导出数据 2024-03-01")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = read_roster(data, filename="qcc-export.csv", store=kg)
    assert result.summary.encoding == "gb18030"
    first = result.rows[0]
    assert (first.action, first.enterprise, first.matched_by) == ("matched", SANLEI, "legal name")
    new = result.rows[1]
    assert new.action == "new" and new.place == QIANJIANG and new.row == 4  # title line, header, then rows
    assert new.segments == [("https://w3id.org/chainkg/id/segment/silk--weaving", "code")]


def test_utf8_bom_and_english_headers(kg: KGStore) -> None:
    header = ["Enterprise name", "Unified social credit code", "District", "Industry code", "Registered capital (万元)"]
    data = "\ufeff".encode() + csv_bytes([["重庆黔丰丝绸有限公司", code("91500114MA5U0000C"), "黔江", "1742", "800"]],
                                         header=header)
    result = read_roster(data, filename="en.csv", store=kg)
    (row,) = result.rows
    assert result.summary.encoding == "utf-8-sig" and row.gbt_code == "1742" and row.place == QIANJIANG
    capital = [q.object.value for q in result.quads if q.predicate.value == str(CKG.registeredCapital)]
    assert capital == ["800"]


def test_xlsx_workbook(kg: KGStore, tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["天眼查 企业名录"])
    sheet.append(["企业名称", "统一社会信用代码", "成立日期", "注册资本(万元)", "所属区县", "国标行业小类"])
    sheet.append(["重庆京宏源铝业有限公司", code("91500114MA5U0000D"), datetime(2011, 9, 1), 3000, "黔江区",
                  "铝压延加工"])
    sheet.append(["重庆黔丰铝材有限公司", code("91500114MA5U0000E"), datetime(2019, 1, 2), 450.5, "黔江区", "3252"])
    buf = io.BytesIO()
    book.save(buf)
    result = import_roster(kg, buf.getvalue(), filename="roster.xlsx")
    assert [(r.row, r.action, r.matched_by) for r in result.rows] == [(3, "matched", "short name"), (4, "new", None)]
    assert result.rows[0].enterprise == JINGHONGYUAN
    got = kg.select("SELECT ?d ?c WHERE { ?e ckg:established ?d ; ckg:registeredCapital ?c }",
                    bindings={"e": URIRef(result.rows[1].enterprise)})
    assert got == [{"d": "2019-01-02", "c": "450.5"}]


def test_unknown_encoding_is_a_clear_error(kg: KGStore) -> None:
    with pytest.raises(DataRejectedError) as err:
        read_roster(b"\x80\x80\x80,\x81\n", filename="x.csv", store=kg)
    assert "unknown text encoding" in str(err.value)


def test_no_header_is_a_clear_error(kg: KGStore) -> None:
    with pytest.raises(DataRejectedError) as err:
        read_roster(b"a,b\n1,2\n", filename="x.csv", store=kg)
    assert "no roster header" in str(err.value)


# --- whole or nothing --------------------------------------------------------------------------


def test_one_bad_credit_code_rejects_the_whole_file_naming_its_row(kg: KGStore) -> None:
    lines = SAMPLE.read_text(encoding="utf-8-sig").splitlines()
    cells = next(csv.reader([lines[41]]))
    good = cells[1]
    cells[1] = good[:17] + ("0" if good[17] != "0" else "1")
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    lines[41] = out.getvalue()
    before = len(kg)
    with pytest.raises(DataRejectedError) as err:
        import_roster(kg, "\n".join(lines).encode(), filename="bad.csv")
    (problem,) = err.value.problems
    assert problem.line == 42 and "统一社会信用代码" in problem.message and cells[1] in problem.message
    assert "check character" in problem.message
    assert len(kg) == before


def test_every_row_error_is_listed(kg: KGStore) -> None:
    rows = [
        registry_row("", code("91500114MA5U0000F")),
        registry_row("重庆甲公司", code("91500114MA5U0000G"), **{"成立日期": "去年"}),
        registry_row("重庆乙公司", code("91500114MA5U0000H"), **{"注册资本": "很多"}),
        registry_row("重庆丙公司", code("91500114MA5U0000J"), district="渝北区"),
        registry_row("重庆丁公司", "915001"),
    ]
    with pytest.raises(DataRejectedError) as err:
        read_roster(csv_bytes(rows), filename="bad.csv", store=kg)
    found = {(p.line, p.message.split(",")[0]) for p in err.value.problems}
    assert found == {(2, "column '企业名称'"), (3, "column '成立日期'"), (4, "column '注册资本'"),
                     (5, "column '所属区县'"), (6, "column '统一社会信用代码'")}
    unknown = next(p for p in err.value.problems if p.line == 5)
    assert "unknown place" in unknown.message and "did you mean" in unknown.message


def test_ambiguous_place_lists_candidates(kg: KGStore) -> None:
    rows = [registry_row("重庆甲乙丝绸有限公司", code("91500114MA5U0000K"), district="黔江高新技术产业开发区")]
    with pytest.raises(DataRejectedError) as err:
        read_roster(csv_bytes(rows), filename="r.csv", store=kg)
    assert "ambiguous" in str(err.value) and "place:qianjiang-hitech-zone" in str(err.value)


# --- matching ----------------------------------------------------------------------------------


def test_duplicate_legal_name_joins_the_existing_enterprise(kg: KGStore) -> None:
    assert enterprises_named(kg, "重庆三磊玻纤股份有限公司") == {SANLEI}
    credit = code("91500114MA5U0000L")
    result = import_roster(kg, csv_bytes([registry_row("重庆三磊玻纤股份有限公司", credit, cls="3061")]),
                           filename="r.csv")
    assert [(r.enterprise, r.action, r.matched_by) for r in result.rows] == [(SANLEI, "matched", "legal name")]
    assert enterprises_named(kg, "重庆三磊玻纤股份有限公司") == {SANLEI}
    assert kg.select("SELECT ?c WHERE { ?e ckg:creditCode ?c }", bindings={"e": URIRef(SANLEI)}) == [{"c": credit}]
    # a later roster with the same code under a new name matches by the code and keeps the name as an alias
    again = import_roster(kg, csv_bytes([registry_row("重庆三磊新材料股份有限公司", credit)]), filename="r2.csv")
    assert [(r.enterprise, r.matched_by) for r in again.rows] == [(SANLEI, "credit code")]
    legal = kg.select("SELECT ?n WHERE { ?e ckg:legalName ?n }", bindings={"e": URIRef(SANLEI)})
    assert legal == [{"n": "重庆三磊玻纤股份有限公司"}]
    assert kg.ask("ASK { ?e skos:altLabel \"重庆三磊新材料股份有限公司\"@zh }", bindings={"e": URIRef(SANLEI)})


def test_new_enterprises_get_stable_collision_safe_slugs(kg: KGStore) -> None:
    rows = [registry_row("重庆黔丰丝绸有限公司", code("91500114MA5U0000M")),
            registry_row("重庆市黔江区黔丰丝绸有限责任公司", code("91500114MA5U0000N")),  # same short name, other firm
            registry_row("重庆黔丰丝绸有限公司", code("91500114MA5U0000M"))]  # the first firm again
    result = read_roster(csv_bytes(rows), filename="r.csv", store=kg)
    first, second, third = result.rows
    assert first.enterprise == str(ENT["qianfeng-sichou"])
    assert second.enterprise == str(ENT["qianfeng-sichou-" + code("91500114MA5U0000N")[-6:].lower()])
    assert (third.enterprise, third.matched_by) == (first.enterprise, "earlier row")
    assert result.summary.new == 2
    again = read_roster(csv_bytes(rows), filename="r.csv", store=kg)
    assert [r.enterprise for r in again.rows] == [r.enterprise for r in result.rows]
    assert sorted(map(str, again.quads)) == sorted(map(str, result.quads))


def test_importing_the_same_roster_twice_adds_nothing(kg: KGStore) -> None:
    data = csv_bytes([registry_row("重庆黔丰丝绸有限公司", code("91500114MA5U0000M"))])
    import_roster(kg, data, filename="r.csv")
    n = len(kg)
    with pytest.raises(DataRejectedError) as err:  # the journal knows the file
        import_roster(kg, data, filename="r.csv")
    assert err.value.kind == "duplicate" and len(kg) == n
    again = read_roster(data, filename="r.csv", store=kg)  # read again, every row finds its firm
    assert again.rows[0].matched_by == "credit code" and again.summary.new == 0


def test_zone_option_and_traditional_place_names(kg: KGStore) -> None:
    header = ["企业名称", "所属区县"]
    result = read_roster(csv_bytes([["重庆黔丰丝绸有限公司", "黔江區"]], header=header), filename="r.csv",
                         store=kg, zone="黔江高新區")
    assert result.rows[0].place == "https://w3id.org/chainkg/id/place/qianjiang-hitech-zone"
    with pytest.raises(DataRejectedError) as err:
        read_roster(csv_bytes([["重庆黔丰丝绸有限公司", "荣昌区"]], header=header), filename="r.csv", store=kg,
                    zone="黔江高新区")
    assert "does not contain --zone" in str(err.value)
    with pytest.raises(DataRejectedError) as err:
        read_roster(csv_bytes([["重庆黔丰丝绸有限公司", "荣昌区"]], header=header), filename="r.csv", store=kg,
                    zone="火星园区")
    assert "--zone" in str(err.value) and "unknown place" in str(err.value)


# --- what it changes ---------------------------------------------------------------------------


def test_completeness_of_qianjiang_changes_as_the_roster_says(kg: KGStore) -> None:
    chains = [r["c"] for r in kg.select("SELECT ?c WHERE { ?c a ckg:ChainTemplate } ORDER BY ?c")]
    before = {c: completeness(kg, c, "黔江", candidates=False) for c in chains}
    result = import_roster(kg, SAMPLE.read_bytes(), filename=SAMPLE.name)
    places = region_places(kg, QIANJIANG)
    added: dict[str, set[str]] = {}
    for row in result.rows:
        if row.place in places:
            for seg, _ in row.segments:
                added.setdefault(seg, set()).add(row.enterprise)
    changed = 0
    for c in chains:
        after = completeness(kg, c, "黔江", candidates=False)
        old = {s.iri: s for s in before[c].segments}
        for seg in after.segments:
            expected = old[seg.iri].status == COVERED or seg.iri in added
            assert (seg.status == COVERED) == expected, (c, seg.iri)
            if seg.iri in added:
                assert seg.enterprise_count >= len(added[seg.iri])
        assert after.score >= before[c].score
        changed += after.score > before[c].score
    assert changed >= 5  # glass fibre, aluminium, silk, biomedicine, cigarettes, … gain segments
    glass = completeness(kg, "玻璃纤维", "黔江", candidates=False)
    assert {s.iri.rsplit("--", 1)[1] for s in glass.segments if s.status == COVERED} >= {
        "glass-fibre-manufacturing", "fibre-products", "composites"}


def test_dry_run_changes_nothing(kg: KGStore) -> None:
    before = sorted(map(str, kg.quads()))
    result = import_roster(kg, SAMPLE.read_bytes(), filename=SAMPLE.name, dry_run=True)
    assert result.summary.rows == 300 and result.quads
    assert sorted(map(str, kg.quads())) == before


def test_the_claims_conform_to_the_shapes_on_the_merged_result(kg: KGStore) -> None:
    from graph.ingest.roster import check_roster

    result = read_roster(SAMPLE.read_bytes(), filename=SAMPLE.name, store=kg)
    assert check_roster(kg, result) == []
    # a second legal name for a matched firm would break the shapes: the check sees the store's one
    import pyoxigraph as ox

    g = ox.NamedNode("https://w3id.org/chainkg/id/claim/x")
    result.quads.append(ox.Quad(ox.NamedNode(SANLEI), ox.NamedNode(str(CKG.legalName)),
                                ox.Literal("重庆另一个名字有限公司", language="zh"), g))
    problems = check_roster(kg, result)
    assert any(p.focus == SANLEI and p.path == str(CKG.legalName) for p in problems)


def test_the_documented_column_table_is_the_one_the_reader_uses() -> None:
    from graph.ingest.table import COLUMN_ALIASES

    text = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
    documented = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) == 3:
            documented[cells[0].strip("`")] = tuple(a.strip() for a in cells[1].split(","))
    assert documented == COLUMN_ALIASES


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-16", "\t"), ("utf-8", ";"), ("gb18030", "|")])
def test_other_text_exports(kg: KGStore, encoding: str, delimiter: str) -> None:
    text = delimiter.join(["企业名称", "企业地址", "国标行业小类"]) + "\r\n" + delimiter.join(
        ["重庆黔丰丝绸有限公司", "重庆市黔江区城东街道新华大道8号", "丝印染精加工"]) + "\r\n"
    result = read_roster(text.encode(encoding), filename="export.txt", store=kg)
    (row,) = result.rows
    assert row.place == QIANJIANG and row.gbt_code == "1743"  # the place from the address, the code from the name
    assert row.segments == [("https://w3id.org/chainkg/id/segment/silk--dyeing-printing", "code")]


def test_an_enterprise_keeps_one_credit_code(kg: KGStore) -> None:
    first, other = code("91500114MA5U0000P"), code("91500114MA5U0000Q")
    import_roster(kg, csv_bytes([registry_row("重庆三磊玻纤股份有限公司", first)]), filename="a.csv")
    with pytest.raises(DataRejectedError) as err:  # the graph knows 三磊玻纤 under another code
        read_roster(csv_bytes([registry_row("重庆三磊玻纤股份有限公司", other)]), filename="b.csv", store=kg)
    assert f"credit code in the graph is {first}" in str(err.value)
    rows = [registry_row("重庆黔丰丝绸有限公司", code("91500114MA5U0000R")),
            registry_row("重庆黔丰丝绸有限公司", code("91500114MA5U0000T"))]  # same name, two codes
    with pytest.raises(DataRejectedError) as err:
        read_roster(csv_bytes(rows), filename="c.csv", store=kg)
    (problem,) = err.value.problems
    assert problem.line == 3 and "in row 2 is" in problem.message


def test_a_short_name_in_the_name_column_is_not_taken_for_a_legal_name(kg: KGStore) -> None:
    header = ["企业名称", "园区", "国标行业小类"]
    result = import_roster(kg, csv_bytes([["京宏源铝业", "黔江高新区", "3252"], ["黔丰丝绸", "黔江高新区", "1742"]],
                                         header=header), filename="park.csv")
    (old, new) = result.rows
    assert (old.enterprise, old.matched_by) == (JINGHONGYUAN, "name")
    for row in (old, new):
        assert not kg.ask("ASK { ?e ckg:legalName ?n }", bindings={"e": URIRef(row.enterprise)})
    assert kg.ask('ASK { ?e ckg:shortName "黔丰丝绸"@zh ; rdfs:label "黔丰丝绸"@zh }',
                  bindings={"e": URIRef(new.enterprise)})
