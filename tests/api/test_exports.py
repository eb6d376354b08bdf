"""Exports over REST and the CLI: CSV and XLSX parsed back against the JSON answer, GraphML
parsed back with networkx, the BOM, Excel-safe cells, and clear errors."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.cli import main
from api.main import create_app
from api.settings import Settings
from graph.build.loading import build
from graph.export.tables import STATUS_ZH
from graph.store.embedded import KGStore

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ID = "https://w3id.org/chainkg/id/"


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV for Excel starts with the UTF-8 BOM"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_sheet(data: bytes, title: str) -> list[dict[str, Any]]:
    ws = load_workbook(io.BytesIO(data))[title]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def blank(value: Any) -> Any:
    return "" if value is None else value


# --- completeness -----------------------------------------------------------------------------


def test_completeness_csv_matches_the_json_answer(client: TestClient) -> None:
    url = "/api/chains/蚕桑丝绸/completeness"
    answer = client.get(url, params={"region": "黔江"}).json()
    r = client.get(url, params={"region": "黔江", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    cd = r.headers["content-disposition"]
    assert cd.startswith('attachment; filename="completeness-silk-qianjiang.csv"')
    assert f"filename*=UTF-8''{quote('产业链完整度-' + answer['chain_label'] + '-黔江区.csv', safe='')}" in cd
    rows = read_csv(r.content)
    assert list(rows[0])[:5] == ["产业链 (chain)", "地区 (region)", "链位 (stage)", "顺序 (order)", "环节 (segment)"]
    assert [row["IRI"] for row in rows] == [s["iri"] for s in answer["segments"]]
    assert [row["状态 (status)"] for row in rows] == [STATUS_ZH[s["status"]] for s in answer["segments"]]
    assert [int(row["企业数 (enterprises)"]) for row in rows] == [s["enterprise_count"] for s in answer["segments"]]
    assert [row["环节英文 (segment, English)"] for row in rows] == [s["label_en"] for s in answer["segments"]]


def test_gap_list_as_csv(client: TestClient) -> None:
    url = "/api/chains/蚕桑丝绸/completeness"
    answer = client.get(url, params={"region": "荣昌"}).json()
    r = client.get(url, params={"region": "荣昌", "format": "csv", "table": "candidates"})
    assert r.status_code == 200 and "completeness-silk-rongchang-candidates.csv" in r.headers["content-disposition"]
    rows = read_csv(r.content)
    expected = [(s["label"], c["iri"], c["tier"], c["place_label"])
                for s in answer["segments"] for c in s["candidates"]]
    assert expected
    assert [(x["环节 (segment)"], x["IRI"], int(x["优先级 (tier)"]), x["所在地 (place)"]) for x in rows] == expected
    first = next(c for s in answer["segments"] for c in s["candidates"])
    assert rows[0]["原文摘录 (quote)"] == "；".join(dict.fromkeys(s["evidence"] for s in first["sources"]))
    assert rows[0]["来源标题 (source title)"] == first["sources"][0]["document"]["title"]


def test_completeness_xlsx_has_every_table_as_a_sheet(client: TestClient) -> None:
    url = "/api/chains/蚕桑丝绸/completeness"
    answer = client.get(url, params={"region": "黔江"}).json()
    r = client.get(url, params={"region": "黔江", "format": "xlsx"})
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    assert 'filename="completeness-silk-qianjiang.xlsx"' in r.headers["content-disposition"]
    assert load_workbook(io.BytesIO(r.content)).sheetnames == ["环节完整度", "补链候选", "企业与项目", "概况"]
    segments = read_sheet(r.content, "环节完整度")
    assert [(s["IRI"], s["企业数 (enterprises)"], s["权重 (weight)"]) for s in segments] == [
        (s["iri"], s["enterprise_count"], s["weight"]) for s in answer["segments"]]
    actors = read_sheet(r.content, "企业与项目")
    expected = [(s["label"], a["label"], a["place_label"]) for s in answer["segments"]
                for a in (*s["enterprises"], *s["projects"])]
    assert [(a["环节 (segment)"], a["名称 (name)"], a["所在地 (place)"]) for a in actors] == expected
    assert all(blank(a["来源文件 (source file)"]) for a in actors)  # provenance stays visible
    summary = {row["项目 (item)"]: row["值 (value)"] for row in read_sheet(r.content, "概况")}
    assert summary["完整度 (score)"] == answer["score"]


# --- matrix and 链长制 ---------------------------------------------------------------------------


def test_matrix_csv_and_xlsx(client: TestClient) -> None:
    answer = client.get("/api/completeness/matrix").json()
    scores = {(c["region"], c["chain"]): c["score"] for c in answer["cells"]}
    rows = read_csv(client.get("/api/completeness/matrix", params={"format": "csv"}).content)
    assert [row["IRI"] for row in rows] == [r["iri"] for r in answer["regions"]]
    for row in rows:
        for chain in answer["chains"]:
            assert float(row[chain["label"]]) == scores.get((row["IRI"], chain["iri"]), 0.0)
    r = client.get("/api/completeness/matrix", params={"format": "xlsx"})
    cells = read_sheet(r.content, "明细")
    assert [(c["地区IRI (region IRI)"], c["产业链IRI (chain IRI)"], c["完整度 (score)"]) for c in cells] == [
        (c["region"], c["chain"], c["score"]) for c in answer["cells"]]
    ws = load_workbook(io.BytesIO(r.content))["地区×产业链"]
    assert ws["E2"].number_format == "0.0%"


def test_chain_chiefs_csv_and_xlsx(client: TestClient) -> None:
    answer = client.get("/api/regions/黔江/chain-chiefs").json()
    r = client.get("/api/regions/黔江/chain-chiefs", params={"format": "csv"})
    assert 'filename="chain-chiefs-qianjiang.csv"' in r.headers["content-disposition"]
    records = read_csv(r.content)
    assert [x["IRI"] for x in records] == [x["iri"] for x in answer["records"]]
    assert {x["链主企业 (chain leader)"] for x in records} == {"未说明 (not stated)"}
    book = client.get("/api/regions/黔江/chain-chiefs", params={"format": "xlsx"}).content
    assert load_workbook(io.BytesIO(book)).sheetnames == ["链长制", "目标与实际", "数据"]
    targets = read_sheet(book, "目标与实际")
    assert [(t["指标 (indicator)"], t["目标值 (target)"], t["差距 (gap)"]) for t in targets] == [
        (x["indicator_label"], x["target"]["value"], x["gap"])
        for rec in answer["records"] for i in rec["industries"] for x in i["targets_vs_actuals"]]
    regions = read_csv(client.get("/api/chains/蚕桑丝绸/chain-chiefs", params={"format": "csv"}).content)
    assert {x["地区IRI (region IRI)"] for x in regions} == {ID + "place/qianjiang"}


def test_figures_csv_and_xlsx_keep_period_and_source(client: TestClient) -> None:
    answer = client.get("/api/figures/黔江高新区").json()
    r = client.get("/api/figures/黔江高新区", params={"format": "csv"})
    assert 'filename="figures-qianjiang-hitech-zone.csv"' in r.headers["content-disposition"]
    rows = read_csv(r.content)
    figures = [f for s in answer["series"] for f in s["figures"]]
    assert figures and [(x["IRI"], float(x["值 (value)"]), x["期间 (period)"]) for x in rows] == [
        (f["iri"], f["value"], blank(f["period"])) for f in figures]
    assert all(x["来源文件 (source file)"] and x["原文摘录 (quote)"] for x in rows)
    book = client.get("/api/figures/黔江高新区", params={"format": "xlsx"}).content
    targets = read_sheet(book, "目标与实际")
    assert targets and [(t["指标 (indicator)"], t["目标值 (target)"]) for t in targets] == [
        (t["indicator_label"], t["target"]["value"]) for t in answer["targets_vs_actuals"]]


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/completeness/matrix", "/api/regions/黔江/chain-chiefs",
                                 "/api/chains/蚕桑丝绸/completeness?region=黔江", "/api/figures/黔江高新区",
                                 "/api/chains/蚕桑丝绸/chain-chiefs"])
def test_unknown_format_and_table_are_clear_errors(client: TestClient, url: str) -> None:
    r = client.get(url, params={"format": "pdf"})
    assert r.status_code == 422
    assert r.json()["error"]["detail"][0]["loc"] == ["query", "format"]
    assert "'csv'" in r.json()["error"]["detail"][0]["msg"] and "'xlsx'" in r.json()["error"]["detail"][0]["msg"]
    r = client.get(url, params={"format": "csv", "table": "nope"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_table"
    assert r.json()["error"]["message"].startswith("no table 'nope'; choose one of: ")


def test_unknown_names_are_404_in_every_format(client: TestClient) -> None:
    r = client.get("/api/chains/蚕桑丝绸/completeness", params={"region": "没有这个地方", "format": "xlsx"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_entity"


# --- formula-like data stays text -------------------------------------------------------------

HOSTILE_NAME = '=HYPERLINK("http://evil.example","点我")'
HOSTILE_QUOTE = "@SUM(1+1)*cmd|' /C calc'!A0"

HOSTILE_TRIG = """
@prefix ckg: <https://w3id.org/chainkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix ent: <https://w3id.org/chainkg/id/enterprise/> .
@prefix seg: <https://w3id.org/chainkg/id/segment/> .
@prefix place: <https://w3id.org/chainkg/id/place/> .
@prefix claim: <https://w3id.org/chainkg/id/claim/> .
@prefix doc: <https://w3id.org/chainkg/id/document/> .
@prefix graph: <https://w3id.org/chainkg/id/graph/> .

