"""Writes SPARQL results and graphs within a row and a byte limit, marking what was cut off.

Oxigraph's own serialisers write every solution of an iterator; an endpoint that caps its answers
needs to stop after N rows or M bytes and still close the document, so the four SPARQL results
formats (JSON, XML, CSV, TSV; W3C Recommendations of 2013) are written here row by row. Graphs
(CONSTRUCT, DESCRIBE) are cut at N triples, then serialised by Oxigraph.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
SPARQL_CSV = "text/csv"
SPARQL_TSV = "text/tab-separated-values"
#: The media types of SPARQL results this module writes, in order of preference.
SOLUTION_MEDIA_TYPES: tuple[str, ...] = (SPARQL_JSON, SPARQL_XML, SPARQL_CSV, SPARQL_TSV)

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"
_PLAIN_DATATYPES = frozenset({XSD_STRING, RDF_LANG_STRING, RDF_DIR_LANG_STRING})
_XML_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class Cell(NamedTuple):
    """An RDF term as plain data (it crosses process boundaries): kind, value, language, datatype.

    `kind` is "uri", "bnode", "literal" or "triple" (whose value is the term in N-Triples).
    """

    kind: str
    value: str
    language: str | None = None
    datatype: str | None = None


@dataclass(frozen=True)
class Written:
    """A serialised result: its bytes, how many rows (or triples) it holds, and whether it was cut."""

    body: bytes
    count: int
    truncated: bool


@dataclass(frozen=True)
class Table:
    """Solutions as plain data, for an HTML page: variable names and rows of cells."""

    variables: tuple[str, ...]
    rows: tuple[tuple[Cell | None, ...], ...]
    truncated: bool


def cell(term: Term) -> Cell:
    """The `Cell` of an Oxigraph term."""
    if isinstance(term, ox.NamedNode):
        return Cell("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return Cell("bnode", term.value)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        return Cell(
            "literal",
            term.value,
            term.language,
            None if datatype in _PLAIN_DATATYPES else datatype,
        )
    return Cell("triple", str(term))


def write_solutions(
    variables: Sequence[str],
    rows: Iterable[Sequence[Term | None]],
    media_type: str,
    *,
    max_rows: int,
    max_bytes: int,
) -> Written:
    """SELECT results in `media_type` (one of SOLUTION_MEDIA_TYPES), cut at `max_rows` rows or
    before the body would exceed `max_bytes`."""
    writer = _WRITERS[media_type](list(variables))
    parts = [writer.header]
    size = len(writer.header) + len(writer.footer)
    count = 0
    truncated = False
    iterator = iter(rows)
    for row in iterator:
        chunk = writer.row(row, count)
        if count >= max_rows or size + len(chunk) > max_bytes:
            truncated = True
            break
        parts.append(chunk)
        size += len(chunk)
        count += 1
    parts.append(writer.footer)
    return Written(b"".join(parts), count, truncated)


def solutions_table(
    variables: Sequence[str], rows: Iterable[Sequence[Term | None]], *, max_rows: int
) -> Table:
    """SELECT results as a `Table`, cut at `max_rows` rows."""
    cells: list[tuple[Cell | None, ...]] = []
    truncated = False
    for row in rows:
        if len(cells) >= max_rows:
            truncated = True
            break
        cells.append(tuple(None if term is None else cell(term) for term in row))
    return Table(tuple(variables), tuple(cells), truncated)


def write_triples(
    triples: Iterable[ox.Triple],
    write: Callable[[list[ox.Triple]], bytes],
    *,
    max_rows: int,
    max_bytes: int,
) -> Written:
    """A graph written by `write`, cut at `max_rows` triples or before it outgrows `max_bytes`."""
    kept, truncated = _take_triples(triples, max_rows, max_bytes)
    while True:
        body = write(kept)
        if len(body) <= max_bytes or not kept:
            return Written(body, len(kept), truncated)
        # A verbose format (JSON-LD, RDF/XML) outgrew the N-Triples estimate: keep fewer triples.
        keep = max(0, min(len(kept) - 1, int(len(kept) * max_bytes / len(body) * 0.9)))
        kept, truncated = kept[:keep], True


def triples_table(triples: Iterable[ox.Triple], *, max_rows: int) -> Table:
    """A graph as a `Table` of subject, predicate and object, cut at `max_rows` triples."""
    kept, truncated = _take_triples(triples, max_rows, None)
    rows = tuple((cell(t.subject), cell(t.predicate), cell(t.object)) for t in kept)
    return Table(("subject", "predicate", "object"), rows, truncated)


def _take_triples(
    triples: Iterable[ox.Triple], max_rows: int, max_bytes: int | None
) -> tuple[list[ox.Triple], bool]:
    """The first triples up to the limits (bytes estimated as N-Triples), and whether some were left."""
    kept: list[ox.Triple] = []
    size = 0
    for triple in triples:
        line = len(str(triple)) + 3
        if len(kept) >= max_rows or (max_bytes is not None and size + line > max_bytes):
            return kept, True
        kept.append(triple)
        size += line
    return kept, False


# --- the four SPARQL results formats ------------------------------------------------------------


@dataclass(frozen=True)
class _Writer:
    """How one results format writes its header, each row (given its index) and its footer."""

    header: bytes
    row: Callable[[Sequence[Term | None], int], bytes]
    footer: bytes


def _json_writer(variables: list[str]) -> _Writer:
    head = json.dumps({"vars": variables}, ensure_ascii=False, separators=(",", ":"))

    def row(values: Sequence[Term | None], index: int) -> bytes:
        binding = {
            name: _json_term(term)
            for name, term in zip(variables, values, strict=True)
            if term is not None
        }
        text = json.dumps(binding, ensure_ascii=False, separators=(",", ":"))
        return (("," if index else "") + text).encode()

    return _Writer(f'{{"head":{head},"results":{{"bindings":['.encode(), row, b"]}}")


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    value = cell(term)
    out: dict[str, object] = {"type": value.kind, "value": value.value}
    if value.language:
        out["xml:lang"] = value.language
        direction = getattr(term, "direction", None)
        if direction is not None:
            out["its:dir"] = str(getattr(direction, "value", direction)).lower()
    elif value.datatype:
        out["datatype"] = value.datatype
    return out


def _xml_writer(variables: list[str]) -> _Writer:
    head = "".join(f"<variable name={quoteattr(name)}/>" for name in variables)
    header = (
        f'<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="{_XML_RESULTS_NS}">'
        f"<head>{head}</head><results>"
    )

    def row(values: Sequence[Term | None], index: int) -> bytes:
        bindings = "".join(
            f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>"
            for name, term in zip(variables, values, strict=True)
            if term is not None
        )
        return f"<result>{bindings}</result>".encode()

    return _Writer(header.encode(), row, b"</results></sparql>\n")


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    value = cell(term)
    if value.kind == "uri":
        return f"<uri>{escape(value.value)}</uri>"
    if value.kind == "bnode":
        return f"<bnode>{escape(value.value)}</bnode>"
    text = _xml_text(value.value)
    if value.language:
        return f"<literal xml:lang={quoteattr(value.language)}>{text}</literal>"
    if value.datatype:
        return f"<literal datatype={quoteattr(value.datatype)}>{text}</literal>"
    return f"<literal>{text}</literal>"


def _xml_text(text: str) -> str:
    """Text content that every XML reader gives back exactly: carriage returns (which XML
    normalises away) and leading or trailing white space (which some readers trim) as references."""
    body = text.strip()
    if not body:
        return "".join(f"&#{ord(c)};" for c in text)
    start = text.index(body[0])
    lead, tail = text[:start], text[start + len(body) :]
    escaped = escape(body).replace("\r", "&#13;")
    return "".join(f"&#{ord(c)};" for c in lead) + escaped + "".join(f"&#{ord(c)};" for c in tail)


def _csv_writer(variables: list[str]) -> _Writer:
    def line(fields: Sequence[str]) -> bytes:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(fields)
        return buffer.getvalue().encode()

    def row(values: Sequence[Term | None], index: int) -> bytes:
        return line([_csv_value(term) for term in values])

    return _Writer(line(variables), row, b"")


def _csv_value(term: Term | None) -> str:
    """CSV holds values only: IRIs and literals as their text, blank nodes as `_:label`."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def _tsv_writer(variables: list[str]) -> _Writer:
    def row(values: Sequence[Term | None], index: int) -> bytes:
        return ("\t".join("" if term is None else str(term) for term in values) + "\n").encode()

    return _Writer(("\t".join(f"?{name}" for name in variables) + "\n").encode(), row, b"")


_WRITERS: dict[str, Callable[[list[str]], _Writer]] = {
    SPARQL_JSON: _json_writer,
    SPARQL_XML: _xml_writer,
    SPARQL_CSV: _csv_writer,
    SPARQL_TSV: _tsv_writer,
}


def write_boolean(value: bool, media_type: str) -> bytes:
    """An ASK result in `media_type` (one of SOLUTION_MEDIA_TYPES)."""
    if media_type == SPARQL_JSON:
        return json.dumps({"head": {}, "boolean": value}).encode()
    if media_type == SPARQL_XML:
        return (
            f'<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="{_XML_RESULTS_NS}">'
            f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n"
        ).encode()
    if media_type in (SPARQL_CSV, SPARQL_TSV):
        return b"true\n" if value else b"false\n"
    raise ValueError(f"no SPARQL results format has the media type {media_type!r}")


def solution_rows(solutions: ox.QuerySolutions) -> Iterator[list[Term | None]]:
    """Each solution as a list of terms (None where unbound), in the order of the variables."""
    width = len(solutions.variables)
    for solution in solutions:
        yield [solution[i] for i in range(width)]
