"""Materialises the standard-vocabulary view of the data (schema.org, PROV-O, ORG, ...) from the ontology.

The data states facts with our own terms; the ontology aligns each term to the standard ones it
specialises. A generic client knows only the standard terms, so the loader adds, in a named graph of
its own, every super-class, super-property, inverse and label alias the alignment entails.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node

from mdq_graph.graph.namespaces import FOAF, GRAPH, MDQ, OWL, PROV, RDF, RDFS, SCHEMA, SKOS

#: Label and link aliases that standard vocabularies do not declare themselves (we must not assert
#: axioms about terms that are not ours, so these live here instead of in the ontology).
VIEW_ALIASES: dict[URIRef, tuple[URIRef, ...]] = {
    SKOS.prefLabel: (RDFS.label,),
    RDFS.label: (SCHEMA.name,),
    SKOS.altLabel: (SCHEMA.alternateName,),
    SKOS.definition: (SCHEMA.description,),
    FOAF.homepage: (SCHEMA.url,),
}

_IGNORED_SUPERS = {OWL.Thing, RDFS.Resource, RDFS.Class, OWL.Class}

#: The term model the rules are read in: pyoxigraph's (the loader) or rdflib's (`infer`).
T = TypeVar("T")

#: Rules that derive a fact no source states from facts the data does state, as (template,
#: pattern) of a SPARQL CONSTRUCT over the union of the graphs; `infer` and the store's
#: `infer_in_store` both apply them before the alignments, so their results are aligned too.
DERIVATIONS: tuple[tuple[str, str], ...] = (
    # An event is held in the country among its places or the places they lie in (Tokyo within
    # Japan; Tsukuba within Ibaraki within Japan), so "first held in Asia" can be asked of a country.
    (
        f"?event <{MDQ.heldInCountry}> ?country",
        f"?event <{MDQ.heldIn}>/<{MDQ.withinPlace}>* ?country . ?country a <{MDQ.Country}>",
    ),
)


def _closure(pairs: Iterable[tuple[T, T]], ignored: set[T]) -> dict[T, set[T]]:
    """For each node, every node reachable over the (sub, super) pairs, itself and `ignored`
    excluded."""
    direct: dict[T, set[T]] = defaultdict(set)
    for sub, sup in pairs:
        direct[sub].add(sup)
    closed: dict[T, set[T]] = {}
    for start in list(direct):
        seen: set[T] = set()
        stack = list(direct[start])
        while stack:
            node = stack.pop()
            if node not in seen and node != start:
                seen.add(node)
                stack.extend(direct.get(node, ()))
        closed[start] = seen - ignored
    return closed


@dataclass(frozen=True)
class Alignment(Generic[T]):
    """The entailment rules of the ontology: each term's super-classes or super-properties (closed
    under transitivity) and each property's inverses (a symmetric property is its own), in the
    term model of the triples they were read from."""

    super_classes: dict[T, set[T]]
    super_properties: dict[T, set[T]]
    inverses: dict[T, set[T]]


def alignment(triples: Iterable[tuple[T, T, T]], iri: Callable[[str], T]) -> Alignment[T]:
    """The rules `infer` applies, read from the ontology's `triples` in whichever term model they
    are (pyoxigraph's for the loader, rdflib's for `infer`); `iri` makes that model's IRIs."""
    by_predicate: dict[T, list[tuple[T, T]]] = defaultdict(list)
    for s, p, o in triples:
        by_predicate[p].append((s, o))

    def pairs(sub: URIRef, equivalent: URIRef) -> list[tuple[T, T]]:
        """(sub, super) pairs from sub-axioms, with equivalences read in both directions."""
        found = list(by_predicate.get(iri(str(sub)), ()))
        for a, b in by_predicate.get(iri(str(equivalent)), ()):
            found += [(a, b), (b, a)]
        return found

    ignored = {iri(str(term)) for term in _IGNORED_SUPERS}
    super_classes = _closure(pairs(RDFS.subClassOf, OWL.equivalentClass), ignored)
    super_props = _closure(pairs(RDFS.subPropertyOf, OWL.equivalentProperty), ignored)
    for alias, targets in VIEW_ALIASES.items():
        super_props.setdefault(iri(str(alias)), set()).update(iri(str(t)) for t in targets)
    super_props = _closure(((p, q) for p, qs in super_props.items() for q in qs), ignored)
    inverses: dict[T, set[T]] = defaultdict(set)
    for a, b in by_predicate.get(iri(str(OWL.inverseOf)), ()):
        inverses[a].add(b)
        inverses[b].add(a)
    symmetric = iri(str(OWL.SymmetricProperty))
    for p, kind in by_predicate.get(iri(str(RDF.type)), ()):
        if kind == symmetric:
            inverses[p].add(p)
    return Alignment(super_classes, super_props, dict(inverses))


def infer(dataset: Dataset, ontology: Graph) -> Graph:
    """The triples the ontology's alignments entail for `dataset` and that it does not state."""
    rules = alignment(ontology, URIRef)
    super_classes, super_props, inverses = (
        rules.super_classes,
        rules.super_properties,
        rules.inverses,
    )

    asserted = dataset  # the union of every named graph (and the default graph)
    out = Graph()
    stated: set[tuple[Node, Node, Node]] = set()
    for s, p, o, _ in asserted.quads((None, None, None, None)):
        stated.add((s, p, o))
    pending: set[tuple[Node, Node, Node]] = set()
    for template, pattern in DERIVATIONS:
        found = dataset.query(f"CONSTRUCT {{ {template} }} WHERE {{ {pattern} }}").graph
        if found is not None:
            pending.update(found)
    for s, p, o in stated:
        for q in inverses.get(p, ()):
            pending.add((o, q, s))
    for s, p, o in stated | pending:
        if p == RDF.type:
            for c in super_classes.get(o, ()):
                pending.add((s, RDF.type, c))
        else:
            for q in super_props.get(p, ()):
                pending.add((s, q, o))
    for triple in pending - stated:
        out.add(triple)
    return out


def describe_inferred_graph(graph: Graph, sources: Iterable[URIRef]) -> None:
    """State where the inferred graph comes from, like every other named graph does."""
    me = GRAPH.inferred
    graph.add((me, RDF.type, MDQ.SourceGraph))
    graph.add(
        (me, RDFS.label, _lit("Inferred standard-vocabulary view (schema.org, PROV-O, ORG, ...)"))
    )
    # Like every named resource, a Japanese label too (the shapes expect one).
    graph.add(
        (me, RDFS.label, _lit("推論による標準語彙ビュー(schema.org、PROV-O、ORG など)", "ja"))
    )
    for source in sources:
        graph.add((me, PROV.wasDerivedFrom, source))
    graph.add((me, PROV.wasDerivedFrom, GRAPH.ontology))


def _lit(text: str, language: str = "en") -> Node:
    """A literal in `language` (English unless told)."""
    from rdflib import Literal

    return Literal(text, lang=language)
