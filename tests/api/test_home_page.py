"""The home page lists regions grouped by kind, each group in pinyin order."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from graph.index.keys import to_pinyin
from graph.index.region_list import list_regions
from graph.store.embedded import KGStore


def _groups(page: str, select_id: str) -> list[tuple[str, list[tuple[str, str]]]]:
    block = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', page, flags=re.S)
    assert block
    return [
        (html.unescape(label), [(slug, html.unescape(text)) for slug, text in
                                re.findall(r'<option value="([^"]+)">([^<]*)</option>', body)])
        for label, body in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', block.group(1), flags=re.S)
    ]


def test_region_pickers_are_grouped_by_kind_in_pinyin_order(client: TestClient, seed_store: KGStore) -> None:
    page = client.get("/").text
    kind_of = {r["iri"].rsplit("/", 1)[-1]: r["type"] for r in list_regions(seed_store)}
    for select_id in ("region-select", "chain-region-select"):
        groups = _groups(page, select_id)
        labels = [label for label, _ in groups]
        assert labels[:2] == ["直辖市/市 · Municipality", "区/县 · District or county"]
        assert len(labels) == len(set(labels)) == len(set(kind_of.values()))
        listed = [slug for _, options in groups for slug, _ in options]
        assert sorted(listed) == sorted(kind_of)  # every region once
        for _, options in groups:
            assert len({kind_of[slug] for slug, _ in options}) == 1  # one kind per group
            names = [text.split(" · ")[0] for _, text in options]
            assert names == sorted(names, key=to_pinyin)
        districts = [text.split(" · ")[0] for _, text in groups[1][1]]
        assert districts.index("黔江区") < districts.index("綦江区") < districts.index("荣昌区")
    # the view links follow the same groups
    links = re.findall(r'<h3 class="region-kind">([^<]*)</h3>', page)
    assert [html.unescape(x) for x in links[: len(labels)]] == labels


def test_chain_picker_is_in_pinyin_order(client: TestClient) -> None:
    page = client.get("/").text
    block = re.search(r'<select id="chain-select"[^>]*>(.*?)</select>', page, flags=re.S)
    assert block
    names = [html.unescape(t).split(" · ")[0] for t in re.findall(r">([^<]+)</option>", block.group(1))]
    assert len(names) > 5 and names == sorted(names, key=to_pinyin)
