"""VoID statistics of the knowledge graph: sizes, class and property partitions, linksets.

Everything here is counted from the dataset as it is exported (the set union of its named graphs),
so that a client can check the description against the data it downloads.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from mdq_graph.graph.namespaces import (
    DCTERMS,
    EU_COUNTRY,
    FOAF,
    MDQ,
    ONTOLOGY_IRI,
    PREFIXES,
    RDF,
    RDFS,
    VOID,
    XSD,
)

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class LinkTarget:
    """A dataset we link to: its VoID description and the IRI space its resources live in."""

    key: str
    title: str
    homepage: str
    uri_space: str


#: The datasets our links point into (a linkset is made for each one the graph links to).
LINK_TARGETS: tuple[LinkTarget, ...] = (
    LinkTarget(
        "wikidata", "Wikidata", "https://www.wikidata.org/", "http://www.wikidata.org/entity/"
    ),
    LinkTarget("geonames", "GeoNames", "https://www.geonames.org/", "https://sws.geonames.org/"),
    LinkTarget(
        "ror", "Research Organization Registry (ROR)", "https://ror.org/", "https://ror.org/"
    ),
    LinkTarget(
        "eu-country",
        "EU Publications Office authority table: countries",
        "https://op.europa.eu/en/web/eu-vocabularies/concept-scheme/-/resource?uri="
        "http://publications.europa.eu/resource/authority/country",
        str(EU_COUNTRY),
    ),
)


def union_triples(dataset: Dataset, *, leave_out: tuple[URIRef, ...] = ()) -> set[Triple]:
    """The distinct triples of the named graphs of `dataset` (the graphs in `leave_out` excepted)."""
    triples: set[Triple] = set()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = getattr(g, "identifier", g)
        if name not in leave_out:
            triples.add((s, p, o))
    return triples


def graph_sizes(dataset: Dataset, *, leave_out: tuple[URIRef, ...] = ()) -> dict[URIRef, int]:
    """The number of triples of each named graph (IRI-named graphs only), by graph name."""
    sizes: Counter[URIRef] = Counter()
    default = dataset.default_graph.identifier  # rdflib's `urn:x-rdflib:default` names no graph
    for _, _, _, g in dataset.quads((None, None, None, None)):
        name = getattr(g, "identifier", g)
        if isinstance(name, URIRef) and name != default and name not in leave_out:
            sizes[name] += 1
    return dict(sizes)


def slug(iri: str) -> str:
    """A readable, stable path segment for a term: `mdq-Meeting`, `schema-Event`, `rdf-type`."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(str(item[1]))):
        if iri.startswith(str(namespace)) and len(iri) > len(str(namespace)):
            return f"{prefix}-{_safe(iri[len(str(namespace)) :])}"
    return _safe(iri.split("://", 1)[-1])


def _safe(text: str) -> str:
    """`text` with every character that is not safe in a path segment replaced by '-'."""
    return re.sub(r"[^A-Za-z0-9._~-]+", "-", text).strip("-")


def vocabulary_of(term: str) -> str | None:
    """The vocabulary a class or property belongs to (the longest known namespace), if we know it."""
    if term.startswith(str(MDQ)):
        return ONTOLOGY_IRI
    known = [str(ns) for prefix, ns in PREFIXES.items() if prefix not in ("id", "graph", "mdq")]
    matches = [ns for ns in known if term.startswith(ns)]
    return max(matches, key=len) if matches else None


@dataclass(frozen=True)
class VoidStats:
    """What VoID counts of a set of triples: sizes, instances per class, triples per property,
    the meetings (example resources) and the links into each target dataset per predicate."""

    triples: int
    entities: int  # distinct subjects in the URI space
    subjects: int
    objects: int
    classes: dict[Node, int]  # class -> distinct instances
    properties: dict[Node, int]  # predicate -> triples
    meetings: list[URIRef]  # sorted
    links: dict[tuple[str, Node], int]  # (target key, predicate) -> links


def void_stats(triples: set[Triple], uri_space: str) -> VoidStats:
    """The VoID statistics of `triples`; entities and links are counted from `uri_space`."""
    subjects = {s for s, _, _ in triples}
    objects = {o for _, _, o in triples}
    predicates = Counter(p for _, p, _ in triples)
    instances: dict[Node, set[Node]] = defaultdict(set)
    for s, p, o in triples:
        if p == RDF.type:
            instances[o].add(s)
    links: Counter[tuple[str, Node]] = Counter()
    for s, p, o in triples:
        if not (isinstance(s, URIRef) and s.startswith(uri_space) and isinstance(o, URIRef)):
            continue
        for target in LINK_TARGETS:
            if o.startswith(target.uri_space) and p != RDF.type:
                links[(target.key, p)] += 1
    return VoidStats(
        triples=len(triples),
        entities=len({s for s in subjects if isinstance(s, URIRef) and s.startswith(uri_space)}),
        subjects=len(subjects),
        objects=len(objects),
        classes={cls: len(members) for cls, members in instances.items()},
        properties=dict(predicates),
        meetings=sorted(s for s in instances.get(MDQ.Meeting, ()) if isinstance(s, URIRef)),
        links=dict(links),
    )


