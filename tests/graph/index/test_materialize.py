"""Build-time side files (persistent name index, region closure, coverage) answer exactly as the
SPARQL queries and the in-memory index do, and are ignored once the store has changed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph.build.loading import build_directory
from graph.index.materialize import _DERIVED_INDEXES, _DERIVED_SCHEMA, Derived, derived_for
from graph.index.names import NameIndex, PersistentNameIndex, index_for
from graph.questions.completeness import completeness
from graph.questions.matrix import matrix
from graph.store.embedded import KGStore

NAMES = ["三磊", "sanlei", "重庆三磊玻纤股份有限公司", "黔江", "qianjiang", "正阳工业园区", "荣昌高新区", "板桥园",
         "蚕桑丝绸", "silk", "缫丝", "科瑞南海", "hengsheng", "开拓卫星", "sanlei-boxian", "glass-fibre",
         "三雷", "钱江", "玻纤", "泸内荣永", "洪忠进", "五大产业", "qianjiang-waste-to-energy"]


@pytest.fixture(scope="module")
def disk_store(tmp_path_factory: pytest.TempPathFactory) -> KGStore:
    path = tmp_path_factory.mktemp("materialized") / "store"
    report = build_directory(path)
    assert report.unsourced == 0
    return KGStore(path)


def test_side_files_are_current_after_a_build(disk_store: KGStore) -> None:
    assert derived_for(disk_store) is not None
    assert isinstance(index_for(disk_store), PersistentNameIndex)


def test_matrix_from_side_files_equals_sparql(disk_store: KGStore, seed_store: KGStore) -> None:
    assert derived_for(seed_store) is None  # in memory: SPARQL only
    assert matrix(disk_store) == matrix(seed_store)
    assert matrix(disk_store, include_empty=True) == matrix(seed_store, include_empty=True)


@pytest.mark.parametrize("name", NAMES)
def test_persistent_index_resolves_like_the_memory_index(disk_store: KGStore, seed_store: KGStore,
                                                         name: str) -> None:
    memory = NameIndex.build(seed_store)
    assert index_for(disk_store).candidates(name) == memory.candidates(name)


@pytest.mark.parametrize("text", ["玻纤", "丝绸", "sanlei", "黔江", "qian", "pharma", "泸内荣永", "实施办法", "小巨人"])
def test_persistent_search_finds_the_same_resources(disk_store: KGStore, seed_store: KGStore, text: str) -> None:
    def matches(index: NameIndex) -> set[str]:  # exact, stem, prefix and substring hits (not fuzzy)
        return {c.iri for c in index.search(text, limit=1000) if c.score >= 70}

    assert matches(index_for(disk_store)) == matches(NameIndex.build(seed_store))


@pytest.mark.parametrize("text", ["有限", "qian", "区", "chong", "a", "钱江", "lei", "三雷"])
@pytest.mark.parametrize("kinds", [None, ("enterprise",), ("region",)])
def test_persistent_search_ranks_like_the_memory_index(disk_store: KGStore, seed_store: KGStore, text: str,
                                                       kinds: tuple[str, ...] | None) -> None:
    """The persistent index stops reading after ``limit`` hits; what it shows is still the memory
    index's ranking, cut at the same place."""
    memory = NameIndex.build(seed_store)
    for limit in (1, 3, 1000):
        fast = [(c.iri, c.score) for c in index_for(disk_store).search(text, kinds=kinds, limit=limit)]
        slow = [(c.iri, c.score) for c in memory.search(text, kinds=kinds, limit=limit)]
        assert [hit for hit in fast if hit[1] > 50] == [hit for hit in slow if hit[1] > 50]  # not the typo tier
    assert any(c.score > 50 for c in memory.search(text, kinds=kinds, limit=1000)) or kinds == ("region",)


@pytest.mark.parametrize("name", ["丝绸", "黔江", "qian", "有限", "产业"])
@pytest.mark.parametrize("kinds", [None, ("enterprise",), ("industry", "chain")])
def test_persistent_matches_list_the_same_first_candidates(disk_store: KGStore, seed_store: KGStore, name: str,
                                                           kinds: tuple[str, ...] | None) -> None:
    memory = NameIndex.build(seed_store)
    whole = memory.matches(name, kinds=kinds)
    for limit in (1, 2, None):
        assert index_for(disk_store).matches(name, kinds=kinds, limit=limit) == memory.matches(name, kinds=kinds,
                                                                                              limit=limit)
        part = memory.matches(name, kinds=kinds, limit=limit)
        assert part.total == whole.total and part.candidates == whole.candidates[:limit]


