"""Reads RDF files into a dataset, turning every parser's error into an `InputError` with file:line:col."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.sax import SAXParseException

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from mdq_graph.errors import InputError, UsageError
from mdq_graph.formats import format_for_path, readable_extensions

_NT_LINE = re.compile(r"line (\d+)", re.IGNORECASE)


def rdf_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Every RDF file named by `paths`: files as given, folders searched recursively, sorted."""
    known = set(readable_extensions())
    for path in paths:
        if not path.exists():
            raise InputError(path, "no such file or folder")
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in known)
            if not found:
                raise UsageError(
                    f"{path}: the folder holds no RDF file "
                    f"(known extensions: {', '.join(sorted(known))})"
                )
            yield from found
        else:
            format_for_path(path)  # refuses unknown extensions with the list of known ones
            yield path


def parse_into(dataset: Dataset, path: Path) -> None:
    """Parse one file into `dataset`: quad formats keep their graphs, triples go to the default graph."""
    fmt = format_for_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise InputError(path, f"cannot read the file: {err.strerror}") from None
    # Parse into a scratch dataset first, so a file that fails half-way adds nothing.
    scratch = Dataset()
    try:
        if fmt.quads or fmt.name == "json-ld":
            scratch.parse(data=text, format=fmt.rdflib, publicID=path.resolve().as_uri())
        else:
            scratch.default_graph.parse(
                data=text, format=fmt.rdflib, publicID=path.resolve().as_uri()
            )
    except BadSyntax as err:
        line, column = _position(text, err)
        raise InputError(path, _why(err), line, column) from None
    except SAXParseException as err:
        raise InputError(
            path,
            f"not well-formed RDF/XML: {err.getMessage()}",
            err.getLineNumber(),
            (err.getColumnNumber() or 0) + 1,
        ) from None
    except json.JSONDecodeError as err:
        raise InputError(path, f"not valid JSON: {err.msg}", err.lineno, err.colno) from None
    except Exception as err:  # rdflib's parsers raise many unrelated types
        raise InputError(path, _generic_message(err), _generic_line(err)) from None
    default_id = scratch.default_graph.identifier
    dataset.addN(
        (s, p, o, dataset.default_graph if g == default_id else dataset.graph(URIRef(str(g))))
        for s, p, o, g in _quads(scratch)
    )


def _quads(dataset: Dataset) -> Iterator[tuple[Node, Node, Node, Node | None]]:
    """Every quad of `dataset` with its graph as an identifier."""
    for s, p, o, g in dataset.quads((None, None, None, None)):
        yield s, p, o, (g.identifier if isinstance(g, Graph) else g)


def _position(text: str, err: BadSyntax) -> tuple[int, int]:
    """Line and column (both from 1) of a Notation3-family syntax error."""
    buffer = getattr(err, "_str", None)
    offset = getattr(err, "_i", None)
    if not isinstance(buffer, bytes) or not isinstance(offset, int):
        return int(getattr(err, "lines", 0)) + 1, 1
    offset = min(offset, len(buffer))
    line_start = buffer.rfind(b"\n", 0, offset) + 1
    line = buffer.count(b"\n", 0, offset) + 1
    column = len(buffer[line_start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def _why(err: BadSyntax) -> str:
    """The parser's own explanation, without rdflib's echo of the surrounding text."""
    why = getattr(err, "_why", None) or str(err).splitlines()[0]
    return f"bad syntax: {why}"


def _generic_message(err: Exception) -> str:
    """A one-line message for a parser error of another kind."""
    message = " ".join(str(err).split()) or type(err).__name__
    return f"cannot parse: {message}"


def _generic_line(err: Exception) -> int | None:
    """The line number an N-Triples/N-Quads error mentions, if any."""
    match = _NT_LINE.search(str(err))
    return int(match.group(1)) if match else None
