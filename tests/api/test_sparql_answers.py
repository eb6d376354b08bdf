"""What a reader sees in SPARQL answers: ``SELECT *`` columns in the query's order, Chinese as
characters (no ``\\uXXXX`` escapes) in every JSON answer."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from graph.store.embedded import KGStore

SANLEI = "SELECT * WHERE { <https://w3id.org/chainkg/id/enterprise/sanlei-boxian> rdfs:label ?zlabel ; a ?class }"


@pytest.mark.parametrize(
    ("query", "columns"),
    [
        (SANLEI, ["zlabel", "class"]),
        ("SELECT * WHERE { ?z ?a ?b } LIMIT 1", ["z", "a", "b"]),
        ("SELECT DISTINCT * WHERE { ?s a ?t . ?s rdfs:label ?l } LIMIT 1", ["s", "t", "l"]),
        ("SELECT ?b ?a WHERE { ?a ?b ?c } LIMIT 1", ["b", "a"]),
    ],
)
def test_select_star_columns_follow_the_query(client: TestClient, query: str, columns: list[str]) -> None:
    body = client.get("/sparql", params={"query": query}).json()
    assert body["head"]["vars"] == columns
    csv = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"}).text
    assert csv.splitlines()[0].split(",") == columns


@pytest.mark.parametrize(
    ("path", "params", "headers"),
    [
        ("/sparql", {"query": SANLEI}, {"Accept": "application/sparql-results+json"}),
        ("/sparql", {"query": SANLEI}, {"Accept": "application/json"}),
        ("/sparql", {"query": "CONSTRUCT WHERE { ent:sanlei-boxian rdfs:label ?l }"},
         {"Accept": "application/ld+json"}),
        ("/api/enterprises/sanlei", {}, {}),
        ("/api/enterprises/sanlei/chains", {}, {}),
        ("/api/search", {"q": "三磊"}, {}),
        ("/api/enterprises/三磊不存在的企业", {}, {}),
    ],
)
def test_json_answers_keep_chinese_characters(
    client: TestClient, path: str, params: dict[str, str], headers: dict[str, str]
) -> None:
    response = client.get(path, params=params, headers=headers)
    assert "json" in response.headers["content-type"]
    raw = response.content.decode("utf-8")
    assert "\\u" not in raw, raw[:300]
    assert "三磊" in raw or "三磊不存在的企业" in raw


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("query", ["SELECT * WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"])
def test_refused_answers_drop_their_results_in_their_thread(seed_store: KGStore, query: str) -> None:
    """A 413 leaves no pyoxigraph result to be dropped by another thread (which pyoxigraph
    reports as an unraisable error, or aborts on)."""
    import gc

    app = create_app(Settings(store="", admin_token=None, max_rows=2), store=seed_store)
    with TestClient(app) as c:
        for _ in range(3):
            assert c.get("/sparql", params={"query": query}).status_code == 413
        gc.collect()
