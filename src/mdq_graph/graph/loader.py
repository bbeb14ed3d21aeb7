"""Loads the knowledge graph straight into an in-memory Oxigraph store: the fast way to a query
engine or an export.

It holds what `Engine.from_dataset(load_dataset(paths))` holds (a test checks that) but lets
pyoxigraph parse the files, several times faster than rdflib's parsers, and infers inside the store:
the loading is `mdq_graph.graph.store.populate`, the same as `mdq-graph load` runs on disk. A file
pyoxigraph cannot read goes through rdflib's loader instead: it either reads it or reports the
error with file, line and column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.term import Node

from mdq_graph.errors import InputError
from mdq_graph.graph.dataset import new_dataset
from mdq_graph.graph.parsing import NESTING_FORMATS, check_structure, parse_into, rdf_files
from mdq_graph.graph.rdf_formats import format_for_path
from mdq_graph.graph.resources import data_dir
from mdq_graph.graph.store import populate

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def load_store(paths: Sequence[Path | str] | None = None, *, inferred: bool = True) -> ox.Store:
    """An in-memory store with the ontology, the data (bundled, or `paths` instead) and, unless
    `inferred=False`, the inferred graph; its default graph is the union of the named graphs."""
    store = ox.Store()
    files = list(rdf_files([Path(p) for p in paths] if paths else [data_dir()]))
    populate(store, files, inferred=inferred, in_memory=True)
    return store


def file_quads(path: Path) -> list[ox.Quad]:
    """The quads of one file (triples go to the default graph), parsed by pyoxigraph or else rdflib."""
    fmt = format_for_path(path)
    if fmt.name in NESTING_FORMATS:
        check_structure(path, fmt.name, path.read_bytes())
    try:
        if fmt.name in ("json-ld", "xml"):
            # Through `parse_into`, which refuses what could make the parser open a URL or a
            # file (remote contexts, DTD entities): pyoxigraph would expand entities.
            raise SyntaxError("read by rdflib")
        return list(
            ox.parse(
                path=str(path),
                format=ox.RdfFormat.from_media_type(fmt.media_type),
                base_iri=path.resolve().as_uri(),
            )
        )
    except (SyntaxError, ValueError, OSError) as err:
        # rdflib reads some files pyoxigraph does not, and reports a broken one the way every
        # other command does; what it reads must still be valid RDF (e.g. no space in an IRI).
        scratch = new_dataset()
        parse_into(scratch, path)
        try:
            return _from_rdflib(scratch)
        except Exception:  # rdflib refuses such terms with a bare Exception
            line = getattr(err, "lineno", None)
            raise InputError(path, f"not valid RDF: {_first_line(err)}", line) from None


def _from_rdflib(dataset: Dataset) -> list[ox.Quad]:
    """The quads of an rdflib dataset as pyoxigraph quads (via N-Quads: one well-tested path)."""
    data = dataset.serialize(format="nquads", encoding="utf-8")
    return list(ox.parse(data, format=ox.RdfFormat.N_QUADS))


def _first_line(err: BaseException) -> str:
    """pyoxigraph's message, without the file name it appends."""
    message = str(getattr(err, "msg", None) or err).splitlines()[0]
    return re.sub(r" \([^()]*, line \d+\)$", "", message)


def rdflib_term(term: object) -> Node:
    """A pyoxigraph term as an rdflib one; literals keep their lexical form."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise ValueError(f"cannot convert the term {term!r}")


def ox_term(term: Node) -> OxTerm:
    """An rdflib term as a pyoxigraph one."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        datatype = str(term.datatype) if term.datatype else _XSD_STRING
        if datatype == _RDF_LANG_STRING:  # cannot happen without a language; keep it a string
            datatype = _XSD_STRING
        return ox.Literal(str(term), datatype=ox.NamedNode(datatype))
    raise ValueError(f"cannot convert the term {term!r}")
