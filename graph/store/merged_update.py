"""SPARQL updates that keep the default graph the merge of the named graphs, at a cost
proportional to what they change.

The store keeps its default graph equal to the RDF merge of its named graphs (see
:mod:`graph.store.embedded`). After an update, only the triples the update may have added to or
removed from some graph can break that; :func:`incremental_update` rewrites the update text so
that it also records those triples, and then fixes the default graph for them alone:

* a scratch named graph, :data:`TOUCHED_GRAPH` followed by a fresh random part (so no user
  update can name it), collects every triple any operation may have added or removed:

  - ``[WITH g] DELETE {Td} INSERT {Ti} [USING …] WHERE {P}`` (and the forms without DELETE or
    INSERT) get copies of their template triples in the INSERT template: each
    ``GRAPH x { … }`` block re-emitted as ``GRAPH <touched> { … }`` with the same inner text, each
    run of bare triples wrapped the same way. Variables and blank node labels stay as they are,
    so each solution instantiates the same triples in the scratch graph;
  - ``DELETE WHERE {Q}`` becomes ``DELETE {Q} INSERT {copies of Q} WHERE {Q}``;
  - ``INSERT DATA`` gets the copies in its own data block, ``DELETE DATA`` is followed by an
    ``INSERT DATA`` of them;
  - ``CLEAR`` / ``DROP GRAPH g`` and ``ADD`` / ``COPY`` / ``MOVE`` between named graphs are preceded
    by an ``INSERT`` of the graphs involved (``COPY`` and ``MOVE``: source and target; ``ADD``:
    the source); ``CREATE`` changes no triple;

* every ``GRAPH ?var { … }`` pattern in a ``WHERE`` gets ``FILTER(?var != <touched>)`` after it,
  so a later operation of the same update never reads the scratch graph;
* after the last operation, each scratch triple is copied into the default graph when some other
  named graph states it and removed from the default graph otherwise, and the scratch graph is
  dropped. The whole text is one pyoxigraph update: one transaction.

Whatever the rewriter cannot read with certainty returns ``None``, and the caller re-derives the
whole default graph (:data:`REDERIVE_DEFAULT_GRAPH`, a cost proportional to the store): ``CLEAR`` /
``DROP`` of ``DEFAULT``, ``NAMED`` or ``ALL``; ``ADD`` / ``COPY`` / ``MOVE`` from or to ``DEFAULT``;
``LOAD``; anonymous blank nodes (``[]``) and collections in templates (their copies would be other
blank nodes); keywords glued to names; anything unexpected. :func:`apply_update` also falls back when
pyoxigraph rejects a rewritten text, so the user always gets the parser's message for the text they
sent, and a wrong rewrite can cost time but never leave a wrong store.

This module imports pyoxigraph and the tokenizer only: the SPARQL worker processes that try an
update before the server applies it (:mod:`graph.sparql.updates`) run exactly this code.

>>> text = incremental_update("DELETE { GRAPH ?g { ?s ?p 1 } } WHERE { GRAPH ?g { ?s ?p 1 } }", touched="u:t")
>>> print(text.split("\\n;")[0])
DELETE { GRAPH ?g { ?s ?p 1 } } INSERT { GRAPH <u:t> { ?s ?p 1 } } WHERE { GRAPH ?g { ?s ?p 1 } FILTER(?g != <u:t>) }
>>> incremental_update("CLEAR ALL") is None
True
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Literal

import pyoxigraph as ox

from graph.sparql_text import Token, tokens

#: IRI of the scratch graph of an update; each update appends ``:`` and a fresh random part.
TOUCHED_GRAPH = "urn:chainkg:touched"

#: Appended to an update the rewriter cannot read (same transaction): the default graph becomes
#: the merge of the named ones, at a cost proportional to the whole store.
REDERIVE_DEFAULT_GRAPH = """DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } } ;
INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"""

#: Appended to a rewritten update: the default graph is fixed for the scratch graph's triples only.
FIX_TOUCHED = """INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH <{t}> {{ ?s ?p ?o }}
  FILTER EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{t}>) }} }} ;
DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{t}> {{ ?s ?p ?o }}
  FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{t}>) }} }} ;
