"""Regional industries and industry portfolios: lists by region and one answer per industry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import StoreDep
from graph.questions.industries import industry_profile, list_industries

router = APIRouter(prefix="/api", tags=["industries"])


@router.get("/industries", summary="Regional industries and portfolios (of a region)")
def industries(
    store: StoreDep,
    region: Annotated[str | None, Query(description="region name or id: industries of it or of places inside it")]
    = None,
) -> dict[str, Any]:
    """Every regional industry (cluster, chain programme) and portfolio, with regions, chains,
    parents and portfolios, ordered by Chinese label then IRI."""
    items = list_industries(store, region=region or None)
    return {"region": region, "total": len(items), "items": items}


@router.get("/industries/{industry}", summary="A regional industry or portfolio: one answer")
def industry(store: StoreDep, industry: str) -> dict[str, Any]:
    """Regions, chains (with completeness in the industry's region), planned segments (with the
    quote), member enterprises (basis and quote), figures (growth rates, flags), parents,
    sub-industries and portfolios; a portfolio adds a comparison table of its members (fastest
    growth first). An industry spanning several chain templates is one answer."""
    return industry_profile(store, industry)
