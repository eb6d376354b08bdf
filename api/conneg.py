"""Content negotiation for ``/sparql``: one table of formats and a pure ``Accept`` parser.

Each :class:`Format` row ties a media type to a family (``results`` for SELECT/ASK, ``graph``
for CONSTRUCT/DESCRIBE, ``page`` for the HTML query page) and to the format name
:mod:`graph.sparql.endpoint` serializes with. The first row of a family is its default.

>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", "results").media_type
'application/sparql-results+xml'
>>> negotiate(None, "graph").media_type
'text/turtle'
>>> negotiate("image/png", "results") is None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Family = Literal["results", "graph", "page"]


@dataclass(frozen=True)
class Format:
    """One row of the table: media type, family, engine format name, names for ``?format=``."""

    media_type: str
    family: Family
    name: str
    aliases: tuple[str, ...]

    @property
    def short(self) -> str:
        """The preferred ``?format=`` name."""
        return self.aliases[0]


#: THE table. Order matters: first of a family = default, then server preference on ties.
FORMATS: tuple[Format, ...] = (
    Format("application/sparql-results+json", "results", "json", ("json",)),
    Format("application/sparql-results+xml", "results", "xml", ("xml",)),
    Format("text/csv", "results", "csv", ("csv",)),
    Format("text/tab-separated-values", "results", "tsv", ("tsv",)),
    Format("application/json", "results", "json", ()),
    # N3 is a superset of Turtle: a client asking for N3 (SPARQLWrapper's ``N3``) reads Turtle.
    Format("text/turtle", "graph", "ttl", ("ttl", "turtle", "n3")),
    Format("application/n-triples", "graph", "nt", ("nt", "ntriples", "n-triples")),
    Format("application/n-quads", "graph", "nq", ("nq", "nquads", "n-quads")),
    Format("application/ld+json", "graph", "jsonld", ("jsonld", "json-ld", "json")),
    Format("application/rdf+xml", "graph", "rdfxml", ("rdfxml", "rdf", "xml", "rdf+xml")),
    Format("text/html", "page", "html", ("html",)),
)


def formats(*families: Family) -> list[Format]:
    """The rows of the given families, in table order.

    >>> [f.short for f in formats("graph")]
    ['ttl', 'nt', 'nq', 'jsonld', 'rdfxml']
    """
    return [f for f in FORMATS if f.family in families]


@dataclass(frozen=True)
class MediaRange:
    """One entry of an ``Accept`` header."""

    type: str
    subtype: str
    q: float

    @property
    def specificity(self) -> int:
        """2 for ``type/subtype``, 1 for ``type/*``, 0 for ``*/*``."""
        if self.type == "*":
            return 0
        return 1 if self.subtype == "*" else 2

    def matches(self, media_type: str) -> bool:
        """Whether this range covers ``media_type`` (lower-case ``type/subtype``)."""
        kind, _, sub = media_type.partition("/")
        return self.type in ("*", kind) and self.subtype in ("*", sub)


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an ``Accept`` header into media ranges; malformed entries are ignored.

    A missing or empty header means ``*/*``. An unparseable ``q`` counts as 0 (not acceptable).

    >>> parse_accept("text/html;level=1;q=0.7, */*;q=0.1")
    [MediaRange(type='text', subtype='html', q=0.7), MediaRange(type='*', subtype='*', q=0.1)]
    >>> parse_accept(None)
    [MediaRange(type='*', subtype='*', q=1.0)]
    """
    if header is None or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        kind, slash, sub = pieces[0].lower().partition("/")
        if not slash or not kind or not sub or (kind == "*" and sub != "*"):
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(kind, sub, q))
    return ranges


def negotiate(
    accept: str | None, *families: Family, fmt: str | Sequence[str] | None = None
) -> Format | None:
    """Choose the format of an answer, or ``None`` when nothing acceptable exists (HTTP 406).

    Args:
        accept: the ``Accept`` header (``None`` when absent).
        families: the families the answer may take; the first family's first row is the default.
        fmt: the ``format`` request parameter(s) (an alias such as ``csv``, ``turtle``, ``n3``,
            ``rdf+xml``, or a media type). The first value that names a format of ``families``
            overrides ``accept``; values naming nothing this answer can take (unknown, or of
            another family) are ignored, so ``accept`` decides. ``json`` / ``xml`` name the
            family's JSON / XML format (JSON-LD, RDF/XML for graphs), as SPARQLWrapper sends them.

    For each format the most specific matching range gives its q; the highest q wins, then the
    more specific match, then table order. A header that matches nothing but has no explicit
    refusal still gets nothing: the client said what it accepts.

    >>> negotiate("application/json, */*;q=0.9", "results").media_type
    'application/json'
    >>> negotiate("*/*", "results", fmt="tsv").media_type
    'text/tab-separated-values'
    >>> negotiate("application/rdf+xml", "graph", fmt="no-such-format").media_type
    'application/rdf+xml'
    """
    candidates = formats(*families)
    wanted = [fmt] if isinstance(fmt, str) else list(fmt or ())
    for value in wanted:
        named = format_named(value, candidates)
        if named is not None:
            return named
    return by_accept(accept, candidates)


def format_named(value: str, candidates: Sequence[Format]) -> Format | None:
    """The candidate a ``format`` parameter value names (alias or media type), if any.

    >>> format_named("N3", formats("graph")).media_type
    'text/turtle'
    >>> format_named("n3", formats("results")) is None
    True
    """
    wanted = value.strip().lower()
    return next((f for f in candidates if wanted == f.media_type or wanted in f.aliases), None)


def by_accept(accept: str | None, candidates: Sequence[Format]) -> Format | None:
    """The candidate the ``Accept`` header prefers (see :func:`negotiate`), or ``None``."""
    ranges = parse_accept(accept)
    best: tuple[float, int, int] | None = None
    chosen: Format | None = None
    for rank, candidate in enumerate(candidates):
        matching = [r for r in ranges if r.matches(candidate.media_type)]
        if not matching:
            continue
        top = max(matching, key=lambda r: r.specificity)
        if top.q <= 0:
            continue
        key = (top.q, top.specificity, -rank)
        if best is None or key > best:
            best, chosen = key, candidate
    return chosen
