"""Building the graph: ontology + seeds, validated with SHACL, written in one go.

A build or an import is all or nothing: every file is parsed and the result validated before a
single quad reaches the store.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import pyoxigraph as ox

from graph.errors import DataRejectedError, Problem
from graph.ns import ONTOLOGY_GRAPH
from graph.store.embedded import KGStore, ReadProgress, parse_quads, rdf_format
from graph.store.shapes import (  # noqa: F401 (re-exported)
    _union_graph,
    _violations,
    ontology_dir,
    ontology_graph,
    shapes_graph,
    validate_quads,
)

log = logging.getLogger("chainkg.loading")

#: Told the name of each step of a build once it is done (see :func:`build_steps`).
Progress = Callable[[str], None]


def _done(progress: Progress | None, step: str) -> None:
    if progress is not None:
        progress(step)


def seeds_dir() -> Path:
    """Directory of the packaged curated seeds (``seeds/``)."""
    return Path(str(files("seeds")))


def seed_files(directory: Path | None = None) -> list[Path]:
    """The seed files in load order (documents first, then articles, then templates)."""
    directory = directory or seeds_dir()
    return sorted(p for p in directory.iterdir() if p.suffix in {".ttl", ".trig"})


def read_files(paths: Sequence[Path], *, progress: Progress | None = None) -> list[ox.Quad]:
    """Parse every file; collect every file's first error before rejecting.

    Args:
        paths: the files.
        progress: told ``parse <file name>`` after each file.

    Raises:
        DataRejectedError: kind ``parse``, one problem per bad file with line and column.
    """
    quads: list[ox.Quad] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            graph = str(ONTOLOGY_GRAPH) if path.parent == ontology_dir() else None
            quads.extend(parse_quads(path.read_bytes(), fmt=rdf_format(path), source=str(path), graph=graph))
        except DataRejectedError as err:
            problems.extend(err.problems)
        except (OSError, ValueError) as err:
            problems.append(Problem(str(path), str(err)))
        _done(progress, f"parse {path.name}")
    if problems:
        raise DataRejectedError(problems, kind="parse")
    return quads


@dataclass
class BuildReport:
    """What ``build`` did: quads written, counts per class, facts without provenance."""

    quads: int
    classes: dict[str, int] = field(default_factory=dict)
    unsourced: int = 0
    violations: list[Problem] = field(default_factory=list)
    #: user imports written again from the journal (``build_directory``)
    imports: int = 0


def import_files(store: KGStore, paths: Sequence[str | Path], *, validate: bool = True) -> int:
    """Add user data files to the store, all or nothing.

    Files are parsed, then validated with SHACL together with the ontology, then written in one
    transaction. Returns the number of quads added.

    Raises:
        DataRejectedError: a file does not parse (kind ``parse``) or violates the shapes
            (kind ``shacl``); the store is unchanged.
    """
    quads = read_files([Path(p) for p in paths])
    if validate:
        problems = validate_quads(quads, extra=ontology_graph())
        if problems:
            raise DataRejectedError(problems, kind="shacl")
    return store.add_quads(quads, source=", ".join(str(p) for p in paths)).added


def build_steps(seeds: Sequence[Path] | None = None, *, validate: bool = True, directory: bool = False) -> list[str]:
    """The steps :func:`build` (``directory=False``) or :func:`build_directory` reports, in order.

    >>> build_steps([Path("a.trig")], directory=True)
    ['parse chainkg.ttl', 'parse a.trig', 'validate', 'write', 'side files']
    """
    paths = [ontology_dir() / "chainkg.ttl", *(seeds if seeds is not None else seed_files())]
    steps = [f"parse {p.name}" for p in paths]
    return steps + (["validate"] if validate else []) + ["write"] + (["side files"] if directory else [])


def build(
    store: KGStore, *, seeds: Sequence[Path] | None = None, validate: bool = True, clear: bool = True,
    progress: Progress | None = None,
) -> BuildReport:
    """Load the ontology and the seeds into ``store``, after SHACL validation; idempotent.

    Args:
        store: the target store.
        seeds: seed files (default: every file in ``seeds/``).
        validate: run SHACL before writing.
        clear: empty the store first, so a rebuild leaves exactly ontology + seeds.
        progress: told each step of :func:`build_steps` once it is done.

    Raises:
        DataRejectedError: parse errors or SHACL violations; the store is unchanged.
    """
    paths = [ontology_dir() / "chainkg.ttl", *(seeds if seeds is not None else seed_files())]
    quads = read_files(paths, progress=progress)
    if validate:
        problems = validate_quads(quads)
        if problems:
            raise DataRejectedError(problems, kind="shacl")
        _done(progress, "validate")
    if clear:
        store.clear()
    store.add_quads(quads, source="build")
    _done(progress, "write")
    from graph.store import stats

    return BuildReport(
        quads=len(store), classes=stats.class_counts(store), unsourced=stats.unsourced_count(store)
    )


def build_directory(
    path: str | Path, *, seeds: Sequence[Path] | None = None, validate: bool = True, extra: Sequence[Path] = (),
    progress: Progress | None = None, load_progress: ReadProgress | None = None,
) -> BuildReport:
    """Build an on-disk store from scratch: ontology + seeds (+ ``extra`` files, bulk-loaded),
    then the user imports kept in its journal (:func:`graph.build.journal.replay`), then the build-time
    side files (name index, region closure, coverage), sealed against the
    store's files so that readers can tell they are current.

    Args:
        path: the store directory (emptied first).
        seeds: seed files (default: every file in ``seeds/``).
        validate: run SHACL on ontology + seeds before writing.
        extra: large data files (e.g. N-Quads) bulk-loaded after the seeds, not SHACL-validated.
        progress: told each step of :func:`build_steps` (``directory=True``) once it is done.
        load_progress: told how far the bulk load of each ``extra`` file has read it.

    Raises:
        DataRejectedError: the seeds or an ``extra`` file do not parse, or the seeds violate the
            shapes; nothing of that file is written.
    """
    import gc

    from graph.index.materialize import materialize_closed

    path = Path(path)
    store = KGStore(path)
    try:
        report = build(store, seeds=seeds, validate=validate, progress=progress)  # validates before clearing
        for data in extra:
            store.bulk_load_file(data, progress=load_progress)
        from graph.build.journal import replay

        replayed = replay(store)  # user imports come back: a rebuild never drops them
        if extra or replayed:
            from graph.store import stats

            report = BuildReport(
                quads=len(store), classes=stats.class_counts(store), unsourced=stats.unsourced_count(store)
            )
        report.imports = replayed
    finally:
        store.close()
        del store
        gc.collect()
    # Large data: the two side files are built at once by two read-only worker processes.
    materialize_closed(path, parallel=bool(extra))
    _done(progress, "side files")
    return report


def open_directory(
    path: str | Path, *, read_only: bool = True, build_if_empty: bool = True, progress: Progress | None = None
) -> KGStore:
    """Open the on-disk store at ``path``, building it (ontology + seeds, side files) first when
    it does not exist or is empty.

    Args:
        read_only: open without write access (the default): nothing this process does rewrites
            the store's files, which SPARQL worker processes read and the side files are sealed
            against.
        build_if_empty: build a missing or empty store; otherwise open it as it is.
        progress: told each build step (:func:`build_steps`, ``directory=True``) when it builds;
            the build is also logged (``chainkg.loading``, INFO) when it starts and ends.

    Raises:
        DataRejectedError: the seeds do not parse or violate the shapes (nothing is written).
    """
    path = Path(path)
    if (path / "CURRENT").exists():  # an existing RocksDB store
        from graph.build.journal import recover_directory

        recover_directory(path)  # an import interrupted by a crash is undone first
        if read_only:
            store = KGStore(path, read_only=True)
        else:  # its side files checked before RocksDB compacts anything as it opens for writing
            from graph.index.side_files import open_writable

            store = open_writable(path)
        if not build_if_empty or not store.is_empty():
            return store
        store.close()
    elif not build_if_empty:
        return KGStore(path)
    log.info("building the store at %s from the ontology and the seeds (first start)", path)
    started = time.monotonic()
    report = build_directory(path, progress=progress)
    log.info("store built at %s: %d quads in %.1f s", path, report.quads, time.monotonic() - started)
    if read_only:
        return KGStore(path, read_only=True)
    from graph.index.side_files import open_writable

    return open_writable(path)
