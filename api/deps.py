"""Dependencies of the routes, as ``Annotated`` aliases; tests swap them with ``dependency_overrides``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.settings import Settings, get_settings
from graph.store import KGStore


def get_store(request: Request) -> KGStore:
    """The store the application opened at start-up."""
    store: KGStore = request.app.state.store
    return store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[KGStore, Depends(get_store)]
