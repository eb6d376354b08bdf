"""Namespaces of the chainkg model (see ``docs/model.md``)."""

from __future__ import annotations

from rdflib import Namespace

from graph.prefixes import BASE, ID_BASE
from graph.prefixes import PREFIXES as _PREFIXES

CKG = Namespace(BASE + "ontology#")
PLACE = Namespace(ID_BASE + "place/")
ENT = Namespace(ID_BASE + "enterprise/")
CKGORG = Namespace(ID_BASE + "org/")
CHAIN = Namespace(ID_BASE + "chain/")
SEG = Namespace(ID_BASE + "segment/")
IND = Namespace(ID_BASE + "industry/")
POL = Namespace(ID_BASE + "policy/")
PROJ = Namespace(ID_BASE + "project/")
PERSON = Namespace(ID_BASE + "person/")
HON = Namespace(ID_BASE + "honour/")
INDICATOR = Namespace(ID_BASE + "indicator/")
OBS = Namespace(ID_BASE + "observation/")
DOC = Namespace(ID_BASE + "document/")
CLAIM = Namespace(ID_BASE + "claim/")
GRAPH = Namespace(ID_BASE + "graph/")
GENID = Namespace(ID_BASE + ".well-known/genid/")

ONTOLOGY_GRAPH = GRAPH["ontology"]
PROVENANCE_GRAPH = GRAPH["provenance"]
CURATION_SOURCE = DOC["chainkg-curation"]

#: Prefix → namespace (defined in :mod:`graph.prefixes`, which imports nothing heavy).
PREFIXES: dict[str, str] = _PREFIXES

__all__ = [
    "BASE", "CHAIN", "CKG", "CKGORG", "CLAIM", "CURATION_SOURCE", "DOC", "ENT", "GENID", "GRAPH", "HON",
    "ID_BASE", "IND", "INDICATOR", "OBS", "ONTOLOGY_GRAPH", "PERSON", "PLACE", "POL", "PREFIXES",
    "PROJ", "PROVENANCE_GRAPH", "SEG",
]
