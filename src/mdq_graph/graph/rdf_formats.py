"""The one table of RDF formats, used by export, query, catalog, server and site alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mdq_graph.errors import UsageError

#: The graphs an export or a page can choose besides a named graph: the union of them all, or the
#: default graph alone.
UNION = "union"
DEFAULT = "default"


@dataclass(frozen=True)
class RdfFormat:
    """An RDF serialisation: its CLI name, rdflib plugin name, file extension and media type."""

    name: str
    rdflib: str
    extension: str
    media_type: str
    quads: bool = False
    aliases: tuple[str, ...] = field(default=())


FORMATS: dict[str, RdfFormat] = {
    f.name: f
    for f in (
        RdfFormat("turtle", "turtle", ".ttl", "text/turtle", aliases=("ttl",)),
        RdfFormat("json-ld", "json-ld", ".jsonld", "application/ld+json", aliases=("jsonld",)),
        RdfFormat("nt", "nt", ".nt", "application/n-triples", aliases=("ntriples", "n-triples")),
        RdfFormat("nq", "nquads", ".nq", "application/n-quads", True, ("nquads", "n-quads")),
        RdfFormat("trig", "trig", ".trig", "application/trig", True),
        RdfFormat("xml", "xml", ".rdf", "application/rdf+xml", aliases=("rdfxml", "rdf/xml")),
    )
}

_BY_ALIAS = {alias: f for f in FORMATS.values() for alias in (f.name, *f.aliases)}

#: Extensions we read (more than we write: .owl and .xml are RDF/XML, .json is JSON-LD).
_READ_EXTENSIONS = {f.extension: f for f in FORMATS.values()} | {
    ".owl": FORMATS["xml"],
    ".xml": FORMATS["xml"],
    ".json": FORMATS["json-ld"],
    ".n3": FORMATS["turtle"],
}

FORMAT_NAMES: tuple[str, ...] = tuple(sorted(_BY_ALIAS))


def get_format(name: str) -> RdfFormat:
    """The format called `name` (or one of its aliases); `UsageError` lists the known ones."""
    try:
        return _BY_ALIAS[name.lower()]
    except KeyError:
        known = ", ".join(FORMATS)
        raise UsageError(f"unknown RDF format {name!r}; known formats: {known}") from None


def format_for_path(path: Path) -> RdfFormat:
    """The format a file is read as, from its extension; `UsageError` lists the known extensions."""
    try:
        return _READ_EXTENSIONS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(_READ_EXTENSIONS))
        raise UsageError(
            f"{path}: unknown RDF file extension {path.suffix or '(none)'!r}; known extensions: {known}"
        ) from None


def readable_extensions() -> tuple[str, ...]:
    """Every file extension that is read as RDF."""
    return tuple(sorted(_READ_EXTENSIONS))
