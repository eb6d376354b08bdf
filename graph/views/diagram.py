"""A picture of the model drawn from the ontology: a Mermaid class diagram.

Classes of the chainkg namespace become boxes (with their Chinese label), ``rdfs:subClassOf``
between them becomes inheritance, and every object property with a chainkg domain and range
becomes a labelled arrow. The README embeds the output; a test keeps the two in sync.
"""

from __future__ import annotations

from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS

from graph.ns import CKG


def _local(iri: object) -> str | None:
    s = str(iri)
    return s[len(str(CKG)):] if s.startswith(str(CKG)) else None


def mermaid(ontology: Graph) -> str:
    """Render the ontology as a Mermaid ``classDiagram`` (deterministic order).

    >>> from graph.build.loading import ontology_graph
    >>> "Enterprise --> Segment : operatesIn" in mermaid(ontology_graph())
    True
    """
    classes = sorted(n for c in ontology.subjects(RDF.type, OWL.Class) if (n := _local(c)))
    lines = ["classDiagram", "    direction LR"]
    for name in classes:
        zh = next((str(lbl) for lbl in ontology.objects(CKG[name], RDFS.label)
                   if isinstance(lbl, Literal) and lbl.language == "zh"), "")
        lines.append(f'    class {name}["{name} {zh}"]' if zh else f"    class {name}")
    for name in classes:
        for parent in sorted(ontology.objects(CKG[name], RDFS.subClassOf), key=str):
            p = _local(parent)
            if p in classes:
                lines.append(f"    {p} <|-- {name}")
    for prop in sorted(ontology.subjects(RDF.type, OWL.ObjectProperty), key=str):
        pname = _local(prop)
        dom, rng = ontology.value(prop, RDFS.domain), ontology.value(prop, RDFS.range)
        d, r = (_local(dom) if dom else None), (_local(rng) if rng else None)
        if pname and d in classes and r in classes:
            lines.append(f"    {d} --> {r} : {pname}")
    return "\n".join(lines) + "\n"
