"""`mdq-graph export`: the data and its description, from files, an on-disk store or an engine,
written from an in-memory Oxigraph store; and the published catalog, whose byte sizes and
checksums are those of exactly these exports.

Everything that writes an export goes through here: the `export` and `catalog` commands, the
server's downloads and the static site's. An `Exportable` is what an export is made of: a store
holding the named graphs with their union in the default graph (`graph.loader.populate`), and the
description the exports carry (`catalog.dcat.describe_store`, without sizes and checksums). The
catalog's sizes and checksums are computed once, from the bytes the exports are, when they are
written (`published_catalog`), never by exporting again elsewhere.

An export of files writes every literal as the files state it: where the data holds a typed
literal an Oxigraph store would keep as its value (`"007"^^xsd:integer` comes back as `"7"`), the
store holds a stand-in for it (`graph.loader.populate`, `keep_lexical`) and the export gives the
literal back (`Exportable.stand_ins`). A store `mdq-graph load` built holds the store's forms,
and its export writes those. Measured on 2 cores at 10^6 triples: docs/performance.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from mdq_graph.catalog.dcat import (
    CATALOG_GRAPH,
    describe_store,
    rebase_description,
    with_file_facts,
    without_catalog,
)
from mdq_graph.collector import collector_paused
from mdq_graph.formats.jsonld import JsonLdOptions
from mdq_graph.formats.rdf import select_quads, write_rdf
from mdq_graph.graph.engine import Engine, fill_union_graph
from mdq_graph.graph.iris import PREFIX_IRIS
from mdq_graph.graph.loader import as_stated, populate, write_stated
from mdq_graph.graph.namespaces import BASE
from mdq_graph.graph.parsing import rdf_files
from mdq_graph.graph.rdf_formats import FORMATS, UNION, RdfFormat
from mdq_graph.graph.rebase import (
    check_base,
    rebase_iri,
    rebase_quads,
)
from mdq_graph.graph.resources import data_dir
from mdq_graph.graph.store import UNNAMED_TRIPLES, open_store, read_store_info

if TYPE_CHECKING:
    from rdflib import Dataset

#: The prefixes of our own namespaces, which a base other than the default moves.
_REBASED_PREFIXES = ("mdq", "id", "graph")


@dataclass
class Exportable:
    """What an export is made of (see the module's description)."""

    #: The named graphs, with their set union in the default graph; no graph/catalog.
    store: ox.Store
    #: The description the exports carry (graph/catalog under the default base, no file facts).
    description: ox.Dataset
    #: Whether the store holds stand-ins for literals (see the module's description): the quads
    #: are then read through `graph.loader.as_stated`, not by the store's own writers.
    stand_ins: bool = False
    #: Whether triples may stand outside every named graph (False: no need to look for them).
    unnamed: bool = True

    _described: dict[str, list[ox.Quad]] = field(default_factory=dict, repr=False)
    _blank: list[ox.Quad] | None = field(default=None, repr=False)

    def blank_quads(self) -> list[ox.Quad]:
        """The quads of the named graphs and outside them that hold a blank node (few: the
        ontology's class expressions), found once by a query inside the store."""
        if self._blank is None:
            self._blank = quads_with_blank_nodes(self.store, unnamed=self.unnamed)
        return self._blank

    def described(self, base: str = BASE) -> list[ox.Quad]:
        """The description's quads (in graph/catalog), under `base`; made once per base."""
        if base not in self._described:
            described = list(rebase_description(self.description, base))
            self._described[base] = as_stated(described) if self.stand_ins else described
        return self._described[base]

    def quads(self) -> list[ox.Quad]:
        """The quads of every named graph and the triples stated outside any; not the union."""
        quads = store_quads(self.store, unnamed=self.unnamed)
        return as_stated(quads) if self.stand_ins else quads


@collector_paused()
def from_files(
    paths: Sequence[Path] | None = None, *, inferred: bool = True, service: bool = True
) -> Exportable:
    """The bundled data (or the RDF files and folders `paths`), parsed into a store."""
    store = ox.Store()
    files = list(rdf_files(list(paths) if paths else [data_dir()]))
    populated = populate(store, files, inferred=inferred, in_memory=True, keep_lexical=True)
    drop_graph(store, ox.NamedNode(str(CATALOG_GRAPH)))  # an export read back: described afresh
    return Exportable(
        store,
        describe_store(store, service=service),
        unnamed=populated.unnamed_triples,
        stand_ins=populated.stand_ins,
    )


@collector_paused()
def from_store(path: Path, *, inferred: bool = True, service: bool = True) -> Exportable:
    """The on-disk store in `path` (read-only, maybe open elsewhere): read where it is when the
    export is the whole of it as it stands (so an export streams from the disk, and 10^7 triples
    fit in memory), else copied into memory; without `inferred`, less the inferred graph. The
    literals are as the store holds them (see the module's description)."""
    from mdq_graph.graph.dataset import INFERRED_GRAPH

    source = open_store(path).store
    if inferred and ox.NamedNode(str(CATALOG_GRAPH)) not in set(source.named_graphs()):
        unnamed = read_store_info(path).default_triples > 0
        return Exportable(source, describe_store(source, service=service), unnamed=unnamed)
    store = copy_named_graphs(source, unnamed=True)
    if not inferred:
        drop_graph(store, ox.NamedNode(str(INFERRED_GRAPH)))
    return Exportable(store, describe_store(store, service=service))


def from_engine(engine: Engine, *, service: bool = True) -> Exportable:
    """An engine's graphs (an on-disk store's, or an in-memory one's), less any description."""
    if engine.path is not None:
        return from_store(engine.path, service=service)
    store = copy_named_graphs(engine.store, unnamed=True)
    return Exportable(store, describe_store(store, service=service))


def from_dataset(dataset: Dataset, *, service: bool = True) -> Exportable:
    """An rdflib dataset, as `graph.dataset.load_dataset` gives (the edge for notebooks), its
    literals as the dataset holds them."""
    data = without_catalog(dataset)
    store = ox.Store()
    quads = ox.parse(data.serialize(format="nquads", encoding="utf-8"), ox.RdfFormat.N_QUADS)
    stand_ins = write_stated(store, quads)
    fill_union_graph(store)
    return Exportable(store, describe_store(store, service=service), stand_ins=stand_ins)


def export_graph(
    fmt: RdfFormat,
    graph: str = UNION,
    *,
    paths: Sequence[Path] | None = None,
    store_dir: Path | None = None,
    inferred: bool = True,
    jsonld: JsonLdOptions | None = None,
) -> bytes:
    """The export in `fmt` of the bundled data, of `paths`, or of the store in `store_dir`."""
    if store_dir is not None:
        exportable = from_store(store_dir, inferred=inferred)
    else:
        exportable = from_files(paths, inferred=inferred)
    return write_export(exportable, fmt, graph, jsonld=jsonld)


@collector_paused()
def write_export(
    exportable: Exportable,
    fmt: RdfFormat,
    graph: str = UNION,
    *,
    base: str = BASE,
    jsonld: JsonLdOptions | None = None,
) -> bytes:
    """The data with its description in `fmt` (a named graph, the default graph or the union), its
    IRIs moved under `base`: what `mdq-graph export` writes."""
    check_base(base)
    prefixes = rebased_prefixes(base)
    described = exportable.described(base)
    fast = not exportable.stand_ins and base == BASE  # the store's own quads are the data's
    if fmt.name == "nq" and graph == UNION and fast:
        return _nquads_from_store(exportable, described)
    blank: list[ox.Quad] | None = None
    if graph == UNION and not fmt.quads and fast:
        # The union is the store's default graph already: reading it is 4 s faster at 10^6
        # triples than gathering the triples of every graph again.
        chosen = list(exportable.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        chosen += (ox.Quad(q.subject, q.predicate, q.object) for q in described)
        blank = [
            ox.Quad(q.subject, q.predicate, q.object)
            for q in [*exportable.blank_quads(), *described]
            if _holds_blank_node(q)
        ]
    else:
        quads = rebase_quads(exportable.quads(), base) + described
        chosen = select_quads(
            quads, graph, keep_graphs=fmt.quads, graph_namespace=prefixes["graph"]
        )
    return write_rdf(
        chosen, fmt, prefixes=prefixes, base=prefixes["id"], jsonld=jsonld, blank_quads=blank
    )


def _nquads_from_store(exportable: Exportable, described: list[ox.Quad]) -> bytes:
    """The N-Quads export as `write_rdf` writes it, the quads without blank nodes written by the
    store's own serialiser graph by graph (at 10^6 triples in a third of the time it takes to
    write them from Python quads), those with blank nodes relabelled as `write_rdf` does."""
    store = exportable.store
    if any(isinstance(name, ox.BlankNode) for name in store.named_graphs()):
        return write_rdf(exportable.quads() + described, FORMATS["nq"])  # rare: read them all
    lines: list[bytes] = []
    for name in store.named_graphs():
        assert isinstance(name, ox.NamedNode)
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name) or b""
        # Every N-Triples line ends with " .": the graph goes before it (a literal's line break
        # is escaped, so the ending is never inside a term).
        lines += data.replace(b" .\n", f" <{name.value}> .\n".encode()).splitlines()
    blank = exportable.blank_quads()
    outside: list[ox.Quad] = []
    if exportable.unnamed:
        triples = store.query(UNNAMED_TRIPLES)
        assert isinstance(triples, ox.QueryTriples)
        outside = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    # The quads with blank nodes as the store labels them are replaced by their canonical lines.
    as_stored = set((ox.serialize(blank, format=ox.RdfFormat.N_QUADS) or b"").splitlines())
    lines = [line for line in lines if line not in as_stored] if as_stored else lines
    rest = write_rdf(
        [*blank, *(q for q in outside if not _holds_blank_node(q)), *described], FORMATS["nq"]
    )
    # Each line is there once (the store holds a quad once; the lines written here are of other
    # quads): sorted in place, with no set of them besides (at 10^7 triples, 1 GB less).
    lines += rest.splitlines()
    lines.sort()
    lines.append(b"")  # the last line's end
    return b"\n".join(lines)


def quads_with_blank_nodes(store: ox.Store, *, unnamed: bool = True) -> list[ox.Quad]:
    """The quads of the named graphs of `store` (whose default graph is their union) that hold
    a blank node, and (unless `unnamed=False`) such triples outside them."""
    where = "FILTER (isBlank(?s) || isBlank(?o) || isTRIPLE(?o))"
    rows = store.query(f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o {where} }} }}")
    assert isinstance(rows, ox.QuerySolutions)
    found = [ox.Quad(*row) for row in rows]
    if unnamed:
        outside = store.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o {where} "
            "FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"
        )
        found += (ox.Quad(t.subject, t.predicate, t.object) for t in outside)  # type: ignore[union-attr]
    return found


