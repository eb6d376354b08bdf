"""The columns of a ``SELECT *`` answer (:func:`graph.sparql.protocol.star_order`)."""

from __future__ import annotations

import pytest

from graph.sparql.protocol import star_order

CASES = [
    # (query, the names pyoxigraph gives, the column order expected)
    ("SELECT * WHERE { ?z ?a ?b }", ["a", "b", "z"], ["z", "a", "b"]),
    ("PREFIX ex: <http://e/> SELECT DISTINCT * { ?b ex:p ?a . ?a ex:q ?c }", ["a", "b", "c"], ["b", "a", "c"]),
    ("select reduced * { ?y ?x ?y }", ["x", "y"], ["y", "x"]),
    ("SELECT ?b ?a { ?a ?b ?c }", ["b", "a"], ["b", "a"]),  # not a star: as given
    ("SELECT ?s { { SELECT * { ?o ?p ?s } } }", ["s"], ["s"]),  # only the outer SELECT counts
    ("ASK { ?s ?p ?o }", [], []),
    ("SELECT", ["a"], ["a"]),  # nothing after SELECT: as given
    ("SELECT * { ?a ?b ?c }", ["a", "b", "c", "unseen"], ["a", "b", "c", "unseen"]),
]


@pytest.mark.parametrize(("query", "names", "expected"), CASES)
def test_star_order(query: str, names: list[str], expected: list[str]) -> None:
    assert star_order(query, names) == expected
