"""Issue #16 through HTTP: industries, regions' typed sections, policies, projects, figures for
any subject, and the enterprise answer's people, industries and project owners."""

from __future__ import annotations

from fastapi.testclient import TestClient

ID = "https://w3id.org/chainkg/id/"
HTML = {"Accept": "text/html"}


def test_regional_industries_of_a_region(client: TestClient) -> None:
    body = client.get("/api/industries", params={"region": "黔江"}).json()
    assert body["total"] == len(body["items"]) and "qianjiang-new-materials" in [i["id"] for i in body["items"]]
    one = client.get("/api/industries/新材料").json()
    assert one["iri"] == ID + "industry/qianjiang-new-materials" and len(one["chains"]) == 2
    assert client.get("/api/industries/黔江五大产业").json()["comparison"][0]["growth_rate"] == 17.8
    assert client.get("/viz/industries/新材料", headers=HTML).status_code == 200
    assert client.get("/api/industries/no-such-industry").status_code == 404


def test_a_chain_that_is_an_industry_over_two_templates_names_them(client: TestClient) -> None:
    err = client.get("/api/chains/新材料/completeness").json()["error"]
    assert err["code"] == "ambiguous_name"
    assert {c["iri"] for c in err["candidates"]} == {ID + "chain/aluminium", ID + "chain/glass-fibre"}


def test_completeness_counts_planned_segments(client: TestClient) -> None:
    body = client.get("/api/chains/蚕桑丝绸/completeness", params={"region": "黔江"}).json()
    planned = [s for s in body["segments"] if s["status"] == "planned"]
    assert {s["iri"].rsplit("--", 1)[-1] for s in planned} == {"garments", "art-products"}
    assert all(s["targeted_by"][0]["sources"][0]["evidence"] for s in planned)
    assert body["unknown_segment"][0]["label"] == "海通丝绸"


def test_a_zone_has_typed_sections(client: TestClient) -> None:
    sections = client.get("/api/zones/荣昌高新区").json()["sections"]
    docs = [d["label"] for d in sections["policies"]["documents"]]
    assert len(docs) == 2 and all("实施办法" in d for d in docs)
    assert [a["id"] for a in sections["alliances"]] == ["lu-nei-rong-yong-alliance"]
    assert len(sections["policies"]["funds"]) == 4 and sections["honours"] and sections["projects"]
    assert all(h["date"] for h in sections["honours"])  # "去年底", as the article dates them
    assert {i["id"] for i in sections["industries"]} >= {"rongchang-agri-livestock", "rongchang-3plus1-industries"}
    assert sections["figures"]
    for items in (sections["industries"], sections["alliances"], sections["projects"]):
        assert [(i["label"], i["iri"]) for i in items] == sorted((i["label"], i["iri"]) for i in items)


def test_a_zone_can_include_its_district_s_documents(client: TestClient) -> None:
    own = client.get("/api/zones/荣昌高新区").json()["sections"]["policies"]["documents"]
    withp = client.get("/api/zones/荣昌高新区", params={"include_parent": True}).json()["sections"]
    docs = withp["policies"]["documents"]
    assert len(docs) == len(own) + 1
    third = next(d for d in docs if d["inherited_from"])
    assert third["inherited_from"] == ID + "place/rongchang" and "集约节约用地" in third["label"]


def test_policies_of_a_region(client: TestClient) -> None:
    body = client.get("/api/policies", params={"region": "荣昌"}).json()
    sections = {i["section"] for i in body["items"]}
    assert {"documents", "measures", "funds"} <= sections and body["total"] == len(body["items"])
    assert all(i["sources"] for i in body["items"])
    qianjiang = client.get("/api/policies", params={"region": "黔江"}).json()["items"]
    assert "chain_chief_systems" in {i["section"] for i in qianjiang}


def test_a_project_s_figures_and_owner(client: TestClient) -> None:
    by_slug = client.get("/api/figures/qianjiang-waste-to-energy").json()
    values = sorted(f["value"] for s in by_slug["series"] for f in s["figures"])
    assert 13.0 in values and 5300.0 in values
    assert client.get("/api/figures/黔江生活垃圾焚烧发电项目").json() == by_slug
    assert client.get(f"/api/figures/{ID}project/qianjiang-waste-to-energy").json() == by_slug
    portfolio = client.get("/api/figures/黔江五大产业")
    assert portfolio.status_code == 200 and portfolio.json()["series"]
    p = client.get("/api/projects/qianjiang-waste-to-energy").json()
    assert p["owner"][0]["label"] == "三峰环境集团" and p["status"][0]["label"] == "已投产"
    assert len(p["figures"]) == 3 and all(f["sources"] for f in p["figures"])
    assert client.get("/api/projects/liujiu-feed-mill").json()["owner"] == "not stated"
    listed = client.get("/api/projects", params={"region": "黔江"}).json()["items"]
    assert "qianjiang-waste-to-energy" in [i["id"] for i in listed]


def test_enterprise_answer_names_people_industries_and_project_owners(client: TestClient) -> None:
    body = client.get("/api/enterprises/三磊").json()
    (person,) = body["people"]
    assert person["name"] == "洪忠进" and person["role"] == "董事长"
    assert person["honours"][0]["date"] == "2023-01-10" and person["sources"]
    industries = {i["label"]: i for i in body["industries"]}
    assert set(industries) == {"黔江新材料产业", "黔江玻璃纤维产业链"}
    assert all(i["basis"] in ("stated", "inferred") and i["evidence"] for i in industries.values())
    assert all(p["owner"][0]["label"] == "三磊玻纤" and p["status"] for p in body["projects"])


def test_enterprise_view_shows_industries_and_people(client: TestClient) -> None:
    from api.routes.viz import enterprise_view

    store = client.app.state.store  # type: ignore[attr-defined]
    net = enterprise_view(store, "三磊")
    kinds = [n["kind"] for n in net.nodes]
    assert kinds.count("industry") == 2 and kinds.count("person") == 1
    person = next(n for n in net.nodes if n["kind"] == "person")
    assert "洪忠进" in person["title"] and "2023-01-10" in person["title"]
