"""The ``chainkg`` command. Thin: each command parses its arguments and calls a plain function."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from graph.errors import AmbiguousNameError, ChainKGError, DataRejectedError, Problem, UnknownEntityError
from graph.ingest.summary import text_table as render_table  # the CLI's tables: CJK-aware columns
from graph.store.embedded import KGStore

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
    asked from the command line never rewrites the files a running server reads. With
    ``CHAINKG_SPARQL_ENDPOINT`` set, questions go to that server (``path`` holds its side files).
    """
    from api.progress import build_progress
    from api.settings import get_settings
    from graph.build.loading import build, open_directory

    settings = get_settings()
    if settings.sparql_endpoint and not write:
        from api.main import open_remote

        return open_remote(settings.model_copy(update={"store": path or ""}))

    if path in (None, "", ":memory:"):
        store = KGStore(None)
        build(store)
        return store
    with build_progress(directory=True) as progress:
        return open_directory(path, read_only=not write, progress=progress)


def emit(data: Any, *, fmt: str, table: Callable[[Any], str] | None = None) -> None:
    """Print ``data`` as JSON (``--format json``) or as a readable table."""
    if fmt == "json" or table is None:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(table(data).rstrip("\n") + "\n")


# --- knowledge commands ----------------------------------------------------------------------


def _store_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", default=None, help="store directory (default: $CHAINKG_STORE or var/store)")


def _build_args(p: argparse.ArgumentParser) -> None:
    _store_arg(p)
    p.add_argument("--no-validate", action="store_true", help="skip SHACL validation")
    p.add_argument("--data", action="append", default=[], metavar="FILE",
                   help="a large RDF file (e.g. N-Quads with claim graphs) bulk-loaded after the seeds, "
                        "not SHACL-validated (repeatable; needs an on-disk store)")
    p.add_argument("--format", choices=["table", "json"], default="table")


@command("build", "load ontology + seeds, validate with SHACL, print counts")
@arguments(_build_args)
def cmd_build(args: argparse.Namespace) -> int:
    from api.progress import build_progress, load_progress
    from graph.build.loading import build, build_directory

    path = args.store or default_store_path() or None
    if args.data and path is None:
        print("chainkg build: --data needs an on-disk store (--store DIR)", file=sys.stderr)
        return 2
    with build_progress(directory=path is not None, validate=not args.no_validate) as progress, \
            load_progress() as loaded:
        if path is None:
            with KGStore(None) as store:
                report = build(store, validate=not args.no_validate, progress=progress)
        else:
            report = build_directory(path, validate=not args.no_validate, progress=progress,
                                     extra=[Path(d) for d in args.data], load_progress=loaded)
    data = {"quads": report.quads, "classes": report.classes, "facts_without_provenance": report.unsourced,
            "user_imports": report.imports}
    emit(data, fmt=args.format, table=lambda d: (
        render_table(sorted(d["classes"].items(), key=lambda kv: -kv[1]), ["class", "instances"])
        + f"\n\nquads: {d['quads']}\nfacts without provenance: {d['facts_without_provenance']}"
        + f"\nuser imports replayed from the journal: {d['user_imports']}"
    ))
    return 0 if report.unsourced == 0 else 1


def _stats_args(p: argparse.ArgumentParser) -> None:
    _store_arg(p)
    p.add_argument("--format", choices=["table", "json"], default="table")


def stats_data(store: KGStore) -> dict[str, Any]:
    """Counts by class, by source, and facts without provenance."""
    from graph.store import stats

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
    p.add_argument("--format", choices=["ttl", "nt", "nq", "trig", "jsonld", "graphml"], default="nq",
                   help="graphml: places, enterprises, segments and chains for Gephi or yEd")
    p.add_argument("--region", default=None, help="graphml only: just this region's part (its zones and parks)")
    p.add_argument("-o", "--output", default="-", help="file to write (default: standard output)")


@command("export", "write the whole graph (nq/trig keep the provenance named graphs), or GraphML")
@arguments(_export_args)
def cmd_export(args: argparse.Namespace) -> int:
    if args.region and args.format != "graphml":
        raise ChainKGError("--region applies to --format graphml only")
    with open_store(args.store or default_store_path()) as store:
        if args.format == "graphml":
            from graph.views.projection import graphml, region_graph

            data = graphml(region_graph(store, args.region))
        else:
            data = store.export(args.format)
    if args.output == "-":
        sys.stdout.buffer.write(data)
    else:
        Path(args.output).write_bytes(data)
    return 0


def _file_args(p: argparse.ArgumentParser) -> None:
    _store_arg(p)
    p.add_argument("file", help="TriG/N-Quads with claims, plain Turtle/N-Triples, or a CSV/XLSX roster")
    p.add_argument("--title", default=None, help="title of the source document (plain triples, rosters)")
    p.add_argument("--date", default=None, help="its date, YYYY-MM-DD (default: not stated)")
    p.add_argument("--publisher", default=None, help="its publisher (default: not stated)")
    p.add_argument("--zone", default=None, help="rosters: the zone every row is in, unless a column says")


def _file_options(args: argparse.Namespace) -> dict[str, Any]:
    return {"title": args.title, "date": args.date, "publisher": args.publisher, "zone": args.zone}


