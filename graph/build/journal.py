"""The import journal: every user import kept beside the store, so nothing users add is lost.

One entry point writes user data into a store, whatever reader produced it (RDF files, rosters,
accepted article facts): :func:`record_import`. It takes the quads to add (named graphs with
their provenance, as every other fact in chainkg) and the source document they came from,
checks them, and writes them together with a journal entry. :func:`remove_import` takes one
import out again, :func:`list_imports` lists them, and :func:`replay` (called by
``graph.build.loading.build_directory``) writes them all again after a rebuild of ontology + seeds.

The journal is ``<store>/journal.sqlite``: per import its id, kind, source document (file name,
bytes, sha256, title, date, publisher), when it was made, and its canonical quads (sorted
N-Quads lines), each flagged ``added`` when the import wrote it (it was not in the store before).
Removing an import deletes the quads it added that no other import states; the default graph
loses a triple only when no named graph states it any more (:meth:`KGStore.remove_claims`).

Crash safety (store and journal are two databases): an import first commits its journal entry
as ``pending`` (with the quads it is about to add), then writes the store (one transaction, or
for a large import the bulk loader: :meth:`KGStore.add_claims`), then marks the entry ``done``.
Whoever next opens the store for writing (or a server starting on it, :func:`recover_directory`)
undoes a ``pending`` entry: it deletes the quads the entry flagged as added (whatever part of
them the interrupted write had made; a no-op when it made none) and drops the entry, so
the store and the journal are as before the import. A removal is marked ``removing`` first and
is completed by the recovery (it is idempotent). Tests crash a real process at the points named
in ``CHAINKG_CRASH_AT`` (``journal-written``, ``store-written``, ``remove-marked``).

Readers in other processes (a running server) learn of a committed change from the marker file
``<store>/chainkg.version``, replaced (a new inode) after every commit: :func:`stamp` is one
``stat`` call, cheap enough for every request. Every import and removal also brings the
build-time side files (name index, coverage and members tables) up to date for the resources it
touched (:mod:`graph.index.side_files`): into a directory, sealed again after the store is closed,
so a reader in another process keeps using them; into a store this process holds open (a server
with an admin token), in place, so this process's name index and questions see the change at once.

>>> import pyoxigraph as ox
>>> from graph.store.embedded import KGStore
>>> kg = KGStore()
>>> g, s = ox.NamedNode("https://e.org/g"), ox.NamedNode("https://e.org/s")
>>> q = ox.Quad(s, ox.NamedNode("https://e.org/p"), ox.Literal("x"), g)
>>> rec = record_import(kg, [q], source=SourceFile("x.trig", b"..."), kind="test", validate=False)
>>> rec.quads, rec.added, [r.id for r in list_imports(kg)] == [rec.id]
(1, 1, True)
>>> _ = remove_import(kg, rec.id)
>>> len(kg), list_imports(kg)
(0, [])
"""

from __future__ import annotations

import hashlib
import io
import os
import signal
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from graph.errors import ChainKGError, DataRejectedError, Problem
from graph.index.side_files import SideFiles, kept_by, touched_subjects
from graph.store.embedded import KGStore

FILE = "journal.sqlite"
MARKER = "chainkg.version"

_SCHEMA = """
    CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS imports (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
        state TEXT NOT NULL, created TEXT NOT NULL, file_name TEXT NOT NULL, sha256 TEXT NOT NULL,
        title TEXT, date TEXT, publisher TEXT, media_type TEXT, n_quads INTEGER NOT NULL,
        added INTEGER NOT NULL, source BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS quads (seq INTEGER NOT NULL, nquad TEXT NOT NULL, added INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS quads_seq ON quads (seq);
    CREATE INDEX IF NOT EXISTS quads_nquad ON quads (nquad);
"""


class UnknownImportError(ChainKGError, LookupError):
    """No import with that id in the journal."""


