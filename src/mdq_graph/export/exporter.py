"""`mdq-graph export` without rdflib in the way: files (or an on-disk store) into an in-memory
Oxigraph store, the description computed in the store, the quads written from the store.

The bytes are those of `export.serialize(*catalog.export_parts(load_dataset(paths)))` (a test
compares every format and `--graph` choice): the store holds what `load_dataset` holds
(`store.populate`), `catalog.describe_store` gives the description `export_parts` gives, and the
writers are `export.write_rdf`. Measured on 2 cores at 10^6 triples (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from mdq_graph.catalog.dcat import CATALOG_GRAPH, describe_store, export_parts
from mdq_graph.collector import collector_paused
from mdq_graph.formats.jsonld import JsonLdOptions
from mdq_graph.formats.rdf import UNION, select_quads, serialize, write_rdf
from mdq_graph.graph.dataset import INFERRED_GRAPH, load_dataset
from mdq_graph.graph.namespaces import PREFIXES
from mdq_graph.graph.parsing import rdf_files
from mdq_graph.graph.rdf_formats import RdfFormat
from mdq_graph.graph.resources import data_dir
from mdq_graph.graph.store import (
    UNNAMED_TRIPLES,
    normalise_literals,
    open_store,
    populate,
    store_dataset,
    store_literals,
)


@collector_paused()
def export_graph(
    fmt: RdfFormat,
    graph: str = UNION,
    *,
    paths: Sequence[Path] | None = None,
    store_dir: Path | None = None,
    inferred: bool = True,
    jsonld: JsonLdOptions | None = None,
) -> bytes:
    """The export in `fmt` of the bundled data, of `paths`, or of the store in `store_dir`.

    Where the data holds a literal an Oxigraph store cannot keep as rdflib reads it (e.g.
    `"1.0"^^xsd:double`, which it keeps as `"1"`), the export goes the rdflib way instead, so
    that its bytes do not depend on the way taken."""
    if store_dir is not None:
        store, lossy = copy_store(store_dir, inferred=inferred)
        unnamed = True
    else:
        store = ox.Store()
        files = list(rdf_files(list(paths) if paths else [data_dir()]))
        populated = populate(store, files, inferred=inferred, in_memory=True)
        lossy, unnamed = populated.lossy_literals, populated.unnamed_triples
    if not lossy:
        return serialize_store(store, fmt, graph, jsonld=jsonld, unnamed=unnamed)
    del store
    if store_dir is not None:
        dataset = store_dataset(store_dir, inferred=inferred)
    else:
        dataset = load_dataset(paths, inferred=inferred)
    data, catalog = export_parts(dataset)
    return serialize(data, fmt, graph, jsonld=jsonld, catalog=catalog)


def copy_store(path: Path, *, inferred: bool = True) -> tuple[ox.Store, tuple[str, ...]]:
    """The graphs of the on-disk store in `path` in a new in-memory store (it is read-only and may
    be open elsewhere), without `inferred` less the inferred graph; and the literals it cannot
    hold as rdflib reads them (see `store.normalise_literals`)."""
    source = open_store(path).store
    store = ox.Store()
    store.bulk_load(source.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    if not inferred:
        drop_graph(store, ox.NamedNode(str(INFERRED_GRAPH)))
    return store, normalise_literals(store, store_literals(store))


def serialize_store(
    store: ox.Store,
    fmt: RdfFormat,
    graph: str = UNION,
    *,
    jsonld: JsonLdOptions | None = None,
    unnamed: bool = True,
) -> bytes:
    """`store` (its default graph the union of its named graphs) with its description, as
    `mdq-graph export` writes it; a description the store already carries is replaced.
    `unnamed=False` says that no triple is outside the named graphs (no need to look)."""
    drop_graph(store, ox.NamedNode(str(CATALOG_GRAPH)))
    description = describe_store(store)
    catalog = ox.NamedNode(str(CATALOG_GRAPH))
    data = description.serialize(format="nt", encoding="utf-8")
    described = list(ox.parse(data, ox.RdfFormat.N_TRIPLES))
    prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    if graph == UNION and not fmt.quads:
        # The union is the store's default graph already: reading it is 4 s faster at 10^6
        # triples than gathering the triples of every graph again.
        chosen = list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        chosen += (ox.Quad(t.subject, t.predicate, t.object) for t in described)
    else:
        quads = store_quads(store, unnamed=unnamed)
        quads += (ox.Quad(t.subject, t.predicate, t.object, catalog) for t in described)
        chosen = select_quads(
            quads, graph, keep_graphs=fmt.quads, graph_namespace=prefixes["graph"]
        )
    return write_rdf(chosen, fmt, prefixes=prefixes, base=prefixes["id"], jsonld=jsonld)


def store_quads(store: ox.Store, *, unnamed: bool = True) -> list[ox.Quad]:
    """The quads of every named graph and (unless `unnamed=False` says there are none) the
    triples stated outside any; not the union."""
    quads = [
        quad
        for name in store.named_graphs()
        for quad in store.quads_for_pattern(None, None, None, name)
    ]
    if not unnamed:  # the query below takes 1.6 s at 10^6 triples to find nothing
        return quads
    outside = store.query(UNNAMED_TRIPLES)
    assert isinstance(outside, ox.QueryTriples)
    quads += (ox.Quad(t.subject, t.predicate, t.object) for t in outside)
    return quads


def drop_graph(store: ox.Store, name: ox.NamedNode) -> None:
    """Remove the named graph `name`, and from the union the triples no other graph holds."""
    if not any(True for _ in store.quads_for_pattern(None, None, None, name)):
        return
    store.update(
        f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{name.value}> {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != <{name.value}>) }} }}"
    )
    store.remove_graph(name)
