"""Linked data: /id/… answers RDF by content negotiation and HTML to browsers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDFS

SANLEI = URIRef("https://w3id.org/chainkg/id/enterprise/sanlei-boxian")


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
     ("application/rdf+xml", "xml")],
)
def test_rdf_by_content_negotiation(client: TestClient, accept: str, fmt: str) -> None:
    r = client.get("/id/enterprise/sanlei-boxian", headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    g = Graph().parse(data=r.content, format=fmt)
    assert (SANLEI, RDFS.label, Literal("三磊玻纤", lang="zh")) in g


def test_nquads_keep_the_claim_graphs(client: TestClient) -> None:
    r = client.get("/id/enterprise/sanlei-boxian", headers={"Accept": "application/n-quads"})
    ds = Dataset()
    ds.parse(data=r.content, format="nquads")
    graphs = {str(c.identifier) for c in ds.graphs() if (SANLEI, RDFS.label, None) in c}
    assert any(g.startswith("https://w3id.org/chainkg/id/claim/") for g in graphs)


def test_html_for_browsers_links_locally(client: TestClient) -> None:
    r = client.get("/id/enterprise/sanlei-boxian", headers={"Accept": "text/html,application/xhtml+xml"})
    assert r.status_code == 200 and "三磊玻纤" in r.text
    assert 'href="/id/place/' in r.text
    table = r.text.split("<table>")[1]
    assert 'href="https://w3id.org/chainkg/id/' not in table


def test_unknown_iri_is_404_and_bad_accept_406(client: TestClient) -> None:
    assert client.get("/id/enterprise/nope", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/id/enterprise/sanlei-boxian", headers={"Accept": "image/png"}).status_code == 406
