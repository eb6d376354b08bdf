"""The store: rdflib as the API over an embedded Oxigraph store (oxrdflib), on disk or in memory.

One small interface (open, load, query, update, export) keeps the questions independent of the
engine: another SPARQL 1.1 store can stand behind the same methods.

Rules this module keeps:

* queries are handed to pyoxigraph as strings (oxrdflib falls back to rdflib's slow engine for
  pre-parsed queries), with user values bound through SEP-0007 substitutions, never pasted;
* every result is read to the end in the thread that ran the query (pyoxigraph results must not
  cross threads), so callers get plain lists;
* an import is parsed whole before anything is written, and written in one transaction (a
  large claim write goes through the bulk loader, undone on an error: :meth:`KGStore.add_claims`);
* the default graph is kept as the RDF merge (a set: no duplicates) of every named graph, so
  queries see each triple once however many claims state it. Every write maintains this
  (pyoxigraph's ``use_default_graph_as_union`` would count a triple once per graph, oxigraph
  issue #1919), and plain queries run on the default graph.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.term import Node

from graph.errors import DataRejectedError, InvalidTermError, Problem, QuerySyntaxError, StoreLockedError
from graph.ns import GENID, PREFIXES
from graph.store.merged_update import REDERIVE_DEFAULT_GRAPH, apply_update, data_only  # noqa: F401 (re-exported)

_data_only = data_only  # the name this module used before the update code moved

#: File suffix → pyoxigraph format of the files chainkg reads and writes.
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json-ld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
    "n3": ox.RdfFormat.N3,
}

#: Above this many quads an import goes through pyoxigraph's bulk loader (not transactional).
BULK_THRESHOLD = 500_000

#: From this many quads (default-graph copies included) :meth:`KGStore.add_claims` writes through
#: pyoxigraph's bulk loader: a 10,000-row roster (~440k quads) takes 3.7 s instead of 12.6 s in one
#: transaction plus 2.2 s of flush. Below it (an accepted fact, ``INSERT DATA``) one transaction.
CLAIMS_BULK = 20_000

#: Told how far a bulk load has read its file: ``(bytes read, size of the file in bytes)``.
ReadProgress = Callable[[int, int], None]
#: Quads between two calls of a bulk load's progress callback.
PROGRESS_EVERY = 1 << 16


def rdf_format(name_or_path: str | Path) -> ox.RdfFormat:
    """Return the pyoxigraph format for a format name or a file name.

    Raises:
        ValueError: the suffix or name is not an RDF format chainkg reads.

    >>> rdf_format("seeds/d000.trig") == ox.RdfFormat.TRIG
    True
    """
    key = str(name_or_path).rsplit(".", 1)[-1].lower()
    try:
        return RDF_FORMATS[key]
    except KeyError:
        raise ValueError(f"unknown RDF format {key!r}; known: {', '.join(sorted(RDF_FORMATS))}") from None


# --- term conversion --------------------------------------------------------------------------


def to_ox(term: Node) -> Any:
    """Convert an rdflib term to a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot bind {term!r}")


