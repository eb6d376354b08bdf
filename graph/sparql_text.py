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

# SPARQL 1.1 grammar character classes (PN_CHARS_BASE, PN_CHARS_U, PN_CHARS) and escapes (PLX).
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)


_CHARS = _BASE + "_\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"


_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"


# Every alternative either fails on its first character or matches with possessive (never
# backtracking) quantifiers, and strings match even when unterminated (flagged by the missing
# closing quote): scanning is linear in the length of the text, whatever it contains.
_TOKEN = re.compile(
    r"""
    (?P<ws>\s++)
  | (?P<comment>\#[^\n\r]*+)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*+>)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*+(?:'''|\Z)
               |\"\"\"(?:[^"\\]|\\.|"(?!""))*+(?:\"\"\"|\Z)
               |'(?:[^'\\\n\r]|\\.)*+'?
               |"(?:[^"\\\n\r]|\\.)*+"?)
  | (?P<var>[?$][CHARS]*+)
  | (?P<lang>@[A-Za-z0-9\-]++)
  | (?P<number>[0-9]++)
  | (?P<name>(?:[CHARS.:]|PLX|\\.)++)
  | (?P<punct>.)
    """.replace("CHARS", _CHARS).replace("PLX", _PLX),
    re.VERBOSE | re.DOTALL,
)


#: Keywords that make the engine open a connection.
OUTBOUND = ("SERVICE", "LOAD")


@dataclass(frozen=True)
class Token:
    """A significant token: ``kind`` is ``iri``, ``string``, ``var``, ``lang``, ``number``,
    ``name`` or ``punct`` (``open`` for a string that never ends)."""

    kind: str
    text: str
    start: int

    @property
    def keyword(self) -> str | None:
        """The upper-cased keyword if the token is a bare word (not a prefixed name)."""
        if self.kind == "name" and ":" not in self.text:
            return self.text.upper()
        return None

    @property
    def outbound(self) -> str | None:
        """``SERVICE`` or ``LOAD`` when the engine may read that keyword in this token.

        pyoxigraph matches keywords without a word boundary: ``SERVICE:x`` is the keyword and the
        IRI ``:x``, ``SERVICEex:x`` the keyword and ``ex:x``, ``trueSERVICE`` the literal ``true``
        and the keyword. So a name whose part before the first ``:`` contains either word, in
        any case, counts as the keyword (a prefix such as ``loader:`` is refused too: when unsure,
        refuse). The local part after the colon is one prefixed name to the engine.
        """
        if self.kind != "name":
            return None
        head = self.text.split(":", 1)[0].upper()
        return next((word for word in OUTBOUND if word in head), None)


def tokens(text: str) -> Iterator[Token]:
    """Yield the significant tokens of a SPARQL text (whitespace and comments dropped).

    Comments end at a line feed or a carriage return. A string that is never closed is yielded
    whole with kind ``open`` (the engine will reject the text).

    >>> [t.keyword for t in tokens('SELECT * { ?s ?p "SERVICE" } # LOAD')]
    ['SELECT', None, None, None, None, None, None]
    >>> [t.kind for t in tokens('ASK { ?s ?p "open ')]
    ['name', 'punct', 'var', 'var', 'open']
    """
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        if kind in ("ws", "comment"):
            continue
        value = match.group()
        if kind == "string" and not _closed(value):
            kind = "open"
        yield Token(kind, value, match.start())


def _closed(string: str) -> bool:
    """Whether a matched string token ends with its closing quote(s)."""
    quote = string[:3] if string[:3] in ("'''", '"""') else string[0]
    return len(string) >= 2 * len(quote) and string.endswith(quote)
