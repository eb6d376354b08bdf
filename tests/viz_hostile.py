"""A seed store plus enterprises whose names are XSS payloads (shared by the viz tests)."""

from __future__ import annotations

from graph.build.loading import build
from graph.store.embedded import KGStore

SCRIPT = "<script>window.__xss = 1; alert(1)</script>"
IMG = '<img src=x onerror="window.__xss = 2; alert(2)">'

HOSTILE_TRIG = """
@prefix ckg: <https://w3id.org/chainkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix ent: <https://w3id.org/chainkg/id/enterprise/> .
@prefix seg: <https://w3id.org/chainkg/id/segment/> .
@prefix place: <https://w3id.org/chainkg/id/place/> .
@prefix claim: <https://w3id.org/chainkg/id/claim/> .
@prefix doc: <https://w3id.org/chainkg/id/document/> .
@prefix graph: <https://w3id.org/chainkg/id/graph/> .

claim:test-xss {
    ent:xss-script a ckg:Enterprise ; rdfs:label %(script)s@zh , "XSS script"@en ;
        ckg:locatedIn place:qianjiang-hitech-zone ; ckg:operatesIn seg:silk--dyeing-printing .
    ent:xss-img a ckg:Enterprise ; rdfs:label %(img)s@zh , "XSS img"@en ;
        ckg:locatedIn place:qianjiang-hitech-zone ; ckg:operatesIn seg:silk--dyeing-printing .
}
graph:provenance {
    claim:test-xss a ckg:Claim ; prov:wasDerivedFrom doc:d001 ;
        ckg:evidence %(img)s ; ckg:basis ckg:Stated .
}
"""


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def hostile_store() -> KGStore:
    """Seeds + two enterprises in 黔江高新区 on silk dyeing, named by the payloads above."""
    store = KGStore()
    build(store)
    store.load_data(HOSTILE_TRIG % {"script": _lit(SCRIPT), "img": _lit(IMG)}, fmt="trig")
    return store
