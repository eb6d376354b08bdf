"""Provenance attached to answers: which document, which quote, stated or inferred."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph import queries
from graph.store.embedded import KGStore

NOT_STATED = "not stated"


@dataclass(frozen=True)
class Document:
    """A source: an article (file, title, publisher, date) or the curated source."""

    iri: str
    kind: str  # "article" | "curated"
    file: str | None = None
    title: str | None = None
    publisher: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Source:
    """The provenance of one fact.

    ``basis`` is ``stated``, ``inferred`` (with ``reasoning``) or ``curated``.
    """

    claim: str
    document: Document | None
    evidence: str | None
    basis: str
    reasoning: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The source as JSON: what the document does not say reads ``not stated``.

        >>> Source("g", None, "quote", "stated").to_dict()["document"]["publisher"]
        'not stated'
        """
        doc = self.document
        return {
            "claim": self.claim,
            "evidence": self.evidence,
            "basis": self.basis,
            "reasoning": self.reasoning,
            "document": {
                "iri": doc.iri if doc else None,
                "kind": doc.kind if doc else None,
                "file": doc.file if doc else None,
                "title": doc.title if doc else None,
                "publisher": (doc.publisher if doc else None) or NOT_STATED,
                "date": (doc.date if doc else None) or NOT_STATED,
                "citation": citation(doc.__dict__) if doc else None,
            },
        }


def citation(document: Mapping[str, Any] | None) -> str | None:
    """How a source document is cited to a reader: «title», publisher and date as far as they are
    stated; the file name only for a document without a title. Every surface cites with this.

    >>> citation({"file": "000_e87b.txt", "title": "攀高逐新", "publisher": "武陵都市报", "date": "2023-05-04"})
    '«攀高逐新» 武陵都市报 2023-05-04'
    >>> citation({"file": "000_e87b.txt", "title": None, "publisher": "not stated", "date": None})
    '000_e87b.txt'
    """
    if not document:
        return None
    parts = [f"«{document['title']}»" if document.get("title") else document.get("file")]
    parts += [document.get(k) for k in ("publisher", "date") if document.get(k) not in (None, NOT_STATED)]
    return " ".join(str(p) for p in parts if p) or None


def basis_name(iri: str | None) -> str:
    """``ckg:Stated`` → ``stated`` (unknown → ``stated``, the default for article claims)."""
    if not iri:
        return "stated"
    local = iri.rsplit("#", 1)[-1]
    return {"Stated": "stated", "Inferred": "inferred", "Curated": "curated"}.get(local, local.lower())


_DOCS: weakref.WeakKeyDictionary[KGStore, tuple[int, dict[str, Document]]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def documents(store: KGStore) -> dict[str, Document]:
    """Every source document of ``store`` by IRI (cached per store version)."""
    with _LOCK:
        cached = _DOCS.get(store)
        if cached and cached[0] == store.version:
            return cached[1]
    docs: dict[str, Document] = {}
    for r in store.select(queries.load("sources")):
        docs.setdefault(
            r["doc"],
            Document(r["doc"], r["kind"], r.get("file"), r.get("title") or r.get("label"),
                     r.get("publisher"), r.get("date") and str(r["date"])),
        )
    with _LOCK:
        _DOCS[store] = (store.version, docs)
    return docs


def source_from_row(row: dict[str, Any], docs: dict[str, Document]) -> Source:
    """Build a :class:`Source` from a query row with ``g``, ``doc``, ``evidence``, ``basis``, ``reasoning``."""
    doc = docs.get(row.get("doc", ""))
    basis = basis_name(row.get("basis"))
    if basis == "stated" and doc is not None and doc.kind == "curated":
        basis = "curated"
    return Source(row.get("g", ""), doc, row.get("evidence"), basis, row.get("reasoning"))

