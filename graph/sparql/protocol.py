"""One SPARQL query in the calling thread: the protocol dataset, row cap, time limit, encoded answer."""

from __future__ import annotations

import errno
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import pyoxigraph as ox

from graph.errors import (
    ForbiddenOperationError,
    QueryEvaluationError,
    QuerySyntaxError,
    QueryTimeoutError,
    ResultTooLargeError,
)
from graph.prefixes import PREFIXES
from graph.sparql.safety import (
    MSG_OUTBOUND,
    check_query,
)
from graph.sparql_text import tokens

#: Result-set formats (SELECT, ASK) by the names :mod:`api.conneg` uses.
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


#: Graph formats (CONSTRUCT, DESCRIBE) by name.
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def default_graph_is_merge() -> bool:
    """Whether :mod:`graph.store.embedded` keeps the default graph as the merge of the named graphs."""
    from graph.store.embedded import DEFAULT_GRAPH_IS_MERGE

    return DEFAULT_GRAPH_IS_MERGE


@dataclass(frozen=True)
class QueryRequest:
    """A query to run (picklable: it crosses to worker processes).

    Args:
        query: the SPARQL text, handed to pyoxigraph as is.
        result_format: name in :data:`RESULT_FORMATS` for SELECT / ASK.
        graph_format: name in :data:`GRAPH_FORMATS` for CONSTRUCT / DESCRIBE.
        default_graphs: ``default-graph-uri`` values.
        named_graphs: ``named-graph-uri`` values.
        base_iri: base for relative IRIs (the endpoint's URL).
        union: without a protocol dataset or ``FROM``, read the union of all graphs with
            pyoxigraph's ``use_default_graph_as_union`` (``False``: read the store's default graph).
        refuse_outbound: refuse ``SERVICE`` / ``LOAD`` by the keyword check (``False`` leaves
            them to the worker's sandbox alone; never set from a request).
    """

    query: str
    result_format: str = "json"
    graph_format: str = "ttl"
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    union: bool = True
    refuse_outbound: bool = True


@dataclass(frozen=True)
class QueryAnswer:
    """A serialized answer: ``kind`` is ``results`` or ``graph``; ``fmt`` is the format name used."""

    body: bytes
    kind: Literal["results", "graph"]
    fmt: str
    count: int


def execute(store: ox.Store, request: QueryRequest, *, deadline: float, max_rows: int) -> QueryAnswer:
    """Run a query and serialize its answer, reading everything in this thread.

    Args:
        store: the pyoxigraph store.
        request: what to run.
        deadline: ``time.monotonic()`` value after which reading stops.
        max_rows: most solutions or triples the answer may hold.

    Raises:
        ForbiddenOperationError: update, ``SERVICE`` or ``LOAD`` (checked again here), or the
            engine tried to open a connection (a sandboxed worker cannot).
        QuerySyntaxError: the query does not parse, or a graph IRI is invalid.
        QueryEvaluationError: the engine failed to evaluate it (with the engine's message).
        QueryTimeoutError: the deadline passed while reading.
        ResultTooLargeError: more than ``max_rows`` solutions or triples.
    """
    try:
        return _execute(store, request, deadline=deadline, max_rows=max_rows)
    except RuntimeError as err:  # pyoxigraph's evaluation errors (e.g. an unknown function)
        err.with_traceback(None)  # its frames hold the result: drop them in this thread
        raise QueryEvaluationError(f"the query failed: {err}") from None
    except OSError as err:
        if is_network_error(err):
            err.with_traceback(None)
            raise ForbiddenOperationError(MSG_OUTBOUND) from None
        raise


def is_network_error(err: OSError) -> bool:
    """Whether an error from the engine comes from an attempt to reach the network.

    >>> is_network_error(OSError(101, "Network is unreachable"))
    True
    """
    return isinstance(err, ConnectionError) or err.errno in _NETWORK_ERRNOS or (
        "os error 101" in str(err) or "Network is unreachable" in str(err)
    )


_NETWORK_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ECONNREFUSED}


