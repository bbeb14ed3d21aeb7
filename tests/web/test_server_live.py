"""Against a real uvicorn server on a free loopback port: SPARQLWrapper in every format, and load."""

from __future__ import annotations

import concurrent.futures
import csv
import io
import time
import warnings
from collections.abc import Iterator
from xml.dom.minidom import Document

import httpx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from mdq_graph.query.curated import curated_query
from mdq_graph.web.publication import Publication
from mdq_graph.web.server import ServerSettings, create_app

# Imported for pytest to find the session fixtures.
from tests.support.serving import publication as publication
from tests.support.serving import running_server
from tests.support.virtuoso import bypass_proxy_for_loopback

pytestmark = pytest.mark.slow

SELECT = curated_query("participants").text
CONSTRUCT = """PREFIX mdq: <https://w3id.org/mdq/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?c rdfs:label ?name ; mdq:isoAlpha2 ?iso } WHERE { ?c a mdq:Country ; rdfs:label ?name ; mdq:isoAlpha2 ?iso }"""
EXPECTED_ISO = ["AU", "CA", "CH", "DE", "DK", "FI", "FR", "GB", "JP", "KR", "NL", "SE", "US"]


@pytest.fixture(scope="module")
def endpoint(publication: Publication) -> Iterator[str]:
    """The SPARQL endpoint of a real server (uvicorn, loopback, a free port)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        bypass_proxy_for_loopback(monkeypatch)
        app = create_app(publication, settings=ServerSettings(workers=2))
        with running_server(app) as root:
            yield root + "sparql"


def wrapper(endpoint: str, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setTimeout(30)
    return client


def expected_graph(publication: Publication) -> Graph:
    data = publication.engine.store.query(CONSTRUCT)
    import pyoxigraph as ox

    return Graph().parse(data=ox.serialize(data, format=ox.RdfFormat.N_TRIPLES), format="nt")  # type: ignore[arg-type]


def test_select_as_json(endpoint: str) -> None:
    result = wrapper(endpoint, SELECT, JSON).query().convert()
    assert isinstance(result, dict)
    assert [row["iso2"]["value"] for row in result["results"]["bindings"]] == EXPECTED_ISO
    assert result["results"]["bindings"][8]["name_ja"] == {
        "type": "literal",
        "value": "日本",
        "xml:lang": "ja",
    }


def test_select_as_xml(endpoint: str) -> None:
    result = wrapper(endpoint, SELECT, XML).query().convert()
    assert isinstance(result, Document)
    values = [
        binding.getElementsByTagName("literal")[0].firstChild.data  # type: ignore[union-attr]
        for binding in result.getElementsByTagName("binding")
        if binding.getAttribute("name") == "iso2"
    ]
    assert values == EXPECTED_ISO


@pytest.mark.parametrize(("fmt", "delimiter"), [(CSV, ","), (TSV, "\t")])
def test_select_as_csv_and_tsv(endpoint: str, fmt: str, delimiter: str) -> None:
    result = wrapper(endpoint, SELECT, fmt).query().convert()
    assert isinstance(result, bytes)
    header, *rows = list(csv.reader(io.StringIO(result.decode()), delimiter=delimiter))
    assert header[0] == ("iso2" if fmt == CSV else "?iso2")
    assert [row[0].strip('"') for row in rows] == EXPECTED_ISO


def test_ask_by_post(endpoint: str) -> None:
    client = wrapper(endpoint, "ASK { ?c <https://w3id.org/mdq/ontology#isoAlpha2> 'JP' }", JSON)
    client.setMethod(POST)
    result = client.query().convert()
    assert isinstance(result, dict)
    assert result["boolean"] is True


@pytest.mark.parametrize("fmt", [TURTLE, N3])
def test_construct_as_turtle(endpoint: str, publication: Publication, fmt: str) -> None:
    result = wrapper(endpoint, CONSTRUCT, fmt).query().convert()
    assert isinstance(result, bytes)
    assert isomorphic(Graph().parse(data=result, format="turtle"), expected_graph(publication))


@pytest.mark.parametrize("fmt", [JSONLD, RDFXML])
def test_construct_as_json_ld_and_rdf_xml(
    endpoint: str, publication: Publication, fmt: str
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", DeprecationWarning
        )  # rdflib's ConjunctiveGraph, in SPARQLWrapper
        result = wrapper(endpoint, CONSTRUCT, fmt).query().convert()
    assert isinstance(result, Graph)
    assert isomorphic(result, expected_graph(publication))


def test_construct_as_n_triples(endpoint: str, publication: Publication) -> None:
    client = wrapper(endpoint, CONSTRUCT, N3)
    client.setOnlyConneg(True)
    client.addCustomHttpHeader("Accept", "application/n-triples")
    response = client.query()
    assert response.info()["content-type"].startswith("application/n-triples")
    graph = Graph().parse(data=response.response.read(), format="nt")
    assert isomorphic(graph, expected_graph(publication))


def test_400_queries_from_8_concurrent_clients(endpoint: str) -> None:
    """Every query distinct (a comment), so each one runs in a worker; all must succeed."""
    clients, each = 8, 50

    def run_client(number: int) -> list[int]:
        statuses = []
        with httpx.Client(timeout=60, trust_env=False) as http:
            for request in range(each):
                query = f"{SELECT}\n# client {number}, request {request}"
                response = http.post(
                    endpoint, data={"query": query}, headers={"Accept": "text/csv"}
                )
                rows = response.text.strip().splitlines()
                statuses.append(response.status_code if len(rows) == 14 else -1)
        return statuses

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(run_client, n) for n in range(clients)]
        results = [f.result(timeout=300) for f in futures]
    statuses = [status for result in results for status in result]
    assert len(statuses) == clients * each
    assert set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}
    assert time.monotonic() - started < 300