def describe_void(graph: Graph, dataset_iri: URIRef, stats: VoidStats, base: str) -> None:
    """Add to `graph` the VoID statistics `stats` (see `void_stats`), as seen from `dataset_iri`."""
    uri_space = base + "id/"
    add = graph.add
    add((dataset_iri, RDF.type, VOID.Dataset))
    add((dataset_iri, VOID.triples, _count(stats.triples)))
    add((dataset_iri, VOID.entities, _count(stats.entities)))
    add((dataset_iri, VOID.classes, _count(len(stats.classes))))
    add((dataset_iri, VOID.properties, _count(len(stats.properties))))
    add((dataset_iri, VOID.distinctSubjects, _count(stats.subjects)))
    add((dataset_iri, VOID.distinctObjects, _count(stats.objects)))
    add((dataset_iri, VOID.uriSpace, Literal(uri_space)))
    for vocabulary in sorted(
        {v for t in [*stats.properties, *stats.classes] if (v := vocabulary_of(str(t)))}
    ):
        add((dataset_iri, VOID.vocabulary, URIRef(vocabulary)))
    for meeting in stats.meetings:
        add((dataset_iri, VOID.exampleResource, meeting))

    for cls, members in sorted(stats.classes.items(), key=lambda item: str(item[0])):
        partition = URIRef(f"{dataset_iri}/class/{slug(str(cls))}")
        add((dataset_iri, VOID.classPartition, partition))
        add((partition, RDF.type, VOID.Dataset))
        add((partition, VOID["class"], cls))
        add((partition, VOID.entities, _count(members)))
    for predicate, count in sorted(stats.properties.items(), key=lambda item: str(item[0])):
        partition = URIRef(f"{dataset_iri}/property/{slug(str(predicate))}")
        add((dataset_iri, VOID.propertyPartition, partition))
        add((partition, RDF.type, VOID.Dataset))
        add((partition, VOID.property, predicate))
        add((partition, VOID.triples, _count(count)))

    _describe_linksets(graph, dataset_iri, stats.links)


def _describe_linksets(
    graph: Graph, dataset_iri: URIRef, links: dict[tuple[str, Node], int]
) -> None:
    """A void:Linkset for each (target dataset, link predicate) with its number of links."""
    targets = {t.key: t for t in LINK_TARGETS}
    for key in sorted({key for key, _ in links}):
        target = targets[key]
        target_iri = URIRef(f"{dataset_iri}/target/{key}")
        graph.add((target_iri, RDF.type, VOID.Dataset))
        graph.add((target_iri, DCTERMS.title, Literal(target.title, lang="en")))
        graph.add((target_iri, RDFS.label, Literal(target.title, lang="en")))
        graph.add((target_iri, FOAF.homepage, URIRef(target.homepage)))
        graph.add((target_iri, VOID.uriSpace, Literal(target.uri_space)))
        for (link_key, predicate), count in sorted(links.items(), key=lambda i: str(i[0][1])):
            if link_key != key:
                continue
            linkset = URIRef(f"{dataset_iri}/linkset/{key}/{slug(str(predicate))}")
            graph.add((dataset_iri, VOID.subset, linkset))
            graph.add((linkset, RDF.type, VOID.Linkset))
            graph.add((linkset, VOID.subjectsTarget, dataset_iri))
            graph.add((linkset, VOID.objectsTarget, target_iri))
            graph.add((linkset, VOID.target, dataset_iri))
            graph.add((linkset, VOID.target, target_iri))
            graph.add((linkset, VOID.linkPredicate, predicate))
            graph.add((linkset, VOID.triples, _count(count)))


def _count(n: int) -> Literal:
    """A VoID count (xsd:integer)."""
    return Literal(n, datatype=XSD.integer)


#: What the VoID description keeps of a void:Dataset besides VoID's own terms.
_VOID_ALSO = (
    DCTERMS.title,
    DCTERMS.description,
    DCTERMS.license,
    DCTERMS.source,
    FOAF.homepage,
    RDFS.label,
)


def void_description(catalog: Graph) -> Graph:
    """The VoID part of a catalog, for a VoID file: every void:Dataset and void:Linkset (the
    dataset, its partitions, subsets and linksets, the datasets it links to) with its VoID
    statements, titles, licence and sources."""
    out = Graph()
    kinds = (VOID.Dataset, VOID.Linkset)
    described = {s for kind in kinds for s in catalog.subjects(RDF.type, kind)}
    for subject in described:
        for predicate, value in catalog.predicate_objects(subject):
            if predicate == RDF.type:
                if value in kinds:
                    out.add((subject, predicate, value))
            elif str(predicate).startswith(str(VOID)) or predicate in _VOID_ALSO:
                out.add((subject, predicate, value))
    return out
