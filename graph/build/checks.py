"""Judging quads before they join a store: their provenance, and SHACL on the merged result.

Used by the import journal (:mod:`graph.build.journal`) when it records an import and by
:mod:`graph.ingest.imports` when it validates a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox

from graph.errors import DataRejectedError, Problem
from graph.ns import CKG, ONTOLOGY_GRAPH, PROVENANCE_GRAPH
from graph.store.embedded import KGStore

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
MSG_ONTOLOGY = "the ontology graph (graph:ontology) is not user data"
MSG_NO_PROVENANCE = ("graph {g} has no provenance: describe it in graph:provenance with prov:wasDerivedFrom "
                     "<a source document> and ckg:evidence")
MSG_NO_EVIDENCE = "claim {g} is derived from a source document but has no ckg:evidence quote"


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

        from graph.store.shapes import shapes_graph

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
    for q in list(out):  # the classes of the values the store already gives them (sh:class checks)
        if isinstance(q.object, ox.NamedNode) and q.predicate != RDF_TYPE:
            out.extend(store.ox.quads_for_pattern(q.object, RDF_TYPE, None, _DEFAULT))
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

    from graph.store.shapes import _union_graph, _violations

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

        from graph.store.shapes import ontology_graph, shapes_graph

        hierarchy = Graph()
        for triple in ontology_graph().triples((None, RDFS.subClassOf, None)):
            hierarchy.add(triple)
        _SHACL = (shapes_graph(), hierarchy)
    return _SHACL


#: Import kinds whose claims chainkg builds itself (roster rows, reviewed article candidates) and
#: whose conformance to the shapes the tests hold (``tests/graph/ingest/test_roster.py``,
#: ``tests/graph/ingest/test_ingest.py``): SHACL costs about 10 ms a resource (pyshacl), and judges the
#: neighbourhood as much as the import, so only their provenance is judged at import.
BUILT_BY_CODE = frozenset({"roster", "article"})


def check(store: KGStore, quads: Sequence[ox.Quad], *, source: str, shacl: bool = True) -> None:
    """Judge ``quads`` as if merged into ``store``: provenance first, then SHACL (unless ``shacl``
    is false).

    Raises:
        DataRejectedError: kind ``provenance`` or ``shacl``, every problem listed.
    """
    problems = provenance_problems(store, quads, source=source)
    if problems:
        raise DataRejectedError(problems, kind="provenance")
    problems = shacl_problems(store, quads) if shacl else []
    if problems:
        raise DataRejectedError(problems, kind="shacl")
