"""``chainkg import`` with rosters: dispatch by suffix, --dry-run, --zone, the summary printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "rosters" / "sample-roster.csv"


def quads(store: str, capsys: pytest.CaptureFixture[str]) -> int:
    assert main(["stats", "--store", store, "--format", "json"]) == 0
    return int(json.loads(capsys.readouterr().out)["quads"])


def silk_in_qianjiang(store: str, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    assert main(["completeness", "--chain", "蚕桑丝绸", "--region", "黔江", "--store", store, "--format", "json"]) == 0
    return {s["iri"].rsplit("--", 1)[1]: s["status"] for s in json.loads(capsys.readouterr().out)["segments"]}


def test_roster_dry_run_then_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "store")
    assert main(["build", "--store", store, "--format", "json"]) == 0
    capsys.readouterr()
    before = quads(store, capsys)
    silk_before = silk_in_qianjiang(store, capsys)

    assert main(["import", "--store", store, str(SAMPLE), "--dry-run", "--date", "2024-03-01"]) == 0
    out = capsys.readouterr().out
    assert "nothing written" in out and "rows: 300" in out
    assert "重庆三磊玻纤股份有限公司" in out and "ent:sanlei-boxian" in out  # the row listing
    assert quads(store, capsys) == before
    assert silk_in_qianjiang(store, capsys) == silk_before

    assert main(["import", "--store", store, str(SAMPLE), "--title", "示例企业名录", "--date", "2024-03-01"]) == 0
    out = capsys.readouterr().out
    assert f"imported {SAMPLE.name} as i" in out and "(roster)" in out and "new enterprises: " in out
    assert quads(store, capsys) > before
    silk_after = silk_in_qianjiang(store, capsys)
    # the sample has reelers, weavers and a dyer in 黔江: those segments are covered now
    assert silk_before["dyeing-printing"] == "missing" and silk_after["dyeing-printing"] == "covered"
    assert all(silk_after[k] == "covered" for k, v in silk_before.items() if v == "covered")


def test_roster_errors_exit_2_with_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("企业名称,统一社会信用代码,所属区县\n重庆甲公司,91500114MA5U00001F,黔江区\n", encoding="utf-8")
    assert main(["import", "--store", "", str(bad), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "bad.csv:2:2" in err and "check character is F" in err


def test_roster_json_summary_and_zone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    roster = tmp_path / "park.csv"
    roster.write_text("企业名称,国标行业小类\n重庆黔丰丝绸有限公司,1743\n", encoding="utf-8")
    assert main(["import", "--store", "", str(roster), "--zone", "黔江高新区", "--dry-run", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dry_run"] and out["summary"]["new"] == 1
    (row,) = out["summary"]["rows_detail"]
    assert row["place"].endswith("/place/qianjiang-hitech-zone") and row["segments"] == [
        ["https://w3id.org/chainkg/id/segment/silk--dyeing-printing", "code"]]
