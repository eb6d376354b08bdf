"""Serve an already-built chainkg store with uvicorn on 127.0.0.1 (no build, no access log).

    python -m benchmarks.serve STORE_DIR PORT [SPARQL_ENDPOINT]

With a SPARQL endpoint, chainkg runs in remote mode over that server and STORE_DIR holds the
side files built by ``chainkg index``. As ``chainkg serve`` does, the SPARQL workers of a
read-only store are launched before the web stack is imported (:mod:`api.prelaunch`).
"""

from __future__ import annotations

import sys

from api.prelaunch import launch
from api.settings import Settings

if __name__ == "__main__":
    endpoint = sys.argv[3] if len(sys.argv) > 3 else None
    settings = Settings(store=sys.argv[1], build_if_empty=False, access_log=False, sparql_endpoint=endpoint)
    workers = launch(settings)  # they start while the imports below run

    import uvicorn

    from api.main import create_app

    uvicorn.run(create_app(settings, workers=workers), host="127.0.0.1", port=int(sys.argv[2]),
                log_level="warning", access_log=False)
