"""Turn a :class:`pyvis.network.Network` into a complete, self-hosted HTML page.

pyvis's own template pulls vis-network and bootstrap from CDNs in every mode and inserts the
heading raw; chainkg does not use it. Our page (``api/templates/graph.html``, Jinja2 with
autoescaping) references vis-network from the package's static files (``api/static/vendor/``),
or, with ``mode="inline"``, inlines every script and stylesheet so that one file opens from disk
with no network at all.

Guarantees:

* no ``http://`` / ``https://`` script, stylesheet, font or image is referenced; a
  Content-Security-Policy (``default-src 'none'``; scripts only from the page's origin or with the
  page's nonce) makes the browser refuse any other request;
* the graph data goes into a ``<script type="application/json">`` block with ``<``, ``>`` and
  ``&`` written as ``\\u003c`` ``\\u003e`` ``\\u0026``, so data can never close the block; every text
  in it is already HTML-escaped by :mod:`graph.views.viz` and the page script writes it with
  ``textContent``;
* node and edge counts are exposed as ``data-nodes`` / ``data-edges`` on ``#graph`` and, once
  drawn, as ``window.chainkgGraph.nodes`` / ``.edges``.
"""

from __future__ import annotations

import html
import json
import secrets
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

if TYPE_CHECKING:
    from pyvis.network import Network

API_DIR = Path(__file__).resolve().parent
STATIC_DIR = API_DIR / "static"
TEMPLATE_DIR = API_DIR / "templates"
VIS_JS = STATIC_DIR / "vendor" / "vis-network" / "vis-network.min.js"
VIS_CSS = STATIC_DIR / "vendor" / "vis-network" / "vis-network.css"
PAGE_JS = STATIC_DIR / "chainkg" / "viz.js"
PAGE_CSS = STATIC_DIR / "chainkg" / "viz.css"

Mode = Literal["server", "inline"]


@cache
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        trim_blocks=False,
        lstrip_blocks=False,
    )


@cache
def _asset(path: Path) -> Markup:
    """A vendored or own static file, checked to be safe to inline in a ``<script>``/``<style>``."""
    text = path.read_text(encoding="utf-8")
    lowered = text.lower()
    if "</script" in lowered or "</style" in lowered:  # pragma: no cover - guards a vendor update
        raise ValueError(f"{path.name} cannot be inlined: it contains a closing tag")
    return Markup(text)


