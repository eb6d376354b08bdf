"""The keyword analysis of SPARQL texts (:mod:`graph.sparql.safety`)."""

from __future__ import annotations

import pytest

from graph.errors import ForbiddenOperationError
from graph.sparql.safety import CACHED_TEXT_LIMIT, analyse, check_query


def test_a_short_text_is_scanned_once() -> None:
    text = "PREFIX ex: <http://e/> SELECT * FROM <http://g> { ?s ex:p ?o } # once"
    first = analyse(text)
    assert analyse(text) is first  # the route's check and the engine's share one scan
    assert (first.form, first.has_from) == ("SELECT", True)


def test_a_long_text_is_not_kept() -> None:
    text = "ASK { ?s ?p ?o }" + " " * CACHED_TEXT_LIMIT
    first = analyse(text)
    assert analyse(text) is not first
    assert analyse(text) == first


def test_a_cached_analysis_still_refuses() -> None:
    text = "ASK { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    for _ in range(2):  # the second check comes from the cache and must refuse too
        with pytest.raises(ForbiddenOperationError):
            check_query(text)
    assert check_query(text, outbound=False).outbound == "SERVICE"
