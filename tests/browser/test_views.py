"""The graph pages in a real browser: drawn counts, clicks, zero external requests, no XSS."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from api.cli_viz import write_view
from api.routes.viz import chain_view, chiefs_view, enterprise_view, region_view
from tests.browser.viz_browser import ROOT, wait_js

pytestmark = pytest.mark.browser

#: The README's pictures, rewritten from the screenshots only when CHAINKG_UPDATE_SCREENSHOTS is
#: set (a test run leaves the tree as it was).
SCREENSHOTS = ROOT / "docs" / "screenshots"
SILK = "https://w3id.org/chainkg/id/segment/silk--reeling"


def _no_problems(w: Any) -> None:
    assert w.external == [], f"external requests: {w.external}"
    assert w.dialogs == [], f"dialogs opened: {w.dialogs}"
    assert not [e for e in w.errors if "Content Security Policy" in e or "Error" in e], w.errors


@pytest.mark.parametrize(
    ("name", "path", "build", "click"),
    [
        (
            "chain-silk-qianjiang",
            "/viz/chains/{}?region={}".format(quote("蚕桑丝绸"), quote("黔江")),
            lambda s: chain_view(s, "蚕桑丝绸", "黔江"),
            SILK,
        ),
        ("chain-silk-template", "/viz/chains/silk", lambda s: chain_view(s, "silk"), SILK),
        (
            "region-qianjiang",
            "/viz/regions/qianjiang",
            lambda s: region_view(s, "qianjiang"),
            "https://w3id.org/chainkg/id/place/qianjiang-hitech-zone",
        ),
        (
            "chiefs-qianjiang",
            "/viz/regions/qianjiang/chain-chiefs",
            lambda s: chiefs_view(s, "qianjiang"),
            "https://w3id.org/chainkg/id/place/qianjiang",
        ),
        (
            "enterprise-sanlei",
            "/viz/enterprises/sanlei-boxian",
            lambda s: enterprise_view(s, "sanlei-boxian"),
            "https://w3id.org/chainkg/id/enterprise/sanlei-boxian",
        ),
    ],
)
def test_view(watched: Any, live: Any, seed_store: Any, name: str, path: str, build: Any, click: str) -> None:
    net = build(seed_store)
    w = watched()
    counts = w.open_graph(live.url + path)
    assert counts == {
        "nodes": len(net.nodes),
        "edges": len(net.edges),
        "dataNodes": len(net.nodes),
        "dataEdges": len(net.edges),
    }
    label = next(n for n in net.nodes if n["id"] == click)["details"]["heading"]
    details = w.click_node(click)
    assert label.split(" (")[0] in details
    assert "关联数据 Linked data" in details
    href = w.page.get_attribute("#details-body a.ld-link", "href")
    assert href == "/id/" + click.split("/id/", 1)[1]
    assert w.page.request.get(live.url + href).status == 200
    shot = w.shot(name)
    _no_problems(w)
    if os.environ.get("CHAINKG_UPDATE_SCREENSHOTS") and name in ("chain-silk-qianjiang", "chiefs-qianjiang"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(
            shot, SCREENSHOTS / f"{'chiefs-qianjiang' if name.startswith('chiefs') else name}.png"
        )


def test_home_search_and_pickers(watched: Any, live: Any) -> None:
    w = watched()
    w.page.goto(live.url + "/")
    w.page.fill("#search-input", "三磊")
    w.page.click("#search-form button")
    w.page.wait_for_selector("#search-results li a")
    first = w.page.locator("#search-results li a").first
    assert "三磊" in first.inner_text()
    assert first.get_attribute("href") == "/viz/enterprises/sanlei-boxian"
    w.page.select_option("#chain-select", "silk")
    w.page.select_option("#chain-region-select", "qianjiang")
    w.page.click("#chain-form button")
    wait_js(w.page, "() => !!(window.chainkgGraph && window.chainkgGraph.ready === true)")
    assert w.page.url.endswith("/viz/chains/silk?region=qianjiang")
    w.shot("home-to-chain")
    _no_problems(w)


def test_hostile_labels_do_not_run(watched: Any, hostile_live: Any) -> None:
    for path, node in [
        ("/viz/chains/silk?region=qianjiang", "https://w3id.org/chainkg/id/enterprise/xss-script"),
        ("/viz/chains/silk?region=qianjiang", "https://w3id.org/chainkg/id/enterprise/xss-img"),
        ("/viz/regions/qianjiang", "https://w3id.org/chainkg/id/enterprise/xss-img"),
        ("/viz/enterprises/xss-script", "https://w3id.org/chainkg/id/enterprise/xss-script"),
    ]:
        w = watched()
        w.open_graph(hostile_live.url + path)
        details = w.click_node(node)
        assert "<script>window.__xss" in details or "<img src=x onerror=" in details  # shown as text
        pos = w.page.evaluate("id => window.chainkgGraph.domPosition(id)", node)
        w.page.mouse.move(pos["x"] + 1, pos["y"] + 1)  # tooltip
        w.page.wait_for_timeout(400)
        assert w.page.evaluate("window.__xss === undefined")
        assert w.page.locator("#details-body script, #details-body img, div.vis-tooltip img").count() == 0
        _no_problems(w)
    w.shot("hostile-chain")


def test_inline_file_opens_from_disk_offline(watched: Any, seed_store: Any, tmp_path: Path) -> None:
    from tests.viz_hostile import hostile_store

    out = tmp_path / "silk.html"
    write_view(hostile_store(), "chain", "蚕桑丝绸", region="黔江", output=out)
    w = watched()
    counts = w.open_graph(out.as_uri())
    assert counts["nodes"] == counts["dataNodes"] > 7
    details = w.click_node("https://w3id.org/chainkg/id/enterprise/xss-img")
    assert "<img src=x onerror=" in details
    href = w.page.get_attribute("#details-body a.ld-link", "href")
    assert href == "https://w3id.org/chainkg/id/enterprise/xss-img"  # from disk: the w3id IRI itself
    assert w.page.evaluate("window.__xss === undefined")
    w.shot("inline-file")
    _no_problems(w)
