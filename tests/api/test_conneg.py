"""The Accept parser and the format table of ``/sparql`` (pure functions, no server)."""

from __future__ import annotations

import pytest

from api.conneg import FORMATS, MediaRange, negotiate, parse_accept

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
TTL = "text/turtle"

# (Accept header, families, expected media type or None for 406)
CASES: list[tuple[str | None, tuple[str, ...], str | None]] = [
    (None, ("results",), JSON),
    ("", ("results",), JSON),
    ("*/*", ("results",), JSON),
    ("*/*", ("graph",), TTL),
    (None, ("graph",), TTL),
    (XML, ("results",), XML),
    ("application/sparql-results+xml, application/sparql-results+json", ("results",), JSON),
    ("application/sparql-results+xml;q=1, application/sparql-results+json;q=0.5", ("results",), XML),
    ("text/csv;q=0.5, text/tab-separated-values;q=0.6", ("results",), "text/tab-separated-values"),
    ("text/*", ("results",), "text/csv"),
    ("text/*;q=0.2, text/tab-separated-values", ("results",), "text/tab-separated-values"),
    ("application/json", ("results",), "application/json"),
    ("application/json, */*;q=0.9", ("results",), "application/json"),
    ("application/sparql-results+json,application/json,text/javascript", ("results",), JSON),
    ("image/png", ("results",), None),
    ("text/turtle", ("results",), None),
    ("application/rdf+xml", ("graph",), "application/rdf+xml"),
    ("application/n-triples;q=0.9, text/turtle;q=0.1", ("graph",), "application/n-triples"),
    ("application/ld+json", ("graph",), "application/ld+json"),
    ("application/n-quads", ("graph",), "application/n-quads"),
    ("*/*;q=0, text/csv", ("results",), "text/csv"),
    ("*/*;q=0", ("results",), None),
    ("text/csv;q=0, */*", ("results",), JSON),
    ("TEXT/CSV", ("results",), "text/csv"),
    ("text/csv;q=bogus, application/sparql-results+xml;q=0.1", ("results",), XML),
    ("garbage, text/csv", ("results",), "text/csv"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ("graph", "page"), "text/html"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ("results",), JSON),
    ("*/*", ("graph", "page"), TTL),
    (None, ("graph", "page"), TTL),
]


@pytest.mark.parametrize(("accept", "families", "expected"), CASES)
def test_negotiate(accept: str | None, families: tuple[str, ...], expected: str | None) -> None:
    chosen = negotiate(accept, *families)  # type: ignore[arg-type]
    assert (chosen.media_type if chosen else None) == expected


@pytest.mark.parametrize(
    ("fmt", "families", "expected"),
    [
        ("tsv", ("results",), "text/tab-separated-values"),
        ("XML", ("results",), XML),
        ("text/csv", ("results",), "text/csv"),
        ("nt", ("graph",), "application/n-triples"),
        ("xml", ("graph",), "application/rdf+xml"),
        ("turtle", ("graph",), "text/turtle"),
        ("n3", ("graph",), "text/turtle"),
        ("rdf+xml", ("graph",), "application/rdf+xml"),
        # a value naming nothing this answer can take leaves the choice to Accept
        ("ttl", ("results",), "application/sparql-results+json"),
        ("nope", ("results",), "application/sparql-results+json"),
        ("nope", ("graph",), None),
    ],
)
def test_format_parameter_overrides_accept(fmt: str, families: tuple[str, ...], expected: str | None) -> None:
    chosen = negotiate("application/sparql-results+json", *families, fmt=fmt)  # type: ignore[arg-type]
    assert (chosen.media_type if chosen else None) == expected


# (Accept, format values as sent, families, expected): what SPARQLWrapper sends for each return format
CLIENT_CASES: list[tuple[str, list[str], tuple[str, ...], str | None]] = [
    ("application/rdf+xml", ["rdf+xml", "application/rdf+xml"], ("graph",), "application/rdf+xml"),
    ("application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3", ["n3"],
     ("graph",), "text/turtle"),
    ("application/turtle,text/turtle", ["turtle"], ("graph",), "text/turtle"),
    ("application/ld+json,application/x-json+ld", ["json-ld", "application/ld+json"], ("graph",),
     "application/ld+json"),
    ("text/tab-separated-values", ["tsv", "text/tab-separated-values"], ("results",), "text/tab-separated-values"),
    ("application/rdf+xml", ["made-up"], ("graph",), "application/rdf+xml"),
    ("text/csv", ["made-up", "csv"], ("results",), "text/csv"),
    ("image/png", ["made-up"], ("results",), None),
]


@pytest.mark.parametrize(("accept", "values", "families", "expected"), CLIENT_CASES)
def test_unknown_format_values_leave_accept_in_charge(
    accept: str, values: list[str], families: tuple[str, ...], expected: str | None
) -> None:
    chosen = negotiate(accept, *families, fmt=values)  # type: ignore[arg-type]
    assert (chosen.media_type if chosen else None) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, [MediaRange("*", "*", 1.0)]),
        ("text/csv", [MediaRange("text", "csv", 1.0)]),
        ("text/csv ; q=0.3 ; charset=utf-8", [MediaRange("text", "csv", 0.3)]),
        ("text/csv;q=7", [MediaRange("text", "csv", 1.0)]),
        ("text/csv;q=-1", [MediaRange("text", "csv", 0.0)]),
        ("*/csv, text", []),
    ],
)
def test_parse_accept(header: str | None, expected: list[MediaRange]) -> None:
    assert parse_accept(header) == expected


def test_each_family_has_one_default_and_unique_media_types() -> None:
    media = [f.media_type for f in FORMATS]
    assert len(media) == len(set(media))
    assert {f.family for f in FORMATS} == {"results", "graph", "page"}
