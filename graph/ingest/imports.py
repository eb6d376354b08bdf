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
* :func:`import_file` = read + :func:`graph.build.journal.record_import`; :func:`validate_file` = read
  + check, writing nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.build.checks import (  # noqa: F401 (re-exported)
    _EVIDENCE,
    _PROV_GRAPH,
    _SOURCE_DOCUMENT,
    BUILT_BY_CODE,
    DCT,
    DERIVED,
    MSG_NO_EVIDENCE,
    MSG_NO_PROVENANCE,
    MSG_ONTOLOGY,
    RDF_TYPE,
    RDFS_LABEL,
    XSD_DATE,
    check,
    context_triples,
    provenance_problems,
    shacl_problems,
)
from graph.build.journal import ImportRecord, SourceFile, record_import
from graph.errors import ChainKGError, DataRejectedError, Problem
from graph.ns import CKG, DOC
from graph.ns import CLAIM as CLAIM_NS
from graph.store.embedded import KGStore, parse_quads, rdf_format

#: Fixed messages (tests and clients may rely on them).
MSG_MIXED = ("{n} triple(s) outside any named graph in a file that has named graphs: put every fact in a claim "
             "graph described in graph:provenance, or send plain Turtle/N-Triples to have it wrapped as the "
             "claims of a user source document")
MSG_BAD_DATE = "--date must be YYYY-MM-DD, got {date!r}"


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
    from graph.ingest.table import ROSTER_SUFFIXES

    if filename.lower().endswith(ROSTER_SUFFIXES):
        from graph.ingest.roster import read_roster

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


# --- the two user actions ---------------------------------------------------------------------


def _meta(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: kwargs.get(k) for k in ("title", "date", "publisher", "zone")}


def validate_file(store: KGStore, data: bytes, *, filename: str, **options: Any) -> ReadFile:
    """Read ``data`` and judge it against ``store`` (nothing is written); returns what was read.

    Raises:
        DataRejectedError, UnsupportedFileError: as :func:`read_file_quads` and :func:`check`.
    """
    found = read_file_quads(data, filename=filename, store=store, **_meta(options))
    check(store, found.quads, source=filename, shacl=found.kind not in BUILT_BY_CODE)
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