def validate_file(path: str, store: KGStore, **options: Any) -> list[str]:
    """Parse ``path`` and judge it together with ``store`` (provenance, SHACL on the merged
    result); return readable problems (empty when it would be accepted). Nothing is written."""
    from graph.ingest.imports import UnsupportedFileError
    from graph.ingest.imports import validate_file as judge

    try:
        judge(store, Path(path).read_bytes(), filename=Path(path).name, **options)
    except DataRejectedError as err:
        return [str(p) for p in err.problems]
    except (OSError, UnsupportedFileError) as err:
        return [f"{path}: {err}"]
    return []


def _validate_args(p: argparse.ArgumentParser) -> None:
    _file_args(p)


@command("validate", "judge a data file together with the store it would join; non-zero exit on problems")
@arguments(_validate_args)
def cmd_validate(args: argparse.Namespace) -> int:
    with open_store(args.store or default_store_path()) as store:
        problems = validate_file(args.file, store, **_file_options(args))
    if problems:
        print(f"{len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print(f"ok: {args.file} would be accepted")
    return 0


def _import_args(p: argparse.ArgumentParser) -> None:
    _file_args(p)
    p.add_argument("--dry-run", action="store_true", help="judge the file and say what it adds; change nothing")
    p.add_argument("--format", choices=["table", "json"], default="table")


def import_path(path: str, store_path: str | None, *, dry_run: bool = False, **options: Any) -> dict[str, Any]:
    """Import one user file into the store directory ``store_path`` (or an in-memory store built
    for the call) through the journal; with ``dry_run``, only judge it.

    Raises:
        DataRejectedError: the file is rejected (nothing was written).
    """
    from graph.ingest.imports import UnsupportedFileError, import_file
    from graph.ingest.imports import validate_file as judge

    data = Path(path).read_bytes()
    name = Path(path).name
    try:
        if dry_run or store_path in (None, "", ":memory:"):
            with open_store(store_path) as store:
                found = judge(store, data, filename=name, **options)
            return {"dry_run": True, "file": name, "kind": found.kind, "quads": len(found.quads),
                    "summary": found.summary}
        open_store(store_path).close()  # builds a missing store first
        record, found = import_file(store_path, data, filename=name, **options)
    except UnsupportedFileError as err:
        raise DataRejectedError([Problem(name, str(err))], kind="format") from None
    return {**record.as_dict(), "summary": found.summary}


@command("import", "add a user file to the store as one journalled import (all or nothing)")
@arguments(_import_args)
def cmd_import(args: argparse.Namespace) -> int:
    data = import_path(args.file, args.store or default_store_path(), dry_run=args.dry_run, **_file_options(args))
    summary = data.pop("summary", None)
    if args.format == "json":
        emit({**data, "summary": summary.to_dict() if hasattr(summary, "to_dict") else summary}, fmt="json")
        return 0
    if summary is not None and hasattr(summary, "table"):  # a roster: what each row became, per zone and chain
        print(roster_report(summary, dry_run=bool(data.get("dry_run"))) + "\n")
    print(f"dry run: {data['file']} would add {data['quads']} quads ({data['kind']}); nothing written"
          if data.get("dry_run") else
          f"imported {data['file_name']} as {data['id']}: {data['quads']} quads, {data['added']} new ({data['kind']})")
    return 0


def _imports_args(p: argparse.ArgumentParser) -> None:
    _store_arg(p)
    p.add_argument("--format", choices=["table", "json"], default="table")


@command("imports", "list the user imports kept in the store's journal")
@arguments(_imports_args)
def cmd_imports(args: argparse.Namespace) -> int:
    from graph.build.journal import list_imports, recover_directory
    from graph.ingest.imports import records_table

    path = args.store or default_store_path()
    recover_directory(path)
    records = list_imports(path)
    emit([r.as_dict() for r in records], fmt=args.format, table=lambda d: render_table(
        records_table(records), ["id", "kind", "file", "when", "quads", "added", "title"]))
    return 0


def _remove_args(p: argparse.ArgumentParser) -> None:
    _store_arg(p)
    p.add_argument("id", help="an import id from `chainkg imports`")


@command("remove", "take one user import out of the store, with its claims")
@arguments(_remove_args)
def cmd_remove(args: argparse.Namespace) -> int:
    from graph.build.journal import remove_import

    record = remove_import(args.store or default_store_path(), args.id)
    print(f"removed {record.id} ({record.file_name}, {record.quads} quads)")
    return 0


def roster_report(summary: Any, *, dry_run: bool) -> str:
    """What the command line shows of a roster: each row's outcome on a dry run, then the summary.

    ``summary`` is a :class:`graph.ingest.summary.RosterSummary`.
    """
    return (summary.rows_table() + "\n\n" if dry_run else "") + summary.table()


@command("diagram", "print the model picture (Mermaid class diagram) drawn from the ontology")
def cmd_diagram(args: argparse.Namespace) -> int:
    from graph.store.shapes import ontology_graph
    from graph.views.diagram import mermaid

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

    for module in ("api.cli_questions", "api.cli_serve", "api.cli_viz", "api.cli_remote", "api.cli_ingest"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as err:
            if err.name != module:
                raise


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``chainkg`` command line; returns the exit code."""
    args = parser().parse_args(argv)
    from api.progress import log_to_stderr

    log_to_stderr()
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
