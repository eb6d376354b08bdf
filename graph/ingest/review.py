"""The review area: candidates wait in a SQLite file beside the store until a person accepts or
rejects them; accepted ones enter the graph as claims with provenance, in one write.

Layout of the file (``<store>.review.sqlite`` by default):

* ``documents``: one row per article read (text, metadata, when and from where);
* ``candidates``: one row per proposed fact: kind, summary, verbatim quote and its span, rule,
  confidence, the resources it links or creates, its RDF (N-Triples), conflict note, status
  (``pending``, ``accepted``, ``rejected``), who decided and when, and the claim graph it became.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from graph.errors import ChainKGError, UnknownEntityError
from graph.ingest.model import DCT, PROV, RDF_TYPE, RDFS, XSD, Candidate, english
from graph.ingest.reading import NOT_STATED, Article, read_article
from graph.ingest.rules import Rules
from graph.ns import CKG, CLAIM, DOC, PROVENANCE_GRAPH
from graph.store.embedded import KGStore

if TYPE_CHECKING:
    from graph.build.journal import ImportRecord

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, iri TEXT NOT NULL, file_name TEXT, title TEXT, publisher TEXT, date TEXT, url TEXT,
    text TEXT NOT NULL, ingested_at TEXT NOT NULL, ingested_by TEXT
);
CREATE TABLE IF NOT EXISTS candidates (
    id TEXT PRIMARY KEY, doc TEXT NOT NULL REFERENCES documents(id), kind TEXT NOT NULL, summary TEXT NOT NULL,
    quote TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, rule TEXT NOT NULL, confidence REAL NOT NULL,
    subject_iri TEXT NOT NULL, subject_label TEXT NOT NULL, subject_new INTEGER NOT NULL, links TEXT NOT NULL,
    ntriples TEXT NOT NULL, conflict TEXT, status TEXT NOT NULL DEFAULT 'pending', decided_by TEXT, decided_at TEXT,
    claim TEXT
);
CREATE INDEX IF NOT EXISTS candidates_doc ON candidates(doc, status);
"""
STATUSES = ("pending", "accepted", "rejected")


class UnknownCandidateError(UnknownEntityError):
    """A candidate id that the review area does not hold."""

    def __init__(self, ids: Sequence[str]) -> None:
        ChainKGError.__init__(self, f"unknown candidate id(s): {', '.join(ids)}")
        self.name = ", ".join(ids)
        self.suggestions = []
        self.kind = "candidate"


def review_path(store_path: str | Path | None) -> Path | None:
    """Where the review file of an on-disk store lives (beside it); None for an in-memory store.

    >>> str(review_path("var/store"))
    'var/store.review.sqlite'
    """
    if store_path in (None, "", ":memory:"):
        return None
    p = Path(store_path)
    return p.with_name(p.name + ".review.sqlite")


