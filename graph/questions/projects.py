"""Projects (项目): owner, status, dates, capacity, segment, place and figures, with sources."""

from __future__ import annotations

from typing import Any

from graph import queries
from graph.index.names import index_for
from graph.questions.describe import facts
from graph.questions.figures import observations
from graph.questions.provenance import NOT_STATED
from graph.store.embedded import KGStore


def _one(f: Any, prop: str) -> Any:
    """A property's values with sources, or "not stated" when the sources say so or are silent."""
    vals = f.with_sources(prop)
    return vals if vals else NOT_STATED


def project_summary(store: KGStore, iri: str) -> dict[str, Any]:
    """One project by IRI: owner (IRI and label), status, dates, capacity, segment, place, parts,
    figures (every observation about it) and sources. What the sources do not give reads
    "not stated"."""
    f = facts(store, iri)
    return {
        "iri": iri,
        "id": iri.rsplit("/", 1)[-1],
        "label": f.label("zh"),
        "label_en": f.label("en"),
        "aliases": f.with_sources("skos:altLabel"),
        "owner": _one(f, "ckg:owner"),
        "status": _one(f, "ckg:projectStatus"),
        "status_notes": f.with_sources("ckg:statusNote"),
        "status_as_of": f.with_sources("ckg:statusAsOf"),
        "start_date": f.with_sources("ckg:startDate"),
        "operation_date": f.with_sources("ckg:operationDate"),
        "planned_completion": f.with_sources("ckg:plannedCompletion"),
        "capacity": f.with_sources("ckg:capacity"),
        "segment": f.with_sources("ckg:forSegment"),
        "place": _one(f, "ckg:locatedIn"),
        "part_of": f.with_sources("dct:isPartOf"),
        "figures": [fig.to_dict() for fig in observations(store, iri)],
        "not_stated": sorted(f.not_stated()),
        "sources": f.sources(),
    }


def project_profile(store: KGStore, name: str) -> dict[str, Any]:
    """A project by IRI, slug, name, alias or pinyin (see :func:`project_summary`).

    Raises:
        UnknownEntityError, AmbiguousNameError: the name does not resolve to one project.
    """
    return project_summary(store, index_for(store).resolve(name, kinds=("project",)).iri)


def list_projects(store: KGStore, *, region: str | None = None) -> list[dict[str, Any]]:
    """Every project (located in ``region`` or a place inside it), ordered by label then IRI.

    Raises:
        UnknownEntityError, AmbiguousNameError: the region does not resolve.

    >>> list_projects(KGStore())
    []
    """
    if region:
        from graph.questions.region_sections import region_sections

        items = region_sections(store, region)["projects"]
        return [{"iri": i["iri"], "id": i["id"], "label": i["label"], "label_en": i["label_en"],
                 "places": i["places"]} for i in items]
    rows = store.select(queries.load("projects"))
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        item = out.setdefault(r["p"], {"iri": r["p"], "id": r["p"].rsplit("/", 1)[-1], "label": r.get("label"),
                                       "label_en": r.get("labelEn"), "places": []})
        if "place" in r and r["place"] not in item["places"]:
            item["places"].append(r["place"])
    return sorted(out.values(), key=lambda i: (i["label"] or "", i["iri"]))
