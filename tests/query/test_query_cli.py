"""`mdq-graph query` and `mdq-graph queries`: the query from an argument, a file or a curated name;
every W3C result format; RDF for graphs; named graphs; errors as messages with a position."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from mdq_graph.cli import main
from mdq_graph.formats.jsonld import document_loader
from mdq_graph.graph.rdf_formats import FORMATS
from mdq_graph.query.curated import curated_queries, parse_header, query_form
from mdq_graph.query.results import RESULT_FORMATS
from tests.conftest import TEST_DATA
from tests.support.probes import loopback_listener

PREFIXES = """PREFIX mdq: <https://w3id.org/mdq/ontology#>
PREFIX graph: <https://w3id.org/mdq/graph/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
COUNTRIES = (
    PREFIXES + "SELECT ?c ?name WHERE { ?c a mdq:Country ; rdfs:label ?name } ORDER BY ?c ?name"
)


def run(*args: str) -> Any:
    """`mdq-graph ARGS`, checked to succeed."""
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result


def fails(*args: str) -> str:
    """`mdq-graph ARGS`, checked to fail with exit 2 and a message, not a traceback."""
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "mdq-graph: error:" in result.output
    return str(result.output)


def test_queries_lists_every_curated_query_by_name_then_title() -> None:
    lines = run("queries").output.splitlines()
    curated = curated_queries()
    assert len(lines) == len(curated) >= 14
    for line, query in zip(lines, curated, strict=True):
        name, title = line.split(None, 1)
        assert name == query.name
        assert title.startswith(query.title)
    assert "(needs the network: --allow-service)" in next(
        line for line in lines if "wikidata" in line
    )


def test_a_query_from_an_argument_a_file_or_a_name_gives_the_same_answer(tmp_path: Path) -> None:
    query = next(q for q in curated_queries() if q.name == "participants")
    copy = tmp_path / "participants.rq"
    copy.write_text(query.text, encoding="utf-8")
    answers = {
        run("query", query.text, "--format", "csv").output,
        run("query", "-f", str(copy), "--format", "csv").output,
        run("query", "--name", "participants", "--format", "csv").output,
    }
    assert len(answers) == 1


@pytest.mark.parametrize("name", sorted(set(RESULT_FORMATS) - {"table"}))
def test_every_w3c_result_format_holds_the_same_solutions(name: str) -> None:
    output = CliRunner().invoke(main, ["query", COUNTRIES, "--format", name]).stdout_bytes
    fmt = RESULT_FORMATS[name]
    if name == "csv":  # lossy by design (no term types): read as text
        header, *lines = list(csv.reader(io.StringIO(output.decode("utf-8"), newline="")))
        assert header == ["c", "name"]
        rows = [(f"<{iri}>", label) for iri, label in lines]
    else:
        assert fmt.oxigraph is not None
        parsed = ox.parse_query_results(output, format=fmt.oxigraph)
        assert isinstance(parsed, ox.QuerySolutions)
        rows = [(str(s["c"]), s["name"].value) for s in parsed]
    assert len(rows) == 26  # 13 countries, in English and in Japanese
    assert ("<https://w3id.org/mdq/id/country/jp>", "日本") in rows


def test_the_result_formats_have_their_media_types() -> None:
    assert RESULT_FORMATS["json"].media_type == "application/sparql-results+json"
    assert RESULT_FORMATS["xml"].media_type == "application/sparql-results+xml"
    assert RESULT_FORMATS["csv"].media_type == "text/csv"
    assert RESULT_FORMATS["tsv"].media_type == "text/tab-separated-values"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def test_the_table_aligns_columns_and_uses_prefixed_names() -> None:
    lines = run("query", "--name", "participants").output.splitlines()
    header, rule, *rows, count = lines
    assert header.split() == ["iso2", "iso3", "name_en", "name_ja", "represented_by", "wikidata"]
    assert set(rule) == {"-", " "}
    japan = next(r for r in rows if r.startswith("JP "))
    assert "日本" in japan and japan.endswith("wd:Q17")
    starts = [i for i, c in enumerate(rule) if c == "-" and (i == 0 or rule[i - 1] == " ")]
    for row in rows:  # each column starts where its rule starts, in display width
        for start in starts[1:]:
            prefix = next(p for p in (row[:k] for k in range(len(row) + 1)) if _width(p) >= start)
            assert _width(prefix) == start and row[len(prefix) - 1] == " ", row
    assert count == "(13 rows)"


def test_ask_in_every_format() -> None:
    ask = PREFIXES + "ASK { ?m a mdq:Meeting ; mdq:ordinal 7 }"
    assert run("query", ask).output == "true\n"
    assert json.loads(run("query", ask, "--format", "json").output) == {
        "head": {},
        "boolean": True,
    }
    xml = run("query", ask, "--format", "xml").stdout_bytes
    assert bool(ox.parse_query_results(xml, format=ox.QueryResultsFormat.XML)) is True


@pytest.mark.parametrize("name", ["turtle", "nt", "xml", "trig", "nq", "json-ld"])
def test_construct_in_every_rdf_format(name: str) -> None:
    construct = (
        PREFIXES + "CONSTRUCT { ?c rdfs:label ?name } WHERE { ?c a mdq:Country ; rdfs:label ?name }"
    )
    output = run("query", construct, "--format", name).output
    reference = Graph().parse(data=run("query", construct, "--format", "nt").output, format="nt")
    assert len(reference) == 26
    if name == "json-ld":
        from pyld import jsonld

        document = json.loads(output)
        output = jsonld.to_rdf(
            document, {"documentLoader": document_loader, "format": "application/n-quads"}
        )
        name = "nq"
    back = Dataset()
    back.parse(data=output, format=FORMATS[name].rdflib)
    union = Graph()
    for s, p, o, _ in back.quads((None, None, None, None)):
        union.add((s, p, o))
    assert isomorphic(union, reference)


