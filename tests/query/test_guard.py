"""The read-only guard: query forms, updates, SERVICE found in the parsed query, nesting depth."""

from __future__ import annotations

import pytest

from mdq_graph.errors import QueryError
from mdq_graph.query.guard import MAX_NESTING, MAX_OPERATORS, check_query, query_form


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * WHERE {}", "SELECT"),
        ("  ask {}", "ASK"),
        (
            "# comment\nPREFIX ex: <http://example.org/#>\nBASE <http://x/>\nCONSTRUCT WHERE {}",
            "CONSTRUCT",
        ),
        ("PREFIX : <http://x/>DESCRIBE :a", "DESCRIBE"),
        ("PREFIX a.b-c: <http://x/> #x\n select * {}", "SELECT"),
        ("VERSION '1.2' SELECT * {}", "SELECT"),
        ("INSERT DATA {}", "INSERT"),
        ("PREFIX x: <http://x/> load <http://x>", "LOAD"),
        ("", None),
        ("PREFIX x <http://x/> SELECT", None),
        ("{ }", None),
    ],
)
def test_query_form(text: str, form: str | None) -> None:
    assert query_form(text) == form


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }",
        "SELECT * WHERE { service\tsilent ?x { } }",
        "SELECT * WHERE { GRAPH ?g { MINUS { SERVICE <http://x/> {} } } }",
        "SELECT (EXISTS { SERVICE <http://x/> {} } AS ?e) WHERE {}",
        "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://x/> { ?s ?p ?o } }",
        "ASK { SERVICE <http://x/> {} }",
        # rdflib decodes \\u escapes everywhere and reads these SERVICEs as inside a string;
        # Oxigraph (which runs the query) decodes them only inside strings and would call them.
        'SELECT * WHERE { BIND("\\u0022" AS ?x) SERVICE <http://x/> { } BIND("\\u0022" AS ?y) }',
        "SELECT * WHERE { BIND('\\u0027' AS ?x) SERVICE <http://x/> { } BIND('\\u0027' AS ?y) }",
        'ASK { BIND("\\U00000022" AS ?x) SERVICE <http://x/> { } BIND("\\U00000022" AS ?y) }',
        'CONSTRUCT { ?s ?p ?o } WHERE { BIND("\\u0022" AS ?x) SERVICE <http://x/> { } BIND("\\u0022" AS ?y) }',
        "SELECT * WHERE { SeRvIcE#comment\n<http://x/> {} }",
        "PREFIX service: <http://x/> SELECT * WHERE { SERVICE service:service {} }",
    ],
)
def test_service_is_refused(text: str) -> None:
    with pytest.raises(QueryError, match="SERVICE"):
        check_query(text)


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://x/> {}" }',
        "SELECT * WHERE { ?s ?p '''\nservice\n''' }",
        "SELECT * WHERE { ?s <http://example.org/service> ?o }",
        "PREFIX service: <http://x/> SELECT * WHERE { ?s service:service ?service }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> {}",
        "SELECT * WHERE { ?s ?p ?o }",
    ],
)
def test_service_elsewhere_is_allowed(text: str) -> None:
    assert check_query(text) == "SELECT"


@pytest.mark.parametrize(
    "keyword",
    [
        "INSERT DATA {}",
        "DELETE WHERE {}",
        "CLEAR ALL",
        "DROP ALL",
        "CREATE GRAPH <http://x/>",
        "COPY DEFAULT TO <http://x/>",
        "MOVE DEFAULT TO <http://x/>",
        "ADD DEFAULT TO <http://x/>",
        "WITH <http://x/> DELETE {} WHERE {}",
        "LOAD <http://x/>",
    ],
)
def test_updates_are_refused(keyword: str) -> None:
    with pytest.raises(QueryError, match="read-only"):
        check_query(keyword)


def test_a_query_that_does_not_parse_is_refused_with_the_engine_s_position() -> None:
    with pytest.raises(QueryError) as refused:
        check_query("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o }")
    assert refused.value.line == 1 and refused.value.column is not None


def test_deep_nesting_is_refused() -> None:
    check_query("SELECT * WHERE " + "{" * MAX_NESTING + "}" * MAX_NESTING)
    with pytest.raises(QueryError, match="levels deep"):
        check_query("SELECT * WHERE " + "{" * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1))


@pytest.mark.parametrize(
    "chain",
    [
        "!" * 9_400 + "true",
        "||".join(["true"] * 9_400),
        "+".join(["1"] * 7_000),
        "/".join(["1"] * 7_000),
        "&&".join(["true"] * 7_000),
    ],
    ids=["not", "or", "plus", "divide", "and"],
)
def test_operator_chains_the_engine_cannot_survive_are_refused(chain: str) -> None:
    # Each of these overflows Oxigraph's stack (bench/query_depth.py) without a deep bracket.
    with pytest.raises(QueryError, match="operators"):
        check_query(f"SELECT * WHERE {{ FILTER({chain}) }}")


def test_a_long_ordinary_query_is_allowed() -> None:
    patterns = " ".join(f"?s <http://example.org/p{i}> ?o{i} ." for i in range(MAX_OPERATORS // 4))
    assert check_query(f"SELECT * WHERE {{ {patterns} }}") == "SELECT"
