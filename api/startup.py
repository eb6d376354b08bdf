"""What the server prepares at start-up while its SPARQL worker processes start.

Launching the workers (a Python process each, which cuts itself off from the network and opens
the store) takes 0.15 s or more, on other cores. The serving process spends that time, and only
that time, reading what every enterprise lookup needs and would otherwise read on the first one:
the small per-version tables of :mod:`graph.questions.catalogue` (source documents, segments,
supply links; about 0.1 s together at 1M enterprises), one table at a time while the workers are
still starting (on a busy machine they may be ready first: the rest is then read by the first
lookup, and the start is not made longer). Nothing else is read at start-up: the name index and
the build-time tables are read on demand, whatever the size of the store, and the OpenAPI
document is built by FastAPI when ``/openapi.json`` is first asked for (about 0.3 s).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from fastapi import FastAPI

from graph.questions import catalogue
from graph.questions.provenance import documents
from graph.store.embedded import KGStore


def is_remote(store: KGStore | None) -> bool:
    """Whether ``store`` is a :class:`graph.store.remote.RemoteStore`, without importing that
    module (and httpx) for an embedded store: a remote store exists only once it is imported.

    >>> is_remote(KGStore())
    False
    """
    module = sys.modules.get("graph.store.remote")
    return module is not None and isinstance(store, module.RemoteStore)


def prepare(app: FastAPI, *, while_: Callable[[], bool] = lambda: True) -> None:
    """Read the lookup tables of the embedded store of ``app``, one after the other as long as
    ``while_()`` says so (the SPARQL workers are still starting); a remote store is left alone
    (its server may still be starting)."""
    store = app.state.store
    if store is None or is_remote(store):
        return
    for read in (documents, catalogue.segments, catalogue.supply_links):
        if not while_():
            return
        read(store)
