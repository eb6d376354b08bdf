"""One SPARQL update on a pyoxigraph store, as the update endpoint runs it, and the request that
carries it to a worker process (where the engine tries it before applying it to the live store).

The store's default graph stays the merge of its named graphs
(:func:`graph.store.merged_update.apply_update`), and errors become chainkg's: the parser's message
(:class:`~graph.errors.QuerySyntaxError`), an evaluation error (:class:`UpdateFailedError`), or an
attempt to reach the network (:class:`~graph.errors.ForbiddenOperationError`).

>>> store = ox.Store()
>>> execute_update(store, UpdateRequest("INSERT { GRAPH <http://g> { <http://s> <http://p> 1 } } WHERE {}"))
>>> len(store)
2
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pyoxigraph as ox

from graph.errors import ForbiddenOperationError, QuerySyntaxError
from graph.prefixes import PREFIXES
from graph.sparql.protocol import is_network_error
from graph.sparql.safety import MSG_OUTBOUND, UpdateFailedError, check_update
from graph.store.merged_update import apply_update


@dataclass(frozen=True)
class UpdateRequest:
    """An update to run (picklable: it crosses to worker processes).

    Args:
        update: the SPARQL Update text, ``BASE`` included.
        refuse_outbound: refuse ``SERVICE`` / ``LOAD`` by the keyword check (``False`` leaves
            them to the worker's sandbox alone).
    """

    update: str
    refuse_outbound: bool = True


def execute_update(store: ox.Store, request: UpdateRequest) -> None:
    """Apply an update in one transaction (whole or not at all), keeping the default graph the
    merge of the named graphs.

    Raises:
        ForbiddenOperationError: ``SERVICE`` or ``LOAD`` (checked again here), or the engine
            tried to open a connection (a sandboxed worker cannot).
        QuerySyntaxError: the update does not parse.
        UpdateFailedError: the update failed while applied (e.g. ``CREATE`` of an existing graph).
    """
    check_update(request.update, outbound=request.refuse_outbound)
    with update_errors():
        try:
            apply_update(store, request.update, prefixes=PREFIXES)
        except SyntaxError as err:
            raise QuerySyntaxError(str(err)) from None


@contextmanager
def update_errors() -> Iterator[None]:
    """Turn the engine's errors while applying an update into chainkg's: an evaluation error
    (the update rolled back) into :class:`UpdateFailedError`, a connection attempt into
    :class:`~graph.errors.ForbiddenOperationError`; other OS errors pass unchanged."""
    try:
        yield
    except RuntimeError as err:  # pyoxigraph's evaluation errors; the update rolled back
        raise UpdateFailedError(f"update failed, nothing was written: {err}") from None
    except OSError as err:
        if is_network_error(err):
            raise ForbiddenOperationError(MSG_OUTBOUND) from None
        raise
