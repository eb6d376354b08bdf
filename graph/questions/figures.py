"""Figures: time series for a subject and indicator, and targets against actuals with the gap.

Figures are never merged: each observation keeps its period and source, and two sources that
disagree both appear.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from rdflib import URIRef

from graph import queries
from graph.index.names import index_for
from graph.questions.provenance import Source, documents, source_from_row
from graph.store.embedded import KGStore

KINDS = {
    "https://w3id.org/chainkg/ontology#Actual": "actual",
    "https://w3id.org/chainkg/ontology#Target": "target",
    "https://w3id.org/chainkg/ontology#Estimate": "estimate",
}


@dataclass
class Figure:
    """One observation."""

    iri: str
    indicator: str
    indicator_label: str | None
    indicator_label_en: str | None
    value: float
    value_max: float | None
    qualifier: str | None
    unit: str | None
    unit_label: str | None
    kind: str
    period: str | None
    period_start: str | None
    period_end: str | None
    growth_rate: float | None
    flag: str | None
    sources: list[Source] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["sources"] = [s.to_dict() for s in self.sources]
        return data


def observations(store: KGStore, subject: str, *, indicator: str | None = None) -> list[Figure]:
    """Every figure about ``subject`` (an IRI), optionally for one indicator IRI, oldest first."""
    bindings: dict[str, URIRef] = {"subject": URIRef(subject)}
    if indicator:
        bindings["indicator"] = URIRef(indicator)
    docs = documents(store)
    figures: dict[str, Figure] = {}
    for r in store.select(queries.load("observations"), bindings=bindings):
        fig = figures.get(r["obs"])
        if fig is None:
            fig = figures[r["obs"]] = Figure(
                iri=r["obs"], indicator=r["indicator"], indicator_label=r.get("indicatorLabel"),
                indicator_label_en=r.get("indicatorLabelEn"), value=float(r["value"]),
                value_max=float(r["valueMax"]) if "valueMax" in r else None, qualifier=r.get("qualifier"),
                unit=r.get("unit"), unit_label=r.get("unitLabel"), kind=KINDS.get(r.get("kind", ""), "actual"),
                period=r.get("periodLabel"), period_start=_s(r.get("periodStart")),
                period_end=_s(r.get("periodEnd")),
                growth_rate=float(r["growth"]) if "growth" in r else None, flag=r.get("flag"),
            )
        src = source_from_row(r, docs)
        if src not in fig.sources:
            fig.sources.append(src)
    return sorted(figures.values(), key=lambda f: (f.indicator, f.period_end or "", f.iri))


def _s(v: Any) -> str | None:
    return None if v is None else str(v)


@dataclass
class TargetGap:
    """A target and the latest actual figure of the same indicator, with the gap."""

    indicator: str
    indicator_label: str | None
    unit_label: str | None
    target: Figure
    latest_actual: Figure | None
    gap: float | None  # target − actual, in the target's unit; None without a comparable actual
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "indicator_label": self.indicator_label,
            "unit": self.unit_label,
            "target": self.target.to_dict(),
            "latest_actual": self.latest_actual.to_dict() if self.latest_actual else None,
            "gap": self.gap,
            "note": self.note,
        }


def targets_vs_actuals(figures: list[Figure]) -> list[TargetGap]:
    """Pair every target with the latest actual of the same indicator and unit.

    >>> def fig(iri, value, kind, period):
    ...     return Figure(iri, "i", "产值", None, value, None, None, "u", "亿元", kind, period, None,
    ...                   f"{period}-12-31", None, None)
    >>> t, a = fig("t", 100, "target", "2025"), fig("a", 70, "actual", "2022")
    >>> targets_vs_actuals([t, a])[0].gap
    30.0
    """
    actuals: dict[tuple[str, str | None], list[Figure]] = defaultdict(list)
    for f in figures:
        if f.kind == "actual":
            actuals[(f.indicator, f.unit)].append(f)
    out = []
    for t in (f for f in figures if f.kind == "target"):
        pool = sorted(actuals.get((t.indicator, t.unit), []), key=lambda f: f.period_end or "")
        latest = pool[-1] if pool else None
        if latest is None:
            note = "no actual figure for this indicator in the sources"
            gap = None
        else:
            gap = round(float(t.value) - float(latest.value), 4)
            note = f"target for {t.period or 'unstated period'} vs actual for {latest.period or 'unstated period'}"
        out.append(TargetGap(t.indicator, t.indicator_label, t.unit_label, t, latest, gap, note))
    return out


def resolve_indicator(store: KGStore, name: str) -> str:
    """An indicator IRI from its IRI, slug or label (Chinese or English, case-insensitive).

    Raises:
        UnknownEntityError: no indicator has that name (with the closest labels).
    """
    from rapidfuzz import process

    from graph.errors import Candidate, UnknownEntityError

    labels: dict[str, str] = {}
    for r in store.select(queries.load("indicators")):
        iri = r["indicator"]
        labels[iri.rsplit("/", 1)[-1].lower()] = iri
        labels[iri] = iri
        if "label" in r:
            labels[str(r["label"]).strip().lower()] = iri
    key = name.strip().lower()
    if key in labels:
        return labels[key]
    close = process.extract(key, list(labels), limit=5, score_cutoff=50)
    raise UnknownEntityError(
        name, [Candidate(labels[k], "indicator", k, k, float(score)) for k, score, _ in close], kind="indicator"
    )


def figures_for(store: KGStore, subject: str, *, indicator: str | None = None) -> dict[str, Any]:
    """Resolve a subject (and an indicator) by name; return its series and targets vs actuals.

    Raises:
        UnknownEntityError, AmbiguousNameError: the subject or indicator name does not resolve.
    """
    iri = subject if subject.startswith("https://") else index_for(store).resolve(subject).iri
    indicator_iri = resolve_indicator(store, indicator) if indicator else None
    figs = observations(store, iri, indicator=indicator_iri)
    series: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in figs:
        series[f.indicator].append(f.to_dict())
    return {
        "subject": iri,
        "series": [{"indicator": k, "figures": v} for k, v in series.items()],
        "targets_vs_actuals": [t.to_dict() for t in targets_vs_actuals(figs)],
    }
