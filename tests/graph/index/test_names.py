"""Name resolution: full, short, alias, English, pinyin, slugs, typos; ambiguity and unknowns."""

from __future__ import annotations

import pytest

from graph.errors import AmbiguousNameError, UnknownEntityError
from graph.index.names import NameIndex, index_for, normalise, stem, to_pinyin
from graph.questions.search import search
from graph.store.embedded import KGStore

SANLEI = "https://w3id.org/chainkg/id/enterprise/sanlei-boxian"


@pytest.mark.parametrize(
    "name",
    ["三磊", "三磊玻纤", "重庆三磊玻纤股份有限公司", "sanlei", "sanleiboxian", "SanLei", "sanlei-boxian", SANLEI,
     "Sanlei Glass Fibre"],
)
def test_sanlei_resolves_from_every_name(seed_store: KGStore, name: str) -> None:
    assert index_for(seed_store).resolve(name, kinds=("enterprise",)).iri == SANLEI
    assert index_for(seed_store).resolve(name).iri == SANLEI


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("正阳工业园区", "qianjiang-hitech-zone"),
        ("黔江高新区", "qianjiang-hitech-zone"),
        ("重庆黔江高新技术产业开发区", "qianjiang-hitech-zone"),
        ("黔江", "qianjiang"),
        ("qianjiang", "qianjiang"),
        ("南海制药", "kerui-nanhai-pharma"),
        ("科瑞南海", "kerui-nanhai-pharma"),
    ],
)
def test_aliases_merge_to_one_resource(seed_store: KGStore, name: str, slug: str) -> None:
    assert index_for(seed_store).resolve(name).iri.endswith("/" + slug)


def test_typo_is_unknown_with_the_right_suggestion(seed_store: KGStore) -> None:
    with pytest.raises(UnknownEntityError) as err:
        index_for(seed_store).resolve("sanleiboxain", kinds=("enterprise",))
    assert err.value.suggestions and err.value.suggestions[0].iri == SANLEI


def test_unknown_name_has_suggestions_and_message(seed_store: KGStore) -> None:
    with pytest.raises(UnknownEntityError) as err:
        index_for(seed_store).resolve("黔江丝路", kinds=("enterprise",))
    assert "unknown enterprise" in str(err.value)


def test_ambiguous_name_lists_candidates() -> None:
    kg = KGStore()
    kg.load_data(
        """@prefix ckg: <https://w3id.org/chainkg/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://w3id.org/chainkg/id/enterprise/a> a ckg:Enterprise ; rdfs:label "华芯科技"@zh .
        <https://w3id.org/chainkg/id/enterprise/b> a ckg:Enterprise ; rdfs:label "华芯智造"@zh .""",
        fmt="ttl",
    )
    with pytest.raises(AmbiguousNameError) as err:
        NameIndex.build(kg).resolve("华芯")
    assert {c.label for c in err.value.candidates} == {"华芯科技", "华芯智造"}
    assert NameIndex.build(kg).resolve("华芯智造").iri.endswith("/b")


def test_helpers() -> None:
    assert normalise("Ｑｉａｎ  Jiang") == "qianjiang"
    assert stem("重庆市黔江区") == "黔江"
    assert to_pinyin("綦江") == "qijiang"


def test_search_finds_by_substring_alias_and_pinyin(seed_store: KGStore) -> None:
    index = index_for(seed_store)
    assert SANLEI in [c.iri for c in index.search("玻纤")]
    assert SANLEI in [c.iri for c in index.search("sanlei")]
    assert index.search("sanlei", kinds=("enterprise",))[0].iri == SANLEI
    assert search(seed_store, "sanlei").results[0].iri == SANLEI  # before the projects named after it


def test_search_ranks_text_as_typed_before_homophones(seed_store: KGStore) -> None:
    index = index_for(seed_store)
    wrong_character = index.search("钱江")  # 黔江 typed with a homophone: found through pinyin
    assert wrong_character[0].label == "黔江区"  # its whole pinyin is a name's
    assert any(c.label == "黔江高新区" and c.score == 60.0 for c in wrong_character)  # pinyin prefix
    hits = index.search("綦", limit=1000)  # 綦江…, then pinyin qi…: qianjiang…
    chinese = [c for c in hits if c.score >= 70]
    assert all("綦" in c.matched for c in chinese)
    assert chinese and len(hits) > len(chinese) and hits[: len(chinese)] == chinese  # homophones last


def test_short_latin_text_matches_by_prefix_only(seed_store: KGStore) -> None:
    index = index_for(seed_store)
    assert index.search("sa")  # sanlei… by prefix
    assert all(c.score != 70.0 for c in index.search("ei"))  # not inside sanlei
    assert SANLEI in [c.iri for c in index.search("lei") if c.score == 70.0]


def test_search_uses_fuzzy_matching_only_for_typos(seed_store: KGStore) -> None:
    index = index_for(seed_store)
    typo = index.search("sanleiboxain")
    assert typo and typo[0].iri == SANLEI and typo[0].score == 50.0
    assert all(c.score >= 70 for c in index.search("玻纤"))  # real matches: no fuzzy noise


def test_a_substring_hit_names_the_same_key_whatever_the_hash_seed() -> None:
    """The key a substring hit reports (``matched``) must not depend on set order, which Python
    randomises per process (``PYTHONHASHSEED``): two processes would answer differently."""
    import subprocess
    import sys

    code = ("from graph.store.embedded import KGStore\nfrom graph.index.names import NameIndex\n"
            "kg = KGStore()\n"
            "kg.load_data('''@prefix ckg: <https://w3id.org/chainkg/ontology#> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
            "<https://w3id.org/chainkg/id/enterprise/a> a ckg:Enterprise ; rdfs:label \"甲产业链公司\"@zh ;\n"
            "  skos:altLabel \"乙产业链\"@zh , \"丙产业链集团\"@zh , \"丁产业链\"@zh .''', fmt='ttl')\n"
            "print([c.matched for c in NameIndex.build(kg).search('业链')])\n")
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**__import__("os").environ, "PYTHONHASHSEED": str(seed)}).stdout
            for seed in range(8)}
    assert len(seen) == 1, seen
