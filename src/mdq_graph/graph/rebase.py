"""Moves every IRI under the project's base to another base, so a local server's links work."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from mdq_graph.errors import UsageError
from mdq_graph.graph.dataset import new_dataset
from mdq_graph.graph.namespaces import BASE


def check_base(base: str) -> str:
    """`base` if it is an absolute http(s) IRI ending in '/'; `UsageError` says what is wrong."""
    if not base.startswith(("http://", "https://")):
        raise UsageError(f"--base-uri {base!r} must be an absolute http:// or https:// IRI")
    if not base.endswith("/"):
        raise UsageError(f"--base-uri {base!r} must end with '/' (e.g. {base}/)")
    return base


def rebase_iri(iri: str, base: str, old: str = BASE) -> str:
    """`iri` moved from the `old` base to `base` (unchanged when it is not under `old`)."""
    return base + iri[len(old) :] if iri.startswith(old) else iri


def rebase_quads(quads: list[ox.Quad], base: str, old: str = BASE) -> list[ox.Quad]:
    """`quads` with every IRI under `old` (subjects, predicates, objects, graph names) moved to
    `base`, as `rebase_dataset` moves them; the same list when the bases are equal."""
    if base == old:
        return quads
    moved: dict[ox.NamedNode, ox.NamedNode] = {}

    def move(term: ox.NamedNode) -> ox.NamedNode:
        found = moved.get(term)
        if found is None:
            value = term.value
            found = ox.NamedNode(base + value[len(old) :]) if value.startswith(old) else term
            moved[term] = found
        return found

    out = []
    for quad in quads:
        s, p, o, g = quad.subject, quad.predicate, quad.object, quad.graph_name
        out.append(
            ox.Quad(
                move(s) if type(s) is ox.NamedNode else s,
                move(p),
                move(o) if type(o) is ox.NamedNode else o,
                move(g) if type(g) is ox.NamedNode else g,
            )
        )
    return out


def rebase_dataset(dataset: Dataset, base: str, old: str = BASE) -> Dataset:
    """A copy of `dataset` with every IRI under `old` (subjects, predicates, objects, graph names)
    moved to `base`; the same dataset when the bases are equal."""
    check_base(base)
    if base == old:
        return dataset

    def move(node: Node) -> Node:
        if isinstance(node, URIRef) and str(node).startswith(old):
            return URIRef(base + str(node)[len(old) :])
        return node

    out = new_dataset()
    out.bind("id", base + "id/", override=True, replace=True)
    out.bind("graph", base + "graph/", override=True, replace=True)
    out.bind("mdq", base + "ontology#", override=True, replace=True)
    out.addN(
        (move(s), move(p), move(o), out.graph(move(g)))  # type: ignore[arg-type]
        for s, p, o, g in _quads(dataset)
    )
    return out


def rebase_graph(graph: Graph, base: str, old: str = BASE) -> Graph:
    """A copy of `graph` (its name too) with every IRI under `old` moved to `base`, including
    IRIs written as plain literals (e.g. void:uriSpace); the same graph when the bases are equal."""
    check_base(base)
    if base == old:
        return graph

    def move(node: Node) -> Node:
        if isinstance(node, URIRef):
            return URIRef(rebase_iri(str(node), base, old))
        if isinstance(node, Literal) and node.language is None and str(node).startswith(old):
            return Literal(rebase_iri(str(node), base, old), datatype=node.datatype)
        return node

    out = Graph(identifier=URIRef(rebase_iri(str(graph.identifier), base, old)))
    for s, p, o in graph:
        out.add((move(s), move(p), move(o)))
    return out


def _quads(dataset: Dataset) -> list[tuple[Node, Node, Node, Node]]:
    """Every quad, with the graph as its identifier."""
    out = []
    for s, p, o, g in dataset.quads((None, None, None, None)):
        ident = getattr(g, "identifier", g)
        out.append((s, p, o, ident if ident is not None else dataset.default_graph.identifier))
    return out
