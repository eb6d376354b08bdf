"""The persistent name index's substring search: bigram postings answer like a full scan."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.build.loading import build_directory
from graph.index.name_store import NameStore, open_for
from graph.store.embedded import KGStore


@pytest.fixture(scope="module")
def names(tmp_path_factory: pytest.TempPathFactory) -> NameStore:
    path: Path = tmp_path_factory.mktemp("names") / "store"
    build_directory(path)
    found = open_for(KGStore(path, read_only=True))
    assert found is not None
    return found


def _found(ns: NameStore, needle: str) -> dict[int, str]:
    """Every resource the index finds for ``needle``: {eid: its first key holding it}."""
    out: dict[int, str] = {}
    for eid, key in ns.substring_hits(needle):
        out.setdefault(eid, key)
    return out


def _scan(ns: NameStore, needle: str) -> dict[int, str]:
    return {eid: key for key, eid in ns.db.execute("SELECT key, eid FROM keys") if needle in key}


NEEDLES = ["三磊", "玻纤", "丝绸", "科瑞南海", "高新区", "有限公司", "黔江区正阳", "不存在的词"]


@pytest.mark.parametrize("needle", NEEDLES)
def test_chinese_substrings_from_postings_equal_a_scan(names: NameStore, needle: str) -> None:
    found = _found(names, needle)
    expected = _scan(names, needle)
    assert set(found) == set(expected)
    assert all(needle in key for key in found.values())


LATIN = ["sanlei", "boxian", "lei", "qianjiang", "pharma", "co", "zzzq"]


@pytest.mark.parametrize("needle", LATIN)
def test_latin_substrings_from_the_trigram_table_equal_a_scan(names: NameStore, needle: str) -> None:
    assert set(_found(names, needle)) == set(_scan(names, needle))


@pytest.mark.parametrize("needle", ["玻纤", "有限公司", "ang", "an", "区"])
def test_substring_hits_come_in_iri_order(names: NameStore, needle: str) -> None:
    """Key numbers follow the entries' IRI order, so a search can stop after the first hits."""
    eids = list(dict.fromkeys(eid for eid, _ in names.substring_hits(needle)))
    assert len(eids) > 1
    assert eids == sorted(eids)
    iris = [row[1] for row in sorted(names.entry_by_eid(eids))]
    assert iris == sorted(iris)


def test_prefix_hits_come_in_key_order(names: NameStore) -> None:
    hits = list(names.prefix_hits("chong", "重庆"))
    assert len(hits) > 2
    assert [(k, e) for e, k in hits] == sorted((k, e) for e, k in hits)
    assert all(k.startswith(("chong", "重庆")) for _, k in hits)


def test_known_substring_is_found_and_a_one_character_needle_still_scans(names: NameStore) -> None:
    assert any("三磊" in key for key in _found(names, "三磊").values())
    assert set(_found(names, "磊")) == set(_scan(names, "磊"))
    assert set(_found(names, "sanlei")) == set(_scan(names, "sanlei"))
