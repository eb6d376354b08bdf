"""Liveness and a few numbers about the store."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import StoreDep

router = APIRouter(tags=["operations"])


@router.get("/health", summary="Service health")
def health(store: StoreDep, count: bool = False) -> dict[str, object]:
    """Answer ``ok`` and whether the store holds data; ``?count=true`` also counts the quads
    (a full scan: slow on a large store). Over a remote store it also says so, and whether the
    side files (name index, build-time tables) match the server."""
    body: dict[str, object] = {"status": "ok", "empty": store.is_empty()}
    side = getattr(store, "side_status", None)  # a remote store (graph.store.remote)
    if side is not None:
        body["store"] = "remote"
        body["side_files"] = side
        if not side.startswith("current"):
            body["note"] = ("no current name index or build-time tables for this server: names, search and "
                            "the matrix are answered by SPARQL on the server (slower); see chainkg index")
    if count:
        body["quads"] = len(store)
    return body
