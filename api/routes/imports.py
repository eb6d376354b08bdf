"""``/api/imports``: user files into the live graph (admin token), the same path as ``chainkg import``.

``POST /api/imports`` takes one file, either as ``multipart/form-data`` (field ``file``; optional
fields ``title``, ``date``, ``publisher``, ``zone``) or as the raw request body with the file name
in ``?filename=`` (or a media type that names the format) and the same options as query
parameters. RDF (TriG, N-Quads, Turtle, N-Triples, JSON-LD, RDF/XML) is judged with the store it
joins and journalled (:func:`graph.ingest.imports.import_file`); CSV/XLSX rosters go to
``graph.ingest.roster`` when installed, else 415. Answers 201 with the journal entry, and every
later request reads the new data. ``GET /api/imports`` lists the journal; ``DELETE
/api/imports/{id}`` takes one import out.

Errors: 400 rejected file (every problem listed), 401, 404 (no admin token configured, or no such
import), 413 over ``import_max_bytes``, 415 a kind of file chainkg does not import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from api import refresh
from api.deps import SettingsDep, check_admin
from api.settings import Settings
from graph.build.journal import list_imports, remove_import
from graph.ingest.imports import import_file
from graph.store.embedded import KGStore

router = APIRouter(prefix="/api", tags=["imports"])

MSG_OFF = "imports are disabled on this server (no admin token configured)"
MSG_UNAUTHORIZED = "imports need Authorization: Bearer <admin token>"
MSG_TOO_LARGE = "the file is larger than this server accepts ({limit} bytes)"
MSG_NO_FILE = "send the file as multipart/form-data field 'file', or as the body with ?filename="

#: Media type → file suffix, for a raw body sent without ?filename=.
SUFFIX_BY_TYPE = {
    "application/trig": ".trig", "application/n-quads": ".nq", "text/turtle": ".ttl",
    "application/n-triples": ".nt", "application/ld+json": ".jsonld", "application/rdf+xml": ".rdf",
    "text/csv": ".csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}
_OPTIONS = ("title", "date", "publisher", "zone")


def _authorize(request: Request, settings: Settings) -> None:
    check_admin(request, settings, off=MSG_OFF, unauthorized=MSG_UNAUTHORIZED)


async def _read_limited(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, MSG_TOO_LARGE.format(limit=limit))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, MSG_TOO_LARGE.format(limit=limit))
    return bytes(body)


async def _upload(request: Request, limit: int) -> tuple[str, bytes, dict[str, Any], str | None]:
    """(file name, bytes, options, media type) of the uploaded file."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    options: dict[str, Any] = {k: request.query_params.get(k) for k in _OPTIONS}
    if media == "multipart/form-data":
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise HTTPException(413, MSG_TOO_LARGE.format(limit=limit))
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise HTTPException(400, MSG_NO_FILE)
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise HTTPException(413, MSG_TOO_LARGE.format(limit=limit))
        for k in _OPTIONS:
            value = form.get(k)
            if isinstance(value, str) and value:
                options[k] = value
        return Path(upload.filename or "upload").name, data, options, upload.content_type
    data = await _read_limited(request, limit)
    name = request.query_params.get("filename")
    if not name:
        if media not in SUFFIX_BY_TYPE:
            raise HTTPException(415 if media else 400, MSG_NO_FILE)
        name = "upload" + SUFFIX_BY_TYPE[media]
    return Path(name).name, data, options, media or None


def _target(state: Any) -> KGStore | Path:
    store: KGStore = state.store
    if store.read_only and store.path is not None:
        return store.path  # written by opening the directory; this server then reopens its view
    return store


@router.post("/imports", status_code=201, summary="import a user file (admin token)")
async def post_import(request: Request, settings: SettingsDep) -> dict[str, Any]:
    """Judge a file with the store it joins and import it through the journal (all or nothing)."""
    _authorize(request, settings)
    name, data, options, media = await _upload(request, settings.import_max_bytes)
    record, found = await run_in_threadpool(
        import_file, _target(request.app.state), data, filename=name, media_type=media, **options)
    refresh.refresh_if_changed(request.app.state)
    summary = found.summary
    if summary is not None and hasattr(summary, "to_dict"):  # a roster's summary
        summary = summary.to_dict()
    return {**record.as_dict(), "summary": summary}


@router.get("/imports", summary="the import journal (admin token)")
async def get_imports(request: Request, settings: SettingsDep) -> list[dict[str, Any]]:
    """Every import in the journal, oldest first."""
    _authorize(request, settings)
    return [r.as_dict() for r in list_imports(request.app.state.store)]


@router.delete("/imports/{import_id}", summary="take one import out (admin token)")
async def delete_import(import_id: str, request: Request, settings: SettingsDep) -> dict[str, Any]:
    """Remove one import and the claims it added."""
    _authorize(request, settings)
    record = await run_in_threadpool(remove_import, _target(request.app.state), import_id)
    refresh.refresh_if_changed(request.app.state)
    return record.as_dict()
