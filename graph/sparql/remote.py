"""The ``/sparql`` engine of a remote store: chainkg's safety check, then the query passed to the server.

Lives beside the embedded engine (:mod:`graph.sparql.endpoint`), whose check and answer encoding it
reuses, over :class:`graph.store.remote.RemoteStore` (the store layer below).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, cast

import pyoxigraph as ox

from graph.errors import QuerySyntaxError, QueryTimeoutError, StoreTimeoutError
from graph.store.remote import RemoteStore


class _ServerAsEngine:
    """What :func:`graph.sparql.endpoint.execute` needs of a pyoxigraph store (``query``), over the server."""

    def __init__(self, store: RemoteStore, deadline: float) -> None:
        self.store = store
        self.deadline = deadline

    def query(self, text: str, *, base_iri: str | None = None, prefixes: Any = None,
              default_graph: Sequence[ox.NamedNode] = (), named_graphs: Sequence[ox.NamedNode] = (),
              use_default_graph_as_union: bool = False) -> Any:
        left = max(self.deadline - time.monotonic(), 0.001)
        try:
            return self.store.request(text, timeout=left, base=base_iri,
                                      default_graphs=[g.value for g in default_graph],
                                      named_graphs=[g.value for g in named_graphs])
        except StoreTimeoutError:
            from graph.sparql.endpoint import TIMEOUT_MESSAGE

            raise QueryTimeoutError(TIMEOUT_MESSAGE) from None
        except QuerySyntaxError as err:
            raise SyntaxError(str(err)) from None


class RemoteEngine:
    """The ``/sparql`` engine of a remote store: the interface of :class:`graph.sparql.endpoint.SparqlEngine`.

    Each query passes chainkg's safety check (no update, ``SERVICE`` or ``LOAD``: the servers
    themselves would make outbound calls), then goes to the server with chainkg's time limit as
    the request timeout; the answer is parsed and re-serialized under the row cap, in the format
    the client negotiated, by the same code as the embedded engine's answers.

    Args:
        store: the remote store.
        timeout: seconds a query may run.
        max_rows: most solutions or triples an answer may hold.
    """

    mode = "remote"
    #: SPARQL servers make outbound SERVICE calls themselves (measured): chainkg always refuses
    #: SERVICE and LOAD before a query reaches them, whatever ``CHAINKG_KEYWORD_CHECK`` says.
    refuse_outbound = True

    def __init__(self, store: RemoteStore, *, timeout: float, max_rows: int) -> None:
        self.store = store
        self.timeout = timeout
        self.max_rows = max_rows

    def run(self, request: Any) -> Any:
        """Run a :class:`graph.sparql.endpoint.QueryRequest` in the calling thread; a ``QueryAnswer``.

        Raises:
            ForbiddenOperationError, QuerySyntaxError, QueryTimeoutError, ResultTooLargeError,
            StoreUnavailableError.
        """
        from graph.sparql.endpoint import check_query, execute

        check_query(request.query)
        deadline = time.monotonic() + self.timeout
        return execute(cast(Any, _ServerAsEngine(self.store, deadline)), replace(request, union=False),
                       deadline=deadline, max_rows=self.max_rows)

    async def query(self, request: Any) -> Any:
        """:meth:`run` (which checks the query first) in a thread, never on the event loop;
        answered :class:`QueryTimeoutError` at the deadline."""
        from graph.sparql.endpoint import TIMEOUT_MESSAGE

        try:
            return await asyncio.wait_for(asyncio.to_thread(self.run, request), self.timeout + 1.0)
        except TimeoutError:
            raise QueryTimeoutError(TIMEOUT_MESSAGE) from None

    async def update(self, text: str, *, base_iri: str | None = None) -> None:
        """Send an update (after chainkg's check) to the server's update endpoint.

        Raises:
            ForbiddenOperationError: ``LOAD``, ``SERVICE``, or no update endpoint.
        """
        from graph.sparql.endpoint import check_update

        await asyncio.to_thread(check_update, text)  # linear, but never on the event loop
        if base_iri is not None:
            text = f"BASE {ox.NamedNode(base_iri)}\n{text}"
        await asyncio.to_thread(self.store.update, text)

    def status(self) -> dict[str, object]:
        """What ``/health`` says of this engine: no worker pool, queries go to the server."""
        return {"mode": "remote", "endpoint": self.store.endpoint, "updates": self.store.update_endpoint is not None}

    def restart(self) -> None:
        """Nothing to restart: the server holds the data."""

    def starting(self) -> bool:
        """Never: no worker processes."""
        return False

    def wait_ready(self) -> None:
        """Nothing to wait for: no worker processes."""

    def close(self) -> None:
        """Nothing to stop (the store owns the connection pool)."""
