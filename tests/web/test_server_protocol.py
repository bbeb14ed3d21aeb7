"""The SPARQL 1.1 Protocol at /sparql: operations, datasets, result negotiation, service description."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from starlette.testclient import TestClient

from mdq_graph.graph.namespaces import BASE, GRAPH
from mdq_graph.query.curated import curated_query

# Imported for pytest to find the session fixtures.
from tests.support.serving import client as client
from tests.support.serving import publication as publication

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
COUNTRIES = """PREFIX mdq: <https://w3id.org/mdq/ontology#>
SELECT ?iso WHERE { ?c a mdq:Country ; mdq:isoAlpha2 ?iso } ORDER BY ?iso"""
GRAPH_OF_HELD_IN = """PREFIX mdq: <https://w3id.org/mdq/ontology#>
SELECT ?place WHERE { <https://w3id.org/mdq/id/meeting/mdq-7> mdq:heldIn ?place } ORDER BY ?place"""
CONSTRUCT = """PREFIX mdq: <https://w3id.org/mdq/ontology#>
CONSTRUCT { ?m mdq:heldIn ?p } WHERE { ?m mdq:heldIn ?p }"""


def isos(response_json: Any) -> list[str]:
    return [row["iso"]["value"] for row in response_json["results"]["bindings"]]


def places(response: object) -> set[str]:
    rows = response.json()["results"]["bindings"]  # type: ignore[attr-defined]
    return {row["place"]["value"].rsplit("/", 1)[-1] for row in rows}


# --- the three ways to send a query --------------------------------------------------------------


def test_get_query(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": COUNTRIES}, headers={"Accept": JSON})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(JSON)
    assert len(isos(response.json())) == 13
    assert "JP" in isos(response.json())


def test_post_form(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": COUNTRIES}, headers={"Accept": JSON})
    assert response.status_code == 200, response.text
    assert len(isos(response.json())) == 13


def test_post_direct(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        content=COUNTRIES.encode(),
        headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": JSON},
    )
    assert response.status_code == 200, response.text
    assert len(isos(response.json())) == 13


def test_post_with_another_content_type_is_415(client: TestClient) -> None:
    response = client.post("/sparql", content=b"{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 415
    assert "application/sparql-query" in response.text


def test_two_queries_in_one_request_are_refused(client: TestClient) -> None:
    response = client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert response.status_code == 400


# --- the protocol's dataset -----------------------------------------------------------------------


def test_default_graph_is_the_union_of_the_sources(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": GRAPH_OF_HELD_IN}, headers={"Accept": JSON})
    assert places(response) == {"tokyo", "tsukuba"}


@pytest.mark.parametrize(
    ("graph", "expected"),
    [("release-en", {"tokyo", "tsukuba"}), ("release-ja", {"tsukuba"})],
)
def test_default_graph_uri_picks_the_default_graph(
    client: TestClient, graph: str, expected: set[str]
) -> None:
    response = client.get(
        "/sparql",
        params={"query": GRAPH_OF_HELD_IN, "default-graph-uri": str(GRAPH[graph])},
        headers={"Accept": JSON},
    )
    assert response.status_code == 200, response.text
    assert places(response) == expected


def test_default_graph_uri_in_a_post_form(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        data={"query": GRAPH_OF_HELD_IN, "default-graph-uri": str(GRAPH["release-ja"])},
        headers={"Accept": JSON},
    )
    assert places(response) == {"tsukuba"}


def test_default_graph_uri_with_a_direct_post_is_in_the_url(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        params={"default-graph-uri": str(GRAPH["release-ja"])},
        content=GRAPH_OF_HELD_IN.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": JSON},
    )
    assert places(response) == {"tsukuba"}


def test_named_graph_uri_limits_graph_and_empties_the_default_graph(client: TestClient) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = client.get(
        "/sparql",
        params=[("query", query), ("named-graph-uri", str(GRAPH["release-ja"]))],
        headers={"Accept": JSON},
    )
    graphs = [row["g"]["value"] for row in response.json()["results"]["bindings"]]
    assert graphs == [str(GRAPH["release-ja"])]
    # SPARQL 1.1 Protocol §2.1.4: the protocol's dataset replaces the query's; its default
    # graph is the merge of no default-graph-uri, i.e. empty.
    empty = client.get(
        "/sparql",
        params=[("query", "ASK { ?s ?p ?o }"), ("named-graph-uri", str(GRAPH["release-ja"]))],
        headers={"Accept": JSON},
    )
    assert empty.json()["boolean"] is False


def test_protocol_dataset_overrides_from(client: TestClient) -> None:
    query = f"PREFIX mdq: <https://w3id.org/mdq/ontology#>\nSELECT ?place FROM <{GRAPH['release-en']}> WHERE {{ ?m mdq:heldIn ?place }}"
    only_en = client.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    assert places(only_en) == {"tokyo", "tsukuba"}
    overridden = client.get(
        "/sparql",
        params={"query": query, "default-graph-uri": str(GRAPH["release-ja"])},
        headers={"Accept": JSON},
    )
    assert places(overridden) == {"tsukuba"}


def test_a_graph_uri_that_is_not_an_iri_is_400(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": COUNTRIES, "default-graph-uri": "not an iri <>"}
    )
    assert response.status_code == 400


# --- results in every format ----------------------------------------------------------------------


def solutions_of(body: bytes, media_type: str) -> list[dict[str, str]]:
    """Solutions parsed by Oxigraph's own SPARQL results parser, as sorted plain dicts."""
    fmt = ox.QueryResultsFormat.from_media_type(media_type)
    parsed = ox.parse_query_results(body, format=fmt)
    assert isinstance(parsed, ox.QuerySolutions)
    names = [v.value for v in parsed.variables]
    return [{n: str(s[n]) for n in names if s[n] is not None} for s in parsed]


@pytest.mark.parametrize("media_type", [JSON, XML, "text/csv", "text/tab-separated-values"])
def test_select_in_every_results_format_matches_the_engine(
    client: TestClient, publication: object, media_type: str
) -> None:
    query = curated_query("participants").text
    response = client.get("/sparql", params={"query": query}, headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    expected = publication.engine.store.query(query).serialize(  # type: ignore[attr-defined]
        format=ox.QueryResultsFormat.from_media_type(media_type)
    )
    if media_type == "text/csv":  # CSV loses term types: compare the text
        got = list(csv.reader(io.StringIO(response.text)))
        assert got == list(csv.reader(io.StringIO(expected.decode())))
        assert response.text.endswith("\r\n")
    else:
        assert solutions_of(response.content, media_type) == solutions_of(expected, media_type)


@pytest.mark.parametrize("media_type", [JSON, XML])
def test_ask(client: TestClient, media_type: str) -> None:
    response = client.get(
        "/sparql",
        params={"query": "ASK { ?c <https://w3id.org/mdq/ontology#isoAlpha2> 'JP' }"},
        headers={"Accept": media_type},
    )
    parsed = ox.parse_query_results(
        response.content, format=ox.QueryResultsFormat.from_media_type(media_type)
    )
    assert isinstance(parsed, ox.QueryBoolean) and bool(parsed) is True


@pytest.mark.parametrize(
    ("media_type", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_in_every_graph_format(
    client: TestClient, publication: object, media_type: str, rdflib_format: str
) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    got = Graph().parse(data=response.content, format=rdflib_format)
    expected = Graph()
    for t in publication.engine.store.query(CONSTRUCT):  # type: ignore[attr-defined]
        expected.add((URIRef(t.subject.value), URIRef(t.predicate.value), URIRef(t.object.value)))
    assert len(expected) >= 3
    assert isomorphic(got, expected)


def test_describe(client: TestClient) -> None:
    query = "DESCRIBE <https://w3id.org/mdq/id/country/jp>"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.text, format="turtle")
    assert (URIRef("https://w3id.org/mdq/id/country/jp"), None, None) in graph


# --- negotiation ----------------------------------------------------------------------------------

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
SPARQLWRAPPER_JSON = (
    "application/sparql-results+json,application/json,text/javascript,application/javascript"
)
JENA_SELECT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "text/tab-separated-values;q=0.7, text/csv;q=0.5, application/json;q=0.2, "
    "application/xml;q=0.2, */*;q=0.1"
)
JENA_GRAPH = (
    "text/turtle,application/n-triples;q=0.9,application/ld+json;q=0.8,"
    "application/rdf+xml;q=0.7,*/*;q=0.1"
)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("*/*", JSON),
        (BROWSER, "text/html"),
        (SPARQLWRAPPER_JSON, JSON),
        ("application/sparql-results+xml", XML),
        (JENA_SELECT, JSON),
        ("application/json", JSON),
        ("application/xml", XML),
        ("text/*", "text/csv"),
        ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
        ("application/sparql-results+json;q=0, */*", XML),
        ("text/html;q=0, application/*;q=0.5", JSON),
        ("application/sparql-results+json;q=0.1, text/csv;q=0.9", "text/csv"),
        ("application/sparql-results+json; charset=utf-8", JSON),
    ],
)
def test_select_negotiation(client: TestClient, accept: str | None, expected: str) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get("/sparql", params={"query": "SELECT * WHERE {} LIMIT 1"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("*/*", "text/turtle"),
        (JENA_GRAPH, "text/turtle"),
        ("application/turtle,text/turtle", "text/turtle"),
        ("application/ld+json,application/x-json+ld", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("text/n3", "text/turtle"),
        ("application/n-triples;q=1, text/turtle;q=0.5", "application/n-triples"),
        (BROWSER, "text/html"),
    ],
)
def test_construct_negotiation(client: TestClient, accept: str, expected: str) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (COUNTRIES, "image/png"),
        (COUNTRIES, "text/turtle"),
        (
            COUNTRIES,
            "application/sparql-results+json;q=0, text/html;q=0, text/*;q=0, application/*;q=0",
        ),
        (CONSTRUCT, "application/sparql-results+json"),
    ],
)
def test_nothing_acceptable_is_406(client: TestClient, query: str, accept: str) -> None:
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 406
    assert "available" in response.text


@pytest.mark.parametrize(
    ("fmt", "query", "expected"),
    [
        ("json", COUNTRIES, JSON),
        ("xml", COUNTRIES, XML),
        ("csv", COUNTRIES, "text/csv"),
        ("tsv", COUNTRIES, "text/tab-separated-values"),
        (JSON, COUNTRIES, JSON),
        ("json", CONSTRUCT, "application/ld+json"),
        ("xml", CONSTRUCT, "application/rdf+xml"),
        ("turtle", CONSTRUCT, "text/turtle"),
        ("n3", CONSTRUCT, "text/turtle"),
        ("json-ld", CONSTRUCT, "application/ld+json"),
        ("nt", CONSTRUCT, "application/n-triples"),
    ],
)
def test_format_parameter_overrides_accept(
    client: TestClient, fmt: str, query: str, expected: str
) -> None:
    response = client.get(
        "/sparql", params={"query": query, "format": fmt}, headers={"Accept": "image/png"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected


def test_unknown_format_parameter_is_400(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": COUNTRIES, "format": "yaml"})
    assert response.status_code == 400
    assert "known formats" in response.text


def test_a_format_that_cannot_hold_the_result_is_406(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT, "format": "csv"})
    assert response.status_code == 406


def test_html_results_for_a_browser(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": COUNTRIES}, headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert '<table class="results">' in response.text
    assert "<td>JP</td>" in response.text
    assert "13 rows" in response.text


# --- no query: the service description, or the form -----------------------------------------------

SD = "http://www.w3.org/ns/sparql-service-description#"


def test_the_service_description_ignores_host_and_forwarded_headers(client: TestClient) -> None:
    spoofed = {
        "Host": "evil.example",
        "X-Forwarded-Proto": "gopher",
        "X-Forwarded-Host": "evil.example",
        "Forwarded": "host=evil.example;proto=gopher",
        "Accept": "text/turtle",
    }
    response = client.get("/sparql", headers=spoofed)
    assert response.status_code == 200
    assert "evil" not in response.text and "gopher" not in response.text
    plain = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert isomorphic(
        Graph().parse(data=response.text, format="turtle"),
        Graph().parse(data=plain.text, format="turtle"),
    )


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), (None, "turtle")],
)
def test_service_description(client: TestClient, accept: str | None, rdflib_format: str) -> None:
    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format=rdflib_format)
    endpoint = URIRef(BASE + "sparql")  # the configured base, not the request's host
    rows = graph.query(
        """PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
        SELECT ?endpoint ?language (COUNT(DISTINCT ?format) AS ?formats) (COUNT(DISTINCT ?name) AS ?graphs)
        WHERE { ?service a sd:Service ; sd:endpoint ?endpoint ; sd:supportedLanguage ?language ;
                         sd:resultFormat ?format ;
                         sd:defaultDataset [ sd:defaultGraph [] ; sd:namedGraph [ sd:name ?name ] ] }
        GROUP BY ?endpoint ?language"""
    )
    ((got_endpoint, language, formats, graphs),) = list(rows)  # type: ignore[misc]
    assert got_endpoint == endpoint
    assert str(language) == SD + "SPARQL11Query"
    assert int(formats) == 8
    assert int(graphs) >= 7
    assert (None, URIRef(SD + "name"), URIRef(str(GRAPH["release-ja"]))) in graph


def test_browser_without_query_gets_the_form_with_the_curated_queries(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert "<textarea" in response.text
    assert 'value="participants"' in response.text
    assert '<template id="query-participants">' in response.text


def test_name_fills_the_form_without_javascript(client: TestClient) -> None:
    response = client.get("/sparql", params={"name": "participants"}, headers={"Accept": BROWSER})
    assert response.status_code == 200
    text = curated_query("participants").text
    assert "SELECT ?iso2 ?iso3" in response.text
    assert "Who took part in the 7th MDQ meeting" in response.text
    assert text.splitlines()[0] in response.text


def test_name_runs_the_curated_query_for_a_client(client: TestClient) -> None:
    response = client.get("/sparql", params={"name": "participants", "format": "csv"})
    assert response.status_code == 200
    assert response.text.startswith("iso2,iso3,name_en")


def test_unknown_curated_query_is_404(client: TestClient) -> None:
    assert client.get("/sparql", params={"name": "no-such-query"}).status_code == 404


# --- CORS and caching -----------------------------------------------------------------------------


def test_cors_preflight_and_simple_requests(client: TestClient) -> None:
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    simple = client.get(
        "/sparql", params={"query": COUNTRIES}, headers={"Origin": "https://yasgui.example"}
    )
    assert simple.headers["access-control-allow-origin"] == "*"


def test_plain_options_lists_the_methods(client: TestClient) -> None:
    response = client.options("/sparql")
    assert response.status_code == 204
    assert response.headers["allow"] == "GET, HEAD, POST, OPTIONS"


def test_etag_gives_304(client: TestClient) -> None:
    first = client.get("/sparql", params={"query": COUNTRIES}, headers={"Accept": JSON})
    again = client.get(
        "/sparql",
        params={"query": COUNTRIES},
        headers={"Accept": JSON, "If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304
    assert again.content == b""


def test_results_are_cached(client: TestClient) -> None:
    server = client.app.state.server  # type: ignore[attr-defined]
    query = COUNTRIES + " # cache test"
    client.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    before = server.pool.stats.queries
    response = client.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    assert response.status_code == 200
    assert server.pool.stats.queries == before
    assert json.loads(response.content)["results"]["bindings"]
