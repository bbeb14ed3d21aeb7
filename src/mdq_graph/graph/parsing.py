"""Reads RDF files into a dataset, turning every parser's error into an `InputError` with file:line:col."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.sax import SAXParseException

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from mdq_graph.errors import InputError, UsageError
from mdq_graph.graph.namespaces import CONTEXT_IRI
from mdq_graph.graph.rdf_formats import format_for_path, readable_extensions

_NT_LINE = re.compile(r"line (\d+)", re.IGNORECASE)
#: rdflib's RDF/XML errors start with "<file IRI>:<line>:<column from 0>: ".
_XML_POSITION = re.compile(r"^\S*?:(\d+):(\d+): (.*)$", re.DOTALL)
#: What rdflib's N-Triples/N-Quads errors mean, said as what the parser expected.
_NT_EXPECTED = (
    ("Failed to eat [ \\t]*\\.", "expected ' .' to end the statement"),
    ("Failed to eat [ \\t]+", "expected a space between the terms"),
    ("Subject must be", "expected the subject: <IRI> or _:label"),
    ("Predicate must be", "expected the predicate: <IRI>"),
    ("Unrecognised object type", 'expected the object: <IRI>, _:label or "literal"'),
    ("Trailing garbage", "expected the end of the line after the statement"),
    ("Invalid line", 'expected a term: <IRI>, _:label or a "literal" closed on the same line'),
)
#: The rest of the line where rdflib's N-Triples parser stopped, as its messages quote it.
_NT_REST = re.compile(
    r"(?:Failed to eat .+? at (.*?)(?:\):\s*'.*)?|Invalid line: (.*)|Trailing garbage: (.*))$",
    re.DOTALL,
)
#: The JSON types a JSON-LD keyword's value may have (JSON-LD 1.1, section 9).
_JSONLD_KEYWORD_TYPES: dict[str, tuple[type, ...]] = {
    "@context": (dict, str, list, type(None)),
    "@id": (str,),
    "@type": (str, list),
    "@language": (str, type(None)),
    "@value": (str, int, float, bool, type(None), dict, list),
    "@graph": (dict, list),
    "@base": (str, type(None)),
    "@vocab": (str, type(None)),
}


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
    check_structure(path, fmt.name, text.encode("utf-8"))
    text = untrusted_text(path, fmt.name, text)
    # Parse into a scratch dataset first, so a file that fails half-way adds nothing.
    scratch = Dataset()
    try:
        if fmt.name == "json-ld":
            _check_jsonld_keywords(path, text)
        if fmt.quads or fmt.name == "json-ld":
            scratch.parse(data=text, format=fmt.rdflib, publicID=path.resolve().as_uri())
        else:
            scratch.default_graph.parse(
                data=text, format=fmt.rdflib, publicID=path.resolve().as_uri()
            )
    except InputError:
        raise
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
        if fmt.name in ("nt", "nq"):
            raise _line_error(path, text, fmt.rdflib) or InputError(
                path, _generic_message(err)
            ) from None
        position = _XML_POSITION.match(str(err)) if fmt.name == "xml" else None
        if position:
            line, column, message = int(position[1]), int(position[2]) + 1, position[3]
            raise InputError(path, f"not valid RDF/XML: {message}", line, column) from None
        raise InputError(path, _generic_message(err), _generic_line(err)) from None
    default_id = scratch.default_graph.identifier
    dataset.addN(
        (s, p, o, dataset.default_graph if g == default_id else dataset.graph(URIRef(str(g))))
        for s, p, o, g in _quads(scratch)
    )


#: Formats whose terms nest (lists, blank-node property lists), and how deep they may: rdflib's
#: parser recurses per level and fails near 150 (fewer on a deeper stack); Oxigraph's does not, but
#: what it accepts must be accepted by every command alike.
NESTING_FORMATS = frozenset({"turtle", "trig", "n3"})
MAX_RDF_NESTING = 100
MAX_PREFIXES = 1_000
_BRACKETS = re.compile(rb"[()\[\]]")
_BRACKET_TOKENS = re.compile(
    rb'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    rb'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*|[()\[\]]'
)


_PREFIX_TOKENS = re.compile(
    _BRACKET_TOKENS.pattern.rsplit(b"|", 1)[0] + rb"|(?<![\w:?$])@?[Pp][Rr][Ee][Ff][Ii][Xx]"
)


def check_structure(path: Path, format_name: str, data: bytes) -> None:
    """`InputError` if the file's lists and blank nodes nest deeper than `MAX_RDF_NESTING`, or it
    declares more than `MAX_PREFIXES` prefixes: the same verdict in every command, before any
    parser (a few hundred kilobytes of nested lists made the export allocate gigabytes; rdflib
    takes time quadratic in the prefixes, 46 s for 10,000)."""
    if format_name not in NESTING_FORMATS:
        return
    _check_prefixes(path, data)
    if data.count(b"(") + data.count(b"[") <= MAX_RDF_NESTING:
        return  # cannot nest deeper than it has brackets
    if _deepest(_BRACKETS.finditer(data))[0] <= MAX_RDF_NESTING:
        return  # an over-estimate (brackets in strings count too) within the limit
    deepest, offset = _deepest(_BRACKET_TOKENS.finditer(data))
    if deepest > MAX_RDF_NESTING:
        raise InputError(
            path,
            f"lists or blank nodes nest {MAX_RDF_NESTING + 1} or more levels deep here (the "
            f"limit is {MAX_RDF_NESTING}); write the structure flatter",
            data.count(b"\n", 0, offset) + 1,
        )


def _check_prefixes(path: Path, data: bytes) -> None:
    """`InputError` if the Turtle-family file declares more than `MAX_PREFIXES` prefixes."""
    if data.lower().count(b"prefix") <= MAX_PREFIXES:
        return
    declarations = (
        m for m in _PREFIX_TOKENS.finditer(data) if m.group().lower().endswith(b"prefix")
    )
    # Counted up to the limit only: a file of a million declarations is refused as fast as one
    # of a thousand and one.
    if sum(1 for _ in itertools.islice(declarations, MAX_PREFIXES + 1)) > MAX_PREFIXES:
        raise InputError(
            path,
            f"the file declares more than {MAX_PREFIXES} prefixes, the limit (write full IRIs, "
            "or split the file)",
        )


def _deepest(tokens: Iterator[re.Match[bytes]]) -> tuple[int, int]:
    """The deepest bracket nesting among `tokens` (others are skipped), and where it first
    passes the limit."""
    depth = deepest = 0
    where = 0
    for token in tokens:
        char = token.group()
        if char in (b"(", b"["):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest == MAX_RDF_NESTING + 1:
                    where = token.start()
        elif char in (b")", b"]"):
            depth -= 1
    return deepest, where


def untrusted_text(path: Path, format_name: str, text: str) -> str:
    """The text of an input file as it may be parsed: `InputError` if it could make a parser open
    a URL or a file, or expand without bound; JSON-LD with our own context put in its place.

    RDF/XML may declare DTD entities: each may expand to others (a few hundred bytes become
    gigabytes, "billion laughs") or name a file or URL (external entities), so no entity
    declaration is accepted. JSON-LD may name contexts (`@context`, `@import`) that rdflib would
    fetch from the web or read from disk; only our published context is accepted, and it is
    taken from the bundled copy."""
    if format_name == "xml" and _ENTITY_DECLARATION.search(text):
        line = text.count("\n", 0, _ENTITY_DECLARATION.search(text).start()) + 1  # type: ignore[union-attr]
        raise InputError(
            path,
            "the RDF/XML declares a DTD entity (<!ENTITY ...>); entities are not accepted, as "
            "they can expand without bound or read other files: write the text out instead",
            line,
        )
    if format_name != "json-ld":
        return text
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return text  # the parser reports where
    replaced: list[str] = []

    def inline(node: object, in_context: bool) -> object:
        if isinstance(node, list):
            return [inline(item, in_context) for item in node]
        if isinstance(node, dict):
            out = {k: inline(v, k in ("@context", "@import")) for k, v in node.items()}
            if isinstance(out.get("@import"), dict):  # JSON-LD 1.1: merged under the context
                out = {**out.pop("@import"), **out}  # type: ignore[dict-item]
            return out
        if not in_context or not isinstance(node, str):
            return node
        if node != CONTEXT_IRI:
            line, column = _first_position(text, json.dumps(node))
            raise InputError(
                path,
                f"the JSON-LD names the context {node!r}, which would be fetched from the web "
                f"or read from disk; only {CONTEXT_IRI} (bundled) is accepted: embed the "
                "context in the file",
                line,
                column,
            )
        replaced.append(node)
        return _bundled_context()

    inlined = inline(document, False)
    return json.dumps(inlined, ensure_ascii=False) if replaced else text


_ENTITY_DECLARATION = re.compile(r"<!ENTITY", re.IGNORECASE)


def _bundled_context() -> object:
    """The `@context` value of our published context, from the bundled file."""
    from mdq_graph.graph.resources import jsonld_context_file

    return json.loads(jsonld_context_file().read_text(encoding="utf-8"))["@context"]


def _first_position(text: str, needle: str) -> tuple[int | None, int | None]:
    """Line and column (from 1) of the first occurrence of `needle` in `text`."""
    offset = text.find(needle)
    if offset < 0:
        return None, None
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


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


def _line_error(path: Path, text: str, rdflib_format: str) -> InputError | None:
    """The first line of an N-Triples/N-Quads file that does not parse on its own, with the column
    where the parser stopped (where rdflib says) and what it expected there."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            Dataset().parse(data=line + "\n", format=rdflib_format)
        except Exception as err:
            message = " ".join(str(err).split())
            expected = next((e for key, e in _NT_EXPECTED if key in message), message)
            found = _NT_REST.search(str(err))
            rest = next((r for r in found.groups() if r is not None), None) if found else None
            column = None
            if rest is not None:
                column = len(line) + 1 if not rest.strip() else line.rfind(rest.strip()) + 1 or None
            return InputError(path, expected, number, column)
    return None


