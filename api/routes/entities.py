"""Regions, zones, chains, segments and enterprises: lists and details (names accepted as ids)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.deps import StoreDep
from api.routes.search import slug
from graph.index.materialize import derived_for
from graph.index.names import index_for
from graph.ns import CKG
from graph.questions import enterprise as enterprise_questions
from graph.questions.completeness import completeness, resolve_chain
from graph.questions.describe import facts, types
from graph.questions.enterprise import enterprise_profile
from graph.questions.matrix import MAX_PAGE_LIMIT, MAX_PAGE_OFFSET, instances_page, list_chains, list_regions
from graph.questions.region_sections import region_sections
from graph.questions.regions import region_tree

router = APIRouter(prefix="/api", tags=["entities"])

ZONE_TYPES = {"ckg:Zone", "ckg:HighTechZone", "ckg:IndustrialPark", "ckg:SubPark", "ckg:EconomicCorridor"}


class Item(BaseModel):
    id: str
    iri: str
    label: str | None
    label_en: str | None = None
    type: str | None = None


class Page(BaseModel):
    total: int
    items: list[Item]


def _page(items: list[Item], offset: int, limit: int) -> Page:
    return Page(total=len(items), items=items[offset : offset + limit])


Offset = Annotated[int, Query(ge=0, le=MAX_PAGE_OFFSET, description="items to skip")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT, description="items in the page")]


def _class_page(store: StoreDep, cls: str, offset: int, limit: int) -> Page:
    """One page of a chainkg class's instances, paged by the store (not in Python)."""
    total, rows = instances_page(store, str(CKG[cls]), offset=offset, limit=limit)
    items = [Item(id=slug(r["iri"]), iri=r["iri"], label=r["label"], label_en=r["label_en"], type=f"ckg:{cls}")
             for r in rows]
    return Page(total=total, items=items)


def detail(store: StoreDep, iri: str) -> dict[str, Any]:
    """Every fact about a resource, with sources."""
    f = facts(store, iri)
    return {
        "id": slug(iri),
        "iri": iri,
        "label": f.label("zh"),
        "label_en": f.label("en"),
        "types": types(f),
        "not_stated": sorted(f.not_stated()),
        "facts": [x.to_dict() for x in f.all],
    }


@router.get("/regions", summary="List regions (districts, zones, parks, corridors)")
def regions(store: StoreDep, offset: Offset = 0, limit: Limit = 100) -> Page:
    items = [Item(id=slug(r["iri"]), iri=r["iri"], label=r["label"], label_en=r["label_en"], type=r["type"])
             for r in list_regions(store)]
    return _page(items, offset, limit)


IncludeParent = Annotated[bool, Query(description="also what the regions containing it hold (inherited_from)")]


@router.get("/regions/{region}", summary="A region: facts with sources, place tree and typed sections")
def region(store: StoreDep, region: str, include_parent: IncludeParent = False) -> dict[str, Any]:
    """Facts with sources, the place tree, and ``sections``: industries, policies (documents,
    measures, funds, chain-chief systems), alliances, projects, honours and figures of the region
    and the places inside it."""
    entry = index_for(store).resolve(region, kinds=("region",))
    return {**detail(store, entry.iri), "tree": region_tree(store, entry.iri).to_dict(),
            "sections": region_sections(store, entry.iri, with_parent=include_parent)}


@router.get("/zones", summary="List zones and parks")
def zones(store: StoreDep, offset: Offset = 0, limit: Limit = 100) -> Page:
    items = [Item(id=slug(r["iri"]), iri=r["iri"], label=r["label"], label_en=r["label_en"], type=r["type"])
             for r in list_regions(store) if r["type"] in ZONE_TYPES]
    return _page(items, offset, limit)


@router.get("/zones/{zone}", summary="A zone or park")
def zone(store: StoreDep, zone: str, include_parent: IncludeParent = False) -> dict[str, Any]:
    return region(store, zone, include_parent)


@router.get("/chains", summary="List chain templates")
def chains(store: StoreDep, offset: Offset = 0, limit: Limit = 100) -> Page:
    items = [Item(id=slug(c["iri"]), iri=c["iri"], label=c["label"], label_en=c["label_en"], type="ckg:ChainTemplate")
             for c in list_chains(store)]
    return _page(items, offset, limit)


@router.get("/chains/{chain}", summary="A chain template: segments, stages, supply edges")
def chain(store: StoreDep, chain: str) -> dict[str, Any]:
    entry = resolve_chain(store, chain)
    c = completeness(store, entry.iri, None, candidates=False)
    return {
        **detail(store, entry.iri),
        "template_note": c.template_note,
        "segments": [
            {"id": slug(s.iri), "iri": s.iri, "label": s.label, "label_en": s.label_en, "stage": s.stage,
             "order": s.order, "weight": s.weight, "gbt_codes": s.gbt_codes}
            for s in c.segments
        ],
        "edges": [list(e) for e in c.edges],
    }


@router.get("/segments", summary="List segments")
def segments(store: StoreDep, offset: Offset = 0, limit: Limit = 100) -> Page:
    return _class_page(store, "Segment", offset, limit)


@router.get("/segments/{segment}", summary="A segment")
def segment(store: StoreDep, segment: str) -> dict[str, Any]:
    entry = index_for(store).resolve(segment, kinds=("segment",))
    return detail(store, entry.iri)


@router.get("/enterprises", summary="List enterprises")
def enterprises(store: StoreDep, offset: Offset = 0, limit: Limit = 100) -> Page:
    return _class_page(store, "Enterprise", offset, limit)


@router.get("/enterprises/{enterprise}", summary="An enterprise: everything known, with sources")
def enterprise(store: StoreDep, enterprise: str) -> dict[str, Any]:
    return enterprise_profile(store, enterprise).to_dict()


@router.get("/enterprises/{enterprise}/chains", summary="Enterprise-to-chain lookup",
            response_model=dict[str, Any])
async def enterprise_chains(store: StoreDep, enterprise: str) -> JSONResponse:
    """Chains and segments of an enterprise, its place, and its local suppliers and customers.

    This is the hot path of the API. On a store with current build-time tables its work is
    bounded (index seeks and two small queries on one enterprise, about a millisecond), so it
    runs on the event loop rather than paying a thread hop; otherwise the neighbours come from
    SPARQL over the area and it runs in the thread pool. The answer, plain JSON values already,
    is written without a validation pass."""
    if derived_for(store) is not None:
        data = enterprise_questions.enterprise_chains(store, enterprise)
    else:
        data = await run_in_threadpool(enterprise_questions.enterprise_chains, store, enterprise)
    return JSONResponse(data)