def test_describe_gives_the_resource() -> None:
    output = run(
        "query", "DESCRIBE <https://w3id.org/mdq/id/meeting/mdq-7>", "--format", "nt"
    ).output
    graph = Graph().parse(data=output, format="nt")
    assert len(graph) > 30
    assert {str(s) for s in graph.subjects()} == {"https://w3id.org/mdq/id/meeting/mdq-7"}


def test_named_graphs_are_queryable_and_the_default_graph_is_their_union(dataset: Dataset) -> None:
    per_graph = PREFIXES + (
        "SELECT ?place WHERE { GRAPH graph:release-ja { ?m a mdq:Meeting ; mdq:heldIn ?place } }"
    )
    assert run("query", per_graph, "--format", "csv").output.split() == [
        "place",
        "https://w3id.org/mdq/id/place/tsukuba",
    ]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    rows = run("query", count, "--format", "csv").output.split()
    distinct = {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}
    assert rows == ["n", str(len(distinct))]  # a set: a triple in two graphs counts once


def test_output_goes_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "participants.srj"
    run("query", "--name", "participants", "--format", "json", "-o", str(out))
    assert len(json.loads(out.read_text(encoding="utf-8"))["results"]["bindings"]) == 13


def test_a_malformed_query_gives_exit_2_and_its_position(tmp_path: Path) -> None:
    message = fails("query", "SELECT ?x WHERE { ?x ?y }")
    assert "line 1, column 19: unexpected '?'" in message  # the triple that lacks its object
    assert "column 23: unexpected 'LIMT'" in fails("query", "SELECT * { ?s ?p ?o } LIMT 3")
    broken = tmp_path / "broken.rq"
    broken.write_text("# a comment\nSELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o = )\n}\n")
    assert f"{broken}:4:3: SPARQL syntax error: unexpected 'FILTER'" in fails(
        "query", "-f", str(broken)
    )


def test_an_undeclared_prefix_is_named_as_such() -> None:
    assert "does not declare" in fails("query", "SELECT * WHERE { ?s a foo:Bar }")


def test_one_query_must_be_given() -> None:
    assert "give one query" in fails("query")
    assert "got QUERY and --name" in fails("query", "ASK {}", "--name", "participants")


def test_an_unknown_name_lists_the_curated_ones() -> None:
    message = fails("query", "--name", "nope")
    assert "participants" in message and "schema-org-view" in message


def test_a_missing_query_file_is_an_input_error(tmp_path: Path) -> None:
    assert "missing.rq" in fails("query", "-f", str(tmp_path / "missing.rq"))


def test_formats_must_fit_the_query() -> None:
    assert "CONSTRUCT" in fails("query", "--name", "participants", "--format", "turtle")
    assert "SELECT and ASK" in fails("query", "--name", "schema-org-view", "--format", "csv")


def test_an_update_is_refused() -> None:
    fails("query", "INSERT DATA { <https://example.org/a> <https://example.org/b> 1 }")


def test_an_unreachable_service_is_an_error_not_a_traceback() -> None:
    # Port 9 (discard) is refused by the HTTP client itself: no packet leaves the machine.
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    assert "SERVICE" in fails("query", query, "--allow-service")


#: Federated queries, spelt as a query file may spell them (the escapes that hid one from a
#: second parser; a predefined prefix; lower case; SILENT; a CONSTRUCT).
FEDERATED = {
    "plain": "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "escaped-quotes": (
        'SELECT * WHERE {{ BIND("\\u0022" AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} '
        'BIND("\\u0022" AS ?y) }}'
    ),
    "lower-case-silent": "select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
    "construct": "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
}


@pytest.mark.parametrize("name", sorted(FEDERATED))
def test_a_federated_query_opens_nothing_unless_allowed(name: str, tmp_path: Path) -> None:
    with loopback_listener() as listener:
        query = tmp_path / "federated.rq"
        query.write_text(FEDERATED[name].format(url=listener.url), encoding="utf-8")
        assert "--allow-service" in fails("query", "-f", str(query))
        assert listener.connections == 0
        # Allowed, it is sent (the listener answers 404: an error, or nothing with SILENT).
        allowed = CliRunner().invoke(main, ["query", "-f", str(query), "--allow-service"])
        assert allowed.exit_code in (0, 2) and "Traceback" not in allowed.output
        assert listener.connections >= 1


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s WHERE { ?s a dcat:DataService }",
        'SELECT ?s WHERE { ?s rdfs:label "service"@en }',
        "SELECT ?service WHERE { ?service a schema:Service } # a SERVICE in a comment",
    ],
    ids=["a-prefixed-name", "a-literal", "a-variable-and-a-comment"],
)
def test_the_word_service_elsewhere_is_no_federated_query(query: str) -> None:
    assert "(0 rows)" in run("query", query).output


def test_data_replaces_the_bundled_graph_for_queries() -> None:
    one = str(TEST_DATA / "cli" / "one-meeting.ttl")
    output = run(
        "--data", one, "query", PREFIXES + "SELECT ?m WHERE { ?m a mdq:Meeting }", "--format", "csv"
    )
    assert output.output.split() == ["m", "https://example.org/meeting/1"]


def test_the_header_parser_reads_continued_fields() -> None:
    fields = parse_header("# title: A\n# description: one\n#   two\n# question: Q?\nSELECT * {}\n")
    assert fields == {"title": "A", "description": "one two", "question": "Q?"}
    assert (
        query_form("# c\nPREFIX a: <https://e.org/#>\nBASE <https://e.org/>\nconstruct {} {}")
        == "CONSTRUCT"
    )
