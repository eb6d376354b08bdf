"""The SPARQL workers of a read-only store, launched before the web stack is imported.

Importing FastAPI, pydantic, rdflib and chainkg's routes takes most of a server's start (about
0.6 s of CPU); starting the SPARQL worker processes (a Python process each, which cuts itself
off from the network and opens the store) takes 0.15 s or more, and the server waits for them
before it answers. ``chainkg serve`` and ``benchmarks.serve`` therefore launch them first,
with this light module (the standard library, the settings and :mod:`graph.sparql.pools`), and
hand them to :func:`api.main.create_app`; the imports then run while the workers start.

Only where the server would start the same workers over the same files: an on-disk store that
exists, served read-only (no admin token), not a remote server. The start-up adopts them only if
the store directory is unchanged since they were launched (:func:`signature`: no import,
recovery or build wrote it in between); otherwise they are stopped and new ones started, as
without this module.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from api.settings import Settings
from graph.sparql.pools import ProcessPool

#: Files whose names, sizes and times tell whether a store directory was written: RocksDB's table
#: files, write-ahead logs, manifests and ``CURRENT``, and the change marker of imports.
_WATCHED = (".sst", ".log")
MARKER = "chainkg.version"  # graph.build.journal.MARKER (that module is not light)


def signature(path: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the files a write to the store at ``path`` changes."""
    found = []
    for entry in os.scandir(path):
        name = entry.name
        if name.endswith(_WATCHED) or name.startswith(("MANIFEST", "CURRENT")) or name == MARKER:
            st = entry.stat()
            found.append((name, st.st_size, st.st_mtime_ns))
    return tuple(sorted(found))


@dataclass
class Prelaunched:
    """Worker processes launched over ``path`` (not yet waited for) and the directory's signature then."""

    path: Path
    signature: tuple[tuple[str, int, int], ...]
    pool: ProcessPool

    def still_valid(self, path: Path | None) -> bool:
        """Whether these workers see what a store opened now at ``path`` sees (same directory, unchanged)."""
        return path is not None and path.resolve() == self.path.resolve() and signature(self.path) == self.signature


def launch(settings: Settings) -> Prelaunched | None:
    """Launch the SPARQL workers of the store of ``settings`` when the server will serve it
    read-only from disk; ``None`` otherwise (the start-up launches them as usual)."""
    path = settings.store_path
    if settings.sparql_endpoint or settings.admin_token is not None or path is None or not (path / "CURRENT").exists():
        return None
    before = signature(path)
    pool = ProcessPool(str(path), size=settings.sparql_workers, max_rows=settings.max_rows,
                       sandbox=settings.sandbox, memory_mb=settings.worker_memory_mb, wait=False,
                       start_niced=False)  # the server serves nothing yet: they lower their priority once ready
    return Prelaunched(path, before, pool)