@dataclass(frozen=True)
class SourceFile:
    """The source document of an import, as the user gave it.

    Args:
        name: the file name (no directory), e.g. ``roster.csv``.
        data: the file's bytes, kept in the journal.
        title, date, publisher: as the user stated them (``None``: not stated).
        media_type: the content type, when known.
    """

    name: str
    data: bytes
    title: str | None = None
    date: str | None = None
    publisher: str | None = None
    media_type: str | None = None

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the bytes.

        >>> SourceFile("a", b"").sha256[:8]
        'e3b0c442'
        """
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class ImportRecord:
    """One journal entry (without its quads and source bytes)."""

    id: str
    kind: str
    state: str
    created: str
    file_name: str
    sha256: str
    title: str | None
    date: str | None
    publisher: str | None
    quads: int
    added: int

    def as_dict(self) -> dict[str, object]:
        """The record as plain JSON-friendly data."""
        return dict(self.__dict__)


# --- the journal database ---------------------------------------------------------------------


class Journal:
    """The journal of one store: ``<store>/journal.sqlite``, or in memory for an in-memory store."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False,
                                  isolation_level=None)
        self.db.execute("PRAGMA journal_mode = WAL" if path else "PRAGMA journal_mode = MEMORY")
        self.db.execute("PRAGMA synchronous = FULL")
        self.db.executescript(_SCHEMA)
        self.lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One SQLite transaction (committed on leaving, rolled back on an error)."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def records(self, *, states: Sequence[str] = ("done",)) -> list[ImportRecord]:
        marks = ",".join("?" * len(states))
        rows = self.db.execute(
            "SELECT id, kind, state, created, file_name, sha256, title, date, publisher, n_quads, added "
            f"FROM imports WHERE state IN ({marks}) ORDER BY seq", tuple(states)).fetchall()
        return [ImportRecord(*row) for row in rows]

    def seq_of(self, import_id: str) -> tuple[int, str]:
        row = self.db.execute("SELECT seq, state FROM imports WHERE id = ?", (import_id,)).fetchone()
        if row is None:
            raise UnknownImportError(f"no import {import_id!r} in the journal (see `chainkg imports`)")
        return int(row[0]), str(row[1])

    def quads(self, seq: int, *, added_only: bool = False) -> list[ox.Quad]:
        sql = "SELECT nquad FROM quads WHERE seq = ?" + (" AND added = 1" if added_only else "")
        return _parse_lines(line for (line,) in self.db.execute(sql, (seq,)))

    def source(self, import_id: str) -> bytes:
        row = self.db.execute("SELECT source FROM imports WHERE id = ?", (import_id,)).fetchone()
        if row is None:
            raise UnknownImportError(f"no import {import_id!r} in the journal")
        return bytes(row[0])

    def stated_elsewhere(self, seq: int, lines: Sequence[str]) -> set[str]:
        """The ``lines`` that another import (done or pending) also states."""
        out: set[str] = set()
        for i in range(0, len(lines), 500):
            chunk = list(lines[i : i + 500])
            marks = ",".join("?" * len(chunk))
            out.update(line for (line,) in self.db.execute(
                f"SELECT DISTINCT nquad FROM quads WHERE seq != ? AND nquad IN ({marks})", (seq, *chunk)))
        return out

    def bump(self) -> int:
        """Increase the journal version (inside a transaction)."""
        row = self.db.execute("SELECT v FROM meta WHERE k = 'version'").fetchone()
        version = int(row[0]) + 1 if row else 1
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (str(version),))
        return version

    def close(self) -> None:
        self.db.close()


_MEMORY: weakref.WeakKeyDictionary[KGStore, Journal] = weakref.WeakKeyDictionary()
_MEMORY_LOCK = threading.Lock()


def journal_for(store: KGStore) -> Journal:
    """The journal of ``store`` (a file beside an on-disk store; kept with an in-memory one).
    Close it after use when the store is on disk."""
    if store.path is not None:
        return Journal(store.path / FILE)
    with _MEMORY_LOCK:
        found = _MEMORY.get(store)
        if found is None:
            found = _MEMORY[store] = Journal(None)
        return found


def _release(store: KGStore, journal: Journal) -> None:
    if store.path is not None:
        journal.close()


