"""Writes in proportion to their size, into a store of N synthetic enterprises with a server on it.

    python -m benchmarks.writes --quick                                  # 2k enterprises, 200 rows
    python -m benchmarks.writes --enterprises 1000000 --rows 10000 --work /big/disk/bench

Builds a store (ontology + seeds + the synthetic graph of ``benchmarks.generate``, as
``chainkg build`` with extra data does, side files included), then measures on it and prints every
figure (and one JSON line with all of them):

* the headline: a registry-shaped roster CSV of ``--rows`` rows (:func:`benchmarks.roster_sample.rows`,
  企查查 columns, each short name once: :func:`_roster`) imported with ``chainkg import roster.csv
  --store DIR`` while a read-only server serves ``DIR``: ``roster_cli_s`` the command's wall
  time, ``roster_cli_peak_rss_mib`` the peak resident memory of the importing process,
  ``roster_cli_seen_s`` the time from starting the command until the last new firm of the
  roster answers ``/api/search`` by its full name;
* the same through a server with an admin token that holds the store open for writing (``POST
  /api/imports``, another roster of as many rows): ``roster_post_s`` the request's wall time,
  ``roster_post_server_peak_rss_mib`` the server process's peak resident memory (``VmHWM``),
  ``roster_post_seen_s`` until the last new firm answers name search;
* ``insert_data_ms``: a one-triple ``INSERT DATA`` into a claim graph of the store held open for
  writing, as ``/sparql/update`` applies it (side files kept current), median of ``--reps``;
* ``accepted_fact_ms``: one fact with its provenance through ``graph.build.journal.record_import``
  (SHACL on the merged neighbourhood, journal, store, side files), median; ``accepted_fact_unchecked_ms``
  the same without validation;
* ``delete_insert_where_ms``: a one-triple ``DELETE/INSERT … WHERE`` (a counter in a claim graph
  moved on by one) through ``KGStore.update``, which fixes the default graph for the triples it
  touches only (:mod:`graph.store.merged_update`), median of ``--reps``; ``guarded_update_ms`` the
  same update through the update endpoint's engine, which first tries it on a checkpoint in a
  sandboxed worker process (:mod:`graph.sparql.guard`), median of 5 (measured last: such updates
  leave the side files behind);
* with ``--rederive``: ``delete_insert_where_rederive_ms`` and ``insert_data_rederive_ms``, the
  same updates followed by the full re-derivation of the default graph that every update ran
  before (one sample each, proportional to the store; the side files are rebuilt after it).

:func:`run_writes` is what ``python -m benchmarks.run`` calls per size.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from benchmarks.generate import generate
from benchmarks.procs import Watched, free_port, wait_ready
from graph.build.journal import SourceFile, record_import
from graph.build.loading import build_directory
from graph.index import side_files
from graph.index.materialize import materialize_closed
from graph.sparql.engine import SparqlEngine
from graph.store.embedded import REDERIVE_DEFAULT_GRAPH, KGStore

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ID = "https://w3id.org/chainkg/id/"
CKG = "https://w3id.org/chainkg/ontology#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
PROV = ID + "graph/provenance"
TOKEN = "bench-admin-token"
#: Roster seeds of the two roster imports (the CLI one, the POST one): different firms.
CLI_SEED, POST_SEED = 101, 202


def firms_trig(tag: str, rows: int) -> str:
    """TriG for ``rows`` new enterprises of one visit report: one claim graph each, provenance."""
    doc = f"<{ID}document/bench-{tag}>"
    out = [f"<{PROV}> {{ {doc} a <{CKG}SourceDocument> ; <{RDFS}label> \"走访 {tag}\"@zh , \"Visit {tag}\"@en ; "
           f"<{CKG}fileName> \"{tag}.trig\" ; <http://purl.org/dc/terms/title> \"走访记录 {tag}\" ; "
           f"<{CKG}notStated> <http://purl.org/dc/terms/publisher> , <http://purl.org/dc/terms/date> . }}"]
    for i in range(rows):
        e, claim = f"<{ID}enterprise/bench-{tag}-{i}>", f"<{ID}claim/bench-{tag}-{i}>"
        out.append(
            f"{claim} {{ {e} a <{CKG}Enterprise> ; <{RDFS}label> \"测试企业{tag}{i}号\"@zh , \"Bench {tag} {i}\"@en ; "
            f"<{CKG}locatedIn> <{ID}place/qianjiang-hitech-zone> ; "
            f"<{CKG}operatesIn> <{ID}segment/silk--dyeing-printing> . }}\n"
            f"<{PROV}> {{ {claim} a <{CKG}Claim> ; <http://www.w3.org/ns/prov#wasDerivedFrom> {doc} ; "
            f"<{CKG}evidence> \"测试企业{tag}{i}号\" ; <{CKG}basis> <{CKG}Stated> . }}")
    return "\n".join(out)


def _quads(trig: str) -> list[ox.Quad]:
    return list(ox.parse(trig.encode(), format=ox.RdfFormat.TRIG))


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


# --- building ----------------------------------------------------------------------------------


def build_store(data: Path, store: Path) -> float:
    """Build ``store`` (emptied first) from ontology + seeds + ``data`` with its side files;
    returns the seconds it took."""
    import shutil

    shutil.rmtree(store, ignore_errors=True)
    t = time.perf_counter()
    build_directory(store, extra=[data])
    return round(time.perf_counter() - t, 2)


# --- small writes, in process --------------------------------------------------------------------


def small_writes(path: Path, *, reps: int) -> dict[str, Any]:
    """One-triple updates and single accepted facts on the store held open for writing, as a
    server with an admin token holds it (side files kept current, sealed again on close)."""
    figures: dict[str, Any] = {}
    run = f"r{time.time_ns() % 10**9}"  # a store reused from an earlier run refuses a source it has seen
    store = side_files.open_writable(path)  # as a server with an admin token opens it
    try:
        samples = []
        for i in range(reps):
            t = time.perf_counter()
            side_files.apply_update(store, f"INSERT DATA {{ GRAPH <{ID}claim/bench-insert> {{ "
                                           f"<{ID}enterprise/bench-x> <{CKG}note> \"{i}\" }} }}")
            samples.append(time.perf_counter() - t)
        figures["insert_data_ms"] = _median_ms(samples)
        for checked in (True, False):
            samples = []
            for i in range(reps):
                quads = _quads(firms_trig(f"fact{run}{int(checked)}{i}", 1))
                t = time.perf_counter()
                record_import(store, quads, source=SourceFile(f"fact{i}.trig", f"{run}{checked}{i}".encode()),
                              kind="bench", validate=checked)
                samples.append(time.perf_counter() - t)
            figures["accepted_fact_ms" if checked else "accepted_fact_unchecked_ms"] = _median_ms(samples)
        figures["side_files_after_small_writes"] = side_files.status(store)
    finally:
        side_files.close_and_seal(store)
    return figures


def rederive(path: Path) -> float:
    """Milliseconds of one ``INSERT DATA`` followed by the full re-derivation of the default graph
    (what every update cost before the incremental path); the side files are rebuilt after."""
    with KGStore(path) as store:
        t = time.perf_counter()
        store.ox.update(f"INSERT DATA {{ GRAPH <{ID}claim/bench-insert> {{ <{ID}enterprise/bench-x> "
                        f"<{CKG}note> \"full\" }} }} ;\n{REDERIVE_DEFAULT_GRAPH}")
        took = round((time.perf_counter() - t) * 1000, 2)
    materialize_closed(path, parallel=False)
    return took


def measure_delete_insert_where(store: KGStore, *, reps: int, rederive_too: bool = False) -> dict[str, Any]:
    """A counter triple in a claim graph, moved on by one ``DELETE/INSERT … WHERE`` per sample:
    median milliseconds through ``KGStore.update``, and (``rederive_too``) one sample with the full
    re-derivation."""
    graph, subject = f"<{ID}claim/bench-counter>", f"<{ID}enterprise/bench-x>"
    store.update(f"INSERT DATA {{ GRAPH {graph} {{ {subject} <{CKG}counter> 0 }} }}")
    update = (f"DELETE {{ GRAPH {graph} {{ {subject} <{CKG}counter> ?n }} }} "
              f"INSERT {{ GRAPH {graph} {{ {subject} <{CKG}counter> ?m }} }} "
              f"WHERE {{ GRAPH {graph} {{ {subject} <{CKG}counter> ?n }} BIND(?n + 1 AS ?m) }}")
    samples = []
    for _ in range(reps):
        t = time.perf_counter()
        store.update(update)
        samples.append(time.perf_counter() - t)
    rows = store.select(f"SELECT ?n WHERE {{ {subject} <{CKG}counter> ?n }}")  # the default graph
    if rows != [{"n": reps}]:
        raise RuntimeError(f"the counter's default-graph copy is {rows}, expected {reps}")
    figures: dict[str, Any] = {"delete_insert_where_ms": _median_ms(samples)}
    if rederive_too:
        t = time.perf_counter()
        store.ox.update(f"{update} ;\n{REDERIVE_DEFAULT_GRAPH}")
        figures["delete_insert_where_rederive_ms"] = round((time.perf_counter() - t) * 1000, 2)
    return figures


def general_updates(path: Path, *, reps: int, rederive_too: bool = False) -> dict[str, Any]:
    """The SPARQL update figures other than ``INSERT DATA`` (measured last: such updates leave the
    side files behind until the next build)."""
    with KGStore(path) as store:
        figures = measure_delete_insert_where(store, reps=reps, rederive_too=rederive_too)
        figures["guarded_update_ms"] = measure_guarded_update(store, reps=min(reps, 5))
    return figures


def measure_guarded_update(store: KGStore, *, reps: int) -> float:
    """Median milliseconds of the counter update through :meth:`SparqlEngine.update` (checkpoint,
    sandboxed worker process, then the live store)."""
    graph, subject = f"<{ID}claim/bench-counter>", f"<{ID}enterprise/bench-x>"
    update = (f"DELETE {{ GRAPH {graph} {{ {subject} <{CKG}counter> ?n }} }} "
              f"INSERT {{ GRAPH {graph} {{ {subject} <{CKG}counter> ?m }} }} "
              f"WHERE {{ GRAPH {graph} {{ {subject} <{CKG}counter> ?n }} BIND(?n + 1 AS ?m) }}")
    engine = SparqlEngine(store, timeout=60, max_rows=10, workers=1, updates=True)
    try:
        samples = []
        for _ in range(reps):
            t = time.perf_counter()
            asyncio.run(engine.update(update))
            samples.append(time.perf_counter() - t)
    finally:
        engine.close()
    return _median_ms(samples)


# --- roster imports with a server running ---------------------------------------------------------


def _roster(work: Path, rows: int, seed: int, *, avoid: frozenset[str] = frozenset()) -> tuple[Path, frozenset[str]]:
    """Write a roster CSV of ``rows`` rows (UTF-8 with BOM, a title line above the header, as
    registry exports and the shipped sample have) and return its path.

    The rows are :func:`benchmarks.roster_sample.rows`, without those whose short name repeats an
    earlier row's: the synthetic store is full of firms named from the same characters, and two
    rows of one short name would both match one of them and be refused (one firm, two credit
    codes), as the importer must refuse them. ``avoid``: short names of an earlier roster (its
    firms now carry its credit codes). Returns the file and its short names.
    """
    import csv

    from benchmarks.roster_sample import HEADER, TITLE
    from benchmarks.roster_sample import rows as sample_rows
    from graph.ingest.roster import short_names

    kept: list[list[str]] = []
    seen: set[str] = set()
    for row in sample_rows(rows * 3, seed=seed):
        short = (short_names(row[0]) or [row[0]])[-1]
        if short not in seen and short not in avoid:
            seen.add(short)
            kept.append(row)
            if len(kept) == rows:
                break
    file = work / f"roster-{rows}-{seed}.csv"
    with file.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow([TITLE])
        writer.writerow(HEADER)
        writer.writerows(kept)
    return file, frozenset(seen)


def _serve(path: Path, work: Path, name: str, **env: str) -> tuple[Watched, str]:
    port = free_port()
    server = Watched([PY, "-m", "benchmarks.serve", str(path), str(port)], log=work / f"{name}.log",
                     env={"CHAINKG_ADMIN_TOKEN": "", **env})
    wait_ready(f"http://127.0.0.1:{port}/health", server, timeout=600)
    return server, f"http://127.0.0.1:{port}"


def _last_new(summary: dict[str, Any]) -> tuple[str, str]:
    """(name, IRI) of the last row the import made a new enterprise of."""
    row = next(r for r in reversed(summary["rows_detail"]) if r["action"] == "new")
    return row["name"], row["enterprise"]


def _wait_found(base: str, name: str, iri: str, *, since: float, timeout: float = 600) -> float:
    """Seconds from ``since`` until ``/api/search?q=name`` lists ``iri``."""
    with httpx.Client(timeout=120) as client:
        while True:
            answer = client.get(base + "/api/search", params={"q": name, "limit": 5})
            if answer.status_code == 200 and any(h["iri"] == iri for h in answer.json()["results"]):
                return round(time.perf_counter() - since, 2)
            if time.perf_counter() - since > timeout:
                raise RuntimeError(f"{name} never answered name search")
            time.sleep(0.05)


def _vm_hwm_mib(pid: int) -> float:
    """Peak resident memory of a process so far (``VmHWM``), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def roster_via_cli(path: Path, work: Path, *, rows: int, seed: int = CLI_SEED) -> dict[str, Any]:
    """``chainkg import roster.csv --store DIR`` while a read-only server serves ``DIR``
    (``_shorts``: the roster's short names, for the next roster to avoid)."""
    file, shorts = _roster(work, rows, seed)
    server, base = _serve(path, work, "serve-read-only")
    try:
        out_file, err_file = work / "cli-import.json", work / "cli-import.log"
        with out_file.open("wb") as out, err_file.open("wb") as err:
            t = time.perf_counter()
            proc = subprocess.Popen([PY, "-m", "api.cli", "import", "--store", str(path), str(file),
                                     "--format", "json"], cwd=ROOT, stdout=out, stderr=err)
            _, status, usage = os.wait4(proc.pid, 0)  # the rusage of this one process: its peak RSS
            took = round(time.perf_counter() - t, 2)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise RuntimeError("chainkg import failed: " + err_file.read_text()[-2000:])
        peak = round(usage.ru_maxrss / 1024, 1)  # KiB on Linux
        record = json.loads(out_file.read_text())
        name, iri = _last_new(record["summary"])
        seen = _wait_found(base, name, iri, since=t)
        return {"_shorts": shorts, "roster_rows": rows, "roster_new": record["summary"]["new"],
                "roster_quads": record["quads"],
                "roster_cli_s": took, "roster_cli_peak_rss_mib": peak, "roster_cli_seen_s": seen,
                "server_side_files_after_cli": httpx.get(base + "/health", timeout=60).json().get("side_files")}
    finally:
        server.stop()