class ReviewArea:
    """The review file (SQLite); ``path`` None keeps it in memory (tests, in-memory stores).

    >>> area = ReviewArea(None)
    >>> area.candidates()
    []
    """

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path) if self.path else ":memory:", check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.lock = threading.RLock()
        with self.lock, self.db:
            self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    # --- documents -----------------------------------------------------------------------------

    def add_document(self, row: dict[str, Any]) -> None:
        with self.lock, self.db:
            self.db.execute(
                "INSERT OR IGNORE INTO documents (id, iri, file_name, title, publisher, date, url, text, ingested_at,"
                " ingested_by) VALUES (:id, :iri, :file_name, :title, :publisher, :date, :url, :text, :ingested_at,"
                " :ingested_by)",
                row,
            )

    def documents(self) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.db.execute(
                "SELECT d.id, d.iri, d.file_name, d.title, d.publisher, d.date, d.url, d.ingested_at,"
                " SUM(c.status = 'pending') AS pending, SUM(c.status = 'accepted') AS accepted,"
                " SUM(c.status = 'rejected') AS rejected FROM documents d LEFT JOIN candidates c ON c.doc = d.id"
                " GROUP BY d.id ORDER BY d.ingested_at DESC"
            ).fetchall()
        return [dict(r) for r in rows]

    def document(self, doc_id: str) -> dict[str, Any]:
        with self.lock:
            row = self.db.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise UnknownEntityError(doc_id, kind="document")
        return dict(row)

    # --- candidates ----------------------------------------------------------------------------

    def add_candidates(self, doc_id: str, candidates: Iterable[Candidate]) -> list[str]:
        """Store candidates not yet held (by id); returns the ids that were new."""
        new: list[str] = []
        with self.lock, self.db:
            for c in candidates:
                cur = self.db.execute(
                    'INSERT OR IGNORE INTO candidates (id, doc, kind, summary, quote, start, "end", rule, confidence,'
                    " subject_iri, subject_label, subject_new, links, ntriples, conflict) VALUES"
                    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        c.id,
                        doc_id,
                        c.kind,
                        c.summary,
                        c.quote,
                        c.start,
                        c.end,
                        c.rule,
                        c.confidence,
                        c.subject.iri,
                        c.subject.label,
                        int(c.subject.new),
                        json.dumps([r.to_dict() for r in c.links], ensure_ascii=False),
                        c.ntriples(),
                        c.conflict,
                    ),
                )
                if cur.rowcount:
                    new.append(c.id)
        return new

    def candidates(
        self, *, doc: str | None = None, status: str | None = None, ids: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM candidates WHERE 1 = 1", []
        if doc:
            sql += " AND doc = ?"
            args.append(doc)
        if status:
            sql += " AND status = ?"
            args.append(status)
        if ids is not None:
            sql += f" AND id IN ({', '.join('?' for _ in ids)})"
            args += list(ids)
        with self.lock:
            rows = self.db.execute(sql + " ORDER BY doc, start, kind, id", args).fetchall()
        out = []
        for r in rows:
            d = dict(r)
            d["links"] = json.loads(d["links"])
            d["subject_new"] = bool(d["subject_new"])
            out.append(d)
        return out

    def decide(
        self, ids: Sequence[str], status: str, *, who: str, when: str, claims: dict[str, str] | None = None
    ) -> None:
        with self.lock, self.db:
            for i in ids:
                self.db.execute(
                    "UPDATE candidates SET status = ?, decided_by = ?, decided_at = ?, claim = ? WHERE id = ?",
                    (status, who, when, (claims or {}).get(i), i),
                )


# --- ingesting ------------------------------------------------------------------------------------


@dataclass
class IngestReport:
    """What reading one article proposed."""

    document: str  # review id of the document (its text digest)
    iri: str
    title: str
    proposed: int  # candidates the rules found (facts not yet in the graph)
    new: list[str] = field(default_factory=list)  # ids of candidates added to the review area now
    known: int = 0  # facts the rules found that the graph already holds
    conflicts: int = 0
    seconds: float = 0.0
    known_candidates: list[Candidate] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "iri": self.iri,
            "title": self.title,
            "proposed": self.proposed,
            "new": len(self.new),
            "new_ids": self.new,
            "known": self.known,
            "conflicts": self.conflicts,
            "seconds": round(self.seconds, 3),
        }


def ingest(
    store: KGStore,
    area: ReviewArea,
    data: bytes,
    *,
    source: str = "<article>",
    url: str | None = None,
    title: str | None = None,
    date: str | None = None,
    publisher: str | None = None,
    encoding: str | None = None,
    who: str = "cli",
) -> IngestReport:
    """Read an article, propose candidate facts, and put the new ones in the review area.

    Nothing is written to the graph. Reading the same article again proposes nothing new.

    Raises:
        DataRejectedError: the article cannot be read (empty, binary, too large, unknown encoding,
            HTML without text); nothing is stored.

    >>> kg, area = KGStore(), ReviewArea(None)
    >>> r = ingest(kg, area, "重庆三磊玻纤股份有限公司在黔江区。".encode())
    >>> r.proposed >= 1, ingest(kg, area, "重庆三磊玻纤股份有限公司在黔江区。".encode()).new
    (True, [])
    """
    t0 = time.perf_counter()
    article = read_article(data, source=source, encoding=encoding)
    if date is not None:
        _check_date(date, source)
    meta = article.meta
    meta.title = title or meta.title
    meta.date = date or meta.date
    meta.publisher = publisher or meta.publisher
    meta.url = url or meta.url
    doc_id = "ing-" + article.digest
    doc_iri = str(DOC[doc_id])
    cands = Rules(article, store, doc=doc_iri).run()
    known_flags = [_known(store, c) for c in cands]
    fresh = [c for c, k in zip(cands, known_flags, strict=True) if not k]
    area.add_document(
        {
            "id": doc_id,
            "iri": doc_iri,
            "file_name": Path(source).name if source else None,
            "title": meta.title,
            "publisher": meta.publisher,
            "date": meta.date,
            "url": meta.url,
            "text": article.text,
            "ingested_at": _now(),
            "ingested_by": who,
        }
    )
    new = area.add_candidates(doc_id, fresh)
    return IngestReport(
        doc_id,
        doc_iri,
        meta.title or NOT_STATED,
        len(fresh),
        new,
        len(cands) - len(fresh),
        sum(1 for c in fresh if c.conflict),
        time.perf_counter() - t0,
        [c for c, k in zip(cands, known_flags, strict=True) if k],
    )


