"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), served without a CDN.

FastAPI's own pages load Swagger UI and ReDoc from a CDN and start them with an inline script,
so they are blank offline and break under chainkg's Content-Security-Policy. These pages take
the released assets that the ``fastapi-offline`` package installs (mounted at
``/static/apidocs``), start them from ``/static/chainkg/apidocs.js`` and run under the same policy
as every other page (:func:`api.viz_render.csp`): nothing is requested from another host; the
Swagger validator badge, which calls an outside service, is off.
"""

from __future__ import annotations

import secrets
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.viz_render import _env, csp

router = APIRouter(include_in_schema=False)

#: Where the Swagger UI and ReDoc assets come from (``fastapi-offline``'s ``static`` folder).
ASSETS = Path(str(files("fastapi_offline"))) / "static"
ASSETS_URL = "/static/apidocs"


def assets_app() -> StaticFiles:
    """The static files app serving :data:`ASSETS` (mounted at :data:`ASSETS_URL`)."""
    return StaticFiles(directory=ASSETS)


def _root(request: Request) -> str:
    return str(request.scope.get("root_path") or "").rstrip("/")


def render_docs(*, ui: str, title: str, openapi_url: str, root: str = "") -> str:
    """The page of ``ui`` (``"swagger"`` or ``"redoc"``) for the OpenAPI document at ``openapi_url``.

    >>> page = render_docs(ui="swagger", title="t", openapi_url="/openapi.json")
    >>> "Content-Security-Policy" in page and "https://" not in page
    True
    """
    nonce = secrets.token_urlsafe(16)
    return _env().get_template("apidocs.html").render(
        csp=csp(nonce, connect=True, worker=ui == "redoc"),
        nonce=nonce,
        ui=ui,
        title=title,
        openapi_url=openapi_url,
        assets=f"{root}{ASSETS_URL}",
        static=f"{root}/static",
        base=f"{root}/",
    )


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over the service's OpenAPI document."""
    root = _root(request)
    title = f"{request.app.title} — API (Swagger UI)"
    return HTMLResponse(render_docs(ui="swagger", title=title, openapi_url=f"{root}{request.app.openapi_url}",
                                    root=root))


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    """ReDoc over the service's OpenAPI document."""
    root = _root(request)
    title = f"{request.app.title} — API (ReDoc)"
    return HTMLResponse(render_docs(ui="redoc", title=title, openapi_url=f"{root}{request.app.openapi_url}",
                                    root=root))
