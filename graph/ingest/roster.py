"""Enterprise rosters and business-registry exports (企查查, 天眼查, 启信宝, park rosters) → claims.

:func:`read_roster` turns one file (CSV or XLSX, as downloaded) into the quads of its claims and a
summary, and writes nothing: the caller decides whether to write them (``chainkg import``) or only
to show them (``--dry-run``). The file is read whole or rejected whole: every row error is
collected and raised together in one :class:`~graph.errors.DataRejectedError`.

* Columns are recognised through :data:`COLUMN_ALIASES` (Chinese or English header names; see
  ``docs/import.md``); a title line above the header, as registry exports have, is skipped.
* Text is UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (which includes GBK); XLSX is
  read with openpyxl.
* Each row is one enterprise: matched to an existing one by credit code, then legal name, then
  another name (label, alias), then a unique short name; otherwise a new enterprise with a stable
  slug (pinyin of its short name; the credit code's tail on collision).
* Place: the row's park column, else ``zone=``, else its district column, else the district in its
  address, resolved by :mod:`graph.index.names`; unknown or ambiguous → row error with suggestions.
* Segments: the segment column by name (``ckg:basis ckg:Stated``); else the GB/T 4754-2017 class
  (code or name) → every template segment with that ``ckg:gbtCode`` (``ckg:Inferred`` with the
  reasoning). A class mapping to nothing is kept on the enterprise and reported.
* Provenance: the file is a ``ckg:SourceDocument`` (file name, sha256, title, publisher, date or
  ``ckg:notStated``); each row is one claim graph whose evidence is its row number and name cell.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import PurePath
from typing import Any

import pyoxigraph as ox
from rdflib import Literal, URIRef

from graph.errors import AmbiguousNameError, Candidate, DataRejectedError, Problem, UnknownEntityError
from graph.index.names import index_for, normalise
from graph.ingest.gbt import CLASS_NAMES, parse_class
from graph.ingest.summary import RosterImport, RosterSummary, RowOutcome, Segment, short_iri, summarise
from graph.ingest.table import (
    CLASS_FIELDS,
    COLUMN_ALIASES,
    ROSTER_SUFFIXES,
    Table,
    _blank,
    credit_code_problem,
    parse_capital,
    parse_date,
    read_table,
)
from graph.ns import CKG, CLAIM, DOC, ENT, PROVENANCE_GRAPH
from graph.store.embedded import KGStore, to_ox

# --- store look-ups -----------------------------------------------------------------------------

_SEGMENTS = """
SELECT ?seg ?chain ?code ?label ?chainLabel ?order WHERE {
  ?seg a ckg:Segment ; ckg:segmentOf ?chain .
  OPTIONAL { ?seg ckg:gbtCode ?code }
  OPTIONAL { ?seg ckg:order ?order }
  OPTIONAL { ?seg rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "zh")) }
  OPTIONAL { ?chain rdfs:label ?chainLabel FILTER(LANGMATCHES(LANG(?chainLabel), "zh")) }
}"""

_BY_CODE = "SELECT ?e ?key WHERE { ?e ckg:creditCode ?key . ?e a ckg:Enterprise }"
_BY_LEGAL = "SELECT ?e ?key WHERE { ?e ckg:legalName ?key . ?e a ckg:Enterprise }"
_BY_NAME = """SELECT ?e ?key WHERE {
  { ?e rdfs:label ?key } UNION { ?e skos:altLabel ?key } UNION { ?e ckg:shortName ?key }
  ?e a ckg:Enterprise }"""
_KNOWN_OF = """SELECT ?e ?legal ?code WHERE {
  { ?e ckg:legalName ?legal } UNION { ?e ckg:creditCode ?code } }"""
_USED = "SELECT DISTINCT ?e WHERE { ?e ?p ?o }"
_PART_OF = "ASK { ?inner ckg:partOf* ?outer }"

#: Look-ups bind at most this many values at a time.
_BATCH = 2000


#: The look-ups as index scans (predicates whose object is the key, of a subject that is a
#: ``ckg:Enterprise``): what :func:`_lookup` runs on the embedded store.
_PATTERNS: dict[str, tuple[str, ...]] = {
    _BY_CODE: (str(CKG.creditCode),),
    _BY_LEGAL: (str(CKG.legalName),),
    _BY_NAME: ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#altLabel",
               str(CKG.shortName)),
}


def _lookup(store: KGStore, sparql: str, var: str, values: Sequence[Any]) -> dict[str, set[str]]:
    """key → IRIs found, binding ``values`` to ``?var``.

    On the embedded store each value is one index seek per predicate (``?e <p> "value"`` on the
    default graph, then ``?e a ckg:Enterprise``): a cost proportional to the roster, where the
    query with a ``VALUES`` block of thousands of names had Oxigraph scan every label of the
    store. Elsewhere (a remote store) the query runs with the values bound in batches.
    """
    found: dict[str, set[str]] = defaultdict(set)
    values = list(dict.fromkeys(values))
    inner = getattr(store, "ox", None)
    predicates = _PATTERNS.get(sparql)
    if isinstance(inner, ox.Store) and predicates:
        default = ox.DefaultGraph()
        enterprise = ox.NamedNode(str(CKG.Enterprise))
        nodes = [ox.NamedNode(p) for p in predicates]
        for value in values:
            term = to_ox(value)
            for p in nodes:
                for q in inner.quads_for_pattern(None, p, term, default):
                    e = q.subject
                    if isinstance(e, ox.NamedNode) and _exists(inner, e, _RDF_TYPE, enterprise):
                        found[str(value)].add(e.value)
        return found
    for start in range(0, len(values), _BATCH):
        for row in store.select(sparql, bindings={var: values[start:start + _BATCH]}):
            found[str(row["key"])].add(row["e"])
    return found


def _exists(inner: ox.Store, s: Any, p: Any, o: Any) -> bool:
    return next(iter(inner.quads_for_pattern(s, p, o, ox.DefaultGraph())), None) is not None


def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


# --- names and slugs -------------------------------------------------------------------------------

_COMPANY_SUFFIXES = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团公司", "分公司", "公司", "厂")
_PAREN = re.compile(r"[(（][^)）]*[)）]")
_LEADING_PLACE = re.compile(r"^(?:重庆市|重庆)?(?:[\u4e00-\u9fff]{1,4}?[区县])?")


def short_names(name: str) -> list[str]:
    """Short forms of a legal name, longest first: without 重庆 prefix, district, brackets, suffix.

    >>> short_names("重庆市黔江区京宏源铝业有限公司")
    ['黔江区京宏源铝业', '京宏源铝业']
    >>> short_names("华芯智造微电子(重庆)股份有限公司")
    ['华芯智造微电子']
    """
    base = _PAREN.sub("", unicodedata.normalize("NFKC", name)).strip()
    for suffix in _COMPANY_SUFFIXES:
        if base.endswith(suffix) and len(base) > len(suffix) + 1:
            base = base[: -len(suffix)]
            break
    out: list[str] = []
    for prefix in ("重庆市", "重庆"):
        if base.startswith(prefix) and len(base) > len(prefix) + 1:
            base = base[len(prefix):]
            break
    out.append(base)
    match = _LEADING_PLACE.match(base)
    if match and match.end() and len(base) - match.end() >= 2:
        out.append(base[match.end():])
    return [s for s in dict.fromkeys(out) if s and s != name]


@lru_cache(maxsize=65536)
def _slug_words(text: str) -> tuple[str, ...]:
    return tuple(slug_words(text))


_LEGAL_FORM = re.compile(r"(公司|厂|合作社|联合社|集团|中心|院|所|站|店|部|社|场|行|处|会)$")


def looks_legal(name: str) -> bool:
    """Whether a name ends as registered names do (有限公司, 厂, 合作社, 店 …), brackets aside.

    >>> [looks_legal(n) for n in ("重庆三磊玻纤股份有限公司", "华芯智造微电子(重庆)股份有限公司", "三磊玻纤")]
    [True, True, False]
    """
    return _LEGAL_FORM.search(re.sub(r"[(（][^)）]*[)）]\s*$", "", name.strip())) is not None


def slug_words(text: str) -> list[str]:
    """Pinyin words of a Chinese name for a slug: syllables in pairs; Latin letters and digits kept.

    >>> slug_words("三磊玻纤"), slug_words("京宏源铝业"), slug_words("ABC新材料")
    (['sanlei', 'boxian'], ['jinghong', 'yuanlv', 'ye'], ['abc', 'xincai', 'liao'])
    """
    from pypinyin import Style, lazy_pinyin

    words: list[str] = []
    pending: list[str] = []
    for token in lazy_pinyin(unicodedata.normalize("NFKC", text), style=Style.NORMAL):
        if re.fullmatch(r"[a-zü]+", token):
            pending.append(token.replace("ü", "v"))
            if len(pending) == 2:
                words.append("".join(pending))
                pending = []
        else:
            if pending:
                words.append("".join(pending))
                pending = []
            words += [w for w in re.split(r"[^a-z0-9]+", token.lower()) if w]
    if pending:
        words.append("".join(pending))
    return words


# --- reading a roster ---------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    cells: dict[str, str]


def read_roster(
    data: bytes,
    *,
    filename: str,
    store: KGStore,
    zone: str | None = None,
    title: str | None = None,
    date: str | None = None,
    publisher: str | None = None,
) -> RosterImport:
    """Read an enterprise roster (CSV or XLSX bytes) into claim quads and a summary; writes nothing.

    Args:
        data: the file's bytes, as downloaded.
        filename: its name (the suffix picks CSV or XLSX; recorded as ``ckg:fileName``).
        store: the store the claims will join (names, places, segments and enterprises are read).
        zone: the place of rows whose row names no park (a zone, park or district name).
        title, date, publisher: the roster's source description; absent ones are ``ckg:notStated``
            (the file name stands for a missing title). ``date`` is ``YYYY-MM-DD``.

    Raises:
        DataRejectedError: kind ``roster``; every row error (row, column, value, reason), or a
            file-level error (encoding, header, options). Nothing is returned in part.

    >>> from graph.build.loading import build
    >>> kg = KGStore(); _ = build(kg, validate=False)
    >>> csv_text = ("企业名称,统一社会信用代码,所属区县,国标行业小类\\n"
    ...             "重庆示例丝绸有限公司,91500114MA5U00001E,黔江区,1742\\n")
    >>> result = read_roster(csv_text.encode(), filename="demo.csv", store=kg)
    >>> [(r.action, r.place_label, [s for s, _ in r.segments]) for r in result.rows]
    [('new', '黔江区', ['https://w3id.org/chainkg/id/segment/silk--weaving'])]
    """
    problems: list[Problem] = []
    table = read_table(data, filename=filename)
    sha = hashlib.sha256(data).hexdigest()
    doc_iri = DOC[f"roster-{sha[:12]}"]
    fname = PurePath(filename).name
    doc_date: Date | None = None
    if date:
        try:
            doc_date = parse_date(date)
        except ValueError as err:
            problems.append(Problem(fname, f"--date {date!r}: {err}"))
    index = index_for(store)
    zone_entry = None
    if zone:
        try:
            zone_entry = index.resolve(zone, kinds=("region",))
        except (UnknownEntityError, AmbiguousNameError) as err:
            problems.append(Problem(fname, f"--zone {zone!r}: {_name_problem(err)}"))
    if problems:
        raise DataRejectedError(problems, kind="roster")

    rows = [_Row(n, {f: (cells[i].strip() if i < len(cells) else "") for f, i in table.fields.items()})
            for n, cells in table.rows]
    segments = _segments(store)
    reader = _RowReader(store, table, fname, zone_entry, segments, index)
    outcomes = reader.read(rows)
    if reader.problems:
        raise DataRejectedError(reader.problems, kind="roster")

    quads = _document_quads(doc_iri, fname, sha, title=title, date=doc_date, publisher=publisher)
    for outcome, row in zip(outcomes, rows, strict=True):
        quads += reader.claim_quads(outcome, row, doc_iri, sha)
    summary = summarise(fname, str(doc_iri), table, outcomes, segments, reader.place_labels)
    return RosterImport(quads, summary, outcomes, str(doc_iri))


def check_roster(store: KGStore, result: RosterImport, *, chunk: int = 25) -> list[Problem]:
    """SHACL-validate a roster's claims on the merged result, as the store will hold them.

    The data graph is the roster's triples plus what the store says of the places, segments and
    matched enterprises they point to (and the types of what those point to); the focus nodes are
    the roster's own subjects (enterprises, document, claims), so the rest of the store is not
    re-judged. Enterprises are validated ``chunk`` at a time with their claims (pyshacl's cost grows
    with focus nodes × targets). Returns one problem per violation (empty when the claims conform).
    """
    from pyshacl import validate
    from rdflib import Graph

    from graph.store.embedded import from_ox
    from graph.store.shapes import _violations, ontology_graph, shapes_graph

    shapes, ontology = shapes_graph(), ontology_graph()
    doc = result.document
    owner: dict[str, str] = {}  # claim graph → its enterprise
    for q in result.quads:
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name != _PROV_G:
            owner[q.graph_name.value] = q.subject.value if isinstance(q.subject, ox.NamedNode) else ""
    groups: dict[str, list[ox.Quad]] = defaultdict(list)
    for q in result.quads:
        subject = q.subject.value if isinstance(q.subject, ox.NamedNode) else ""
        groups[owner.get(subject, subject)].append(q)
    doc_quads = groups.pop(doc, [])
    enterprises = sorted(groups)
    problems: list[Problem] = []
    for start in range(0, max(len(enterprises), 1), chunk):
        part = enterprises[start:start + chunk]
        quads = [q for e in part for q in groups[e]] + doc_quads
        data = Graph()
        focus: set[str] = {doc} if start == 0 else set()
        referenced: set[str] = {e for e in part if e in {o.enterprise for o in result.rows if o.action == "matched"}}
        for q in quads:
            data.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))  # type: ignore[arg-type]
            if isinstance(q.subject, ox.NamedNode) and q.subject.value != doc:
                focus.add(q.subject.value)
            if isinstance(q.object, ox.NamedNode) and q.predicate != _RDF_TYPE:
                referenced.add(q.object.value)
        if not focus:
            continue
        context = sorted(referenced)
        for row in store.select(_CONTEXT, bindings={"s": [URIRef(i) for i in context]}, terms=True) if context else []:
            data.add((row["s"], row["p"], row["o"]))
            if "t" in row:
                data.add((row["o"], URIRef(_RDF_TYPE.value), row["t"]))
        data += ontology
        conforms, report, _ = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True,
                                       advanced=True, focus_nodes=[URIRef(s) for s in sorted(focus)])
        if not conforms:
            problems += _violations(report)
    return problems


_CONTEXT = "SELECT ?s ?p ?o ?t WHERE { ?s ?p ?o OPTIONAL { ?o a ?t } }"


def import_roster(store: KGStore, data: bytes, *, filename: str, zone: str | None = None,
                  title: str | None = None, date: str | None = None, publisher: str | None = None,
                  dry_run: bool = False, validate: bool = False) -> RosterImport:
    """Read a roster (:func:`read_roster`) and import its claims through the store's import journal
    (:func:`graph.build.journal.record_import`: one transaction, listed by ``chainkg imports``), unless
    ``dry_run``.

    Every row is checked as it is read (names, codes, dates, capitals, places, segments). The claims
    are built by chainkg, not written by hand, and the tests hold them to the SHACL shapes;
    ``validate`` checks them once more on the merged result (:func:`check_roster`, about 10 ms a row).

    Raises:
        DataRejectedError: row errors (kind ``roster``), shape violations (kind ``shacl``) or the
            same file imported before (kind ``duplicate``); the store is unchanged.

    >>> from graph.build.loading import build
    >>> kg = KGStore(); _ = build(kg, validate=False)
    >>> done = import_roster(kg, "企业名称,所属区县\\n重庆三磊玻纤股份有限公司,黔江区\\n".encode(), filename="a.csv")
    >>> done.summary.matched, kg.ask("ASK { ent:sanlei-boxian ckg:locatedIn place:qianjiang }")
    (1, True)
    """
    result = read_roster(data, filename=filename, store=store, zone=zone, title=title, date=date,
                         publisher=publisher)
    if validate:
        problems = check_roster(store, result)
        if problems:
            raise DataRejectedError(problems, kind="shacl")
    if not dry_run:
        from graph.build.journal import SourceFile, record_import

        record_import(store, result.quads, kind="roster",
                      source=SourceFile(filename, data, title=title, date=date, publisher=publisher))
    return result


def _name_problem(err: UnknownEntityError | AmbiguousNameError) -> str:
    if isinstance(err, AmbiguousNameError):
        listed = "; ".join(f"{c.label} ({short_iri(c.iri)})" for c in err.candidates[:5])
        return f"ambiguous: {err.total} places answer to it: {listed}"
    options: list[Candidate] = err.suggestions
    hint = f"; did you mean {'; '.join(f'{c.label} ({short_iri(c.iri)})' for c in options[:5])}?" if options else ""
    return f"unknown place{hint}"


def _segments(store: KGStore) -> dict[str, Segment]:
    acc: dict[str, dict[str, Any]] = {}
    for r in store.select(_SEGMENTS):
        s = acc.setdefault(r["seg"], {"chain": r["chain"], "codes": set(), "label": r.get("label", r["seg"]),
                                       "chain_label": r.get("chainLabel", r["chain"]), "order": r.get("order", 0)})
        if r.get("code"):
            s["codes"].add(str(r["code"]))
    return {iri: Segment(iri, s["chain"], s["chain_label"], s["label"], tuple(sorted(s["codes"])),
                          int(s["order"]) if isinstance(s["order"], int) else 0)
            for iri, s in acc.items()}


class _RowReader:
    """Checks rows and decides, for each, the enterprise, place and segments; collects problems."""

    def __init__(self, store: KGStore, table: Table, source: str, zone: Any,
                 segments: dict[str, Segment], index: Any) -> None:
        self.store = store
        self.table = table
        self.source = source
        self.zone = zone
        self.segments = segments
        self.index = index
        self.problems: list[Problem] = []
        self.place_labels: dict[str, str] = {}
        self._place_cache: dict[str, tuple[str | None, str | None]] = {}
        self._segment_cache: dict[tuple[str, str], tuple[str | None, str | None]] = {}
        self._by_code: dict[str, list[str]] = defaultdict(list)
        for seg in segments.values():
            for code in seg.codes:
                self._by_code[code].append(seg.iri)
        if zone is not None:
            self.place_labels[zone.iri] = zone.label
        self.parsed: dict[int, dict[str, Any]] = {}
        self._legal: dict[str, str] = {}  # enterprise → its legal name (graph's, else the first row's)
        self._within_cache: dict[tuple[str, str], bool] = {}

    def error(self, row: int, fieldname: str, value: str, reason: str) -> None:
        col = self.table.fields.get(fieldname)
        header = self.table.headers[col] if col is not None else fieldname
        self.problems.append(Problem(self.source, f"column {header!r}, value {value!r}: {reason}", line=row,
                                     column=None if col is None else col + 1))

    # ----- per-row checks

    def read(self, rows: list[_Row]) -> list[RowOutcome]:
        for row in rows:
            self.parsed[row.number] = self._check(row)
        matches = self._match(rows)
        outcomes: list[RowOutcome] = []
        for row in rows:
            p = self.parsed[row.number]
            place, place_label = self._place(row)
            segs, code, cname = self._row_segments(row)
            iri, action, how = matches.get(row.number, ("", "new", None))
            outcomes.append(RowOutcome(row.number, p.get("name", ""), iri, action, how, place or "",
                                       place_label or "", segs, code, cname, p.get("status")))
        return outcomes

    def _check(self, row: _Row) -> dict[str, Any]:
        c = row.cells
        out: dict[str, Any] = {}
        name = unicodedata.normalize("NFKC", c.get("name", "")).strip()
        name = re.sub(r"\s+", " ", name)
        if _blank(name):
            self.error(row.number, "name", c.get("name", ""), "enterprise name missing")
        else:
            out["name"] = name
        code = c.get("credit_code", "")
        if not _blank(code):
            code_n = unicodedata.normalize("NFKC", code).strip().upper()
            why = credit_code_problem(code_n)
            if why:
                self.error(row.number, "credit_code", code, f"not a unified social credit code: {why}")
            else:
                out["credit_code"] = code_n
        est = c.get("established", "")
        if not _blank(est):
            try:
                out["established"] = parse_date(est)
            except ValueError as err:
                self.error(row.number, "established", est, str(err))
        cap = c.get("capital", "")
        if not _blank(cap):
            try:
                out["capital"] = parse_capital(cap, header_unit=self.table.units.get("capital"))
            except ValueError as err:
                self.error(row.number, "capital", cap, str(err))
        for f in ("short_name", "legal_rep", "status", "type", "scope", "address"):
            v = c.get(f, "")
            if not _blank(v):
                out[f] = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", v)).strip() if f != "scope" else v.strip()
        return out

    # ----- enterprises

    def _match(self, rows: list[_Row]) -> dict[int, tuple[str, str, str | None]]:
        """row → (enterprise IRI, "new" | "matched", how): by credit code, legal name, another name,
        a unique short name, or an earlier row of this file; otherwise a new slug."""
        names = {r.number: self.parsed[r.number]["name"] for r in rows if "name" in self.parsed[r.number]}
        codes = {n: self.parsed[n]["credit_code"] for n in names if "credit_code" in self.parsed[n]}
        shorts = {n: [self.parsed[n]["short_name"]] if "short_name" in self.parsed[n] else [] for n in names}
        for n, name in names.items():
            shorts[n] += short_names(name)
        variants = {n: _name_variants(name) for n, name in names.items()}
        all_names = [_zh(v) for vs in variants.values() for v in vs]
        by_code = _lookup(self.store, _BY_CODE, "key", [Literal(c) for c in codes.values()])
        by_legal = _lookup(self.store, _BY_LEGAL, "key", all_names)
        by_name = _lookup(self.store, _BY_NAME, "key", all_names + [_zh(s) for ss in shorts.values() for s in ss])
        hits: dict[int, tuple[str, str] | None] = {}
        for n in names:
            code = codes.get(n)
            if code and len(by_code.get(code, ())) > 1:
                self.error(n, "credit_code", code, f"{len(by_code[code])} enterprises in the graph carry this code: "
                           + ", ".join(short_iri(e) for e in sorted(by_code[code])))
                continue
            hit = _unique(by_code.get(code, set()) if code else set(), "credit code")
            hit = hit or _unique(set().union(*(by_legal.get(v, set()) for v in variants[n])), "legal name")
            hit = hit or _unique(set().union(*(by_name.get(v, set()) for v in variants[n])), "name")
            for s in shorts[n]:
                hit = hit or _unique(by_name.get(s, set()), "short name")
            hits[n] = hit
        # Slugs for new enterprises: the short name's pinyin; with the code's tail (or a number) on collision.
        proposals = {n: _slug_base(shorts[n][-1] if shorts[n] else names[n]) for n, h in hits.items() if h is None}
        wanted = set(proposals.values()) | {f"{proposals[n]}-{codes[n][-6:].lower()}" for n in proposals if n in codes}
        used = set(_lookup_used(self.store, [URIRef(ENT[s]) for s in sorted(wanted)]))
        result: dict[int, tuple[str, str, str | None]] = {}
        state: dict[str, str] = {}  # enterprise → "new" | "matched"
        seen_code: dict[str, str] = {}
        seen_name: dict[str, str] = {}
        for n, hit in hits.items():
            code = codes.get(n)
            key = normalise(names[n])
            earlier = (seen_code.get(code) if code else None) or seen_name.get(key)
            if hit is not None:
                iri, how = hit
                state.setdefault(iri, "matched")
                result[n] = (iri, state[iri], how)
            elif earlier:
                result[n] = (earlier, state[earlier], "earlier row")
            else:
                base = proposals[n]
                slug = base
                if str(ENT[slug]) in used or str(ENT[slug]) in state:
                    slug = f"{base}-{code[-6:].lower()}" if code else f"{base}-2"
                    k = 2
                    while str(ENT[slug]) in used or str(ENT[slug]) in state:
                        k += 1
                        slug = f"{base}-{k}"
                iri = str(ENT[slug])
                state[iri] = "new"
                result[n] = (iri, "new", None)
            iri = result[n][0]
            if code:
                seen_code.setdefault(code, iri)
            seen_name.setdefault(key, iri)
        matched = sorted(i for i, st in state.items() if st == "matched")
        known_code: dict[str, str] = {}
        known_from: dict[str, str] = {}
        for start in range(0, len(matched), _BATCH):
            for r in self.store.select(_KNOWN_OF, bindings={"e": [URIRef(i) for i in matched[start:start + _BATCH]]}):
                if "legal" in r:
                    self._legal.setdefault(r["e"], str(r["legal"]))
                if "code" in r:
                    known_code.setdefault(r["e"], str(r["code"]))
                    known_from.setdefault(r["e"], "the graph")
        # One enterprise, one credit code: a row whose code differs from the one known for the
        # enterprise it matched (in the graph, or in an earlier row) is an error, not a second code.
        for n, (ent, _, how_) in result.items():
            row_code = codes.get(n)
            known = known_code.get(ent)
            if row_code and known and row_code != known:
                self.error(n, "credit_code", row_code, f"the row matches {short_iri(ent)} (by {how_}), whose credit "
                           f"code in {known_from[ent]} is {known}")
            elif row_code and ent not in known_code:
                known_code[ent], known_from[ent] = row_code, f"row {n}"
        return result

    # ----- places

    def _place(self, row: _Row) -> tuple[str | None, str | None]:
        c = row.cells
        if not _blank(c.get("park")):
            return self._resolve_place(row, "park", c["park"])
        if self.zone is not None:
            if not _blank(c.get("district")):
                district, _ = self._resolve_place(row, "district", c["district"])
                if district and not self._within(self.zone.iri, district):
                    self.error(row.number, "district", c["district"],
                               f"the row's district does not contain --zone {self.zone.label}")
            return self.zone.iri, self.zone.label
        if not _blank(c.get("district")):
            return self._resolve_place(row, "district", c["district"])
        address = c.get("address", "")
        if not _blank(address):
            district = _district_in(address)
            if district:
                return self._resolve_place(row, "address", district, shown=address)
            self.error(row.number, "address", address, "no district (…区/县) in the address; give 所属区县 or --zone")
            return None, None
        self.error(row.number, "district", "", "no place: the row names no park, district or address, and no --zone"
                   " was given")
        return None, None

    def _within(self, inner: str, outer: str) -> bool:
        if (inner, outer) not in self._within_cache:
            self._within_cache[inner, outer] = inner == outer or self.store.ask(
                _PART_OF, bindings={"inner": URIRef(inner), "outer": URIRef(outer)})
        return self._within_cache[inner, outer]

    def _resolve_place(self, row: _Row, fieldname: str, text: str, *,
                       shown: str | None = None) -> tuple[str | None, str | None]:
        key = text.strip()
        if key not in self._place_cache:
            try:
                entry = self.index.resolve(key, kinds=("region",))
                self._place_cache[key] = (entry.iri, None)
                self.place_labels[entry.iri] = entry.label
            except (UnknownEntityError, AmbiguousNameError) as err:
                self._place_cache[key] = (None, _name_problem(err))
        iri, why = self._place_cache[key]
        if iri is None:
            self.error(row.number, fieldname, shown or text, why or "unknown place")
            return None, None
        return iri, self.place_labels[iri]

    # ----- segments

    def _row_segments(self, row: _Row) -> tuple[list[tuple[str, str]], str | None, str | None]:
        c = row.cells
        code: str | None = None
        cname: str | None = None
        for f in CLASS_FIELDS:
            v = c.get(f, "")
            if _blank(v):
                continue
            k, nm = parse_class(v)
            if code is None and cname is None:
                code, cname = k, nm
            elif code is None and k:
                code = k
            if code:
                break
        if code and cname is None:
            cname = CLASS_NAMES.get(code)
        seg_text = c.get("segment", "")
        if not _blank(seg_text):
            chain_text = c.get("chain", "")
            found: list[tuple[str, str]] = []
            for part in re.split(r"[;；|\n]+", seg_text):
                if part.strip():
                    iri = self._resolve_segment(row, part.strip(), "" if _blank(chain_text) else chain_text.strip())
                    if iri and (iri, "column") not in found:
                        found.append((iri, "column"))
            return found, code, cname
        if code:
            # The most specific code first; then the broader codes the row gives (class → group → division).
            for candidate in _broader(code, c):
                if candidate in self._by_code:
                    return [(s, "code") for s in sorted(self._by_code[candidate])], candidate, (
                        CLASS_NAMES.get(candidate) or cname)
        return [], code, cname

    def _resolve_segment(self, row: _Row, text: str, chain: str) -> str | None:
        key = (text, chain)
        if key not in self._segment_cache:
            self._segment_cache[key] = self._find_segment(text, chain)
        iri, why = self._segment_cache[key]
        if iri is None:
            self.error(row.number, "segment", text, why or "unknown segment")
        return iri

    def _find_segment(self, text: str, chain: str) -> tuple[str | None, str | None]:
        chain_iri = None
        if chain:
            from graph.questions.completeness import resolve_chain

            try:
                chain_iri = resolve_chain(self.store, chain).iri
            except (UnknownEntityError, AmbiguousNameError) as err:
                return None, f"chain {chain!r}: {err}"
        found = self.index.matches(text, kinds=("segment",))
        cands = [c for c in found.candidates if chain_iri is None or (self.segments.get(c.iri, None)
                 and self.segments[c.iri].chain == chain_iri)]
        if len(cands) == 1:
            return cands[0].iri, None
        if cands:
            listed = "; ".join(f"{c.label} ({short_iri(c.iri)})" for c in cands[:6])
            return None, f"ambiguous segment: {len(cands)} answer to it ({listed}); name the chain in a 产业链 column"
        options = self.index.suggest(text, kinds=("segment",))
        if chain_iri:
            options = [o for o in options if o.iri in self.segments and self.segments[o.iri].chain == chain_iri]
        hint = f"; did you mean {'; '.join(f'{o.label} ({short_iri(o.iri)})' for o in options[:5])}?" if options else ""
        return None, f"unknown segment{' in that chain' if chain_iri else ''}{hint}"

    # ----- quads

    def claim_quads(self, outcome: RowOutcome, row: _Row, doc: URIRef, sha: str) -> list[ox.Quad]:
        p = self.parsed[row.number]
        g = ox.NamedNode(str(CLAIM[f"roster-{sha[:12]}-r{row.number}"]))
        e = ox.NamedNode(outcome.enterprise)
        name = p["name"]
        t: list[tuple[Any, Any]] = []
        is_new = outcome.action == "new" and outcome.matched_by is None
        legal = self._legal.get(outcome.enterprise)
        t.append((_RDF_TYPE, _CKG("Enterprise")))
        if is_new:
            short = p.get("short_name") or (short_names(name) or [name])[-1]
            t += [(_RDFS_LABEL, ox.Literal(name, language="zh")),
                  (_RDFS_LABEL, ox.Literal(" ".join(w.capitalize() for w in _slug_words(short)) or name,
                                           language="en"))]
            if p.get("short_name"):
                t.append((_CKG("shortName"), ox.Literal(p["short_name"], language="zh")))
        if not looks_legal(name):  # a short name in the name column (park rosters do that)
            if is_new and not p.get("short_name"):
                t.append((_CKG("shortName"), ox.Literal(name, language="zh")))
            elif not is_new:
                t.append((_SKOS_ALT, ox.Literal(name, language="zh")))
        elif legal is None:
            t.append((_CKG("legalName"), ox.Literal(name, language="zh")))
            self._legal[outcome.enterprise] = name
        elif legal != name:  # the graph knows the firm under another legal name: keep this one as an alias
            t.append((_SKOS_ALT, ox.Literal(name, language="zh")))
        if outcome.place:
            t.append((_CKG("locatedIn"), ox.NamedNode(outcome.place)))
        if "credit_code" in p:
            t.append((_CKG("creditCode"), ox.Literal(p["credit_code"])))
        if "legal_rep" in p:
            t.append((_CKG("legalRepresentative"), ox.Literal(p["legal_rep"], language="zh")))
        if "established" in p:
            t.append((_CKG("established"), ox.Literal(p["established"].isoformat(), datatype=_XSD_DATE)))
        if "capital" in p:
            amount, currency = p["capital"]
            t.append((_CKG("registeredCapital"), ox.Literal(_decimal(amount), datatype=_XSD_DECIMAL)))
            t.append((_CKG("capitalCurrency"), ox.Literal(currency)))
        for f, prop in (("status", "registrationStatus"), ("type", "enterpriseType"), ("address", "address"),
                        ("scope", "businessScope")):
            if f in p:
                t.append((_CKG(prop), ox.Literal(p[f], language="zh")))
        if outcome.gbt_code:
            t.append((_CKG("industryClass"), ox.Literal(outcome.gbt_code)))
        if outcome.gbt_name and not outcome.gbt_code:
            t.append((_CKG("industryClassName"), ox.Literal(outcome.gbt_name, language="zh")))
        for seg, how in outcome.segments:
            if how == "column":
                t.append((_CKG("operatesIn"), ox.NamedNode(seg)))
        evidence = _evidence(row.number, name)
        quads = [ox.Quad(e, pr, o, g) for pr, o in t]
        quads += _claim_meta(g, doc, evidence, basis="Stated")
        by_code = [s for s, how in outcome.segments if how == "code"]
        if by_code:
            g2 = ox.NamedNode(str(CLAIM[f"roster-{sha[:12]}-r{row.number}-segment"]))
            quads += [ox.Quad(e, _CKG("operatesIn"), ox.NamedNode(s), g2) for s in by_code]
            names = ", ".join(f"{short_iri(s)} ({self.segments[s].label})" for s in by_code)
            cls = f"{outcome.gbt_code}" + (f" {outcome.gbt_name}" if outcome.gbt_name else "")
            reasoning = (f"The roster gives GB/T 4754-2017 class {cls}; the curated chain template segment(s) "
                         f"{names} carry ckg:gbtCode {outcome.gbt_code}, so the enterprise is placed there.")
            quads += _claim_meta(g2, doc, evidence, basis="Inferred", reasoning=reasoning)
        return quads


def _unique(iris: set[str], how: str) -> tuple[str, str] | None:
    return (next(iter(iris)), how) if len(iris) == 1 else None


def _name_variants(name: str) -> list[str]:
    """The name as written and with brackets in the other width (registries differ)."""
    half = name.replace("（", "(").replace("）", ")")
    full = name.replace("(", "（").replace(")", "）")
    return list(dict.fromkeys([name, half, full]))


def _slug_base(short: str) -> str:
    words = _slug_words(short)
    return "-".join(words)[:60].strip("-") or "enterprise"


def _lookup_used(store: KGStore, iris: Sequence[URIRef]) -> list[str]:
    """The ``iris`` the store already uses as a subject (index seeks on the embedded store)."""
    inner = getattr(store, "ox", None)
    if isinstance(inner, ox.Store):
        return [str(i) for i in iris if _exists(inner, ox.NamedNode(str(i)), None, None)]
    out: list[str] = []
    for start in range(0, len(iris), _BATCH):
        out += [r["e"] for r in store.select(_USED, bindings={"e": list(iris[start:start + _BATCH])})]
    return out


_DISTRICT = re.compile(r"^(?:[\u4e00-\u9fff]{2,3}省)?(?:[\u4e00-\u9fff]{2,4}?市)?([\u4e00-\u9fff]{1,5}?(?:区|县))")


def _district_in(address: str) -> str | None:
    """The district (…区/…县) at the start of an address, after province and city.

    >>> _district_in("重庆市黔江区正阳工业园区创业大道8号"), _district_in("创业大道8号")
    ('黔江区', None)
    """
    match = _DISTRICT.match(unicodedata.normalize("NFKC", address).strip())
    return match.group(1) if match else None


def _broader(code: str, cells: dict[str, str]) -> list[str]:
    """The row's code, then its group and division codes as the row or the code itself gives them."""
    out = [code]
    for f in ("gbt_group", "gbt_division"):
        k, _ = parse_class(cells.get(f, "")) if not _blank(cells.get(f)) else (None, None)
        if k:
            out.append(k)
    return list(dict.fromkeys(out))


