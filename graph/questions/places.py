"""Places and stages: a region with every place inside it, and the names of the chain stages.

Shared by most questions (completeness, enterprise, industries, search, region sections), so it
sits below them and imports none of them.
"""

from __future__ import annotations

from rdflib import URIRef

from graph import queries
from graph.ns import CKG
from graph.store.embedded import KGStore

#: Chain stage class → stage name.
STAGES = {str(CKG.Upstream): "upstream", str(CKG.Midstream): "midstream", str(CKG.Downstream): "downstream"}


def region_places(store: KGStore, region: str) -> set[str]:
    """The region and every place inside it, at any depth (build-time closure when current)."""
    from graph.index.materialize import derived_for

    derived = derived_for(store)
    if derived is not None:
        return derived.places(region) | {region}
    rows = store.select(queries.load("region_places"), bindings={"region": URIRef(region)})
    return {r["place"] for r in rows} | {region}
