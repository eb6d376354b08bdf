"""REST routes through the TestClient: names accepted as ids, one error format, sources on facts."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

SANLEI = "https://w3id.org/chainkg/id/enterprise/sanlei-boxian"


def _all_sources(obj: object) -> list[dict]:
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("source",) and isinstance(v, dict):
                out.append(v)
            elif k == "sources" and isinstance(v, list):
                out.extend(v)
            else:
                out.extend(_all_sources(v))
    elif isinstance(obj, list):
        for v in obj:
            out.extend(_all_sources(v))
    return out


def test_health(client: TestClient) -> None:
    body = client.get("/health").json()
    sparql = body.pop("sparql")
    assert {k: body[k] for k in ("status", "empty")} == {"status": "ok", "empty": False}
    if body.get("store") == "remote":  # the remote pass of .ci/run: the server answers /sparql
        assert sparql["mode"] == "remote" and sparql["endpoint"].startswith("http://127.0.0.1:")
    else:
        assert sparql["mode"] == "processes" and sparql["size"] == sparql["live"] == 2
    counted = client.get("/health", params={"count": "true"}).json()
    assert counted["quads"] > 0


@pytest.mark.parametrize("q", ["三磊", "sanlei", "玻纤", "Sanlei Glass"])
def test_search_finds_sanlei(client: TestClient, q: str) -> None:
    r = client.get("/api/search", params={"q": q})
    assert r.status_code == 200
    assert SANLEI in [h["iri"] for h in r.json()["results"]]


def test_search_filters_by_kind(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "黔江", "kind": "region"})
    assert r.json()["results"] and {h["kind"] for h in r.json()["results"]} == {"region"}


def test_search_rejects_empty_query(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": ""})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("path", ["/api/regions", "/api/zones", "/api/chains", "/api/segments", "/api/enterprises"])
def test_lists_page(client: TestClient, path: str) -> None:
    body = client.get(path, params={"limit": 2}).json()
    assert body["total"] >= len(body["items"]) and len(body["items"]) <= 2 and body["items"]
    first = body["items"][0]
    detail = client.get(f"{path}/{first['id']}")
    assert detail.status_code == 200


@pytest.mark.parametrize("name", ["三磊", "sanlei-boxian", "重庆三磊玻纤股份有限公司"])
def test_enterprise_chains_accepts_names(client: TestClient, name: str) -> None:
    body = client.get(f"/api/enterprises/{name}/chains").json()
    assert body["iri"] == SANLEI
    assert any(c["iri"].endswith("/glass-fibre") for c in body["chains"])
    assert all(s["sources"] for c in body["chains"] for s in c["segments"])


def test_unknown_name_is_404_with_suggestions(client: TestClient) -> None:
    r = client.get("/api/enterprises/sanleiboxain")
    assert r.status_code == 404
    err = r.json()["error"]
    assert err["code"] == "unknown_entity" and err["suggestions"][0]["iri"] == SANLEI


def test_ambiguous_name_is_409_with_candidates(client: TestClient) -> None:
    # "丝绸" names several enterprises (海通丝绸, 花神丝绸, 双河丝绸)
    r = client.get("/api/enterprises/丝绸")
    assert r.status_code == 409
    err = r.json()["error"]
    assert len(err["candidates"]) >= 2 and err["total"] == len(err["candidates"])


def test_ambiguous_name_lists_the_first_candidates_and_counts_them_all(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("graph.index.names.MAX_CANDIDATES", 2)
    err = client.get("/api/enterprises/丝绸").json()["error"]
    assert len(err["candidates"]) == 2 and err["total"] > 2
    assert f"matches {err['total']} resources (the first 2 listed)" in err["message"]


def test_completeness_route(client: TestClient) -> None:
    body = client.get("/api/chains/蚕桑丝绸/completeness", params={"region": "黔江"}).json()
    assert body["region"].endswith("/qianjiang") and body["segments"]
    statuses = {s["status"] for s in body["segments"]}
    assert "covered" in statuses and statuses - {"covered"}
    for s in body["segments"]:
        for e in s["enterprises"]:
            assert e["sources"] and e["basis"] in ("stated", "inferred")
    assert 0 <= body["score"] <= 1 and set(body["by_stage"]) <= {"upstream", "midstream", "downstream"}


def test_matrix_route(client: TestClient) -> None:
    body = client.get("/api/completeness/matrix").json()
    chains = {c["iri"] for c in body["chains"]}
    assert body["cells"] and all(c["chain"] in chains for c in body["cells"])


def test_chain_chiefs_route(client: TestClient) -> None:
    body = client.get("/api/regions/黔江/chain-chiefs").json()
    assert body["runs_chain_chief_system"]
    assert all(s["document"]["file"] for r in body["records"] for s in r["sources"])
    regions = client.get("/api/chains/silk/chain-chiefs").json()["regions"]
    assert any(r["region"].endswith("/qianjiang") for r in regions)


def test_figures_route(client: TestClient) -> None:
    body = client.get("/api/figures/黔江高新区").json()
    assert body["series"]
    for s in body["series"]:
        for f in s["figures"]:
            assert f["sources"] and f["period"] is not None


def test_every_fact_in_an_enterprise_answer_has_a_source(client: TestClient) -> None:
    body = client.get("/api/enterprises/科瑞南海").json()
    sources = _all_sources(body)
    assert sources and all(s["document"]["iri"] for s in sources)


def test_openapi_documents_the_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/search", "/api/enterprises/{enterprise}/chains", "/api/chains/{chain}/completeness",
              "/api/completeness/matrix", "/api/regions/{region}/chain-chiefs", "/api/figures/{subject}"):
        assert p in paths


def test_figures_for_one_indicator_by_name(client: TestClient) -> None:
    everything = client.get("/api/figures/黔江高新区").json()["series"]
    one = client.get("/api/figures/黔江高新区", params={"indicator": "科技型企业数"})
    if one.status_code == 404:  # the label differs: take one from the data
        label = everything[0]["figures"][0]["indicator_label"]
        one = client.get("/api/figures/黔江高新区", params={"indicator": label})
    series = one.json()["series"]
    assert len(series) == 1 and series[0] in everything
    unknown = client.get("/api/figures/黔江高新区", params={"indicator": "不存在的指标"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_entity"


def test_invalid_iri_is_404_not_500(client: TestClient) -> None:
    assert client.get("/id/%22", headers={"Accept": "text/turtle"}).status_code == 404


@pytest.mark.parametrize(
    "hostile",
    ['黔江" } UNION { ?s ?p ?o } #', "x' . } DROP ALL ; #", "<https://w3id.org/chainkg/id/place/qianjiang> } #"],
)
def test_values_with_sparql_syntax_cannot_change_a_query(client: TestClient, hostile: str) -> None:
    before = client.get("/health?count=true").json()["quads"]
    r = client.get("/api/chains/蚕桑丝绸/completeness", params={"region": hostile})
    assert r.status_code in (404, 409)
    assert client.get("/api/figures/黔江高新区", params={"indicator": hostile}).status_code == 404
    assert client.get("/health?count=true").json()["quads"] == before


@pytest.mark.parametrize(("path", "segment"), [("/api/enterprises", "/enterprise/"), ("/api/segments", "/segment/")])
def test_list_pages_hold_that_class_only_and_do_not_overlap(client: TestClient, path: str, segment: str) -> None:
    first = client.get(path, params={"limit": 5, "offset": 0}).json()
    second = client.get(path, params={"limit": 5, "offset": 5}).json()
    items = first["items"] + second["items"]
    assert all(segment in i["iri"] for i in items)
    assert len({i["iri"] for i in items}) == len(items) == min(10, first["total"])
    everything = client.get(path, params={"limit": 1000}).json()["items"]
    assert len(everything) == first["total"] and [i["iri"] for i in everything] == sorted(i["iri"] for i in everything)
