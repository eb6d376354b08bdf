"""Search answers for people: what matched (results), what may have been meant (suggestions),
where each hit is, and which view opens it.

:meth:`graph.index.names.NameIndex.search` ranks every hit in tiers. Here the tiers split in two:

* **results**: the text as typed is a whole name, a name's stem, prefix or substring;
* **suggestions** ("did you mean"): guesses, never presented as answers: for Chinese text the
  names it sounds like (a character typed wrong: 钱江 → 黔江), and, when nothing matched, the
  closest spellings (typos).

Each hit carries its place (the most specific region it is in: where an enterprise or project
is located, an industry's or policy's region, an alliance's members, a person's organisation,
an honour's holders) and the path of its view. A ``region`` filter keeps the hits inside that
region (the region itself and every place in it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import URIRef

from graph import queries
from graph.errors import Candidate
from graph.index.names import CORE_KINDS, index_for
from graph.ns import ID_BASE
from graph.store.embedded import KGStore

#: Tier scores below this are guesses (60 homophones, 50 close spellings).
RESULT_SCORE = 70.0
#: At most this many "did you mean" suggestions.
MAX_SUGGESTIONS = 5
#: With a region filter, this many hits per hit shown are read before filtering.
REGION_READ_FACTOR = 20

#: Kind → the view path prefix (under the application root); the other kinds open their
#: linked-data page (``id/...``), which lists every fact with its source.
VIEW_OF_KIND = {
    "region": "viz/regions/",
    "enterprise": "viz/enterprises/",
    "chain": "viz/chains/",
    "industry": "viz/industries/",
    "portfolio": "viz/industries/",
}

_MATCH = {100.0: "exact", 90.0: "stem", 80.0: "prefix", 70.0: "substring", 60.0: "homophone", 50.0: "close spelling"}


def view_path(kind: str, iri: str) -> str | None:
    """The path (no leading slash) of the page that shows a resource, or None outside chainkg.

    >>> view_path("industry", "https://w3id.org/chainkg/id/industry/qianjiang-new-materials")
    'viz/industries/qianjiang-new-materials'
    >>> view_path("project", "https://w3id.org/chainkg/id/project/qianjiang-waste-to-energy")
    'id/project/qianjiang-waste-to-energy'
    """
    from urllib.parse import quote

    if not iri.startswith(ID_BASE):
        return None
    if kind in VIEW_OF_KIND:
        return VIEW_OF_KIND[kind] + quote(iri.rstrip("/").rsplit("/", 1)[-1], safe="")
    return "id/" + "/".join(quote(part, safe="") for part in iri[len(ID_BASE):].split("/"))


@dataclass
class Hit:
    """One search hit: the resource, how it matched, where it is and which page shows it."""

    iri: str
    kind: str
    label: str
    matched: str
    score: float
    match: str  # exact, stem, prefix, substring, homophone or close spelling
    place: dict[str, Any] | None = None  # {"iri", "label", "label_en"}: the most specific place
    view: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"iri": self.iri, "kind": self.kind, "label": self.label, "matched": self.matched,
                "score": self.score, "match": self.match, "place": self.place, "view": self.view,
                "id": self.iri.rstrip("/").rsplit("/", 1)[-1]}


@dataclass
class SearchAnswer:
    """Results (the text matched as typed) and suggestions (guesses), each best first."""

    query: str
    results: list[Hit] = field(default_factory=list)
    suggestions: list[Hit] = field(default_factory=list)

    @property
    def did_you_mean(self) -> bool:
        """Nothing matched as typed, but something close did."""
        return not self.results and bool(self.suggestions)

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "results": [h.to_dict() for h in self.results],
                "suggestions": [h.to_dict() for h in self.suggestions], "did_you_mean": self.did_you_mean}


def places_of(store: KGStore, iris: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Every place of each resource (``hit_places.rq``), most specific first, then by IRI.

    >>> places_of(KGStore(), [])
    {}
    """
    if not iris:
        return {}
    out: dict[str, list[dict[str, Any]]] = {}
    rows = store.select(queries.load("hit_places"), bindings={"s": [URIRef(i) for i in sorted(set(iris))]})
    for r in rows:
        out.setdefault(r["s"], []).append({"iri": r["place"], "label": r.get("label"),
                                            "label_en": r.get("labelEn"), "depth": int(r.get("depth", 0))})
    for places in out.values():
        places.sort(key=lambda p: (-p["depth"], p["iri"]))
    return out


def search(store: KGStore, text: str, *, kinds: tuple[str, ...] | None = None, region: str | None = None,
           limit: int = 20) -> SearchAnswer:
    """Search names; split the hits into results and suggestions, with places and views.

    Args:
        store: the store.
        text: what the user typed (Chinese, alias, English or pinyin).
        kinds: keep only these kinds (see :data:`graph.index.names.KINDS`).
        region: keep only hits inside this region (a name or IRI; resolved).
        limit: at most this many results; suggestions are at most ``MAX_SUGGESTIONS``.

    Raises:
        UnknownEntityError, AmbiguousNameError: ``region`` does not resolve to one region.
    """
    from graph.questions.places import region_places

    index = index_for(store)
    inside: set[str] | None = None
    if region:
        entry = index.resolve(region, kinds=("region",))
        inside = region_places(store, entry.iri)
    read = limit * REGION_READ_FACTOR if inside is not None else limit
    found = index.search(text, kinds=kinds, limit=max(read, MAX_SUGGESTIONS))
    places = places_of(store, [c.iri for c in found])

    def keep(c: Candidate) -> bool:
        if inside is None:
            return True
        where = {p["iri"] for p in places.get(c.iri, [])}
        if c.kind == "region":
            where.add(c.iri)
        return bool(where & inside)

    # Within a tier the main kinds come first (三磊玻纤 before the projects named after it);
    # the sort is stable, so each kind keeps the index's order.
    found = sorted(found, key=lambda c: (-c.score, c.kind not in CORE_KINDS))
    answer = SearchAnswer(text)
    for c in found:
        if not keep(c):
            continue
        hit = _hit(c, places.get(c.iri, []))
        if c.score >= RESULT_SCORE:
            if len(answer.results) < limit:
                answer.results.append(hit)
        elif len(answer.suggestions) < MAX_SUGGESTIONS:
            answer.suggestions.append(hit)
    return answer


def _hit(c: Candidate, places: list[dict[str, Any]]) -> Hit:
    place = None
    if places:
        first = places[0]
        place = {"iri": first["iri"], "label": first["label"], "label_en": first["label_en"]}
    return Hit(c.iri, c.kind, c.label, c.matched, c.score, _MATCH.get(c.score, "close spelling"), place,
               view_path(c.kind, c.iri))
