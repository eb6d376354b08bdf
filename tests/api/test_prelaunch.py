"""``api/prelaunch.py``: SPARQL workers launched before the imports, used only if they read what
the start-up opened."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from api.prelaunch import launch
from api.settings import Settings


def test_workers_are_launched_early_only_for_a_read_only_store_on_disk(store_copy: Path, tmp_path: Path) -> None:
    assert launch(Settings(store=str(store_copy), admin_token="secret")) is None  # opened for writing
    assert launch(Settings(store=str(store_copy), sparql_endpoint="http://127.0.0.1:9/query")) is None
    assert launch(Settings(store=str(tmp_path / "none"))) is None  # built at start-up first
    assert launch(Settings(store="")) is None  # in memory


def test_the_start_uses_the_early_workers_of_an_unchanged_store(store_copy: Path) -> None:
    settings = Settings(store=str(store_copy), admin_token=None, sparql_workers=2)
    workers = launch(settings)
    assert workers is not None
    app = create_app(settings, workers=workers)
    with TestClient(app) as client:
        assert app.state.sparql_engine._processes is workers.pool
        assert client.get("/health").json()["sparql"]["idle"] == 2
        answer = client.get("/sparql", params={"query": "ASK { ?s a ?c }"}, headers={"Accept": "application/json"})
        assert answer.json()["boolean"] is True


def test_workers_launched_before_a_write_are_replaced(store_copy: Path) -> None:
    """A write between the launch and the start (here the change marker an import moves) means
    the early workers may read an older state: they are stopped, and new ones started."""
    settings = Settings(store=str(store_copy), admin_token=None, sparql_workers=1)
    workers = launch(settings)
    assert workers is not None
    marker = store_copy / "chainkg.version"
    marker.write_text("x") if not marker.exists() else os.utime(marker, ns=(0, 0))
    early = [w.process for w in workers.pool._starting]
    app = create_app(settings, workers=workers)
    with TestClient(app) as client:
        assert app.state.sparql_engine._processes is not workers.pool
        assert [p.wait(timeout=10) is not None for p in early] == [True]
        assert client.get("/health").json()["sparql"]["idle"] == 1
