"""Writing the store: the build from ontology and seeds, user imports, the import journal."""