def _check_date(value: str, source: str) -> None:
    from graph.ingest.reading import reject

    try:
        datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise reject(source, f"--date must be YYYY-MM-DD, not {value!r}") from None


def _known(store: KGStore, c: Candidate) -> bool:
    """Whether the graph already holds every triple of the candidate's fact."""
    triples = c.triples if c.triples else c.all_triples()
    if not triples:
        return True
    body = " ".join(f"{s} {p} {o} ." for s, p, o in triples)
    return store.ask(f"ASK {{ {body} }}")


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# --- accepting ------------------------------------------------------------------------------------


@dataclass
class AcceptReport:
    accepted: list[str]
    claims: list[str]
    quads_added: int
    skipped: list[str] = field(default_factory=list)  # conflicts left out by --min-confidence

    def to_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "claims": self.claims,
            "quads_added": self.quads_added,
            "skipped": self.skipped,
        }


def _n(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def document_quads(doc: dict[str, Any]) -> list[ox.Quad]:
    """The source-document description (in ``graph:provenance``), "not stated" where the article is silent."""
    g = _n(str(PROVENANCE_GRAPH))
    d = _n(doc["iri"])
    ckg = str(CKG)
    title = doc.get("title")
    first = re.sub(r"\s+", " ", doc.get("text", "")).strip()
    first = re.split(r"(?<=[。!?!?])", first, maxsplit=1)[0][:40] if first else doc["id"]
    label = title or first
    out = [
        ox.Quad(d, _n(RDF_TYPE), _n(ckg + "SourceDocument"), g),
        ox.Quad(d, _n(RDFS + "label"), ox.Literal(label, language="zh"), g),
        ox.Quad(
            d,
            _n(RDFS + "label"),
            ox.Literal(english(label) if title else f"Untitled article {doc['id']}", language="en"),
            g,
        ),
        ox.Quad(d, _n(DCT + "title"), ox.Literal(label, language="zh"), g),
        ox.Quad(d, _n(DCT + "language"), ox.Literal("zh"), g),
    ]
    if doc.get("file_name"):
        out.append(ox.Quad(d, _n(ckg + "fileName"), ox.Literal(doc["file_name"]), g))
    if not title:
        out.append(
            ox.Quad(
                d,
                _n(ckg + "titleNote"),
                ox.Literal("The text has no headline; the title is its first words.", language="en"),
                g,
            )
        )
    if doc.get("publisher"):
        out.append(ox.Quad(d, _n(DCT + "publisher"), ox.Literal(doc["publisher"], language="zh"), g))
    else:
        out.append(ox.Quad(d, _n(ckg + "notStated"), _n(DCT + "publisher"), g))
    if doc.get("date"):
        out.append(ox.Quad(d, _n(DCT + "date"), ox.Literal(doc["date"], datatype=_n(XSD + "date")), g))
    else:
        out.append(ox.Quad(d, _n(ckg + "notStated"), _n(DCT + "date"), g))
    if doc.get("url"):
        out.append(ox.Quad(d, _n(DCT + "source"), ox.Literal(doc["url"]), g))
    return out


def claim_quads(cand: dict[str, Any], doc: dict[str, Any], *, who: str, when: str) -> tuple[str, list[ox.Quad]]:
    """The claim graph of an accepted candidate and its provenance (basis extracted-and-reviewed)."""
    claim = str(CLAIM[f"{doc['id']}-{cand['id']}"])
    g = _n(claim)
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, g)
        for t in ox.parse(cand["ntriples"].encode(), format=ox.RdfFormat.N_TRIPLES)
    ]
    p = _n(str(PROVENANCE_GRAPH))
    ckg = str(CKG)
    quads += [
        ox.Quad(g, _n(RDF_TYPE), _n(ckg + "Claim"), p),
        ox.Quad(g, _n(PROV + "wasDerivedFrom"), _n(doc["iri"]), p),
        ox.Quad(g, _n(ckg + "evidence"), ox.Literal(cand["quote"]), p),
        ox.Quad(g, _n(ckg + "basis"), _n(ckg + "ExtractedAndReviewed"), p),
        ox.Quad(g, _n(ckg + "extractionRule"), ox.Literal(cand["rule"]), p),
        ox.Quad(g, _n(ckg + "confidence"), ox.Literal(f"{cand['confidence']:.2f}", datatype=_n(XSD + "decimal")), p),
        ox.Quad(g, _n(ckg + "reviewedBy"), ox.Literal(who), p),
        ox.Quad(g, _n(ckg + "reviewedAt"), ox.Literal(when, datatype=_n(XSD + "dateTime")), p),
    ]
    return claim, quads


