"""Entry point of a SPARQL worker process (started by :class:`graph.sparql.endpoint.ProcessPool`).

    python -m graph.sparql.worker STORE_DIR FD MAX_ROWS SANDBOX MEMORY_MB [MODE]

``FD`` is the worker's end of a socket pair inherited from the server; the worker lowers its CPU
priority first (so even its start-up yields to the server's own requests), cuts itself off from
the network (``SANDBOX`` = ``require``), caps its memory at ``MEMORY_MB`` MiB (0: none), opens
the store (read-only; read-write with ``MODE`` = ``update``, to try an update on a checkpoint),
says it is ready, then answers requests until the server closes the socket.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    os.nice(10)  # before the imports: graph.sparql.endpoint.WORKER_NICENESS, kept in step by a test

    from multiprocessing.connection import Connection

    from graph.sparql.pools import _worker_main

    _worker_main(sys.argv[1], Connection(int(sys.argv[2])), int(sys.argv[3]),
                 sandbox=sys.argv[4] if len(sys.argv) > 4 else "require",
                 memory_mb=int(sys.argv[5]) if len(sys.argv) > 5 else 0,
                 mode=sys.argv[6] if len(sys.argv) > 6 else "query")
