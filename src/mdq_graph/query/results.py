"""Renders query results: the W3C SPARQL 1.1 result formats, a text table for people, RDF for graphs.

SELECT and ASK results are written by pyoxigraph's serialisers (JSON, XML, CSV, TSV, as the W3C
recommendations define them) or as an aligned table; CONSTRUCT and DESCRIBE results are graphs,
written by `mdq_graph.formats.rdf.write_rdf` like every export (sorted, stable blank-node labels)
up to `GRAPH_SORTED_TRIPLES` triples, and past that by pyoxigraph's serialiser as they come.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

import pyoxigraph as ox

from mdq_graph.errors import QueryError, UsageError
from mdq_graph.graph.iris import PREFIX_IRIS
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


#: Rows the text table shows at most: a table is for reading, and its columns are aligned only
#: once every row is known. Longer results stop there, with a note; the other formats stream.
TABLE_ROWS = 10_000


#: Triples of a CONSTRUCT/DESCRIBE result written like an export (sorted, canonical blank-node
#: labels: the same graph, the same bytes). A larger result is written as it comes, in the order
#: the query gives it, by pyoxigraph's serialiser: its size is then not bounded by memory.
GRAPH_SORTED_TRIPLES = 100_000


@dataclass(frozen=True)
class Written:
    """What `write_result` wrote: the table's rows, and whether it stopped at `TABLE_ROWS`;
    whether a graph was written as it came (past `GRAPH_SORTED_TRIPLES`), not sorted."""

    rows: int | None = None
    truncated: bool = False
    streamed: bool = False


def write_result(
    result: QueryResult | Iterable[ox.Triple],
    format_name: str | None,
    out: IO[bytes],
    *,
    table_rows: int = TABLE_ROWS,
    sorted_triples: int = GRAPH_SORTED_TRIPLES,
) -> Written:
    """Write a query result to `out` as it is computed: the W3C result formats row by row
    (a result larger than memory streams through), a table of at most `table_rows` rows, a
    graph (CONSTRUCT/DESCRIBE, or any iterable of triples) sorted like an export up to
    `sorted_triples` triples and past that as it comes; `UsageError` when the format does not
    fit. A failure to write `out` is raised as the `OSError` it is, not as an evaluation error."""
    sink = _Sink(out)
    try:
        with _evaluation_errors():
            if not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
                graph_format = _graph_format(format_name)
                triples = iter(result)
                head = list(itertools.islice(triples, sorted_triples + 1))
                if len(head) <= sorted_triples:
                    sink.write(_render_graph(head, graph_format))
                    return Written()
                _stream_graph(itertools.chain(head, triples), graph_format, sink)
                return Written(streamed=True)
            fmt = _result_format(format_name)
            if fmt.oxigraph is None:
                table, rows, more = _table(result, limit=table_rows)
                sink.write(table.encode("utf-8"))
                return Written(rows, more)
            result.serialize(sink, format=fmt.oxigraph)  # type: ignore[arg-type]
            return Written()
    except QueryError:
        if sink.failed is not None:
            raise sink.failed from None
        raise


class _Sink:
    """The output, remembering a failure to write (a full disk) that pyoxigraph's serialiser
    would otherwise report as a failure of the query."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self.failed: OSError | None = None

    def write(self, data: bytes) -> int:
        try:
            return self._out.write(data)
        except OSError as err:
            self.failed = err
            raise

    def flush(self) -> None:
        self._out.flush()


def render_table(
    result: ox.QuerySolutions | ox.QueryBoolean, prefixes: Mapping[str, str] | None = None
) -> str:
    """A SELECT result as a text table with aligned columns (East Asian wide characters count
    twice), IRIs as prefixed names where a prefix applies; an ASK result as `true` or `false`."""
    return _table(result, prefixes)[0]


def _table(
    result: ox.QuerySolutions | ox.QueryBoolean,
    prefixes: Mapping[str, str] | None = None,
    limit: int | None = None,
) -> tuple[str, int, bool]:
    """The table of `render_table`, with at most `limit` rows; its rows and whether more came."""
    if isinstance(result, ox.QueryBoolean):
        return f"{str(bool(result)).lower()}\n", 0, False
    prefixes = prefixes if prefixes is not None else dict(PREFIX_IRIS)
    header = [variable.value for variable in result.variables]
    solutions = iter(result)
    taken = solutions if limit is None else itertools.islice(solutions, limit)
    rows = [
        [_cell(solution[index], prefixes) for index in range(len(header))] for solution in taken
    ]
    more = limit is not None and next(solutions, None) is not None
    widths = [
        max([_width(value) for value in column], default=0)
        for column in zip(header, *rows, strict=True)
    ]
    lines = [_line(header, widths), _line(["-" * w for w in widths], widths)]
    lines += [_line(row, widths) for row in rows]
    if more:
        lines.append(
            f"(the first {len(rows)} rows; the result has more: --format csv, tsv, json or xml "
            "writes them all)"
        )
    else:
        lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(lines) + "\n", len(rows), more


def _render_graph(result: Iterable[ox.Triple], fmt: RdfFormat) -> bytes:
    """A CONSTRUCT/DESCRIBE result in an RDF format."""
    from mdq_graph.formats.rdf import write_rdf

    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in result]
    return write_rdf(quads, fmt)


#: pyoxigraph's serialiser for each of our RDF formats, for graphs written as they come.
_OXIGRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "xml": ox.RdfFormat.RDF_XML,
    "json-ld": ox.RdfFormat.JSON_LD,
}


def _stream_graph(triples: Iterator[ox.Triple], fmt: RdfFormat, out: _Sink) -> None:
    """Write `triples` to `out` as they come (pyoxigraph's serialiser pulls them one by one),
    with our prefixes where the format has them (and no base: pyoxigraph would write the
    prefixes themselves relative to it); quad formats put them in the default graph."""
    items: Iterator[ox.Triple] | Iterator[ox.Quad] = (
        (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
        if fmt.quads
        else triples
    )
    ox.serialize(
        items,
        out,  # type: ignore[arg-type]
        format=_OXIGRAPH_FORMATS[fmt.name],
        prefixes=dict(PREFIX_IRIS),
    )


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
    """`iri` as a query reads it back (see `QUERY_BASE`): `prefix:local` with the longest
    namespace that fits and a plain local name, else `<relative>` under the base of our things
    (`<meeting/mdq-7>`, as the Turtle export writes it), else with escapes (`rdfs:x\\/y`), else
    `<iri>`."""
    best = max(
        (
            (prefix, namespace)
            for prefix, namespace in prefixes.items()
            if iri.startswith(namespace) and iri != namespace
        ),
        key=lambda item: len(item[1]),
        default=None,
    )
    local = None if best is None else _local_name(iri[len(best[1]) :])
    if best is not None and local is not None and "\\" not in local:
        return f"{best[0]}:{local}"
    if iri.startswith(QUERY_BASE) and len(iri) > len(QUERY_BASE) and _relative_ok(iri):
        return f"<{iri[len(QUERY_BASE) :]}>"
    if best is not None and local is not None:
        return f"{best[0]}:{local}"
    return f"<{iri}>"


#: The base IRI of queries from the command line: our things' namespace, so that `<meeting/mdq-7>`
#: (how the table and the Turtle export write them) means https://w3id.org/mdq/id/meeting/mdq-7.
QUERY_BASE = PREFIX_IRIS["id"]


def _relative_ok(iri: str) -> bool:
    """Whether the part after the base reads back as the same IRI (no scheme, no `..`, no `//`)."""
    rest = iri[len(QUERY_BASE) :]
    return not (
        ":" in rest.split("/", 1)[0]
        or rest.startswith(("/", "?", "#", "."))
        or "/." in rest
        or "//" in rest
    )


#: Characters a local name holds only escaped (SPARQL 1.1, PN_LOCAL_ESC).
_LOCAL_ESCAPES = frozenset("~!$&'()*+,;=/?#@%")


def _local_name(rest: str) -> str | None:
    """`rest` as the local part of a SPARQL prefixed name (PN_LOCAL), reserved characters
    escaped with a backslash; None if it cannot be one (a space, a bracket)."""
    out = []
    for index, char in enumerate(rest):
        if char in _LOCAL_ESCAPES or (char in "-." and index == 0):
            out.append("\\" + char)
        elif char == "." and index == len(rest) - 1:
            out.append("\\.")
        elif char.isalnum() or char in "_:-.\u00b7":
            out.append(char)
        else:
            return None
    return "".join(out)


def _width(text: str) -> int:
    """How many columns `text` takes in a terminal (wide and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def _line(cells: list[str], widths: list[int]) -> str:
    """One row, each cell padded to its column's width, without trailing blanks."""
    return "  ".join(
        cell + " " * (width - _width(cell)) for cell, width in zip(cells, widths, strict=True)
    ).rstrip()
