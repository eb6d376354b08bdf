"""The safety check of a SPARQL request: its form, and the refusals (update on /sparql, SERVICE, LOAD)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Literal

import pyoxigraph as ox

from graph.errors import (
    ChainKGError,
    ForbiddenOperationError,
    QuerySyntaxError,
)
from graph.sparql_text import _TOKEN, Token, _closed, tokens


class UpdateFailedError(ChainKGError, ValueError):
    """An update parsed but failed while being applied (nothing was written)."""


#: Fixed messages of the refusals (tests and clients may rely on them).
MSG_UPDATE_ON_QUERY = "SPARQL Update is not accepted on the query endpoint; POST it to /sparql/update"


MSG_SERVICE = "SERVICE (federated query) is not allowed: this endpoint makes no outbound connections"


MSG_LOAD = "LOAD is not allowed: this endpoint makes no outbound connections"


MSG_OUTBOUND = "the request tried to open an outbound connection; this endpoint makes none (refused)"


MSG_USING_CONFLICT = (
    "using-graph-uri / using-named-graph-uri cannot be combined with USING or WITH in the update"
)


Form = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "UPDATE", "UNKNOWN"]


_QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


_OUTBOUND_ANYWHERE = re.compile("SERVICE|LOAD", re.IGNORECASE)


@dataclass(frozen=True)
class Analysis:
    """What :func:`analyse` found: operation form, the keywords that matter, and the first
    ``SERVICE`` / ``LOAD`` the engine may read (``None`` when there is none)."""

    form: Form
    has_from: bool = False
    keywords: frozenset[str] = field(default_factory=frozenset)
    outbound: str | None = None


#: Texts up to this length keep their analysis in a small cache: the endpoint checks a query in
#: the route (to choose the answer's format) and again in the engine, one scan serves both.
CACHED_TEXT_LIMIT = 8192


def analyse(text: str) -> Analysis:
    """Find the form of a SPARQL request and the keywords the checks need (linear time).

    The form is the first bare keyword after the prologue (``BASE`` / ``PREFIX``). A string
    that is never closed ends the scan: the rest of the text is then searched for ``SERVICE``
    and ``LOAD`` anywhere, in any case (the engine rejects such a text, but when unsure, refuse).

    >>> found = analyse("PREFIX ex: <http://e/> SELECT * FROM <http://g> { ?s ex:p ?o }")
    >>> found.form, found.has_from, sorted(found.keywords)
    ('SELECT', True, ['FROM', 'PREFIX', 'SELECT'])
    >>> analyse("PREFIX : <http://127.0.0.1:9/> ASK { SERVICE:x {} }").outbound
    'SERVICE'
    """
    if len(text) <= CACHED_TEXT_LIMIT:
        return _analyse_cached(text)
    return _analyse(text)


def _analyse(text: str) -> Analysis:
    form: Form = "UNKNOWN"
    words: set[str] = set()
    outbound: str | None = None
    for match in _TOKEN.finditer(text):  # tokens() without building a Token for each
        kind = match.lastgroup
        if kind == "string" and not _closed(match.group()):
            if outbound is None:
                hit = _OUTBOUND_ANYWHERE.search(text, match.start())
                outbound = hit.group().upper() if hit else None
            break
        if kind != "name":
            continue
        value = match.group().upper()
        head, colon, _ = value.partition(":")
        if outbound is None and ("SERVICE" in head or "LOAD" in head):  # as Token.outbound
            outbound = "SERVICE" if "SERVICE" in head else "LOAD"
        if colon:
            continue
        word = value
        words.add(word)
        if form == "UNKNOWN" and word not in ("BASE", "PREFIX"):
            if word in _QUERY_FORMS:
                form = word  # type: ignore[assignment]
            elif word in _UPDATE_WORDS:
                form = "UPDATE"
    return Analysis(form=form, has_from="FROM" in words, keywords=frozenset(words), outbound=outbound)


_analyse_cached = functools.lru_cache(maxsize=256)(_analyse)  # an Analysis is immutable: safe to share


def check_query(text: str, *, outbound: bool = True) -> Analysis:
    """Refuse what the query operation must not run; return the analysis otherwise.

    Args:
        text: the query.
        outbound: refuse ``SERVICE`` and ``LOAD`` (``False`` leaves them to the sandbox alone).

    Raises:
        ForbiddenOperationError: the text is an update, or uses ``SERVICE`` or ``LOAD``.

    >>> check_query("ASK {}").form
    'ASK'
    >>> check_query("ASK { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    Traceback (most recent call last):
    graph.errors.ForbiddenOperationError: SERVICE (federated query) is not allowed: ...
    """
    found = analyse(text)
    if found.form == "UPDATE":
        raise ForbiddenOperationError(MSG_UPDATE_ON_QUERY)
    if outbound:
        _refuse_outbound(found)
    return found


def check_update(text: str, *, outbound: bool = True) -> Analysis:
    """Refuse ``LOAD`` and ``SERVICE`` in an update; return the analysis otherwise.

    Raises:
        ForbiddenOperationError: the update uses ``LOAD`` or ``SERVICE``.
    """
    found = analyse(text)
    if outbound:
        _refuse_outbound(found)
    return found


def _refuse_outbound(found: Analysis) -> None:
    if found.outbound == "SERVICE":
        raise ForbiddenOperationError(MSG_SERVICE)
    if found.outbound == "LOAD":
        raise ForbiddenOperationError(MSG_LOAD)


def apply_using(text: str, *, using: tuple[str, ...] = (), using_named: tuple[str, ...] = ()) -> str:
    """Add the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` as ``USING`` clauses.

    Each ``WHERE`` at brace depth 0 that is not ``DELETE WHERE`` belongs to an
    ``INSERT``/``DELETE … WHERE`` operation, and gets the clauses just before it.

    Raises:
        QuerySyntaxError: the update already has ``USING`` or ``WITH``, or a graph is not an IRI.

    >>> apply_using("INSERT { ?s a <http://c> } WHERE { ?s ?p ?o }", using=("http://g",))
    'INSERT { ?s a <http://c> } USING <http://g> WHERE { ?s ?p ?o }'
    """
    if not using and not using_named:
        return text
    clauses = " ".join(
        [f"USING {_iri(g)}" for g in using] + [f"USING NAMED {_iri(g)}" for g in using_named]
    )
    found = list(tokens(text))
    if any(t.keyword in ("USING", "WITH") for t in found):
        raise QuerySyntaxError(MSG_USING_CONFLICT)
    inserts: list[int] = []
    depth = 0
    previous: Token | None = None
    for token in found:
        if token.text == "{" and token.kind == "punct":
            depth += 1
        elif token.text == "}" and token.kind == "punct":
            depth -= 1
        elif depth == 0 and token.keyword == "WHERE" and (previous is None or previous.keyword != "DELETE"):
            inserts.append(token.start)
        previous = token
    for position in reversed(inserts):
        text = text[:position] + clauses + " " + text[position:]
    return text


def _iri(value: str) -> str:
    try:
        return str(ox.NamedNode(value))
    except ValueError:
        raise QuerySyntaxError(f"not an absolute IRI: {value!r}") from None
