"""User files into the graph: read them, judge them together with the store they join, import.

* :func:`read_file_quads` reads a file's bytes by its name: RDF (TriG, N-Quads, Turtle,
  N-Triples, JSON-LD, RDF/XML) here, CSV/XLSX rosters through ``graph.ingest.roster`` when that
  module is present (else :class:`UnsupportedFileError`). Plain triples (no named graph) become
  the claim of a user source document described from the file name and the title, date and
  publisher given (:func:`wrap_plain`); a file that mixes named graphs with triples outside them
  is refused.
* :func:`check` judges quads on the merged result: their provenance (every claim graph derived
  from a source, with evidence when the source is a document) and SHACL over the quads plus what
  the store says about the resources they touch (so a file may point at existing places and
  segments).
* :func:`import_file` = read + :func:`graph.journal.record_import`; :func:`validate_file` = read
  + check, writing nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.errors import ChainKGError, DataRejectedError, Problem
from graph.journal import ImportRecord, SourceFile, record_import
from graph.ns import CKG, DOC, ONTOLOGY_GRAPH, PROVENANCE_GRAPH
from graph.ns import CLAIM as CLAIM_NS
from graph.store import KGStore, parse_quads, rdf_format

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
DCT = "http://purl.org/dc/terms/"
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
_PROV_GRAPH = ox.NamedNode(str(PROVENANCE_GRAPH))
_ONTOLOGY = ox.NamedNode(str(ONTOLOGY_GRAPH))
_DEFAULT = ox.DefaultGraph()
_EVIDENCE = ox.NamedNode(str(CKG.evidence))
_SOURCE_DOCUMENT = ox.NamedNode(str(CKG.SourceDocument))
ROSTER_SUFFIXES = (".csv", ".xlsx")

#: Fixed messages (tests and clients may rely on them).
MSG_MIXED = ("{n} triple(s) outside any named graph in a file that has named graphs: put every fact in a claim "
             "graph described in graph:provenance, or send plain Turtle/N-Triples to have it wrapped as the "
             "claims of a user source document")
MSG_ONTOLOGY = "the ontology graph (graph:ontology) is not user data"
MSG_NO_PROVENANCE = ("graph {g} has no provenance: describe it in graph:provenance with prov:wasDerivedFrom "
                     "<a source document> and ckg:evidence")
MSG_NO_EVIDENCE = "claim {g} is derived from a source document but has no ckg:evidence quote"
MSG_BAD_DATE = "--date must be YYYY-MM-DD, got {date!r}"
MSG_NO_ROSTER = "CSV/XLSX rosters need graph.ingest.roster, which this installation does not have"


class UnsupportedFileError(ChainKGError, ValueError):
    """A file whose kind chainkg cannot import (answered 415 over HTTP)."""


@dataclass(frozen=True)
class ReadFile:
    """What a reader made of a file: the quads to import, their kind, an optional summary."""

    quads: list[ox.Quad]
    kind: str
    summary: Any = None


# --- reading ----------------------------------------------------------------------------------


def read_file_quads(
    data: bytes,
    *,
    filename: str,
    store: KGStore,
    title: str | None = None,
    date: str | None = None,
    publisher: str | None = None,
    zone: str | None = None,
) -> ReadFile:
    """Read a user file into the quads to import, choosing the reader by the file name.

    Raises:
        DataRejectedError: the file does not parse, or mixes named graphs with loose triples.
        UnsupportedFileError: not a format chainkg imports.
    """
    if filename.lower().endswith(ROSTER_SUFFIXES):
        try:
            from graph.ingest.roster import read_roster  # type: ignore[import-not-found, unused-ignore]
        except ModuleNotFoundError:
            raise UnsupportedFileError(MSG_NO_ROSTER) from None
        roster = read_roster(data, filename=filename, store=store, zone=zone, title=title, date=date,
                             publisher=publisher)
        return ReadFile(list(roster.quads), "roster", roster.summary)
    try:
        fmt = rdf_format(filename)
    except ValueError as err:
        raise UnsupportedFileError(str(err)) from None
    quads = parse_quads(data, fmt=fmt, source=filename)
    loose = [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
    if loose and len(loose) == len(quads):
        return ReadFile(wrap_plain(quads, data=data, filename=filename, title=title, date=date,
                                   publisher=publisher), "rdf-plain")
    if loose:
        raise DataRejectedError([Problem(filename, MSG_MIXED.format(n=len(loose)))], kind="provenance")
    return ReadFile(quads, "rdf")


def _first_data_line(data: bytes) -> str:
    """The first line of the file that is not blank, a comment or a prefix declaration, cut to
    50 characters: the evidence quote of a wrapped file."""
    for raw in data.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        if line and not line.startswith(("#", "@prefix", "@base", "PREFIX", "BASE", "prefix", "base")):
            return line[:50]
    return "(empty)"


def _slug(filename: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", Path(filename).stem.lower()).strip("-")
    return stem[:40] or "file"


def wrap_plain(
    triples: Sequence[ox.Quad],
    *,
    data: bytes,
    filename: str,
    title: str | None = None,
    date: str | None = None,
    publisher: str | None = None,
) -> list[ox.Quad]:
    """Make plain triples the claim of a user source document, so that they carry provenance.

    The document ``doc:user-<name>-<sha8>`` gets the file name, labels, the title (default: the
    file name), and the date and publisher given or ``ckg:notStated``; the claim graph
    ``claim:user-<name>-<sha8>`` holds the triples, ``ckg:basis ckg:Stated``, and as evidence the
    file's first data line (at most 50 characters).

    Raises:
        DataRejectedError: ``date`` is not ``YYYY-MM-DD``.

    >>> t = [ox.Quad(ox.NamedNode("https://e.org/a"), RDFS_LABEL, ox.Literal("A", language="en"))]
    >>> quads = wrap_plain(t, data=b"<https://e.org/a> rdfs:label 'A'@en .", filename="a.ttl")
    >>> sorted({str(q.graph_name).rsplit("/", 1)[-1] for q in quads})
    ['provenance>', 'user-a-e2dd9a40>']
    """
    import hashlib

    if date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise DataRejectedError([Problem(filename, MSG_BAD_DATE.format(date=date))], kind="source")
    sha = hashlib.sha256(data).hexdigest()[:8]
    name = f"user-{_slug(filename)}-{sha}"
    doc, claim = ox.NamedNode(str(DOC[name])), ox.NamedNode(str(CLAIM_NS[name]))
    ckg = str(CKG)
    out = [ox.Quad(q.subject, q.predicate, q.object, claim) for q in triples]

    def prov(s: ox.NamedNode, p: str, o: Any) -> None:
        out.append(ox.Quad(s, ox.NamedNode(p), o, _PROV_GRAPH))

    prov(doc, RDF_TYPE.value, _SOURCE_DOCUMENT)
    prov(doc, RDFS_LABEL.value, ox.Literal(f"用户文件 {filename}", language="zh"))
    prov(doc, RDFS_LABEL.value, ox.Literal(f"User file {filename}", language="en"))
    prov(doc, ckg + "fileName", ox.Literal(filename))
    prov(doc, DCT + "title", ox.Literal(title or filename))
    if date:
        prov(doc, DCT + "date", ox.Literal(date, datatype=XSD_DATE))
    else:
        prov(doc, ckg + "notStated", ox.NamedNode(DCT + "date"))
    if publisher:
        prov(doc, DCT + "publisher", ox.Literal(publisher))
    else:
        prov(doc, ckg + "notStated", ox.NamedNode(DCT + "publisher"))
    prov(claim, RDF_TYPE.value, ox.NamedNode(ckg + "Claim"))
    prov(claim, DERIVED.value, doc)
    prov(claim, _EVIDENCE.value, ox.Literal(_first_data_line(data)))
    prov(claim, ckg + "basis", ox.NamedNode(ckg + "Stated"))
    return out


# --- judging on the merged result -------------------------------------------------------------


def _objects(store: KGStore, index: dict[tuple[Any, Any], list[Any]], s: Any, p: ox.NamedNode) -> list[Any]:
    """Objects of (s, p) in the import's quads (``index``) and in the store's default graph."""
    return [*index.get((s, p), ()), *(q.object for q in store.ox.quads_for_pattern(s, p, None, _DEFAULT))]


def provenance_problems(store: KGStore, quads: Sequence[ox.Quad], *, source: str) -> list[Problem]:
    """Every claim graph of ``quads`` must be derived from a source (in the import or the store),
    with an evidence quote when that source is a document; nothing goes into ``graph:ontology``."""
    index: dict[tuple[Any, Any], list[Any]] = {}
    for q in quads:
        if q.predicate in (DERIVED, RDF_TYPE, _EVIDENCE):
            index.setdefault((q.subject, q.predicate), []).append(q.object)
    problems: list[Problem] = []
    graphs = {q.graph_name for q in quads} - {_PROV_GRAPH}
    if _ONTOLOGY in graphs:
        problems.append(Problem(source, MSG_ONTOLOGY))
        graphs.discard(_ONTOLOGY)
    for g in sorted(graphs, key=str):
        sources = _objects(store, index, g, DERIVED)
        if not sources:
            problems.append(Problem(source, MSG_NO_PROVENANCE.format(g=g), focus=str(g)))
            continue
        from_document = any(_SOURCE_DOCUMENT in _objects(store, index, src, RDF_TYPE) for src in sources)
        if from_document and not _objects(store, index, g, _EVIDENCE):
            problems.append(Problem(source, MSG_NO_EVIDENCE.format(g=g), focus=str(g)))
    return problems


_INVERSE_PATHS: list[ox.NamedNode] | None = None


def _inverse_paths() -> list[ox.NamedNode]:
    """The predicates the shapes follow backwards (``sh:inversePath``)."""
    global _INVERSE_PATHS
    if _INVERSE_PATHS is None:
        from rdflib import URIRef

        from graph.loading import shapes_graph

        shapes = shapes_graph()
        inverse = URIRef("http://www.w3.org/ns/shacl#inversePath")
        _INVERSE_PATHS = sorted({ox.NamedNode(str(o)) for o in shapes.objects(None, inverse)}, key=str)
    return _INVERSE_PATHS


def context_triples(store: KGStore, quads: Sequence[ox.Quad]) -> list[ox.Quad]:
    """What the store says that SHACL needs to judge the resources ``quads`` describe, merged into
    the store: every default-graph triple about each resource the quads mention (as subject or
    object, claim graphs included: so the classes of the values are known), and the triples
    pointing at their subjects through the predicates shapes follow backwards, with their
    classes. Proportional to the neighbourhood of the import, not to the store."""
    mentioned: set[Any] = set()
    subjects: set[Any] = set()
    for q in quads:
        subjects.add(q.subject)
        mentioned.add(q.subject)
        mentioned.add(q.graph_name)
        if isinstance(q.object, ox.NamedNode):
            mentioned.add(q.object)
    out: list[ox.Quad] = []
    for term in mentioned:
        if isinstance(term, ox.NamedNode):
            out.extend(store.ox.quads_for_pattern(term, None, None, _DEFAULT))
    for s in subjects:
        for p in _inverse_paths():
            inbound = list(store.ox.quads_for_pattern(None, p, s, _DEFAULT))
            out.extend(inbound)
            for q in inbound:  # the classes of what points back at them
                out.extend(store.ox.quads_for_pattern(q.subject, RDF_TYPE, None, _DEFAULT))
    return out


def shacl_problems(store: KGStore, quads: Sequence[ox.Quad]) -> list[Problem]:
    """SHACL violations of the resources ``quads`` describe (their subjects and claim graphs) once
    merged into ``store``, judged on the quads, their neighbourhood in the store
    (:func:`context_triples`) and the ontology's class hierarchy; only those resources are
    validated (pyshacl's ``focus_nodes``): the store itself conforms."""
    from pyshacl import validate
    from rdflib import URIRef

    from graph.loading import _union_graph, _violations

    shapes, ontology = _shacl_graphs()
    focus = {str(q.subject.value) for q in quads if isinstance(q.subject, ox.NamedNode)}
    focus |= {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    data = _union_graph([*quads, *context_triples(store, quads)])
    data += ontology
    conforms, report, _ = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True,
                                   advanced=True, inplace=True,  # ``data`` is ours: no copy
                                   focus_nodes=[URIRef(f) for f in sorted(focus)])
    if conforms:
        return []
    return [p for p in _violations(report) if p.focus is None or p.focus in focus]


_SHACL: tuple[Any, Any] | None = None


def _shacl_graphs() -> tuple[Any, Any]:
    """The shapes, and the class hierarchy of the ontology (what ``sh:class`` and
    ``sh:targetClass`` read from the data graph), parsed once per process (read-only here)."""
    global _SHACL
    if _SHACL is None:
        from rdflib import Graph
        from rdflib.namespace import RDFS

        from graph.loading import ontology_graph, shapes_graph

        hierarchy = Graph()
        for triple in ontology_graph().triples((None, RDFS.subClassOf, None)):
            hierarchy.add(triple)
        _SHACL = (shapes_graph(), hierarchy)
    return _SHACL


def check(store: KGStore, quads: Sequence[ox.Quad], *, source: str) -> None:
    """Judge ``quads`` as if merged into ``store``: provenance first, then SHACL.

    Raises:
        DataRejectedError: kind ``provenance`` or ``shacl``, every problem listed.
    """
    problems = provenance_problems(store, quads, source=source)
    if problems:
        raise DataRejectedError(problems, kind="provenance")
    problems = shacl_problems(store, quads)
    if problems:
        raise DataRejectedError(problems, kind="shacl")


# --- the two user actions ---------------------------------------------------------------------


def _meta(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: kwargs.get(k) for k in ("title", "date", "publisher", "zone")}


def validate_file(store: KGStore, data: bytes, *, filename: str, **options: Any) -> ReadFile:
    """Read ``data`` and judge it against ``store`` (nothing is written); returns what was read.

    Raises:
        DataRejectedError, UnsupportedFileError: as :func:`read_file_quads` and :func:`check`.
    """
    found = read_file_quads(data, filename=filename, store=store, **_meta(options))
    check(store, found.quads, source=filename)
    return found


def import_file(
    target: KGStore | str | Path,
    data: bytes,
    *,
    filename: str,
    media_type: str | None = None,
    **options: Any,
) -> tuple[ImportRecord, ReadFile]:
    """Read ``data`` (a user file named ``filename``) and import it through the journal.

    Args:
        target: a writable store, or a store directory (opened for writing for the call).
        options: ``title``, ``date``, ``publisher`` (and ``zone`` for rosters).

    Raises:
        DataRejectedError, UnsupportedFileError: nothing was written.
    """
    meta = _meta(options)
    source = SourceFile(Path(filename).name, data, title=meta["title"], date=meta["date"],
                        publisher=meta["publisher"], media_type=media_type)
    if isinstance(target, KGStore):
        found = read_file_quads(data, filename=filename, store=target, **meta)
        return record_import(target, found.quads, source=source, kind=found.kind), found
    reader = KGStore(Path(target), read_only=True)  # readers resolve names against the store
    try:
        found = read_file_quads(data, filename=filename, store=reader, **meta)
    finally:
        reader.close()
    return record_import(target, found.quads, source=source, kind=found.kind), found


def records_table(records: Iterable[ImportRecord]) -> list[list[Any]]:
    """Rows for the ``imports`` listing."""
    return [[r.id, r.kind, r.file_name, r.created, r.quads, r.added, r.title or ""] for r in records]
