"""Reading articles into candidate facts: bad input, traditional characters, dedupe, conflicts, accept."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.build.loading import build, seed_files
from graph.errors import DataRejectedError
from graph.ingest.reading import MAX_BYTES, read_article, to_simplified
from graph.ingest.review import ReviewArea, accept, ingest, reject
from graph.store.embedded import KGStore

SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"
CKG = "https://w3id.org/chainkg/ontology#"


@pytest.fixture()
def store_without_d000() -> KGStore:
    store = KGStore()
    build(store, seeds=[p for p in seed_files() if p.name != "d000.trig"], validate=False)
    return store


BAD = {
    "empty": (b"   \n", "empty"),
    "binary": (bytes(range(256)) * 40, "binary"),
    "html-without-text": (
        b"<!doctype html><html><head><title>x</title><script>var a=1;</script></head>"
        b"<body><nav><a href='/'></a></nav></body></html>",
        "no article text",
    ),
    "too-large": ("黔江高新区".encode() * (10 * 1024 * 1024 // 15 + 1), "limit"),
    "unknown-encoding": ("Café résumé déjà vu, naïve façade. ".encode("latin-1") * 40, "unknown text encoding"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_rejected_with_a_clear_error_and_changes_nothing(name: str, seed_store: KGStore) -> None:
    data, message = BAD[name]
    area = ReviewArea(None)
    before = len(seed_store)
    with pytest.raises(DataRejectedError) as err:
        ingest(seed_store, area, data, source=f"{name}.txt")
    assert err.value.kind == "article"
    assert message in str(err.value)
    assert len(seed_store) == before
    assert area.documents() == [] and area.candidates() == []


def test_ten_megabyte_file_is_over_the_limit() -> None:
    assert MAX_BYTES < 10 * 1024 * 1024


def test_gb18030_and_big5_articles_are_decoded() -> None:
    text = "黔江高新区入住工贸企业140余家,累计实现工业产值245.1亿元。"
    assert read_article(text.encode("gb18030")).text == text
    hant = "黔江高新區入住工貿企業140餘家,累計實現工業產值245.1億元。"
    assert read_article(hant.encode("big5hkscs")).text == hant


def test_traditional_article_matches_on_simplified_but_quotes_verbatim(store_without_d000: KGStore) -> None:
    import opencc

    simplified = (SEEDS / "000_e87b53e6312f7b05.txt").read_text(encoding="utf-8")
    traditional = opencc.OpenCC("s2t").convert(simplified)
    assert traditional != simplified
    area = ReviewArea(None)
    report = ingest(store_without_d000, area, traditional.encode("utf-8"), source="d000-hant.txt")
    rows = area.candidates()
    assert report.proposed == len(rows) > 10
    for r in rows:
        assert r["quote"] in traditional and len(r["quote"]) <= 50
        assert traditional[r["start"] : r["end"]] == r["quote"]
    located = {(r["subject_label"], link["iri"]) for r in rows if r["kind"] == "located-in" for link in r["links"]}
    assert ("京宏源铝业", "https://w3id.org/chainkg/id/place/qianjiang-hitech-zone") in located
    assert any("龍" in r["quote"] or "區" in r["quote"] or "業" in r["quote"] for r in rows)
    assert to_simplified("黔江區") == "黔江区"


def test_same_article_twice_proposes_nothing_new(store_without_d000: KGStore) -> None:
    data = (SEEDS / "000_e87b53e6312f7b05.txt").read_bytes()
    area = ReviewArea(None)
    first = ingest(store_without_d000, area, data, source="000.txt")
    assert first.new
    assert ingest(store_without_d000, area, data, source="000.txt").new == []
    accept(store_without_d000, area, min_confidence=0.0)
    again = ingest(store_without_d000, area, data, source="000.txt")
    assert again.new == []


def test_accept_writes_reviewed_claims_with_provenance_atomically(store_without_d000: KGStore) -> None:
    store = store_without_d000
    area = ReviewArea(None)
    ingest(store, area, (SEEDS / "000_e87b53e6312f7b05.txt").read_bytes(), source="000.txt", publisher="武陵都市报")
    rows = area.candidates()
    pick = next(r for r in rows if r["kind"] == "located-in" and r["subject_label"] == "京宏源铝业")
    other = next(r for r in rows if r["id"] != pick["id"])
    report = accept(store, area, [pick["id"]], who="tester")
    assert report.accepted == [pick["id"]] and report.quads_added > 0
    found = store.select(
        "PREFIX ckg: <https://w3id.org/chainkg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#> "
        "PREFIX dct: <http://purl.org/dc/terms/> "
        "SELECT ?g ?q ?who ?pub WHERE { GRAPH ?g { ?f ckg:locatedIn ?z } ?g ckg:basis ckg:ExtractedAndReviewed ; "
        "ckg:evidence ?q ; ckg:reviewedBy ?who ; prov:wasDerivedFrom ?d . ?d dct:publisher ?pub }"
    )
    assert [(r["q"], r["who"], r["pub"]) for r in found] == [(pick["quote"], "tester", "武陵都市报")]
    assert reject(area, [other["id"]]) == [other["id"]]
    assert {r["status"] for r in area.candidates(ids=[pick["id"], other["id"]])} == {"accepted", "rejected"}


def test_a_different_figure_for_the_same_indicator_and_period_is_a_conflict() -> None:
    store = KGStore()
    build(store, validate=False)
    area = ReviewArea(None)
    text = "力争2024年黔江高新区高新技术企业达到90家。"
    ingest(store, area, text.encode(), source="conflict.txt")
    rows = [r for r in area.candidates() if r["kind"] == "figure"]
    assert rows and rows[0]["conflict"] and "70" in rows[0]["conflict"]
    before = len(store)
    report = accept(store, area, min_confidence=0.0)
    assert rows[0]["id"] in report.skipped and rows[0]["id"] not in report.accepted
    existing = store.select(
        "PREFIX ckg: <https://w3id.org/chainkg/ontology#> SELECT ?v WHERE { "
        "<https://w3id.org/chainkg/id/observation/qianjiang-hitech-zone-hitech-enterprises-target-2024>"
        " ckg:value ?v }"
    )
    assert [float(r["v"]) for r in existing] == [70.0]
    assert len(store) >= before


def test_everything_accepted_conforms_to_the_shapes() -> None:
    from graph.store.shapes import validate_quads

    store = KGStore()
    build(store, seeds=[p for p in seed_files() if p.name != "d004.trig"], validate=False)
    area = ReviewArea(None)
    ingest(store, area, (SEEDS / "004_df95ad1295c8dc65.txt").read_bytes(), source="004.txt")
    rows = area.candidates()
    assert accept(store, area, [r["id"] for r in rows]).accepted
    assert validate_quads(list(store.quads())) == []


def test_html_article_drops_navigation_and_keeps_quotes_verbatim(seed_store: KGStore) -> None:
    html = (
        "<!doctype html><html><head><title>黔江新闻_门户</title></head><body>"
        "<nav><a href='/'>首页</a> | <a href='/news'>新闻中心</a> | 联系我们</nav>"
        "<article><h1>黔江高新区新签约项目</h1><p>时间:2023-06-01 来源:黔江日报</p>"
        "<p>近日,重庆示例新材料有限公司落户黔江高新区,总投资5亿元。</p>"
        "<p>以示例新材料、测试电子等企业为代表的新材料产业加快发展。</p></article>"
        "<footer>版权所有 © 黔江新闻网 京ICP备000号</footer></body></html>"
    ).encode()
    area = ReviewArea(None)
    report = ingest(seed_store, area, html, source="news.html")
    doc = area.document(report.document)
    assert "首页" not in doc["text"] and "版权所有" not in doc["text"]
    assert doc["publisher"] == "黔江日报" and doc["date"] == "2023-06-01"
    rows = area.candidates()
    assert any(r["kind"] == "located-in" and "示例新材料" in r["summary"] for r in rows)
    assert all(doc["text"][r["start"] : r["end"]] == r["quote"] for r in rows)


def test_another_zone_for_a_known_firm_is_a_conflict_never_merged(seed_store: KGStore) -> None:
    area = ReviewArea(None)
    ingest(seed_store, area, "重庆三磊玻纤股份有限公司是荣昌高新区重点企业。".encode(), source="zone-conflict.txt")
    rows = [r for r in area.candidates() if r["kind"] == "located-in"]
    assert len(rows) == 1 and rows[0]["conflict"] and "黔江" in rows[0]["conflict"]
    before = len(seed_store)
    report = accept(seed_store, area, min_confidence=0.0)
    assert rows[0]["id"] in report.skipped and len(seed_store) == before + report.quads_added
    assert not seed_store.ask(
        "PREFIX ckg: <https://w3id.org/chainkg/ontology#> ASK { "
        "<https://w3id.org/chainkg/id/enterprise/sanlei-boxian> ckg:locatedIn "
        "<https://w3id.org/chainkg/id/place/rongchang-hitech-zone> }"
    )
