"""/docs, /redoc and the /sparql editor in a real browser with every outside request blocked."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.viz_browser import Watched, wait_js

pytestmark = pytest.mark.browser

LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


def offline(w: Watched) -> list[str]:
    """Abort every request that would leave the machine; return the list they are recorded in."""
    blocked: list[str] = []

    def route(r: Any) -> None:
        parts = urlsplit(r.request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOOPBACK:
            blocked.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    w.page.context.route("**/*", route)
    return blocked


def _clean(w: Watched, blocked: list[str], *, refused_by_csp: tuple[str, ...] = ()) -> None:
    """No request left the machine; the page attempted none, except ``refused_by_csp``: those
    the page's own Content-Security-Policy stopped before any network access."""
    assert blocked == [], f"requests that left the page: {blocked}"
    attempted = [u for u in w.external if u not in refused_by_csp]
    assert attempted == [], f"outside requests attempted: {attempted}"
    for url in set(w.external):
        assert any(url in e and "Content Security Policy" in e for e in w.errors), url
    others = [e for e in w.errors if not any(u in e for u in refused_by_csp)]
    assert not [e for e in others if "Content Security Policy" in e or "Refused" in e], others


def test_swagger_ui_renders_offline(watched: Any, live: Any) -> None:
    w = watched()
    blocked = offline(w)
    w.page.goto(live.url + "/docs")
    w.page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    text = w.page.inner_text(".swagger-ui")
    assert "/api/enterprises/{enterprise}/chains" in text
    assert w.page.locator(".swagger-ui .opblock").count() > 10
    assert w.page.locator(".swagger-ui .validator-badge, .swagger-ui img[src*='validator']").count() == 0
    w.shot("docs-swagger")
    _clean(w, blocked)


def test_redoc_renders_offline(watched: Any, live: Any) -> None:
    w = watched()
    blocked = offline(w)
    w.page.goto(live.url + "/redoc")
    w.page.wait_for_selector("[data-section-id]", timeout=20_000)
    wait_js(w.page, "() => document.body.innerText.includes('/api/enterprises/{enterprise}/chains')")
    w.shot("docs-redoc")
    # ReDoc's "API docs by Redocly" footer always tries its logo from Redocly's CDN; the page's
    # img-src refuses it before any request is made.
    _clean(w, blocked, refused_by_csp=("https://cdn.redoc.ly/redoc/logo-mini.svg",))
