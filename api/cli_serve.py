"""``chainkg serve``: the FastAPI application on uvicorn over the embedded store (or a remote
SPARQL server, ``CHAINKG_SPARQL_ENDPOINT``); ``--workers N`` runs N replica processes."""

from __future__ import annotations

import argparse
import os

from api.cli import arguments, command


def serve(*, host: str, port: int, store: str | None, reload: bool = False, workers: int = 1) -> None:
    """Run the service until interrupted (uvicorn handles SIGINT/SIGTERM with a clean shutdown).

    With ``workers`` above 1, uvicorn starts that many processes sharing the port; each opens the
    store itself: an on-disk store read-only (it is built first, here, when empty) or the remote
    server. Writable stores (an admin token with the embedded store) take one process only.

    Raises:
        ValueError: several workers over a writable embedded store.
    """
    from api.settings import get_settings

    settings = get_settings()
    updates = {"host": host, "port": port}
    if store is not None:
        updates["store"] = store
    settings = settings.model_copy(update=updates)
    prelaunched = None
    if workers <= 1 and not reload:
        from api.prelaunch import launch

        prelaunched = launch(settings)  # the SPARQL workers start while the web stack is imported

    import uvicorn

    from api.main import create_app

    common = {"host": settings.host, "port": settings.port, "access_log": settings.access_log,
              "root_path": settings.root_path, "proxy_headers": True}
    if workers <= 1:
        uvicorn.run(create_app(settings, workers=prelaunched), **common)  # type: ignore[arg-type]
        return
    if not settings.sparql_endpoint:
        if settings.admin_token is not None:
            raise ValueError("several workers need a read-only store: unset CHAINKG_ADMIN_TOKEN, "
                             "or serve the update endpoint from one process")
        if settings.store_path is None:
            raise ValueError("several workers need an on-disk store (each would build its own in-memory copy)")
        from graph.build.loading import open_directory

        open_directory(settings.store_path, build_if_empty=settings.build_if_empty).close()  # build once
    os.environ["CHAINKG_STORE"] = settings.store  # the workers read their settings from the environment
    uvicorn.run("api.main:create_app", factory=True, workers=workers, **common)  # type: ignore[arg-type]


def _serve_args(p: argparse.ArgumentParser) -> None:
    from api.settings import get_settings

    s = get_settings()
    p.add_argument("--host", default=s.host)
    p.add_argument("--port", type=int, default=s.port)
    p.add_argument("--store", default=None, help="store directory (built from the seeds when empty)")
    p.add_argument("--workers", type=int, default=1,
                   help="replica processes sharing the port (read-only store or remote server)")


@command("serve", "start the REST API, SPARQL endpoint and views (builds the store when empty)")
@arguments(_serve_args)
def cmd_serve(args: argparse.Namespace) -> int:
    serve(host=args.host, port=args.port, store=args.store, workers=args.workers)
    return 0
