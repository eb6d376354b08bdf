"""The /viz pages and the home page: 200s, 404s, no external resources, escaping, counts."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.cli_viz import write_view
from api.main import create_app
from api.routes.viz import chain_view
from api.settings import Settings
from api.viz_render import render_page
from tests.viz_hostile import hostile_store

HTML = {"accept": "text/html"}
PAGES = [
    "/viz/chains/蚕桑丝绸?region=黔江",
    "/viz/chains/silk",
    "/viz/regions/黔江",
    "/viz/regions/qianjiang/chain-chiefs",
    "/viz/enterprises/三磊玻纤",
    "/viz/enterprises/sanlei-boxian",
]


class Refs(HTMLParser):
    """Collect every URL a page makes the browser load, and the graph counts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[dict[str, Any]] = []
        self.graph: dict[str, Any] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self.scripts.append(a)
        for key in ("src", "href") if tag in ("script", "link", "img", "iframe") else ("src",):
            if a.get(key):
                self.urls.append(str(a[key]))
        if a.get("id") == "graph":
            self.graph = a


def refs(page: str) -> Refs:
    p = Refs()
    p.feed(page)
    return p


@pytest.fixture(scope="module")
def hostile_client() -> Any:
    app = create_app(Settings(store="", admin_token=None), store=hostile_store())
    with TestClient(app) as c:
        yield c


@pytest.mark.parametrize("url", PAGES)
def test_pages_ok_and_offline(client: TestClient, url: str) -> None:
    r = client.get(url, headers=HTML)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    p = refs(r.text)
    assert p.urls, "the page references its scripts"
    assert not [u for u in p.urls if re.match(r"(?i)^(https?:)?//", u)], p.urls
    assert all(u.startswith(("/static/", "data:")) for u in p.urls), p.urls
    assert "Content-Security-Policy" in r.text and "default-src &#39;none&#39;" in r.text
    assert int(p.graph["data-nodes"]) > 0
    for u in p.urls:
        if u.startswith("/static/"):
            assert client.get(u).status_code == 200


def test_counts_match_builder(client: TestClient, seed_store: Any) -> None:
    net = chain_view(seed_store, "蚕桑丝绸", "黔江")
    p = refs(client.get("/viz/chains/蚕桑丝绸?region=黔江", headers=HTML).text)
    assert (int(p.graph["data-nodes"]), int(p.graph["data-edges"])) == (len(net.nodes), len(net.edges))


def test_home_page(client: TestClient) -> None:
    r = client.get("/", headers=HTML)
    assert r.status_code == 200
    assert 'id="search-form"' in r.text and "/static/chainkg/home.js" in r.text
    assert "蚕桑丝绸" in r.text and "黔江" in r.text
    assert "/viz/regions/qianjiang/chain-chiefs" in r.text
    assert not [u for u in refs(r.text).urls if re.match(r"(?i)^(https?:)?//", u)]
    hits = client.get("/api/search", params={"q": "黔江"}).json()["results"]
    assert hits and {"iri", "kind", "label"} <= set(hits[0])


@pytest.mark.parametrize(
    "url",
    [
        "/viz/enterprises/no-such-firm",
        "/viz/regions/nowhere-at-all",
        "/viz/chains/no-such-chain",
        "/viz/chains/silk?region=nowhere-at-all",
        "/viz/regions/nowhere-at-all/chain-chiefs",
    ],
)
def test_unknown_names_404(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "unknown_entity"
    page = client.get(url, headers=HTML)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Not found" in page.text


def test_unknown_name_is_escaped_in_error_page(client: TestClient) -> None:
    r = client.get("/viz/enterprises/<img src=x onerror=alert(1)>", headers=HTML)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "<img src=x" not in r.text and "&lt;img src=x onerror=alert(1)&gt;" in r.text


def test_hostile_labels_are_escaped(hostile_client: TestClient) -> None:
    for url in (
        "/viz/chains/silk?region=qianjiang",
        "/viz/regions/qianjiang",
        "/viz/enterprises/xss-script",
        "/viz/enterprises/xss-img",
    ):
        page = hostile_client.get(url, headers=HTML).text
        assert "<script>window" not in page and "<img src=x" not in page, url
        scripts = refs(page).scripts
        assert [s.get("type") for s in scripts] == ["application/json", None, None], url
        assert all(s.get("nonce") for s in scripts if s.get("type") is None)


def test_inline_page_is_self_contained(seed_store: Any, tmp_path: Any) -> None:
    out = tmp_path / "silk.html"
    page = write_view(seed_store, "chain", "蚕桑丝绸", region="黔江", output=out)
    assert out.read_text(encoding="utf-8") == page
    p = refs(page)
    assert p.urls == ["data:,"], p.urls  # only the empty favicon
    assert "vis.Network" in page and "chainkgGraph" in page
    with pytest.raises(ValueError):
        write_view(seed_store, "nope", "x")
    with pytest.raises(ValueError):
        write_view(seed_store, "region", "黔江", region="黔江")


def test_render_page_rejects_unknown_mode(seed_store: Any) -> None:
    with pytest.raises(ValueError):
        render_page(chain_view(seed_store, "silk"), mode="cdn")  # type: ignore[arg-type]


def test_cli_viz(tmp_path: Any, capsys: Any) -> None:
    from api.cli import main

    out = tmp_path / "chiefs.html"
    assert main(["viz", "chiefs", "黔江", "--store", ":memory:", "-o", str(out)]) == 0
    assert 'data-view="chiefs"' in out.read_text(encoding="utf-8")
    assert (
        main(["viz", "enterprise", "no-such-firm", "--store", ":memory:", "-o", str(tmp_path / "x.html")])
        == 2
    )
