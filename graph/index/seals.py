"""Whether the side files beside an open store are current for it, as this process knows it.

On disk a side file (``names.sqlite``, ``derived.sqlite``) is *sealed* with the fingerprint of
the store's files (:func:`graph.index.name_store.fingerprint`); a reader compares the two. That
works while nobody writes the store, or a writer in another process seals again after closing it.
A process that writes a store it keeps open (a server with an admin token: imports, removals,
accepted facts, ``INSERT DATA``) cannot seal while it holds the store: RocksDB writes its files
when it likes. It keeps the side files current itself instead (:func:`graph.index.side_files.kept_by`)
and records here, per store object, the store version at which each file is current:

* :func:`kept_version` answers for a file: the version recorded, else, for a store not written
  by this process (version 0), the on-disk seal checked once;
* a write that keeps the files current runs inside :func:`writing` (one write at a time per store)
  and :func:`keeping`: the files stay usable (as of before the write) while it runs, but nothing
  read from them is to be cached for the store's new version until :func:`kept` records it;
* the first such write unseals the files on disk (other processes must not trust them while the
  store is open for writing); :func:`graph.index.side_files.close_and_seal` seals them again
  after the store is closed, if they are still current.

A write that does not keep the files current (a general SPARQL update) only moves the store's
version: the files are then not current for this store object, and readers fall back to SPARQL
and the in-memory index.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from graph.store.embedded import KGStore


@dataclass
class _State:
    kept: dict[str, int] = field(default_factory=dict)  # file → the store version it is current at
    pending: int | None = None  # the version a write that keeps the files current started from
    unsealed: bool = False  # this process unsealed the files on disk
    lock: threading.RLock = field(default_factory=threading.RLock)  # one such write at a time


_STATES: weakref.WeakKeyDictionary[KGStore, _State] = weakref.WeakKeyDictionary()
_GUARD = threading.Lock()


def _state(store: KGStore) -> _State:
    with _GUARD:
        found = _STATES.get(store)
        if found is None:
            found = _STATES[store] = _State()
        return found


def kept_version(store: KGStore, file: str, sealed: Callable[[], bool]) -> int | None:
    """The store version at which ``file`` is current for ``store``, ``None`` when it is not known
    to be. For a store not yet written by this process (version 0) the answer comes from
    ``sealed()`` (the on-disk check) until that says yes, which is remembered.

    >>> kg = KGStore()
    >>> kept_version(kg, "x", lambda: False), kept_version(kg, "x", lambda: True), kept_version(kg, "x", lambda: False)
    (None, 0, 0)
    """
    state = _state(store)
    with _GUARD:
        if file in state.kept:
            return state.kept[file]
        if store.version == 0 and sealed():
            state.kept[file] = 0
            return 0
        return None


def usable(store: KGStore, file: str, sealed: Callable[[], bool]) -> tuple[bool, bool]:
    """(whether a reader may use ``file`` for ``store`` now, whether what it reads may be cached
    for the store's current version). Usable uncached: a write that keeps the file current is
    under way, and the file still answers as of before it.

    >>> kg = KGStore()
    >>> usable(kg, "x", lambda: True)
    (True, True)
    """
    kept = kept_version(store, file, sealed)
    if kept is None:
        return False, True
    if kept == store.version:
        return True, True
    state = _state(store)
    return (True, False) if state.pending == kept else (False, True)


def in_flight(store: KGStore) -> bool:
    """Whether a write that keeps the side files current is under way on ``store``."""
    found = _STATES.get(store)
    return found is not None and found.pending is not None


@contextmanager
def writing(store: KGStore) -> Iterator[None]:
    """Hold ``store`` for one write (one at a time per store, across threads)."""
    with _state(store).lock:
        yield


@contextmanager
def keeping(store: KGStore) -> Iterator[None]:
    """Mark a write that keeps the side files current as under way (inside :func:`writing`): the
    files stay usable as of ``store.version`` until :func:`kept` moves them on; on leaving, a file
    not moved on is no longer current if the store changed."""
    state = _state(store)
    state.pending = store.version
    try:
        yield
    finally:
        state.pending = None


def kept(store: KGStore, files: list[str]) -> None:
    """Record that ``files`` are current at the store's version now."""
    state = _state(store)
    with _GUARD:
        for file in files:
            state.kept[file] = store.version


def mark_unsealed(store: KGStore) -> bool:
    """Record that this process unsealed the side files of ``store`` on disk; returns whether it
    had already done so."""
    state = _state(store)
    was, state.unsealed = state.unsealed, True
    return was


def current_files(store: KGStore) -> tuple[bool, list[str]]:
    """(whether this process unsealed the files of ``store``, the files current at its version)."""
    found = _STATES.get(store)
    if found is None:
        return False, []
    return found.unsealed, [f for f, v in found.kept.items() if v == store.version]
