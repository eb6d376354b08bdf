"""``chainkg serve``: the FastAPI application on uvicorn over the embedded store."""

from __future__ import annotations

import argparse

from api.cli import arguments, command


def serve(*, host: str, port: int, store: str | None, reload: bool = False) -> None:
    """Run the service until interrupted (uvicorn handles SIGINT/SIGTERM with a clean shutdown)."""
    import uvicorn

    from api.main import create_app
    from api.settings import get_settings

    settings = get_settings()
    updates = {"host": host, "port": port}
    if store is not None:
        updates["store"] = store
    settings = settings.model_copy(update=updates)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=settings.access_log,
        root_path=settings.root_path,
        proxy_headers=True,
    )


def _serve_args(p: argparse.ArgumentParser) -> None:
    from api.settings import get_settings

    s = get_settings()
    p.add_argument("--host", default=s.host)
    p.add_argument("--port", type=int, default=s.port)
    p.add_argument("--store", default=None, help="store directory (built from the seeds when empty)")


@command("serve", "start the REST API, SPARQL endpoint and views (builds the store when empty)")
@arguments(_serve_args)
def cmd_serve(args: argparse.Namespace) -> int:
    serve(host=args.host, port=args.port, store=args.store)
    return 0