def _check_jsonld_keywords(path: Path, text: str) -> None:
    """Refuse a JSON-LD keyword whose value has the wrong JSON type, at the line of the keyword
    (rdflib would skip it silently or fail without saying where)."""
    seen: dict[str, int] = {}

    def walk(node: object) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                seen[key] = seen.get(key, 0) + 1
                allowed = _JSONLD_KEYWORD_TYPES.get(key)
                if allowed is not None and not isinstance(value, allowed):
                    line, column = _nth_key_position(text, key, seen[key])
                    raise InputError(
                        path,
                        f"not valid JSON-LD: the value of {key} cannot be {json.dumps(value)[:40]} "
                        f"(expected {' or '.join(_JSON_TYPE_NAMES[t] for t in allowed)})",
                        line,
                        column,
                    )
                walk(value)

    walk(json.loads(text))


_JSON_TYPE_NAMES = {
    dict: "an object", str: "a string", list: "an array", type(None): "null", int: "a number",
    float: "a number", bool: "true/false",
}  # fmt: skip


def _nth_key_position(text: str, key: str, nth: int) -> tuple[int | None, int | None]:
    """Line and column (from 1) of the `nth` occurrence of `"key":` in a JSON text."""
    matches = list(re.finditer(rf'"{re.escape(key)}"\s*:', text))
    if len(matches) < nth:
        return None, None
    offset = matches[nth - 1].start()
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1
