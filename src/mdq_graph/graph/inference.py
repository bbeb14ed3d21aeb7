"""Materialises the standard-vocabulary view of the data (schema.org, PROV-O, ORG, ...) from the ontology.

The data states facts with our own terms; the ontology aligns each term to the standard ones it
specialises. A generic client knows only the standard terms, so the loader adds, in a named graph of
its own, every super-class, super-property, inverse and label alias the alignment entails.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

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


def _closure(pairs: Iterable[tuple[Node, Node]]) -> dict[Node, set[Node]]:
    """For each node, every node reachable over the (sub, super) pairs, itself excluded."""
    direct: dict[Node, set[Node]] = defaultdict(set)
    for sub, sup in pairs:
        direct[sub].add(sup)
    closed: dict[Node, set[Node]] = {}
    for start in list(direct):
        seen: set[Node] = set()
        stack = list(direct[start])
        while stack:
            node = stack.pop()
            if node not in seen and node != start:
                seen.add(node)
                stack.extend(direct.get(node, ()))
        closed[start] = seen - _IGNORED_SUPERS
    return closed


def _equivalence_pairs(ontology: Graph, sub: URIRef, equivalent: URIRef) -> list[tuple[Node, Node]]:
    """(sub, super) pairs from sub-axioms, with equivalences read in both directions."""
    pairs: list[tuple[Node, Node]] = list(ontology.subject_objects(sub))
    for a, b in ontology.subject_objects(equivalent):
        pairs += [(a, b), (b, a)]
    return pairs


@dataclass(frozen=True)
class Alignment:
    """The entailment rules of the ontology: each term's super-classes or super-properties (closed
    under transitivity) and each property's inverses (a symmetric property is its own)."""

    super_classes: dict[Node, set[Node]]
    super_properties: dict[Node, set[Node]]
    inverses: dict[Node, set[Node]]


def alignment(ontology: Graph) -> Alignment:
    """The rules `infer` applies, read from the ontology (also used by `mdq_graph.graph.loader`)."""
    super_classes = _closure(_equivalence_pairs(ontology, RDFS.subClassOf, OWL.equivalentClass))
    super_props = _closure(_equivalence_pairs(ontology, RDFS.subPropertyOf, OWL.equivalentProperty))
    for alias, targets in VIEW_ALIASES.items():
        super_props.setdefault(alias, set()).update(targets)
    super_props = _closure((p, q) for p, qs in super_props.items() for q in qs)
    inverses: dict[Node, set[Node]] = defaultdict(set)
    for a, b in ontology.subject_objects(OWL.inverseOf):
        inverses[a].add(b)
        inverses[b].add(a)
    for p in ontology.subjects(RDF.type, OWL.SymmetricProperty):
        inverses[p].add(p)
    return Alignment(super_classes, super_props, dict(inverses))


def infer(dataset: Dataset, ontology: Graph) -> Graph:
    """The triples the ontology's alignments entail for `dataset` and that it does not state."""
    rules = alignment(ontology)
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