def roster_via_api(path: Path, work: Path, *, rows: int, seed: int = POST_SEED,
                   avoid: frozenset[str] = frozenset()) -> dict[str, Any]:
    """``POST /api/imports`` of a roster to a server with an admin token (the store held open for
    writing in the server process); ``avoid``: the short names of the roster imported before."""
    file, _ = _roster(work, rows, seed, avoid=avoid)
    server, base = _serve(path, work, "serve-admin", CHAINKG_ADMIN_TOKEN=TOKEN)
    try:
        before = _vm_hwm_mib(server.popen.pid)
        t = time.perf_counter()
        answer = httpx.post(base + "/api/imports", files={"file": (file.name, file.read_bytes(), "text/csv")},
                            headers={"Authorization": f"Bearer {TOKEN}"}, timeout=3600)
        took = round(time.perf_counter() - t, 2)
        if answer.status_code != 201:
            raise RuntimeError(f"POST /api/imports answered {answer.status_code}: {answer.text[:2000]}")
        name, iri = _last_new(answer.json()["summary"])
        seen = _wait_found(base, name, iri, since=t)
        return {"roster_post_s": took, "roster_post_seen_s": seen, "roster_post_new": answer.json()["summary"]["new"],
                "roster_post_server_rss_before_mib": before,
                "roster_post_server_peak_rss_mib": _vm_hwm_mib(server.popen.pid),
                "server_side_files_after_post": httpx.get(base + "/health", timeout=60).json().get("side_files")}
    finally:
        _stop_gracefully(server)


