"""`mdq-graph push` to a real Virtuoso 7: its /sparql then answers every curated query as the
embedded engine does, and pushing again changes nothing.

Virtuoso's default graph is not our union, so each query names the dataset the protocol way: every
pushed graph as a `default-graph-uri` (their RDF merge is our union) and as a `named-graph-uri`
(for GRAPH patterns). Answers are compared as sets of rows, with the values normalised where the
two engines write the same term differently (numbers, plain versus xsd:string literals, and
xsd:duration, which Virtuoso returns as a number of seconds: "P4D" comes back as "345600.0").
"""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from mdq_graph.cli import main
from mdq_graph.graph.engine import Engine
from mdq_graph.graph.loader import build_store
from mdq_graph.graph.store import open_store
from mdq_graph.query.curated import CuratedQuery, curated_queries
from mdq_graph.synth import SYNTH_GRAPH, synthesize
from tests.support.virtuoso import VirtuosoServer, bypass_proxy_for_loopback, free_port

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short")}
#: An xsd:dayTimeDuration's lexical form (a duration with years or months has no seconds).
DAY_TIME = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?")
#: Every curated query that does not need the network is compared.
OFFLINE_QUERIES = [q for q in curated_queries() if not q.needs_network]
#: Virtuoso 7.2 splits a GROUP BY group whose key holds an unbound variable (here ?url, from an
#: OPTIONAL) into partial groups; for these queries, rows that agree on every other variable are
#: added up (query -> the COUNT variable) before comparing. Their totals must still agree.
VIRTUOSO_SPLIT_GROUPS = {"sources-and-graphs": "statements"}
#: Virtuoso 7.2 returns a boolean computed in a BIND as an integer (1 or 0): for these queries
#: (query -> variables), those integers are read back as the booleans they stand for.
VIRTUOSO_BOOLEANS_AS_NUMBERS = {"first-held-in-asia": ("in_asia", "first_known_in_asia")}

Row = frozenset[tuple[str, tuple[str, ...]]]
#: A SELECT answer (rows, counted), an ASK answer, or a CONSTRUCT/DESCRIBE graph (canonical triples).
Answer = Counter[Row] | bool | frozenset[tuple[Node, Node, Node]]


def normalised(term: dict[str, Any] | None) -> tuple[str, ...]:
    """A SPARQL JSON result term, written the same way whichever engine gave it."""
    if term is None:
        return ("unbound",)
    kind, value = term["type"], term["value"]
    if kind == "uri":
        return ("iri", value)
    if kind == "bnode":
        return ("bnode",)  # labels are the engine's own
    if "xml:lang" in term:
        return ("literal", value, "@" + term["xml:lang"].lower())
    datatype = term.get("datatype", XSD + "string")
    if datatype in NUMERIC:
        try:
            return ("number", format(Decimal(value).normalize(), "f"))
        except InvalidOperation:
            pass
    if datatype == XSD + "duration":
        return ("duration", day_time_seconds(value))
    return ("literal", value, "" if datatype == XSD + "string" else datatype)


def day_time_seconds(value: str) -> str:
    """A day-time duration as its seconds, whether written "P4D" (ISO 8601) or "345600.0" (seconds)."""
    try:
        return format(Decimal(value).normalize(), "f")
    except InvalidOperation:
        pass
    match = DAY_TIME.fullmatch(value)
    assert match, f"not a day-time duration: {value!r}"
    days, hours, minutes, seconds = (Decimal(part or 0) for part in match.groups())
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    return format(total.normalize(), "f")


def rows(document: dict[str, Any]) -> Counter[Row] | bool:
    """The answer of a SPARQL JSON result: a boolean, or the rows counted as a multiset."""
    if "boolean" in document:
        return bool(document["boolean"])
    variables = document["head"]["vars"]
    if variables == ["__ASK_RETVAL"]:  # Virtuoso answers ASK as a one-cell table
        return any(int(b["__ASK_RETVAL"]["value"]) for b in document["results"]["bindings"])
    return Counter(
        frozenset((var, normalised(binding.get(var))) for var in variables)
        for binding in document["results"]["bindings"]
    )