claim:test-formula {
    ent:formula a ckg:Enterprise ; rdfs:label %(name)s@zh , "-1+2"@en ;
        ckg:locatedIn place:qianjiang-hitech-zone ; ckg:operatesIn seg:silk--dyeing-printing .
}
graph:provenance {
    claim:test-formula a ckg:Claim ; prov:wasDerivedFrom doc:d001 ; ckg:evidence %(quote)s ; ckg:basis ckg:Stated .
}
"""


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture(scope="module")
def hostile_client() -> Iterator[TestClient]:
    store = KGStore()
    build(store)
    store.load_data(HOSTILE_TRIG % {"name": _lit(HOSTILE_NAME), "quote": _lit(HOSTILE_QUOTE)}, fmt="trig")
    with TestClient(create_app(Settings(store="", admin_token=None), store=store)) as c:
        yield c


def test_formula_like_cells_are_neutralised(hostile_client: TestClient) -> None:
    url = "/api/chains/蚕桑丝绸/completeness"
    answer = hostile_client.get(url, params={"region": "黔江"}).json()
    assert any(a["label"] == HOSTILE_NAME for s in answer["segments"] for a in s["enterprises"])
    params = {"region": "黔江", "format": "csv", "table": "actors"}
    rows = read_csv(hostile_client.get(url, params=params).content)
    row = next(r for r in rows if r["IRI"] == ID + "enterprise/formula")
    assert row["名称 (name)"] == "'" + HOSTILE_NAME
    assert row["英文名 (name, English)"] == "'-1+2"
    assert row["原文摘录 (quote)"] == "'" + HOSTILE_QUOTE
    book = hostile_client.get(url, params={"region": "黔江", "format": "xlsx"}).content
    ws = load_workbook(io.BytesIO(book))["企业与项目"]
    cells = [c for r in ws.iter_rows() for c in r if c.value in (HOSTILE_NAME, HOSTILE_QUOTE, "-1+2")]
    assert len(cells) == 3
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)  # text, and stays text when edited
    assert not [c for r in ws.iter_rows() for c in r if c.data_type == "f"]


# --- GraphML ----------------------------------------------------------------------------------


def test_graphml_route_for_a_region(client: TestClient) -> None:
    r = client.get("/api/export/graphml", params={"region": "黔江"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/graphml+xml"
    assert r.headers["content-disposition"].startswith('attachment; filename="chainkg-qianjiang.graphml"')
    g = nx.read_graphml(io.BytesIO(r.content))
    assert g.nodes[ID + "enterprise/sanlei-boxian"]["label"] == "三磊玻纤"
    assert g.nodes[ID + "place/qianjiang-hitech-zone"]["kind"] == "place"
    assert g.edges[ID + "enterprise/sanlei-boxian", ID + "place/qianjiang-hitech-zone"]["relation"] == "locatedIn"
    assert ID + "place/rongchang" not in g
    whole = nx.read_graphml(io.BytesIO(client.get("/api/export/graphml").content))
    assert set(g) < set(whole)


def test_graphml_route_errors(client: TestClient) -> None:
    assert client.get("/api/export/graphml", params={"region": "没有这个地方"}).status_code == 404
    small = create_app(Settings(store="", admin_token=None, max_rows=10), store=client.app.state.store)
    with TestClient(small) as c:
        r = c.get("/api/export/graphml", params={"region": "黔江"})
    assert r.status_code == 413 and "one region at a time" in r.json()["error"]["message"]


# --- CLI --------------------------------------------------------------------------------------


def test_cli_writes_csv_xlsx_and_graphml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "silk.csv"
    assert main(["completeness", "--chain", "蚕桑丝绸", "--region", "荣昌", "--store", "", "--format", "csv",
                 "--table", "candidates", "-o", str(out)]) == 0
    rows = read_csv(out.read_bytes())
    assert rows and {r["环节状态 (segment status)"] for r in rows} <= {"缺失", "规划/在建"}
    book = tmp_path / "chiefs.xlsx"
    assert main(["chiefs", "--region", "黔江", "--store", "", "--format", "xlsx", "-o", str(book)]) == 0
    assert load_workbook(book).sheetnames == ["链长制", "目标与实际", "数据"]
    assert main(["matrix", "--store", "", "--format", "csv"]) == 0
    matrix_rows = read_csv(capsys.readouterr().out.encode("utf-8"))
    assert any(r["地区 (region)"] == "黔江区" for r in matrix_rows)
    gml = tmp_path / "x.graphml"
    assert main(["export", "--store", "", "--format", "graphml", "--region", "黔江", "-o", str(gml)]) == 0
    g = nx.read_graphml(gml)
    assert g.nodes[ID + "segment/silk--reeling"]["kind"] == "segment" and g.graph["name"] == "黔江区"


def test_cli_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["matrix", "--store", "", "--format", "pdf"])
    assert exit_.value.code == 2 and "invalid choice: 'pdf'" in capsys.readouterr().err
    assert main(["matrix", "--store", "", "--format", "csv", "--table", "nope"]) == 2
    assert "no table 'nope'; choose one of: matrix, cells" in capsys.readouterr().err
    assert main(["export", "--store", "", "--format", "nq", "--region", "黔江"]) == 2
    assert "--region applies to --format graphml only" in capsys.readouterr().err
