"""chainkg's knowledge graph in layers (docs/architecture.md): store, index, build, sparql, questions, …"""
