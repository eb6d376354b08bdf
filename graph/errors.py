"""Exceptions raised by :mod:`graph`; the API maps each to one HTTP status in one place."""

from __future__ import annotations

from dataclasses import dataclass, field


class ChainKGError(Exception):
    """Base class of every error chainkg raises on purpose."""


class QuerySyntaxError(ChainKGError, ValueError):
    """A SPARQL query or update does not parse; ``str(err)`` is the parser's message."""


class InvalidTermError(ChainKGError, ValueError):
    """A value meant as an RDF term is not one (e.g. an IRI with spaces or quotes)."""


class ForbiddenOperationError(ChainKGError, PermissionError):
    """The request asks for something the endpoint refuses (UPDATE on the query endpoint, SERVICE, LOAD)."""


class QueryTimeoutError(ChainKGError, TimeoutError):
    """A query ran past its time limit and was stopped."""


class ResultTooLargeError(ChainKGError):
    """A query produced more rows or triples than the configured cap."""


class QueryEvaluationError(ChainKGError, ValueError):
    """A query parsed but the engine could not evaluate it (e.g. an unknown function);
    ``str(err)`` carries the engine's message."""


class QueryMemoryError(ChainKGError, MemoryError):
    """A query needed more memory than a query worker may use, and was stopped."""


class QueryWorkerError(ChainKGError, RuntimeError):
    """A query worker process stopped without answering (not a time or memory limit)."""


class StoreLockedError(ChainKGError, OSError):
    """The store directory is open for writing by another process (RocksDB allows one writer)."""


@dataclass(frozen=True)
class Candidate:
    """A possible meaning of a name: IRI, kind, label and why it matched."""

    iri: str
    kind: str
    label: str
    matched: str = ""
    score: float = 0.0


class UnknownEntityError(ChainKGError, LookupError):
    """No resource answers to a name; carries the closest suggestions."""

    def __init__(self, name: str, suggestions: list[Candidate] | None = None, *, kind: str | None = None):
        self.name = name
        self.kind = kind
        self.suggestions = suggestions or []
        what = kind or "entity"
        hint = f"; did you mean {self.suggestions[0].label!r}?" if self.suggestions else ""
        super().__init__(f"unknown {what}: {name!r}{hint}")


class AmbiguousNameError(ChainKGError, LookupError):
    """Several resources answer to a name; carries them (the first ones, when ``total`` says
    there are more)."""

    def __init__(self, name: str, candidates: list[Candidate], *, kind: str | None = None,
                 total: int | None = None):
        self.name = name
        self.kind = kind
        self.candidates = candidates
        self.total = len(candidates) if total is None else total
        what = kind or "entity"
        listed = f" (the first {len(candidates)} listed)" if self.total > len(candidates) else ""
        super().__init__(f"ambiguous {what} name: {name!r} matches {self.total} resources{listed}")


@dataclass(frozen=True)
class Problem:
    """One reason a data file was rejected: where, and why."""

    source: str
    message: str
    line: int | None = None
    column: int | None = None
    focus: str | None = None
    path: str | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        extra = ""
        if self.focus:
            extra += f" [focus {self.focus}"
            extra += f", path {self.path}]" if self.path else "]"
        return f"{where}: {self.message}{extra}"


@dataclass
class DataRejectedError(ChainKGError, ValueError):
    """A data import was rejected whole; nothing was written. ``problems`` says where and why."""

    problems: list[Problem] = field(default_factory=list)
    kind: str = "parse"

    def __post_init__(self) -> None:
        super().__init__(self.summary())

    def summary(self) -> str:
        head = f"data rejected ({self.kind}): {len(self.problems)} problem(s)"
        return "\n".join([head, *(f"  - {p}" for p in self.problems[:50])])

    def __str__(self) -> str:
        return self.summary()


class StoreUnavailableError(ChainKGError):
    """The remote SPARQL server failed (refused the connection, answered 5xx or an unreadable
    body); the API answers 502."""


class StoreTimeoutError(ChainKGError, TimeoutError):
    """The remote SPARQL server did not answer within the per-request timeout; the API answers 504."""
