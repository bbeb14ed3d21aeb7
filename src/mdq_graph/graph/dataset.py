"""rdflib's own reading of the ontology and the data into one `Dataset` of named graphs.

The graph is loaded by one loader, into an Oxigraph store (`mdq_graph.graph.loader.load_dataset`
gives notebooks that store's graphs as an rdflib dataset). rdflib reads the files itself only where
the store cannot hold a typed literal as the files write it (it keeps numbers as values:
`"1.0"^^xsd:double` comes back as `"1"`), so that the exports of such data keep it as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rdflib import Dataset, Literal, URIRef

from mdq_graph.graph.inference import describe_inferred_graph, infer
from mdq_graph.graph.namespaces import DCTERMS, GRAPH, MDQ, ONTOLOGY_IRI, PREFIXES, PROV, RDF, RDFS
from mdq_graph.graph.parsing import parse_into, rdf_files
from mdq_graph.graph.resources import data_dir, ontology_file

#: The named graph that holds the ontology.
ONTOLOGY_GRAPH = GRAPH.ontology
#: The named graph that holds the standard-vocabulary view the loader infers.
INFERRED_GRAPH = GRAPH.inferred
#: The ontology graph's labels, (text, language).
ONTOLOGY_LABELS = (("The MDQ ontology", "en"), ("MDQ オントロジー", "ja"))


def read_as_stated(
    paths: Sequence[Path | str] | None = None,
    *,
    inferred: bool = True,
) -> Dataset:
    """The knowledge graph as rdflib reads the files: the ontology, the data (bundled, or `paths`
    instead), and, unless `inferred=False`, the inferred standard-vocabulary view. For data whose
    literals an Oxigraph store would change (see the module's description); else `load_dataset`.

    The dataset's default graph is the union of its named graphs, as in the SPARQL endpoint.
    """
    dataset = new_dataset()
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


def new_dataset() -> Dataset:
    """An empty dataset whose default graph is the union of its named graphs, with our prefixes."""
    dataset = Dataset(default_union=True)
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace, override=True, replace=True)
    return dataset


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
