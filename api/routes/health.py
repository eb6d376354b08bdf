"""Liveness and a few numbers about the store and the SPARQL workers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from api.deps import StoreDep

router = APIRouter(tags=["operations"])


@router.get("/health", summary="Service health")
async def health(request: Request, store: StoreDep, count: bool = False) -> dict[str, object]:
    """Answer ``ok`` and whether the store holds data; ``?count=true`` also counts the quads
    (a full scan: slow on a large store, so on a thread). ``sparql`` tells the worker pool's
    target size, live and idle workers, how they are cut off from the network and their memory
    cap. The rest reads one quad and a few counters: on the event loop, no thread hop, so the
    probe answers promptly even when the machine is busy."""
    body: dict[str, object] = {"status": "ok", "empty": store.is_empty()}
    if count:
        body["quads"] = await run_in_threadpool(len, store)
    engine = getattr(request.app.state, "sparql_engine", None)
    if engine is not None:
        body["sparql"] = engine.status()
    return body
