"""Shared fixtures: the seed graph (built once, validated) and a TestClient over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from graph.build.loading import build
from graph.store.embedded import KGStore

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def seed_store() -> KGStore:
    """The ontology + seeds, SHACL-validated, in memory. Tests must not write to it."""
    store = KGStore()
    build(store, validate=True)
    return store


@pytest.fixture()
def empty_store() -> KGStore:
    """A fresh in-memory store for tests that write."""
    return KGStore()


@pytest.fixture(scope="session")
def client(seed_store: KGStore) -> Iterator[TestClient]:
    """A TestClient over the app serving the seed store."""
    app = create_app(Settings(store="", admin_token=None), store=seed_store)
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def articles() -> dict[str, str]:
    """The five source articles by file name."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((SHARED / "seeds").glob("*.txt"))}
