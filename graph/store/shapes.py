"""The ontology and the SHACL shapes as rdflib graphs, and SHACL validation reported as problems.

Read by the build (:mod:`graph.build.loading`), the checks of user imports
(:mod:`graph.build.checks`) and the roster import (:mod:`graph.ingest.roster`).
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from graph.errors import Problem
from graph.store.embedded import from_ox


def ontology_dir() -> Path:
    """Directory of the packaged ontology (``ontology/``)."""
    return Path(str(files("ontology")))


def shapes_graph() -> Graph:
    """The SHACL shapes (``ontology/shapes.ttl``)."""
    g = Graph()
    g.parse(ontology_dir() / "shapes.ttl", format="turtle")
    return g


def ontology_graph() -> Graph:
    """The OWL/RDFS ontology (``ontology/chainkg.ttl``)."""
    g = Graph()
    g.parse(ontology_dir() / "chainkg.ttl", format="turtle")
    return g


def _union_graph(quads: Sequence[ox.Quad]) -> Graph:
    g = Graph()
    for q in quads:
        g.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))  # type: ignore[arg-type]
    return g


def validate_quads(quads: Sequence[ox.Quad], *, extra: Graph | None = None) -> list[Problem]:
    """SHACL-validate the union of ``quads`` (plus ``extra``, e.g. the ontology).

    Returns one :class:`Problem` per violation (empty when the data conforms).

    >>> validate_quads([])
    []
    """
    from pyshacl import validate

    data = _union_graph(quads)
    if extra is not None:
        data += extra
    conforms, report, _ = validate(
        data, shacl_graph=shapes_graph(), inference="none", allow_warnings=True, advanced=True
    )
    if conforms:
        return []
    return _violations(report)


def _violations(report: Graph) -> list[Problem]:
    sh = "http://www.w3.org/ns/shacl#"
    problems = []
    for result in report.subjects(URIRef(sh + "resultSeverity"), URIRef(sh + "Violation")):
        focus = report.value(result, URIRef(sh + "focusNode"))
        path = report.value(result, URIRef(sh + "resultPath"))
        message = report.value(result, URIRef(sh + "resultMessage"))
        problems.append(
            Problem(
                source="shacl",
                message=str(message) if message else "constraint violated",
                focus=str(focus) if focus is not None else None,
                path=str(path) if path is not None else None,
            )
        )
    return sorted(problems, key=lambda p: (p.focus or "", p.path or "", p.message))
