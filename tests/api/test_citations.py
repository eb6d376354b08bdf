"""Every surface cites an article by its title (publisher, date), not by its hashed file name."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.cli import main
from api.routes.viz import enterprise_view
from graph.questions.provenance import documents
from graph.store.embedded import KGStore


def _articles(store: KGStore) -> list[tuple[str, str]]:
    docs = [(d.file, d.title) for d in documents(store).values() if d.kind == "article" and d.file and d.title]
    assert docs
    return docs


def _check(text: str, store: KGStore) -> None:
    cited = 0
    for file, title in _articles(store):
        assert file not in text, f"{file} cited by file name although its title is known"
        cited += f"«{title}»" in text
    assert cited, "no article cited by title"


def test_cli_cites_titles(seed_store: KGStore, capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["enterprise", "三磊"], ["chiefs", "--region", "黔江"]):
        assert main([*args, "--store", ":memory:"]) == 0
        _check(capsys.readouterr().out, seed_store)


def test_resource_page_cites_titles(client: TestClient, seed_store: KGStore) -> None:
    page = client.get("/id/enterprise/sanlei-boxian", headers={"Accept": "text/html"}).text
    _check(page.replace("&#34;", '"').replace("&quot;", '"'), seed_store)


def test_view_cites_titles(seed_store: KGStore) -> None:
    net = enterprise_view(seed_store, "sanlei")
    text = json.dumps([n.get("details", {}).get("sources", []) for n in net.nodes], ensure_ascii=False)
    _check(text.replace("&quot;", '"').replace("&#34;", '"').replace('\\"', '"'), seed_store)


def test_api_sources_carry_the_citation(client: TestClient, seed_store: KGStore) -> None:
    body = client.get("/api/enterprises/sanlei").json()
    titles = {title for _, title in _articles(seed_store)}
    cited = [s["document"]["citation"] for s in body["sources"] if s["document"]["kind"] == "article"]
    assert cited and all(any(f"«{t}»" in c for t in titles) for c in cited)
