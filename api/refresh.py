"""Seeing writes made by other processes: a served store reopened when its journal changes.

A server without an admin token opens its store read-only (and its SPARQL worker processes read
the same directory). A ``chainkg import`` (or ``remove``, or a rebuild) in another process
writes the directory, then replaces the change marker (:func:`graph.build.journal.stamp`) as its last
step, after the store and the journal are committed. :class:`RefreshOnChange` compares the
marker with the one seen when the store was opened — one ``stat`` per request — and, when it
changed, swaps ``app.state.store`` for a fresh read-only view; the SPARQL engine follows
(:func:`api.routes.sparql.engine_for` rebuilds it, with new worker processes, for a new store),
and every cache keyed by the store object (name index, derived tables) starts afresh. Requests
already running finish on the view they started with, so no reader sees a half-written state:
the marker moves only after the write is whole.
"""

from __future__ import annotations

import threading
from typing import Any

from graph.build.journal import stamp
from graph.store.embedded import KGStore

_LOCK = threading.Lock()


def note_opened(state: Any) -> None:
    """Record the marker of the store just opened (call right after opening it)."""
    store: KGStore | None = state.store
    state.store_stamp = stamp(store.path) if store is not None and store.path is not None else None


def refresh_if_changed(state: Any) -> bool:
    """Reopen a read-only on-disk store whose marker moved; returns whether it did."""
    store: KGStore | None = getattr(state, "store", None)
    if store is None or store.path is None or not store.read_only:
        return False
    now = stamp(store.path)
    if now == getattr(state, "store_stamp", None):
        return False
    with _LOCK:
        if state.store is store:  # not already swapped by a concurrent request
            state.store = KGStore(store.path, read_only=True)
            state.store_stamp = now
    return True


class RefreshOnChange:
    """ASGI middleware: :func:`refresh_if_changed` before every HTTP request."""

    def __init__(self, app: Any, *, state: Any) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            refresh_if_changed(self.state)
        await self.app(scope, receive, send)
