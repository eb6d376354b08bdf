"""SPARQL text without a parser: the tokenizer shared by the store and the endpoint's safety checks.

:func:`tokens` yields the significant tokens of a query or update (whitespace and comments
dropped). The embedded store (:mod:`graph.store.embedded`) reads updates with it for its
``INSERT DATA`` fast path, and :mod:`graph.sparql.endpoint` refuses ``SERVICE``, ``LOAD`` and
updates with it; it sits below both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<name>[^\W\d][\w\-.]*(?::(?:[\w\-.:%]|\\.)*)?|:(?:[\w\-.:%]|\\.)*)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    """A significant token: ``kind`` is ``iri``, ``string``, ``var``, ``lang``, ``name`` or ``punct``."""

    kind: str
    text: str
    start: int

    @property
    def keyword(self) -> str | None:
        """The upper-cased keyword if the token is a bare word (not a prefixed name)."""
        if self.kind == "name" and ":" not in self.text:
            return self.text.upper()
        return None


def tokens(text: str) -> Iterator[Token]:
    """Yield the significant tokens of a SPARQL text (whitespace and comments dropped).

    An unterminated string or IRI yields its first character as punctuation, so the rest of
    the text is still scanned (a refusal check never skips text it could not tokenize).

    >>> [t.keyword for t in tokens('SELECT * { ?s ?p "SERVICE" } # LOAD')]
    ['SELECT', None, None, None, None, None, None]
    """
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        if kind in ("ws", "comment"):
            continue
        yield Token(kind, match.group(), match.start())
