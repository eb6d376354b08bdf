"""``chainkg index`` and ``chainkg check-remote``: side files and a conformance check for a
remote SPARQL server (see :mod:`graph.store.remote`)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from api.cli import arguments, command, render_table
from graph.store.embedded import KGStore

SAME, ORDER_ONLY, DIFFERENT = "same", "order-only", "different"


# --- index --------------------------------------------------------------------------------------


def _index_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("dump", help="the N-Quads dump (.nq or .nq.gz) loaded into the SPARQL server")
    p.add_argument("--store", required=True, help="directory for the side files (CHAINKG_STORE of the service)")


@command("index", "build the name index and build-time tables of a remote store from its N-Quads dump")
@arguments(_index_args)
def cmd_index(args: argparse.Namespace) -> int:
    from graph.index.remote import index_dump

    report = index_dump(args.dump, args.store)
    print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    return 0


# --- check-remote ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """How the server answered one question compared with the embedded reference."""

    path: str
    verdict: str
    status: tuple[int, int]


def canonical(value: Any) -> Any:
    """``value`` with every list sorted (by its items' JSON), so answers differing only in list
    order compare equal.

    >>> canonical({"a": [3, 1, [2, 0]]})
    {'a': [1, 3, [0, 2]]}
    """
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def compare(reference: Any, answer: Any) -> str:
    """``same``, ``order-only`` (equal once every list is sorted) or ``different``.

    >>> compare([1, 2], [1, 2]), compare([1, 2], [2, 1]), compare([1], [2])
    ('same', 'order-only', 'different')
    """
    if reference == answer:
        return SAME
    if canonical(reference) == canonical(answer):
        return ORDER_ONLY
    return DIFFERENT


def question_paths(client: Any) -> list[str]:
    """The question set: every list, every region, chain, segment and enterprise (detail, lookup,
    链长制, figures), completeness of every chain in every region, the matrix, industries,
    projects and policies (of every region), and name searches (ids read from the reference's
    own lists)."""

    def ids(path: str) -> list[str]:
        return [item["id"] for item in client.get(path, params={"limit": 1000}).json()["items"]]

    regions, chains = ids("/api/regions"), ids("/api/chains")
    segments, enterprises = ids("/api/segments"), ids("/api/enterprises")
    paths = ["/api/regions", "/api/zones", "/api/chains", "/api/segments?limit=1000",
             "/api/enterprises?limit=1000", "/api/completeness/matrix",
             "/api/completeness/matrix?include_empty=true"]
    for r in regions:
        paths += [f"/api/regions/{r}", f"/api/regions/{r}/chain-chiefs", f"/api/figures/{r}"]
    for c in chains:
        paths += [f"/api/chains/{c}", f"/api/chains/{c}/chain-chiefs", f"/api/chains/{c}/completeness"]
        paths += [f"/api/chains/{c}/completeness?region={r}" for r in regions]
    paths += [f"/api/segments/{s}" for s in segments]
    for e in enterprises:
        paths += [f"/api/enterprises/{e}", f"/api/enterprises/{e}/chains"]
    for listing, detail in (("/api/industries", "/api/industries/"), ("/api/projects", "/api/projects/"),
                            ("/api/policies", None)):
        found = client.get(listing)
        if found.status_code != 200:  # a service without these routes
            continue
        paths.append(listing)
        paths += [f"{listing}?region={r}" for r in regions]
        if detail:
            paths += [detail + quote(item["iri"].rstrip("/").rsplit("/", 1)[-1])
                      for item in found.json()["items"] if "iri" in item]
    for text in ("三磊", "sanlei", "荣昌", "玻纤", "高新区", "rongchang", "制药", "链"):
        paths.append(f"/api/search?q={quote(text)}&limit=100")
    return paths


@contextmanager
def _client(store: KGStore) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from api.main import create_app
    from api.settings import Settings

    app = create_app(Settings(store="", admin_token=None, build_if_empty=False), store=store)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def reference_store(dump: str | Path | None) -> KGStore:
    """The embedded reference: the dump loaded into memory, or ontology + seeds."""
    from graph.build.loading import build

    store = KGStore()
    if dump is None:
        build(store, validate=False)
    else:
        from graph.index.remote import _quads

        store.add_quads(_quads(Path(dump)), source=str(dump))
    return store


def check_remote(remote: KGStore, reference: KGStore, *, paths: Sequence[str] | None = None) -> list[Verdict]:
    """Ask every question of :func:`question_paths` (or ``paths``) of both stores through the REST
    API and compare the answers (status and JSON)."""
    out = []
    with _client(reference) as ref, _client(remote) as rem:
        for path in paths if paths is not None else question_paths(ref):
            a, b = ref.get(path), rem.get(path)
            verdict = compare(a.json(), b.json()) if a.status_code == b.status_code else DIFFERENT
            out.append(Verdict(path, verdict, (a.status_code, b.status_code)))
    return out


def _check_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("url", help="query URL of the SPARQL server (its data: the dump, or the seed export)")
    p.add_argument("--dump", default=None, help="the N-Quads dump loaded into the server (default: the seeds)")
    p.add_argument("--user", default=None)
    p.add_argument("--password", default=None)
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per request to the server")
    p.add_argument("--format", choices=["table", "json"], default="table")


@command("check-remote", "compare a SPARQL server's answers with the embedded reference, question by question")
@arguments(_check_args)
def cmd_check_remote(args: argparse.Namespace) -> int:
    from graph.store.remote import RemoteStore

    remote = RemoteStore(args.url, user=args.user, password=args.password, timeout=args.timeout)
    try:
        verdicts = check_remote(remote, reference_store(args.dump))
    finally:
        remote.close()
    counts = {v: sum(x.verdict == v for x in verdicts) for v in (SAME, ORDER_ONLY, DIFFERENT)}
    if args.format == "json":
        print(json.dumps({"counts": counts, "questions": [
            {"path": v.path, "verdict": v.verdict, "status": list(v.status)} for v in verdicts]},
            ensure_ascii=False, indent=2))
    else:
        print(render_table([(v.verdict, f"{v.status[0]}/{v.status[1]}", v.path) for v in verdicts],
                           ["verdict", "status", "question"]))
        print(f"{len(verdicts)} questions: " + ", ".join(f"{n} {v}" for v, n in counts.items()), file=sys.stderr)
    return 1 if counts[DIFFERENT] else 0
