"""Summarises a dataset: triples per named graph, resources per class, and the sources."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Dataset, URIRef

from mdq_graph.namespaces import MDQ

_SOURCES_QUERY = """
SELECT ?source ?title ?language ?url WHERE {
  ?source a ?type .
  VALUES ?type { mdq:PressRelease mdq:ReferenceTable }
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
    counts = dataset.query(
        "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"
    )
    classes = sorted(
        (
            (dataset.namespace_manager.normalizeUri(str(row[0])), int(str(row[1])))  # type: ignore[index]
            for row in counts
        ),
        key=lambda item: (-item[1], item[0]),
    )
    titles: dict[str, Source] = {}
    for row in dataset.query(_SOURCES_QUERY, initNs={"mdq": MDQ, **_ns(dataset)}):
        iri, title, language, url = (str(v) if v is not None else "" for v in row)  # type: ignore[union-attr]
        if iri not in titles or len(title) > len(titles[iri].title):
            titles[iri] = Source(iri, title, language, url)
    return DatasetInfo(
        total_triples=len(dataset),
        graphs=graphs,
        classes=classes,
        sources=sorted(titles.values(), key=lambda s: s.iri),
    )


def _ns(dataset: Dataset) -> dict[str, URIRef]:
    """The dataset's bound prefixes, for queries."""
    return {prefix: URIRef(str(ns)) for prefix, ns in dataset.namespaces()}
