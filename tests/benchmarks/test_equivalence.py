"""The equivalence check of the benchmark: canonical forms of chainkg's REST answers and of the
peers' SPARQL answers, their comparison, and the harness that times only what passed.

Every case is a small hand-made answer; each kind has a case that must fail.
"""

from __future__ import annotations

import doctest
from typing import Any

import pytest

from benchmarks import asking, equivalence, report
from benchmarks.equivalence import Sample, canonical_peer, canonical_rest, compare, sparql_json
from benchmarks.questions import Question

CKG = "https://w3id.org/chainkg/ontology#"


def same(kind: str, rest: dict[str, Any], peer_rows: list[dict[str, str]]) -> list[str]:
    return compare(canonical_rest(kind, rest), canonical_peer(kind, sparql_json(peer_rows)))


def test_docstring_examples_run() -> None:
    result = doctest.testmod(equivalence, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 5


# --- search and exact names --------------------------------------------------------------------

SEARCH = {"results": [{"iri": "urn:b", "score": 80.0}, {"iri": "urn:a", "score": 100.0},
                      {"iri": "urn:c", "score": 70.0}]}


def test_search_same_hits_in_another_order_pass() -> None:
    rows = [{"s": "urn:a", "best": "0"}, {"s": "urn:c", "best": "3"}, {"s": "urn:b", "best": "2华芯科技"}]
    assert same("search", SEARCH, rows) == []


@pytest.mark.parametrize("rows", [
    [{"s": "urn:a", "best": "0"}, {"s": "urn:b", "best": "2x"}],  # a hit missing
    [{"s": "urn:a", "best": "0"}, {"s": "urn:b", "best": "3"}, {"s": "urn:c", "best": "3"}],  # wrong tier
    [{"s": "urn:a", "best": "0"}, {"s": "urn:b", "best": "2x"}, {"s": "urn:c", "best": "3"},
     {"s": "urn:d", "best": "3"}],  # one too many
])
def test_search_different_hits_fail(rows: list[dict[str, str]]) -> None:
    diff = same("search", SEARCH, rows)
    assert len(diff) == 1 and diff[0].startswith("results:")


def test_exact_name_compares_only_the_whole_name_hits() -> None:
    rest = {"results": [{"iri": "urn:a", "score": 100.0}, {"iri": "urn:z", "score": 80.0}]}
    assert same("name_exact", rest, [{"s": "urn:a"}]) == []
    assert same("name_exact", rest, [{"s": "urn:a"}, {"s": "urn:z"}]) != []
    assert same("name_exact", {"results": []}, [{"s": "urn:a"}]) != []


# --- enterprise lookup -------------------------------------------------------------------------


def lookup_answer(*, evidence: str = "入驻", stage: str = "upstream") -> dict[str, Any]:
    source = {"claim": "urn:g1", "evidence": evidence, "basis": "stated", "reasoning": None,
              "document": {"iri": "urn:doc", "kind": "article", "publisher": "not stated"}}
    return {
        "iri": "urn:e", "label": "瑞耀能源", "label_en": "Ruiyao Energy",
        "chains": [{"iri": "urn:chain", "label": "新能源", "segments": [
            {"iri": "urn:seg", "label": "电池", "stage": stage, "sources": [source]}]}],
        "location": [{"iri": "urn:park", "label": "园"}, {"iri": "urn:district", "label": "区"}],
        "locations": [[{"iri": "urn:park", "label": "园"}, {"iri": "urn:district", "label": "区"}]],
        "suppliers": [], "customers": [],
    }


LOOKUP_ROWS = [
    {"part": "label", "label": "瑞耀能源", "lang": "zh"},
    {"part": "label", "label": "Ruiyao Energy", "lang": "en"},
    {"part": "place", "place": "urn:park", "anc": "urn:district", "ancLabel": "区"},
    {"part": "place", "place": "urn:park", "anc": "urn:park", "ancLabel": "园"},
    {"part": "segment", "seg": "urn:seg", "segLabel": "电池", "stage": CKG + "Upstream", "chain": "urn:chain",
     "chainLabel": "新能源", "g": "urn:g1", "doc": "urn:doc", "evidence": "入驻", "basis": CKG + "Stated"},
]


def test_lookup_same_content_passes_with_iris_mapped() -> None:
    assert same("lookup", lookup_answer(), LOOKUP_ROWS) == []


@pytest.mark.parametrize(("answer", "part"), [
    (lookup_answer(evidence="另一句"), "sources"),
    (lookup_answer(stage="downstream"), "segments"),
])
def test_lookup_different_content_fails(answer: dict[str, Any], part: str) -> None:
    diff = same("lookup", answer, LOOKUP_ROWS)
    assert [d.split(":")[0] for d in diff] == [part]


def test_lookup_missing_place_fails() -> None:
    diff = same("lookup", lookup_answer(), [r for r in LOOKUP_ROWS if r.get("anc") != "urn:district"])
    assert diff and diff[0].startswith("places:")


# --- neighbours and completeness (listed samples) ----------------------------------------------

NEIGHBOURS = {"suppliers": [{"segment": "urn:s1", "enterprise_count": 3,
                             "enterprises": [{"iri": "urn:x1"}, {"iri": "urn:x2"}]}],
              "customers": [{"segment": "urn:s2", "enterprise_count": 0, "enterprises": []}]}


def test_neighbours_listed_sample_within_the_peers_full_list_passes() -> None:
    rows = [{"side": "supplier", "seg": "urn:s1", "n": "3", "members": "urn:x3 urn:x1 urn:x2"},
            {"side": "customer", "seg": "urn:s2", "n": "0"}]
    assert same("neighbours", NEIGHBOURS, rows) == []


@pytest.mark.parametrize("rows", [
    # a listed enterprise the peer does not have
    [{"side": "supplier", "seg": "urn:s1", "n": "3", "members": "urn:x3 urn:x1 urn:x9"},
     {"side": "customer", "seg": "urn:s2", "n": "0"}],
    # a count that differs
    [{"side": "supplier", "seg": "urn:s1", "n": "4", "members": "urn:x3 urn:x1 urn:x2 urn:x4"},
     {"side": "customer", "seg": "urn:s2", "n": "0"}],
    # the side swapped
    [{"side": "customer", "seg": "urn:s1", "n": "3", "members": "urn:x3 urn:x1 urn:x2"},
     {"side": "customer", "seg": "urn:s2", "n": "0"}],
])
def test_neighbours_different_content_fails(rows: list[dict[str, str]]) -> None:
    assert same("neighbours", NEIGHBOURS, rows) != []


COMPLETENESS = {"segments": [
    {"iri": "urn:s1", "status": "covered", "enterprise_count": 2, "enterprises": [{"iri": "urn:e1"}],
     "projects": []},
    {"iri": "urn:s2", "status": "planned", "enterprise_count": 0, "enterprises": [],
     "projects": [{"iri": "urn:p1"}]},
    {"iri": "urn:s3", "status": "missing", "enterprise_count": 0, "enterprises": [], "projects": []},
]}


def test_completeness_same_statuses_pass() -> None:
    rows = [{"seg": "urn:s3", "status": "missing", "enterprises": "0"},  # GROUP_CONCAT unbound: no projects
            {"seg": "urn:s1", "status": "covered", "enterprises": "2", "members": "urn:e2 urn:e1", "projects": ""},
            {"seg": "urn:s2", "status": "planned", "projects": "urn:p1"}]
    assert same("completeness", COMPLETENESS, rows) == []


def test_completeness_other_status_or_missing_segment_fails() -> None:
    rows = [{"seg": "urn:s1", "status": "covered", "enterprises": "2", "members": "urn:e2 urn:e1"},
            {"seg": "urn:s2", "status": "missing", "projects": "urn:p1"},
            {"seg": "urn:s3", "status": "missing", "enterprises": "0"}]
    diff = same("completeness", COMPLETENESS, rows)
    assert len(diff) == 1 and "urn:s2" in diff[0] and "planned" in diff[0]
    assert same("completeness", COMPLETENESS, rows[:1] + rows[2:]) != []


# --- matrix and rows ---------------------------------------------------------------------------

MATRIX = {"cells": [{"region": "urn:r", "chain": "urn:c", "covered": 2, "segments": 6, "score": 0.3333,
                     "weighted_score": 0.4286}]}


def test_matrix_numbers_compare_by_value_not_spelling() -> None:
    rows = [{"region": "urn:r", "chain": "urn:c", "covered": "2", "segments": "6", "weight": "3.0", "total": "7"}]
    assert same("matrix", MATRIX, rows) == []


@pytest.mark.parametrize("rows", [
    [{"region": "urn:r", "chain": "urn:c", "covered": "3", "segments": "6", "weight": "3.0", "total": "7"}],
    [{"region": "urn:r", "chain": "urn:c", "covered": "2", "segments": "6", "weight": "2.0", "total": "7"}],
    [{"region": "urn:r", "chain": "urn:c", "covered": "2", "segments": "6", "weight": "3.0", "total": "7"},
     {"region": "urn:r2", "chain": "urn:c", "covered": "1", "segments": "6", "weight": "1", "total": "7"}],
])
def test_matrix_different_cells_fail(rows: list[dict[str, str]]) -> None:
    assert same("matrix", MATRIX, rows) != []


def test_rows_are_a_multiset_and_ignore_literal_spelling_of_the_type() -> None:
    a = {"results": {"bindings": [{"n": {"type": "literal", "value": "3", "datatype": "x"}},
                                  {"n": {"type": "literal", "value": "3", "datatype": "x"}}]}}
    b = {"results": {"bindings": [{"n": {"type": "typed-literal", "value": "3", "datatype": "x"}},
                                  {"n": {"type": "typed-literal", "value": "3", "datatype": "x"}}]}}
    assert compare(canonical_peer("rows", a), canonical_peer("rows", b)) == []
    one = {"results": {"bindings": b["results"]["bindings"][:1]}}
    assert compare(canonical_peer("rows", a), canonical_peer("rows", one)) != []


def test_sample_must_be_within_the_other_side() -> None:
    assert compare({"m": {"k": Sample(frozenset({"a"}))}}, {"m": {"k": frozenset({"a", "b"})}}) == []
    assert compare({"m": {"k": Sample(frozenset({"c"}))}}, {"m": {"k": frozenset({"a", "b"})}}) != []


def test_search_texts_are_escaped_and_stems_listed() -> None:
    assert equivalence.literal('x"} } DROP ALL #') == 'x\\"} } DROP ALL #'
    names = equivalence.stem_names("瑞耀")
    assert "瑞耀区" in names and "瑞耀有限公司" in names and "重庆瑞耀" in names
    assert all(equivalence.stem(n) == "瑞耀" for n in names)


# --- the harness: check first, time only what passed -------------------------------------------


class FakeTarget(asking.Target):
    """A target whose answers are given; counts the timed calls."""

    def __init__(self, system: str, answers: dict[str, Any]) -> None:
        super().__init__(system, "http://127.0.0.1:9", "/sparql", 1)
        self.answers = answers
        self.timed = 0

    def answer(self, q: Question, variant: str, i: int) -> Any:
        return self.answers[variant]

    def call(self, q: Question, variant: str) -> Any:
        def go(i: int) -> int:
            self.timed += 1
            return 10
        return go


def search_question() -> Question:
    return Question("search:x", "search x", False, "search", lambda i: ("/api/search", {"q": "x"}),
                    {"plain": lambda i: "SELECT", "tuned": lambda i: "SELECT"}, in_mix=True)


SETTINGS = asking.Settings(reps=3, heavy_reps=1, time_bound=5, request_timeout=1, clients=1, requests=4,
                           load_bound=5)


def test_a_failed_check_is_recorded_and_not_timed() -> None:
    q = search_question()
    refs: asking.References = {}
    ours = FakeTarget("chainkg", {"rest": SEARCH})
    got = asking.ask(ours, [q], SETTINGS, refs)
    assert got["search:x"]["checks"]["rest"] == {"passed": True, "detail": "reference"}
    assert got["search:x"]["variants"]["rest"]["n"] == 3
    good = sparql_json([{"s": "urn:a", "best": "0"}, {"s": "urn:b", "best": "2b"}, {"s": "urn:c", "best": "3"}])
    bad = sparql_json([{"s": "urn:a", "best": "0"}])
    peer = FakeTarget("oxigraph", {"plain": good, "tuned": bad})
    got = asking.ask(peer, [q], SETTINGS, refs)["search:x"]
    assert got["checks"]["plain"]["passed"] and not got["checks"]["tuned"]["passed"]
    assert "results" in got["checks"]["tuned"]["detail"]
    assert got["variants"]["tuned"] == {"skipped": "equivalence check failed: not timed"}
    assert got["variants"]["plain"]["n"] == 3
    assert peer.timed == 4  # warm-up + 3 samples, all of the plain variant
    # the throughput mix takes the variant that passed
    t = asking.throughput(peer, [q], {"search:x": got}, SETTINGS)
    assert t["mix"] == ["search:x [plain]"]


def test_no_reference_and_empty_reference_fail() -> None:
    q = search_question()
    refs: asking.References = {}
    assert not asking.check(FakeTarget("oxigraph", {"plain": sparql_json([])}), q, "plain", refs)["passed"]
    empty = asking.check(FakeTarget("chainkg", {"rest": {"results": []}}), q, "rest", refs)
    assert not empty["passed"] and "empty" in empty["detail"] and refs == {}


def test_report_shows_ratio_and_failed_checks() -> None:
    def entry(variants: dict[str, Any], checks: dict[str, Any]) -> dict[str, Any]:
        return {"question": "q", "label": "a question", "variants": variants, "checks": checks}

    timed = {"median_ms": 2.0, "p99_ms": 3.0, "n": 3, "bytes": 1}
    results = {"machine": {"cpus": 2, "memory_gib": 1, "python": "3.11", "platform": "x"}, "mode": "quick",
               "sizes": [{"enterprises": 10, "quads": 100, "systems": {
                   "chainkg": {"system": "chainkg", "latency": {"q": entry({"rest": timed},
                                                                            {"rest": {"passed": True,
                                                                                      "detail": "reference"}})}},
                   "oxigraph": {"system": "oxigraph", "latency": {"q": entry(
                       {"plain": {**timed, "median_ms": 5.0}, "tuned": {"skipped": "x"}},
                       {"plain": {"passed": True, "detail": "same"},
                        "tuned": {"passed": False, "detail": "results: 1 only in the reference"}})}},
               }}]}
    text = report.markdown(results)
    row = next(line for line in text.splitlines() if line.startswith("| a question"))
    assert "2.00 / 3.00" in row and "5.00 / 3.00" in row and "2.5× (plain)" in row
    assert "not timed (check failed)" in row and "FAILED: oxigraph [tuned]" in row
    assert "results: 1 only in the reference" in text
