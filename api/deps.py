"""Dependencies of the routes, as ``Annotated`` aliases; tests swap them with ``dependency_overrides``.

They are ``async`` functions that only read application state: FastAPI runs a plain ``def``
dependency in its thread pool, and that hop would cost more than the work.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

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
