"""What the server publishes, prepared once at start-up: the graph under its base, with its catalog.

The served dataset is the knowledge graph moved under the base (`--base-uri`), plus the published
DCAT-AP catalog (with the byte size and SHA-256 of each download) in graph/catalog, so that the
catalog's resources are queryable and dereferenceable like any other. The downloads are exactly
what `mdq-graph export` writes for that base (`export.exporter`, which also gives the catalog the
sizes and checksums of those very bytes), so their checksums hold. Everything here is read-only
and safe to share between threads.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Namespace

from mdq_graph.catalog.dcat import dump_path
from mdq_graph.catalog.lookup import Term, objects, subjects, text, value
from mdq_graph.export.exporter import (
    Exportable,
    from_dataset,
    from_engine,
    from_store,
    published_catalog,
    write_export,
)
from mdq_graph.formats.jsonld import JsonLdOptions
from mdq_graph.formats.rdf import write_rdf
from mdq_graph.graph.engine import Engine, fill_union_graph
from mdq_graph.graph.namespaces import (
    BASE,
    CONTEXT_IRI,
    DCAT,
    DCTERMS,
    PREFIXES,
    RDF,
    RDFS,
    VOID,
    XSD,
)
from mdq_graph.graph.rdf_formats import FORMATS, RdfFormat
from mdq_graph.graph.rebase import check_base, rebase_iri, rebase_quads
from mdq_graph.graph.resources import jsonld_context_file
from mdq_graph.query.curated import CuratedQuery, curated_queries
from mdq_graph.version import __version__
from mdq_graph.web.describe import Describer
from mdq_graph.web.views import Download, HomeView, Labels, Node
from mdq_graph.web.writers import SOLUTION_MEDIA_TYPES

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
W3C_FORMATS = Namespace("http://www.w3.org/ns/formats/")
#: The W3C format IRIs of the media types the endpoint writes.
FORMAT_IRIS = {
    "application/sparql-results+json": W3C_FORMATS.SPARQL_Results_JSON,
    "application/sparql-results+xml": W3C_FORMATS.SPARQL_Results_XML,
    "text/csv": W3C_FORMATS.SPARQL_Results_CSV,
    "text/tab-separated-values": W3C_FORMATS.SPARQL_Results_TSV,
    "text/turtle": W3C_FORMATS.Turtle,
    "application/ld+json": W3C_FORMATS["JSON-LD"],
    "application/n-triples": W3C_FORMATS["N-Triples"],
    "application/rdf+xml": W3C_FORMATS.RDF_XML,
}
#: Graph formats a CONSTRUCT or DESCRIBE result is written in (the triple formats of FORMATS).
GRAPH_FORMATS: tuple[RdfFormat, ...] = tuple(f for f in FORMATS.values() if not f.quads)
#: How the RDF representations of the server embed the JSON-LD context: in the document, so that
#: no client has to fetch it (from w3id.org) to read a response.
SERVER_JSONLD = JsonLdOptions()
_BASE_IN_TEXT = re.compile(re.escape(BASE))
#: The site's name until the catalog (which gives the dataset's title) is made.
DEFAULT_TITLE: Labels = (("en", "MDQ knowledge graph"), ("ja", "MDQ ナレッジグラフ"))


@dataclass(frozen=True)
class Exports:
    """What the catalog and the downloads are made of: the published catalog under the base (with
    byte sizes and checksums where they were computed), and what the exports are written from."""

    catalog: ox.Dataset
    exportable: Exportable


@dataclass
class Publication:
    """The served data and what is derived from it (see the module's description).

    `exports` makes the catalog and the data of the downloads when they are first needed (a large
    store's take a while); `store_path` is the on-disk store that the query workers open, if any.
    """

    base: str
    engine: Engine
    describer: Describer
    queries: tuple[CuratedQuery, ...]
    exports: Callable[[], Exports]
    store_path: Path | None = None
    _exports: Exports | None = None
    _cache: dict[tuple[str, str], bytes] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _building: threading.Lock = field(default_factory=threading.Lock)

    @property
    def ready(self) -> bool:
        """Whether the catalog has been made."""
        return self._exports is not None

    def prepared(self) -> Exports:
        """The catalog and the data of the downloads, made once (other callers wait for it)."""
        with self._building:
            if self._exports is None:
                self._exports = self.exports()
            return self._exports

    @property
    def catalog(self) -> ox.Dataset:
        """The published catalog."""
        return self.prepared().catalog

    @property
    def prefixes(self) -> dict[str, str]:
        """Our prefixes, with ours moved under the base."""
        return {p: rebase_iri(str(ns), self.base) for p, ns in PREFIXES.items()}

    @property
    def ontology_iri(self) -> str:
        """The IRI of the ontology document under the base."""
        return self.describer.ontology_iri

    @property
    def ontology_version_iri(self) -> str:
        """The IRI of this version of the ontology (its owl:versionIRI) under the base, which
        resolves to the ontology's document: the one version this build holds."""
        return f"{self.ontology_iri}/{__version__}"

    def is_ontology(self, iri: str) -> bool:
        """Whether `iri` is the ontology's, or its version's."""
        return iri in (self.ontology_iri, self.ontology_version_iri)

    @property
    def context_iri(self) -> str:
        """The IRI of the JSON-LD context under the base."""
        return rebase_iri(CONTEXT_IRI, self.base)

    def write(self, quads: list[ox.Quad], fmt: RdfFormat) -> bytes:
        """`quads` in `fmt`, as the exports write them (prefixes under the base, context embedded)."""
        prefixes = self.prefixes
        return write_rdf(quads, fmt, prefixes=prefixes, base=prefixes["id"], jsonld=SERVER_JSONLD)

    def _cached(self, key: tuple[str, str], make: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        data = make()
        with self._lock:
            self._cache[key] = data
        return data

    def download(self, fmt: RdfFormat) -> bytes:
        """The export in `fmt` (what `mdq-graph export` writes under this base)."""

        def make() -> bytes:
            return write_export(self.prepared().exportable, fmt, base=self.base)

        return self._cached(("download", fmt.name), make)

    def download_formats(self) -> dict[str, RdfFormat]:
        """The downloads by their path under the base (`download/mdq.ttl`, ...)."""
        return {dump_path(fmt): fmt for fmt in FORMATS.values()}

    def catalog_rdf(self, fmt: RdfFormat) -> bytes:
        """The published catalog (with sizes and checksums) in `fmt`."""
        return self._cached(("catalog", fmt.name), lambda: self.triples_bytes(self.catalog, fmt))

    def triples_bytes(self, triples: Iterable[ox.Triple | ox.Quad], fmt: RdfFormat) -> bytes:
        """Triples (of quads: their triples) in `fmt`, written like the rest of the publication."""
        return self.write([ox.Quad(t.subject, t.predicate, t.object) for t in triples], fmt)

    def context_document(self) -> bytes:
        """The JSON-LD context, its IRIs moved under the base."""
        text = jsonld_context_file().read_text(encoding="utf-8")
        if self.base != BASE:
            text = _BASE_IN_TEXT.sub(self.base, text)
        return text.encode("utf-8")

    def resource_rdf(self, iri: str, fmt: RdfFormat) -> bytes:
        """The description of `iri` in `fmt` (quad formats keep each statement's graph)."""
        described = self.describer.description(iri)
        quads = (
            described.quads()
            if fmt.quads
            else [
                ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                for t in described.triples()
            ]
        )
        return self.write(quads, fmt)

    def graph_rdf(self, iri: str, fmt: RdfFormat) -> bytes:
        """The contents of the named graph `iri` in `fmt` (not kept: a store's graphs can be large;
        the server keeps recent answers in a bounded cache)."""
        graph = ox.NamedNode(iri) if fmt.quads else ox.DefaultGraph()
        triples = self.describer.graph_triples(iri)
        return self.write([ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples], fmt)

    def home_view(self) -> HomeView:
        """The landing page's view model, from the published catalog."""
        return _home_view(self)

    def service_description(self, endpoint: str) -> list[ox.Quad]:
        """The SPARQL 1.1 Service Description of the endpoint at `endpoint`."""
        return service_description(endpoint, self)


def publish(
    source: Exportable | Engine | Dataset, base: str = BASE, *, service: bool = True
) -> Publication:
    """Prepare `source` (what `export.exporter` reads, an engine over a store, or a dataset as
    `load_dataset` gives) for serving under `base`; `UsageError` if the base is not an absolute
    http(s) IRI ending in '/'. Without `service` (a static site), the catalog describes no SPARQL
    endpoint.

    An on-disk store under the default base is served as it is: the query workers open it too, and
    its catalog (without byte sizes and checksums, which would need every export written) is made
    when first needed. Anything else is copied into memory under the base, with its catalog and
    its downloads, written once.
    """
    check_base(base)
    queries = tuple(_rebased_query(q, base) for q in curated_queries() if not q.needs_network)
    if isinstance(source, Engine) and source.path is not None and base == BASE:
        return _publish_store(source, source.path, queries, service)
    if isinstance(source, Exportable):
        exportable = source
    elif isinstance(source, Engine):
        exportable = from_engine(source, service=service)
    else:
        exportable = from_dataset(source, service=service)
    catalog, downloads = published_catalog(exportable, base=base)
    served = ox.Store()
    served.bulk_extend(rebase_quads(exportable.quads(), base))
    served.bulk_extend(catalog)
    fill_union_graph(served)
    engine = Engine(served)
    exports = Exports(catalog=catalog, exportable=exportable)
    publication = Publication(
        base=base,
        engine=engine,
        describer=Describer(engine, base),
        queries=queries,
        exports=lambda: exports,
        _exports=exports,
    )
    publication._cache.update({("download", name): data for name, data in downloads.items()})
    return publication


def _publish_store(
    engine: Engine, path: Path, queries: tuple[CuratedQuery, ...], service: bool
) -> Publication:
    """An on-disk store, served in place; its catalog is made when first needed."""

    def store_exports() -> Exports:
        exportable = from_store(path, service=service)
        return Exports(exportable.description, exportable)

    return Publication(
        base=BASE,
        engine=engine,
        describer=Describer(engine, BASE),
        queries=queries,
        exports=store_exports,
        store_path=path,
    )


def _rebased_query(query: CuratedQuery, base: str) -> CuratedQuery:
    """A curated query whose IRIs under the default base are moved under `base`."""
    if base == BASE:
        return query
    text = re.sub(
        r"<" + re.escape(BASE) + r"([^>]*)>", lambda m: f"<{base}{m.group(1)}>", query.text
    )
    return CuratedQuery(
        name=query.name,
        path=query.path,
        text=text,
        title=query.title,
        description=query.description,
        question=query.question,
        network=query.network,
    )


# --- the landing page -----------------------------------------------------------------------------


def _texts(catalog: ox.Dataset, subject: Term, predicate: str) -> Labels:
    return tuple(
        sorted(
            {
                (o.language or "", o.value)
                for o in objects(catalog, subject, predicate)
                if isinstance(o, ox.Literal)
            }
        )
    )


def _home_view(publication: Publication) -> HomeView:
    catalog = publication.catalog
    describer = publication.describer
    datasets = [s for s in subjects(catalog, RDF.type, DCAT.Dataset) if isinstance(s, ox.NamedNode)]
    if not datasets:
        return HomeView(title=DEFAULT_TITLE, queries=publication.queries)
    dataset = datasets[0]
    downloads = []
    for distribution in objects(catalog, dataset, DCAT.distribution):
        url = value(catalog, distribution, DCAT.downloadURL)
        media = value(catalog, distribution, DCAT.mediaType)
        if not isinstance(url, ox.NamedNode):
            continue
        fmt = next((f for f in FORMATS.values() if url.value.endswith(f.extension)), None)
        label = _texts(catalog, distribution, DCTERMS.title)
        downloads.append(
            Download(
                label=next(
                    (t for lang, t in label if lang == "en"), fmt.name if fmt else url.value
                ),
                media_type=fmt.media_type if fmt else (text(media) if media else ""),
                iri=url.value,
                extension=fmt.extension if fmt else "",
            )
        )
    license_iri = value(catalog, dataset, DCTERMS.license)
    publisher = value(catalog, dataset, DCTERMS.publisher)
    modified = value(catalog, dataset, DCTERMS.modified)
    examples = objects(catalog, dataset, VOID.exampleResource)
    sizes = {
        q.subject.value: int(q.object.value)
        for q in catalog.quads_for_predicate(ox.NamedNode(VOID.triples))
        if isinstance(q.object, ox.Literal)
        and isinstance(q.subject, ox.NamedNode)
        and q.subject.value.startswith(publication.base + "graph/")
    }
    graphs = tuple(
        (describer.iri_node(g), sizes.get(g, describer.graph_size(g)))
        for g in describer.graph_names()
    )
    return HomeView(
        title=_texts(catalog, dataset, DCTERMS.title),
        description=_texts(catalog, dataset, DCTERMS.description),
        license=describer.iri_node(license_iri.value)
        if isinstance(license_iri, ox.NamedNode)
        else None,
        publisher=describer.iri_node(publisher.value)
        if isinstance(publisher, ox.NamedNode)
        else None,
        modified=text(modified) if modified is not None else None,
        downloads=tuple(downloads),
        graphs=graphs,
        queries=publication.queries,
        schema_org=_schema_dataset(catalog),
        entry_points=tuple(describer.iri_node(text(e)) for e in examples),
    )


def _schema_dataset(catalog: ox.Dataset) -> dict[str, object]:
    from mdq_graph.catalog.schemaorg import schema_dataset_jsonld

    return schema_dataset_jsonld(catalog)


def site_title(publication: Publication) -> Labels:
    """The dataset's title in every language (for every page's header) once the catalog is made;
    a default before."""
    if not publication.ready:
        return DEFAULT_TITLE
    catalog = publication.catalog
    for dataset in subjects(catalog, RDF.type, DCAT.Dataset):
        titles = _texts(catalog, dataset, DCTERMS.title)
        if titles:
            return titles
    return DEFAULT_TITLE


def site_license(publication: Publication) -> Node | None:
    """The licence of the dataset, as a node with its label (None until the catalog is made)."""
    if not publication.ready:
        return None
    for dataset in subjects(publication.catalog, RDF.type, DCAT.Dataset):
        licence = value(publication.catalog, dataset, DCTERMS.license)
        if isinstance(licence, ox.NamedNode):
            return publication.describer.iri_node(licence.value)
    return None


# --- the service description ----------------------------------------------------------------------


def service_description(endpoint: str, publication: Publication) -> list[ox.Quad]:
    """The SPARQL 1.1 Service Description: the endpoint, its language, result formats, features,
    and its default dataset (the union default graph and every named graph, with sizes), as
    quads in the default graph."""
    describer = publication.describer
    quads: list[ox.Quad] = []

    def add(
        subject: ox.NamedNode | ox.BlankNode,
        predicate: str,
        obj: ox.NamedNode | ox.BlankNode | ox.Literal | str,
    ) -> None:
        quads.append(
            ox.Quad(
                subject, ox.NamedNode(predicate), ox.NamedNode(obj) if isinstance(obj, str) else obj
            )
        )

    service = ox.NamedNode(endpoint)
    add(service, RDF.type, SD.Service)
    add(service, SD.endpoint, service)
    add(service, SD.supportedLanguage, SD.SPARQL11Query)
    add(service, SD.feature, SD.UnionDefaultGraph)
    for media_type in (*SOLUTION_MEDIA_TYPES, *(f.media_type for f in GRAPH_FORMATS)):
        if media_type in FORMAT_IRIS:
            add(service, SD.resultFormat, FORMAT_IRIS[media_type])
    add(
        service,
        DCTERMS.title,
        ox.Literal("SPARQL endpoint of the MDQ knowledge graph", language="en"),
    )
    add(service, RDFS.seeAlso, publication.base)
    datasets = sorted(
        d.value
        for d in subjects(publication.catalog, RDF.type, DCAT.Dataset)
        if isinstance(d, ox.NamedNode)
    )
    described = ox.BlankNode("defaultDataset")
    add(service, SD.defaultDataset, described)
    add(described, RDF.type, SD.Dataset)
    if datasets:
        add(described, DCTERMS.source, datasets[0])
    default = ox.BlankNode("defaultGraph")
    add(described, SD.defaultGraph, default)
    add(default, RDF.type, SD.Graph)
    union = sum(1 for _ in describer.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    add(default, VOID.triples, ox.Literal(str(union), datatype=ox.NamedNode(XSD.integer)))
    for index, name in enumerate(describer.graph_names()):
        named, graph = ox.BlankNode(f"namedGraph{index}"), ox.BlankNode(f"graph{index}")
        add(described, SD.namedGraph, named)
        add(named, RDF.type, SD.NamedGraph)
        add(named, SD.name, name)
        add(named, SD.graph, graph)
        add(graph, RDF.type, SD.Graph)
        size = ox.Literal(str(describer.graph_size(name)), datatype=ox.NamedNode(XSD.integer))
        add(graph, VOID.triples, size)
    return quads


__all__ = ["Publication", "publish", "service_description"]
