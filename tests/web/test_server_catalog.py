"""A portal harvests the whole DCAT-AP description at the catalog's IRI, as the README says."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.namespace import DCAT, RDF
from starlette.testclient import TestClient

from tests.support.serving import client, publication  # noqa: F401  (fixtures)


@pytest.mark.parametrize(
    ("path", "accept"),
    [("/catalog.ttl", None), ("/catalog", "text/turtle"), ("/", "text/turtle")],
)
def test_the_catalog_iri_serves_the_whole_description(
    client: TestClient,  # noqa: F811
    path: str,
    accept: str | None,
) -> None:
    headers = {"accept": accept} if accept else {}
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    graph = Graph().parse(data=response.text, format="turtle")
    assert len(list(graph.subjects(RDF.type, DCAT.Distribution))) >= 6
    assert list(graph.subjects(RDF.type, DCAT.DataService))
    assert list(graph.subjects(RDF.type, DCAT.Dataset))
