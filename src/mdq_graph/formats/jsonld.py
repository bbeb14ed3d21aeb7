"""JSON-LD that people can read: compacted with our published context, or framed; never networked.

The context (ontology/context.jsonld, published as https://w3id.org/mdq/context.jsonld) gives our
terms and the standard ones the data uses short names, with their types (IRIs, dates) and language
maps for labels. Documents embed the part of it that they use, so that any JSON-LD processor reads
them offline; or, for a publisher who hosts the context, reference it by its URL. Frames
(ontology/frames/NAME.jsonld) nest one resource with what an API consumer wants beside it.

Compacted documents are written directly from the triples (`write_jsonld`, by
`compaction.Compactor`, in time linear in the triples): the same document pyld's `from_rdf` then
`compact` give, which the tests check on the bundled data, a synthetic corpus and fixtures of the
hard cases, some fifty times faster than pyld (which takes minutes at 10^6 triples; see
bench/jsonld.py). Frames (`--frame`), and what the direct writer refuses (contexts beyond prefixes
and simple terms, RDF lists: see `compaction`), are left to pyld, given the triples as terms (its
N-Quads parser is quadratic and misreads escapes).

pyld (imported only when it makes a document, to keep the CLI's start-up lean) runs the JSON-LD
1.1 algorithms with a document loader that knows our context and refuses every other URL, so that
neither export nor tests ever touch the network.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox

from mdq_graph.errors import MdqError, UsageError
from mdq_graph.formats.compaction import (
    RDF,
    Compactor,
    DirectWriterRefusal,
    TripleTerms,
    native_value,
    no_jsonld_form,
)
from mdq_graph.graph.namespaces import CONTEXT_IRI
from mdq_graph.graph.resources import frames_dir, jsonld_context_file


class RemoteDocumentRefused(UsageError):
    """A JSON-LD document named a URL other than our bundled context."""


@dataclass(frozen=True)
class JsonLdOptions:
    """How to write JSON-LD: embed the part of our context the document uses (the default: any
    processor reads it offline), or reference our context where `context_url` publishes it; frame
    with a named frame or not."""

    context_url: str | None = None
    frame: str | None = None

    def __post_init__(self) -> None:
        if self.context_url is not None:
            parts = urlsplit(self.context_url)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
                raise UsageError(
                    f"--context-url {self.context_url!r}: give the absolute http(s) URL where "
                    f"our context is published, e.g. {CONTEXT_IRI}"
                )


def load_context() -> dict[str, Any]:
    """The context document (`{"@context": {...}}`), from the bundled file."""
    return copy.deepcopy(_context_document())


@functools.cache
def _context_document() -> dict[str, Any]:
    """The parsed context file, read once."""
    document: dict[str, Any] = json.loads(jsonld_context_file().read_text(encoding="utf-8"))
    return document


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld's document loader: our context from the bundled file; any other URL is refused."""
    if url == CONTEXT_IRI:
        return {"contextUrl": None, "documentUrl": url, "document": load_context()}
    raise RemoteDocumentRefused(
        f"refusing to fetch {url}: JSON-LD processing here never uses the network, and the only "
        f"remote document it knows is our context {CONTEXT_IRI} (bundled)"
    )


def frame_names() -> list[str]:
    """The names of the bundled frames (`export --frame NAME`)."""
    return sorted(path.stem for path in frames_dir().glob("*.jsonld"))


def load_frame(name: str) -> dict[str, Any]:
    """The frame called `name`; `UsageError` lists the known ones."""
    path = frames_dir() / f"{name}.jsonld"
    if name not in frame_names():
        known = ", ".join(frame_names()) or "(none)"
        raise UsageError(f"no JSON-LD frame {name!r}; known frames: {known}")
    frame: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return frame


def to_jsonld(
    rdf: str | Sequence[TripleTerms], options: JsonLdOptions | None = None
) -> dict[str, Any]:
    """The RDF (sorted, with stable blank-node labels) as compacted or framed JSON-LD, by pyld.

    `rdf` is N-Quads text, which pyld parses, or triples, which it is given as terms: pyld's
    N-Quads parser mistakes escapes (`\\u0007` stays six characters; `\\\\n` becomes a line break).
    """
    from pyld import jsonld

    options = options or JsonLdOptions()
    settings: dict[str, Any] = {
        "documentLoader": document_loader,
        "processingMode": "json-ld-1.1",
    }
    with _jsonld_errors():
        if isinstance(rdf, str):
            expanded = jsonld.from_rdf(rdf, {"format": "application/n-quads"})
        else:
            expanded = jsonld.from_rdf(_pyld_dataset(rdf), {})
        _use_native_values(expanded, compactor().keeps_typed)
        document: dict[str, Any]
        if options.frame:
            document = jsonld.frame(expanded, load_frame(options.frame), settings)
        else:
            document = jsonld.compact(expanded, CONTEXT_IRI, settings)
    return _finish(document, options)


def write_jsonld(
    triples: Sequence[TripleTerms], options: JsonLdOptions | None = None
) -> dict[str, Any]:
    """`triples` (sorted, with stable blank-node labels) as compacted JSON-LD, written directly;
    framed, or where the direct writer refuses (see the module docstring), by pyld."""
    options = options or JsonLdOptions()
    if not options.frame:
        try:
            return write_compacted(triples, options)
        except DirectWriterRefusal:
            pass  # pyld writes what the direct writer does not express, below
    return to_jsonld(triples, options)


def write_compacted(
    triples: Iterable[TripleTerms], options: JsonLdOptions | None = None
) -> dict[str, Any]:
    """`triples` as compacted JSON-LD by the direct writer alone (no frame); it raises
    `DirectWriterRefusal` where it does not express the data."""
    return _finish(compactor().compact(triples), options or JsonLdOptions())


