"""The ``chainkg`` command. Thin: each command parses its arguments and calls a plain function."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from graph.errors import AmbiguousNameError, ChainKGError, DataRejectedError, UnknownEntityError
from graph.store import KGStore

Handler = Callable[[argparse.Namespace], int]
_COMMANDS: dict[str, tuple[Handler, Callable[[argparse.ArgumentParser], None], str]] = {}


def command(name: str, help: str) -> Callable[[Handler], Handler]:
    """Register a sub-command; the decorated function gets the parsed arguments."""

    def register(fn: Handler) -> Handler:
        configure = getattr(fn, "configure", lambda p: None)
        _COMMANDS[name] = (fn, configure, help)
        return fn

    return register


def arguments(configure: Callable[[argparse.ArgumentParser], None]) -> Callable[[Handler], Handler]:
    """Attach the argument set-up of a sub-command (apply below ``@command``)."""

    def attach(fn: Handler) -> Handler:
        fn.configure = configure  # type: ignore[attr-defined]
        return fn

    return attach


def default_store_path() -> str:
    from api.settings import get_settings

    return get_settings().store


def open_store(path: str | None, *, write: bool = False) -> KGStore:
    """Open the store at ``path`` ("" or ":memory:" = in memory), building it from the seeds if empty.

    An existing on-disk store is opened read-only unless ``write`` is asked for, so a question
    asked from the command line never rewrites the files a running server reads.
    """
    from graph.loading import build, open_directory

    if path in (None, "", ":memory:"):
        store = KGStore(None)
        build(store)
        return store
    return open_directory(path, read_only=not write)


def emit(data: Any, *, fmt: str, table: Callable[[Any], str] | None = None) -> None:
    """Print ``data`` as JSON (``--format json``) or as a readable table."""
    if fmt == "json" or table is None:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(table(data).rstrip("\n") + "\n")


def render_table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """A plain-text table whose columns line up for CJK text (wide characters count double).

    >>> print(render_table([["黔江", 1]], ["region", "n"]))
    region  n
    ------  -
    黔江    1
    """
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(width(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(c + " " * (w - width(c)) for c, w in zip(row, widths, strict=True)).rstrip()

    out = [line(cells[0]), line(["-" * w for w in widths])]
    out += [line(r) for r in cells[1:]]
    return "\n".join(out)


# --- knowledge commands ----------------------------------------------------------------------


def _store_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", default=None, help="store directory (default: $CHAINKG_STORE or var/store)")


def _build_args(p: argparse.ArgumentParser) -> None:
    _store_arg(p)
    p.add_argument("--no-validate", action="store_true", help="skip SHACL validation")
    p.add_argument("--format", choices=["table", "json"], default="table")


@command("build", "load ontology + seeds, validate with SHACL, print counts")
@arguments(_build_args)
def cmd_build(args: argparse.Namespace) -> int:
    from graph.loading import build, build_directory

    path = args.store or default_store_path() or None
    if path is None:
        with KGStore(None) as store:
            report = build(store, validate=not args.no_validate)
    else:
        report = build_directory(path, validate=not args.no_validate)
    data = {"quads": report.quads, "classes": report.classes, "facts_without_provenance": report.unsourced}
    emit(data, fmt=args.format, table=lambda d: (
        render_table(sorted(d["classes"].items(), key=lambda kv: -kv[1]), ["class", "instances"])
        + f"\n\nquads: {d['quads']}\nfacts without provenance: {d['facts_without_provenance']}"
    ))
    return 0 if report.unsourced == 0 else 1


def _stats_args(p: argparse.ArgumentParser) -> None:
    _store_arg(p)
    p.add_argument("--format", choices=["table", "json"], default="table")


def stats_data(store: KGStore) -> dict[str, Any]:
    """Counts by class, by source, and facts without provenance."""
    from graph import stats

    return {
        "quads": len(store),
        "classes": stats.class_counts(store),
        "sources": [s.__dict__ for s in stats.source_counts(store)],
        "facts_without_provenance": stats.unsourced_count(store),
    }


@command("stats", "counts by class, by source, and facts without provenance")
@arguments(_stats_args)
def cmd_stats(args: argparse.Namespace) -> int:
    with open_store(args.store or default_store_path()) as store:
        data = stats_data(store)
    emit(data, fmt=args.format, table=lambda d: "\n\n".join([
        render_table(sorted(d["classes"].items(), key=lambda kv: -kv[1]), ["class", "instances"]),
        render_table([[s["source"], s["file"], s["claims"], s["facts"]] for s in d["sources"]],
                     ["source", "file", "claims", "facts"]),
        f"quads: {d['quads']}\nfacts without provenance: {d['facts_without_provenance']}",
    ]))
    return 0


def _export_args(p: argparse.ArgumentParser) -> None:
    _store_arg(p)
    p.add_argument("--format", choices=["ttl", "nt", "nq", "trig", "jsonld"], default="nq")
    p.add_argument("-o", "--output", default="-", help="file to write (default: standard output)")


@command("export", "write the whole graph (nq/trig keep the provenance named graphs)")
@arguments(_export_args)
def cmd_export(args: argparse.Namespace) -> int:
    with open_store(args.store or default_store_path()) as store:
        data = store.export(args.format)
    if args.output == "-":
        sys.stdout.buffer.write(data)
    else:
        Path(args.output).write_bytes(data)
    return 0


def _validate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", help="RDF files (.ttl .trig .nt .nq .jsonld)")


def validate_files(paths: Sequence[str]) -> list[str]:
    """Parse and SHACL-validate data files (with the ontology); return readable problems."""
    from graph.loading import ontology_graph, read_files, validate_quads

    try:
        quads = read_files([Path(p) for p in paths])
    except DataRejectedError as err:
        return [str(p) for p in err.problems]
    return [str(p) for p in validate_quads(quads, extra=ontology_graph())]


@command("validate", "SHACL-validate data files; non-zero exit on violations")
@arguments(_validate_args)
def cmd_validate(args: argparse.Namespace) -> int:
    problems = validate_files(args.files)
    if problems:
        print(f"{len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print(f"ok: {len(args.files)} file(s) conform")
    return 0


def _import_args(p: argparse.ArgumentParser) -> None:
    _store_arg(p)
    p.add_argument("files", nargs="+")


@command("import", "add user data files to the store (all or nothing)")
@arguments(_import_args)
def cmd_import(args: argparse.Namespace) -> int:
    from graph.loading import import_files

    with open_store(args.store or default_store_path(), write=True) as store:
        added = import_files(store, args.files)
    print(f"imported {len(args.files)} file(s): {added} new quads")
    return 0


@command("diagram", "print the model picture (Mermaid class diagram) drawn from the ontology")
def cmd_diagram(args: argparse.Namespace) -> int:
    from graph.diagram import mermaid
    from graph.loading import ontology_graph

    sys.stdout.write(mermaid(ontology_graph()))
    return 0


# --- entry point ------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    """The argument parser with every registered sub-command."""
    _load_command_modules()
    top = argparse.ArgumentParser(prog="chainkg", description=__doc__)
    subs = top.add_subparsers(dest="command", required=True)
    for name, (fn, configure, help_text) in _COMMANDS.items():
        p = subs.add_parser(name, help=help_text, description=help_text)
        configure(p)
        p.set_defaults(handler=fn)
    return top


def _load_command_modules() -> None:
    """Import the modules that register further commands (questions, serve, viz, bench)."""
    import importlib

    for module in ("api.cli_questions", "api.cli_serve", "api.cli_viz", "api.cli_ingest"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as err:
            if err.name != module:
                raise


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``chainkg`` command line; returns the exit code."""
    args = parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except DataRejectedError as err:
        print(err.summary(), file=sys.stderr)
        return 2
    except (UnknownEntityError, AmbiguousNameError) as err:
        print(f"error: {err}", file=sys.stderr)
        options = getattr(err, "suggestions", None) or getattr(err, "candidates", [])
        for c in options:
            print(f"  - {c.label} ({c.kind}) {c.iri}", file=sys.stderr)
        return 2
    except ChainKGError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
