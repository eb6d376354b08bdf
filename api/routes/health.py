"""Liveness and a few numbers about the store."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import StoreDep

router = APIRouter(tags=["operations"])


@router.get("/health", summary="Service health")
def health(store: StoreDep) -> dict[str, object]:
    """Answer ``ok`` with the number of quads in the store."""
    return {"status": "ok", "quads": len(store)}
