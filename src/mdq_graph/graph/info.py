"""Summarises a dataset: triples per named graph, resources per class, and the sources."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rdflib import Dataset

#: Resources per class (rdflib and Oxigraph alike: `mdq_graph.graph.store` reports a store with it).
CLASSES_QUERY = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"
#: The source documents, with the titles, languages and addresses of each.
SOURCES_QUERY = """
PREFIX mdq:    <https://w3id.org/mdq/ontology#>
PREFIX rdfs:   <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
SELECT ?source ?title ?language ?url WHERE {
  ?source a ?type .
  VALUES ?type { mdq:PressRelease mdq:WebPage mdq:ReferenceTable }
  OPTIONAL { ?source rdfs:label ?title }
  OPTIONAL { ?source schema:inLanguage ?language }
  OPTIONAL { ?source schema:url ?url }
}
"""


@dataclass(frozen=True)
class Source:
    """A source document the graph's facts are taken from."""

    iri: str
    title: str
    language: str
    url: str


@dataclass(frozen=True)
class DatasetInfo:
    """What `mdq-graph info` reports."""

    total_triples: int
    graphs: list[tuple[str, int]]
    classes: list[tuple[str, int]]
    sources: list[Source]


def dataset_info(dataset: Dataset) -> DatasetInfo:
    """Count triples per named graph and resources per class, and list the sources."""
    graphs = sorted(
        (str(g.identifier), len(g))
        for g in dataset.graphs()
        if len(g) and g.identifier != dataset.default_graph.identifier
    )
    if len(dataset.default_graph):
        graphs.insert(0, ("(default graph)", len(dataset.default_graph)))
    return summarise(
        len(dataset),
        graphs,
        ((str(row[0]), int(str(row[1]))) for row in dataset.query(CLASSES_QUERY)),  # type: ignore[index]
        (
            tuple(str(v) if v is not None else "" for v in row)  # type: ignore[union-attr]
            for row in dataset.query(SOURCES_QUERY)
        ),
        dataset.namespace_manager.normalizeUri,
    )


def summarise(
    total_triples: int,
    graphs: list[tuple[str, int]],
    class_rows: Iterable[tuple[str, int]],
    source_rows: Iterable[tuple[str, ...]],
    curie: Callable[[str], str],
) -> DatasetInfo:
    """The report from the answers to `CLASSES_QUERY` and `SOURCES_QUERY` (missing values as "")."""
    classes = sorted(((curie(cls), n) for cls, n in class_rows), key=lambda c: (-c[1], c[0]))
    titles: dict[str, Source] = {}
    for iri, title, language, url in source_rows:
        if iri not in titles or len(title) > len(titles[iri].title):
            titles[iri] = Source(iri, title, language, url)
    return DatasetInfo(
        total_triples=total_triples,
        graphs=graphs,
        classes=classes,
        sources=sorted(titles.values(), key=lambda s: s.iri),
    )