def _pyld_dataset(triples: Iterable[TripleTerms]) -> dict[str, list[dict[str, Any]]]:
    """`triples` as the RDF dataset pyld's `from_rdf` reads (what its N-Quads parser makes)."""
    return {"@default": [_pyld_triple(triple) for triple in triples]}


def _pyld_triple(triple: TripleTerms) -> dict[str, Any]:
    """One triple as pyld represents it."""
    subject, predicate, value = triple
    return {
        "subject": _pyld_term(subject),
        "predicate": _pyld_term(predicate),
        "object": _pyld_term(value),
    }


def _pyld_term(term: object) -> dict[str, str]:
    """An IRI, blank node or literal as pyld represents it; `UsageError` for what JSON-LD 1.1
    (as pyld implements it) has no form for."""
    if isinstance(term, ox.NamedNode):
        return {"type": "IRI", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "blank node", "value": "_:" + term.value}
    if isinstance(term, ox.Literal) and term.direction is None:
        if term.language:
            return {
                "type": "literal",
                "value": term.value,
                "datatype": RDF + "langString",
                "language": term.language,
            }
        return {"type": "literal", "value": term.value, "datatype": term.datatype.value}
    raise no_jsonld_form(term)


def _finish(document: dict[str, Any], options: JsonLdOptions) -> dict[str, Any]:
    """The nodes in order of `@id`; the context embedded (the part used), or referenced."""
    if isinstance(document.get("@graph"), list):
        document["@graph"].sort(key=lambda node: str(node.get("@id", "")))
    if options.context_url is None:
        document["@context"] = used_context(load_context()["@context"], document)
    else:
        document["@context"] = options.context_url
    return document


def dumps(document: dict[str, Any]) -> bytes:
    """A JSON-LD document as UTF-8 JSON: indented, keys sorted (keywords first), newline at the end.

    Written by orjson, byte for byte what `json.dumps(indent=2, ensure_ascii=False,
    sort_keys=True)` writes: the standard library indents in Python only (10^6 triples: 0.5 s
    against 9 s). A number beyond 64 bits, which orjson refuses, goes the standard library's way."""
    import orjson

    try:
        options = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
        return orjson.dumps(document, option=options)
    except orjson.JSONEncodeError:
        return (json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def used_context(context: dict[str, Any], document: Any) -> dict[str, Any]:
    """The part of `context` that `document` uses: its terms and the prefixes they rely on.

    A term is kept when the document names it (as a key, a type or a value) or uses it as the
    prefix of a compact IRI; a prefix is also kept when a kept definition refers to it.
    """
    words = json_strings(document)
    prefixes = {word.split(":", 1)[0] for word in words if ":" in word}
    kept = {name for name in context if name in words or name in prefixes}
    pending = list(kept)
    while pending:  # definitions refer to prefixes (e.g. "schema:startDate", "xsd:date")
        definition = context[pending.pop()]
        for value in json_strings(definition):
            prefix = value.split(":", 1)[0] if ":" in value else None
            if prefix in context and prefix not in kept:
                kept.add(prefix)
                pending.append(prefix)
    return {name: value for name, value in context.items() if name in kept or name.startswith("@")}


def json_strings(value: Any) -> set[str]:
    """Every string in a JSON value, keys included (walked with a stack, not by recursion: at
    10^6 triples, 1.3 s against 5 s for nested generators)."""
    found: set[str] = set()
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            found.add(item)
        elif isinstance(item, dict):
            found.update(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return found


def _use_native_values(
    value: Any, keeps_typed: Callable[[str], bool] = lambda predicate: False, predicate: str = ""
) -> None:
    """Turn xsd:integer and xsd:boolean values into JSON numbers and booleans, where that
    round-trips to the same literal (see `compaction.native_value`) and `keeps_typed(predicate)`
    does not say the value would land in a language map (`Compactor.keeps_typed`)."""
    if isinstance(value, list):
        for item in value:
            _use_native_values(item, keeps_typed, predicate)
        return
    if not isinstance(value, dict):
        return
    if "@value" in value:
        datatype, lexical = value.get("@type"), value["@value"]
        native = native_value(lexical, datatype) if isinstance(lexical, str) and datatype else None
        if native is not None and not keeps_typed(predicate):
            value["@value"] = native
            del value["@type"]
        return
    for key, item in value.items():
        _use_native_values(item, keeps_typed, predicate if key.startswith("@") else key)


@contextmanager
def _jsonld_errors() -> Iterator[None]:
    """Turn pyld's errors into ours: a refused URL stays itself, anything else says JSON-LD."""
    from pyld.jsonld import JsonLdError

    try:
        yield
    except JsonLdError as error:
        cause = _find_cause(error)
        if cause is not None:
            raise cause from None
        raise UsageError(f"JSON-LD processing failed: {_one_line(error)}") from None


def _find_cause(error: BaseException) -> MdqError | None:
    """Our own error somewhere in the chain of causes pyld wraps it in."""
    seen: set[int] = set()
    current: Any = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, MdqError):
            return current
        current = getattr(current, "cause", None) or current.__cause__ or current.__context__
    return None


def _one_line(error: BaseException) -> str:
    """pyld's message without its multi-line details."""
    return str(getattr(error, "message", None) or error).splitlines()[0]


@functools.cache
def compactor() -> Compactor:
    """The direct writer for our context; `DirectWriterRefusal` if the context is beyond it."""
    return Compactor(_context_document()["@context"], CONTEXT_IRI)
