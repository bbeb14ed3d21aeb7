"""Serialises the dataset in every RDF format: triple formats as the union, quad formats by graph."""

from __future__ import annotations

from rdflib import Dataset, Graph, URIRef

from mdq_graph.errors import UsageError
from mdq_graph.formats import RdfFormat
from mdq_graph.namespaces import GRAPH, PREFIXES

#: `--graph` values that are not graph names.
UNION = "union"
DEFAULT = "default"


def select_graph(dataset: Dataset, name: str = UNION) -> Graph:
    """The union of the named graphs, the default graph, or one named graph (IRI or short name)."""
    if name == UNION:
        union = Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            union.add((s, p, o))
        return _bound(union)
    if name == DEFAULT:
        return _bound(_copy(dataset.default_graph))
    known = {g.identifier for g in dataset.graphs() if isinstance(g.identifier, URIRef)}
    iri = URIRef(name) if ":" in name else GRAPH[name]
    if iri not in known:
        names = ", ".join(sorted(str(k) for k in known if k != dataset.default_graph.identifier))
        raise UsageError(f"no named graph {name!r}; known graphs: {UNION}, {DEFAULT}, {names}")
    return _bound(_copy(dataset.graph(iri)))


def serialize(dataset: Dataset, fmt: RdfFormat, graph: str = UNION) -> bytes:
    """The dataset in format `fmt`; quad formats keep the named graphs unless `graph` picks one."""
    if fmt.quads and graph == UNION:
        data = dataset.serialize(format=fmt.rdflib, encoding="utf-8")
    else:
        data = select_graph(dataset, graph).serialize(format=fmt.rdflib, encoding="utf-8")
    if fmt.name in ("nt", "nq"):
        # Line-based formats: sort the lines so the same graph always gives the same bytes.
        lines = sorted(line for line in data.splitlines() if line.strip())
        data = b"\n".join(lines) + b"\n"
    return data


def _copy(graph: Graph) -> Graph:
    """A plain graph holding the triples of `graph`."""
    out = Graph()
    for triple in graph:
        out.add(triple)
    return out


def _bound(graph: Graph) -> Graph:
    """`graph` with our prefixes bound."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph
