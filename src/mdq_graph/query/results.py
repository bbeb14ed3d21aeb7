"""Renders query results: the W3C SPARQL 1.1 result formats, a text table for people, RDF for graphs.

SELECT and ASK results are written by pyoxigraph's serialisers (JSON, XML, CSV, TSV, as the W3C
recommendations define them) or as an aligned table; CONSTRUCT and DESCRIBE results are graphs,
written by `mdq_graph.formats.rdf.write_rdf` like every export (sorted, stable blank-node labels).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import pyoxigraph as ox

from mdq_graph.errors import QueryError, UsageError
from mdq_graph.graph.namespaces import PREFIXES
from mdq_graph.graph.rdf_formats import FORMAT_NAMES, RdfFormat, get_format


@dataclass(frozen=True)
class ResultFormat:
    """A format for SELECT/ASK results: its CLI name, media type, file extension, and the
    pyoxigraph serialiser (None for our own text table)."""

    name: str
    media_type: str
    extension: str
    oxigraph: ox.QueryResultsFormat | None = None


#: The one table of result formats (the W3C ones and a table for people).
RESULT_FORMATS: dict[str, ResultFormat] = {
    f.name: f
    for f in (
        ResultFormat("table", "text/plain", ".txt"),
        ResultFormat("csv", "text/csv", ".csv", ox.QueryResultsFormat.CSV),
        ResultFormat("tsv", "text/tab-separated-values", ".tsv", ox.QueryResultsFormat.TSV),
        ResultFormat("json", "application/sparql-results+json", ".srj", ox.QueryResultsFormat.JSON),
        ResultFormat("xml", "application/sparql-results+xml", ".srx", ox.QueryResultsFormat.XML),
    )
}

#: Every name `query --format` accepts: result formats, and RDF formats for graph results.
QUERY_FORMAT_NAMES: tuple[str, ...] = tuple(sorted(set(RESULT_FORMATS) | set(FORMAT_NAMES)))

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def render(result: QueryResult, format_name: str | None = None) -> bytes:
    """A query result in the format called `format_name` (default: a table for SELECT/ASK,
    Turtle for CONSTRUCT/DESCRIBE); `UsageError` when the format does not fit the result."""
    with _evaluation_errors():
        if isinstance(result, ox.QueryTriples):
            return _render_graph(result, _graph_format(format_name))
        fmt = _result_format(format_name)
        if fmt.oxigraph is None:
            return render_table(result).encode("utf-8")
        return result.serialize(format=fmt.oxigraph) or b""


def render_table(
    result: ox.QuerySolutions | ox.QueryBoolean, prefixes: Mapping[str, str] | None = None
) -> str:
    """A SELECT result as a text table with aligned columns (East Asian wide characters count
    twice), IRIs as prefixed names where a prefix applies; an ASK result as `true` or `false`."""
    if isinstance(result, ox.QueryBoolean):
        return f"{str(bool(result)).lower()}\n"
    prefixes = prefixes if prefixes is not None else {p: str(ns) for p, ns in PREFIXES.items()}
    header = [variable.value for variable in result.variables]
    rows = [
        [_cell(solution[index], prefixes) for index in range(len(header))] for solution in result
    ]
    widths = [
        max([_width(value) for value in column], default=0)
        for column in zip(header, *rows, strict=True)
    ]
    lines = [_line(header, widths), _line(["-" * w for w in widths], widths)]
    lines += [_line(row, widths) for row in rows]
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(lines) + "\n"


def _render_graph(result: ox.QueryTriples, fmt: RdfFormat) -> bytes:
    """A CONSTRUCT/DESCRIBE result in an RDF format."""
    from mdq_graph.formats.rdf import write_rdf

    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in result]
    return write_rdf(quads, fmt)


def _result_format(name: str | None) -> ResultFormat:
    """The result format called `name` (default: table)."""
    name = (name or "table").lower()
    if name in RESULT_FORMATS:
        return RESULT_FORMATS[name]
    known = ", ".join(RESULT_FORMATS)
    raise UsageError(
        f"{name!r} is an RDF format, for CONSTRUCT and DESCRIBE queries; "
        f"SELECT and ASK results come as {known}"
    )


def _graph_format(name: str | None) -> RdfFormat:
    """The RDF format called `name` (default: Turtle); `xml` is RDF/XML here."""
    if name and name.lower() in RESULT_FORMATS and name.lower() != "xml":
        raise UsageError(
            f"{name!r} is a format for SELECT and ASK results; a CONSTRUCT or DESCRIBE query "
            "gives a graph: use turtle, json-ld, nt, nq, trig or xml"
        )
    return get_format(name or "turtle")


@contextmanager
def _evaluation_errors() -> Iterator[None]:
    """Results are computed while they are written: report failures then (a SERVICE that cannot
    be reached, a function given wrong arguments) as query errors, not tracebacks."""
    try:
        yield
    except OSError as err:
        raise QueryError(f"a remote SERVICE could not be queried: {err}") from None
    except (RuntimeError, ValueError) as err:
        raise QueryError(f"evaluation failed: {err}") from None


def _cell(term: object, prefixes: Mapping[str, str]) -> str:
    """One value for people: a prefixed name or <IRI>, a literal's text, a blank node, or nothing."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return _short_iri(term.value, prefixes)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value.replace("\r", "").replace("\n", " ⏎ ")
    return str(term)


def _short_iri(iri: str, prefixes: Mapping[str, str]) -> str:
    """`prefix:rest` with the longest namespace that `iri` starts with, else `<iri>`."""
    best = max(
        (
            (prefix, namespace)
            for prefix, namespace in prefixes.items()
            if iri.startswith(namespace)
        ),
        key=lambda item: len(item[1]),
        default=None,
    )
    if best is None or iri == best[1]:
        return f"<{iri}>"
    return f"{best[0]}:{iri[len(best[1]) :]}"


def _width(text: str) -> int:
    """How many columns `text` takes in a terminal (wide and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def _line(cells: list[str], widths: list[int]) -> str:
    """One row, each cell padded to its column's width, without trailing blanks."""
    return "  ".join(
        cell + " " * (width - _width(cell)) for cell, width in zip(cells, widths, strict=True)
    ).rstrip()