def triples(data: str | bytes, media_type: str) -> frozenset[tuple[Node, Node, Node]]:
    """A graph result as its triples, blank nodes labelled canonically (comparable as sets)."""
    graph = Graph().parse(data=data, format="nt" if "n-triples" in media_type else "turtle")
    return frozenset(to_canonical_graph(graph))


def embedded_answer(engine: Engine, query: CuratedQuery) -> Answer:
    """The answer of the embedded engine (what `mdq-graph query` runs)."""
    result = engine.query(query.text)
    if isinstance(result, ox.QueryTriples):
        return triples(ox.serialize(result, format=ox.RdfFormat.N_TRIPLES) or b"", "n-triples")
    return rows(json.loads(result.serialize(format=ox.QueryResultsFormat.JSON) or b"{}"))


def virtuoso_answer(server: VirtuosoServer, query: CuratedQuery, graphs: list[str]) -> Answer:
    """The answer of Virtuoso's /sparql, with the pushed graphs as the query's dataset."""
    graph_result = query.form in ("CONSTRUCT", "DESCRIBE")
    response = httpx.post(
        server.sparql_url,
        data={"query": query.text, "default-graph-uri": graphs, "named-graph-uri": graphs},
        headers={"Accept": "text/turtle" if graph_result else "application/sparql-results+json"},
        timeout=60,
        trust_env=False,
    )
    assert response.status_code == 200, f"{query.name}: {response.text[:500]}"
    if graph_result:
        return triples(response.text, response.headers["content-type"])
    return rows(response.json())


def as_sets(answer: Answer) -> object:
    """Rows as a set (Virtuoso may repeat a row the union would hold once)."""
    return set(answer) if isinstance(answer, Counter) else answer


def merge_split_groups(answer: Answer, count: str) -> Answer:
    """Add up the `count` of rows that agree on every other variable (see VIRTUOSO_SPLIT_GROUPS)."""
    assert isinstance(answer, Counter)
    totals: Counter[Row] = Counter()
    for row, times in answer.items():
        cells = dict(row)
        key = frozenset((var, value) for var, value in row if var != count)
        totals[key] += int(cells[count][1]) * times
    return Counter(key | {(count, ("number", str(total)))} for key, total in totals.items())


def numbers_as_booleans(answer: Answer, variables: tuple[str, ...]) -> Answer:
    """The cells of `variables` that are the numbers 1 and 0 as xsd:boolean true and false (see
    VIRTUOSO_BOOLEANS_AS_NUMBERS); any other value is left as it is, to fail the comparison."""
    assert isinstance(answer, Counter)
    booleans = {("number", "1"): "true", ("number", "0"): "false"}

    def cell(var: str, value: tuple[str, ...]) -> tuple[str, ...]:
        if var in variables and value in booleans:
            return ("literal", booleans[value], XSD + "boolean")
        return value

    return Counter(
        {frozenset((var, cell(var, value)) for var, value in row): n for row, n in answer.items()}
    )


@pytest.fixture(scope="module")
def embedded() -> Engine:
    """The engine `mdq-graph query` uses over the bundled data."""
    from mdq_graph.graph.loader import load_store

    return Engine(load_store())


def push(server: VirtuosoServer, runner: CliRunner) -> list[str]:
    """`mdq-graph push` the bundled graph to `server`; the IRIs of the graphs it pushed."""
    result = runner.invoke(
        main,
        ["push", "--endpoint", server.graph_store_url, "--user", server.user],
        env={"MDQ_PUSH_PASSWORD": server.password},
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-1].startswith(f"pushed {len(lines) - 1} graph(s)"), result.stdout
    return [line.split()[-1] for line in lines[:-1]]


def test_every_offline_curated_query_is_compared() -> None:
    assert len(OFFLINE_QUERIES) >= 12


#: Curated queries that list what is wrong: on the bundled data, nothing.
EMPTY_BY_DESIGN = frozenset({"statements-without-a-quote"})


