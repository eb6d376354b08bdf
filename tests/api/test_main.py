"""Start-up of the application: what it loads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_app_start_does_not_import_the_view_libraries() -> None:
    code = "import sys, api.main; print(sorted(m for m in ('pyvis', 'networkx', 'pyshacl') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_service_and_cli_open_a_built_store_read_only(tmp_path: Path) -> None:
    """Nothing but an admin-enabled service or an import writes: the files the SPARQL workers
    read and the side files are sealed against stay as the build left them."""
    from api import cli
    from api.main import open_store
    from api.settings import Settings
    from graph.build.loading import build_directory
    from graph.index.name_store import fingerprint

    path = tmp_path / "store"
    build_directory(path)
    before = fingerprint(path)
    served = open_store(Settings(store=str(path)))
    assert served.read_only and not served.is_empty()
    served.close()
    with cli.open_store(str(path)) as store:
        assert store.read_only
    with cli.open_store(str(path), write=True) as store:
        assert not store.read_only
    admin = open_store(Settings(store=str(path), admin_token="secret"))
    assert not admin.read_only
    admin.close()
    assert fingerprint(path) == before
