"""Interactive graph pages (``/viz/...``) and the home page (``/``).

Every page is rendered by :mod:`api.viz_render` from a :mod:`graph.views.viz` network: vis-network is
served from ``/static`` (no CDN), all data is escaped, and a Content-Security-Policy keeps the
browser from contacting any other host.

Names are accepted wherever ids are (IRI slug, Chinese name, alias, pinyin). An unknown or
ambiguous name is a 404 / 409: an HTML page with suggestions when the client asks for HTML, the
JSON error format of :mod:`api.errors` otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from rdflib import URIRef

from api.deps import StoreDep
from api.viz_render import render_error, render_home, render_page
from graph.errors import AmbiguousNameError, UnknownEntityError
from graph.index.names import KINDS, index_for
from graph.questions.search import view_path
from graph.store.embedded import KGStore

if TYPE_CHECKING:  # pyvis and networkx load with the first view, not at start-up
    from pyvis.network import Network

router = APIRouter(tags=["views"])



def _root(request: Request) -> str:
    """The application's root path without trailing slash ("" when mounted at /)."""
    return str(request.scope.get("root_path") or "").rstrip("/")


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "application/xhtml+xml" in accept


def _slug(iri: str) -> str:
    """The IRI's last path segment, URL-encoded."""
    return quote(iri.rstrip("/").rsplit("/", 1)[-1], safe="")


def _page(request: Request, build: Callable[[], Network]) -> HTMLResponse:
    """Build a network and render it; unknown/ambiguous names become HTML errors for browsers."""
    root = _root(request)
    try:
        net = build()
    except (UnknownEntityError, AmbiguousNameError) as err:
        if not _wants_html(request):
            raise
        unknown = isinstance(err, UnknownEntityError)
        options = err.suggestions if isinstance(err, UnknownEntityError) else err.candidates
        suggestions = [
            {
                "label": f"{c.label}",
                "kind": c.kind,
                "href": f"{root}/{path}" if (path := view_path(c.kind, c.iri)) else None,
            }
            for c in options
        ]
        status = 404 if unknown else 409
        page = render_error(
            status=status,
            heading="未找到 Not found" if unknown else "名称有歧义 Ambiguous name",
            message=str(err),
            suggestions=suggestions,
            static_url=f"{root}/static",
            base_url=f"{root}/",
        )
        return HTMLResponse(page, status_code=status)
    return HTMLResponse(render_page(net, mode="server", static_url=f"{root}/static", base_url=f"{root}/"))


# --- the networks, by name (shared with the CLI) ----------------------------------------------


def chain_view(store: KGStore, chain: str, region: str | None = None) -> Network:
    """The chain network of ``chain`` in ``region`` (names resolved).

    Raises:
        UnknownEntityError, AmbiguousNameError: a name does not resolve.
    """
    from graph.questions.completeness import completeness
    from graph.views import viz

    return viz.chain_network(completeness(store, chain, region))


def region_view(store: KGStore, region: str) -> Network:
    """The region network (district → zones → parks → enterprises → chains)."""
    from graph.questions.regions import region_tree
    from graph.views import viz

    return viz.region_network(region_tree(store, region))


def enterprise_view(store: KGStore, enterprise: str) -> Network:
    """The enterprise network (chains, segments, place, honours, projects, local partners)."""
    from graph.questions.enterprise import enterprise_profile
    from graph.views import viz

    return viz.enterprise_network(enterprise_profile(store, enterprise))


def chiefs_view(store: KGStore, region: str) -> Network:
    """The 链长制 network of a region."""
    from graph.questions.chiefs import chain_chiefs
    from graph.views import viz

    return viz.chiefs_network(chain_chiefs(store, region))


def industry_view(store: KGStore, industry: str) -> Network:
    """The regional industry or portfolio network (regions, chains, planned segments, members)."""
    from graph.questions.industries import industry_profile
    from graph.views import viz

    return viz.industry_network(industry_profile(store, industry))


VIEWS: dict[str, Callable[..., Network]] = {
    "chain": chain_view,
    "region": region_view,
    "enterprise": enterprise_view,
    "chiefs": chiefs_view,
    "industry": industry_view,
}


# --- routes -----------------------------------------------------------------------------------


@router.get("/viz/chains/{chain}", response_class=HTMLResponse, summary="Chain view (产业链图谱)")
def viz_chain(
    request: Request,
    store: StoreDep,
    chain: str,
    region: Annotated[str | None, Query(description="region name or id; omit for the bare template")] = None,
) -> HTMLResponse:
    """Segments left to right, coloured covered / planned / missing, enterprises attached."""
    return _page(request, lambda: chain_view(store, chain, region or None))


@router.get("/viz/regions/{region}", response_class=HTMLResponse, summary="Region view (园区与企业)")
def viz_region(request: Request, store: StoreDep, region: str) -> HTMLResponse:
    """District → zones → parks → enterprises → chains."""
    return _page(request, lambda: region_view(store, region))