def commit_accepted(store: KGStore | str | Path, quads: Sequence[ox.Quad], *, docs: Sequence[dict[str, Any]],
                    when: str) -> ImportRecord:
    """Write accepted claims to the graph as one entry of the store's import journal (the one place
    ingestion writes): atomically, listed by ``chainkg imports``, kept by ``chainkg build`` and
    removable with ``chainkg remove``.

    The source of the entry is the accepted batch itself (its N-Quads), named after the article
    and the time of acceptance: the journal refuses a source it has seen, and an article may be
    accepted in several batches.

    Raises:
        DataRejectedError: the claims fail the provenance or SHACL checks on the merged store
            (nothing is written).
    """
    from graph.build.journal import SourceFile, canonical, record_import

    first = docs[0] if docs else {}
    stem = (first.get("file_name") or first.get("id") or "article").rsplit(".", 1)[0]
    data = "".join(f"{line} .\n" for line in canonical(quads)).encode()
    source = SourceFile(f"{stem}-accepted-{when.replace(':', '')}.nq", data,
                        title=first.get("title") if len(docs) == 1 else f"{len(docs)} articles",
                        date=first.get("date") if len(docs) == 1 else None,
                        publisher=first.get("publisher") if len(docs) == 1 else None,
                        media_type="application/n-quads")
    return record_import(store, quads, source=source, kind="article")


def accept(
    store: KGStore | str | Path, area: ReviewArea, ids: Sequence[str] = (), *, min_confidence: float | None = None,
    who: str = "cli",
) -> AcceptReport:
    """Accept candidates (by id, or every pending one at or above ``min_confidence``) into the graph.

    ``store`` is an open, writable store or the directory of an on-disk one (opened for writing
    for the write, its side files sealed again after: :func:`graph.build.journal.record_import`).

    All of them are written in one transaction; conflicts are accepted only when named by id (they
    then stand beside the existing fact, never replacing it).

    Raises:
        UnknownCandidateError: an id the review area does not hold (nothing is written).
    """
    with area.lock:
        if ids:
            rows = area.candidates(ids=list(ids))
            missing = sorted(set(ids) - {r["id"] for r in rows})
            if missing:
                raise UnknownCandidateError(missing)
            skipped: list[str] = []
        else:
            pending = area.candidates(status="pending")
            floor = 0.0 if min_confidence is None else min_confidence
            rows = [r for r in pending if r["confidence"] >= floor and not r["conflict"]]
            skipped = [r["id"] for r in pending if r["confidence"] >= floor and r["conflict"]]
        rows = [r for r in rows if r["status"] != "accepted"]
        if not rows:
            return AcceptReport([], [], 0, skipped)
        when = _now()
        quads: list[ox.Quad] = []
        claims: dict[str, str] = {}
        docs: dict[str, dict[str, Any]] = {}
        for r in rows:
            doc = docs.get(r["doc"])
            if doc is None:
                doc = docs[r["doc"]] = area.document(r["doc"])
                quads += document_quads(doc)
            claim, qs = claim_quads(r, doc, who=who, when=when)
            claims[r["id"]] = claim
            quads += qs
        report = commit_accepted(store, quads, docs=list(docs.values()), when=when)
        area.decide([r["id"] for r in rows], "accepted", who=who, when=when, claims=claims)
        return AcceptReport([r["id"] for r in rows], list(claims.values()), report.added, skipped)


def reject(area: ReviewArea, ids: Sequence[str], *, who: str = "cli") -> list[str]:
    """Mark candidates rejected (they stay in the review area, out of the graph).

    Raises:
        UnknownCandidateError: an id the review area does not hold (nothing changes).
    """
    with area.lock:
        rows = area.candidates(ids=list(ids))
        missing = sorted(set(ids) - {r["id"] for r in rows})
        if missing:
            raise UnknownCandidateError(missing)
        todo = [r["id"] for r in rows if r["status"] == "pending"]
        area.decide(todo, "rejected", who=who, when=_now())
        return todo


def ingest_file(store: KGStore, area: ReviewArea, path: str | Path, **options: Any) -> IngestReport:
    """:func:`ingest` on a file (its name becomes the document's file name)."""
    p = Path(path)
    from graph.ingest.reading import MAX_BYTES
    from graph.ingest.reading import reject as _reject

    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise _reject(str(p), f"the article is {size:,} bytes; the limit is {MAX_BYTES:,}")
        data = p.read_bytes()
    except OSError as err:
        raise _reject(str(p), f"cannot read: {err.strerror or err}") from None
    return ingest(store, area, data, source=str(p), **options)


__all__ = [
    "STATUSES",
    "AcceptReport",
    "Article",
    "IngestReport",
    "ReviewArea",
    "UnknownCandidateError",
    "accept",
    "claim_quads",
    "commit_accepted",
    "document_quads",
    "ingest",
    "ingest_file",
    "reject",
    "review_path",
]
