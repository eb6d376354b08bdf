"""Liveness and a few numbers about the store and the SPARQL workers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from api.deps import StoreDep
from graph.index import side_files

router = APIRouter(tags=["operations"])


@router.get("/health", summary="Service health")
async def health(request: Request, store: StoreDep, count: bool = False) -> dict[str, object]:
    """Answer ``ok`` and whether the store holds data; ``?count=true`` also counts the quads
    (a full scan: slow on a large store, so on a thread). ``sparql`` tells the worker pool's
    target size, live and idle workers, how they are cut off from the network and their memory
    cap. The rest reads one quad and a few counters: on the event loop, no thread hop, so the
    probe answers promptly even when the machine is busy. Over a remote store it also says so,
    and whether the side files (name index, build-time tables) match the server; over an on-disk
    store, whether they are current for it (``current``, ``names only``, ``stale``, ``absent``:
    :func:`graph.index.side_files.status`)."""
    side = getattr(store, "side_status", None)  # a remote store (graph.store.remote)
    # a remote store answers over HTTP: never on the event loop
    empty = store.is_empty() if side is None else await run_in_threadpool(store.is_empty)
    body: dict[str, object] = {"status": "ok", "empty": empty}
    if side is not None:
        body["store"] = "remote"
        body["side_files"] = side
        if not side.startswith("current"):
            body["note"] = ("no current name index or build-time tables for this server: names, search and "
                            "the matrix are answered by SPARQL on the server (slower); see chainkg index")
    elif store.path is not None:  # an on-disk store: are the name index and build-time tables current?
        body["side_files"] = side_files.status(store)
    if count:
        body["quads"] = await run_in_threadpool(len, store)
    engine = getattr(request.app.state, "sparql_engine", None)
    if engine is not None:  # the embedded engine's worker pool, or the remote server
        body["sparql"] = engine.status()
    return body