def _evidence(row: int, name: str) -> str:
    """The claim's evidence: the row number and the row's name cell, at most 50 characters.

    >>> _evidence(12, "重庆三磊玻纤股份有限公司")
    'row 12: 重庆三磊玻纤股份有限公司'
    """
    return f"row {row}: {name}"[:50]


def _decimal(value: Decimal) -> str:
    return format(value.normalize(), "f")


_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_SKOS_ALT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
_XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
_XSD_DECIMAL = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
_PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
_DCT = "http://purl.org/dc/terms/"


@cache
def _CKG(local: str) -> ox.NamedNode:
    return ox.NamedNode(str(CKG[local]))


_PROV_G = ox.NamedNode(str(PROVENANCE_GRAPH))


def _claim_meta(g: ox.NamedNode, doc: URIRef, evidence: str, *, basis: str,
                reasoning: str | None = None) -> list[ox.Quad]:
    quads = [
        ox.Quad(g, _RDF_TYPE, _CKG("Claim"), _PROV_G),
        ox.Quad(g, _PROV_DERIVED, ox.NamedNode(str(doc)), _PROV_G),
        ox.Quad(g, _CKG("evidence"), ox.Literal(evidence), _PROV_G),
        ox.Quad(g, _CKG("basis"), _CKG(basis), _PROV_G),
    ]
    if reasoning:
        quads.append(ox.Quad(g, _CKG("reasoning"), ox.Literal(reasoning, language="en"), _PROV_G))
    return quads


