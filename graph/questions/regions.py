"""A region's structure: district → zones → parks → enterprises → chains."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import URIRef

from graph import queries
from graph.index.names import index_for
from graph.store.embedded import KGStore
from graph.store.stats import compact


@dataclass
class PlaceNode:
    """A place in the tree, with the enterprises located directly in it."""

    iri: str
    label: str | None
    label_en: str | None
    types: list[str] = field(default_factory=list)
    children: list[PlaceNode] = field(default_factory=list)
    enterprises: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "label_en": self.label_en,
            "types": self.types,
            "enterprises": self.enterprises,
            "children": [c.to_dict() for c in self.children],
        }

    def walk(self) -> list[PlaceNode]:
        """This node and every node below it."""
        out = [self]
        for c in self.children:
            out.extend(c.walk())
        return out


@dataclass
class RegionTree:
    """The tree of a region; ``root`` is the region itself."""

    root: PlaceNode

    def to_dict(self) -> dict[str, Any]:
        return self.root.to_dict()


def region_tree(store: KGStore, region: str) -> RegionTree:
    """Build the place tree of ``region`` (name or IRI) with enterprises and their chains.

    Raises:
        UnknownEntityError, AmbiguousNameError: the region does not resolve.
    """
    entry = index_for(store).resolve(region, kinds=("region",))
    b = {"region": URIRef(entry.iri)}
    nodes: dict[str, PlaceNode] = {}
    parents: dict[str, set[str]] = {}
    for r in store.select(queries.load("region_tree"), bindings=b):
        node = nodes.setdefault(r["place"], PlaceNode(r["place"], r.get("label"), r.get("labelEn")))
        if "type" in r and compact(r["type"]) not in node.types:
            node.types.append(compact(r["type"]))
        if "parent" in r:
            parents.setdefault(r["place"], set()).add(r["parent"])
    nodes.setdefault(entry.iri, PlaceNode(entry.iri, entry.labels.get("zh"), entry.labels.get("en")))
    for iri, ps in parents.items():
        # attach under the deepest parent only (a park partOf both zone and district goes under the zone)
        deepest = [p for p in ps if not any(p != q and p in _ancestors(q, parents) for q in ps)]
        for p in sorted(deepest or ps):
            if iri != entry.iri and p in nodes:
                nodes[p].children.append(nodes[iri])
                break
    enterprises: dict[tuple[str, str], dict[str, Any]] = {}
    for r in store.select(queries.load("region_enterprises"), bindings=b):
        key = (r["place"], r["e"])
        ent = enterprises.get(key)
        if ent is None:
            ent = enterprises[key] = {"iri": r["e"], "label": r.get("label"), "label_en": r.get("labelEn"),
                                      "chains": {}}
            if r["place"] in nodes:
                nodes[r["place"]].enterprises.append(ent)
        if "chain" in r:
            chain = ent["chains"].setdefault(r["chain"], {"iri": r["chain"], "label": r.get("chainLabel"),
                                                          "segments": []})
            if r["seg"] not in [s["iri"] for s in chain["segments"]]:
                chain["segments"].append({"iri": r["seg"], "label": r.get("segLabel")})
    for ent in enterprises.values():
        ent["chains"] = sorted(ent["chains"].values(), key=lambda c: c["iri"])
        for chain in ent["chains"]:
            chain["segments"].sort(key=lambda s: s["iri"])
    for node in nodes.values():  # a defined order whatever the store's (total keys)
        node.types.sort()
        node.children.sort(key=lambda n: (n.label or n.iri, n.iri))
        node.enterprises.sort(key=lambda e: (e["label"] or e["iri"], e["iri"]))
    return RegionTree(nodes[entry.iri])


def _ancestors(iri: str, parents: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(parents.get(iri, ()))
    while todo:
        p = todo.pop()
        if p not in seen:
            seen.add(p)
            todo.extend(parents.get(p, ()))
    return seen