DROP SILENT GRAPH <{t}>"""

#: Copies a whole named graph into the scratch graph (before CLEAR, DROP, ADD, COPY, MOVE).
_COLLECT = "INSERT {{ GRAPH <{t}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }} ;\n"

#: Bare words a triple template may hold: ``a``, booleans, the pieces of decimals and doubles
#: (the tokenizer reads ``1.5e3`` as ``1`` and ``.5e3``), and the ``.`` that ends a triple.
_BARE_WORD = re.compile(r"\.*(?:A|TRUE|FALSE|[0-9]*(?:E[0-9]*)?)\.*")

#: Keywords that may stand where ADD / COPY / MOVE take a graph IRI (``GRAPH? iri`` or ``DEFAULT``).
_GRAPH_SLOT_WORDS = ("DEFAULT", "GRAPH", "SILENT", "TO")


def data_only(sparql: str) -> tuple[str, str] | None:
    """``("insert", text)`` when every operation of the update is ``INSERT DATA``; ``("delete",
    text with each such DELETE turned into INSERT)`` when every one is ``DELETE DATA``, so that
    running the text on an empty store yields the quads it deletes; ``None`` otherwise.

    >>> data_only("PREFIX ex: <http://e/> INSERT DATA { GRAPH ex:g { ex:a ex:p 1 } }")[0]
    'insert'
    >>> data_only("DELETE DATA { <http://a> <http://p> 1 } ; DELETE DATA { <http://a> <http://p> 2 }")[1]
    'INSERT DATA { <http://a> <http://p> 1 } ; INSERT DATA { <http://a> <http://p> 2 }'
    >>> data_only("DELETE WHERE { ?s ?p ?o }") is None
    True
    >>> data_only("INSERT DATA { <http://a> <http://p> 1 } ; CREATE GRAPH <http://g>") is None
    True
    """
    kinds: set[str] = set()
    starts: list[int] = []
    depth = 0
    expect_op = True
    pending: tuple[str, int] | None = None  # (INSERT|DELETE, start) waiting for DATA
    for token in tokens(sparql):
        if token.kind == "punct" and token.text == "{":
            depth += 1
        elif token.kind == "punct" and token.text == "}":
            depth -= 1
        elif depth == 0 and token.kind == "punct" and token.text == ";":
            expect_op = True
            continue
        if depth or not expect_op:
            continue
        word = token.keyword
        if pending is not None:
            if word != "DATA":
                return None
            kinds.add(pending[0])
            starts.append(pending[1])
            pending = None
            expect_op = False
        elif word in ("INSERT", "DELETE"):
            pending = (word, token.start)
        elif word in ("PREFIX", "BASE") or token.kind == "iri" or (token.kind == "name" and word is None):
            continue  # the prologue: its keywords, prefix names and IRIs
        else:
            return None
    if pending is not None or len(kinds) != 1:
        return None
    kind = kinds.pop()
    if kind == "INSERT":
        return "insert", sparql
    text = sparql
    for start in reversed(starts):
        text = text[:start] + "INSERT" + text[start + len("DELETE"):]
    return "delete", text


class _Unsure(Exception):
    """The rewriter cannot read the update with certainty (the caller re-derives everything)."""


def incremental_update(sparql: str, *, touched: str | None = None) -> str | None:
    """The update rewritten to keep the default graph the merge of the named graphs at a cost
    proportional to what it changes, or ``None`` when only a full re-derivation will do.

    Args:
        sparql: the SPARQL 1.1 Update text.
        touched: IRI of the scratch graph (default: :data:`TOUCHED_GRAPH` and a random part).

    >>> print(incremental_update("DROP GRAPH <http://g>", touched="urn:t").splitlines()[0])
    INSERT { GRAPH <urn:t> { ?s ?p ?o } } WHERE { GRAPH <http://g> { ?s ?p ?o } } ;
    >>> incremental_update("INSERT { [] <http://p> ?o } WHERE { ?s <http://p> ?o }") is None
    True
    """
    graph = touched or f"{TOUCHED_GRAPH}:{uuid.uuid4().hex}"
    try:
        return _Rewriter(sparql, graph).rewrite()
    except _Unsure:
        return None


def apply_update(store: ox.Store, sparql: str, *, prefixes: Mapping[str, str] | None = None
                 ) -> Literal["incremental", "rederive"]:
    """Run an update on a pyoxigraph store, keeping its default graph the merge of its named
    graphs; say which way it went.

    The rewritten text of :func:`incremental_update` runs when there is one; when there is none,
    or pyoxigraph rejects it, the update runs followed by :data:`REDERIVE_DEFAULT_GRAPH`. Either
    way in one transaction. A syntax error is reported as pyoxigraph reports it for ``sparql``
    alone (the update is parsed once more, on an empty store, to get that message).

    Raises:
        SyntaxError: the update does not parse (pyoxigraph's message for the text as sent).
        RuntimeError: the update failed while applied (nothing was written).
        OSError: as pyoxigraph raises it (e.g. a refused outbound connection).

    >>> store = ox.Store()
    >>> apply_update(store, "INSERT { GRAPH <http://g> { <http://s> <http://p> 1 } } WHERE {}")
    'incremental'
    >>> len(store)  # the quad and its default-graph copy
    2
    """
    text = incremental_update(sparql)
    if text is not None:
        try:
            store.update(text, prefixes=dict(prefixes) if prefixes else None)
            return "incremental"
        except SyntaxError:
            pass  # the text as sent gives the parser's message for what the user wrote
    try:
        store.update(followed_by(sparql, REDERIVE_DEFAULT_GRAPH), prefixes=dict(prefixes) if prefixes else None)
    except SyntaxError as err:
        err.with_traceback(None)
        try:  # the parser's message for the text as sent (an empty store: nothing to evaluate)
            ox.Store().update(sparql, prefixes=dict(prefixes) if prefixes else None)
        except SyntaxError:
            raise
        except (RuntimeError, OSError):
            pass
        raise err from None
    return "rederive"


def followed_by(sparql: str, more: str) -> str:
    """``sparql`` then the operations ``more``, with a ``;`` between them unless the update
    already ends with one (``op ;`` is a valid update, ``op ; ;`` is not).

    >>> followed_by("CLEAR ALL ;", "CLEAR DEFAULT")
    'CLEAR ALL ;\\nCLEAR DEFAULT'
    """
    last = None
    for token in tokens(sparql):
        last = token
    ends_with_separator = last is not None and last.kind == "punct" and last.text == ";"
    return f"{sparql}\n{more}" if ends_with_separator else f"{sparql}\n;\n{more}"


class _Rewriter:
    """One pass over the tokens of an update (see :func:`incremental_update`)."""

    def __init__(self, text: str, touched: str) -> None:
        self.text = text
        self.touched = touched
        self.toks = list(tokens(text))
        if any(t.kind == "open" for t in self.toks):
            raise _Unsure
        self.match = self._braces()
        #: (start, end, replacement) edits of ``text``, never overlapping.
        self.edits: list[tuple[int, int, str]] = []

    def _braces(self) -> dict[int, int]:
        """Token index of each ``{`` → index of its ``}``."""
        found: dict[int, int] = {}
        stack: list[int] = []
        for i, t in enumerate(self.toks):
            if t.kind == "punct" and t.text == "{":
                stack.append(i)
            elif t.kind == "punct" and t.text == "}":
                if not stack:
                    raise _Unsure
                found[stack.pop()] = i
        if stack:
            raise _Unsure
        return found

    # --- helpers --------------------------------------------------------------------------------

    def _tok(self, i: int) -> Token:
        if i >= len(self.toks):
            raise _Unsure
        return self.toks[i]

    def _word(self, i: int) -> str | None:
        return self.toks[i].keyword if i < len(self.toks) else None

    def _is(self, i: int, punct: str) -> bool:
        return i < len(self.toks) and self.toks[i].kind == "punct" and self.toks[i].text == punct

    def _end(self, i: int) -> int:
        """Character offset just after token ``i``."""
        return self.toks[i].start + len(self.toks[i].text)

    def _block(self, i: int) -> int:
        """Index of the ``}`` closing the ``{`` at ``i``."""
        if not self._is(i, "{"):
            raise _Unsure
        return self.match[i]

    def _inner(self, open_: int) -> str:
        """The text between the braces of the block opening at ``open_``."""
        return self.text[self._end(open_):self.toks[self.match[open_]].start]

    @staticmethod
    def _iri(t: Token) -> bool:
        return t.kind == "iri" or (t.kind == "name" and ":" in t.text)

    @staticmethod
    def _hides_graph(t: Token) -> bool:
        """A name pyoxigraph may read as holding the keyword GRAPH (``trueGRAPH``, ``GRAPHex:g``)."""
        if t.kind != "name":
            return False
        head = t.text.split(":", 1)[0].upper()
        return "GRAPH" in head and head != "GRAPH"

    # --- the update -------------------------------------------------------------------------------

    def rewrite(self) -> str:
        i, ops, after_separator = 0, 0, False
        while i < len(self.toks):
            while self._word(i) in ("BASE", "PREFIX"):
                if self._word(i) == "BASE":
                    if self._tok(i + 1).kind != "iri":
                        raise _Unsure
                    i += 2
                else:
                    name = self._tok(i + 1)
                    if name.kind != "name" or not name.text.endswith(":") or self._tok(i + 2).kind != "iri":
                        raise _Unsure
                    i += 3
            if i >= len(self.toks):
                if after_separator:
                    raise _Unsure  # a prologue after the last ';': not a valid update
                break
            i = self._operation(i)
            ops += 1
            after_separator = False
            if i < len(self.toks):
                if not self._is(i, ";"):
                    raise _Unsure
                i += 1
                after_separator = True
        if ops == 0:
            raise _Unsure
        fix = FIX_TOUCHED.format(t=self.touched)
        self.edits.append((len(self.text), len(self.text), ("\n" if after_separator else "\n;\n") + fix))
        out = self.text
        # From the end backwards; of two edits at one place, the one made first ends up first.
        order = sorted(range(len(self.edits)), key=lambda k: (self.edits[k][0], k), reverse=True)
        for k in order:
            start, end, new = self.edits[k]
            out = out[:start] + new + out[end:]
        return out

    def _operation(self, i: int) -> int:
        """Rewrite the operation starting at token ``i``; return the index after it."""
        word = self._word(i)
        nxt = self._word(i + 1)
        if word in ("INSERT", "DELETE") and nxt == "DATA":
            return self._data(i, insert=word == "INSERT")
        if word == "DELETE" and nxt == "WHERE":
            return self._delete_where(i)
        if word in ("WITH", "INSERT", "DELETE"):
            return self._modify(i)
        if word in ("CLEAR", "DROP", "CREATE"):
            return self._graph_management(i, word)
        if word in ("ADD", "COPY", "MOVE"):
            return self._transfer(i, word)
        raise _Unsure  # LOAD, or anything unexpected

    def _data(self, i: int, *, insert: bool) -> int:
        open_ = i + 2
        close = self._block(open_)
        copies = self._copies(open_)
        if insert:
            self.edits.append((self.toks[close].start, self.toks[close].start, f" {copies} "))
        elif copies:
            self.edits.append((self._end(close), self._end(close), f" ;\nINSERT DATA {{ {copies} }}"))
        return close + 1

    def _delete_where(self, i: int) -> int:
        open_ = i + 2
        close = self._block(open_)
        pattern = self._inner(open_)
        where = self._filtered(open_)
        new = f"DELETE {{{pattern}}} INSERT {{ {self._copies(open_)} }} WHERE {{{where}}}"
        self.edits.append((self.toks[i].start, self._end(close), new))
        return close + 1

    def _modify(self, i: int) -> int:
        if self._word(i) == "WITH":
            if not self._iri(self._tok(i + 1)):
                raise _Unsure
            i += 2
        copies: list[str] = []
        insert_close: int | None = None
        delete_close: int | None = None
        if self._word(i) == "DELETE":
            delete_close = self._block(i + 1)
            copies.append(self._copies(i + 1))
            i = delete_close + 1
        if self._word(i) == "INSERT":
            insert_close = self._block(i + 1)
            copies.append(self._copies(i + 1))
            i = insert_close + 1
        if delete_close is None and insert_close is None:
            raise _Unsure
        while self._word(i) == "USING":
            i += 2 if self._word(i + 1) != "NAMED" else 3
            if not self._iri(self._tok(i - 1)):
                raise _Unsure
        if self._word(i) != "WHERE":
            raise _Unsure
        where_close = self._block(i + 1)
        self._filter_graph_variables(i + 1)
        text = " ".join(c for c in copies if c)
        if insert_close is not None:
            at = self.toks[insert_close].start
            self.edits.append((at, at, f" {text} "))
        elif delete_close is not None:
            at = self._end(delete_close)
            self.edits.append((at, at, f" INSERT {{ {text} }}"))
        return where_close + 1

    def _graph_management(self, i: int, word: str) -> int:
        start = i
        i += 1
        if self._word(i) == "SILENT":
            i += 1
        if self._word(i) != "GRAPH":
            raise _Unsure  # DEFAULT, NAMED, ALL: the whole default graph may change
        graph = self._tok(i + 1)
        if not self._iri(graph):
            raise _Unsure
        if word != "CREATE":
            self._collect(start, [graph])
        return i + 2

    def _transfer(self, i: int, word: str) -> int:
        start = i
        i += 1
        if self._word(i) == "SILENT":
            i += 1
        source, i = self._graph_slot(i)
        if self._word(i) != "TO":
            raise _Unsure
        target, i = self._graph_slot(i + 1)
        self._collect(start, [source] if word == "ADD" else [source, target])
        return i

    def _graph_slot(self, i: int) -> tuple[Token, int]:
        """``GRAPH? iri`` (``DEFAULT`` is unsure); the IRI token and the index after it."""
        if self._word(i) == "GRAPH":
            i += 1
        t = self._tok(i)
        if not self._iri(t):
            raise _Unsure
        head = t.text.split(":", 1)[0].upper() if t.kind == "name" else ""
        if any(head.startswith(w) or head.endswith(w) for w in _GRAPH_SLOT_WORDS):
            raise _Unsure  # e.g. GRAPHex:g, which pyoxigraph may read as GRAPH ex:g
        return t, i + 1

    def _collect(self, i: int, graphs: list[Token]) -> None:
        at = self.toks[i].start
        text = "".join(_COLLECT.format(t=self.touched, g=g.text) for g in graphs)
        self.edits.append((at, at, text))

    # --- templates and patterns ------------------------------------------------------------------

    def _copies(self, open_: int) -> str:
        """The triples of the quad template opening at ``open_``, as ``GRAPH <touched>`` blocks."""
        close = self.match[open_]
        parts: list[str] = []
        run: list[int] = []
        j = open_ + 1
        while j < close:
            t = self.toks[j]
            if t.keyword == "GRAPH":
                self._flush(run, parts)
                run = []
                if not (self._iri(self._tok(j + 1)) or self.toks[j + 1].kind == "var"):
                    raise _Unsure
                if self._hides_graph(self.toks[j + 1]):
                    raise _Unsure
                inner_open = j + 2
                inner_close = self._block(inner_open)
                for k in range(inner_open + 1, inner_close):
                    self._check_triple_token(self.toks[k])
                if self._inner(inner_open).strip():
                    parts.append(f"GRAPH <{self.touched}> {{{self._inner(inner_open)}}}")
                j = inner_close + 1
                continue
            self._check_triple_token(t)
            run.append(j)
            j += 1
        self._flush(run, parts)
        return " ".join(parts)

    def _flush(self, run: list[int], parts: list[str]) -> None:
        """Wrap a run of bare triples (a leading ``.`` dropped) as a ``GRAPH <touched>`` block."""
        if not run:
            return
        body = self.text[self.toks[run[0]].start:self._end(run[-1])]
        if body.startswith("."):
            body = body[1:]
        if body.strip():
            parts.append(f"GRAPH <{self.touched}> {{ {body} }}")

    def _check_triple_token(self, t: Token) -> None:
        """Refuse what a copied triple run must not hold: braces (nested blocks, annotations),
        anonymous blank nodes and collections (a copy would make other blank nodes), bare words
        other than ``a``, booleans and numbers, and names that may hide GRAPH."""
        if t.kind == "punct" and t.text in "{}[]()":
            raise _Unsure
        if t.kind == "name" and ":" not in t.text and not _BARE_WORD.fullmatch(t.text.upper()):
            raise _Unsure
        if self._hides_graph(t):
            raise _Unsure

    def _filter_graph_variables(self, open_: int) -> None:
        """After each ``GRAPH ?var { … }`` inside the group opening at ``open_``, keep the scratch
        graph out of ``?var``."""
        for j in range(open_ + 1, self.match[open_]):
            t = self.toks[j]
            if self._hides_graph(t):
                raise _Unsure
            if t.keyword == "GRAPH" and self.toks[j + 1].kind == "var":
                close = self._block(j + 2)
                at = self._end(close)
                self.edits.append((at, at, f" FILTER({self.toks[j + 1].text} != <{self.touched}>)"))

    def _filtered(self, open_: int) -> str:
        """The inner text of a quad pattern used as a WHERE, with the filters of
        :meth:`_filter_graph_variables` (for ``DELETE WHERE``)."""
        before = len(self.edits)
        self._filter_graph_variables(open_)
        added = sorted(self.edits[before:], reverse=True)
        del self.edits[before:]
        base = self._end(open_)
        inner = self._inner(open_)
        for start, end, new in added:
            inner = inner[:start - base] + new + inner[end - base:]
        return inner
