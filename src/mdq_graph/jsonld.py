"""JSON-LD that people can read: compacted with our published context, or framed; never networked.

The context (ontology/context.jsonld, published as https://w3id.org/mdq/context.jsonld) gives our
terms and the standard ones the data uses short names, with their types (IRIs, dates) and language
maps for labels. Documents reference it by IRI, or embed the part of it that they use. Frames
(ontology/frames/NAME.jsonld) nest one resource with what an API consumer wants beside it.

pyld (imported only when a document is made, to keep the CLI's start-up lean) runs the JSON-LD
1.1 algorithms with a document loader that knows our context and refuses every other URL, so that
neither export nor tests ever touch the network.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from mdq_graph.errors import MdqError, UsageError
from mdq_graph.namespaces import CONTEXT_IRI
from mdq_graph.resources import frames_dir, jsonld_context_file

_XSD = "http://www.w3.org/2001/XMLSchema#"
#: JSON numbers that every consumer (JavaScript included) reads exactly.
_SAFE_INTEGER = 2**53 - 1


class RemoteDocumentRefused(UsageError):
    """A JSON-LD document named a URL other than our bundled context."""


@dataclass(frozen=True)
class JsonLdOptions:
    """How to write JSON-LD: reference or embed the context; frame with a named frame or not."""

    embed_context: bool = False
    frame: str | None = None


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


def to_jsonld(nquads: str, options: JsonLdOptions | None = None) -> dict[str, Any]:
    """The RDF in `nquads` (sorted, with stable blank-node labels) as compacted or framed JSON-LD."""
    from pyld import jsonld

    options = options or JsonLdOptions()
    settings: dict[str, Any] = {
        "documentLoader": document_loader,
        "processingMode": "json-ld-1.1",
    }
    with _jsonld_errors():
        expanded = jsonld.from_rdf(nquads, {"format": "application/n-quads"})
        _use_native_values(expanded)
        document: dict[str, Any]
        if options.frame:
            document = jsonld.frame(expanded, load_frame(options.frame), settings)
        else:
            document = jsonld.compact(expanded, CONTEXT_IRI, settings)
    if isinstance(document.get("@graph"), list):
        document["@graph"].sort(key=lambda node: str(node.get("@id", "")))
    if options.embed_context:
        document["@context"] = used_context(load_context()["@context"], document)
    return document


def dumps(document: dict[str, Any]) -> bytes:
    """A JSON-LD document as UTF-8 JSON: indented, keys sorted (keywords first), newline at the end."""
    return (json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def used_context(context: dict[str, Any], document: Any) -> dict[str, Any]:
    """The part of `context` that `document` uses: its terms and the prefixes they rely on.

    A term is kept when the document names it (as a key, a type or a value) or uses it as the
    prefix of a compact IRI; a prefix is also kept when a kept definition refers to it.
    """
    words = set(json_strings(document))
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


def json_strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


def _use_native_values(value: Any) -> None:
    """Turn xsd:integer and xsd:boolean values into JSON numbers and booleans, where that
    round-trips to the same literal (canonical lexical form; integers JavaScript reads exactly)."""
    if isinstance(value, list):
        for item in value:
            _use_native_values(item)
        return
    if not isinstance(value, dict):
        return
    if "@value" in value:
        datatype, lexical = value.get("@type"), value["@value"]
        if datatype == _XSD + "boolean" and lexical in ("true", "false"):
            value["@value"] = lexical == "true"
            del value["@type"]
        elif datatype == _XSD + "integer" and _is_canonical_integer(lexical):
            value["@value"] = int(lexical)
            del value["@type"]
        return
    for item in value.values():
        _use_native_values(item)


def _is_canonical_integer(lexical: Any) -> bool:
    """Whether `lexical` is an xsd:integer in canonical form that a JSON number keeps exactly."""
    if not isinstance(lexical, str):
        return False
    try:
        number = int(lexical)
    except ValueError:
        return False
    return str(number) == lexical and abs(number) <= _SAFE_INTEGER


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
