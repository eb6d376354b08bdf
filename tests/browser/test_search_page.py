"""The home page's search in a real browser: guesses shown apart as "did you mean", and every
result links to a view that draws."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.viz_browser import wait_js

pytestmark = pytest.mark.browser


def test_a_name_not_in_the_graph_shows_suggestions_not_results(watched: Any, live: Any) -> None:
    w = watched()
    w.page.goto(live.url + "/")
    w.page.fill("#search-input", "华为")
    w.page.click("#search-form button")
    w.page.wait_for_selector("#search-suggestions li")
    assert w.page.locator("#search-results li").count() == 0
    assert w.page.is_visible("#search-suggestions-heading")
    assert "Did you mean" in w.page.inner_text("#search-suggestions-heading")
    assert "no match as typed" in w.page.inner_text("#search-status")
    assert w.external == [] and w.dialogs == []


def test_an_industry_result_opens_the_industry_view(watched: Any, live: Any) -> None:
    w = watched()
    w.page.goto(live.url + "/")
    w.page.fill("#search-input", "新材料")
    w.page.click("#search-form button")
    w.page.wait_for_selector("#search-results li a")
    link = w.page.locator("#search-results li a", has_text="黔江新材料产业").first
    assert link.get_attribute("href") == "/viz/industries/qianjiang-new-materials"
    item = w.page.locator("#search-results li.result", has_text="黔江新材料产业").first
    assert item.locator(".place").inner_text() == "· 黔江高新区"  # where it is, shown with the hit
    link.click()
    wait_js(w.page, "() => !!(window.chainkgGraph && window.chainkgGraph.ready === true)")
    assert w.page.url.endswith("/viz/industries/qianjiang-new-materials")
    assert w.page.evaluate("window.chainkgGraph.nodes") > 5
    assert w.external == [] and w.dialogs == []
