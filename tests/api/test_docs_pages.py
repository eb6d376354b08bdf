"""/docs and /redoc reference only the service's own files, under the pages' CSP."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(("path", "script"), [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")])
def test_api_docs_load_nothing_from_outside(client: TestClient, path: str, script: str) -> None:
    page = client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert not re.search(r"(src|href)=\"(https?:)?//", page.text), "a CDN reference"
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page.text)
    assert policy and "default-src &#39;none&#39;" in policy.group(1)
    nonce = re.search(r"nonce-([\w-]+)", policy.group(1))
    assert nonce
    scripts = re.findall(r'<script nonce="([^"]+)" src="([^"]+)"', page.text)
    assert {src.rsplit("/", 1)[-1] for _, src in scripts} == {script, "apidocs.js"}
    assert all(n == nonce.group(1) for n, _ in scripts)
    for _, src in scripts:
        asset = client.get(src)
        assert asset.status_code == 200 and len(asset.content) > 500
    assert 'data-openapi="/openapi.json"' in page.text
