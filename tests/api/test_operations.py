"""Operations: settings from the environment, CORS, a path prefix, start-up building the store."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings, get_settings
from graph.store.embedded import KGStore


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAINKG_QUERY_TIMEOUT", "2.5")
    monkeypatch.setenv("CHAINKG_MAX_ROWS", "7")
    monkeypatch.setenv("CHAINKG_CORS_ORIGINS", '["https://planner.example"]')
    monkeypatch.setenv("CHAINKG_ADMIN_TOKEN", "s3cret")
    get_settings.cache_clear()
    try:
        s = get_settings()
        assert (s.query_timeout, s.max_rows, s.cors_origins) == (2.5, 7, ["https://planner.example"])
        assert s.admin_token is not None and s.admin_token.get_secret_value() == "s3cret"
        assert "s3cret" not in repr(s)
    finally:
        get_settings.cache_clear()


def test_cors_allow_list(seed_store: KGStore) -> None:
    app = create_app(Settings(store="", cors_origins=["https://planner.example"]), store=seed_store)
    with TestClient(app) as c:
        ok = c.get("/health", headers={"Origin": "https://planner.example"})
        assert ok.headers.get("access-control-allow-origin") == "https://planner.example"
        other = c.get("/health", headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers


def test_works_behind_a_path_prefix(seed_store: KGStore) -> None:
    app = create_app(Settings(store="", root_path="/kg"), store=seed_store)
    with TestClient(app, root_path="/kg") as c:
        page = c.get("/id/enterprise/sanlei-boxian", headers={"Accept": "text/html"})
        assert page.status_code == 200 and 'href="/kg/id/place/' in page.text
        assert c.get("/api/search", params={"q": "sanlei"}).status_code == 200
        servers = c.get("/openapi.json").json().get("servers", [])
        assert {"url": "/kg"} in servers


def test_start_up_builds_an_empty_store_and_reopens_it(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"))
    with TestClient(create_app(settings)) as c:
        quads = c.get("/health?count=true").json()["quads"]
        assert quads > 0
    with TestClient(create_app(settings)) as c:  # the lock was released at shutdown
        assert c.get("/health?count=true").json()["quads"] == quads
