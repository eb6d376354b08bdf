"""Dependencies of the routes, as ``Annotated`` aliases; tests swap them with ``dependency_overrides``.

They are ``async`` functions that only read application state: FastAPI runs a plain ``def``
dependency in its thread pool, and that hop would cost more than the work.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.settings import Settings
from graph.store.embedded import KGStore


async def get_store(request: Request) -> KGStore:
    """The store the application opened at start-up."""
    store: KGStore = request.app.state.store
    return store


async def app_settings(request: Request) -> Settings:
    """The settings the application was built with."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(app_settings)]
StoreDep = Annotated[KGStore, Depends(get_store)]


def check_admin(request: Request, settings: Settings, *, off: str, unauthorized: str) -> None:
    """Let the request through only with ``Authorization: Bearer <admin token>`` (compared in
    constant time); every admin route calls this one check, with its own messages.

    Raises:
        HTTPException: 404 ``off`` when no (or an empty) admin token is configured; 401
            ``unauthorized`` for a missing, empty or wrong bearer token.
    """
    if settings.admin_token is None or not settings.admin_token.get_secret_value().strip():
        raise HTTPException(404, off)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    expected = settings.admin_token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not token.strip() or not secrets.compare_digest(token.strip().encode(), expected):
        raise HTTPException(401, unauthorized, headers={"WWW-Authenticate": "Bearer"})
