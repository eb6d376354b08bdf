"""Name search across every named kind: regions, enterprises, chains, segments, industries,
portfolios, projects, alliances, policies, people and honours."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from api.deps import StoreDep
from graph.questions import search as search_questions

router = APIRouter(prefix="/api", tags=["search"])

Kind = Literal["region", "enterprise", "chain", "segment", "industry", "portfolio", "project", "alliance", "policy",
               "person", "honour"]


class Place(BaseModel):
    iri: str
    label: str | None
    label_en: str | None


class Hit(BaseModel):
    iri: str
    kind: str
    label: str
    matched: str
    id: str
    score: float
    match: str
    place: Place | None
    view: str | None


class SearchResults(BaseModel):
    query: str
    results: list[Hit]
    suggestions: list[Hit]
    did_you_mean: bool


def slug(iri: str) -> str:
    """The last path segment of an IRI, usable wherever the API takes an id."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


@router.get("/search", summary="Search names (Chinese, alias, English or pinyin)")
def search(
    request: Request,
    store: StoreDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="text to look for")],
    kind: Annotated[list[Kind] | None, Query(description="restrict to these kinds")] = None,
    region: Annotated[str | None, Query(description="only hits inside this region (name or id)")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchResults:
    """Resources whose names match ``q`` as typed, best first, each once (``results``): a whole
    name (score 100), a stem (90), a prefix (80), a substring (70; Latin text of three letters or
    more). Guesses are ``suggestions``, never results: for Chinese text the names it sounds like
    (60: a character typed wrong), and close spellings (50) when nothing else matched;
    ``did_you_mean`` is true when there are suggestions but no result. Within a score, prefix
    hits come by the name they matched, others by IRI. Each hit has its place (the most specific
    region it is in) and ``view``, the page that shows it."""
    root = str(request.scope.get("root_path") or "").rstrip("/")
    answer = search_questions.search(store, q, kinds=tuple(kind) if kind else None, region=region or None,
                                     limit=limit).to_dict()
    for hit in (*answer["results"], *answer["suggestions"]):
        if hit["view"]:
            hit["view"] = f"{root}/{hit['view']}"
    return SearchResults.model_validate(answer)
