"""The search route and the home page: suggestions are marked, every hit opens a working view."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from graph.index.names import KINDS, index_for
from graph.store.embedded import KGStore

HTML = {"Accept": "text/html"}


def test_a_name_not_in_the_graph_answers_suggestions_not_results(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "华为"}).json()
    assert body["results"] == [] and body["did_you_mean"] is True
    assert 0 < len(body["suggestions"]) <= 5
    assert all(h["match"] in ("homophone", "close spelling") and h["score"] < 70 for h in body["suggestions"])


def test_real_matches_are_results_without_suggestions(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "三磊"}).json()
    assert body["results"][0]["id"] == "sanlei-boxian" and body["did_you_mean"] is False
    assert body["results"][0]["place"]["label"] == "黔江高新区"


def test_a_typo_is_404_with_did_you_mean(client: TestClient) -> None:
    r = client.get("/api/enterprises/三雷")
    assert r.status_code == 404
    err = r.json()["error"]
    assert err["suggestions"][0]["label"] == "三磊玻纤" and "did you mean" in err["message"]
    assert client.get("/viz/enterprises/三雷", headers=HTML).status_code == 404


def test_kind_and_region_filters(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "泸内荣永", "kind": "alliance"}).json()["results"]
    assert [h["id"] for h in hits] == ["lu-nei-rong-yong-alliance"]
    in_qijiang = client.get("/api/search", params={"q": "产业", "region": "綦江", "limit": 100}).json()["results"]
    assert in_qijiang and all("綦江" in (h["place"] or {}).get("label", "") or h["label"].startswith("綦江")
                              for h in in_qijiang)
    assert client.get("/api/search", params={"q": "产业", "region": "no-such-place"}).status_code == 404


def _one_of_each_kind(store: KGStore) -> dict[str, str]:
    """A label of each kind that searching for finds as a result."""
    picked: dict[str, str] = {}
    for e in sorted(index_for(store).entries.values(), key=lambda e: e.iri):
        if e.kind not in picked and e.labels.get("zh"):
            picked[e.kind] = e.iri
    return picked


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_s_search_link_opens_a_working_view(client: TestClient, seed_store: KGStore, kind: str) -> None:
    iri = _one_of_each_kind(seed_store)[kind]
    label = index_for(seed_store).entries[iri].labels["zh"]
    hits = client.get("/api/search", params={"q": label, "kind": kind, "limit": 100}).json()["results"]
    hit = next(h for h in hits if h["iri"] == iri)
    assert hit["view"].startswith("/")
    page = client.get(hit["view"], headers=HTML)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), hit["view"]


def test_home_page_search_uses_the_server_s_view_links(client: TestClient) -> None:
    js = client.get("/static/chainkg/home.js").text
    assert "item.view" in js and "var VIEW" not in js  # no kind table of its own to drift
    assert "search-suggestions" in js and "did_you_mean" in js
    home = client.get("/").text
    assert 'id="search-suggestions"' in home and 'value="alliance"' in home


def test_home_page_industry_links_open_working_views(client: TestClient) -> None:
    home = client.get("/").text
    links = re.findall(r'href="(/viz/industries/[^"]+)"', home)
    assert any(link.endswith("/qianjiang-new-materials") for link in links)
    assert any(link.endswith("/qianjiang-five-industries") for link in links)
    for link in links:
        assert client.get(link, headers=HTML).status_code == 200, link


def test_view_error_pages_link_every_suggestion_to_its_view(client: TestClient) -> None:
    typo = client.get("/viz/enterprises/三雷", headers=HTML)
    assert typo.status_code == 404 and 'href="/viz/enterprises/sanlei-boxian"' in typo.text
    ambiguous = client.get("/viz/industries/五大产业", headers=HTML)
    assert ambiguous.status_code == 409
    assert 'href="/viz/industries/qianjiang-five-industries"' in ambiguous.text
    assert 'href="/viz/industries/qijiang-five-clusters"' in ambiguous.text
