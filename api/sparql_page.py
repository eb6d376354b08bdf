"""The ``/sparql`` query page: YASGUI (vendored from the npm registry) over chainkg's endpoint.

The page loads ``/static/vendor/yasgui`` and ``/static/chainkg/sparql.js`` under the pages'
Content-Security-Policy (:func:`api.viz_render.csp`, fetches to the page's own origin only).
Its settings travel in a JSON block (:func:`api.viz_render.json_for_script`): the endpoint,
chainkg's prefixes, the example queries of ``api/sparql_examples/`` and the autocompleters that
need no outside host (the LOV-backed class and property completers are off). Without JavaScript
the page is a plain query form.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from api.viz_render import _env, csp, json_for_script
from graph.prefixes import PREFIXES

EXAMPLES_DIR = Path(__file__).resolve().parent / "sparql_examples"
#: YASQE's autocompleters that work offline (variables in the query, the bundled prefix list).
OFFLINE_COMPLETERS = ("variables", "prefixes")


@dataclass(frozen=True)
class Example:
    """A ready-to-run query: its title (the file's first comment line) and its text."""

    name: str
    title: str
    query: str


@cache
def examples() -> tuple[Example, ...]:
    """The example queries, in file-name order.

    >>> [e.name for e in examples()][:1]
    ['qianjiang-chains']
    >>> all(e.title and "SELECT" in e.query for e in examples())
    True
    """
    found = []
    for path in sorted(EXAMPLES_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first, _, rest = text.partition("\n")
        found.append(Example(path.stem.split("-", 1)[-1], first.lstrip("# ").strip(), rest.strip() + "\n"))
    return tuple(found)


def render_sparql_page(*, endpoint: str, max_rows: int, timeout: float, formats: list[tuple[str, str]],
                       static_url: str = "/static", base_url: str = "/") -> str:
    """The query page.

    Args:
        endpoint: the absolute URL of the query endpoint.
        max_rows, timeout: the limits the page states.
        formats: ``(format name, media type)`` choices of the form used without JavaScript.
        static_url, base_url: where static files and the home page are.

    >>> page = render_sparql_page(endpoint="http://127.0.0.1/sparql", max_rows=10, timeout=1, formats=[])
    >>> import re
    >>> [u for u in re.findall(r'(?:src|href)="([^"]+)"', page) if u.startswith("/static")]
    ['/static/vendor/yasgui/yasgui.min.css', '/static/chainkg/viz.css', '/static/vendor/yasgui/yasgui.min.js',
     '/static/chainkg/sparql.js']
    >>> all(u.startswith(("/", "data:")) for u in re.findall(r'(?:src|href)="([^"]+)"', page))
    True
    """
    nonce = secrets.token_urlsafe(16)
    config = {
        "endpoint": endpoint,
        "prefixes": PREFIXES,
        "completers": list(OFFLINE_COMPLETERS),
        "examples": [{"name": e.name, "title": e.title, "query": e.query} for e in examples()],
    }
    return _env().get_template("sparql.html").render(
        csp=csp(nonce, connect=True),
        nonce=nonce,
        static=static_url.rstrip("/"),
        base=base_url,
        endpoint=endpoint,
        max_rows=max_rows,
        timeout=f"{timeout:g}",
        formats=formats,
        examples=examples(),
        query=examples()[0].query,
        config=json_for_script(config),
    )
