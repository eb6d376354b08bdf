"""The store: the embedded Oxigraph store behind rdflib's API, and counts over it."""
