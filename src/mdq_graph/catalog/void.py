"""VoID statistics of the knowledge graph: sizes, class and property partitions, linksets.

Everything here is counted from the dataset as it is exported (the set union of its named graphs),
so that a client can check the description against the data it downloads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import URIRef

from mdq_graph.graph.namespaces import (
    DCTERMS,
    EU_COUNTRY,
    FOAF,
    GRAPH,
    MDQ,
    ONTOLOGY_IRI,
    PREFIXES,
    RDF,
    RDFS,
    VOID,
    XSD,
)

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


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
    the meetings (example resources) and the links into each target dataset per predicate.
    Classes, properties, meetings and link predicates are IRIs."""

    triples: int
    entities: int  # distinct subjects in the URI space
    subjects: int
    objects: int
    classes: dict[str, int]  # class -> distinct instances
    properties: dict[str, int]  # predicate -> triples
    meetings: list[str]  # sorted
    links: dict[tuple[str, str], int]  # (target key, predicate) -> links


def graph_sizes(store: ox.Store) -> dict[str, int]:
    """The number of triples of each IRI-named graph of `store`, by graph IRI."""
    rows = select_rows(
        store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    )
    return {name.value: _int(n) for name, n in rows if isinstance(name, ox.NamedNode)}


def void_stats(store: ox.Store, uri_space: str) -> VoidStats:
    """The VoID statistics of the default graph of `store`, the union of its named graphs (as
    `mdq_graph.graph.loader.populate` fills it); entities and links are counted from `uri_space`.
    Computed by a few queries inside the store."""
    space = _string(uri_space)
    ((triples, subjects, objects),) = select_rows(
        store,
        "SELECT (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?ds) (COUNT(DISTINCT ?o) AS ?do) "
        "WHERE { ?s ?p ?o }",
    )
    ((entities,),) = select_rows(
        store,
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o "
        f"FILTER (isIRI(?s) && STRSTARTS(STR(?s), {space})) }}",
    )
    classes = select_rows(
        store,
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{RDF.type}> ?c FILTER isIRI(?c) }} "
        "GROUP BY ?c",
    )
    properties = select_rows(store, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")
    meetings = select_rows(
        store, f"SELECT DISTINCT ?m WHERE {{ ?m <{RDF.type}> <{MDQ.Meeting}> FILTER isIRI(?m) }}"
    )
    # The target an object's IRI starts with (their IRI spaces do not overlap), else "", decided
    # once per distinct object, then the links to those objects counted (measured at 10^6
    # triples: 0.7 s, where deciding it for every triple took 1.8 s and a scan per target 2.2 s).
    target_of = '""'
    for target in reversed(LINK_TARGETS):
        prefix = _string(target.uri_space)
        target_of = f"IF(STRSTARTS(STR(?o), {prefix}), {_string(target.key)}, {target_of})"
    links = {
        (_value(key), _value(predicate)): _int(count)
        for key, predicate, count in select_rows(
            store,
            "SELECT ?target ?p (COUNT(*) AS ?n) WHERE { { SELECT ?o ?target WHERE { "
            "{ SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER isIRI(?o) } } "
            f'BIND ({target_of} AS ?target) FILTER (?target != "") }} }} ?s ?p ?o '
            f"FILTER (?p != <{RDF.type}> && isIRI(?s) && STRSTARTS(STR(?s), {space})) }} "
            "GROUP BY ?target ?p",
        )
    }
    return VoidStats(
        triples=_int(triples),
        entities=_int(entities),
        subjects=_int(subjects),
        objects=_int(objects),
        classes={_value(c): _int(n) for c, n in classes},
        properties={_value(p): _int(n) for p, n in properties},
        meetings=sorted(_value(m) for (m,) in meetings),
        links=links,
    )


def select_rows(store: ox.Store, query: str) -> list[tuple[OxTerm | None, ...]]:
    """The solutions of a SELECT query on `store`, unbound variables as None."""
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    width = len(solutions.variables)
    return [tuple(row[i] for i in range(width)) for row in solutions]


def _value(term: object) -> str:
    """The IRI or the lexical form of a bound term."""
    assert isinstance(term, (ox.NamedNode, ox.Literal))
    return term.value


def _int(term: object) -> int:
    """A count (an xsd:integer literal) as a number."""
    return int(_value(term))


def _string(text: str) -> str:
    """A SPARQL string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def describe_void(
    description: ox.Dataset, dataset_iri: ox.NamedNode, stats: VoidStats, base: str
) -> None:
    """Add to `description` the VoID statistics `stats` (see `void_stats`), as seen from
    `dataset_iri`."""
    uri_space = base + "id/"

    def add(s: ox.NamedNode, p: URIRef, o: ox.NamedNode | ox.Literal) -> None:
        description.add(ox.Quad(s, ox.NamedNode(p), o, CATALOG))

    add(dataset_iri, RDF.type, ox.NamedNode(VOID.Dataset))
    add(dataset_iri, VOID.triples, _count(stats.triples))
    add(dataset_iri, VOID.entities, _count(stats.entities))
    add(dataset_iri, VOID.classes, _count(len(stats.classes)))
    add(dataset_iri, VOID.properties, _count(len(stats.properties)))
    add(dataset_iri, VOID.distinctSubjects, _count(stats.subjects))
    add(dataset_iri, VOID.distinctObjects, _count(stats.objects))
    add(dataset_iri, VOID.uriSpace, ox.Literal(uri_space))
    for vocabulary in sorted(
        {v for t in [*stats.properties, *stats.classes] if (v := vocabulary_of(str(t)))}
    ):
        add(dataset_iri, VOID.vocabulary, ox.NamedNode(vocabulary))
    for meeting in stats.meetings:
        add(dataset_iri, VOID.exampleResource, ox.NamedNode(meeting))

    for cls, members in sorted(stats.classes.items(), key=lambda item: str(item[0])):
        partition = ox.NamedNode(f"{dataset_iri.value}/class/{slug(cls)}")
        add(dataset_iri, VOID.classPartition, partition)
        add(partition, RDF.type, ox.NamedNode(VOID.Dataset))
        add(partition, VOID["class"], ox.NamedNode(cls))
        add(partition, VOID.entities, _count(members))
    for predicate, count in sorted(stats.properties.items(), key=lambda item: str(item[0])):
        partition = ox.NamedNode(f"{dataset_iri.value}/property/{slug(predicate)}")
        add(dataset_iri, VOID.propertyPartition, partition)
        add(partition, RDF.type, ox.NamedNode(VOID.Dataset))
        add(partition, VOID.property, ox.NamedNode(predicate))
        add(partition, VOID.triples, _count(count))

    targets = {t.key: t for t in LINK_TARGETS}
    # A void:Linkset for each (target dataset, link predicate) with its number of links.
    for key in sorted({key for key, _ in stats.links}):
        target = targets[key]
        target_iri = ox.NamedNode(f"{dataset_iri.value}/target/{key}")
        add(target_iri, RDF.type, ox.NamedNode(VOID.Dataset))
        add(target_iri, DCTERMS.title, ox.Literal(target.title, language="en"))
        add(target_iri, RDFS.label, ox.Literal(target.title, language="en"))
        add(target_iri, FOAF.homepage, ox.NamedNode(target.homepage))
        add(target_iri, VOID.uriSpace, ox.Literal(target.uri_space))
        for (link_key, predicate), count in sorted(stats.links.items(), key=lambda i: i[0][1]):
            if link_key != key:
                continue
            linkset = ox.NamedNode(f"{dataset_iri.value}/linkset/{key}/{slug(predicate)}")
            add(dataset_iri, VOID.subset, linkset)
            add(linkset, RDF.type, ox.NamedNode(VOID.Linkset))
            add(linkset, VOID.subjectsTarget, dataset_iri)
            add(linkset, VOID.objectsTarget, target_iri)
            add(linkset, VOID.target, dataset_iri)
            add(linkset, VOID.target, target_iri)
            add(linkset, VOID.linkPredicate, ox.NamedNode(predicate))
            add(linkset, VOID.triples, _count(count))


def _count(n: int) -> ox.Literal:
    """A VoID count (xsd:integer)."""
    return ox.Literal(str(n), datatype=_INTEGER)


_INTEGER = ox.NamedNode(XSD.integer)
#: The named graph the description is in (see `catalog.dcat`).
CATALOG = ox.NamedNode(GRAPH.catalog)

#: What the VoID description keeps of a void:Dataset besides VoID's own terms.
_VOID_ALSO = {
    str(term)
    for term in (
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.license,
        DCTERMS.source,
        FOAF.homepage,
        RDFS.label,
    )
}


def void_description(catalog: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The VoID part of a catalog (its quads), for a VoID file: every void:Dataset and
    void:Linkset (the dataset, its partitions, subsets and linksets, the datasets it links to)
    with its VoID statements, titles, licence and sources."""
    quads = list(catalog)
    kinds = {ox.NamedNode(VOID.Dataset), ox.NamedNode(VOID.Linkset)}
    a = ox.NamedNode(RDF.type)
    described = {q.subject for q in quads if q.predicate == a and q.object in kinds}
    out = []
    for q in quads:
        if q.subject not in described:
            continue
        if q.predicate == a:
            keep = q.object in kinds
        else:
            keep = q.predicate.value.startswith(str(VOID)) or q.predicate.value in _VOID_ALSO
        if keep:
            out.append(ox.Triple(q.subject, q.predicate, q.object))
    return out
