"""The light prefix table agrees with the rdflib namespaces, and the worker stays light."""

from __future__ import annotations

import subprocess
import sys

from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

from graph import ns
from graph.prefixes import PREFIXES


def test_every_prefix_matches_its_namespace() -> None:
    by_name = {"rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS, "org": ORG, "prov": PROV,
               "dct": DCTERMS, "ckg": ns.CKG, "place": ns.PLACE, "ent": ns.ENT, "ckgorg": ns.CKGORG,
               "chain": ns.CHAIN, "seg": ns.SEG, "ind": ns.IND, "pol": ns.POL, "proj": ns.PROJ,
               "person": ns.PERSON, "hon": ns.HON, "indicator": ns.INDICATOR, "obs": ns.OBS,
               "doc": ns.DOC, "claim": ns.CLAIM, "graph": ns.GRAPH}
    assert {k: str(v) for k, v in by_name.items()} == PREFIXES
    assert ns.PREFIXES is PREFIXES


def test_sparql_worker_imports_neither_rdflib_nor_the_web_stack() -> None:
    code = ("import sys, graph.sparql.worker; "
            "print(sorted(m for m in ('rdflib', 'fastapi', 'oxrdflib', 'networkx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

