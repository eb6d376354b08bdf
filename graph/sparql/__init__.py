"""The public SPARQL endpoint: safety checks, protocol dataset, worker pools, worker entry."""
