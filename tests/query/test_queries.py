"""The curated queries (competency questions) give their expected answers, through rdflib and through
`mdq-graph query --name` (pyoxigraph) alike, and the two engines agree term for term."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from rdflib.plugins.sparql import prepareQuery

from mdq_graph.cli import main
from mdq_graph.graph.engine import Engine
from mdq_graph.graph.loader import load_store
from mdq_graph.graph.resources import queries_dir
from mdq_graph.query.curated import CuratedQuery, curated_queries
from tests.conftest import TEST_DATA

EXPECTED = TEST_DATA / "queries"
QUERY_FILES = sorted(queries_dir().glob("*.rq"))
CURATED = curated_queries()
OFFLINE = [q for q in CURATED if not q.needs_network]
#: The expected answer of each form: W3C CSV for SELECT, W3C JSON for ASK, Turtle for graphs.
EXPECTED_SUFFIX = {"SELECT": ".csv", "ASK": ".srj", "CONSTRUCT": ".ttl", "DESCRIBE": ".ttl"}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def by_name(queries: list[CuratedQuery]) -> Any:
    """pytest parameters with the query names as ids."""
    return pytest.mark.parametrize("query", queries, ids=[q.name for q in queries])


def test_the_curated_queries_are_all_collected() -> None:
    assert len(QUERY_FILES) >= 14
    assert [q.path for q in CURATED] == QUERY_FILES
    forms = Counter(q.form for q in CURATED)
    assert forms["SELECT"] >= 12 and forms["ASK"] >= 1 and forms["CONSTRUCT"] >= 1
    assert [q.name for q in CURATED if q.needs_network] == ["wikidata-capitals"]


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_has_a_header_with_title_description_and_question(path: Path) -> None:
    header = path.read_text(encoding="utf-8")
    for field in ("title", "description", "question"):
        assert re.search(rf"^# {field}: \S", header, re.M), f"{path.name} lacks '# {field}:'"


@by_name(OFFLINE)
def test_query_has_an_expected_answer(query: CuratedQuery) -> None:
    expected = EXPECTED / f"{query.name}{EXPECTED_SUFFIX[query.form]}"
    assert expected.is_file(), f"no expected result {expected}"


def rdflib_rows(result: Any) -> tuple[list[str], list[list[str]]]:
    """The variables and rows of an rdflib SELECT result, as the W3C CSV format writes them."""
    header = [str(v) for v in result.vars or []]
    return header, [["" if v is None else str(v) for v in row] for row in result]


def expected_rows(query: CuratedQuery) -> tuple[list[str], list[list[str]]]:
    """The expected header and rows."""
    with (EXPECTED / f"{query.name}.csv").open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def same_rows(query: CuratedQuery, got: list[list[str]], rows: list[list[str]]) -> None:
    """Rows in order for an ORDER BY query, as a multiset otherwise."""
    if re.search(r"\bORDER\s+BY\b", query.text, re.I):
        assert got == rows
    else:
        assert sorted(got) == sorted(rows)


@by_name([q for q in OFFLINE if q.form == "SELECT"])
def test_select_gives_its_expected_answer_with_rdflib(
    query: CuratedQuery, dataset: Dataset
) -> None:
    header, got = rdflib_rows(dataset.query(query.text))
    expected_header, rows = expected_rows(query)
    assert header == expected_header
    same_rows(query, got, rows)


@by_name([q for q in OFFLINE if q.form == "SELECT"])
def test_select_gives_its_expected_answer_from_the_cli(query: CuratedQuery) -> None:
    result = CliRunner().invoke(main, ["query", "--name", query.name, "--format", "csv"])
    assert result.exit_code == 0, result.output
    header, *got = list(csv.reader(io.StringIO(result.output, newline="")))
    expected_header, rows = expected_rows(query)
    assert header == expected_header
    same_rows(query, got, rows)


@by_name([q for q in OFFLINE if q.form == "ASK"])
def test_ask_gives_its_expected_answer(query: CuratedQuery, dataset: Dataset) -> None:
    expected = json.loads((EXPECTED / f"{query.name}.srj").read_text(encoding="utf-8"))
    assert dataset.query(query.text).askAnswer is expected["boolean"]
    result = CliRunner().invoke(main, ["query", "--name", query.name, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["boolean"] is expected["boolean"]


@by_name([q for q in OFFLINE if q.form in ("CONSTRUCT", "DESCRIBE")])
def test_graph_query_gives_its_expected_graph(query: CuratedQuery, dataset: Dataset) -> None:
    expected = Graph().parse(EXPECTED / f"{query.name}.ttl", format="turtle")
    assert isomorphic(dataset.query(query.text).graph, expected)  # type: ignore[arg-type]
    result = CliRunner().invoke(main, ["query", "--name", query.name, "--format", "nt"])
    assert result.exit_code == 0, result.output
    assert isomorphic(Graph().parse(data=result.output, format="nt"), expected)


def test_the_schema_org_view_uses_schema_org_only(dataset: Dataset) -> None:
    result = CliRunner().invoke(main, ["query", "--name", "schema-org-view", "--format", "turtle"])
    assert result.exit_code == 0, result.output
    view = Graph().parse(data=result.output, format="turtle")
    schema, rdf_type = "https://schema.org/", RDF.type
    assert {p for p in view.predicates() if not str(p).startswith(schema)} == {rdf_type}
    assert all(str(c).startswith(schema) for c in view.objects(None, rdf_type))
    meeting = URIRef("https://w3id.org/mdq/id/meeting/mdq-7")
    assert (meeting, rdf_type, URIRef(schema + "Event")) in view
    attendees = set(view.objects(meeting, URIRef(schema + "attendee")))
    assert len(attendees) == 13
    assert all((a, rdf_type, URIRef(schema + "Country")) in view for a in attendees)
    assert set(view.subjects(URIRef(schema + "about"), meeting))  # the releases


def test_the_federated_query_parses_and_says_it_needs_the_network() -> None:
    (query,) = [q for q in CURATED if q.needs_network]
    assert "query.wikidata.org" in query.network
    prepareQuery(query.text)  # parsing only: the tests never reach the network
    assert re.search(r"^\s*SERVICE <https://query\.wikidata\.org/sparql>", query.text, re.M)


# --- rdflib and pyoxigraph agree ---------------------------------------------------------------


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The engine the CLI queries."""
    return Engine(load_store())