# --- canonical quads --------------------------------------------------------------------------


def canonical(quads: Iterable[ox.Quad]) -> list[str]:
    """Sorted, distinct N-Quads lines (without the final dot) of the named-graph ``quads``.

    >>> canonical([ox.Quad(ox.NamedNode("http://s"), ox.NamedNode("http://p"), ox.Literal("o"), ox.NamedNode("http://g"))])
    ['<http://s> <http://p> "o" <http://g>']
    """
    return sorted({str(q) for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)})


def _parse_lines(lines: Iterable[str]) -> list[ox.Quad]:
    text = "".join(f"{line} .\n" for line in lines)
    return list(ox.parse(io.BytesIO(text.encode()), format=ox.RdfFormat.N_QUADS)) if text else []


# --- markers and crash points -----------------------------------------------------------------


def stamp(path: str | Path) -> tuple[int, int] | None:
    """(inode, mtime) of the store's change marker, ``None`` before any import: a reader compares
    it with the value it saw when it opened the store (one ``stat`` call)."""
    try:
        st = os.stat(Path(path) / MARKER)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns


#: Per thread: the store directories whose marker waits for the end of a write (``_writable``).
_DEFERRED = threading.local()


def _touch_marker(path: Path | None, version: int) -> None:
    if path is None:
        return
    deferred: dict[Path, int | None] | None = getattr(_DEFERRED, "paths", None)
    if deferred is not None and path in deferred:  # announced once the side files are sealed again
        deferred[path] = version
        return
    tmp = path / (MARKER + ".tmp")
    tmp.write_text(f"{version}\n")
    os.replace(tmp, path / MARKER)