def test_completeness_is_the_same_on_both(disk_store: KGStore, seed_store: KGStore) -> None:
    for chain, region in (("蚕桑丝绸", "黔江"), ("生物医药", "黔江"), ("农牧高新", "荣昌")):
        assert completeness(disk_store, chain, region).to_dict() == completeness(seed_store, chain, region).to_dict()


def test_a_write_makes_the_side_files_stale(tmp_path: Path) -> None:
    path = tmp_path / "store"
    build_directory(path, validate=False)
    store = KGStore(path)
    assert derived_for(store) is not None
    store.load_data(b"<https://e.org/a> <https://e.org/b> 'c' .", fmt="ttl")
    assert derived_for(store) is None
    assert not isinstance(index_for(store), PersistentNameIndex)
    store.close()
    reopened = KGStore(path)  # the files changed since the seal: still stale after reopening
    assert derived_for(reopened) is None


def test_enterprise_neighbours_from_side_files_equal_sparql(disk_store: KGStore, seed_store: KGStore) -> None:
    from graph.questions.enterprise import enterprise_profile

    assert derived_for(disk_store) is not None
    for name in ("三磊", "科瑞南海", "衡生药用胶囊", "双河丝绸", "唯美陶瓷", "开拓卫星"):
        disk = enterprise_profile(disk_store, name).to_dict()
        memory = enterprise_profile(seed_store, name).to_dict()
        for side in ("suppliers", "customers"):
            assert disk[side] == memory[side], (name, side)


def test_lookup_over_http_on_a_built_store_equals_the_memory_answer(disk_store: KGStore, client: TestClient) -> None:
    """The lookup route answers on the event loop when the side files are current: same JSON."""
    from api.main import create_app
    from api.settings import Settings

    app = create_app(Settings(store=""), store=disk_store)
    with TestClient(app) as disk_client:
        for name in ("三磊", "科瑞南海", "sanlei", "开拓卫星"):
            disk = disk_client.get(f"/api/enterprises/{name}/chains")
            memory = client.get(f"/api/enterprises/{name}/chains")
            assert disk.status_code == memory.status_code == 200, name
            assert disk.json() == memory.json(), name
        assert disk_client.get("/api/enterprises/no-such-firm/chains").status_code == 404


@pytest.mark.parametrize("name", ["三雷", "钱江", "三磊", "泸内荣永", "黔江五大产业", "洪忠进"])
def test_persistent_index_resolves_and_suggests_like_the_memory_index(disk_store: KGStore, seed_store: KGStore,
                                                                      name: str) -> None:
    from graph.errors import AmbiguousNameError, UnknownEntityError

    def answer(index: NameIndex) -> tuple[str, list[str]]:
        try:
            return index.resolve(name).iri, []
        except UnknownEntityError as err:
            return "unknown", [c.iri for c in err.suggestions]
        except AmbiguousNameError as err:
            return "ambiguous", [c.iri for c in err.candidates]

    assert answer(index_for(disk_store)) == answer(NameIndex.build(seed_store))


def test_search_answers_agree_on_both(disk_store: KGStore, seed_store: KGStore) -> None:
    from graph.questions.search import search

    def shown(store: KGStore, text: str, region: str | None) -> list[list[tuple[object, ...]]]:
        answer = search(store, text, region=region)  # ``matched`` (which of a name's keys) may differ
        return [[(h.iri, h.score, h.match, h.place, h.view) for h in hits]
                for hits in (answer.results, answer.suggestions)]

    for text, region in (("华为", None), ("三磊", None), ("产业", "荣昌"), ("钱江", None), ("垃圾焚烧", None)):
        assert shown(disk_store, text, region) == shown(seed_store, text, region)


@pytest.mark.parametrize(("exclude", "count", "first"), [
    (None, 60, ["e00", "e01"]),
    ("e59", 59, ["e00", "e01"]),  # sorted past the rows listed: still left out of the count
    ("e00", 59, ["e01", "e02"]),
    ("elsewhere", 60, ["e00", "e01"]),
])
def test_members_leave_out_the_enterprise_itself_wherever_it_sorts(
        tmp_path: Path, exclude: str | None, count: int, first: list[str]) -> None:
    path = tmp_path / "derived.sqlite"
    db = sqlite3.connect(path)
    db.executescript(_DERIVED_SCHEMA)
    db.executemany("INSERT INTO members VALUES ('area', 'seg', ?, ?)", [(f"e{i:02}", f"企业{i}") for i in range(60)])
    db.executescript(_DERIVED_INDEXES)
    db.commit()
    db.close()
    found, rows = Derived(path).members("area", "seg", limit=2, exclude=exclude)
    assert (found, [e for e, _ in rows]) == (count, first)