def from_ox(term: Any) -> Node | None:
    """Convert a pyoxigraph term to an rdflib term (``None`` stays ``None``)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unsupported term {term!r}")


_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {_XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_FLOATS = {_XSD + "double", _XSD + "float"}
_STRING = _XSD + "string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def ox_value(term: Any) -> Any:
    """A JSON-friendly value straight from a pyoxigraph term (no rdflib term is built): IRIs and
    blank nodes as strings; integers, booleans and doubles as Python values; every other literal
    (decimals, dates, strings) as its lexical form.

    >>> ox_value(ox.Literal("3", datatype=ox.NamedNode(_XSD + "integer"))), ox_value(ox.NamedNode("http://a"))
    (3, 'http://a')
    """
    if term is None:
        return None
    if type(term) is not ox.Literal:
        return term.value
    datatype = term.datatype.value
    if datatype in (_STRING, _LANG_STRING):
        return term.value
    if datatype in _INTEGERS:
        try:
            return int(term.value)
        except ValueError:
            return term.value
    if datatype == _XSD + "boolean":
        return term.value in ("true", "1")
    if datatype in _FLOATS:
        try:
            return float(term.value)
        except ValueError:
            return term.value
    return term.value


@dataclass(frozen=True)
class LoadReport:
    """What a load wrote."""

    sources: list[str]
    quads_read: int
    quads_before: int
    quads_after: int

    @property
    def added(self) -> int:
        return self.quads_after - self.quads_before


class KGStore:
    """The chainkg store: an rdflib ``Dataset`` over pyoxigraph, on disk (``path``) or in memory.

    Args:
        path: directory of the persistent store; ``None`` keeps everything in memory.
        read_only: open an existing on-disk store without write access.

    >>> kg = KGStore()
    >>> _ = kg.load_data(b"<https://e.org/a> <https://e.org/p> 'x' .", fmt="ttl")
    >>> kg.select("SELECT ?o WHERE { ?s ?p ?o }")
    [{'o': 'x'}]
    """

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        if self.path is None:
            inner = ox.Store()
        elif read_only:
            inner = ox.Store.read_only(str(self.path))
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            inner = open_for_writing(self.path)
        self.ox: ox.Store = inner
        self._dataset: Dataset | None = None
        self._write_lock = threading.Lock()
        #: Bumped on every write, so caches derived from the data know when to rebuild.
        self.version = 0

    @property
    def dataset(self) -> Dataset:
        """The rdflib ``Dataset`` over this store (oxrdflib), made on first use: a server that
        never asks for it does not import oxrdflib and rdflib's SPARQL modules at start-up."""
        found = self._dataset
        if found is None:
            from oxrdflib import OxigraphStore

            found = Dataset(store=OxigraphStore(store=self.ox), default_union=False)
            for prefix, ns in PREFIXES.items():
                found.bind(prefix, ns, override=True)
            self._dataset = found
        return found

    # --- reading --------------------------------------------------------------------------------

    def __len__(self) -> int:
        """Number of quads in the store (counts them all: use :meth:`is_empty` to test for data)."""
        return len(self.ox)

    def is_empty(self) -> bool:
        """Whether the store holds no quad (reads at most one).

        >>> KGStore().is_empty()
        True
        """
        return next(iter(self.ox.quads_for_pattern(None, None, None, None)), None) is None

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Node | Sequence[Node]] | None = None,
        union: bool = False,
    ) -> Any:
        """Run a SPARQL query string on Oxigraph and return pyoxigraph's raw result.

        Read the result in the calling thread. ``bindings`` become a ``VALUES`` block written by
        pyoxigraph's term serializer (see :func:`bind_values`), never pasted user text.

        Raises:
            QuerySyntaxError: the query does not parse.
        """
        if bindings:
            sparql = bind_values(sparql, bindings)
        try:
            return self.ox.query(sparql, use_default_graph_as_union=union, prefixes=PREFIXES)
        except SyntaxError as err:
            raise QuerySyntaxError(str(err)) from None

    def select(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Node | Sequence[Node]] | None = None,
        union: bool = False,
        terms: bool = False,
    ) -> list[dict[str, Any]]:
        """Run a SELECT and return its rows as dicts (unbound variables left out).

        Args:
            sparql: the query text.
            bindings: variable name → rdflib term (or a sequence of terms, one row each), bound
                safely by :func:`bind_values`.
            union: use pyoxigraph's union of all graphs as the default graph (counts a triple once
                per graph; the default graph already holds their merge, so this is rarely wanted).
            terms: return rdflib terms instead of plain Python values.
        """
        result = self.query(sparql, bindings=bindings, union=union)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("select() needs a SELECT query")
        names = [v.value for v in result.variables]
        convert = from_ox if terms else ox_value
        return [
            {name: convert(value) for name, value in zip(names, solution, strict=True) if value is not None}
            for solution in result
        ]

    def ask(self, sparql: str, *, bindings: Mapping[str, Node] | None = None) -> bool:
        """Run an ASK query."""
        return bool(self.query(sparql, bindings=bindings))

    def construct(self, sparql: str, *, bindings: Mapping[str, Node] | None = None) -> list[ox.Triple]:
        """Run a CONSTRUCT or DESCRIBE query and return its triples."""
        return list(self.query(sparql, bindings=bindings))

    # --- writing --------------------------------------------------------------------------------

    def update(self, sparql: str) -> None:
        """Apply a SPARQL 1.1 Update in one transaction (all of it or nothing).

        The default graph stays the merge of the named graphs, at a cost proportional to what
        the update changes. An update made only of ``INSERT DATA`` operations, or only of
        ``DELETE DATA`` operations (what accepting or withdrawing facts sends), has its quads read
        by running it on an empty in-memory store, then written with :meth:`add_claims` or
        :meth:`remove_claims`. Any other update is rewritten by
        :func:`graph.store.merged_update.apply_update` to record the triples it may add or remove
        and fix the default graph for those alone; only the forms that may change everything
        (``CLEAR``/``DROP`` of ``DEFAULT``, ``NAMED`` or ``ALL``, ``ADD``/``COPY``/``MOVE`` with
        ``DEFAULT``, and whatever the rewriter cannot read with certainty) re-derive the whole
        default graph in the same transaction.

        Raises:
            QuerySyntaxError: the update does not parse.
        """
        data = data_update(sparql)
        if data is not None:
            kind, named = data
            if kind == "insert":
                self.add_claims(named)
            else:
                self.remove_claims(named)
            return
        with self._write_lock:
            try:
                apply_update(self.ox, sparql, prefixes=PREFIXES)
            except SyntaxError as err:
                raise QuerySyntaxError(str(err)) from None
            finally:
                self.version += 1

    def add_claims(self, quads: Iterable[ox.Quad], *, unseen: bool = False) -> int:
        """Add named-graph quads and their default-graph copies (a cost proportional to
        ``len(quads)``); returns how many named-graph quads were new (``unseen``: the caller has
        checked that none is in the store, so they are counted, not looked up).

        A small write (under ``CLAIMS_BULK`` quads with the copies) is one transaction, in
        RocksDB's write-ahead log when this returns (it survives the process being killed) and
        not flushed to a table file (that costs ~40 ms a write): closing the store flushes, and
        another process opening the directory read-only replays the log. A large one into a
        store on disk goes through the bulk loader (new table files): not one transaction, so
        readers in this process may see part of it while it is written, and on an error what it
        wrote is taken out again; the import journal covers a crash (:mod:`graph.build.journal`).

        >>> kg = KGStore()
        >>> a, p, g = ox.NamedNode("https://e.org/a"), ox.NamedNode("https://e.org/p"), ox.NamedNode("https://e.org/g")
        >>> kg.add_claims([ox.Quad(a, p, ox.Literal("x"), g)])
        1
        >>> len(kg)
        2
        """
        named = [q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)]
        with self._write_lock:
            fresh = named if unseen else self.absent(named)
            try:
                if 2 * len(fresh) < CLAIMS_BULK or self.path is None:
                    self.ox.extend(_with_default_copies(fresh))  # in the write-ahead log: no flush needed
                else:
                    self._bulk_add(fresh)
            finally:
                self.version += 1
        return len(fresh)

    def _bulk_add(self, fresh: list[ox.Quad]) -> None:
        """Write named-graph quads none of which is in the store, with their copies, through the
        bulk loader; on an error, take out what it may have written of them and re-raise."""
        try:
            with _one_loader_thread() as started:
                self.ox.bulk_extend(_counted_with_copies(fresh, _Tally(every=len(fresh) + 1, report=None),
                                                         started=started))
        except BaseException:
            if fresh:
                self._remove_named(fresh)  # the caller holds the write lock
            raise

    def absent(self, quads: Iterable[ox.Quad]) -> list[ox.Quad]:
        """The ``quads`` that are not in the store, in order. A quad in a named graph the store
        has never held is known absent without a lookup (an import's new claim graphs).

        >>> kg = KGStore()
        >>> a, p, g = ox.NamedNode("https://e.org/a"), ox.NamedNode("https://e.org/p"), ox.NamedNode("https://e.org/g")
        >>> _ = kg.add_claims([ox.Quad(a, p, ox.Literal("x"), g)])
        >>> [q.object.value for q in kg.absent([ox.Quad(a, p, ox.Literal(v), g) for v in "xy"])]
        ['y']
        """
        held: dict[str, bool] = {}
        out = []
        for q in quads:
            graph = q.graph_name
            known: bool | None = True
            if not isinstance(graph, ox.DefaultGraph):
                key = str(graph)
                known = held.get(key)
                if known is None:
                    known = held[key] = self.ox.contains_named_graph(graph)
            if not known or q not in self.ox:
                out.append(q)
        return out

    def remove_claims(self, quads: Iterable[ox.Quad]) -> None:
        """Remove named-graph quads in one transaction; the default-graph copy of a triple goes
        only when no named graph states it any more (a cost proportional to ``len(quads)``).

        >>> kg = KGStore()
        >>> a, p, x = ox.NamedNode("https://e.org/a"), ox.NamedNode("https://e.org/p"), ox.Literal("x")
        >>> _ = kg.add_claims([ox.Quad(a, p, x, ox.NamedNode("https://e.org/g1")), ox.Quad(a, p, x, ox.NamedNode("https://e.org/g2"))])
        >>> kg.remove_claims([ox.Quad(a, p, x, ox.NamedNode("https://e.org/g1"))])
        >>> len(kg)  # g2 still states it: its default copy stays
        2
        >>> kg.remove_claims([ox.Quad(a, p, x, ox.NamedNode("https://e.org/g2"))])
        >>> len(kg)
        0
        """
        named = [q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)]
        if not named:
            return
        with self._write_lock:
            try:
                self._remove_named(named)
            finally:
                self.version += 1

    def _remove_named(self, named: list[ox.Quad]) -> None:
        """:meth:`remove_claims` for the caller that holds the write lock."""
        triples = {(q.subject, q.predicate, q.object) for q in named}
        parts = ["DELETE DATA {"]
        parts += [f" GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in named]
        parts.append(" } ;\nDELETE { ?s ?p ?o } WHERE { VALUES (?s ?p ?o) {")
        parts += [f" ({s} {p} {o})" for s, p, o in triples]
        parts.append(" } ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }")
        self.ox.update("".join(parts))

    def clear(self) -> None:
        """Remove every quad."""
        with self._write_lock:
            self.ox.clear()
            self.version += 1

    def load_files(self, paths: Sequence[str | Path], *, graph: str | None = None) -> LoadReport:
        """Parse every file, then write them all in one go; any error rejects the whole import.

        Args:
            paths: RDF files; the format comes from the suffix.
            graph: IRI of the named graph for triples outside any graph (default graph if None).

        Raises:
            DataRejectedError: a file does not parse (with file, line, column and reason).
        """
        quads: list[ox.Quad] = []
        problems: list[Problem] = []
        for p in paths:
            path = Path(p)
            try:
                data = path.read_bytes()
            except OSError as err:
                problems.append(Problem(str(path), f"cannot read: {err.strerror or err}"))
                continue
            try:
                quads.extend(parse_quads(data, fmt=rdf_format(path), source=str(path), graph=graph))
            except DataRejectedError as err:
                problems.extend(err.problems)
            except ValueError as err:
                problems.append(Problem(str(path), str(err)))
        if problems:
            raise DataRejectedError(problems, kind="parse")
        return self._write(quads, [str(p) for p in paths])

    def load_data(
        self, data: bytes | str, *, fmt: str, source: str = "<data>", graph: str | None = None
    ) -> LoadReport:
        """Parse serialized RDF and write it in one go; a parse error rejects it whole.

        Raises:
            DataRejectedError: the data does not parse.
        """
        raw = data.encode() if isinstance(data, str) else data
        quads = parse_quads(raw, fmt=rdf_format(fmt), source=source, graph=graph)
        return self._write(quads, [source])

    def add_quads(self, quads: Iterable[ox.Quad], *, source: str = "<quads>") -> LoadReport:
        """Write already-parsed quads (one transaction below ``BULK_THRESHOLD``)."""
        return self._write(list(quads), [source])

    def bulk_load_file(
        self, path: str | Path, *, optimize: bool = True, progress: ReadProgress | None = None,
        steps: Callable[[str], None] | None = None,
    ) -> LoadReport:
        """Load a large file with pyoxigraph's bulk loader, parsing it once.

        The file is parsed strictly, straight into the loader, which gets every quad together
        with its default-graph copy (so the default graph stays the merge of the named graphs).
        The loader is atomic: it writes table files beside the store and adds them to it only
        once the whole file is read, and removes them on any failure, so a syntax error changes
        nothing (no separate check pass is needed). An on-disk store is then compacted.

        Args:
            path: an RDF file; the format comes from the suffix.
            optimize: compact an on-disk store after the load (the loader leaves many
                overlapping table files; compacted, heavy queries run faster and no later open
                finds anything to rewrite).
            progress: told ``(bytes read, size of the file)`` every few tens of thousands of quads
                and once at the end.
            steps: told ``load``, ``flush`` and ``optimize`` as each is done.

        Raises:
            DataRejectedError: the file does not parse (with line, column and reason); the store
                is unchanged.
        """
        path = Path(path)
        fmt = rdf_format(path)
        size = path.stat().st_size
        with path.open("rb", buffering=1 << 20) as raw, self._write_lock:
            reader = _CountingReader(raw)
            before = 0 if self.is_empty() else len(self.ox)  # len() counts every quad
            parsed = ox.parse(cast(IO[bytes], reader), format=fmt, base_iri=_base_for(path))
            tally = _Tally(every=PROGRESS_EVERY,
                           report=None if progress is None else lambda: progress(reader.bytes, size))
            try:
                with _one_loader_thread() as started:
                    self.ox.bulk_extend(_counted_with_copies(parsed, tally, started=started))
            except SyntaxError as err:
                raise DataRejectedError([_problem(str(path), err)], kind="parse") from None
            self.version += 1
            read = tally.count
            if progress is not None:
                progress(size, size)
            _told(steps, "load")
            self.ox.flush()
            _told(steps, "flush")
            if optimize and self.path is not None:
                self.ox.optimize()
                _told(steps, "optimize")
            return LoadReport([str(path)], read, before, len(self.ox))

    def _write(self, quads: list[ox.Quad], sources: list[str]) -> LoadReport:
        quads = with_merged_view(quads)
        with self._write_lock:
            before = len(self.ox)
            if len(quads) >= BULK_THRESHOLD:
                self.ox.bulk_extend(quads)
            else:
                self.ox.extend(quads)
            if self.path is not None:
                self.ox.flush()
            self.version += 1
            return LoadReport(sources, len(quads), before, len(self.ox))

    # --- export ---------------------------------------------------------------------------------

    def export(self, fmt: str, *, graph: str | None = None) -> bytes:
        """Serialize the store (or one named graph) as ``ttl``, ``nt``, ``nq``, ``trig`` or ``jsonld``.

        Triple formats (``ttl``, ``nt``) get the default graph (the merge of all graphs); quad
        formats keep the named graphs, and with them the provenance.
        """
        out = io.BytesIO()
        f = rdf_format(fmt)
        if graph is not None:
            self.ox.dump(out, format=f, from_graph=ox.NamedNode(graph))
        elif f.supports_datasets:
            self.ox.dump(out, format=f, prefixes=PREFIXES if f != ox.RdfFormat.N_QUADS else None)
        else:
            self.ox.dump(out, format=f, from_graph=ox.DefaultGraph(), prefixes=PREFIXES)
        return out.getvalue()

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad (read it in this thread)."""
        return iter(self.ox)

    def snapshot(self, target: str | Path) -> None:
        """Write a consistent copy of the on-disk store to ``target`` (a RocksDB checkpoint: hard
        links where the file system allows, so it is cheap). The copy does not change when this
        store is written or compacted afterwards, so other processes can open it read-only safely.

        Raises:
            ValueError: the store is in memory.
            OSError: ``target`` exists or cannot be written.

        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     kg = KGStore(Path(tmp) / "live")
        ...     _ = kg.load_data(b"<https://e.org/a> <https://e.org/p> 'x' .", fmt="ttl")
        ...     kg.snapshot(Path(tmp) / "copy")
        ...     len(KGStore(Path(tmp) / "copy", read_only=True))
        1
        """
        if self.path is None:
            raise ValueError("an in-memory store has no snapshot")
        self.ox.backup(str(target))

    def close(self) -> None:
        """Flush and release the store (and its directory lock); do not use the object afterwards."""
        inner = getattr(self, "ox", None)
        if inner is None:
            return
        if self.path is not None and not self.read_only:
            inner.flush()
        if self._dataset is not None:
            self._dataset.store._store = None  # type: ignore[attr-defined]  # oxrdflib's handle
            self._dataset = None
        del self.ox, inner
        gc.collect()  # the RocksDB lock goes with the last reference

    def __enter__(self) -> KGStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- opening a directory for writing ---------------------------------------------------------------

MSG_LOCKED = (
    "the store at {path} is open for writing by another process (a running import, or a server "
    "with CHAINKG_ADMIN_TOKEN set); RocksDB allows one writer: stop it, or write through its "
    "/sparql/update endpoint"
)


def open_for_writing(path: Path) -> ox.Store:
    """Open an on-disk store read-write, refusing a second writer with a clear message, and
    delete the ``bulk-*.sst`` files a killed bulk load left behind (this process now holds the
    directory's lock, so no bulk load is running; a finished one has already ingested its files).

    Raises:
        StoreLockedError: another process holds the store's write lock.
    """
    try:
        inner = ox.Store(str(path))
    except OSError as err:
        if "LOCK" in str(err) and ("unavailable" in str(err) or "lock hold" in str(err)):
            raise StoreLockedError(MSG_LOCKED.format(path=path)) from None
        raise
    for stray in path.glob("bulk-*.sst"):
        stray.unlink(missing_ok=True)
    return inner


# --- the merged view ----------------------------------------------------------------------------

#: Every write keeps the default graph equal to the RDF merge of the named graphs.
DEFAULT_GRAPH_IS_MERGE = True

def data_update(sparql: str) -> tuple[str, list[ox.Quad]] | None:
    """``("insert", quads)`` for an update made only of ``INSERT DATA`` operations, ``("delete",
    quads)`` for one made only of ``DELETE DATA``: the named-graph quads it writes or deletes
    (read by running it on an empty in-memory store, a cost proportional to the update);
    ``None`` for any other update.

    Raises:
        QuerySyntaxError: the update does not parse.

    >>> data_update("INSERT DATA { GRAPH <http://g> { <http://a> <http://p> 1 } }")[0]
    'insert'
    >>> data_update("DELETE WHERE { ?s ?p ?o }") is None
    True
    """
    data = data_only(sparql)
    if data is None:
        return None
    kind, text = data
    scratch = ox.Store()
    try:
        scratch.update(text, prefixes=PREFIXES)
    except SyntaxError as err:
        raise QuerySyntaxError(str(err)) from None
    return kind, [q for q in scratch if not isinstance(q.graph_name, ox.DefaultGraph)]


def with_merged_view(quads: list[ox.Quad]) -> list[ox.Quad]:
    """Add the default-graph copy of every named-graph quad (the store dedupes).

    >>> q = ox.Quad(ox.NamedNode("http://s"), ox.NamedNode("http://p"), ox.Literal("o"), ox.NamedNode("http://g"))
    >>> [str(x.graph_name) for x in with_merged_view([q])]
    ['<http://g>', 'DEFAULT']
    """
    return list(_with_default_copies(quads))


def _with_default_copies(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """Each quad, followed by its default-graph copy when it is in a named graph (streamed).

    >>> q = ox.Quad(ox.NamedNode("http://s"), ox.NamedNode("http://p"), ox.Literal("o"), ox.NamedNode("http://g"))
    >>> [str(x.graph_name) for x in _with_default_copies([q])]
    ['<http://g>', 'DEFAULT']
    """
    default = ox.DefaultGraph()
    for q in quads:
        yield q
        if not isinstance(q.graph_name, ox.DefaultGraph):
            yield ox.Quad(q.subject, q.predicate, q.object, default)


class _CountingReader:
    """A binary file for pyoxigraph's parser that counts the bytes read from it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.bytes = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.bytes += len(data)
        return data


class _Tally:
    """How many quads a bulk load has read; calls ``report`` every ``every`` quads."""

    def __init__(self, *, every: int, report: Callable[[], None] | None) -> None:
        self.every = every
        self.report = report
        self.count = 0


def _counted_with_copies(
    quads: Iterable[ox.Quad], tally: _Tally, *, started: Callable[[], None] | None = None
) -> Iterator[ox.Quad]:
    """:func:`_with_default_copies`, counting the quads read in ``tally`` (one generator: this
    runs once per quad of a large file); ``started`` is called when the first quad is asked for.

    >>> q = ox.Quad(ox.NamedNode("http://s"), ox.NamedNode("http://p"), ox.Literal("o"), ox.NamedNode("http://g"))
    >>> t = _Tally(every=1, report=lambda: print("read", t.count))
    >>> [str(x.graph_name) for x in _counted_with_copies([q, q], t)]
    read 1
    read 2
    ['<http://g>', 'DEFAULT', '<http://g>', 'DEFAULT']
    """
    if started is not None:
        started()
    default = ox.DefaultGraph()
    every, report = tally.every, tally.report
    n = 0
    for n, q in enumerate(quads, start=1):
        if report is not None and n % every == 0:
            tally.count = n
            report()
        yield q
        if type(q.graph_name) is not ox.DefaultGraph:
            yield ox.Quad(q.subject, q.predicate, q.object, default)
    tally.count = n


@contextlib.contextmanager
def _one_loader_thread() -> Iterator[Callable[[], None]]:
    """Make pyoxigraph's bulk loader build its table files on one background thread, not one per
    CPU, which bounds its memory to two batches of a million quads (~1.4 GB with the
    default-graph copies) instead of one more per CPU: about 2 GB on two CPUs, more on more.

    pyoxigraph does not expose the loader's thread count; the loader takes it, once, when it
    starts reading, from the CPUs the calling thread may run on (Rust's
    ``available_parallelism``). So the calling thread is pinned to one CPU until the loader asks
    for its first quad (call the yielded function then), and set free again at once: the
    background threads it starts later may run on any CPU, and the parse runs beside them.
    Elsewhere than Linux, nothing changes.
    """
    getter = getattr(os, "sched_getaffinity", None)
    setter = getattr(os, "sched_setaffinity", None)
    cpus = getter(0) if getter is not None else set()
    if setter is None or len(cpus) < 2:
        yield lambda: None
        return
    freed = False

    def free() -> None:
        nonlocal freed
        if not freed:
            freed = True
            setter(0, cpus)

    setter(0, {min(cpus)})
    try:
        yield free
    finally:
        free()


def _told(steps: Callable[[str], None] | None, step: str) -> None:
    if steps is not None:
        steps(step)


# --- safe parameter binding -------------------------------------------------------------------

# Tokens to step over while looking for the first "{": comments, IRIs, strings (all four quotings).
_SKIP = re.compile(
    r"#[^\n]*"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|\{"
)


def bind_values(sparql: str, bindings: Mapping[str, Node | Sequence[Node]]) -> str:
    """Bind variables by ``VALUES`` blocks opening the query's first group pattern.

    A single term binds its variable to that term; a sequence of terms makes a block with one
    row per term (the variable takes each of them). Each value is converted to a pyoxigraph
    term, whose N-Triples form is escaped by pyoxigraph (quotes, backslashes, newlines); IRIs
    are validated. Any SPARQL 1.1 store accepts the result.

    Raises:
        InvalidTermError: a value is not a valid RDF term (e.g. an IRI with a quote in it).
        ValueError: a variable name is not a plain name, or the query has no group pattern.

    >>> print(bind_values("SELECT ?s WHERE { ?s ?p ?o }", {"o": Literal('a" } DROP ALL #')}))
    SELECT ?s WHERE { VALUES (?o) { ("a\\" } DROP ALL #") } ?s ?p ?o }
    >>> print(bind_values("SELECT ?s WHERE { ?s ?p ?o }", {"o": [Literal("a"), Literal("b")]}))
    SELECT ?s WHERE { VALUES ?o { "a" "b" } ?s ?p ?o }
    """
    single = {k: v for k, v in bindings.items() if isinstance(v, Node)}
    multi = {k: v for k, v in bindings.items() if not isinstance(v, Node)}
    for name in bindings:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"bad variable name {name!r}")
    try:
        blocks = []
        if single:
            row = " ".join(str(to_ox(single[n])) for n in single)
            blocks.append(f" VALUES ({' '.join('?' + n for n in single)}) {{ ({row}) }}")
        for name, terms in multi.items():
            blocks.append(f" VALUES ?{name} {{ {' '.join(str(to_ox(t)) for t in terms)} }}")
    except ValueError as err:
        raise InvalidTermError(f"not a valid RDF term: {err}") from None
    block = "".join(blocks)
    for match in _SKIP.finditer(sparql):
        if match.group() == "{":
            return sparql[: match.end()] + block + sparql[match.end() :]
    raise ValueError("query has no group pattern to bind into")


# --- parsing ----------------------------------------------------------------------------------


def _base_for(path: Path) -> str:
    return path.resolve().as_uri()


def _problem(source: str, err: SyntaxError) -> Problem:
    line = err.lineno if isinstance(err.lineno, int) else None
    col = err.offset if isinstance(err.offset, int) else None
    message = str(err.msg if err.msg else err)
    return Problem(source=source, message=message, line=line, column=col)


def parse_quads(
    data: bytes, *, fmt: ox.RdfFormat, source: str, graph: str | None = None
) -> list[ox.Quad]:
    """Parse RDF bytes into quads, skolemising blank nodes so a re-load adds nothing new.

    Blank node labels become IRIs under ``GENID`` derived from the data's hash and the label,
    so loading the same bytes twice is idempotent.

    Raises:
        DataRejectedError: with the line, column and parser message of the first error.

    >>> [q.object.value for q in parse_quads(b"<http://a> <http://b> 'c' .", fmt=ox.RdfFormat.TURTLE, source="x")]
    ['c']
    """
    digest = hashlib.sha1(data).hexdigest()[:16]
    target = ox.NamedNode(graph) if graph else ox.DefaultGraph()

    def skolem(term: Any) -> Any:
        if isinstance(term, ox.BlankNode):
            return ox.NamedNode(f"{GENID}{digest}-{term.value}")
        return term

    quads: list[ox.Quad] = []
    reader: IO[bytes] = io.BytesIO(data)
    try:
        for q in ox.parse(reader, format=fmt, base_iri="https://w3id.org/chainkg/id/"):
            g = q.graph_name
            if isinstance(g, ox.DefaultGraph):
                g = target
            quads.append(ox.Quad(skolem(q.subject), q.predicate, skolem(q.object), skolem(g)))
    except SyntaxError as err:
        raise DataRejectedError([_problem(source, err)], kind="parse") from None
    return quads
