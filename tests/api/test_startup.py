"""``api/startup.py``: what a server start prepares while its SPARQL workers start, and what it
leaves alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from graph.questions import catalogue, provenance


def test_start_reads_the_lookup_tables_and_has_every_worker_ready(built_dir: Path) -> None:
    app = create_app(Settings(store=str(built_dir), admin_token=None, sparql_workers=2))
    with TestClient(app) as client:
        store = app.state.store
        version, tables = catalogue._CACHE[store]
        assert version == store.version and {"segments", "links"} <= set(tables)
        assert provenance._DOCS[store][1]  # the source documents, read before the first lookup
        sparql = client.get("/health").json()["sparql"]
        assert (sparql["live"], sparql["idle"]) == (2, 2)  # ready before the first request
        assert client.get("/api/enterprises/sanlei-boxian/chains").status_code == 200


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
