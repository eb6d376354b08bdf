"""``chainkg ingest`` → ``review`` → ``accept`` end to end on an on-disk store (simplified and traditional)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main
from graph.build.loading import build_directory, seed_files
from graph.store.embedded import KGStore

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store"
    build_directory(path, seeds=[p for p in seed_files() if p.name != "d000.trig"], validate=False)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("variant", ["simplified", "traditional"])
def test_ingest_review_accept_end_to_end(
    variant: str, store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (SEEDS / "000_e87b53e6312f7b05.txt").read_text(encoding="utf-8")
    if variant == "traditional":
        import opencc

        text = opencc.OpenCC("s2t").convert(text)
    article = tmp_path / f"d000-{variant}.txt"
    article.write_text(text, encoding="utf-8")
    review = str(tmp_path / "review.sqlite")
    code, out, _ = run(
        capsys, "ingest", str(article), "--store", str(store_dir), "--review", review, "--format", "json"
    )
    assert code == 0
    ingested = json.loads(out)
    assert ingested["report"]["new"] > 10
    assert ingested["report"]["title"].startswith(("攀“高”逐“新”", "攀“高”逐“新”"))
    code, out, _ = run(capsys, "review", "--store", str(store_dir), "--review", review)
    assert code == 0 and "== " in out and out.count(" pending ") >= ingested["report"]["new"]
    low = [c for c in ingested["candidates"] if c["confidence"] < 0.6]
    if low:
        code, out, _ = run(capsys, "reject", low[0]["id"], "--store", str(store_dir), "--review", review)
        assert code == 0 and "rejected 1 candidate(s)" in out
    code, out, _ = run(
        capsys,
        "accept",
        "--min-confidence",
        "0.6",
        "--by",
        "tester",
        "--store",
        str(store_dir),
        "--review",
        review,
        "--format",
        "json",
    )
    assert code == 0
    accepted = json.loads(out)
    assert accepted["accepted"] and accepted["quads_added"] > 0
    from graph.index import name_store

    assert name_store.sealed(store_dir)  # the name index followed the accepted facts and is sealed again
    with KGStore(store_dir, read_only=True) as store:
        rows = store.select(
            "PREFIX ckg: <https://w3id.org/chainkg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#> "
            "PREFIX dct: <http://purl.org/dc/terms/> "
            "SELECT ?q ?pub ?date WHERE { ?g ckg:basis ckg:ExtractedAndReviewed ; ckg:evidence ?q ; "
            "ckg:reviewedBy 'tester' ; prov:wasDerivedFrom ?d . ?d dct:publisher ?pub ; dct:date ?date }"
        )
    mine = [r for r in rows if r["pub"] == ("武陵都市報" if variant == "traditional" else "武陵都市报")]
    assert len(mine) >= len(accepted["accepted"])
    assert all(r["q"] in text for r in mine)
    publisher = "武陵都市報" if variant == "traditional" else "武陵都市报"  # as the article writes it
    assert publisher in {r["pub"] for r in rows} and "2023-05-04" in {str(r["date"]) for r in rows}
    code, out, _ = run(
        capsys, "ingest", str(article), "--store", str(store_dir), "--review", review, "--format", "json"
    )
    assert json.loads(out)["report"]["new"] == 0


def test_cli_rejects_bad_input_with_exit_2(store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, _, err = run(capsys, "ingest", str(empty), "--store", str(store_dir), "--review", str(tmp_path / "r.sqlite"))
    assert code == 2 and "the article is empty" in err
    code, _, err = run(
        capsys, "accept", "c0000000000", "--store", str(store_dir), "--review", str(tmp_path / "r.sqlite")
    )
    assert code == 2 and "unknown candidate" in err
