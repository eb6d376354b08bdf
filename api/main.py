"""Assembles the FastAPI application; the routes live in ``api/routes/``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api import errors, refresh, startup, viz_render
from api.limits import BodyLimitMiddleware, SecurityHeadersMiddleware
from api.prelaunch import Prelaunched
from api.routes import (
    docs,
    entities,
    export,
    health,
    imports,
    industries,
    ingest,
    linked_data,
    policies,
    questions,
    search,
    sparql,
    viz,
)
from api.settings import Settings, get_settings
from graph.index import side_files
from graph.ingest.reading import MAX_BYTES as ARTICLE_MAX_BYTES
from graph.store.embedded import KGStore

log = logging.getLogger("chainkg")


def open_store(settings: Settings) -> KGStore:
    """Open the configured store, building it from the seeds when it is empty.

    Without an admin token nothing can write through the service, so an on-disk store is opened
    read-only: the serving process then never compacts or rewrites the store's files, which the
    SPARQL worker processes read and the build-time side files are sealed against.
    """
    from api.progress import build_progress
    from graph.build.loading import build, open_directory

    if settings.sparql_endpoint:
        return open_remote(settings)
    if settings.store_path is None:
        store = KGStore()
        if settings.build_if_empty:
            log.info("in-memory store: building from ontology + seeds")
            build(store)
        return store
    with build_progress(directory=True) as progress:
        return open_directory(settings.store_path, read_only=settings.admin_token is None,
                              build_if_empty=settings.build_if_empty, progress=progress)


def open_remote(settings: Settings) -> KGStore:
    """The remote store of ``CHAINKG_SPARQL_ENDPOINT``, with the side files in ``CHAINKG_STORE``
    (from ``chainkg index``) attached when their seal matches the server (logged either way)."""
    from graph.index.remote import attach
    from graph.store.remote import RemoteStore

    assert settings.sparql_endpoint is not None
    password = settings.sparql_password.get_secret_value() if settings.sparql_password else None
    store = RemoteStore(settings.sparql_endpoint, update_endpoint=settings.sparql_update_endpoint,
                        user=settings.sparql_user, password=password, timeout=settings.sparql_timeout)
    status = attach(store, settings.store_path)
    log.info("remote store %s; side files: %s", settings.sparql_endpoint, status)
    return store


def create_app(settings: Settings | None = None, *, store: KGStore | None = None,
               workers: Prelaunched | None = None) -> FastAPI:
    """Build the application.

    Args:
        settings: defaults to the environment's (``get_settings()``).
        store: an already-open store (tests); otherwise the configured one is opened at start-up.
        workers: SPARQL workers launched before the imports (:func:`api.prelaunch.launch`); the
            start-up uses them if they read what it opened, and stops them otherwise.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = app.state.store is None
        if owned:
            try:
                app.state.store = open_store(settings)
            except BaseException:
                if workers is not None:
                    workers.pool.close()
                raise
        refresh.note_opened(app.state)
        store = app.state.store
        pool = None
        if workers is not None:
            if owned and store.read_only and workers.still_valid(store.path):
                pool = workers.pool
            else:
                workers.pool.close()
        engine = sparql.engine_for(app.state, wait=False, pool=pool)  # the query workers start...
        try:
            startup.prepare(app, while_=engine.starting)  # ... while this process reads what lookups need
            engine.wait_ready()  # all ready before the first request (or the start fails, as it did)
            yield
        finally:
            engine.close()
            app.state.sparql_engine = None
            review = getattr(app.state, "review", None)  # chainkg ingest's review file, if it was opened
            if review is not None:
                review.close()
                app.state.review = None
            if owned:  # sealing again the side files this server kept current through its writes
                side_files.close_and_seal(app.state.store)
                app.state.store = None

    app = FastAPI(
        title="chainkg",
        summary="Knowledge graph of Chinese industrial parks, enterprises, industry chains and 链长制",
        version="0.1.0",
        lifespan=lifespan,
        root_path=settings.root_path,
        responses=errors.ERROR_RESPONSES,
        docs_url=None,  # /docs and /redoc come from api.routes.docs, without a CDN
        redoc_url=None,
    )
    app.state.store = store
    app.state.settings = settings
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"])
    app.add_middleware(refresh.RefreshOnChange, state=app.state)  # sees imports by other processes
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes,  # outermost
                       larger={"/api/imports": max(settings.import_max_bytes + 65_536, settings.max_body_bytes),
                               "/api/ingest": max(ARTICLE_MAX_BYTES + 65_536, settings.max_body_bytes)})
    # (the import and ingest routes answer their own errors for the file; the margin is for the
    # multipart envelope)
    errors.install(app)
    app.include_router(health.router)
    app.include_router(sparql.router)  # SPARQL 1.1 Protocol
    app.include_router(search.router)
    app.include_router(entities.router)
    app.include_router(questions.router)
    app.include_router(export.router)
    app.include_router(industries.router)
    app.include_router(policies.router)
    app.include_router(imports.router)
    app.include_router(linked_data.router)
    app.include_router(viz.router)  # graph pages and home page
    app.include_router(docs.router)  # Swagger UI and ReDoc
    app.mount(docs.ASSETS_URL, docs.assets_app(), name="apidocs")
    app.include_router(ingest.router)  # reading new articles, review (admin)
    app.mount("/static", StaticFiles(directory=viz_render.STATIC_DIR), name="static")
    return app
