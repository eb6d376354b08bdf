"""Proof that a peer's SPARQL answer holds the same content as chainkg's REST answer.

The benchmark times a peer query only after its answer has been shown to carry what chainkg's
answer carries for the same question. Each side is first reduced to a *canonical form*: a dict
of named parts whose values are sets, dicts or numbers, so that order (rows, list items) and
representation (``"1.0"`` vs ``"1"``, a stage IRI vs ``"upstream"``) no longer matter; then
:func:`compare` lists every difference. An empty list is a passed check.

Canonical forms, by question kind:

* ``lookup``: labels (lang, text), places (place and every place containing it, with Chinese
  labels), segments (chain, chain label, segment, segment label, stage) and sources (segment,
  claim graph, document, quote, basis);
* ``name_exact``: the resources found by the whole name (chainkg: its hits of score 100);
* ``search``: the results as (resource, score) pairs (score 100/90/80/70 by tier);
* ``neighbours``: per (supplier|customer, segment) the count of local enterprises, and the
  enterprises chainkg lists (a sample, at most 50, that must be among the peer's);
* ``completeness``: per segment (status, enterprise count, projects), and the listed
  enterprises (a sample, as above);
* ``matrix``: per (region, chain) the covered segments, the chain's segments and the weighted
  score rounded to 4 places;
* ``rows``: any SPARQL answer as a multiset of rows (the SPARQL mix on every system).

>>> rest = {"results": [{"iri": "urn:a", "score": 100.0}, {"iri": "urn:b", "score": 70.0}]}
>>> peer = sparql_json([{"s": "urn:b", "best": "3"}, {"s": "urn:a", "best": "0"}])
>>> compare(canonical_rest("search", rest), canonical_peer("search", peer))
[]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graph.index.keys import _PREFIXES, _SUFFIXES, normalise, stem
from graph.questions.places import STAGES
from graph.questions.provenance import basis_name

Canonical = dict[str, Any]


@dataclass(frozen=True)
class Sample:
    """Items one side lists only up to a cap (chainkg lists 50 enterprises per segment and gives
    the full count beside them): the other side's full set must contain them.

    >>> Sample(frozenset({"a"})).within(frozenset({"a", "b"}))
    True
    """

    items: frozenset[str]

    def within(self, other: frozenset[str] | Sample) -> bool:
        full = other.items if isinstance(other, Sample) else other
        return self.items <= full


# --- SPARQL results ---------------------------------------------------------------------------


def rows(doc: Mapping[str, Any]) -> list[dict[str, str]]:
    """The rows of a SPARQL 1.1 JSON results document as ``{variable: lexical value}`` (IRIs and
    literals alike; unbound variables absent).

    >>> rows({"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri", "value": "urn:x"}}]}})
    [{'s': 'urn:x'}]
    """
    return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]


def sparql_json(items: list[dict[str, str]]) -> dict[str, Any]:
    """A SPARQL JSON results document holding ``items`` as plain literals (for tests and examples).

    >>> rows(sparql_json([{"n": "3"}]))
    [{'n': '3'}]
    """
    names = sorted({k for r in items for k in r})
    return {"head": {"vars": names},
            "results": {"bindings": [{k: {"type": "literal", "value": v} for k, v in r.items()} for r in items]}}


def literal(text: str) -> str:
    """``text`` as the body of a SPARQL string literal (between double quotes): backslash, quote
    and line breaks escaped, so generated names never change the query's shape.

    >>> literal('a"b\\\\c')
    'a\\\\"b\\\\\\\\c'
    """
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))


def stem_names(text: str) -> list[str]:
    """Names whose stem (:func:`graph.index.keys.stem`) is the stem of ``text``: the stem itself,
    with one suffix, with the 重庆 prefix. SPARQL has no stemmer; the peer search gets this list.

    >>> stem_names("三磊")[:3]
    ['三磊', '三磊股份有限公司', '三磊有限责任公司']
    """
    target = stem(normalise(text))
    bodies = [target, *(target + s for s in _SUFFIXES)]
    names = [*bodies, *(p + b for p in _PREFIXES for b in bodies)]
    return [n for n in dict.fromkeys(names) if stem(n) == target]


# --- canonical forms --------------------------------------------------------------------------


def _stage(value: str | None) -> str | None:
    return STAGES.get(value or "", value)


def _basis(value: str | None) -> str:
    # chainkg says "curated" for a statement whose document is curation: still stated.
    name = value if value in ("stated", "inferred", "curated") else basis_name(value)
    return "stated" if name == "curated" else str(name)


def _rest_lookup(a: Mapping[str, Any]) -> Canonical:
    labels = {("zh", a["label"])} | ({("en", a["label_en"])} if a.get("label_en") else set())
    places = {(p["iri"], p.get("label")) for loc in a.get("locations", []) for p in loc}
    segments, sources = set(), set()
    for chain in a["chains"]:
        for s in chain["segments"]:
            segments.add((chain["iri"] or None, chain.get("label"), s["iri"], s.get("label"), s.get("stage")))
            for src in s["sources"]:
                sources.add((s["iri"], src["claim"], (src.get("document") or {}).get("iri"), src.get("evidence"),
                             _basis(src.get("basis"))))
    return {"labels": labels, "places": places, "segments": segments, "sources": sources}


def _peer_lookup(doc: Mapping[str, Any]) -> Canonical:
    out: Canonical = {"labels": set(), "places": set(), "segments": set(), "sources": set()}
    for r in rows(doc):
        if r.get("part") == "label" and r.get("lang") in ("zh", "en"):
            out["labels"].add((r["lang"], r["label"]))
        elif r.get("part") == "place":
            out["places"].add((r["anc"], r.get("ancLabel")))
        elif r.get("part") == "segment":
            out["segments"].add((r.get("chain"), r.get("chainLabel"), r["seg"], r.get("segLabel"),
                                 _stage(r.get("stage"))))
            out["sources"].add((r["seg"], r["g"], r.get("doc"), r.get("evidence"), _basis(r.get("basis"))))
    return out


def _rest_name_exact(a: Mapping[str, Any]) -> Canonical:
    return {"found": {h["iri"] for h in a["results"] if float(h["score"]) == 100.0}}


def _peer_name_exact(doc: Mapping[str, Any]) -> Canonical:
    return {"found": {r["s"] for r in rows(doc)}}


#: The rank the peer search computes → chainkg's score.
_RANK_SCORE = {"0": 100.0, "1": 90.0, "2": 80.0, "3": 70.0}


def _rest_search(a: Mapping[str, Any]) -> Canonical:
    return {"results": {(h["iri"], float(h["score"])) for h in a["results"]}}


def _peer_search(doc: Mapping[str, Any]) -> Canonical:
    return {"results": {(r["s"], _RANK_SCORE[r["best"][:1]]) for r in rows(doc)}}


def _rest_neighbours(a: Mapping[str, Any]) -> Canonical:
    counts, members = {}, {}
    for side, entries in (("supplier", a["suppliers"]), ("customer", a["customers"])):
        for e in entries:
            counts[(side, e["segment"])] = int(e["enterprise_count"])
            members[(side, e["segment"])] = Sample(frozenset(x["iri"] for x in e["enterprises"]))
    return {"counts": counts, "members": members}


def _peer_neighbours(doc: Mapping[str, Any]) -> Canonical:
    counts, members = {}, {}
    for r in rows(doc):
        counts[(r["side"], r["seg"])] = int(r["n"])
        members[(r["side"], r["seg"])] = frozenset((r.get("members") or "").split())
    return {"counts": counts, "members": members}


def _rest_completeness(a: Mapping[str, Any]) -> Canonical:
    segments, members = {}, {}
    for s in a["segments"]:
        projects = frozenset(p["iri"] for p in s["projects"])
        segments[s["iri"]] = (s["status"], int(s["enterprise_count"]), projects)
        members[s["iri"]] = Sample(frozenset(e["iri"] for e in s["enterprises"]))
    return {"segments": segments, "members": members}


def _peer_completeness(doc: Mapping[str, Any]) -> Canonical:
    segments, members = {}, {}
    for r in rows(doc):
        projects = frozenset((r.get("projects") or "").split())
        segments[r["seg"]] = (r["status"], int(r.get("enterprises") or 0), projects)
        members[r["seg"]] = frozenset((r.get("members") or "").split())
    return {"segments": segments, "members": members}


def _rest_matrix(a: Mapping[str, Any]) -> Canonical:
    return {"cells": {(c["region"], c["chain"]): (int(c["covered"]), int(c["segments"]),
                                                  round(float(c["weighted_score"]), 4))
                      for c in a["cells"]}}


def _peer_matrix(doc: Mapping[str, Any]) -> Canonical:
    cells = {}
    for r in rows(doc):
        total = float(r["total"])
        cells[(r["region"], r["chain"])] = (int(r["covered"]), int(r["segments"]),
                                            round(float(r["weight"]) / total, 4) if total else 0.0)
    return {"cells": cells}


def _rows(doc: Mapping[str, Any]) -> Canonical:
    def value(v: Mapping[str, Any]) -> tuple[str, str, str]:
        kind = "literal" if v["type"] == "typed-literal" else v["type"]
        return kind, v["value"], v.get("xml:lang", "").lower()

    found = Counter(tuple(sorted((k, value(v)) for k, v in b.items())) for b in doc["results"]["bindings"])
    return {"rows": found}


REST: dict[str, Callable[[Mapping[str, Any]], Canonical]] = {
    "lookup": _rest_lookup, "name_exact": _rest_name_exact, "search": _rest_search,
    "neighbours": _rest_neighbours, "completeness": _rest_completeness, "matrix": _rest_matrix,
}
PEER: dict[str, Callable[[Mapping[str, Any]], Canonical]] = {
    "lookup": _peer_lookup, "name_exact": _peer_name_exact, "search": _peer_search,
    "neighbours": _peer_neighbours, "completeness": _peer_completeness, "matrix": _peer_matrix,
    "rows": _rows,
}


def canonical_rest(kind: str, answer: Mapping[str, Any]) -> Canonical:
    """chainkg's REST answer (parsed JSON) for a question of ``kind`` in canonical form.

    Raises:
        KeyError: an unknown kind, or the answer lacks a field the kind needs.
    """
    return REST[kind](answer)


def canonical_peer(kind: str, doc: Mapping[str, Any]) -> Canonical:
    """A SPARQL JSON results document for a question of ``kind`` in canonical form.

    Raises:
        KeyError: an unknown kind, or a row lacks a variable the kind needs.
    """
    return PEER[kind](doc)


# --- comparing --------------------------------------------------------------------------------


def _show(x: Any) -> str:
    text = repr(sorted(x, key=repr) if isinstance(x, (set, frozenset)) else x)
    return text if len(text) <= 160 else text[:157] + "..."


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Sample):
        return a.within(b)
    if isinstance(b, Sample):
        return b.within(a)
    return bool(a == b)


def compare(reference: Canonical, other: Canonical, *, limit: int = 5) -> list[str]:
    """Every difference between two canonical forms (at most ``limit`` per part), empty when they
    hold the same content. Dict parts are compared key by key; a :class:`Sample` on either side
    must be contained in the other side's set.

    >>> compare({"n": {"a": 1}}, {"n": {"a": 2, "b": 1}})
    ["n['a']: 1 != 2", "n['b']: missing != 1"]
    """
    out: list[str] = []
    for part in sorted(set(reference) | set(other)):
        if part not in reference or part not in other:
            out.append(f"{part}: only on the {'reference' if part in reference else 'other'} side")
            continue
        a, b = reference[part], other[part]
        found: list[str] = []
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(set(a) | set(b), key=repr):
                x, y = a.get(k), b.get(k)
                if x is None or y is None:
                    if not (isinstance(x, Sample) and not x.items) and not (isinstance(y, Sample) and not y.items):
                        found.append(f"{part}[{k!r}]: {'missing' if x is None else _show(x)} != "
                                     f"{'missing' if y is None else _show(y)}")
                elif not _same(x, y):
                    found.append(f"{part}[{k!r}]: {_show(x)} != {_show(y)}")
        elif isinstance(a, Counter) and isinstance(b, Counter):
            if a != b:
                rows_a, rows_b = set((a - b).elements()), set((b - a).elements())
                found.append(f"{part}: {len(a - b)} rows only in the reference {_show(rows_a)}, "
                             f"{len(b - a)} only in the other {_show(rows_b)}")
        elif isinstance(a, (set, frozenset)) and isinstance(b, (set, frozenset)):
            if a != b:
                only_a, only_b = a - b, b - a
                found.append(f"{part}: {len(only_a)} only in the reference {_show(only_a)}, "
                             f"{len(only_b)} only in the other {_show(only_b)}")
        elif not _same(a, b):
            found.append(f"{part}: {_show(a)} != {_show(b)}")
        out.extend(found[:limit])
        if len(found) > limit:
            out.append(f"{part}: {len(found) - limit} more differences")
    return out