def _stop_gracefully(server: Watched, *, timeout: float = 300) -> None:
    """Stop a server with an admin token the way an operator does (SIGTERM, then wait): its
    shutdown seals the side files again, which a store reused by the next run needs."""
    server.popen.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.popen.wait(timeout=timeout)
    server.stop()


# --- together -------------------------------------------------------------------------------------


def run_writes(data: Path, work: Path, *, rows: int, reps: int, post: bool = True,
               rederive_too: bool = False, reuse: bool = False) -> dict[str, Any]:
    """Every write figure for the synthetic graph in ``data``, on a store built in ``work``: what
    ``python -m benchmarks.run`` calls per size (its table and ``results.json`` show them).
    ``reuse``: keep a store built by an earlier run when its side files are still sealed (the
    rosters get other seeds than the ones it holds)."""
    from graph.index import materialize, name_store

    work.mkdir(parents=True, exist_ok=True)
    store = work / "writes-store"
    figures: dict[str, Any] = {"rows": rows}
    if reuse and name_store.sealed(store) and materialize.sealed(store):
        figures["reused_store"] = True
    else:
        figures["build_s"] = build_store(data, store)
    figures.update(small_writes(store, reps=reps))
    _progress(figures)
    seeds = (CLI_SEED, POST_SEED)
    while reuse and any((work / f"roster-{rows}-{seed}.csv").exists() for seed in seeds):
        seeds = (seeds[0] + 1000, seeds[1] + 1000)  # rosters the reused store does not hold yet
    cli = roster_via_cli(store, work, rows=rows, seed=seeds[0])
    shorts = cli.pop("_shorts")
    figures.update(cli)
    _progress(figures)
    if post:
        figures.update(roster_via_api(store, work, rows=rows, seed=seeds[1], avoid=shorts))
        _progress(figures)
    figures.update(general_updates(store, reps=reps, rederive_too=rederive_too))
    _progress(figures)
    if rederive_too:
        figures["insert_data_rederive_ms"] = rederive(store)
    return figures