def _execute(store: ox.Store, request: QueryRequest, *, deadline: float, max_rows: int) -> QueryAnswer:
    found = check_query(request.query, outbound=request.refuse_outbound)
    options: dict[str, Any] = {"base_iri": request.base_iri, "prefixes": PREFIXES}
    if request.default_graphs or request.named_graphs:
        try:
            options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
            options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
        except ValueError as err:
            raise QuerySyntaxError(f"invalid graph IRI: {err}") from None
    else:
        options["use_default_graph_as_union"] = request.union and not found.has_from
    try:
        result = store.query(request.query, **options)
    except SyntaxError as err:
        raise QuerySyntaxError(str(err)) from None
    try:
        return _read(result, request, deadline=deadline, max_rows=max_rows)
    except (QueryTimeoutError, ResultTooLargeError) as err:
        # The traceback's frames hold the result (and its solutions): pyoxigraph aborts when
        # they are dropped in another thread, so drop them here, before the error travels on.
        err.with_traceback(None)
        del result
        raise err from None


def _read(result: Any, request: QueryRequest, *, deadline: float, max_rows: int) -> QueryAnswer:
    """Serialize ``result`` in the requested format (see :func:`execute`)."""
    if isinstance(result, ox.QueryBoolean):
        fmt = _pick(request.result_format, RESULT_FORMATS, "json")
        return QueryAnswer(result.serialize(format=RESULT_FORMATS[fmt]) or b"", "results", fmt, 1)
    if isinstance(result, ox.QuerySolutions):
        fmt = _pick(request.result_format, RESULT_FORMATS, "json")
        names = star_order(request.query, [v.value for v in result.variables])
        bindings = []
        for solution in _bounded(result, deadline=deadline, max_rows=max_rows, what="rows"):
            bindings.append(
                {n: _json_term(t) for n, t in zip(names, solution, strict=True) if t is not None}
            )
        doc = json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}, ensure_ascii=False).encode()
        if fmt != "json":
            parsed = ox.parse_query_results(doc, format=ox.QueryResultsFormat.JSON)
            doc = parsed.serialize(format=RESULT_FORMATS[fmt]) or b""
        return QueryAnswer(doc, "results", fmt, len(bindings))
    fmt = _pick(request.graph_format, GRAPH_FORMATS, "ttl")
    triples = list(_bounded(result, deadline=deadline, max_rows=max_rows, what="triples"))
    rdf_format = GRAPH_FORMATS[fmt]
    items: list[Any] = triples
    if rdf_format.supports_datasets:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    prefixes = _used_prefixes(triples) if rdf_format == ox.RdfFormat.TURTLE else None
    body = ox.serialize(items, format=rdf_format, prefixes=prefixes)
    return QueryAnswer(body or b"", "graph", fmt, len(triples))


def star_order(query: str, names: list[str]) -> list[str]:
    """The columns of a ``SELECT *`` in the order their variables first appear in the query
    (pyoxigraph gives them sorted by name); other queries keep ``names`` as they are.

    >>> star_order("SELECT * WHERE { ?z ?a ?b }", ["a", "b", "z"])
    ['z', 'a', 'b']
    >>> star_order("SELECT ?b ?a { ?a ?b ?c }", ["b", "a"])
    ['b', 'a']
    """
    found = tokens(query)  # read lazily: a query that does not select ``*`` stops after its SELECT
    for token in found:
        if token.keyword == "SELECT":
            rest = (t for t in found if t.keyword not in ("DISTINCT", "REDUCED"))
            head = next(rest, None)
            if head is None or head.text != "*":
                return names
            first: dict[str, int] = {}
            position = 0
            for position, t in enumerate(rest, start=1):
                if t.kind == "var":
                    first.setdefault(t.text[1:], position)
            return sorted(names, key=lambda n: first.get(n, position + 1))
    return names


def _used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """The chainkg prefixes whose namespace starts an IRI of the answer (for readable Turtle)."""
    iris = {t.value for triple in triples for t in triple if isinstance(t, ox.NamedNode)}
    return {p: ns for p, ns in PREFIXES.items() if any(i.startswith(ns) for i in iris)}


def _pick(name: str, table: dict[str, Any], default: str) -> str:
    return name if name in table else default


def _bounded(items: Any, *, deadline: float, max_rows: int, what: str) -> Iterator[Any]:
    for count, item in enumerate(items, start=1):
        if time.monotonic() > deadline:
            raise QueryTimeoutError(TIMEOUT_MESSAGE)
        if count > max_rows:
            raise ResultTooLargeError(
                f"the answer has more than {max_rows} {what}; narrow the query or add LIMIT"
            )
        yield item


TIMEOUT_MESSAGE = "the query ran past the time limit and was stopped"


def _json_term(term: Any) -> dict[str, Any]:
    """A term in the SPARQL 1.1 JSON results format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"unsupported term {term!r}")
