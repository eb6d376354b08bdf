"""A running server sees user imports at once: ``POST /api/imports`` (admin token), and a
``chainkg import`` into the directory of a read-only server, without a restart.

Real uvicorn processes on 127.0.0.1 over temporary on-disk stores; every wait is bounded.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx
import pytest

from graph.build.loading import build_directory
from tests.graph.build.test_journal import example_file

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "import-test-token"
FIRM = "https://w3id.org/chainkg/id/enterprise/jinxiu-silk"
ASK_FIRM = f"ASK {{ <{FIRM}> <https://w3id.org/chainkg/ontology#operatesIn> ?seg }}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(store: Path, **env_extra: str) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "CHAINKG_STORE": str(store), "CHAINKG_BUILD_IF_EMPTY": "false", **env_extra}
    if "CHAINKG_ADMIN_TOKEN" not in env_extra:
        env.pop("CHAINKG_ADMIN_TOKEN", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"uvicorn exited: {proc.stderr.read().decode() if proc.stderr else ''}")
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("uvicorn did not start within 60 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("live-imports") / "store"
    build_directory(path)
    return path


def _copy(built: Path, target: Path) -> Path:
    from graph.store.embedded import KGStore

    with KGStore(built, read_only=True) as kg:
        kg.snapshot(target)
    return target


def _knows_firm(base: str) -> bool:
    ask = httpx.get(base + "/sparql", params={"query": ASK_FIRM},
                    headers={"Accept": "application/sparql-results+json"}, timeout=15)
    assert ask.status_code == 200, ask.text
    found = bool(ask.json()["boolean"])
    profile = httpx.get(base + "/api/enterprises/" + quote("锦绣丝绸"), timeout=15)
    assert (profile.status_code == 200) == found, profile.text
    return found


@pytest.fixture(scope="module")
def admin_server(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = _copy(built, tmp_path_factory.mktemp("admin") / "store")
    yield from _serve(store, CHAINKG_ADMIN_TOKEN=TOKEN, CHAINKG_IMPORT_MAX_BYTES="50000")


def _post(base: str, name: str, data: bytes, token: str | None = TOKEN, **fields: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(base + "/api/imports", files={"file": (name, data)}, data=fields, headers=headers,
                      timeout=60)


def test_post_import_answers_from_the_new_data_at_once(admin_server: str) -> None:
    assert not _knows_firm(admin_server)
    posted = _post(admin_server, "park-visit-2024.trig", example_file())
    assert posted.status_code == 201, posted.text
    record = posted.json()
    assert record["quads"] == 18 and record["kind"] == "rdf"
    assert _knows_firm(admin_server)
    listed = httpx.get(admin_server + "/api/imports", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=15)
    assert [r["id"] for r in listed.json()] == [record["id"]]
    removed = httpx.delete(admin_server + f"/api/imports/{record['id']}",
                           headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
    assert removed.status_code == 200, removed.text
    assert not _knows_firm(admin_server)


def test_post_import_refuses_like_the_cli(admin_server: str) -> None:
    assert _post(admin_server, "x.trig", example_file(), token=None).status_code == 401
    assert _post(admin_server, "x.trig", example_file(), token="wrong").status_code == 401
    too_big = _post(admin_server, "big.ttl", b"#" * 60_000)
    assert too_big.status_code == 413 and "larger than" in too_big.json()["error"]["message"]
    unknown = _post(admin_server, "notes.docx", b"PK")
    assert unknown.status_code == 415 and unknown.json()["error"]["code"] == "unsupported_file"
    wrong = example_file().replace(b"ckg:locatedIn place:qianjiang-hitech-zone", b"ckg:locatedIn seg:silk--reeling")
    rejected = _post(admin_server, "wrong.trig", wrong)
    assert rejected.status_code == 400
    body = rejected.json()["error"]
    assert body["code"] == "data_rejected" and any("ckg:Region" in p for p in body["problems"])
    plain = b"<https://w3id.org/chainkg/id/enterprise/q> <http://www.w3.org/2000/01/rdf-schema#label> \"Q\"@en ."
    bad_date = httpx.post(admin_server + "/api/imports?" + urlencode({"filename": "q.nt", "date": "soon"}),
                          content=plain, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
    assert bad_date.status_code == 400 and "YYYY-MM-DD" in json.dumps(bad_date.json())


def test_a_posted_roster_is_answered_at_once_and_a_bad_one_names_its_row(admin_server: str) -> None:
    sample = ROOT / "examples" / "rosters" / "sample-roster.csv"
    lines = sample.read_text(encoding="utf-8-sig").splitlines()
    bad = [*lines[:3], lines[3].replace(lines[3].split(",")[1], "91500114MA2QJ3JAD0", 1)]
    rejected = _post(admin_server, "bad.csv", "\n".join(bad).encode())
    assert rejected.status_code == 400, rejected.text
    assert any("统一社会信用代码" in p for p in rejected.json()["error"]["problems"])
    part = "\n".join(lines[:62]).encode()  # the title line, the header and 60 rows: under this server's limit
    posted = _post(admin_server, sample.name, part, title="示例企业名录", date="2024-03-01")
    assert posted.status_code == 201, posted.text
    record = posted.json()
    assert record["kind"] == "roster" and record["summary"]["rows"] == 60
    new_firm = next(r for r in lines[2:62] if "三磊" not in r and "有限公司" in r).split(",")[0]
    found = httpx.get(admin_server + "/api/search", params={"q": new_firm}, timeout=30).json()
    assert any(hit["matched"] == new_firm and hit["kind"] == "enterprise" for hit in found["results"]), found


def test_imports_are_off_without_a_token(built: Path, tmp_path: Path) -> None:
    store = _copy(built, tmp_path / "store")
    for base in _serve(store):
        assert _post(base, "x.trig", example_file()).status_code == 404


def test_a_cli_import_into_a_served_directory_is_seen_without_restart(built: Path, tmp_path: Path) -> None:
    store = _copy(built, tmp_path / "store")
    example = tmp_path / "park-visit-2024.trig"
    example.write_bytes(example_file())
    for base in _serve(store):  # read-only server with SPARQL worker processes
        assert not _knows_firm(base)
        done = subprocess.run([sys.executable, "-m", "api.cli", "import", "--store", str(store), str(example),
                               "--format", "json"], cwd=ROOT, capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr.decode()
        assert _knows_firm(base)
        import_id = json.loads(done.stdout)["id"]
        done = subprocess.run([sys.executable, "-m", "api.cli", "remove", "--store", str(store), import_id],
                              cwd=ROOT, capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr.decode()
        assert not _knows_firm(base)


def _copy_with_side_files(built: Path, target: Path) -> Path:
    import shutil

    _copy(built, target)
    for name in ("names.sqlite", "names.keys", "derived.sqlite"):
        shutil.copy(built / name, target / name)
    return target


def test_an_admin_server_keeps_its_name_index_and_matrix_current_through_imports(built: Path, tmp_path: Path) -> None:
    """Through a server holding the store open for writing: a posted roster's new firm answers
    name search (full, short name, pinyin) and counts in the regions × chains matrix at once, from
    the side files kept current in place (``/health``), and is gone from both once the import
    is deleted; the side files are sealed again when the server stops."""
    from graph.index import materialize, name_store
    from graph.index.keys import to_pinyin
    from graph.index.names import index_for
    from tests.graph.index.test_side_files import BIG_HEALTH, CLINIC, CLINIC_SHORT, RONGCHANG, roster

    store = _copy_with_side_files(built, tmp_path / "store")
    auth = {"Authorization": f"Bearer {TOKEN}"}

    def side(base: str) -> str:
        return str(httpx.get(base + "/health", timeout=15).json()["side_files"])

    def cell(base: str) -> int | None:
        m = httpx.get(base + "/api/completeness/matrix", timeout=60).json()
        return next((c["covered"] for c in m["cells"] if c["region"] == RONGCHANG and c["chain"] == BIG_HEALTH), None)

    def found(base: str, name: str) -> str | None:
        answer = httpx.get(base + "/api/enterprises/" + quote(name), timeout=30)
        assert answer.status_code in (200, 404), answer.text
        return str(answer.json()["iri"]) if answer.status_code == 200 else None

    def searched(base: str) -> list[str]:
        hits = httpx.get(base + "/api/search", params={"q": CLINIC}, timeout=30).json()["results"]
        return [h["iri"] for h in hits]

    for base in _serve(store, CHAINKG_ADMIN_TOKEN=TOKEN):
        assert side(base) == "current" and cell(base) is None
        posted = _post(base, "clinics.csv", roster(), title="新设企业名录")
        assert posted.status_code == 201, posted.text
        clinic = next(r["enterprise"] for r in posted.json()["summary"]["rows_detail"] if r["name"] == CLINIC)
        assert side(base) == "current"  # kept in place: not stale, not rebuilt
        assert searched(base)[:1] == [clinic]
        for name in (CLINIC, CLINIC_SHORT, to_pinyin(CLINIC_SHORT)):
            assert found(base, name) == clinic, name
        assert cell(base) == 1
        removed = httpx.delete(base + f"/api/imports/{posted.json()['id']}", headers=auth, timeout=60)
        assert removed.status_code == 200, removed.text
        assert side(base) == "current"
        assert clinic not in searched(base) and found(base, CLINIC_SHORT) is None
        assert cell(base) is None
        assert _post(base, "clinics-kept.csv", roster()).status_code == 201
    assert name_store.sealed(store) and materialize.sealed(store)  # sealed again on shutdown
    from graph.store.embedded import KGStore

    with KGStore(store, read_only=True) as kg:
        assert index_for(kg).resolve(CLINIC_SHORT).iri.startswith("https://w3id.org/chainkg/id/enterprise/")