@router.get("/viz/regions/{region}/chain-chiefs", response_class=HTMLResponse, summary="链长制 view")
def viz_chiefs(request: Request, store: StoreDep, region: str) -> HTMLResponse:
    """Chains under 链长制 with post, chain leader, task forces, measures and targets vs actuals."""
    return _page(request, lambda: chiefs_view(store, region))


@router.get("/viz/enterprises/{enterprise}", response_class=HTMLResponse, summary="Enterprise view (企业)")
def viz_enterprise(request: Request, store: StoreDep, enterprise: str) -> HTMLResponse:
    """One enterprise with its chains, segments, place, honours, projects and local partners."""
    return _page(request, lambda: enterprise_view(store, enterprise))


@router.get("/viz/industries/{industry}", response_class=HTMLResponse, summary="Industry view (区域产业)")
def viz_industry(request: Request, store: StoreDep, industry: str) -> HTMLResponse:
    """A regional industry or portfolio: regions, chains, planned segments, members, figures."""
    return _page(request, lambda: industry_view(store, industry))


#: The order of the region groups on the home page: the larger places first.
REGION_KIND_ORDER = ("ckg:Municipality", "ckg:District", "ckg:HighTechZone", "ckg:IndustrialPark",
                     "ckg:SubPark", "ckg:EconomicCorridor", "ckg:Zone")

_CLASS_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?t ?zh ?en WHERE {
  OPTIONAL { ?t rdfs:label ?zh FILTER(LANGMATCHES(LANG(?zh), "zh")) }
  OPTIONAL { ?t rdfs:label ?en FILTER(LANGMATCHES(LANG(?en), "en")) }
}
"""


def _label(labels: dict[str, Any], fallback: str) -> str:
    zh, en = labels.get("zh"), labels.get("en")
    return f"{zh} · {en}" if zh and en and zh != en else (zh or en or fallback)


def _by_pinyin(entry: dict[str, str]) -> tuple[str, str, str]:
    """Sort key: the pinyin of the Chinese label (黔江 → qianjiang), then the label and slug."""
    from graph.index.keys import to_pinyin

    return (to_pinyin(entry["label"]), entry["label"], entry["slug"])


def home_entries(store: KGStore) -> dict[str, Any]:
    """Picker entries (``slug``, ``label``): chains, regional industries and portfolios, and
    regions grouped by kind (municipality, districts, high-tech zones, industrial parks, sub-parks,
    corridors), each list in pinyin order.

    Returns:
        ``{"chains", "industries", "regions": [...], "region_groups": [{"kind", "label", "items"}]}``,
        where ``regions`` is every group's items in group order.
    """
    from graph.index.materialize import derived_for
    from graph.index.region_list import list_regions
    from graph.prefixes import PREFIXES

    derived = derived_for(store)
    grouped: dict[str, list[dict[str, str]]] = {}
    for r in derived.regions() if derived else list_regions(store):
        label = _label({"zh": r.get("label"), "en": r.get("label_en")}, r["iri"])
        grouped.setdefault(r["type"], []).append({"slug": _slug(r["iri"]), "label": label})
    kinds = sorted(grouped, key=lambda k: (REGION_KIND_ORDER.index(k) if k in REGION_KIND_ORDER else 99, k))
    full = {k: PREFIXES["ckg"] + k.split(":", 1)[1] if k.startswith("ckg:") else k for k in kinds}
    names = {r["t"]: r for r in store.select(_CLASS_LABELS, bindings={"t": [URIRef(i) for i in full.values()]})}
    groups: list[dict[str, Any]] = []
    for k in kinds:
        items: list[dict[str, str]] = sorted(grouped[k], key=_by_pinyin)
        groups.append({"kind": k, "label": _label(names.get(full[k], {}), k), "items": items})
    entries = index_for(store).entries.values()

    def pick(*kinds: str) -> list[dict[str, str]]:
        found = [{"slug": _slug(e.iri), "label": _label(e.labels, e.label)} for e in entries if e.kind in kinds]
        return sorted(found, key=_by_pinyin)

    return {
        "chains": pick("chain"),
        "industries": pick("industry", "portfolio"),
        "regions": [item for g in groups for item in g["items"]],
        "region_groups": groups,
    }


@router.get("/", response_class=HTMLResponse, summary="Home page: search and views")
def home(request: Request, store: StoreDep) -> HTMLResponse:
    """Search box (``/api/search``), chain and region pickers, links to the views."""
    root = _root(request)
    picks = home_entries(store)
    links = [{"href": f"{root}/viz/chains/{c['slug']}", "label": f"{c['label']} · 产业链 chain"}
             for c in picks["chains"]]
    links += [{"href": f"{root}/viz/industries/{i['slug']}", "label": f"{i['label']} · 区域产业 industry"}
              for i in picks["industries"]]
    return HTMLResponse(
        render_home(
            regions=picks["region_groups"],
            chains=picks["chains"],
            links=links,
            static_url=f"{root}/static",
            base_url=f"{root}/",
            kinds=KINDS,
        )
    )
