"""Named SPARQL queries: one ``.rq`` file per question, run unchanged on any SPARQL 1.1 store.

Parameters are bound by the store (a ``VALUES`` block), never by editing the text.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def load(name: str) -> str:
    """Return the text of the named query ``graph/queries/<name>.rq``.

    Raises:
        KeyError: there is no such query.

    >>> "SELECT" in load("class_counts")
    True
    """
    resource = files(__package__).joinpath(f"{name}.rq")
    if not resource.is_file():
        raise KeyError(f"no named query {name!r}")
    return resource.read_text(encoding="utf-8")


def names() -> list[str]:
    """Every named query."""
    return sorted(p.name[:-3] for p in files(__package__).iterdir() if p.name.endswith(".rq"))
