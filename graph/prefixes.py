"""The chainkg IRI bases and SPARQL prefixes as plain strings (no rdflib import), for the code
that must start fast: the SPARQL worker processes. :mod:`graph.ns` builds its namespaces on them.

>>> PREFIXES["ckg"]
'https://w3id.org/chainkg/ontology#'
"""

from __future__ import annotations

BASE = "https://w3id.org/chainkg/"
ID_BASE = BASE + "id/"

#: Prefix → namespace of every query and serialization.
PREFIXES: dict[str, str] = {
    "ckg": BASE + "ontology#",
    "place": ID_BASE + "place/",
    "ent": ID_BASE + "enterprise/",
    "ckgorg": ID_BASE + "org/",
    "chain": ID_BASE + "chain/",
    "seg": ID_BASE + "segment/",
    "ind": ID_BASE + "industry/",
    "pol": ID_BASE + "policy/",
    "proj": ID_BASE + "project/",
    "person": ID_BASE + "person/",
    "hon": ID_BASE + "honour/",
    "indicator": ID_BASE + "indicator/",
    "obs": ID_BASE + "observation/",
    "doc": ID_BASE + "document/",
    "claim": ID_BASE + "claim/",
    "graph": ID_BASE + "graph/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "dct": "http://purl.org/dc/terms/",
}
