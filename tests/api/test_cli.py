"""The chainkg command line: each command through ``main`` (the same functions the tests call)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from api.cli import main
from graph.store.shapes import ontology_graph
from graph.views.diagram import mermaid

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("cli") / "store"
    assert main(["build", "--store", str(path), "--format", "json"]) == 0
    return str(path)


def test_build_prints_counts_and_no_unsourced_facts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--store", str(tmp_path / "s"), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["facts_without_provenance"] == 0 and out["classes"]["ckg:Enterprise"] > 0


def test_stats_by_class_and_source(store_dir: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--store", store_dir, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {s["file"] for s in out["sources"] if s["file"]} and out["facts_without_provenance"] == 0
    assert main(["stats", "--store", store_dir]) == 0
    assert "facts without provenance: 0" in capsys.readouterr().out


def test_export_then_validate_then_import(store_dir: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "all.nq"
    assert main(["export", "--store", store_dir, "--format", "nq", "-o", str(out)]) == 0
    assert out.stat().st_size > 0
    # a whole export holds the derived default graph and the ontology: not a user import
    assert main(["validate", "--store", store_dir, str(out)]) == 1
    assert "outside any named graph" in capsys.readouterr().err
    example = re.search(r"```trig\n(.*?)```", (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
                        .split("example:add-enterprise:start")[1], re.S)
    assert example
    mine = tmp_path / "visit.trig"
    mine.write_text(example.group(1), encoding="utf-8")
    assert main(["validate", "--store", store_dir, str(mine)]) == 0
    assert main(["import", "--store", store_dir, str(mine)]) == 0
    assert re.search(r"imported visit.trig as (i\d{4}-[0-9a-f]{8}): 18 quads", capsys.readouterr().out)
    assert main(["imports", "--store", store_dir, "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["file_name"] for r in listed] == ["visit.trig"]
    assert main(["remove", "--store", store_dir, listed[0]["id"]]) == 0
    assert f"removed {listed[0]['id']}" in capsys.readouterr().out
    assert main(["imports", "--store", store_dir, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_validate_reports_violations(store_dir: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ckg: <https://w3id.org/chainkg/ontology#> .\n"
                   "<https://w3id.org/chainkg/id/enterprise/x> a ckg:Enterprise .\n", encoding="utf-8")
    assert main(["validate", "--store", store_dir, str(bad)]) == 1
    assert "enterprise/x" in capsys.readouterr().err


def test_import_rejects_bad_file_and_changes_nothing(store_dir: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<https://e.org/a> <https://e.org/b> .\n", encoding="utf-8")
    main(["stats", "--store", store_dir, "--format", "json"])
    before = json.loads(capsys.readouterr().out)["quads"]
    assert main(["import", "--store", store_dir, str(bad)]) == 2
    assert "bad.ttl:1" in capsys.readouterr().err
    main(["stats", "--store", store_dir, "--format", "json"])
    assert json.loads(capsys.readouterr().out)["quads"] == before


def test_completeness_chiefs_enterprise(store_dir: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completeness", "--chain", "蚕桑丝绸", "--region", "黔江", "--store", store_dir,
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["region"].endswith("/qianjiang")
    assert main(["completeness", "--chain", "蚕桑丝绸", "--region", "黔江", "--store", store_dir]) == 0
    table = capsys.readouterr().out
    assert "缫丝" in table and "covered" in table and "missing" in table
    assert main(["chiefs", "--region", "黔江", "--store", store_dir]) == 0
    assert "not stated" in capsys.readouterr().out
    assert main(["enterprise", "三磊", "--store", store_dir]) == 0
    assert "玻璃纤维" in capsys.readouterr().out


def test_unknown_and_ambiguous_names_exit_2(store_dir: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["enterprise", "sanleiboxain", "--store", store_dir]) == 2
    err = capsys.readouterr().err
    assert "unknown enterprise" in err and "三磊玻纤" in err


def test_query_text_and_file(store_dir: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    q = "SELECT ?d WHERE { ?d a ckg:District } ORDER BY ?d"
    assert main(["query", q, "--store", store_dir, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "d" and len(lines) == len(set(lines))
    f = tmp_path / "q.rq"
    f.write_text("ASK { ?s a ckg:Enterprise }", encoding="utf-8")
    assert main(["query", str(f), "--store", store_dir, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"boolean": True}]


def test_readme_diagram_is_drawn_from_the_ontology(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram"]) == 0
    printed = capsys.readouterr().out
    assert printed == mermaid(ontology_graph())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- diagram:start -->\n```mermaid\n(.*?)```\n<!-- diagram:end -->", readme, re.S)
    assert block and block.group(1) == printed, "run `chainkg diagram` and paste it into the README"
