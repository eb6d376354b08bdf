"""A start that builds the store says so: a log line, a progress bar, and what it built."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from api.cli import main
from graph.build.loading import build_steps, open_directory


def test_first_start_logs_and_draws_a_bar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "store"
    assert main(["stats", "--store", str(store), "--format", "json"]) == 0
    err = capsys.readouterr().err
    steps = build_steps(directory=True)
    assert f"building the store at {store}" in err
    assert f"{len(steps)}/{len(steps)}" in err and "done: side files" in err
    assert "store built at" in err and "quads in" in err
    # the second start opens what is there: no line, no bar
    assert main(["stats", "--store", str(store), "--format", "json"]) == 0
    again = capsys.readouterr().err
    assert "building" not in again and f"/{len(steps)}" not in again


def test_open_directory_reports_each_step(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []
    with caplog.at_level(logging.INFO, logger="chainkg.loading"):
        store = open_directory(tmp_path / "s", progress=seen.append)
        store.close()
    assert seen == build_steps(directory=True)
    assert [r.getMessage().split(" at ")[0] for r in caplog.records] == ["building the store", "store built"]
    seen.clear()
    open_directory(tmp_path / "s", progress=seen.append).close()
    assert seen == []
