"""/docs, /redoc and the /sparql editor in a real browser with every outside request blocked."""

from __future__ import annotations

import re
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


def test_sparql_editor_runs_an_example_offline(watched: Any, live: Any) -> None:
    w = watched()
    blocked = offline(w)
    w.page.goto(live.url + "/sparql")
    w.page.wait_for_selector(".yasgui .CodeMirror", timeout=20_000)
    config = w.page.evaluate("window.chainkgSparql.config")
    assert config["endpoint"] == live.url + "/sparql"
    completers = w.page.evaluate("window.chainkgSparql.yasgui.getTab().getYasqe().config.autocompleters")
    assert "class" not in completers and "property" not in completers  # LOV lookups are off
    assert set(completers) <= {"variables", "prefixes"}
    w.page.click("#examples button[data-example='qianjiang-chains']")
    w.page.wait_for_selector(".yasr table.dataTable tbody tr td", timeout=20_000)
    query = w.page.evaluate("window.chainkgSparql.yasgui.getTab().getYasqe().getValue()")
    assert "place:qianjiang" in query
    headers = w.page.locator(".yasr table.dataTable thead th").all_inner_texts()
    assert any("industryLabel" in h for h in headers)
    cells = w.page.locator(".yasr table.dataTable tbody td").all_inner_texts()
    assert any("黔江蚕桑丝绸产业链" in c for c in cells), cells[:20]
    assert not any("\\u" in c for c in cells)
    w.shot("sparql-editor")
    # the other examples run too, each answering its own columns with rows
    for example in config["examples"][1:]:
        column = re.search(r"SELECT\s+(?:DISTINCT\s+)?\?(\w+)\s+\?(\w+)", example["query"])
        assert column
        w.page.click(f"#examples button[data-example='{example['name']}']")
        wait_js(w.page, """names => {
            const heads = [...document.querySelectorAll('.yasr table.dataTable thead th')].map(t => t.innerText);
            return names.every(n => heads.some(h => h.includes(n)))
              && document.querySelectorAll('.yasr table.dataTable tbody td').length > 2;
        }""", [column.group(1), column.group(2)])
        assert re.search(r"[\u4e00-\u9fff]", w.page.inner_text(".yasr table.dataTable tbody"))
    _clean(w, blocked)
