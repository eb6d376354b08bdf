"""The ingest and review endpoints (admin token), and the review page's shell."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from graph.build.loading import build, seed_files
from graph.store.embedded import KGStore

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
TOKEN = "review-secret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture()
def store() -> KGStore:
    s = KGStore()
    build(s, seeds=[p for p in seed_files() if p.name != "d003.trig"], validate=False)
    return s


@pytest.fixture()
def admin(store: KGStore) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(store="", admin_token=TOKEN), store=store)) as c:
        yield c


def test_ingest_is_off_without_a_token_and_needs_the_bearer(client: TestClient, admin: TestClient) -> None:
    assert client.post("/api/ingest", content="黔江".encode()).status_code == 404
    assert admin.post("/api/ingest", content="黔江".encode()).status_code == 401
    r = admin.post("/api/ingest", content="黔江".encode(), headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    assert admin.get("/api/review/documents").status_code == 401


def test_ingest_review_accept_and_reject_over_http(admin: TestClient, store: KGStore) -> None:
    data = (SEEDS / "003_e64839a68220c915.txt").read_bytes()
    r = admin.post("/api/ingest", content=data, headers=AUTH, params={"filename": "003.txt", "date": "2023-01-20"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["new"] == len(body["candidates"]) > 10
    text = data.decode()
    assert all(text[c["start"] : c["end"]] == c["quote"] and len(c["quote"]) <= 50 for c in body["candidates"])
    again = admin.post("/api/ingest", content=data, headers=AUTH, params={"filename": "003.txt"}).json()
    assert again["new"] == 0
    docs = admin.get("/api/review/documents", headers=AUTH).json()
    assert [d["id"] for d in docs] == [body["document"]] and docs[0]["date"] == "2023-01-20"
    doc = admin.get(f"/api/review/documents/{body['document']}", headers=AUTH).json()
    assert doc["document"]["text"] == text
    firm = next(c for c in doc["candidates"] if c["kind"] == "enterprise" and "双河丝绸" in c["summary"])
    before = len(store)
    r = admin.post("/api/review/accept", json={"ids": [firm["id"]], "reviewer": "张三"}, headers=AUTH)
    assert r.status_code == 200 and r.json()["accepted"] == [firm["id"]]
    assert len(store) > before
    rows = store.select(
        "PREFIX ckg: <https://w3id.org/chainkg/ontology#> SELECT ?who ?q WHERE { "
        "?g ckg:reviewedBy ?who ; ckg:evidence ?q ; ckg:basis ckg:ExtractedAndReviewed }"
    )
    assert rows == [{"who": "张三", "q": firm["quote"]}]
    # the service answers from it at once
    found = admin.get("/api/search", params={"q": "双河丝绸"}).json()
    assert any("双河丝绸" in str(hit) for hit in found.get("results", found))
    other = next(c for c in doc["candidates"] if c["id"] != firm["id"])
    assert admin.post("/api/review/reject", json={"ids": [other["id"]]}, headers=AUTH).json() == {
        "rejected": [other["id"]]
    }
    unknown = admin.post("/api/review/accept", json={"ids": ["c0000000000"]}, headers=AUTH)
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    "payload,message",
    [
        (b"", "empty"),
        (b"\x00\x01\x02" * 1000, "binary"),
        (b"<html><body><div></div></body></html>", "no article text"),
    ],
)
def test_bad_articles_get_400_and_change_nothing(
    admin: TestClient, store: KGStore, payload: bytes, message: str
) -> None:
    before = len(store)
    r = admin.post("/api/ingest", content=payload, headers=AUTH)
    assert r.status_code == 400 and r.json()["error"]["code"] == "data_rejected"
    assert any(message in p for p in r.json()["error"]["problems"])
    assert len(store) == before
    assert admin.get("/api/review/documents", headers=AUTH).json() == []


def test_oversized_article_is_refused_while_streaming(admin: TestClient) -> None:
    r = admin.post("/api/ingest", content=b"a" * (2_000_001), headers=AUTH)
    assert r.status_code == 400 and "limit" in r.json()["error"]["message"] + str(r.json()["error"]["problems"])


def test_review_page_has_a_strict_csp_and_no_token_in_it(admin: TestClient) -> None:
    r = admin.get("/review")
    assert r.status_code == 200
    policy = r.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy and "unsafe-eval" not in policy
    assert TOKEN not in r.text and 'type="password"' in r.text
    assert r.headers["referrer-policy"] == "no-referrer"
