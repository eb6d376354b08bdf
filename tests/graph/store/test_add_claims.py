"""``KGStore.add_claims``: small writes in one transaction, large ones through the bulk loader;
both leave the named graphs and their merged default graph, and a failed large write leaves
the store as it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from graph.store import embedded
from graph.store.embedded import CLAIMS_BULK, KGStore

EX = "http://e.org/"


def claims(n: int, *, graph: str = "g", start: int = 0) -> list[ox.Quad]:
    """``n`` distinct named-graph quads, each with a shared predicate and object."""
    g, p = ox.NamedNode(EX + graph), ox.NamedNode(EX + "p")
    return [ox.Quad(ox.NamedNode(f"{EX}s{i}"), p, ox.Literal(f"v{i % 7}"), g) for i in range(start, start + n)]


def default_copies(store: KGStore) -> int:
    return sum(1 for _ in store.ox.quads_for_pattern(None, None, None, ox.DefaultGraph()))


@pytest.mark.parametrize("n", [10, CLAIMS_BULK])  # one transaction; the bulk loader
def test_claims_and_their_default_copies_are_written(tmp_path: Path, n: int) -> None:
    kg = KGStore(tmp_path / "store")
    try:
        existing = claims(3, graph="other", start=10**6)
        kg.add_claims(existing)
        quads = claims(n)
        assert kg.add_claims(quads) == n
        assert all(q in kg.ox for q in quads)
        assert default_copies(kg) == n + 3
        # the triples the first write stated in another graph keep one default copy
        again = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(EX + "g2")) for q in existing]
        assert kg.add_claims(again + quads[:5]) == 3
        assert default_copies(kg) == n + 3
    finally:
        kg.close()


def test_a_failing_bulk_write_leaves_the_store_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kg = KGStore(tmp_path / "store")
    try:
        before = claims(4, graph="other")
        kg.add_claims(before)
        shared = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(EX + "g")) for q in before]
        real = embedded._counted_with_copies

        def failing(quads: list[ox.Quad], *args: Any, **kwargs: Any) -> Iterator[ox.Quad]:
            for i, q in enumerate(real(quads, *args, **kwargs)):
                if i == CLAIMS_BULK:
                    raise OSError("disk full")
                yield q

        monkeypatch.setattr(embedded, "_counted_with_copies", failing)
        with pytest.raises(OSError, match="disk full"):
            kg.add_claims(shared + claims(CLAIMS_BULK, start=100))
        monkeypatch.undo()
        assert set(kg.ox) == set(embedded.with_merged_view(before))
    finally:
        kg.close()
