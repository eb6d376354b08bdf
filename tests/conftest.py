"""Shared fixtures: the seed graph (built once, validated) and a TestClient over it.

The remote pass: with ``CHAINKG_TEST_SPARQL_ENDPOINT`` set (``.ci/run`` starts an Oxigraph
server loaded with the seed export and sets it), ``seed_store`` is a
:class:`graph.store.remote.RemoteStore` over that server, and only the tests marked ``remote``
run (the question, view and REST tests over ``seed_store`` / ``client``); the others are skipped
with their reason (they write, or need the embedded engine).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from graph.build.loading import build
from graph.store.embedded import KGStore

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
#: Query URL of a SPARQL server holding the seed export: set for the remote pass.
REMOTE = os.environ.get("CHAINKG_TEST_SPARQL_ENDPOINT") or None

#: Modules whose tests over ``seed_store`` / ``client`` also run in the remote pass.
REMOTE_MODULES = {
    "tests/api/test_rest.py", "tests/api/test_linked_data.py", "tests/api/test_viz_routes.py",
    "tests/api/test_sparql.py", "tests/graph/questions/test_catalogue.py",
    "tests/graph/questions/test_chiefs_enterprise_figures.py",
    "tests/graph/questions/test_completeness.py", "tests/graph/index/test_names.py", "tests/graph/views/test_viz.py",
    "tests/api/test_remote.py", "tests/api/test_operations.py", "tests/api/test_search_api.py",
    "tests/api/test_planner_routes.py", "tests/api/test_exports.py", "tests/graph/questions/test_industries.py",
    "tests/graph/questions/test_search.py", "tests/graph/export/test_tables.py", "tests/graph/views/test_projection.py",
    "tests/graph/export/test_writers.py",
}
#: Fixtures that write or need the embedded engine: a test using one stays out of the remote pass.
EMBEDDED_FIXTURES = {"empty_store", "tmp_path", "tmp_store", "disk_store", "store_dir", "store_copy"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the remote-capable tests ``remote``; in the remote pass, skip the others with why."""
    root = Path(__file__).resolve().parents[1]
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        module = Path(str(item.fspath)).resolve().relative_to(root).as_posix()
        embedded_only = item.get_closest_marker("embedded_only")
        if (module in REMOTE_MODULES and fixtures & {"seed_store", "client", "remote_store"}
                and not fixtures & EMBEDDED_FIXTURES and embedded_only is None):
            item.add_marker(pytest.mark.remote)
        elif REMOTE:
            why = embedded_only.kwargs.get("reason", "") if embedded_only else ""
            item.add_marker(pytest.mark.skip(
                reason=f"remote pass: {why or 'writes, or needs the embedded engine or no store at all'}"))


@pytest.fixture(scope="session")
def seed_store() -> Iterator[KGStore]:
    """The ontology + seeds, SHACL-validated, in memory (in the remote pass: the SPARQL server
    holding their export). Tests must not write to it."""
    if REMOTE:
        from graph.store.remote import RemoteStore

        remote = RemoteStore(REMOTE, timeout=60.0)
        yield remote
        remote.close()
        return
    store = KGStore()
    build(store, validate=True)
    yield store


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


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def remote_endpoint(seed_store: KGStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Query URL of an Oxigraph server holding the seed export: the remote pass's, or one started
    here on a free loopback port (the ``oxigraph`` command of the ``bench`` extra)."""
    if REMOTE:
        yield REMOTE
        return
    import shutil
    import subprocess
    import sys
    import time

    import httpx

    binary = Path(sys.executable).with_name("oxigraph")
    if not binary.exists():
        found = shutil.which("oxigraph")
        if found is None:
            pytest.skip("the Oxigraph server (pip install oxigraph) is not installed")
        binary = Path(found)
    work = tmp_path_factory.mktemp("oxigraph")
    dump = work / "seed.nq"
    dump.write_bytes(seed_store.export("nq"))
    subprocess.run([str(binary), "load", "--location", str(work / "db"), "--file", str(dump)],
                   check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen([str(binary), "serve-read-only", "--location", str(work / "db"),
                               "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    try:
        for _ in range(200):
            try:
                httpx.get(url, params={"query": "ASK {}"}, timeout=1.0)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture(scope="session")
def remote_store(remote_endpoint: str) -> Iterator[KGStore]:
    """A :class:`graph.store.remote.RemoteStore` over :func:`remote_endpoint`."""
    from graph.store.remote import RemoteStore

    store = RemoteStore(remote_endpoint, timeout=60.0)
    yield store
    store.close()


@pytest.fixture(scope="session")
def built_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store of ontology + seeds with its sealed side files, built once (do not write to
    it: copy it with ``store_copy``)."""
    from graph.build.loading import build_directory

    path = tmp_path_factory.mktemp("built") / "store"
    build_directory(path)
    return path


@pytest.fixture()
def store_copy(built_dir: Path, tmp_path: Path) -> Path:
    """A fresh copy of ``built_dir`` (a RocksDB checkpoint plus the side files, still sealed)."""
    import shutil

    target = tmp_path / "store"
    with KGStore(built_dir, read_only=True) as kg:
        kg.snapshot(target)
    for name in ("names.sqlite", "names.keys", "derived.sqlite"):
        shutil.copy(built_dir / name, target / name)
    return target
