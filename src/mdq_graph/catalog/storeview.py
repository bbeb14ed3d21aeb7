"""An Oxigraph store read the way `catalog` reads an rdflib dataset: terms out as rdflib terms.

The catalog description (DCAT-AP and VoID) is computed from a handful of lookups and SPARQL
queries; `StoreView` answers them from a store whose default graph is the union of its named graphs
(as `mdq_graph.graph.store.populate` builds it), so that describing a million triples costs a few
queries inside Oxigraph instead of walking an rdflib `Dataset` in Python. The statistics are the
same numbers `void.void_stats` counts from the set of triples (a test checks both on the same data).
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Node

from mdq_graph.catalog.void import LINK_TARGETS, VoidStats
from mdq_graph.graph.loader import ox_term, rdflib_term
from mdq_graph.graph.namespaces import MDQ, RDF

Row = tuple[Node | None, ...]


class StoreView:
    """Read-only lookups on `store`'s default graph (the union), answered as rdflib terms."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        """The objects of (`subject`, `predicate`, ?)."""
        for quad in self._match(subject, predicate, None):
            yield rdflib_term(quad.object)

    def subjects(self, predicate: Node, value: Node) -> Iterator[Node]:
        """The subjects of (?, `predicate`, `value`)."""
        for quad in self._match(None, predicate, value):
            yield rdflib_term(quad.subject)

    def subject_objects(self, predicate: Node) -> Iterator[tuple[Node, Node]]:
        """The (subject, object) pairs of `predicate`."""
        for quad in self._match(None, predicate, None):
            yield rdflib_term(quad.subject), rdflib_term(quad.object)

    def _match(
        self, subject: Node | None, predicate: Node, value: Node | None
    ) -> Iterator[ox.Quad]:
        """The quads of the union that match; none where a literal is the subject or predicate."""
        s = None if subject is None else ox_term(subject)
        p = ox_term(predicate)
        o = None if value is None else ox_term(value)
        if isinstance(s, ox.Literal) or not isinstance(p, ox.NamedNode):
            return iter(())
        return iter(self.store.quads_for_pattern(s, p, o, ox.DefaultGraph()))

    def value(self, subject: Node, predicate: Node) -> Node | None:
        """One object of (`subject`, `predicate`, ?), if any (as rdflib's `Graph.value`)."""
        return next(self.objects(subject, predicate), None)

    def query(self, text: str) -> list[Row]:
        """The solutions of a SELECT query, unbound variables as None."""
        solutions = self.store.query(text)
        assert isinstance(solutions, ox.QuerySolutions)
        width = len(solutions.variables)
        return [
            tuple(None if (term := row[i]) is None else rdflib_term(term) for i in range(width))
            for row in solutions
        ]

    def graph_sizes(self, *, leave_out: tuple[URIRef, ...] = ()) -> dict[URIRef, int]:
        """The number of triples of each IRI-named graph (as `void.graph_sizes`)."""
        rows = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {
            name: int(str(n))
            for name, n in rows
            if isinstance(name, URIRef) and name not in leave_out
        }

    def void_stats(self, uri_space: str) -> VoidStats:
        """The VoID statistics of the union (as `void.void_stats` counts them from its triples)."""
        space = _string(uri_space)
        ((triples, subjects, objects),) = self.query(
            "SELECT (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?ds) (COUNT(DISTINCT ?o) AS ?do) "
            "WHERE { ?s ?p ?o }"
        )
        ((entities,),) = self.query(
            "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o "
            f"FILTER (isIRI(?s) && STRSTARTS(STR(?s), {space})) }}"
        )
        classes = self.query(
            f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{RDF.type}> ?c }} GROUP BY ?c"
        )
        properties = self.query("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")
        meetings = self.query(
            f"SELECT DISTINCT ?m WHERE {{ ?m <{RDF.type}> <{MDQ.Meeting}> FILTER isIRI(?m) }}"
        )
        # One scan for every target: the target an object's IRI starts with (their IRI spaces do
        # not overlap), else "" (measured at 10^6 triples: 0.7 s, where a scan per target took 2.2 s).
        target_of = '""'
        for target in reversed(LINK_TARGETS):
            prefix = _string(target.uri_space)
            target_of = f"IF(STRSTARTS(STR(?o), {prefix}), {_string(target.key)}, {target_of})"
        links: dict[tuple[str, Node], int] = {}
        for key, predicate, count in self.query(
            "SELECT ?target ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o "
            f"FILTER (?p != <{RDF.type}> && isIRI(?s) && STRSTARTS(STR(?s), {space}) && isIRI(?o)) "
            f'BIND ({target_of} AS ?target) FILTER (?target != "") }} GROUP BY ?target ?p'
        ):
            assert predicate is not None
            links[(str(key), predicate)] = int(str(count))
        return VoidStats(
            triples=int(str(triples)),
            entities=int(str(entities)),
            subjects=int(str(subjects)),
            objects=int(str(objects)),
            classes={c: int(str(n)) for c, n in classes if c is not None},
            properties={p: int(str(n)) for p, n in properties if p is not None},
            meetings=sorted(m for (m,) in meetings if isinstance(m, URIRef)),
            links=links,
        )


def _string(text: str) -> str:
    """A SPARQL string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
