"""What a roster import is and says: each row's outcome, the summary a planner reads, the quads.

:mod:`graph.ingest.roster` builds these; the command line prints :meth:`RosterSummary.table` and,
for a dry run, :meth:`RosterSummary.rows_table`; ``--format json`` prints :meth:`RosterSummary.to_dict`.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from graph.ingest.table import Table

# --- the result -------------------------------------------------------------------------------


@dataclass
class RowOutcome:
    """What one row becomes: new or matched enterprise, its place and segments."""

    row: int
    name: str
    enterprise: str
    action: str  # "new" | "matched"
    matched_by: str | None  # "credit code" | "legal name" | "name" | "short name" | "earlier row"
    place: str
    place_label: str
    segments: list[tuple[str, str]] = field(default_factory=list)  # (segment IRI, "column" | "code")
    gbt_code: str | None = None
    gbt_name: str | None = None
    status: str | None = None  # registration status as given


@dataclass
class RosterSummary:
    """Counts a planner reads: rows, new and matched enterprises, segment mapping, per zone/chain."""

    file: str
    document: str
    encoding: str
    rows: int = 0
    new: int = 0
    matched: int = 0
    matched_by: dict[str, int] = field(default_factory=dict)
    mapped_by_column: int = 0
    mapped_by_code: int = 0
    unmapped: int = 0
    unmapped_classes: dict[str, int] = field(default_factory=dict)  # "code name" → rows
    by_zone: dict[str, dict[str, int]] = field(default_factory=dict)  # place label → counts
    by_chain: dict[str, dict[str, int]] = field(default_factory=dict)  # chain label → counts
    #: One entry per (place, chain): enterprises and the segments they were put on.
    by_zone_chain: list[dict[str, Any]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    #: Rows per registration status as the roster gives it (存续, 在业, 注销 …; "-" when not given).
    statuses: dict[str, int] = field(default_factory=dict)
    #: Each row's outcome (what ``rows_table`` lists).
    outcomes: list[RowOutcome] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data, each row's outcome included."""
        data = {k: v for k, v in self.__dict__.items() if k != "outcomes"}
        data["rows_detail"] = [dict(o.__dict__) for o in self.outcomes]
        return data

    def rows_table(self) -> str:
        """Each row's outcome as a plain-text table (what a dry run shows)."""
        return text_table(
            [[r.row, r.name, r.action + (f" ({r.matched_by})" if r.matched_by else ""),
              short_iri(r.enterprise), r.place_label,
              "; ".join(f"{short_iri(s)} ({how})" for s, how in r.segments) or "-"] for r in self.outcomes],
            ["row", "name", "enterprise", "id", "place", "segments"])

    def table(self) -> str:
        """The summary as plain-text tables (CJK-aligned), for the command line."""
        lines = [
            f"roster {self.file} ({self.encoding}) → {self.document}",
            f"rows: {self.rows}   new enterprises: {self.new}   matched: {self.matched}"
            + (f" ({', '.join(f'{k} {v}' for k, v in sorted(self.matched_by.items()))})" if self.matched_by else ""),
            f"rows mapped to segments: by column {self.mapped_by_column}, by GB/T code {self.mapped_by_code};"
            f" without a segment: {self.unmapped}",
        ]
        if self.statuses and set(self.statuses) != {"-"}:
            lines.append("registration status: " + ", ".join(f"{k} {v}" for k, v in
                                                              sorted(self.statuses.items(), key=lambda kv: -kv[1])))
        if self.ignored_columns:
            lines.append(f"columns not used: {', '.join(self.ignored_columns)}")
        out = ["\n".join(lines)]
        if self.by_zone:
            out.append(text_table(
                [[z, c["rows"], c["new"], c["matched"]] for z, c in sorted(self.by_zone.items())],
                ["place", "rows", "new", "matched"]))
        if self.by_chain:
            out.append(text_table(
                [[ch, c["enterprises"], c["by_column"], c["by_code"], c["segments"]]
                 for ch, c in sorted(self.by_chain.items())],
                ["chain", "enterprises", "by column", "by code", "segments"]))
        if self.by_zone_chain:
            out.append(text_table(
                [[z["place"], z["chain"], z["enterprises"], "、".join(z["segments"])] for z in self.by_zone_chain],
                ["place", "chain", "enterprises", "segments"]))
        if self.unmapped_classes:
            classes = sorted(self.unmapped_classes.items(), key=lambda kv: (-kv[1], kv[0]))
            out.append(text_table([list(kv) for kv in classes], ["GB/T class without a chain segment", "rows"]))
        return "\n\n".join(out)