def _holds_blank_node(quad: ox.Quad) -> bool:
    """Whether the subject or object of `quad` is (or, a triple term, may hold) a blank node."""
    return isinstance(quad.subject, (ox.BlankNode, ox.Triple)) or isinstance(
        quad.object, (ox.BlankNode, ox.Triple)
    )


def published_catalog(
    exportable: Exportable, *, base: str = BASE, jsonld: JsonLdOptions | None = None
) -> tuple[ox.Dataset, dict[str, bytes]]:
    """The published catalog under `base` (the description with the byte size and SHA-256 of each
    export) and the exports themselves, by format name, as `write_export` writes them."""
    downloads = {
        fmt.name: write_export(exportable, fmt, base=base, jsonld=jsonld)
        for fmt in FORMATS.values()
    }
    described = with_file_facts(exportable.description, downloads)
    return rebase_description(described, base), downloads


def rebased_prefixes(base: str) -> dict[str, str]:
    """Our prefixes, with `mdq`, `id` and `graph` moved under `base` (as `rebase_dataset` binds)."""
    prefixes = dict(PREFIX_IRIS)
    for prefix in _REBASED_PREFIXES:
        prefixes[prefix] = rebase_iri(prefixes[prefix], base)
    return prefixes


def copy_named_graphs(source: ox.Store, *, unnamed: bool = True) -> ox.Store:
    """A new in-memory store with the named graphs of `source` (less graph/catalog) and the
    triples it states outside them, and their union in the default graph."""
    catalog = ox.NamedNode(str(CATALOG_GRAPH))
    store = ox.Store()
    store.bulk_extend(q for q in store_quads(source, unnamed=unnamed) if q.graph_name != catalog)
    fill_union_graph(store)
    return store


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
