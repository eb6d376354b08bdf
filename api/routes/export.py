"""Exports for desktop tools: the graph, or one region's part of it, as GraphML (Gephi, yEd)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import SettingsDep, StoreDep
from api.tabular import content_disposition, slug
from graph.views.projection import graphml, region_graph

router = APIRouter(prefix="/api/export", tags=["export"])

GRAPHML = "application/graphml+xml"

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {GRAPHML: {"schema": {"type": "string"}}}, "description": "GraphML, UTF-8"},
}


@router.get("/graphml", summary="The graph, or one region's part of it, as GraphML (Gephi, yEd)",
            response_class=Response, responses=_RESPONSES)
def export_graphml(
    store: StoreDep,
    settings: SettingsDep,
    region: Annotated[str | None, Query(description="region name or id; omit for every region")] = None,
) -> Response:
    """Places, enterprises, chain segments and chains with the edges between them (partOf,
    locatedIn, operatesIn, segmentOf, suppliesTo); nodes carry ``label`` (zh), ``label_en``,
    ``kind`` and ``type``. Over ``CHAINKG_MAX_ROWS`` nodes the answer is 413: ask for a region."""
    g = region_graph(store, region, max_nodes=settings.max_rows)
    iri = g.graph.get("region")
    stem, stem_zh = (f"chainkg-{slug(iri)}", f"chainkg-{g.graph['name']}") if iri else ("chainkg", "chainkg")
    return Response(graphml(g), media_type=GRAPHML,
                    headers={"Content-Disposition": content_disposition(f"{stem}.graphml", f"{stem_zh}.graphml")})
