"""One JSON error format, and the single place where graph exceptions become HTTP errors."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.build.journal import UnknownImportError
from graph.errors import (
    AmbiguousNameError,
    Candidate,
    DataRejectedError,
    ForbiddenOperationError,
    InvalidTermError,
    QueryEvaluationError,
    QueryMemoryError,
    QuerySyntaxError,
    QueryTimeoutError,
    QueryWorkerError,
    ResultTooLargeError,
    StoreTimeoutError,
    StoreUnavailableError,
    UnknownEntityError,
)
from graph.ingest.imports import UnsupportedFileError
from graph.sparql.endpoint import UpdateFailedError


class ErrorDetail(BaseModel):
    """The inside of every error answer."""

    model_config = ConfigDict(extra="allow")

    code: str
    message: str


class ErrorResponse(BaseModel):
    """Every error answer: ``{"error": {"code", "message", ...}}`` (extra keys per code)."""

    error: ErrorDetail


#: Documented on every route (OpenAPI), so clients and schemathesis know the error answers.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in {
        400: "malformed request or query",
        401: "missing or wrong admin token",
        403: "operation refused (UPDATE on the query endpoint, SERVICE, LOAD)",
        404: "unknown name or resource (with suggestions)",
        405: "method not allowed",
        406: "no acceptable representation",
        409: "ambiguous name (with candidates)",
        413: "answer over the row cap, or request body over the size limit",
        415: "unsupported media type",
        422: "invalid parameters",
        502: "the remote SPARQL server failed",
        503: "query over the time limit, or its worker stopped",
        504: "the remote SPARQL server did not answer in time",
        507: "query over the workers' memory limit",
    }.items()
}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The JSON error format every route uses: ``{"error": {"code", "message", ...}}``."""
    return {"error": {"code": code, "message": message, **extra}}


def _candidates(items: list[Candidate]) -> list[dict[str, Any]]:
    return [{"iri": c.iri, "kind": c.kind, "label": c.label, "matched": c.matched} for c in items]


def error_response(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse(error_body(code, message, **extra), status_code=status)


def install(app: FastAPI) -> None:
    """Register the handlers that turn chainkg exceptions into HTTP answers."""

    @app.exception_handler(UnknownEntityError)
    async def unknown(_: Request, err: UnknownEntityError) -> JSONResponse:
        return error_response(404, "unknown_entity", str(err), name=err.name,
                              suggestions=_candidates(err.suggestions))

    @app.exception_handler(AmbiguousNameError)
    async def ambiguous(_: Request, err: AmbiguousNameError) -> JSONResponse:
        return error_response(409, "ambiguous_name", str(err), name=err.name,
                              candidates=_candidates(err.candidates), total=err.total)

    @app.exception_handler(QuerySyntaxError)
    async def syntax(_: Request, err: QuerySyntaxError) -> JSONResponse:
        return error_response(400, "malformed_query", f"malformed query: {err}")

    @app.exception_handler(InvalidTermError)
    async def invalid_term(_: Request, err: InvalidTermError) -> JSONResponse:
        return error_response(400, "invalid_term", str(err))

    @app.exception_handler(ForbiddenOperationError)
    async def forbidden(_: Request, err: ForbiddenOperationError) -> JSONResponse:
        return error_response(403, "forbidden_operation", str(err))

    @app.exception_handler(QueryTimeoutError)
    async def timeout(_: Request, err: QueryTimeoutError) -> JSONResponse:
        return error_response(503, "query_timeout", str(err))

    @app.exception_handler(ResultTooLargeError)
    async def too_large(_: Request, err: ResultTooLargeError) -> JSONResponse:
        return error_response(413, "result_too_large", str(err))

    @app.exception_handler(StoreUnavailableError)
    async def store_failed(_: Request, err: StoreUnavailableError) -> JSONResponse:
        return error_response(502, "store_unavailable", str(err))

    @app.exception_handler(StoreTimeoutError)
    async def store_slow(_: Request, err: StoreTimeoutError) -> JSONResponse:
        return error_response(504, "store_timeout", str(err))

    @app.exception_handler(QueryEvaluationError)
    async def evaluation(_: Request, err: QueryEvaluationError) -> JSONResponse:
        return error_response(400, "query_failed", str(err))

    @app.exception_handler(QueryMemoryError)
    async def memory(_: Request, err: QueryMemoryError) -> JSONResponse:
        return error_response(507, "query_memory", str(err))

    @app.exception_handler(QueryWorkerError)
    async def worker(_: Request, err: QueryWorkerError) -> JSONResponse:
        return error_response(503, "query_worker_failed", str(err))

    @app.exception_handler(UpdateFailedError)
    async def update_failed(_: Request, err: UpdateFailedError) -> JSONResponse:
        return error_response(400, "update_failed", str(err))

    @app.exception_handler(DataRejectedError)
    async def rejected(_: Request, err: DataRejectedError) -> JSONResponse:
        return error_response(400, "data_rejected", err.summary().splitlines()[0],
                              problems=[str(p) for p in err.problems])

    @app.exception_handler(UnsupportedFileError)
    async def unsupported_file(_: Request, err: UnsupportedFileError) -> JSONResponse:
        return error_response(415, "unsupported_file", str(err))

    @app.exception_handler(UnknownImportError)
    async def unknown_import(_: Request, err: UnknownImportError) -> JSONResponse:
        return error_response(404, "unknown_import", str(err))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, err: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", "invalid request parameters",
                              detail=[{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")}
                                      for e in err.errors()])

    @app.exception_handler(StarletteHTTPException)
    async def http(_: Request, err: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 406: "not_acceptable",
                415: "unsupported_media_type", 401: "unauthorized"}.get(err.status_code, "http_error")
        return JSONResponse(error_body(code, str(err.detail)), status_code=err.status_code,
                            headers=getattr(err, "headers", None))
