"""Liveness and a few numbers about the store."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import StoreDep

router = APIRouter(tags=["operations"])


@router.get("/health", summary="Service health")
def health(store: StoreDep, count: bool = False) -> dict[str, object]:
    """Answer ``ok`` and whether the store holds data; ``?count=true`` also counts the quads
    (a full scan: slow on a large store)."""
    body: dict[str, object] = {"status": "ok", "empty": store.is_empty()}
    if count:
        body["quads"] = len(store)
    return body