def _crash_point(name: str) -> None:
    """Kill this process (SIGKILL: no clean-up runs) when ``CHAINKG_CRASH_AT`` names this point;
    tests use it to prove that a crash changes nothing."""
    if os.environ.get("CHAINKG_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


# --- writing ----------------------------------------------------------------------------------


@contextmanager
def _writable(target: KGStore | str | Path) -> Iterator[tuple[KGStore, SideFiles | None]]:
    """The store to write and the maintainer of its side files (:mod:`graph.index.side_files`):
    ``target`` itself, held for this write, its side files kept current in place (a server with
    an admin token); or the directory opened for writing, closed after, and then its side files
    brought up to date for what the write touched and sealed again."""
    if isinstance(target, KGStore):
        if target.read_only:
            raise ChainKGError("the store is open read-only; import into its directory instead")
        with kept_by(target) as kept:
            yield target, kept
        return
    path = Path(target)
    side = SideFiles(path)
    deferred: dict[Path, int | None] = _DEFERRED.__dict__.setdefault("paths", {})
    deferred[path] = None
    try:
        store = KGStore(path)
        try:
            yield store, side
        finally:
            store.close()
        side.finish()  # only after a write that went through: a failed one leaves the index unsealed
    finally:
        # The change marker moves last, once the side files are sealed again: a server that reopens
        # the store on it finds them current (moved earlier, it would answer without them).
        version = deferred.pop(path)
        if version is not None:
            _touch_marker(path, version)


def _new_id(journal: Journal, sha: str) -> str:
    row = journal.db.execute("SELECT COALESCE(MAX(seq), 0) FROM imports").fetchone()
    return f"i{int(row[0]) + 1:04d}-{sha[:8]}"


def record_import(
    target: KGStore | str | Path,
    quads: Sequence[ox.Quad],
    *,
    source: SourceFile,
    kind: str,
    validate: bool = True,
) -> ImportRecord:
    """Add ``quads`` to the store as one journalled import, all or nothing.

    Args:
        target: an open, writable :class:`KGStore`, or the directory of an on-disk store (opened
            for writing for the call, so another process's read-only server can keep reading it
            and sees the change through :func:`stamp`).
        quads: the import, in named graphs (claims) with their provenance in ``graph:provenance``;
            default-graph quads are refused (the default graph is derived).
        source: the source document (kept in the journal with its sha256).
        kind: what produced the quads (``rdf``, ``roster``, ``article``, ...).
        validate: check provenance and SHACL on the merged result (:func:`graph.ingest.imports.check`)
            before writing.

    Returns:
        the journal entry: id, counts (``quads``, ``added`` = new to the store).

    Raises:
        DataRejectedError: kind ``provenance`` / ``shacl`` / ``duplicate`` / ``empty``; nothing
            was written.
        OSError: the directory is locked by another writer.
    """
    from graph.build import checks

    loose = [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
    if loose:
        raise DataRejectedError([Problem(source.name, f"{len(loose)} triple(s) outside any named graph; "
                                         "facts go into claim graphs with provenance")], kind="provenance")
    by_line = {str(q): q for q in quads}  # the canonical N-Quads line of each quad, each once
    lines = sorted(by_line)
    if not lines:
        raise DataRejectedError([Problem(source.name, "no facts to import")], kind="empty")
    with _writable(target) as (store, side):
        journal = journal_for(store)
        try:
            if recover(store, journal) and side is not None:
                side.abandon()  # what the recovery changed is not in the side files
            sha = source.sha256
            for rec in journal.records():
                if rec.sha256 == sha and rec.kind == kind:
                    raise DataRejectedError([Problem(source.name, f"already imported as {rec.id} "
                                                     f"({rec.created}); remove it first to import it again")],
                                            kind="duplicate")
            parsed = [by_line[line] for line in lines]
            if validate:
                checks.check(store, parsed, source=source.name, shacl=kind not in checks.BUILT_BY_CODE)
            added = store.absent(parsed)
            new_ids = {id(q) for q in added}
            added_lines = {line for line, q in zip(lines, parsed, strict=True) if id(q) in new_ids}
            subjects = touched_subjects(added)
            if side is not None:
                side.before(store, subjects)
            created = datetime.now(UTC).isoformat(timespec="seconds")
            with journal.transaction() as db:
                import_id = _new_id(journal, sha)
                cur = db.execute(
                    "INSERT INTO imports (id, kind, state, created, file_name, sha256, title, date, publisher, "
                    "media_type, n_quads, added, source) VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (import_id, kind, created, source.name, sha, source.title, source.date, source.publisher,
                     source.media_type, len(lines), len(added), source.data))
                seq = cur.lastrowid
                db.executemany("INSERT INTO quads VALUES (?, ?, ?)",
                               ((seq, line, int(line in added_lines)) for line in lines))
            _crash_point("journal-written")
            store.add_claims(added, unseen=True)
            _crash_point("store-written")
            if side is not None:
                side.touch(store, subjects, written=added)
            with journal.transaction() as db:
                db.execute("UPDATE imports SET state = 'done' WHERE seq = ?", (seq,))
                version = journal.bump()
            _touch_marker(store.path, version)
            return next(r for r in journal.records() if r.id == import_id)
        finally:
            _release(store, journal)


def remove_import(target: KGStore | str | Path, import_id: str) -> ImportRecord:
    """Take one import out of the store and the journal, atomically: its claims go (the quads it
    added that no other import states), and the journal forgets it.

    Raises:
        UnknownImportError: no such import.
    """
    with _writable(target) as (store, side):
        journal = journal_for(store)
        try:
            if recover(store, journal) and side is not None:
                side.abandon()
            seq, _ = journal.seq_of(import_id)
            record = next(r for r in journal.records() if r.id == import_id)
            with journal.transaction() as db:
                db.execute("UPDATE imports SET state = 'removing' WHERE seq = ?", (seq,))
            _crash_point("remove-marked")
            subjects = touched_subjects(journal.quads(seq, added_only=True))
            if side is not None:
                side.before(store, subjects)
            _finish_removal(store, journal, seq)
            if side is not None:
                side.touch(store, subjects)
            return record
        finally:
            _release(store, journal)


def _finish_removal(store: KGStore, journal: Journal, seq: int) -> list[ox.Quad]:
    """Delete what import ``seq`` added and others do not state, then its entry (idempotent);
    returns the quads deleted."""
    added = [line for (line,) in journal.db.execute("SELECT nquad FROM quads WHERE seq = ? AND added = 1", (seq,))]
    keep = journal.stated_elsewhere(seq, added)
    removed = _parse_lines(line for line in added if line not in keep)
    store.remove_claims(removed)
    with journal.transaction() as db:
        # what this import added and another import also states now belongs to that one
        for i in range(0, len(added), 500):
            chunk = [line for line in added[i : i + 500] if line in keep]
            if chunk:
                marks = ",".join("?" * len(chunk))
                db.execute(f"UPDATE quads SET added = 1 WHERE seq = (SELECT MIN(seq) FROM quads q2 WHERE "
                           f"q2.seq != ? AND q2.nquad = quads.nquad) AND nquad IN ({marks})", (seq, *chunk))
        db.execute("DELETE FROM quads WHERE seq = ?", (seq,))
        db.execute("DELETE FROM imports WHERE seq = ?", (seq,))
        version = journal.bump()
    _touch_marker(store.path, version)
    return removed


def recover(store: KGStore, journal: Journal) -> int:
    """Undo interrupted imports (``pending``) and finish interrupted removals (``removing``);
    returns how many entries were settled."""
    settled = 0
    rows = journal.db.execute("SELECT seq, state FROM imports WHERE state != 'done' ORDER BY seq").fetchall()
    for seq, state in rows:
        if state == "pending":
            store.remove_claims(journal.quads(seq, added_only=True))
            with journal.transaction() as db:
                db.execute("DELETE FROM quads WHERE seq = ?", (seq,))
                db.execute("DELETE FROM imports WHERE seq = ?", (seq,))
        else:
            _finish_removal(store, journal, seq)
        settled += 1
    return settled


def needs_recovery(path: str | Path) -> bool:
    """Whether the journal of the store at ``path`` holds an interrupted import or removal."""
    file = Path(path) / FILE
    if not file.exists():
        return False
    db = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    try:
        return db.execute("SELECT 1 FROM imports WHERE state != 'done' LIMIT 1").fetchone() is not None
    except sqlite3.Error:
        return False
    finally:
        db.close()


def recover_directory(path: str | Path) -> int:
    """Open the store at ``path`` for writing and :func:`recover` it (when it needs it)."""
    if not needs_recovery(path):
        return 0
    try:
        store = KGStore(Path(path))
    except OSError:  # another process holds the store for writing (and may be mid-import): not ours
        return 0
    journal = journal_for(store)
    try:
        return recover(store, journal)
    finally:
        journal.close()
        store.close()


def replay(store: KGStore) -> int:
    """Write every journalled import again, in order (after a rebuild of ontology + seeds), and
    record which quads each one added to the rebuilt store. Returns the number of imports."""
    journal = journal_for(store)
    try:
        recover(store, journal)
        records = journal.records()
        for rec in records:
            seq, _ = journal.seq_of(rec.id)
            parsed = journal.quads(seq)
            added = store.absent(parsed)
            store.add_claims(added)
            added_lines = [str(q) for q in added]
            with journal.transaction() as db:
                db.execute("UPDATE quads SET added = 0 WHERE seq = ?", (seq,))
                for i in range(0, len(added_lines), 500):
                    chunk = added_lines[i : i + 500]
                    db.execute(f"UPDATE quads SET added = 1 WHERE seq = ? AND nquad IN ({','.join('?' * len(chunk))})",
                               (seq, *chunk))
                db.execute("UPDATE imports SET added = ? WHERE seq = ?", (len(added), seq))
                version = journal.bump()
            _touch_marker(store.path, version)
        return len(records)
    finally:
        _release(store, journal)


def list_imports(target: KGStore | str | Path) -> list[ImportRecord]:
    """The imports in the journal, oldest first (reads the journal only)."""
    if isinstance(target, KGStore) and target.path is None:
        return journal_for(target).records()
    path = target.path if isinstance(target, KGStore) else Path(target)
    assert path is not None
    if not (path / FILE).exists():
        return []
    journal = Journal(path / FILE)
    try:
        return journal.records()
    finally:
        journal.close()
