"""One fact, one answer: the REST API, the CLI and the views give the same count and place."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.cli import main
from api.routes.viz import chiefs_view, enterprise_view
from graph.store.embedded import KGStore


def _summary(net: Any) -> dict[str, str]:
    return {label: value for label, value in net.chainkg["summary"]}


def _cli_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main([*args, "--store", ":memory:", "--format", "json"]) == 0
    return dict(json.loads(capsys.readouterr().out))


def test_chiefs_chain_count_is_the_same_everywhere(
    client: TestClient, seed_store: KGStore, capsys: pytest.CaptureFixture[str]
) -> None:
    api = client.get("/api/regions/黔江/chain-chiefs").json()
    distinct = {i["iri"] for r in api["records"] for i in r["industries"]}
    listed = sum(len(r["industries"]) for r in api["records"])
    assert listed > len(distinct), "the seeds have two records naming the same chains"
    assert api["chain_count"] == len(distinct) == len(api["chains"])
    assert set(api["named_chains"]) <= set(api["chains"])
    cli = _cli_json(["chiefs", "--region", "黔江"], capsys)
    assert cli["chain_count"] == api["chain_count"] and cli["chains"] == api["chains"]
    assert _summary(chiefs_view(seed_store, "黔江"))["产业链 chains"] == str(len(distinct))
    assert main(["chiefs", "--region", "黔江", "--store", ":memory:"]) == 0
    assert f"链长制 for {len(distinct)} chains" in capsys.readouterr().out


def test_enterprise_place_is_the_same_everywhere(
    client: TestClient, seed_store: KGStore, capsys: pytest.CaptureFixture[str]
) -> None:
    lookup = client.get("/api/enterprises/sanlei/chains").json()
    profile = client.get("/api/enterprises/sanlei").json()
    cli = _cli_json(["enterprise", "sanlei"], capsys)
    assert len(profile["locations"]) > 1, "三磊 sits in a zone and in the district that holds it"
    place = [p["iri"] for p in profile["location"]]
    assert [p["iri"] for p in lookup["location"]] == place == [p["iri"] for p in cli["location"]]
    assert lookup["locations"] == profile["locations"]
    # the most specific place comes first: the zone, inside the district
    assert profile["location"][0]["label"] == "黔江高新区" and len(place) == max(map(len, profile["locations"]))
    assert lookup["local_area"] == profile["local_area"] == cli["local_area"]
    drawn = {n["id"] for n in enterprise_view(seed_store, "sanlei").nodes}
    assert set(place) <= drawn
