"""rdflib's own reading of the ontology and the data into one `Dataset` of named graphs: the
reference the tests hold the loader (pyoxigraph, inference inside the store) and the exports to.

Literals are read as the files state them (`"007"^^xsd:integer` stays `007`; rdflib would
otherwise normalise the lexical forms of the XSD types it knows), as the loader keeps them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import rdflib
from rdflib import Dataset, Literal, URIRef

from mdq_graph.graph.dataset import (
    INFERRED_GRAPH,
    ONTOLOGY_GRAPH,
    ONTOLOGY_LABELS,
    new_dataset,
)
from mdq_graph.graph.inference import describe_inferred_graph, infer
from mdq_graph.graph.namespaces import DCTERMS, MDQ, ONTOLOGY_IRI, PROV, RDF, RDFS
from mdq_graph.graph.parsing import parse_into, rdf_files
from mdq_graph.graph.resources import data_dir, ontology_file


@contextmanager
def literals_as_stated() -> Iterator[None]:
    """rdflib keeps each literal's lexical form while this lasts."""
    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = before


def read_as_stated(
    paths: Sequence[Path | str] | None = None,
    *,
    inferred: bool = True,
) -> Dataset:
    """The knowledge graph as rdflib reads the files: the ontology, the data (bundled, or `paths`
    instead), and, unless `inferred=False`, the inferred standard-vocabulary view; every literal
    as the files state it. Its default graph is the union of its named graphs, as in the SPARQL
    endpoint."""
    dataset = new_dataset()
    with literals_as_stated():
        add_ontology(dataset)
        for path in rdf_files([Path(p) for p in paths] if paths else [data_dir()]):
            parse_into(dataset, path)
        if inferred:
            add_inferred(dataset)
    return dataset


def add_ontology(dataset: Dataset) -> None:
    """Add the ontology's named graph, which says where it comes from like every named graph."""
    dataset.graph(ONTOLOGY_GRAPH).parse(ontology_file(), format="turtle")
    describe_ontology_graph(dataset)


def add_inferred(dataset: Dataset) -> None:
    """Add the inferred graph (see `mdq_graph.graph.inference`) to `dataset`, replacing any earlier one."""
    dataset.remove_graph(dataset.graph(INFERRED_GRAPH))
    entailed = infer(dataset, dataset.graph(ONTOLOGY_GRAPH))
    target = dataset.graph(INFERRED_GRAPH)
    for triple in entailed:
        target.add(triple)
    # The default graph has no name of its own (rdflib's is `urn:x-rdflib:default`): not a source.
    sources = sorted(
        (
            g.identifier
            for g in dataset.graphs()
            if isinstance(g.identifier, URIRef) and g.identifier != dataset.default_graph.identifier
        ),
        key=str,
    )
    describe_inferred_graph(
        target, [s for s in sources if s not in (INFERRED_GRAPH, ONTOLOGY_GRAPH)]
    )


def describe_ontology_graph(dataset: Dataset) -> None:
    """The ontology graph says where it comes from, like every named graph."""
    graph = dataset.graph(ONTOLOGY_GRAPH)
    ontology = URIRef(ONTOLOGY_IRI)
    graph.add((ONTOLOGY_GRAPH, RDF.type, MDQ.SourceGraph))
    for text, lang in ONTOLOGY_LABELS:
        graph.add((ONTOLOGY_GRAPH, RDFS.label, Literal(text, lang=lang)))
    graph.add((ONTOLOGY_GRAPH, PROV.wasDerivedFrom, ontology))
    graph.add((ONTOLOGY_GRAPH, DCTERMS.source, ontology))
