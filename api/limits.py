"""ASGI middleware that guards every route: a request size limit and security headers.

Request size
    A request whose body is larger than ``max_body_bytes`` is answered 413 before any route
    sees it (a ``Content-Length`` over the limit is refused without reading the body; a chunked
    body is counted as it arrives). A URL whose query string is over the same limit is answered
    414. The body is read here, then replayed to the route, so no route reads more.

Headers
    Every response carries ``X-Content-Type-Options: nosniff``. Every HTML response carries a
    Content-Security-Policy: the page's own when it declares one (header or ``<meta
    http-equiv>``), otherwise :data:`DEFAULT_CSP`, under which a page loads nothing from
    elsewhere and runs no script.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The policy of HTML pages that declare none: no scripts, nothing from other origins.
DEFAULT_CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

MSG_TOO_LARGE = "the request body is larger than {limit} bytes (CHAINKG_MAX_BODY_BYTES)"
MSG_TOO_LARGE_ROUTE = "the request body is larger than {limit} bytes, this route's limit"
MSG_URL_TOO_LONG = "the URL's query string is longer than {limit} bytes (CHAINKG_MAX_BODY_BYTES)"


async def _error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"x-content-type-options", b"nosniff"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """Answer 413 (body) or 414 (query string) when a request is over ``max_bytes``, or over
    ``larger[prefix]`` for a path under one of those prefixes (e.g. file imports)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = dict(larger or {})

    def limit_for(self, path: str) -> int:
        """The limit of a path.

        >>> BodyLimitMiddleware(None, max_bytes=10, larger={"/api/imports": 99}).limit_for("/api/imports/x")
        99
        """
        for prefix, limit in self.larger.items():
            if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        too_large = (MSG_TOO_LARGE if limit == self.max_bytes else MSG_TOO_LARGE_ROUTE).format(limit=limit)
        if len(scope.get("query_string", b"")) > limit:
            await _error(send, 414, "uri_too_long", MSG_URL_TOO_LONG.format(limit=limit))
            return
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _error(send, 413, "request_too_large", too_large)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _error(send, 413, "request_too_large", too_large)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect

        await self.app(scope, replay, send)


class SecurityHeadersMiddleware:
    """Add ``nosniff`` to every response and a CSP to every HTML response that has none."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        pending: dict[str, Any] = {}

        async def guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-content-type-options"]
                headers.append((b"x-content-type-options", b"nosniff"))
                names = {k.lower() for k, _ in headers}
                content_type = dict((k.lower(), v) for k, v in headers).get(b"content-type", b"")
                message = {**message, "headers": headers}
                if content_type.startswith(b"text/html") and b"content-security-policy" not in names:
                    pending["start"] = message  # decided on the first body chunk (a <meta> policy?)
                    return
            elif message["type"] == "http.response.body" and "start" in pending:
                start = pending.pop("start")
                head = message.get("body", b"")[:4096].lower()
                if b'http-equiv="content-security-policy"' not in head:
                    start["headers"].append((b"content-security-policy", DEFAULT_CSP.encode()))
                await send(start)
            await send(message)

        await self.app(scope, receive, guarded)
