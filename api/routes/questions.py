"""The planners' questions: completeness, the regions × chains matrix, 链长制, figures."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import StoreDep
from graph.chiefs import chain_chiefs, regions_running
from graph.completeness import completeness
from graph.figures import figures_for
from graph.matrix import matrix

router = APIRouter(prefix="/api", tags=["questions"])


@router.get("/chains/{chain}/completeness", summary="Chain completeness (产业链完整度) in a region")
def chain_completeness(
    store: StoreDep,
    chain: str,
    region: Annotated[str | None, Query(description="region name or id; omit for the bare template")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000, description="enterprises listed per segment")] = 100,
) -> dict[str, Any]:
    """Every segment's status (covered / planned / missing) with enterprises (up to ``limit`` per
    segment, ``enterprise_count`` for all), projects, sources, scores, break points, weak links
    and gap-filling candidates."""
    return completeness(store, chain, region, limit=limit).to_dict()


@router.get("/completeness/matrix", summary="Regions × chains completeness matrix")
def completeness_matrix(
    store: StoreDep,
    include_empty: Annotated[bool, Query(description="list regions that cover nothing too")] = False,
) -> dict[str, Any]:
    return matrix(store, include_empty=include_empty)


@router.get("/regions/{region}/chain-chiefs", summary="链长制 in a region")
def region_chain_chiefs(store: StoreDep, region: str) -> dict[str, Any]:
    """Chains under 链长制, since when, posts (holders only where stated), 链主企业, task forces,
    measures, targets vs actuals; "not stated" where the sources are silent."""
    return chain_chiefs(store, region).to_dict()


@router.get("/chains/{chain}/chain-chiefs", summary="Regions running a chain under 链长制")
def chain_chief_regions(store: StoreDep, chain: str) -> dict[str, Any]:
    return {"chain": chain, "regions": regions_running(store, chain)}


@router.get("/figures/{subject:path}", summary="Figures for a subject: series and targets vs actuals")
def figures(
    store: StoreDep,
    subject: str,
    indicator: Annotated[str | None, Query(description="indicator IRI, slug or label (e.g. 科技型企业)")] = None,
) -> dict[str, Any]:
    """Any subject with figures (a region, enterprise, industry, portfolio, project, fund …) by
    name, slug or IRI (the IRI may be given as the path itself)."""
    return figures_for(store, subject, indicator=indicator)