def _progress(figures: dict[str, Any]) -> None:
    """Print the figures measured so far (one JSON line), so a later failure loses none."""
    print("so far: " + json.dumps(figures), flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="2k enterprises, 200 rows, 5 samples")
    p.add_argument("--enterprises", type=int, default=10_000)
    p.add_argument("--rows", type=int, default=10_000)
    p.add_argument("--reps", type=int, default=20)
    p.add_argument("--no-post", action="store_true", help="skip the import through an admin-token server")
    p.add_argument("--rederive", action="store_true", help="also time the full re-derivation (slow on large stores)")
    p.add_argument("--work", type=Path, default=ROOT / "var" / "bench" / "writes")
    p.add_argument("--reuse", action="store_true", help="keep the store of an earlier run if its side files are sealed")
    args = p.parse_args(argv)
    if args.quick:
        args.enterprises, args.rows, args.reps = 2000, 200, 5
    work: Path = args.work / f"ent-{args.enterprises}"
    work.mkdir(parents=True, exist_ok=True)
    data = args.work / f"data-{args.enterprises}.nq"
    if not data.exists():
        generate(data, args.enterprises)
    figures = {"enterprises": args.enterprises,
               **run_writes(data, work, rows=args.rows, reps=args.reps, post=not args.no_post,
                            rederive_too=args.rederive, reuse=args.reuse)}
    for key, value in figures.items():
        print(f"{key:<34}  {value}", flush=True)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