def _document_quads(doc: URIRef, fname: str, sha: str, *, title: str | None, date: Date | None,
                    publisher: str | None) -> list[ox.Quad]:
    d = ox.NamedNode(str(doc))

    def q(p: ox.NamedNode, o: Any) -> ox.Quad:
        return ox.Quad(d, p, o, _PROV_G)

    shown = title or fname
    quads = [
        q(_RDF_TYPE, _CKG("SourceDocument")),
        q(_RDF_TYPE, _CKG("EnterpriseRoster")),
        q(_RDFS_LABEL, ox.Literal(shown, language="zh")),
        q(_RDFS_LABEL, ox.Literal(f"Enterprise roster: {shown}", language="en")),
        q(_CKG("fileName"), ox.Literal(fname)),
        q(_CKG("sha256"), ox.Literal(sha)),
        q(ox.NamedNode(_DCT + "title"), ox.Literal(shown, language="zh")),
    ]
    if not title:
        note = "No title was given; the file name stands for it."
        quads.append(q(_CKG("titleNote"), ox.Literal(note, language="en")))
    if publisher:
        quads.append(q(ox.NamedNode(_DCT + "publisher"), ox.Literal(publisher, language="zh")))
    else:
        quads.append(q(_CKG("notStated"), ox.NamedNode(_DCT + "publisher")))
    if date:
        quads.append(q(ox.NamedNode(_DCT + "date"), ox.Literal(date.isoformat(), datatype=_XSD_DATE)))
    else:
        quads.append(q(_CKG("notStated"), ox.NamedNode(_DCT + "date")))
    return quads


__all__ = [
    "COLUMN_ALIASES", "ROSTER_SUFFIXES", "RosterImport", "RosterSummary", "RowOutcome", "Table",
    "check_roster", "credit_code_problem", "import_roster", "looks_legal", "parse_capital", "parse_date", "read_roster",
    "read_table", "short_names", "slug_words",
]
