"""The results writers: the four W3C formats, read back by Oxigraph, and their limits."""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest

from mdq_graph.web.writers import (
    SOLUTION_MEDIA_TYPES,
    write_boolean,
    write_solutions,
    write_triples,
)

EX = "http://example.org/"
TRICKY: list[ox.NamedNode | ox.BlankNode | ox.Literal] = [
    ox.NamedNode(EX + "a?b=c&d"),
    ox.BlankNode("b0"),
    ox.Literal('tab\t"quote", comma\nnew line <x> & é'),
    ox.Literal("日本", language="ja"),
    ox.Literal("7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ox.Literal(" spaced "),
    ox.Literal("\r\n\t"),
]


def store() -> ox.Store:
    s = ox.Store()
    for i, term in enumerate(TRICKY):
        s.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), term))
    return s


@pytest.mark.parametrize("media_type", SOLUTION_MEDIA_TYPES)
def test_solutions_read_back_as_what_oxigraph_writes(media_type: str) -> None:
    query = "SELECT ?s ?o ?unbound WHERE { ?s ?p ?o } ORDER BY ?s"
    fmt = ox.QueryResultsFormat.from_media_type(media_type)
    solutions = store().query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    variables = [v.value for v in solutions.variables]
    rows = [[sol[v] for v in variables] for sol in solutions]
    ours = write_solutions(variables, rows, media_type, max_rows=100, max_bytes=10**6)
    again = store().query(query)
    assert isinstance(again, ox.QuerySolutions)
    theirs = again.serialize(format=fmt)

    def read(data: bytes) -> list[list[str | None]]:
        if media_type == "text/csv":  # lossy, so Oxigraph does not read it: compare the fields
            return list(csv.reader(io.StringIO(data.decode(), newline="")))  # type: ignore[arg-type]
        parsed = ox.parse_query_results(data, format=fmt)
        return [[None if s[v] is None else str(s[v]) for v in variables] for s in parsed]  # type: ignore[union-attr]

    assert not ours.truncated and ours.count == len(TRICKY)
    assert read(ours.body) == read(theirs)  # type: ignore[arg-type]


def test_row_and_byte_limits_cut_and_say_so() -> None:
    rows = [[ox.Literal("x" * 100)] for _ in range(50)]
    by_rows = write_solutions(["v"], rows, SOLUTION_MEDIA_TYPES[0], max_rows=10, max_bytes=10**6)
    assert (by_rows.count, by_rows.truncated) == (10, True)
    by_bytes = write_solutions(["v"], rows, SOLUTION_MEDIA_TYPES[0], max_rows=100, max_bytes=1000)
    assert by_bytes.truncated and len(by_bytes.body) <= 1000 and by_bytes.count > 0
    parsed = ox.parse_query_results(by_bytes.body, format=ox.QueryResultsFormat.JSON)
    assert len(list(parsed)) == by_bytes.count  # type: ignore[arg-type]


def test_triples_are_cut_at_the_limits() -> None:
    triples = [t.triple for t in store()]
    written = write_triples(
        triples,
        lambda kept: ox.serialize(kept, format=ox.RdfFormat.N_TRIPLES) or b"",
        max_rows=3,
        max_bytes=10**6,
    )
    assert (written.count, written.truncated) == (3, True)
    assert len(written.body.splitlines()) == 3


@pytest.mark.parametrize("media_type", SOLUTION_MEDIA_TYPES)
def test_booleans(media_type: str) -> None:
    for value in (True, False):
        data = write_boolean(value, media_type)
        if media_type.startswith("application/"):
            parsed = ox.parse_query_results(
                data, format=ox.QueryResultsFormat.from_media_type(media_type)
            )
            assert bool(parsed) is value
        else:
            assert data.strip() == (b"true" if value else b"false")
