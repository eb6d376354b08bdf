"""``api/startup.py``: what a server start prepares while its SPARQL workers start, and what it
leaves alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from api import startup
from api.main import create_app
from api.settings import Settings
from graph.questions import catalogue, provenance
from graph.store.embedded import KGStore


def test_start_has_every_worker_ready_before_the_first_request(built_dir: Path) -> None:
    app = create_app(Settings(store=str(built_dir), admin_token=None, sparql_workers=2))
    with TestClient(app) as client:
        sparql = client.get("/health").json()["sparql"]
        assert (sparql["live"], sparql["idle"]) == (2, 2)
        assert client.get("/api/enterprises/sanlei-boxian/chains").status_code == 200


def test_prepare_reads_the_lookup_tables_while_told_to(built_dir: Path) -> None:
    app = create_app(Settings(store=str(built_dir), admin_token=None))
    app.state.store = store = KGStore(built_dir, read_only=True)
    answers = iter([True, False])
    startup.prepare(app, while_=lambda: next(answers))  # the workers were ready after the first table
    assert provenance._DOCS[store][1] and store not in catalogue._CACHE
    startup.prepare(app)
    version, tables = catalogue._CACHE[store]
    assert version == store.version and {"segments", "links"} <= set(tables)
    store.close()


def test_an_embedded_store_starts_without_the_remote_store_module(built_dir: Path) -> None:
    """The remote store's module (httpx, and rich through it) is not loaded to find out that a
    store is not remote."""
    code = ("import sys; from fastapi.testclient import TestClient; from api.main import create_app; "
            "from api.settings import Settings; "
            f"app = create_app(Settings(store={str(built_dir)!r}, admin_token=None)); "
            "c = TestClient(app).__enter__(); print(c.get('/health').status_code, "
            "'graph.store.remote' in sys.modules); c.__exit__(None, None, None)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == ["200", "False"]
