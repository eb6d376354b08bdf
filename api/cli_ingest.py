"""``chainkg ingest``, ``review``, ``accept``, ``reject``: read new articles into reviewed claims."""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from api.cli import _store_arg, arguments, command, default_store_path, emit, open_store, render_table
from graph.index import side_files
from graph.ingest.review import ReviewArea, accept, ingest_file, reject, review_path


def _review_arg(p: argparse.ArgumentParser) -> None:
    _store_arg(p)
    p.add_argument("--review", default=None, help="review file (default: <store>.review.sqlite beside the store)")
    p.add_argument("--format", choices=["table", "json"], default="table")


@contextmanager
def review_area(args: argparse.Namespace) -> Iterator[ReviewArea]:
    path = args.review or review_path(args.store or default_store_path())
    if path is None:
        raise SystemExit("error: an in-memory store keeps no review area; give --store DIR or --review FILE")
    area = ReviewArea(path)
    try:
        yield area
    finally:
        area.close()


def group_table(rows: list[dict[str, Any]]) -> str:
    """Candidates grouped by subject, each with its id, kind, confidence, status and quote."""
    out: list[str] = []
    by_subject: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_subject.setdefault(f"{r['subject_label']}{' (new)' if r['subject_new'] else ''}", []).append(r)
    for subject, items in by_subject.items():
        out.append(f"== {subject}")
        out.append(
            render_table(
                [
                    [
                        r["id"],
                        r["kind"],
                        f"{r['confidence']:.2f}",
                        r["status"] + (" CONFLICT" if r["conflict"] else ""),
                        r["summary"],
                        f"“{r['quote']}”",
                    ]
                    for r in items
                ],
                ["id", "kind", "conf", "status", "fact", "quote"],
            )
        )
        for r in items:
            if r["conflict"]:
                out.append(f"   {r['id']} conflicts: {r['conflict']}")
        out.append("")
    return "\n".join(out) if out else "(no candidates)"


def _ingest_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("article", help="the article: plain text or HTML, UTF-8, GB18030 or Big5")
    for opt in ("url", "title", "date", "publisher"):
        p.add_argument(f"--{opt}", default=None, help=f"the article's {opt} (overrides what the text says)")
    p.add_argument("--encoding", default=None, help="the file's text encoding, when it is not detected")
    _review_arg(p)


@command("ingest", "read an article and propose candidate facts for review (nothing enters the graph)")
@arguments(_ingest_args)
def cmd_ingest(args: argparse.Namespace) -> int:
    with open_store(args.store or default_store_path()) as store, review_area(args) as area:
        report = ingest_file(
            store,
            area,
            args.article,
            url=args.url,
            title=args.title,
            date=args.date,
            publisher=args.publisher,
            encoding=args.encoding,
            who=_who(),
        )
        rows = area.candidates(ids=report.new)
    emit(
        {"report": report.to_dict(), "candidates": rows},
        fmt=args.format,
        table=lambda d: "\n".join(
            [
                group_table(d["candidates"]),
                f"{d['report']['document']}: {d['report']['title']} — {d['report']['proposed']} candidate(s), "
                f"{d['report']['new']} new, {d['report']['known']} already in the graph, "
                f"{d['report']['conflicts']} conflict(s), "
                f"{d['report']['seconds']} s",
            ]
        ),
    )
    return 0


def _review_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--doc", default=None, help="only this document's candidates")
    p.add_argument("--status", choices=["pending", "accepted", "rejected", "all"], default="pending")
    _review_arg(p)


@command("review", "list candidates waiting for review, grouped by subject, with their quotes")
@arguments(_review_args)
def cmd_review(args: argparse.Namespace) -> int:
    with review_area(args) as area:
        rows = area.candidates(doc=args.doc, status=None if args.status == "all" else args.status)
    emit(rows, fmt=args.format, table=group_table)
    return 0


def _accept_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("ids", nargs="*", help="candidate ids")
    p.add_argument(
        "--min-confidence",
        type=float,
        default=None,
        help="accept every pending candidate at or above this confidence (conflicts excepted)",
    )
    p.add_argument("--by", default=None, help="reviewer name (default: the login name)")
    _review_arg(p)


@command("accept", "accept candidates into the graph as reviewed claims (one atomic write)")
@arguments(_accept_args)
def cmd_accept(args: argparse.Namespace) -> int:
    if not args.ids and args.min_confidence is None:
        raise SystemExit("error: give candidate ids or --min-confidence X")
    path = args.store or default_store_path()
    with open_store(path, write=True) as store, review_area(args) as area:  # built (or recovered) if need be
        if store.path is None:
            report = accept(store, area, args.ids, min_confidence=args.min_confidence, who=args.by or _who())
        else:
            side_files.close_and_seal(store)  # written as a directory: side files sealed after, then servers see it
            report = accept(store.path, area, args.ids, min_confidence=args.min_confidence, who=args.by or _who())
    emit(
        report.to_dict(),
        fmt=args.format,
        table=lambda d: (
            f"accepted {len(d['accepted'])} candidate(s): {d['quads_added']} new quads"
            + (f"; {len(d['skipped'])} conflict(s) left for review: {' '.join(d['skipped'])}" if d["skipped"] else "")
        ),
    )
    return 0


def _reject_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("ids", nargs="+", help="candidate ids")
    p.add_argument("--by", default=None, help="reviewer name (default: the login name)")
    _review_arg(p)


@command("reject", "reject candidates (they stay out of the graph)")
@arguments(_reject_args)
def cmd_reject(args: argparse.Namespace) -> int:
    with review_area(args) as area:
        done = reject(area, args.ids, who=args.by or _who())
    emit({"rejected": done}, fmt=args.format, table=lambda d: f"rejected {len(d['rejected'])} candidate(s)")
    return 0


def _who() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
