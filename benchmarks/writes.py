"""Writes in proportion to their size: one accepted fact, one-triple INSERT DATA and DELETE/INSERT
WHERE, a set of new firms.

    python -m benchmarks.writes --quick                          # 2k enterprises, 200 new firms
    python -m benchmarks.writes --enterprises 1000000 --rows 10000
    python -m benchmarks.writes --enterprises 100000 --updates-only   # the SPARQL update figures

Builds a store (ontology + seeds + the synthetic graph of ``benchmarks.generate``), then measures
on it, printing every figure (and one JSON line with all of them):

* ``insert_data_ms``: a one-triple ``INSERT DATA`` into a claim graph through ``KGStore.update``
  (the incremental default-graph path), median of ``--reps``;
* ``insert_data_rederive_ms``: the same update followed by the full re-derivation of the default
  graph that every update ran before (one sample: it is proportional to the store);
* ``delete_insert_where_ms``: a one-triple ``DELETE/INSERT … WHERE`` (a counter in a claim graph
  moved on by one) through ``KGStore.update``, which rewrites it to fix the default graph for
  the triples it touches only (:mod:`graph.store.merged_update`), median of ``--reps``;
  ``delete_insert_where_rederive_ms`` the same update with the full re-derivation (one sample);
  ``guarded_update_ms`` the same update through the update endpoint's engine, which first tries
  it on a checkpoint in a sandboxed worker process (:mod:`graph.sparql.guard`), median of 5;
* ``accepted_fact_ms``: one fact with its provenance through ``graph.build.journal.record_import``
  (SHACL on the merged neighbourhood, journal, store), median; ``accepted_fact_unchecked_ms``
  the same without validation;
* ``import_rows_s`` / ``import_peak_rss_mb``: ``--rows`` new enterprises (one claim each, in
  黔江高新区's silk dyeing segment) as one journalled import, wall time and the process's peak RSS;
* ``cli_import_s`` / ``seen_over_http_s``: with a read-only server running on the directory, the
  time from starting a ``chainkg import`` of ``--rows`` more firms until the command is done, and
  until the last of them answers over HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from benchmarks.generate import generate
from benchmarks.procs import free_port
from graph.build.journal import SourceFile, record_import
from graph.build.loading import build_directory
from graph.index.materialize import materialize_closed
from graph.sparql.engine import SparqlEngine
from graph.store.embedded import REDERIVE_DEFAULT_GRAPH, KGStore

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/chainkg/id/"
CKG = "https://w3id.org/chainkg/ontology#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PROV = ID + "graph/provenance"


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


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


def measure_store(path: Path, *, rows: int, reps: int, updates_only: bool = False) -> dict[str, Any]:
    """The in-process figures (the store at ``path`` is opened for writing); ``updates_only``:
    the SPARQL update figures alone."""
    figures: dict[str, Any] = {}
    with KGStore(path) as store:
        figures["quads"] = len(store)
        samples = []
        for i in range(reps):
            t = time.perf_counter()
            store.update(f"INSERT DATA {{ GRAPH <{ID}claim/bench-insert> {{ <{ID}enterprise/bench-x> "
                         f"<{CKG}note> \"{i}\" }} }}")
            samples.append(time.perf_counter() - t)
        figures["insert_data_ms"] = _median_ms(samples)
        t = time.perf_counter()
        store.ox.update(f"INSERT DATA {{ GRAPH <{ID}claim/bench-insert> {{ <{ID}enterprise/bench-x> "
                        f"<{CKG}note> \"full\" }} }} ;\n{REDERIVE_DEFAULT_GRAPH}")
        figures["insert_data_rederive_ms"] = round((time.perf_counter() - t) * 1000, 2)
        figures.update(measure_delete_insert_where(store, reps=reps))
        figures["guarded_update_ms"] = measure_guarded_update(store, reps=min(reps, 5))
        if updates_only:
            return figures
        for checked in (True, False):
            samples = []
            for i in range(reps):
                quads = _quads(firms_trig(f"fact{int(checked)}{i}", 1))
                t = time.perf_counter()
                record_import(store, quads, source=SourceFile(f"fact{i}.trig", f"{checked}{i}".encode()),
                              kind="bench", validate=checked)
                samples.append(time.perf_counter() - t)
            figures["accepted_fact_ms" if checked else "accepted_fact_unchecked_ms"] = _median_ms(samples)
        quads = _quads(firms_trig("rows", rows))
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = time.perf_counter()
        record = record_import(store, quads, source=SourceFile("rows.trig", b"rows"), kind="bench")
        figures["import_rows_s"] = round(time.perf_counter() - t, 2)
        figures["import_rows_quads"] = record.quads
        figures["import_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        figures["peak_rss_before_import_mb"] = round(rss_before / 1024, 1)
    return figures


def measure_delete_insert_where(store: KGStore, *, reps: int) -> dict[str, Any]:
    """A counter triple in a claim graph, moved on by one ``DELETE/INSERT … WHERE`` per sample:
    median milliseconds through ``KGStore.update``, and one sample with the full re-derivation."""
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
    t = time.perf_counter()
    store.ox.update(f"{update} ;\n{REDERIVE_DEFAULT_GRAPH}")
    return {"delete_insert_where_ms": _median_ms(samples),
            "delete_insert_where_rederive_ms": round((time.perf_counter() - t) * 1000, 2)}


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


def seen_over_http(path: Path, *, rows: int, work: Path) -> tuple[float, float]:
    """Seconds from starting a CLI import of ``rows`` firms into a served directory until the CLI
    is done, and until the last firm answers over HTTP (the server is read-only and is not
    restarted)."""
    port = free_port()
    env = {**os.environ, "CHAINKG_STORE": str(path), "CHAINKG_BUILD_IF_EMPTY": "false"}
    env.pop("CHAINKG_ADMIN_TOKEN", None)
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory", "--host",
                               "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        file = work / "http.trig"
        file.write_text(firms_trig("http", rows), encoding="utf-8")
        last = f"{base}/api/enterprises/bench-http-{rows - 1}"  # by slug
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "api.cli", "import", "--store", str(path), str(file)], cwd=ROOT,
                       check=True, capture_output=True)
        cli = time.perf_counter() - t
        while httpx.get(last, timeout=60).status_code != 200:
            if time.perf_counter() - t > 120:
                raise RuntimeError("the imported firms never answered")
            time.sleep(0.05)
        return round(cli, 2), round(time.perf_counter() - t, 2)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="2k enterprises, 200 rows, 5 samples")
    p.add_argument("--enterprises", type=int, default=10_000)
    p.add_argument("--rows", type=int, default=10_000)
    p.add_argument("--reps", type=int, default=20)
    p.add_argument("--work", type=Path, default=ROOT / "var" / "bench" / "writes")
    p.add_argument("--updates-only", action="store_true",
                   help="only the SPARQL update figures (no fact, import or HTTP figures)")
    args = p.parse_args(argv)
    if args.quick:
        args.enterprises, args.rows, args.reps = 2000, 200, 5
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"data-{args.enterprises}.nq"
    if not data.exists():
        generate(data, args.enterprises)
    store = work / f"store-{args.enterprises}"
    t = time.perf_counter()
    build_directory(store, extra=[data])
    figures: dict[str, Any] = {"enterprises": args.enterprises, "rows": args.rows,
                               "build_s": round(time.perf_counter() - t, 2)}
    figures.update(measure_store(store, rows=args.rows, reps=args.reps, updates_only=args.updates_only))
    for key, value in figures.items():
        print(f"{key:<32}  {value}", flush=True)
    if args.updates_only:
        print(json.dumps(figures))
        return 0
    # The in-process writes above left the side files stale; seal them again as a build does, so the
    # served store starts current and the import below keeps it current incrementally.
    materialize_closed(store, parallel=False)
    figures["cli_import_s"], figures["seen_over_http_s"] = seen_over_http(store, rows=args.rows, work=work)
    for key in ("cli_import_s", "seen_over_http_s"):
        print(f"{key:<32}  {figures[key]}")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
