"""Loads the knowledge graph straight into an Oxigraph store: the fast way to a query engine.

It holds what `Engine.from_dataset(load_dataset(paths))` holds (a test checks that) but lets
pyoxigraph parse the files, which is several times faster than rdflib's parsers. The inferred graph
still comes from `dataset.add_inferred`, run on an rdflib copy of the parsed quads, so that there
is one inference and one description of the graphs. A file pyoxigraph cannot read goes through
rdflib's loader instead: it either reads it or reports the error with file, line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from mdq_graph.dataset import (
    INFERRED_GRAPH,
    ONTOLOGY_GRAPH,
    add_inferred,
    describe_ontology_graph,
    new_dataset,
)
from mdq_graph.engine import fill_union_graph
from mdq_graph.errors import InputError
from mdq_graph.formats import format_for_path
from mdq_graph.parsing import parse_into, rdf_files
from mdq_graph.resources import data_dir, ontology_file

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def load_store(paths: Sequence[Path | str] | None = None, *, inferred: bool = True) -> ox.Store:
    """An in-memory store with the ontology, the data (bundled, or `paths` instead) and, unless
    `inferred=False`, the inferred graph; its default graph is the union of the named graphs."""
    quads = _ontology_quads()
    for path in rdf_files([Path(p) for p in paths] if paths else [data_dir()]):
        quads += _file_quads(path)
    store = ox.Store()
    store.extend(quads)
    if inferred:
        store.extend(_inferred_quads(quads))
    fill_union_graph(store)
    return store


def _ontology_quads() -> list[ox.Quad]:
    """The ontology in its named graph, with the statements that describe that graph."""
    path = ontology_file()
    graph = ox.NamedNode(str(ONTOLOGY_GRAPH))
    triples = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
    quads = [ox.Quad(q.subject, q.predicate, q.object, graph) for q in triples]
    description = new_dataset()
    describe_ontology_graph(description)
    return quads + _from_rdflib(description)


def _file_quads(path: Path) -> list[ox.Quad]:
    """The quads of one file (triples go to the default graph), parsed by pyoxigraph or else rdflib."""
    fmt = format_for_path(path)
    try:
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


def _inferred_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The inferred graph that `dataset.add_inferred` derives from `quads`."""
    dataset = new_dataset()
    converted: dict[object, Node] = {}  # terms recur: convert each once

    def term(value: object) -> Node:
        found = converted.get(value)
        if found is None:
            found = converted[value] = _rdflib_term(value)
        return found

    graphs: dict[object, Graph] = {}
    for quad in quads:
        name = quad.graph_name
        if name not in graphs:
            graphs[name] = (
                dataset.default_graph
                if isinstance(name, ox.DefaultGraph)
                else dataset.graph(term(name))  # type: ignore[arg-type]
            )
        graphs[name].add((term(quad.subject), term(quad.predicate), term(quad.object)))
    add_inferred(dataset)
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    return [
        ox.Quad(_ox_term(s), _ox_term(p), _ox_term(o), inferred)  # type: ignore[arg-type]
        for s, p, o in dataset.graph(INFERRED_GRAPH)
    ]


def _from_rdflib(dataset: Dataset) -> list[ox.Quad]:
    """The quads of an rdflib dataset as pyoxigraph quads (via N-Quads: one well-tested path)."""
    data = dataset.serialize(format="nquads", encoding="utf-8")
    return list(ox.parse(data, format=ox.RdfFormat.N_QUADS))


def _first_line(err: BaseException) -> str:
    """pyoxigraph's message, without the file name it appends."""
    message = str(getattr(err, "msg", None) or err).splitlines()[0]
    return re.sub(r" \([^()]*, line \d+\)$", "", message)


def _rdflib_term(term: object) -> Node:
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


def _ox_term(term: Node) -> OxTerm:
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
