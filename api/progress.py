"""Telling the person at the terminal that the store is being built: a log line and a progress bar.

:func:`build_progress` yields a :data:`graph.build.loading.Progress` callback that draws a tqdm bar on
standard error from its first step on (a start that builds nothing draws nothing);
:func:`load_progress` yields a :data:`graph.store.embedded.ReadProgress` callback that draws the bar
of a bulk load (bytes of the file read); :func:`log_to_stderr` shows the ``chainkg`` loggers' INFO
lines there.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from graph.build.loading import Progress, build_steps
from graph.store.embedded import ReadProgress


class _StderrHandler(logging.StreamHandler):
    """A stream handler that writes to whatever ``sys.stderr`` is when a record is emitted.

    ``StreamHandler(sys.stderr)`` keeps the stream of the moment it was made, which is wrong once
    standard error is replaced (a redirect, a captured stream that has since been closed).
    """

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def log_to_stderr() -> None:
    """Show INFO lines of the ``chainkg`` loggers on standard error (once per process)."""
    logger = logging.getLogger("chainkg")
    if not any(getattr(h, "chainkg", False) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("chainkg: %(message)s"))
        handler.chainkg = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)


@contextmanager
def build_progress(*, directory: bool, validate: bool = True, desc: str = "building the store") -> Iterator[Progress]:
    """A progress callback for a build of the seeds (:func:`graph.build.loading.build_steps`).

    >>> with build_progress(directory=False) as step:
    ...     pass  # nothing built: no bar
    """
    from tqdm import tqdm

    total = len(build_steps(validate=validate, directory=directory))
    bar: Any = None

    def step(name: str) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc=desc, unit="step", file=sys.stderr, leave=True, dynamic_ncols=True)
        bar.set_postfix_str(f"done: {name}", refresh=False)
        bar.update(1)
        if bar.n >= total:
            bar.close()

    try:
        yield step
    finally:
        if bar is not None:
            bar.close()


@contextmanager
def load_progress(*, desc: str = "loading") -> Iterator[ReadProgress]:
    """A progress callback for bulk loads (:meth:`graph.store.embedded.KGStore.bulk_load_file`):
    one bar per file, in bytes read, drawn on standard error from the first report on.

    >>> with load_progress() as told:
    ...     pass  # nothing loaded: no bar
    """
    from tqdm import tqdm

    bar: Any = None

    def told(done: int, size: int) -> None:
        nonlocal bar
        if bar is not None and (bar.total != size or done < bar.n):  # the next file
            bar.close()
            bar = None
        if bar is None:
            bar = tqdm(total=size, desc=desc, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr,
                       leave=True, dynamic_ncols=True)
        bar.update(done - bar.n)

    try:
        yield told
    finally:
        if bar is not None:
            bar.close()