@pytest.mark.slow
def test_virtuoso_answers_the_curated_queries_as_the_embedded_engine(
    virtuoso: VirtuosoServer, embedded: Engine, runner: CliRunner
) -> None:
    graphs = push(virtuoso, runner)
    local = {
        g.value: sum(1 for _ in embedded.store.quads_for_pattern(None, None, None, g))
        for g in embedded.store.named_graphs()
    }
    assert sorted(graphs) == sorted(local)
    assert {g: virtuoso.triple_count(g) for g in graphs} == local

    first = {q.name: virtuoso_answer(virtuoso, q, graphs) for q in OFFLINE_QUERIES}
    for query in OFFLINE_QUERIES:
        expected, got = embedded_answer(embedded, query), first[query.name]
        # A check query may rightly find nothing (statements-without-a-quote: every statement has
        # its evidence); Virtuoso must then find nothing too.
        assert expected or query.name in EMPTY_BY_DESIGN, f"{query.name} has no answer"
        if query.name in VIRTUOSO_SPLIT_GROUPS:
            got = merge_split_groups(got, VIRTUOSO_SPLIT_GROUPS[query.name])
        if query.name in VIRTUOSO_BOOLEANS_AS_NUMBERS:
            got = numbers_as_booleans(got, VIRTUOSO_BOOLEANS_AS_NUMBERS[query.name])
        assert as_sets(got) == as_sets(expected), query.name

    # A second push replaces every graph with itself: same triples, same answers.
    assert push(virtuoso, runner) == graphs
    assert {g: virtuoso.triple_count(g) for g in graphs} == local
    assert {q.name: virtuoso_answer(virtuoso, q, graphs) for q in OFFLINE_QUERIES} == first


# --- the push command ----------------------------------------------------------------------------


@pytest.mark.slow
def test_push_asks_for_the_password_when_only_the_user_is_given(
    virtuoso: VirtuosoServer, runner: CliRunner
) -> None:
    result = runner.invoke(
        main,
        ["push", "-e", virtuoso.graph_store_url, "-u", virtuoso.user, "-g", "vocabulary"],
        input=f"{virtuoso.password}\n",
        env={"MDQ_PUSH_PASSWORD": None},
    )
    assert result.exit_code == 0, result.output
    assert f"Password for {virtuoso.user}" in result.stderr
    assert result.stdout.splitlines()[-1].startswith("pushed 1 graph(s)")


@pytest.mark.slow
def test_push_with_refused_credentials_exits_2(virtuoso: VirtuosoServer, runner: CliRunner) -> None:
    result = runner.invoke(
        main,
        ["push", "-e", virtuoso.graph_store_url, "-u", virtuoso.user, "-g", "vocabulary"],
        env={"MDQ_PUSH_PASSWORD": "not-the-password"},
    )
    assert result.exit_code == 2, result.output
    assert "refused the credentials for user 'dba'" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_push_from_a_store_with_a_progress_bar(
    virtuoso: VirtuosoServer, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mdq_graph.cli

    monkeypatch.setattr(mdq_graph.cli, "_stderr_is_terminal", lambda: True)  # as on a terminal
    corpus = tmp_path / "corpus.nq"
    synthesize(corpus, 12, seed=5)  # about 2 MB of N-Triples: worth a progress bar
    build_store(tmp_path / "store", [corpus], inferred=False)
    result = runner.invoke(
        main,
        ["--store", str(tmp_path / "store"), "push", "-e", virtuoso.graph_store_url, "-u", "dba"],
        env={"MDQ_PUSH_PASSWORD": virtuoso.password},
    )
    assert result.exit_code == 0, result.output
    assert "Pushing graphs" in result.stderr
    stored = {g: virtuoso.triple_count(g) for g in (f"{SYNTH_GRAPH}reference", f"{SYNTH_GRAPH}vocabulary")}  # fmt: skip
    engine = open_store(tmp_path / "store")
    assert stored == {
        g: sum(1 for _ in engine.store.quads_for_pattern(None, None, None, ox.NamedNode(g)))
        for g in stored
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-e", "ftp://store.test/data"], "must be an http:// or https:// URL"),
        (["-e", "http://127.0.0.1:{port}/store", "--retries", "0"], "cannot reach the endpoint"),
        (["-e", "http://127.0.0.1:{port}/store", "-g", "nowhere"], "unknown graph 'nowhere'"),
    ],
    ids=["not-http", "unreachable", "unknown-graph"],
)
def test_push_errors_exit_2(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    bypass_proxy_for_loopback(monkeypatch)
    port = free_port()
    result = runner.invoke(main, ["push", *(a.format(port=port) for a in args)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
