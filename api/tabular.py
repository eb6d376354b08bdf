"""``?format=csv|xlsx`` on the REST answers: one response helper, the routes only call it.

A route keeps answering JSON by default; with ``format=csv`` or ``format=xlsx`` it hands its
answer to :func:`tabular`, which turns it into tables (:mod:`graph.export.tables`), writes them with the
format's writer (:data:`graph.export.writers.FORMATS`) and sends them as a download: the format's media
type and a ``Content-Disposition`` with an ASCII file name and the Chinese one (RFC 6266 /
RFC 5987 ``filename*``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import Query
from fastapi.responses import Response

from api.errors import error_response
from graph.export.tables import Table
from graph.export.writers import FORMATS, render

#: ``json`` (the answer as it is) or the name of a table writer.
AnswerFormat = Literal["json", "csv", "xlsx"]

FormatQuery = Annotated[AnswerFormat, Query(
    alias="format", description="json (default), csv (one table, UTF-8 with BOM) or xlsx (a sheet per table)")]
TableQuery = Annotated[str | None, Query(
    alias="table", max_length=40, description="with csv/xlsx: only this table (csv default: the first)")]

#: OpenAPI: the media types a tabular answer may come in.
TABULAR_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {
        "application/json": {"schema": {"type": "object"}},
        "text/csv": {"schema": {"type": "string"}},
        FORMATS["xlsx"].media_type: {"schema": {"type": "string", "format": "binary"}},
    }, "description": "the answer as JSON, CSV or XLSX (format=)"},
}


def content_disposition(ascii_name: str, name: str | None = None) -> str:
    """``attachment`` with an ASCII ``filename`` and, when it differs, a UTF-8 ``filename*``.

    >>> print(content_disposition("completeness-silk.csv", "完整度.csv"))
    attachment; filename="completeness-silk.csv"; filename*=UTF-8''%E5%AE%8C%E6%95%B4%E5%BA%A6.csv
    """
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "-" for ch in ascii_name)
    header = f'attachment; filename="{safe}"'
    if name and name != safe:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def slug(iri: str | None) -> str:
    """The last path segment of an IRI (``…/place/qianjiang`` → ``qianjiang``).

    >>> slug("https://w3id.org/chainkg/id/place/qianjiang"), slug(None)
    ('qianjiang', 'all')
    """
    return (iri or "all").rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or "all"


def tabular(
    data: Mapping[str, Any],
    *,
    fmt: str,
    tables: Callable[[Mapping[str, Any]], Sequence[Table]],
    name: tuple[str, str],
    table: str | None = None,
) -> Mapping[str, Any] | Response:
    """The answer ``data`` as JSON (``fmt == "json"``) or as a CSV / XLSX download.

    Args:
        data: the JSON answer.
        fmt: ``json`` or a key of :data:`graph.export.writers.FORMATS`.
        tables: the question's "answer → tables" function.
        name: file name stem, ASCII and Chinese (``("completeness-silk-qianjiang", "产业链完整度-…")``).
        table: only this table.

    An unknown table name is answered 422 ``unknown_table`` (the message lists the known ones).
    """
    if fmt == "json":
        return data
    writer = FORMATS[fmt]
    try:
        body = render(tables(data), fmt, table=table)
    except KeyError as err:
        return error_response(422, "unknown_table", err.args[0])
    stem, stem_zh = name
    if table:
        stem, stem_zh = f"{stem}-{table}", f"{stem_zh}-{table}"
    return Response(body, media_type=writer.media_type, headers={
        "Content-Disposition": content_disposition(f"{stem}.{writer.extension}", f"{stem_zh}.{writer.extension}"),
    })
