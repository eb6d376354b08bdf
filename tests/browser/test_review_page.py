"""The review page in a real browser: sign in with the token, see quotes highlighted, click accept."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.build.loading import build, seed_files
from graph.store.embedded import KGStore
from tests.browser.viz_browser import ROOT, LiveServer, wait_js

pytestmark = pytest.mark.browser

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
SCREENSHOTS = ROOT / "docs" / "screenshots"
TOKEN = "browser-review-token"


class AdminLiveServer(LiveServer):
    """:class:`LiveServer` with an admin token set (ingest and review on)."""

    def __init__(self, store: Any) -> None:
        import uvicorn

        from api.main import create_app
        from api.settings import Settings

        super().__init__(store)
        app = create_app(Settings(store="", admin_token=TOKEN), store=store)
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)


@pytest.fixture()
def review_live() -> Iterator[tuple[AdminLiveServer, KGStore]]:
    store = KGStore()
    build(store, seeds=[p for p in seed_files() if p.name != "d000.trig"], validate=False)
    with AdminLiveServer(store) as server:
        yield server, store


def test_review_page_shows_quotes_and_accepts_a_candidate(watched: Any, review_live: Any) -> None:
    server, store = review_live
    w = watched()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    hostile = "<script>alert('x')</script><img src=x onerror=alert(2)>重庆示例玻纤股份有限公司落户黔江区。".encode()
    r = w.page.request.post(server.url + "/api/ingest?filename=hostile.txt", data=hostile, headers=auth)
    assert r.ok, r.text()
    data = (SEEDS / "000_e87b53e6312f7b05.txt").read_bytes()
    r = w.page.request.post(server.url + "/api/ingest?filename=000.txt", data=data, headers=auth)
    assert r.ok, r.text()
    ingested = r.json()
    target = next(c for c in ingested["candidates"] if c["kind"] == "located-in" and "京宏源铝业" in c["summary"])

    w.page.goto(server.url + "/review")
    assert TOKEN not in w.page.url
    w.page.fill("#token", TOKEN)
    w.page.fill("#reviewer", "浏览器测试")
    w.page.click("#token-form button[type=submit]")
    wait_js(w.page, "() => document.querySelectorAll('#document-list li').length === 2")
    # the documents are listed newest first: open the seed article
    w.page.locator("#document-list li", has_text="攀").locator("button").click()
    wait_js(w.page, "n => document.querySelectorAll('#candidate-list li').length === n", len(ingested["candidates"]))
    marks = w.page.eval_on_selector_all("#article-text mark", "ms => ms.map(m => m.textContent)")
    assert target["quote"] in marks
    text = w.page.inner_text("#article-text")
    assert text.replace("\n", "") == data.decode().replace("\n", "")  # the article, verbatim
    card = f"#c-{target['id']}"
    assert "京宏源铝业" in w.page.inner_text(card)
    w.page.click(f"{card} button.accept")
    wait_js(w.page, "sel => document.querySelector(sel).classList.contains('accepted')", card)
    mark = f"#article-text mark[data-ids~='{target['id']}']"
    assert w.page.eval_on_selector(mark, "m => m.textContent") == target["quote"]
    assert w.page.eval_on_selector(mark, "m => m.className") in ("accepted", "partial")
    rows = store.select(
        "PREFIX ckg: <https://w3id.org/chainkg/ontology#> SELECT ?who ?q WHERE { "
        "?g ckg:basis ckg:ExtractedAndReviewed ; ckg:reviewedBy ?who ; ckg:evidence ?q }"
    )
    assert rows == [{"who": "浏览器测试", "q": target["quote"]}]
    shot = w.shot("review-page")
    # the hostile article: shown as text, nothing runs
    w.page.locator("#document-list li", has_text="hostile.txt").locator("button").click()
    wait_js(w.page, "() => document.getElementById('article-text').textContent.includes('<script>')")
    assert w.dialogs == [] and w.external == []
    assert not [e for e in w.errors if "Content Security Policy" in e], w.errors
    assert w.page.evaluate("() => document.querySelectorAll('#article-text script, #article-text img').length") == 0
    if os.environ.get("CHAINKG_UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, SCREENSHOTS / "review-page.png")
