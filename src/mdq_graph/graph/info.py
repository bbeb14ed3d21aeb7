"""Summarises a dataset: triples per named graph, resources per class, and the sources."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from mdq_graph.graph.engine import Engine
from mdq_graph.graph.iris import curie

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


def engine_info(engine: Engine) -> DatasetInfo:
    """Count triples per named graph and resources per class, and list the sources, from an
    engine's store (its default graph is the union of the named graphs)."""
    store = engine.store
    graphs = sorted(
        (name.value, _count(store, name))
        for name in store.named_graphs()
        if isinstance(name, ox.NamedNode)
    )
    graphs = [(name, n) for name, n in graphs if n]
    unnamed = _count_unnamed(store)
    if unnamed:
        graphs.insert(0, ("(default graph)", unnamed))
    return summarise(
        _count(store, ox.DefaultGraph()),
        graphs,
        ((row[0].value, int(row[1].value)) for row in _solutions(store, CLASSES_QUERY)),
        (
            tuple("" if v is None else v.value for v in row)
            for row in _solutions(store, SOURCES_QUERY)
        ),
        curie,
    )


def _solutions(store: ox.Store, query: str) -> ox.QuerySolutions:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def _count(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> int:
    """The triples of one graph of `store`."""
    where = (
        "?s ?p ?o"
        if isinstance(graph, ox.DefaultGraph)
        else f"GRAPH <{graph.value}> {{ ?s ?p ?o }}"
    )
    row = next(iter(_solutions(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")))
    return int(row[0].value)


def _count_unnamed(store: ox.Store) -> int:
    """The triples of the default graph that are in no named graph (stated as triples)."""
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"
    row = next(iter(_solutions(store, query)))
    return int(row[0].value)


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


def files_without_statements(paths: Iterable[Path]) -> list[Path]:
    """The RDF files named by `paths` (folders searched) that state nothing: a user who gives an
    empty file is told, rather than shown a graph that trivially conforms. A file is read only up
    to its first statement; one that cannot be parsed is left to the loader to report."""
    import pyoxigraph as ox

    from mdq_graph.graph.parsing import rdf_files
    from mdq_graph.graph.rdf_formats import format_for_path

    empty = []
    for path in rdf_files(paths):
        fmt = format_for_path(path)
        try:
            quads = ox.parse(path=str(path), format=ox.RdfFormat.from_media_type(fmt.media_type))
            if next(iter(quads), None) is None:
                empty.append(path)
        except Exception:
            continue
    return empty
