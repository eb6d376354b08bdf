"""The planners' questions: completeness, the regions × chains matrix, 链长制, figures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import StoreDep
from api.tabular import TABULAR_RESPONSES, FormatQuery, TableQuery, slug, tabular
from graph.export.tables import (
    chain_chief_regions_tables,
    chiefs_tables,
    completeness_tables,
    figures_tables,
    matrix_tables,
)
from graph.questions.chiefs import chain_chiefs, regions_running
from graph.questions.completeness import completeness
from graph.questions.figures import figures_for
from graph.questions.matrix import matrix

router = APIRouter(prefix="/api", tags=["questions"])


@router.get("/chains/{chain}/completeness", summary="Chain completeness (产业链完整度) in a region",
            response_model=None, responses=TABULAR_RESPONSES)
def chain_completeness(
    store: StoreDep,
    chain: str,
    region: Annotated[str | None, Query(description="region name or id; omit for the bare template")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000, description="enterprises listed per segment")] = 100,
    fmt: FormatQuery = "json",
    table: TableQuery = None,
) -> Mapping[str, Any] | Response:
    """Every segment's status (covered / planned / missing) with enterprises (up to ``limit`` per
    segment, ``enterprise_count`` for all), projects, sources, scores, break points, weak links
    and gap-filling candidates.

    As CSV or XLSX (``format=``): tables ``segments``, ``candidates`` (the 补链 gap list),
    ``actors`` (enterprises and projects with sources) and ``summary``."""
    data = completeness(store, chain, region, limit=limit).to_dict()
    name = (f"completeness-{slug(data['chain'])}-{slug(data['region'])}",
            f"产业链完整度-{data['chain_label']}-{data['region_label'] or '模板'}")
    return tabular(data, fmt=fmt, tables=completeness_tables, name=name, table=table)


@router.get("/completeness/matrix", summary="Regions × chains completeness matrix",
            response_model=None, responses=TABULAR_RESPONSES)
def completeness_matrix(
    store: StoreDep,
    include_empty: Annotated[bool, Query(description="list regions that cover nothing too")] = False,
    fmt: FormatQuery = "json",
    table: TableQuery = None,
) -> Mapping[str, Any] | Response:
    """As CSV or XLSX (``format=``): tables ``matrix`` (a row per region, a column per chain) and
    ``cells``."""
    data = matrix(store, include_empty=include_empty)
    return tabular(data, fmt=fmt, tables=matrix_tables, name=("completeness-matrix", "地区产业链完整度矩阵"),
                   table=table)


@router.get("/regions/{region}/chain-chiefs", summary="链长制 in a region",
            response_model=None, responses=TABULAR_RESPONSES)
def region_chain_chiefs(
    store: StoreDep, region: str, fmt: FormatQuery = "json", table: TableQuery = None
) -> Mapping[str, Any] | Response:
    """Chains under 链长制, since when, posts (holders only where stated), 链主企业, task forces,
    measures, targets vs actuals; "not stated" where the sources are silent.

    As CSV or XLSX (``format=``): tables ``records``, ``targets`` and ``figures``."""
    data = chain_chiefs(store, region).to_dict()
    name = (f"chain-chiefs-{slug(data['region'])}", f"链长制-{data['region_label']}")
    return tabular(data, fmt=fmt, tables=chiefs_tables, name=name, table=table)


@router.get("/chains/{chain}/chain-chiefs", summary="Regions running a chain under 链长制",
            response_model=None, responses=TABULAR_RESPONSES)
def chain_chief_regions(
    store: StoreDep, chain: str, fmt: FormatQuery = "json", table: TableQuery = None
) -> Mapping[str, Any] | Response:
    """As CSV or XLSX (``format=``): table ``regions``."""
    data = {"chain": chain, "regions": regions_running(store, chain)}
    name = ("chain-chiefs-regions", f"链长制地区-{chain}")
    return tabular(data, fmt=fmt, tables=chain_chief_regions_tables, name=name, table=table)


@router.get("/figures/{subject:path}", summary="Figures for a subject: series and targets vs actuals",
            response_model=None, responses=TABULAR_RESPONSES)
def figures(
    store: StoreDep,
    subject: str,
    indicator: Annotated[str | None, Query(description="indicator IRI, slug or label (e.g. 科技型企业)")] = None,
    fmt: FormatQuery = "json",
    table: TableQuery = None,
) -> Mapping[str, Any] | Response:
    """Any subject with figures (a region, enterprise, industry, portfolio, project, fund …) by
    name, slug or IRI (the IRI may be given as the path itself).

    As CSV or XLSX (``format=``): tables ``figures`` and ``targets``."""
    data = figures_for(store, subject, indicator=indicator)
    return tabular(data, fmt=fmt, tables=figures_tables, name=(f"figures-{slug(data['subject'])}", f"数据-{subject}"),
                   table=table)
