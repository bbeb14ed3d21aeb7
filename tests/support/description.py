"""The dataset's description (pyoxigraph quads) as an rdflib graph: the one conversion, at the
tests' edge, for pySHACL and for rdflib's lookups and isomorphism used as oracles."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph


def as_graph(description: ox.Dataset) -> Graph:
    """The triples of `description` as an rdflib graph (through N-Triples)."""
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in description]
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return Graph().parse(data=data, format="nt")
