"""The evidence as RDF 1.2: each statement node becomes a reifier of a triple term.

The graph keeps its statement nodes in RDF 1.1 reification (`rdf:Statement` with `rdf:subject`,
`rdf:predicate`, `rdf:object`), which every RDF 1.1 tool reads (docs/evidence.md). RDF 1.2 says the
same with `rdf:reifies` and a triple term, which Turtle 1.2 writes as an annotation
(`s p o ~ <statement> {| mdq:evidence <quote> |}`) and N-Triples 1.2 as
`<statement> rdf:reifies <<( s p o )>>`. pyoxigraph writes both; this module rewrites the nodes.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from mdq_graph.graph.namespaces import PREFIXES

_RDF = str(PREFIXES["rdf"])
_TYPE = ox.NamedNode(_RDF + "type")
_STATEMENT = ox.NamedNode(_RDF + "Statement")
_PARTS = {_RDF + "subject", _RDF + "predicate", _RDF + "object"}
REIFIES = ox.NamedNode(_RDF + "reifies")


def as_rdf12(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """`quads` with every complete statement node (one subject, predicate and object) written as
    an RDF 1.2 reifier of its triple term, in the same graph; everything else as it is."""
    quads = list(quads)
    parts: dict[tuple[object, object], dict[str, list[ox.Quad]]] = {}
    for quad in quads:
        if quad.predicate.value in _PARTS or (
            quad.predicate == _TYPE and quad.object == _STATEMENT
        ):
            key = (quad.graph_name, quad.subject)
            parts.setdefault(key, {}).setdefault(quad.predicate.value, []).append(quad)
    replaced: set[tuple[object, object]] = set()
    out: list[ox.Quad] = []
    for (graph, node), found in parts.items():
        s, p, o = (found.get(_RDF + n, []) for n in ("subject", "predicate", "object"))
        if len(s) != 1 or len(p) != 1 or len(o) != 1:
            continue  # not one triple: left as it is
        subject, predicate = s[0].object, p[0].object
        if not isinstance(subject, ox.NamedNode | ox.BlankNode) or not isinstance(
            predicate, ox.NamedNode
        ):
            continue
        triple = ox.Triple(subject, predicate, o[0].object)
        out.append(ox.Quad(node, REIFIES, triple, graph))  # type: ignore[arg-type]
        replaced.add((graph, node))
    for quad in quads:
        key = (quad.graph_name, quad.subject)
        is_part = quad.predicate.value in _PARTS or (
            quad.predicate == _TYPE and quad.object == _STATEMENT
        )
        if not (is_part and key in replaced):
            out.append(quad)
    return out


def source_quads(store: ox.Store) -> list[ox.Quad]:
    """The quads of the store's named graphs of sources: not the ontology, not the inferred view,
    not the default graph (the union of the others)."""
    skip = {str(PREFIXES["graph"]) + "ontology", str(PREFIXES["graph"]) + "inferred"}
    return [
        q
        for q in store.quads_for_pattern(None, None, None, None)
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value not in skip
    ]


def serialize_rdf12(quads: Iterable[ox.Quad], fmt: str) -> bytes:
    """The evidence as RDF 1.2: `fmt` "turtle" (Turtle 1.2, the union of the graphs) or "nt"
    (N-Triples 1.2), sorted so that the same graph gives the same bytes."""
    triples = sorted(
        {ox.Triple(q.subject, q.predicate, q.object) for q in as_rdf12(quads)}, key=str
    )
    if fmt == "nt":
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    prefixes = {p: str(ns) for p, ns in PREFIXES.items() if p != "id"}
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""


__all__ = ["REIFIES", "as_rdf12", "serialize_rdf12", "source_quads"]
