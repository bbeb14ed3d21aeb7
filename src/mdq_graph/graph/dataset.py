"""The named graphs every reading of the knowledge graph has, and an empty rdflib dataset shaped
as ours (the graph is loaded by one loader, into an Oxigraph store: `mdq_graph.graph.loader`;
`load_dataset` gives notebooks that store's graphs as an rdflib dataset)."""

from __future__ import annotations

from rdflib import Dataset

from mdq_graph.graph.namespaces import GRAPH, PREFIXES

#: The named graph that holds the ontology.
ONTOLOGY_GRAPH = GRAPH.ontology
#: The named graph that holds the standard-vocabulary view the loader infers.
INFERRED_GRAPH = GRAPH.inferred
#: The named graph that holds the dataset's description (DCAT, VoID), which exports carry.
CATALOG_GRAPH = GRAPH.catalog
#: The ontology graph's labels, (text, language).
ONTOLOGY_LABELS = (("The MDQ ontology", "en"), ("MDQ オントロジー", "ja"))


def new_dataset() -> Dataset:
    """An empty dataset whose default graph is the union of its named graphs, with our prefixes."""
    dataset = Dataset(default_union=True)
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace, override=True, replace=True)
    return dataset
