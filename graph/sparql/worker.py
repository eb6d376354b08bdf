"""Entry point of a SPARQL worker process (started by :class:`graph.sparql.endpoint.ProcessPool`).

    python -m graph.sparql.worker STORE_DIR FD MAX_ROWS

``FD`` is the worker's end of a socket pair inherited from the server; the worker opens the
store read-only, says it is ready, then answers queries until the server closes the socket.
"""

from __future__ import annotations

import sys
from multiprocessing.connection import Connection

from graph.sparql.endpoint import _worker_main

if __name__ == "__main__":
    _worker_main(sys.argv[1], Connection(int(sys.argv[2])), int(sys.argv[3]))