def json_for_script(data: Any) -> Markup:
    """JSON that is safe inside a ``<script type="application/json">`` element.

    >>> str(json_for_script({"a": "</script><b>&"}))
    '{"a": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False)
    for ch, rep in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(ch, rep)
    return Markup(text)


def csp(nonce: str, *, connect: bool = False, worker: bool = False) -> str:
    """The Content-Security-Policy of chainkg pages: nothing leaves the page's own origin.

    Args:
        nonce: the nonce of the page's own scripts.
        connect: the page may fetch from its own origin (``connect-src 'self'``).
        worker: the page may start web workers from its own origin or from ``blob:`` URLs it
            made (ReDoc's search), which reach no other host either.

    >>> "default-src 'none'" in csp("abc")
    True
    """
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'" if connect else "connect-src 'none'",
            *(["worker-src 'self' blob:"] if worker else []),
            "base-uri 'none'",
            "form-action 'self'",
        ]
    )


def _meta(net: Network) -> dict[str, Any]:
    meta = dict(getattr(net, "chainkg", {}) or {})
    meta.setdefault("view", "graph")
    meta.setdefault("title", html.unescape(str(net.heading or "chainkg")))
    meta.setdefault("subtitle", "")
    meta.setdefault("summary", [])
    meta.setdefault("legend", [])
    return meta


def graph_payload(net: Network, *, mode: Mode = "server", base_url: str = "/") -> dict[str, Any]:
    """The data the page script reads: nodes, edges, vis options and where links point."""
    options = net.options if isinstance(net.options, dict) else json.loads(net.options.to_json())
    return {
        "view": _meta(net)["view"],
        "nodes": net.nodes,
        "edges": net.edges,
        "options": options,
        # Linked-data links: the server's /id/ pages, or the w3id IRIs themselves from a file.
        "idBase": f"{base_url}id/" if mode == "server" else None,
        # Links to other views exist only when served.
        "base": base_url if mode == "server" else None,
    }


def render_page(
    net: Network, *, mode: Mode = "server", static_url: str = "/static", base_url: str = "/"
) -> str:
    """Render ``net`` as a complete HTML page.

    Args:
        net: a network from :mod:`graph.views.viz` (its ``chainkg`` attribute gives title, summary and
            legend; any pyvis network works, with its heading as title).
        mode: ``"server"`` references ``{static_url}/vendor/...``; ``"inline"`` inlines all
            JS/CSS so the single file opens from disk.
        static_url: where the static files are served (server mode), without trailing slash.
        base_url: the application's root path with a trailing slash (server mode links).

    Raises:
        ValueError: unknown ``mode``.

    Example:
        >>> from graph.views.viz import chain_network
        >>> net = chain_network({"chain": "c", "chain_label": "<b>", "segments": [], "edges": []})
        >>> page = render_page(net)
        >>> "&lt;b&gt;" in page and "<b>" not in page
        True
    """
    if mode not in ("server", "inline"):
        raise ValueError(f"mode must be 'server' or 'inline', not {mode!r}")
    meta = _meta(net)
    nonce = secrets.token_urlsafe(16)
    inline = mode == "inline"
    assets = {}
    if inline:
        assets = {
            "vis_js": _asset(VIS_JS),
            "vis_css": _asset(VIS_CSS),
            "page_js": _asset(PAGE_JS),
            "page_css": _asset(PAGE_CSS),
        }
    return (
        _env()
        .get_template("graph.html")
        .render(
            csp=csp(nonce),
            nonce=nonce,
            inline=inline,
            assets=assets,
            static=static_url.rstrip("/"),
            home=base_url if not inline else None,
            view=meta["view"],
            title=meta["title"],
            subtitle=meta["subtitle"],
            summary=meta["summary"],
            legend=meta["legend"],
            nodes=len(net.nodes),
            edges=len(net.edges),
            graph_json=json_for_script(graph_payload(net, mode=mode, base_url=base_url)),
        )
    )


def render_home(
    *,
    regions: list[dict[str, Any]],
    chains: list[dict[str, str]],
    links: list[dict[str, str]] | None = None,
    static_url: str = "/static",
    base_url: str = "/",
    per_group: int = 60,
    kinds: tuple[str, ...] = (),
) -> str:
    """The home page: search box (``/api/search``), chain and region pickers, links to views.

    Args:
        regions: region groups ``{"label", "items": [{"slug", "label"}]}`` in display order
            (raw text; escaped here); the pickers show them as option groups, the views list
            links to the first ``per_group`` of each.
        chains: picker entries ``{"slug", "label"}``.
        links: extra ``{"href", "label"}`` links to views.
        static_url, base_url: as :func:`render_page`.
        kinds: the kinds the search box can be restricted to.
    """
    nonce = secrets.token_urlsafe(16)
    return (
        _env()
        .get_template("home.html")
        .render(
            csp=csp(nonce, connect=True),
            nonce=nonce,
            static=static_url.rstrip("/"),
            base=base_url,
            regions=regions,
            chains=chains,
            links=links or [],
            per_group=per_group,
            kinds=kinds,
        )
    )


def render_error(
    *,
    status: int,
    heading: str,
    message: str,
    suggestions: list[dict[str, str | None]] | None = None,
    static_url: str = "/static",
    base_url: str = "/",
) -> str:
    """An HTML error page for browsers (unknown or ambiguous names), with suggestions as links."""
    nonce = secrets.token_urlsafe(16)
    return (
        _env()
        .get_template("viz_error.html")
        .render(
            csp=csp(nonce),
            status=status,
            heading=heading,
            message=message,
            suggestions=suggestions or [],
            static=static_url.rstrip("/"),
            base=base_url,
        )
    )