def rdflib_term(term: Any) -> tuple[str, ...]:
    """A comparable form of an rdflib term (blank nodes compare by kind only)."""
    if term is None:
        return ("unbound",)
    if isinstance(term, URIRef):
        return ("iri", str(term))
    if isinstance(term, BNode):
        return ("bnode",)
    assert isinstance(term, Literal)
    datatype = "" if term.language else str(term.datatype or XSD_STRING)
    return ("literal", str(term), datatype, (term.language or "").lower())


def oxigraph_term(term: Any) -> tuple[str, ...]:
    """The same comparable form of a pyoxigraph term."""
    if term is None:
        return ("unbound",)
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    datatype = "" if term.language else term.datatype.value
    return ("literal", term.value, datatype, (term.language or "").lower())


@by_name([q for q in OFFLINE if q.form == "SELECT"])
def test_pyoxigraph_and_rdflib_give_the_same_solutions(
    query: CuratedQuery, dataset: Dataset, engine: Engine
) -> None:
    theirs = dataset.query(query.text)
    ours = engine.query(query.text)
    assert isinstance(ours, ox.QuerySolutions)
    assert [v.value for v in ours.variables] == [str(v) for v in theirs.vars or []]
    width = len(ours.variables)
    mine = Counter(tuple(oxigraph_term(s[i]) for i in range(width)) for s in ours)
    other = Counter(tuple(rdflib_term(v) for v in row) for row in theirs)  # type: ignore[union-attr]
    assert mine == other
    # The provenance check answers nothing on data where every statement has its evidence
    # (test_statements_without_evidence_are_listed shows it answering).
    assert mine or query.name == "statements-without-a-quote", "a curated query should answer"


def test_statements_without_evidence_are_listed() -> None:
    fixture = TEST_DATA / "evidence" / "invalid" / "statement-without-evidence.trig"
    result = CliRunner().invoke(
        main,
        [
            "--data",
            str(fixture),
            "query",
            "--name",
            "statements-without-a-quote",
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[1:] == [
        [
            "https://w3id.org/mdq/graph/release-x",
            "https://w3id.org/mdq/id/meeting/x",
            "https://schema.org/startDate",
            "2025-09-10",
        ]
    ]