@dataclass
class RosterImport:
    """A roster read into claims: the quads to write, the summary, and each row's outcome."""

    quads: list[ox.Quad]
    summary: RosterSummary
    rows: list[RowOutcome]
    document: str

    def rows_table(self) -> str:
        """Each row's outcome as a plain-text table (what a dry run shows)."""
        return self.summary.rows_table()


def text_table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """A plain-text table whose columns line up for CJK text (wide characters count double).

    >>> print(text_table([["黔江", 1]], ["place", "n"]))
    place  n
    -----  -
    黔江   1
    """

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(width(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(c + " " * (w - width(c)) for c, w in zip(row, widths, strict=True)).rstrip()

    return "\n".join([line(cells[0]), line(["-" * w for w in widths]), *(line(r) for r in cells[1:])])


def short_iri(iri: str) -> str:
    """An IRI in its prefixed form (``ent:sanlei-boxian``).

    >>> short_iri("https://w3id.org/chainkg/id/enterprise/sanlei-boxian")
    'ent:sanlei-boxian'
    """
    from graph.store.stats import compact

    return compact(iri)


@dataclass(frozen=True)
class Segment:
    """A template segment as the roster reader sees it: chain, label, GB/T codes, order."""

    iri: str
    chain: str
    chain_label: str
    label: str
    codes: tuple[str, ...]
    order: int = 0



def summarise(fname: str, doc: str, table: Table, outcomes: list[RowOutcome], segments: dict[str, Segment],
               place_labels: dict[str, str]) -> RosterSummary:
    s = RosterSummary(fname, doc, table.encoding, rows=len(outcomes), ignored_columns=table.ignored,
                      outcomes=outcomes)
    new = {o.enterprise for o in outcomes if o.action == "new"}
    matched = {o.enterprise for o in outcomes if o.action == "matched"}
    s.new, s.matched = len(new), len(matched)
    how = Counter(o.matched_by for o in outcomes if o.action == "matched" and o.matched_by)
    s.matched_by = dict(how)
    s.statuses = dict(Counter(o.status or "-" for o in outcomes))
    zone: dict[str, dict[str, Any]] = defaultdict(lambda: {"rows": 0, "new": set(), "matched": set()})
    chain: dict[str, dict[str, Any]] = defaultdict(lambda: {"enterprises": set(), "by_column": 0, "by_code": 0,
                                                            "segments": set()})
    for o in outcomes:
        z = zone[o.place_label or "-"]
        z["rows"] += 1
        z[o.action].add(o.enterprise)
        kinds = {how for _, how in o.segments}
        if "column" in kinds:
            s.mapped_by_column += 1
        elif "code" in kinds:
            s.mapped_by_code += 1
        else:
            s.unmapped += 1
            key = " ".join(x for x in (o.gbt_code, o.gbt_name) if x) or "(no class given)"
            s.unmapped_classes[key] = s.unmapped_classes.get(key, 0) + 1
        for seg, _ in o.segments:
            info = segments.get(seg)
            ch = chain[info.chain_label if info else seg]
            ch["enterprises"].add(o.enterprise)
            ch["segments"].add(seg)
        for ch_label in {segments[sg].chain_label for sg, _ in o.segments if sg in segments}:
            chain[ch_label]["by_column" if "column" in kinds else "by_code"] += 1
    cross: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: {"enterprises": set(), "segments": set()})
    for o in outcomes:
        for seg, _ in o.segments:
            info = segments.get(seg)
            cell = cross[o.place_label or "-", info.chain_label if info else seg]
            cell["enterprises"].add(o.enterprise)
            cell["segments"].add(seg)
    order = {iri: i for i, iri in enumerate(sorted(segments, key=lambda i: (segments[i].chain, segments[i].order)))}
    s.by_zone_chain = [
        {"place": place, "chain": chain_label, "enterprises": len(v["enterprises"]),
         "segments": [segments[x].label if x in segments else x
                      for x in sorted(v["segments"], key=lambda x: order.get(x, -1))]}
        for (place, chain_label), v in sorted(cross.items())]
    s.by_zone = {k: {"rows": v["rows"], "new": len(v["new"]), "matched": len(v["matched"])} for k, v in zone.items()}
    s.by_chain = {k: {"enterprises": len(v["enterprises"]), "by_column": v["by_column"], "by_code": v["by_code"],
                      "segments": len(v["segments"])} for k, v in chain.items()}
    return s
