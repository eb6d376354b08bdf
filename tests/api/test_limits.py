"""``api/limits.py`` and the small guards of issue 13: headers on every page, request size,
paging bounds, the empty admin token, ``OPTIONS /sparql``."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.limits import DEFAULT_CSP
from api.main import create_app
from api.settings import Settings
from graph.store.embedded import KGStore


@pytest.mark.parametrize(
    "path",
    ["/id/enterprise/sanlei-boxian", "/sparql", "/", "/viz/chains/silk", "/viz/regions/nope-nope"],
)
def test_every_html_page_has_a_csp_and_nosniff(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-content-type-options"] == "nosniff"
    declared = 'http-equiv="Content-Security-Policy"' in response.text
    header = response.headers.get("content-security-policy")
    assert declared or header == DEFAULT_CSP  # its own policy, or the default one
    assert not (declared and header)  # never two policies that would intersect


def test_the_resource_page_gets_the_default_policy(client: TestClient) -> None:
    response = client.get("/id/enterprise/sanlei-boxian", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "<script" not in response.text  # the policy allows none, and the page needs none


@pytest.mark.parametrize("path", ["/health", "/api/enterprises", "/sparql?query=ASK%7B%7D", "/nope"])
def test_every_response_has_nosniff(client: TestClient, path: str) -> None:
    assert client.get(path).headers["x-content-type-options"] == "nosniff"


def test_options_lists_the_methods_of_the_sparql_operations(client: TestClient) -> None:
    query = client.options("/sparql")
    assert query.status_code == 204
    assert {m.strip() for m in query.headers["allow"].split(",")} == {"GET", "POST", "OPTIONS"}
    assert {m.strip() for m in client.options("/sparql/update").headers["allow"].split(",")} == {"POST", "OPTIONS"}


@pytest.mark.parametrize("offset", ["18446744073709551616", "-1", "1000000001", "1e3", "1 UNION"])
def test_paging_parameters_are_bounded(client: TestClient, offset: str) -> None:
    response = client.get("/api/enterprises", params={"offset": offset})
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "invalid_request"
    assert body["detail"][0]["loc"] == ["query", "offset"]
    assert "LIMIT" not in response.text and "OFFSET" not in response.text  # not the SPARQL parser's message


def test_paging_within_bounds_still_works(client: TestClient) -> None:
    first = client.get("/api/enterprises", params={"limit": 2}).json()
    second = client.get("/api/enterprises", params={"limit": 1, "offset": 1}).json()
    assert second["items"] == first["items"][1:2]
    assert client.get("/api/enterprises", params={"offset": 1_000_000_000}).json()["items"] == []


@pytest.mark.parametrize("token", ["", "   "])
def test_an_empty_admin_token_is_no_token(token: str) -> None:
    settings = Settings(store="", build_if_empty=False, admin_token=token)  # type: ignore[arg-type]
    assert settings.admin_token is None
    with TestClient(create_app(settings, store=KGStore())) as c:
        response = c.post("/sparql/update", content=b"CLEAR ALL",
                          headers={"content-type": "application/sparql-update", "authorization": "Bearer "})
        assert response.status_code == 404


def test_the_sandbox_and_the_keyword_check_cannot_both_be_off() -> None:
    with pytest.raises(ValueError, match="keep at least one"):
        Settings(store="", sandbox="off", keyword_check=False)


def test_a_body_over_the_limit_is_refused_before_the_route() -> None:
    settings = Settings(store="", build_if_empty=False, max_body_bytes=100)
    with TestClient(create_app(settings, store=KGStore())) as c:
        big = c.post("/sparql", content=b"ASK {}" + b" " * 200, headers={"content-type": "application/sparql-query"})
        assert big.status_code == 413
        assert big.json()["error"]["message"] == "the request body is larger than 100 bytes (CHAINKG_MAX_BODY_BYTES)"
        small = c.post("/sparql", content=b"ASK {}", headers={"content-type": "application/sparql-query"})
        assert small.status_code == 200 and small.json()["boolean"] is True

        def chunks():  # no Content-Length: counted as it arrives
            yield b"ASK {}"
            yield b" " * 200

        chunked = c.post("/sparql", content=chunks(), headers={"content-type": "application/sparql-query"})
        assert chunked.status_code == 413
