"""Policies (documents, measures, funds, schemes, 链长制 records) and projects, by region."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import StoreDep
from graph.questions.projects import list_projects, project_profile
from graph.questions.region_sections import policies as list_policies

router = APIRouter(prefix="/api", tags=["policies and projects"])

RegionQuery = Annotated[str | None, Query(description="region name or id: its own and its places'")]


@router.get("/policies", summary="Policy documents, measures, funds (of a region)")
def policies(store: StoreDep, region: RegionQuery = None) -> dict[str, Any]:
    """Each with its ``section`` (documents, measures, funds, chain_chief_systems,
    other_policies), the places it is attached to and its sources; ordered by label then IRI."""
    items = list_policies(store, region=region or None)
    return {"region": region, "total": len(items), "items": items}


@router.get("/projects", summary="Projects (of a region)")
def projects(store: StoreDep, region: RegionQuery = None) -> dict[str, Any]:
    """Projects with their places, ordered by label then IRI."""
    items = list_projects(store, region=region or None)
    return {"region": region, "total": len(items), "items": items}


@router.get("/projects/{project}", summary="A project: owner, status, dates, capacity, figures")
def project(store: StoreDep, project: str) -> dict[str, Any]:
    """Owner (with label), status, dates, capacity, segment, place and figures, with sources;
    "not stated" where the sources are silent."""
    return project_profile(store, project)
