"""``graph/sparql/guard.py``: an update is tried in a sandboxed worker process on a checkpoint, under
the query time limit and the workers' memory cap, before the engine applies it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from graph.errors import QueryMemoryError, QueryTimeoutError
from graph.sparql.engine import SparqlEngine
from graph.sparql.guard import checkpoint, try_update
from graph.sparql.safety import UpdateFailedError
from graph.sparql.updates import UpdateRequest
from graph.store.embedded import KGStore

EX = "http://e.org/"
DATA = f"@prefix ex: <{EX}> . ex:g {{ " + " ".join(f"ex:s{i} ex:n {i} ." for i in range(300)) + " }"
#: 600 quads to the third power, each compared: minutes of work in little memory.
RUNAWAY = (f"INSERT DATA {{ GRAPH <{EX}marker> {{ <{EX}m> <{EX}m> 1 }} }} ; "
           "DELETE { ?a ?b ?c } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
           "FILTER(STR(?c) = CONCAT(STR(?f), STR(?i), 'x')) }")
#: Sorting 216 million rows: gigabytes.
BOMB = (f"INSERT {{ GRAPH <{EX}bomb> {{ ?a ?b ?c }} }} WHERE {{ SELECT * WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }} "
        "ORDER BY ?c ?f ?i DESC(?a) }")
MOVE_ON = (f"DELETE {{ GRAPH <{EX}g> {{ ?s <{EX}n> 5 }} }} INSERT {{ GRAPH <{EX}g> {{ ?s <{EX}n> 500 }} }} "
           f"WHERE {{ GRAPH <{EX}g> {{ ?s <{EX}n> 5 }} }}")


@pytest.fixture(params=["disk", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[KGStore]:
    kg = KGStore(tmp_path / "store" if request.param == "disk" else None)
    kg.load_data(DATA, fmt="trig")
    yield kg
    kg.close()


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine to its end on a loop of its own (another test may hold this thread's loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def leftovers(kg: KGStore) -> list[Path]:
    """Checkpoint directories left beside an on-disk store."""
    return [] if kg.path is None else sorted(kg.path.parent.glob(f".{kg.path.name}-update-*"))


def test_an_update_that_runs_forever_is_stopped_on_time_and_changes_nothing(store: KGStore) -> None:
    before = len(store)
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError, match="ran past the time limit"):
        try_update(store, UpdateRequest(RUNAWAY), timeout=2, memory_mb=600)
    assert time.monotonic() - started < 15  # the limit, plus a worker's start and a checkpoint
    assert len(store) == before
    assert leftovers(store) == []


def test_a_memory_bomb_update_is_stopped_at_the_cap(store: KGStore) -> None:
    with pytest.raises(QueryMemoryError, match="600 MiB, CHAINKG_WORKER_MEMORY_MB"):
        try_update(store, UpdateRequest(BOMB), timeout=30, memory_mb=600)
    assert not store.ask(f"ASK {{ GRAPH <{EX}bomb> {{ ?s ?p ?o }} }}")
    assert leftovers(store) == []


def test_an_error_in_the_try_is_the_engine_error_and_nothing_is_applied(store: KGStore) -> None:
    with pytest.raises(UpdateFailedError, match="<urn:nope>"):
        try_update(store, UpdateRequest(f"INSERT {{ GRAPH <{EX}g> {{ ?s <{EX}q> ?x }} }} "
                                        f"WHERE {{ ?s <{EX}n> 1 BIND(<urn:nope>(1) AS ?x) }}"), timeout=10)
    try_update(store, UpdateRequest(MOVE_ON), timeout=10)  # finished in the try: not applied by it
    assert store.ask(f"ASK {{ <{EX}s5> <{EX}n> 5 }}")


def test_the_checkpoint_is_a_copy_and_goes_away(store: KGStore) -> None:
    with checkpoint(store) as copy:
        assert copy.is_dir()
        with KGStore(copy) as other:
            other.update(f"CLEAR GRAPH <{EX}g>")
            assert len(other) == 0
    assert len(store) == 600
    assert not copy.exists()


def test_the_engine_applies_only_what_finished_in_its_try(store: KGStore) -> None:
    engine = SparqlEngine(store, timeout=2, max_rows=10, workers=1, updates=True, memory_mb=600)
    try:
        with pytest.raises(QueryTimeoutError):
            run(engine.update(RUNAWAY))
        assert not store.ask(f"ASK {{ <{EX}m> ?p ?o }}")  # its first operation was not applied either
        run(engine.update(MOVE_ON))
        assert store.ask(f"ASK {{ <{EX}s5> <{EX}n> 500 }}") and not store.ask(f"ASK {{ <{EX}s5> <{EX}n> 5 }}")
        assert leftovers(store) == []
    finally:
        engine.close()
