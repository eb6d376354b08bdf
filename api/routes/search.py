"""Name search across regions, zones, chains, segments, industries and enterprises."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import StoreDep
from graph.names import index_for

router = APIRouter(prefix="/api", tags=["search"])

Kind = Literal["region", "enterprise", "chain", "segment", "industry"]


class Hit(BaseModel):
    iri: str
    kind: str
    label: str
    matched: str
    id: str


class SearchResults(BaseModel):
    query: str
    results: list[Hit]


def slug(iri: str) -> str:
    """The last path segment of an IRI, usable wherever the API takes an id."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


@router.get("/search", summary="Search names (Chinese, alias, English or pinyin)")
def search(
    store: StoreDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="text to look for")],
    kind: Annotated[list[Kind] | None, Query(description="restrict to these kinds")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchResults:
    """Resources whose names match ``q``, best first, each once: a whole name or its pinyin (score
    100), a stem (90), a prefix (80), a substring (70; Latin text of three letters or more), for
    Chinese text a prefix of a name's pinyin (60: homophones), and close spellings (50) only when
    nothing else matched. Within a score, prefix hits come by the name they matched, others by IRI."""
    hits = index_for(store).search(q, kinds=tuple(kind) if kind else None, limit=limit)
    return SearchResults(
        query=q,
        results=[Hit(iri=h.iri, kind=h.kind, label=h.label, matched=h.matched, id=slug(h.iri)) for h in hits],
    )
