"""Side files for a remote store: the name index and the build-time tables, built by streaming
the N-Quads dump that is loaded into the SPARQL server, and sealed with that dump.

``chainkg index DUMP.nq[.gz] --store DIR`` (:func:`index_dump`) streams the dump once into a
scratch embedded store (a temporary directory, deleted afterwards), builds the same
``names.sqlite`` + ``names.keys`` and ``derived.sqlite`` that :mod:`graph.index.materialize` writes
beside an embedded store, and seals them with the seal ``dump:sha256=<hash of the dump's
bytes>;quads=<quads in named graphs>``. ``chainkg serve`` with ``CHAINKG_SPARQL_ENDPOINT`` calls
:func:`attach`, which asks the server for the same quad count (one cheap ``COUNT`` query,
:data:`graph.store.remote.FINGERPRINT_QUERY`) and uses the side files only when the two agree;
otherwise it says why, and the questions run as SPARQL on the server (slower).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from graph.errors import DataRejectedError
from graph.index import materialize, name_store
from graph.store.embedded import KGStore, _problem, _with_default_copies
from graph.store.remote import FINGERPRINT_QUERY, RemoteStore

log = logging.getLogger("chainkg")

#: Written beside the side files: the dump they were built from and its seal.
SEAL_FILE = "remote-seal.json"
SIDE_FILES = (name_store.FILE, name_store.BLOB, materialize.FILE)


def dump_hash(dump: str | Path) -> str:
    """SHA-256 of the dump's bytes as stored (a ``.gz`` file is hashed compressed), streamed."""
    digest = hashlib.sha256()
    with open(dump, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _open_dump(dump: Path) -> IO[bytes]:
    if dump.suffix == ".gz":
        return gzip.open(dump, "rb")  # type: ignore[return-value]  # a GzipFile reads bytes
    return dump.open("rb")


def _quads(dump: Path) -> Iterator[ox.Quad]:
    with _open_dump(dump) as f:
        yield from ox.parse(f, format=ox.RdfFormat.N_QUADS)


def make_seal(sha256: str, quads: int) -> str:
    """The seal written into the side files.

    >>> make_seal("ab", 3)
    'dump:sha256=ab;quads=3'
    """
    return f"dump:sha256={sha256};quads={quads}"


def seal_quads(seal: str) -> str:
    """The part of a seal the server can confirm: ``quads=<n>``.

    >>> seal_quads("dump:sha256=ab;quads=3")
    'quads=3'
    """
    return next((p for p in seal.split(";") if p.startswith("quads=")), "")


def index_dump(dump: str | Path, directory: str | Path, *, parallel: bool | None = None) -> dict[str, Any]:
    """Build and seal the side files of a remote store from its N-Quads dump.

    Args:
        dump: the N-Quads file (``.nq`` or ``.nq.gz``) loaded into the server.
        directory: where the side files go (created if missing); ``CHAINKG_STORE`` of the service.
        parallel: build the two side files in two processes (default: for dumps over 50 MB).

    Returns:
        the seal, the dump's quad count and the build reports.

    Raises:
        DataRejectedError: the dump does not parse (with line and reason; nothing is written).
    """
    dump, directory = Path(dump), Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    sha = dump_hash(dump)
    scratch = Path(tempfile.mkdtemp(prefix=".index-scratch-", dir=directory))
    try:
        store = KGStore(scratch / "store")
        try:
            try:
                store.ox.bulk_extend(_with_default_copies(_quads(dump)))
            except SyntaxError as err:
                raise DataRejectedError([_problem(str(dump), err)], kind="parse") from None
            store.ox.flush()
            store.ox.optimize()
            rows = store.select(FINGERPRINT_QUERY)
            quads = int(rows[0]["n"]) if rows else 0
        finally:
            store.close()
        if parallel is None:
            parallel = dump.stat().st_size > 50 * 1024 * 1024
        report = materialize.materialize_closed(scratch / "store", parallel=parallel)
        seal = make_seal(sha, quads)
        for name in SIDE_FILES:
            shutil.move(str(scratch / "store" / name), str(directory / name))
        for name in (name_store.FILE, materialize.FILE):
            db = sqlite3.connect(directory / name)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (seal,))
            db.commit()
            db.close()
        (directory / SEAL_FILE).write_text(json.dumps(
            {"dump": str(dump), "sha256": sha, "quads": quads, "seal": seal}, indent=2) + "\n")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"seal": seal, "quads": quads, **report}


def read_seal(directory: Path) -> str | None:
    """The seal the side files in ``directory`` agree on, or ``None`` (absent, or not one seal)."""
    seals = set()
    for name in (name_store.FILE, materialize.FILE):
        if not (directory / name).exists():
            return None
        try:
            db = sqlite3.connect(f"file:{directory / name}?mode=ro", uri=True)
            found = db.execute("SELECT v FROM meta WHERE k = 'fingerprint'").fetchone()
            db.close()
        except sqlite3.Error:
            return None
        seals.add(found[0] if found else "")
    return seals.pop() if len(seals) == 1 else None


def attach(store: RemoteStore, directory: Path | None) -> str:
    """Check the side files in ``directory`` against the server and attach them when they match.

    Sets ``store.side_files`` and ``store.side_status`` and returns the status: ``absent``,
    ``current (…)`` or ``stale: …`` (logged as a warning: the questions then run as SPARQL).
    """
    seal = read_seal(directory) if directory is not None else None
    if directory is None or seal is None:
        status = "absent"
    elif not seal.startswith("dump:"):
        status = f"stale: the side files in {directory} belong to an embedded store, not a dump"
    else:
        server = store.fingerprint()
        if server == seal_quads(seal):
            store.side_files = (directory, seal)
            status = f"current ({seal})"
        else:
            status = (f"stale: the side files in {directory} were built from a dump with {seal_quads(seal)}, "
                      f"the server has {server}; rebuild them with chainkg index DUMP --store {directory}")
    if status.startswith("stale"):
        log.warning("%s", status)
    store.side_status = status
    return status
