"""Reading new articles over HTTP (admin token): ingest, the review list, accept and reject, and
the review page (``/review``, which asks for the token and keeps it out of URLs)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from api.deps import SettingsDep, StoreDep, check_admin
from api.settings import Settings
from api.viz_render import _env, csp
from graph.ingest.reading import MAX_BYTES
from graph.ingest.reading import reject as reject_article
from graph.ingest.review import ReviewArea, accept, ingest, reject, review_path

router = APIRouter(tags=["ingest"])

MSG_OFF = "ingest and review are off: set CHAINKG_ADMIN_TOKEN"
MSG_UNAUTHORIZED = "ingest and review need Authorization: Bearer <admin token>"


def review_area(request: Request) -> ReviewArea:
    """The application's review area, opened on first use beside the store (in memory for an in-memory store)."""
    area: ReviewArea | None = getattr(request.app.state, "review", None)
    if area is None:
        settings: Settings = request.app.state.settings
        area = request.app.state.review = ReviewArea(settings.review_db or review_path(settings.store_path))
    return area


def require_admin(request: Request, settings: SettingsDep) -> str:
    """``admin``, once the bearer token checks out (the reviewer may name themselves in a decision)."""
    check_admin(request, settings, off=MSG_OFF, unauthorized=MSG_UNAUTHORIZED)
    return "admin"


AdminDep = Annotated[str, Depends(require_admin)]
ReviewDep = Annotated[ReviewArea, Depends(review_area)]


class Decision(BaseModel):
    """Candidates to accept or reject: ids, or (accept only) every pending one at or above a confidence."""

    ids: list[str] = Field(default_factory=list, max_length=10_000)
    min_confidence: float | None = Field(None, ge=0, le=1)
    reviewer: str | None = Field(None, max_length=80, description="who decides (default: admin)")


@router.post("/api/ingest", summary="Read an article (plain text or HTML in the body); propose candidate facts")
async def api_ingest(
    request: Request,
    store: StoreDep,
    area: ReviewDep,
    who: AdminDep,
    url: str | None = None,
    title: str | None = None,
    date: str | None = None,
    publisher: str | None = None,
    encoding: str | None = None,
    filename: str | None = Query(None, max_length=200),
) -> dict[str, Any]:
    """The body is the article's bytes; query parameters override the metadata read from the text.
    Nothing enters the graph: the candidates wait in the review area."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BYTES:
            raise reject_article(filename or "<body>", f"the article is over the limit of {MAX_BYTES:,} bytes")
    report = await run_in_threadpool(  # reading and matching take a fraction of a second: off the event loop
        ingest,
        store,
        area,
        bytes(body),
        source=filename or "<body>",
        url=url,
        title=title,
        date=date,
        publisher=publisher,
        encoding=encoding,
        who=who,
    )
    return {**report.to_dict(), "candidates": area.candidates(ids=report.new)}


@router.get("/api/review/documents", summary="Articles read, with their candidates' counts by status")
def review_documents(area: ReviewDep, _: AdminDep) -> list[dict[str, Any]]:
    return area.documents()


@router.get("/api/review/documents/{doc_id}", summary="One article: its text and its candidates")
def review_document(doc_id: str, area: ReviewDep, _: AdminDep) -> dict[str, Any]:
    doc = area.document(doc_id)
    return {"document": doc, "candidates": area.candidates(doc=doc_id)}


@router.get("/api/review/candidates", summary="Candidates, by status and document")
def review_candidates(
    area: ReviewDep, _: AdminDep, status: str | None = None, doc: str | None = None
) -> list[dict[str, Any]]:
    return area.candidates(doc=doc, status=status)


@router.post("/api/review/accept", summary="Accept candidates into the graph (one atomic write)")
def review_accept(decision: Decision, store: StoreDep, area: ReviewDep, who: AdminDep) -> dict[str, Any]:
    if not decision.ids and decision.min_confidence is None:
        raise HTTPException(422, "give ids or min_confidence")
    return accept(
        store, area, decision.ids, min_confidence=decision.min_confidence, who=decision.reviewer or who
    ).to_dict()


@router.post("/api/review/reject", summary="Reject candidates (they stay out of the graph)")
def review_reject(decision: Decision, area: ReviewDep, who: AdminDep) -> dict[str, Any]:
    if not decision.ids:
        raise HTTPException(422, "give ids")
    return {"rejected": reject(area, decision.ids, who=decision.reviewer or who)}


@router.get("/review", response_class=HTMLResponse, summary="Review page (admin token entered in the page)")
def review_page(request: Request) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    root = request.scope.get("root_path", "")
    policy = csp(nonce, connect=True)
    page = _env().get_template("review.html").render(csp=policy, nonce=nonce, static=f"{root}/static", base=f"{root}/")
    return HTMLResponse(
        page, headers={"Content-Security-Policy": policy, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )
