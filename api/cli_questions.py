"""CLI commands for the questions: completeness, chiefs, enterprise, figures, query.

Each command calls a plain function (also used by the tests) and prints a readable table, or
JSON with ``--format json``; completeness, the matrix and chiefs also write CSV or XLSX
(``--format csv|xlsx [--table NAME] [-o FILE]``, the tables of :mod:`graph.export.tables`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from api.cli import arguments, command, default_store_path, emit, open_store, render_table
from graph.questions.provenance import NOT_STATED


def _common(p: argparse.ArgumentParser, *, tabular: bool = False) -> None:
    from graph.export.writers import FORMATS

    p.add_argument("--store", default=None, help="store directory (default: $CHAINKG_STORE or var/store)")
    p.add_argument("--format", choices=["table", "json", *(FORMATS if tabular else ())], default="table",
                   help="csv: one table, UTF-8 with BOM; xlsx: a sheet per table" if tabular else None)
    if tabular:
        p.add_argument("--table", default=None, help="with csv/xlsx: only this table (csv default: the first)")
        p.add_argument("-o", "--output", default="-", help="file to write (default: standard output)")


def write_output(data: bytes, output: str) -> None:
    """Write ``data`` to the file ``output``, or to standard output for ``-``.

    Raises:
        ChainKGError: binary data (XLSX) for a terminal.
    """
    if output != "-":
        Path(output).write_bytes(data)
    elif sys.stdout.isatty() and data.startswith(b"PK"):
        from graph.errors import ChainKGError

        raise ChainKGError("XLSX is binary: write it to a file with -o FILE.xlsx")
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


def _answer(args: argparse.Namespace, question: Any, table: Any, tables: Any = None) -> int:
    """Open the store, ask ``question(store)`` (a dict answer), print it as a table or JSON, or
    write it as CSV / XLSX through ``tables`` (its "answer → tables" function)."""
    from graph.export.writers import FORMATS, render

    with open_store(args.store or default_store_path()) as store:
        data = question(store)
    if args.format in FORMATS:
        try:
            body = render(tables(data), args.format, table=args.table)
        except KeyError as err:
            print(f"error: {err.args[0]}", file=sys.stderr)
            return 2
        write_output(body, args.output)
        return 0
    emit(data, fmt=args.format, table=table)
    return 0


def _src(sources: list[dict[str, Any]]) -> str:
    from graph.questions.provenance import citation

    cited = sorted({citation(s["document"]) or s["basis"] for s in sources})
    return "; ".join(c for c in cited if c)


# --- completeness -----------------------------------------------------------------------------


def completeness_table(d: dict[str, Any]) -> str:
    """Readable form of a completeness answer."""
    head = f"{d['chain_label']} @ {d['region_label'] or '(template only)'}"
    lines = [
        head,
        f"score {d['score']:.0%}  weighted {d['weighted_score']:.0%}  "
        + "  ".join(f"{k} {v:.0%}" for k, v in d["by_stage"].items())
        + f"  connected: {'yes' if d['connected'] else 'no'}",
        "",
    ]
    rows = []
    for s in d["segments"]:
        marks = ("weak " if s["weak_link"] else "") + ("break" if s["break_point"] else "")
        who = "、".join(e["label"] for e in s["enterprises"]) or "、".join(
            f"{p['label']}({p['status'].rsplit('#', 1)[-1] if p['status'] else '?'})" for p in s["projects"])
        cands = "、".join(c["label"] for c in s["candidates"][:3])
        rows.append([s["stage"] or "", s["label"], s["status"], marks.strip(), who, cands])
    lines.append(render_table(rows, ["stage", "segment", "status", "flags", "enterprises / projects", "candidates"]))
    lines.append("")
    lines.append(d["template_note"])
    return "\n".join(lines)


def _completeness_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--chain", required=True, help="chain name, alias, pinyin or id")
    p.add_argument("--region", default=None, help="region name (includes its zones and parks)")
    _common(p, tabular=True)


@command("completeness", "chain completeness (产业链完整度) of a chain in a region")
@arguments(_completeness_args)
def cmd_completeness(args: argparse.Namespace) -> int:
    from graph.export.tables import completeness_tables
    from graph.questions.completeness import completeness

    return _answer(args, lambda store: completeness(store, args.chain, args.region).to_dict(), completeness_table,
                   completeness_tables)


# --- the regions × chains matrix --------------------------------------------------------------


def matrix_table(d: dict[str, Any]) -> str:
    """Readable form of the matrix: a row per region, a score per chain."""
    from graph.export.tables import matrix_tables

    wide = matrix_tables(d)[0]
    rows = [[f"{v:.0%}" if isinstance(v, float) else v for v in r[:-1]] for r in wide.rows]
    return render_table([[r[0], *r[4:]] for r in rows], [wide.columns[0].zh, *(c.zh for c in wide.columns[4:-1])])


def _matrix_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--include-empty", action="store_true", help="list regions that cover nothing too")
    _common(p, tabular=True)


@command("matrix", "regions × chains completeness matrix")
@arguments(_matrix_args)
def cmd_matrix(args: argparse.Namespace) -> int:
    from graph.export.tables import matrix_tables
    from graph.questions.matrix import matrix

    return _answer(args, lambda store: matrix(store, include_empty=args.include_empty), matrix_table, matrix_tables)


# --- chain chiefs -----------------------------------------------------------------------------


def chiefs_table(d: dict[str, Any]) -> str:
    """Readable form of a 链长制 answer."""
    if not d["records"]:
        return f"{d['region_label']}: no 链长制 record in the sources"
    chains = "、".join(d["chains"]) or "(see records)"
    out = [f"{d['region_label']}: 链长制 for {d['chain_count']} chains: {chains}", ""]
    for r in d["records"]:
        since = r["since"] if r["since"] == NOT_STATED else "、".join(str(s["value"]) for s in r["since"])
        posts = r["chief_posts"]
        holder = NOT_STATED if posts == NOT_STATED else "; ".join(
            f"{p['label']}: {p['holder'] if p['holder'] == NOT_STATED else '、'.join(h['value'] for h in p['holder'])}"
            for p in posts)
        leader = r["chain_leader"] if r["chain_leader"] == NOT_STATED else "、".join(
            str(x["label"] or x["value"]) for x in r["chain_leader"])
        out += [
            f"* {r['label']}  [{_src(r['sources'])}]",
            f"  since: {since}; applies to all industries: {'yes' if r['applies_to_all_industries'] else 'no'}",
            f"  链长: {holder}",
            f"  链主企业: {leader}",
            f"  task forces: {'、'.join(t['label'] or t['iri'] for t in r['task_forces']) or '-'}",
            f"  measures: {'、'.join(m['label'] or m['iri'] for m in r['measures']) or '-'}",
        ]
        rows = []
        for ind in r["industries"]:
            for t in ind["targets_vs_actuals"]:
                a = t["latest_actual"]
                rows.append([ind["label"], t["indicator_label"], f"{t['target']['value']:g} ({t['target']['period']})",
                             f"{a['value']:g} ({a['period']})" if a else "-",
                             "-" if t["gap"] is None else f"{t['gap']:g}", t["unit"] or ""])
        if rows:
            out.append(render_table(rows, ["industry", "indicator", "target", "latest actual", "gap", "unit"]))
        out.append("")
    return "\n".join(out)


def _chiefs_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--region", required=True)
    _common(p, tabular=True)


@command("chiefs", "链长制 in a region: chains, since, posts, 链主企业, measures, targets vs actuals")
@arguments(_chiefs_args)
def cmd_chiefs(args: argparse.Namespace) -> int:
    from graph.export.tables import chiefs_tables
    from graph.questions.chiefs import chain_chiefs

    return _answer(args, lambda store: chain_chiefs(store, args.region).to_dict(), chiefs_table, chiefs_tables)


# --- enterprise -------------------------------------------------------------------------------


def enterprise_table(d: dict[str, Any]) -> str:
    """Readable form of an enterprise lookup."""
    out = [f"{d['label']} ({d['label_en'] or ''})  {d['iri']}",
           "location: " + " < ".join(loc["label"] or loc["iri"] for loc in d["location"]), ""]
    rows = [[c["label"], s["label"], s["stage"] or "", s["basis"], _src(s["sources"])]
            for c in d["chains"] for s in c["segments"]]
    out.append(render_table(rows, ["chain", "segment", "stage", "basis", "source"]))
    for side in ("suppliers", "customers"):
        items = [f"{n['label']}: {'、'.join(e['label'] or e['iri'] for e in n['enterprises']) or '(none local)'}"
                 for n in d[side]]
        if items:
            out += ["", f"local {side}:", *("  " + i for i in items)]
    if d["honours"]:
        out += ["", "honours: " + "、".join(h["label"] or h["iri"] for h in d["honours"])]
    if d["projects"]:
        out += ["projects: " + "、".join(p["label"] or p["iri"] for p in d["projects"])]
    return "\n".join(out)


def _enterprise_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", help="enterprise name, short name, alias, pinyin or id")
    _common(p)


@command("enterprise", "enterprise-to-chain lookup")
@arguments(_enterprise_args)
def cmd_enterprise(args: argparse.Namespace) -> int:
    from graph.questions.enterprise import enterprise_profile

    return _answer(args, lambda store: enterprise_profile(store, args.name).to_dict(), enterprise_table)


# --- query ------------------------------------------------------------------------------------


def run_query(store: Any, text: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Run a SELECT (or ASK) and return (variables, rows)."""
    import pyoxigraph as ox

    from graph.store.embedded import ox_value

    result = store.query(text)
    if isinstance(result, ox.QueryBoolean):
        return ["boolean"], [{"boolean": bool(result)}]
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = [{n: ox_value(v) for n, v in zip(names, sol, strict=True)} for sol in result]
        return names, rows
    triples = [(t.subject.value, t.predicate.value, str(t.object)) for t in result]
    return ["s", "p", "o"], [dict(zip(["s", "p", "o"], t, strict=True)) for t in triples]


def _query_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", help="SPARQL text, or @file.rq / a path to a .rq file")
    p.add_argument("--store", default=None)
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")


@command("query", "run a SPARQL query (text or file) on the store")
@arguments(_query_args)
def cmd_query(args: argparse.Namespace) -> int:
    import csv

    text = args.query
    path = Path(text[1:] if text.startswith("@") else text)
    if text.startswith("@") or (path.suffix in (".rq", ".sparql") and path.is_file()):
        text = path.read_text(encoding="utf-8")
    with open_store(args.store or default_store_path()) as store:
        names, rows = run_query(store, text)
    if args.format == "csv":
        w = csv.DictWriter(sys.stdout, fieldnames=names)
        w.writeheader()
        w.writerows(rows)
    else:
        emit(rows, fmt=args.format, table=lambda r: render_table([[x.get(n) for n in names] for x in r], names))
    return 0
