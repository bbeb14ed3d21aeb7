"""The dataset's description for open data portals: a DCAT-AP 3.0.1 catalog with VoID statistics.

`build_catalog()` describes the knowledge graph as a `dcat:Catalog` holding one `dcat:Dataset`, a
`dcat:Distribution` per export format, the SPARQL endpoint as a `dcat:DataService` and a
`dcat:CatalogRecord`. Whatever can be derived from the graph is: titles from the meetings' labels,
temporal coverage from the events' dates, spatial coverage from the participating countries
(`mdq:euCountry`, with the bounding boxes and centroids of graph/geography), issue and modification
dates from the ontology, provenance from the named graphs' sources, VoID counts from the triples.
What is a choice (the EU data themes, the publisher type) is a constant in `authority.py`.

The facts are read from an Oxigraph store whose default graph is the union of its named graphs
(`describe_store`), by lookups and SPARQL queries inside it, as pyoxigraph terms; an rdflib dataset
(`build_catalog`, `export_parts`: the notebook edge) is put into such a store first. The description
itself is pyoxigraph quads in the named graph graph/catalog (an `ox.Dataset`), which the writers,
the VoID file, the schema.org view and the server read as they are.

A file cannot contain its own checksum. So the exports carry the description WITHOUT byte sizes and
checksums, in the named graph graph/catalog (`export_parts()`, which `mdq-graph export` uses), and
`export.exporter.published_catalog` (`mdq-graph catalog`, the published catalog.ttl) adds each
export file's byte size and SHA-256, computed from exactly those exports (`with_file_facts`).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Iterator, Mapping

import pyoxigraph as ox
from rdflib import Dataset, URIRef
from rdflib.term import Node

from mdq_graph.catalog.authority import (
    ADMS_LICENCE_TYPE,
    ADMS_PUBLISHER_TYPE,
    ADMS_STATUS,
    CC_BY_4,
    CONCEPT_LABELS,
    DCAT_AP,
    DCAT_VERSION,
    EU_ACCESS_RIGHT,
    EU_AVAILABILITY,
    EU_FREQUENCY,
    EU_LANGUAGES,
    EU_THEME_SCHEME,
    FORMAT_FACTS,
    IANA_MEDIA_TYPE,
    SPARQL_PROTOCOL,
    STANDARD_TITLES,
    THEMES,
)
from mdq_graph.catalog.schemaorg import schema_dataset_jsonld
from mdq_graph.catalog.void import OxTerm, describe_void, graph_sizes, select_rows, void_stats
from mdq_graph.formats.rdf import select_quads, write_rdf
from mdq_graph.graph.dataset import CATALOG_GRAPH, new_dataset
from mdq_graph.graph.engine import Engine
from mdq_graph.graph.namespaces import (
    ADMS,
    BASE,
    DCAT,
    DCATAP,
    DCTERMS,
    FOAF,
    ID,
    MDQ,
    ONTOLOGY_IRI,
    OWL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    SPDX,
    VCARD,
    VOID,
    XSD,
)
from mdq_graph.graph.rdf_formats import FORMATS, UNION, RdfFormat
from mdq_graph.graph.rebase import check_base, rebase_quads
from mdq_graph.graph.resources import shapes_dir
from mdq_graph.version import __version__

__all__ = [
    "CATALOG_GRAPH",
    "build_catalog",
    "describe_store",
    "dump_path",
    "export_parts",
    "schema_dataset_jsonld",
    "serialize_catalog",
    "without_catalog",
]

#: The named graph in which the exports carry the description.
_CATALOG = ox.NamedNode(CATALOG_GRAPH)

#: A subject or object of the description: an IRI as a string (our vocabularies' terms) or a term.
_Object = str | OxTerm
_Subject = _Object

_PREFIXES = """
PREFIX mdq:    <https://w3id.org/mdq/ontology#>
PREFIX rdfs:   <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos:   <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX prov:   <http://www.w3.org/ns/prov#>
"""


def dump_path(fmt: RdfFormat) -> str:
    """Where the export in `fmt` is published, relative to the base: `download/mdq.ttl`, ..."""
    return f"download/mdq{fmt.extension}"


class _Iri:
    """The IRIs of the description, under the default base (the result is rebased at the end), as
    strings."""

    catalog = BASE + "catalog"
    record = BASE + "catalog/record"
    contact = BASE + "catalog/contact"
    service = BASE + "catalog/sparql-service"
    dataset = BASE + "dataset"
    rights = BASE + "dataset/rights"
    provenance = BASE + "dataset/provenance"
    temporal = BASE + "dataset/temporal"
    landing_page = BASE
    endpoint = BASE + "sparql"

    @staticmethod
    def distribution(fmt: RdfFormat) -> str:
        return f"{BASE}dataset/distribution/{fmt.name}"

    @staticmethod
    def download(fmt: RdfFormat) -> str:
        return BASE + dump_path(fmt)


# --- The public functions ---------------------------------------------------------------------------


def build_catalog(dataset: Dataset, *, base_uri: str = BASE, service: bool = True) -> ox.Dataset:
    """The DCAT-AP 3.0.1 + VoID description of `dataset` (an rdflib dataset) that its exports
    carry, with its IRIs under `base_uri`: no byte sizes or checksums, which only the exports
    themselves can give (`export.exporter.published_catalog` adds them as it writes them).
    Without `service` (a static site), no SPARQL endpoint is described or linked to."""
    check_base(base_uri)
    _, description = export_parts(dataset, service=service)
    return rebase_description(description, base_uri)


def rebase_description(description: ox.Dataset, base: str) -> ox.Dataset:
    """`description` with every IRI under the default base moved to `base`, including IRIs written
    as plain literals (e.g. void:uriSpace); the same dataset when the bases are equal."""
    check_base(base)
    if base == BASE:
        return description
    moved = []
    for quad in rebase_quads(list(description), base):
        o = quad.object
        if isinstance(o, ox.Literal) and o.language is None and o.value.startswith(BASE):
            o = ox.Literal(base + o.value[len(BASE) :], datatype=o.datatype)
        moved.append(ox.Quad(quad.subject, quad.predicate, o, quad.graph_name))
    return ox.Dataset(moved)


def with_file_facts(description: ox.Dataset, files: Mapping[str, bytes]) -> ox.Dataset:
    """A copy of `description` (under the default base) with the byte size and SHA-256 of the
    export file of each format name in `files`, computed from its bytes."""
    out = ox.Dataset(description)
    for name, data in sorted(files.items()):
        _add_file_facts(out, FORMATS[name], data)
    return out


def export_parts(dataset: Dataset, *, service: bool = True) -> tuple[Dataset, ox.Dataset]:
    """What `mdq-graph export` writes: `dataset` without any description it already carries (an
    export read back), and its description without file sizes and checksums, as the graph named
    graph/catalog (for `export.serialize(..., catalog=)`)."""
    data = without_catalog(dataset)
    return data, _describe(Engine.from_dataset(data).store, service=service)


def describe_store(store: ox.Store, *, service: bool = True) -> ox.Dataset:
    """The description `export_parts` gives, of the graphs of a store whose default graph is their
    union (`mdq_graph.graph.loader.populate`) and that holds no graph/catalog; computed inside the store."""
    return _describe(store, service=service)


def serialize_catalog(description: ox.Dataset, fmt: RdfFormat) -> bytes:
    """The description in `fmt`; quad formats put it in its named graph (graph/catalog)."""
    return write_rdf(select_quads(list(description), UNION, keep_graphs=fmt.quads), fmt)


# --- What the description says that comes from the graph ---------------------------------------------


class _Facts:
    """The facts of the graph the description is made of, read once from the store's default
    graph (the union of its named graphs) by lookups and queries inside the store. They stay
    pyoxigraph terms, as the description states them."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        ontology = ox.NamedNode(ONTOLOGY_IRI)
        default: OxTerm = _ox(ID["org/mdq-graph-project"])
        project = next(iter(self.objects(ontology, DCTERMS.publisher)), default)
        self.project = project
        self.project_en = self.label(project, "en") or "mdq-graph project"
        self.project_ja = self.label(project, "ja") or self.project_en
        self.issued = _first(self.objects(ontology, DCTERMS.created))
        self.modified = _first(self.objects(ontology, DCTERMS.modified))
        self.meetings = [
            label
            for (label,) in self._rows(
                "SELECT ?label WHERE { ?m a mdq:Meeting ; rdfs:label ?label ; mdq:ordinal ?n } "
                "ORDER BY ?n ?label"
            )
            if isinstance(label, ox.Literal)
        ]
        # An aggregate over no event gives one unbound row: no temporal coverage.
        ((start, end),) = self._rows(
            "SELECT (MIN(?start) AS ?from) (MAX(?end) AS ?to) WHERE { "
            "?e a/rdfs:subClassOf* mdq:Event ; schema:startDate ?start ; schema:endDate ?end }"
        )
        self.start = None if start is None else (start)
        self.end = None if end is None else (end)
        self.countries = [
            (eu, country)
            for eu, country in self._rows(
                "SELECT DISTINCT ?eu ?country WHERE { ?event mdq:participatingCountry ?country . "
                "?country mdq:euCountry ?eu } ORDER BY ?eu"
            )
            if eu is not None and not isinstance(country, (ox.Literal, type(None)))
        ]
        self.sources = [
            source
            for (source,) in self._rows(
                # The sources named first, then their classes (10^6 triples: 0.3 s, where the
                # path evaluated first took 1.2 s).
                "SELECT DISTINCT ?source WHERE { { SELECT DISTINCT ?source WHERE { "
                "?graph prov:wasDerivedFrom ?source } } "
                "?source a/rdfs:subClassOf* mdq:SourceDocument } ORDER BY ?source"
            )
            if isinstance(source, (ox.NamedNode, ox.BlankNode))
        ]
        self.quotes = _count(self._rows("SELECT (COUNT(DISTINCT ?q) AS ?n) { ?q a mdq:Quote }"))
        # Pages the project cites as documents: it holds no text of them to quote.
        self.cited = _count(
            self._rows(
                "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a mdq:DocumentCitation . "
                "?g prov:wasDerivedFrom ?c . ?c a/rdfs:subClassOf* mdq:SourceDocument }"
            )
        )
        languages = {
            lang.value for s in self.sources for lang in self.objects(s, SCHEMA.inLanguage)
        }
        self.languages = [EU_LANGUAGES[tag] for tag in sorted(languages) if tag in EU_LANGUAGES]
        licences = {
            q.object
            for q in self.store.quads_for_pattern(
                None, _ox(DCTERMS.license), None, ox.DefaultGraph()
            )
            if isinstance(q.object, ox.NamedNode)
        }
        # The licence the named graphs state (one, CC BY 4.0); CC BY 4.0 where they state none.
        self.licence: _Object = min(licences, key=str) if len(licences) == 1 else CC_BY_4
        self.series = [
            label
            for (label,) in self._rows(
                "SELECT DISTINCT ?label WHERE { ?s a mdq:DialogueSeries ; rdfs:label ?label }"
            )
            if isinstance(label, ox.Literal)
        ]
        self.keywords = [
            keyword
            for (keyword,) in self._rows(
                "SELECT DISTINCT ?k WHERE { { ?t a mdq:Topic ; skos:prefLabel ?k } UNION "
                "{ ?s a mdq:DialogueSeries ; rdfs:label|skos:altLabel ?k } } ORDER BY ?k"
            )
            if keyword is not None
        ]

    def _rows(self, query: str) -> list[tuple[OxTerm | None, ...]]:
        return select_rows(self.store, _PREFIXES + query)

    def objects(self, subject: OxTerm, predicate: URIRef) -> list[OxTerm]:
        """The objects of (`subject`, `predicate`, ?)."""
        if isinstance(subject, ox.Literal):
            return []
        found = self.store.quads_for_pattern(subject, _ox(predicate), None, ox.DefaultGraph())
        return [q.object for q in found]  # type: ignore[misc]

    def subjects(self, predicate: URIRef, value: OxTerm) -> list[OxTerm]:
        """The subjects of (?, `predicate`, `value`)."""
        found = self.store.quads_for_pattern(None, _ox(predicate), value, ox.DefaultGraph())
        return [q.subject for q in found]  # type: ignore[misc]

    def label(self, node: OxTerm, lang: str) -> str | None:
        """The `lang` label of `node`, if it has one."""
        labels = [x.value for x in self.objects(node, RDFS.label) if _lang(x) == lang]
        return min(labels) if labels else None

    def meeting_names(self, lang: str) -> str:
        """The names of the meetings in `lang`, as a list in words ("A and B", "A、B")."""
        names = list(dict.fromkeys(m.value for m in self.meetings if _lang(m) == lang))
        if len(names) < 2:
            return names[0] if names else "MDQ"
        if lang == "ja":
            return "、".join(names)
        # Each name follows "the" where it is used ("the knowledge graph of the ...").
        return f"{', the '.join(names[:-1])} and the {names[-1]}"

    def several_meetings(self) -> bool:
        """Whether the graph knows more than one meeting (in some language)."""
        return any(
            len({m.value for m in self.meetings if _lang(m) == lang}) > 1 for lang in ("en", "ja")
        )

    def title_name(self, lang: str) -> str:
        """What the dataset is about, in a title: the meeting, or the series of the meetings."""
        series = sorted(label.value for label in self.series if _lang(label) == lang)
        return series[0] if self.several_meetings() and series else self.meeting_names(lang)

    def copy(
        self, g: ox.Dataset, subject: OxTerm, predicates: Iterable[URIRef], as_: _Subject
    ) -> None:
        """Add to `g` what the graph states of `subject` by `predicates`, about `as_`."""
        for p in predicates:
            for value in self.objects(subject, p):
                _add(g, as_, p, value)


def _ox(iri: str) -> ox.NamedNode:
    """A vocabulary term as a pyoxigraph IRI."""
    return ox.NamedNode(str(iri))


def _first(terms: list[OxTerm]) -> OxTerm | None:
    return terms[0] if terms else None


def _count(rows: list[tuple[OxTerm | None, ...]]) -> int:
    ((n,),) = rows
    return int(n.value) if isinstance(n, ox.Literal) else 0


def _lang(node: OxTerm) -> str | None:
    return node.language if isinstance(node, ox.Literal) else None


def _add(g: ox.Dataset, subject: _Subject, predicate: str, value: _Object) -> None:
    """Add the statement to the description; IRIs given as strings become IRIs."""
    s = ox.NamedNode(subject) if isinstance(subject, str) else subject
    o = ox.NamedNode(value) if isinstance(value, str) else value
    if isinstance(s, ox.Literal):
        raise TypeError(f"a literal cannot be the subject of a statement: {s}")
    g.add(ox.Quad(s, ox.NamedNode(predicate), o, _CATALOG))


def _remove(g: ox.Dataset, subject: str | None, predicate: str | None, value: str | None) -> None:
    """Remove the statements that match (None matches anything)."""
    for quad in list(g):
        if (
            (subject is None or quad.subject == ox.NamedNode(subject))
            and (predicate is None or quad.predicate == ox.NamedNode(predicate))
            and (value is None or quad.object == ox.NamedNode(value))
        ):
            g.remove(quad)


def _describe_itself(g: ox.Dataset, described: list[str]) -> None:
    """Say, inside graph/catalog, where its statements come from, as every named graph does (the
    shapes' NamedGraphHasSource): they are computed from the graphs they describe."""
    _add(g, CATALOG_GRAPH, RDF.type, MDQ.SourceGraph)
    _text(
        g,
        CATALOG_GRAPH,
        RDFS.label,
        "Description of the dataset (DCAT-AP 3.0.1, VoID), computed from its graphs",
        "データセットの記述(DCAT-AP 3.0.1、VoID)。各グラフから算出",
    )
    for name in described:
        _add(g, CATALOG_GRAPH, PROV.wasDerivedFrom, name)


def _text(g: ox.Dataset, subject: _Subject, predicate: str, en: str, ja: str) -> None:
    """An English and a Japanese text for `predicate` of `subject`."""
    _add(g, subject, predicate, ox.Literal(en, language="en"))
    _add(g, subject, predicate, ox.Literal(ja, language="ja"))


# --- Building the description -----------------------------------------------------------------------


def _describe(store: ox.Store, *, service: bool = True) -> ox.Dataset:
    """The description of the graphs of `store` (no file sizes or checksums), with IRIs under the
    default base."""
    g = ox.Dataset()
    facts = _Facts(store)
    _describe_project(g, facts)
    _describe_catalog(g, facts)
    _describe_dataset(g, facts)
    _describe_sources(g, facts)
    for fmt in FORMATS.values():
        _describe_distribution(g, facts, fmt)
    _describe_service(g, facts)
    if not service:
        _without_service(g, facts)
    _describe_vocabularies(g, facts)
    describe_void(g, ox.NamedNode(_Iri.dataset), void_stats(store, BASE + "id/"), BASE)
    sizes = graph_sizes(store)
    _describe_itself(g, sorted(sizes))
    for name, size in sorted(sizes.items()):
        graph = ox.NamedNode(name)
        _add(g, _Iri.dataset, VOID.subset, graph)
        _add(g, graph, RDF.type, VOID.Dataset)
        _add(g, graph, VOID.triples, ox.Literal(str(size), datatype=ox.NamedNode(XSD.integer)))
        facts.copy(g, ox.NamedNode(name), (RDFS.label, PROV.wasDerivedFrom, DCTERMS.source), graph)
    return g


def _describe_project(g: ox.Dataset, facts: _Facts) -> None:
    """The project as publisher and creator, and its contact point."""
    project = facts.project
    _add(g, project, RDF.type, FOAF.Agent)
    _add(g, project, RDF.type, FOAF.Organization)
    _text(g, project, FOAF.name, facts.project_en, facts.project_ja)
    # An open-source project that publishes for free: the closest ADMS publisher type.
    _add(g, project, DCTERMS.type, ADMS_PUBLISHER_TYPE.NonProfitOrganisation)
    _add(g, project, FOAF.homepage, _Iri.landing_page)
    _add(g, _Iri.landing_page, RDF.type, FOAF.Document)
    # The graph's maintainer answers questions about the graph; the sources' own contact points
    # (the Cabinet Office team of the releases) are given with the sources, see _describe_sources.
    _add(g, _Iri.contact, RDF.type, VCARD.Kind)
    _add(g, _Iri.contact, RDF.type, VCARD.Organization)
    _add(g, _Iri.contact, VCARD.fn, ox.Literal(facts.project_en))
    _add(g, _Iri.contact, VCARD.hasURL, _Iri.landing_page)


def _describe_catalog(g: ox.Dataset, facts: _Facts) -> None:
    """The catalog and its record of the dataset."""
    catalog = _Iri.catalog
    _add(g, catalog, RDF.type, DCAT.Catalog)
    _text(
        g,
        catalog,
        DCTERMS.title,
        f"Catalogue of the {facts.project_en}",
        f"{facts.project_ja}のカタログ",
    )
    _text(
        g,
        catalog,
        DCTERMS.description,
        f"The datasets and data services of the {facts.project_en}: the knowledge graph of the "
        f"{facts.meeting_names('en')} and its SPARQL endpoint.",
        f"{facts.project_ja}が公開するデータセットとデータサービス({facts.meeting_names('ja')}の"
        "ナレッジグラフとそのSPARQLエンドポイント)。",
    )
    _add(g, catalog, DCTERMS.publisher, facts.project)
    _add(g, catalog, DCTERMS.creator, facts.project)
    _add(g, catalog, FOAF.homepage, _Iri.landing_page)
    _add(g, catalog, DCTERMS.license, facts.licence)
    _add(g, catalog, DCTERMS.rights, _Iri.rights)
    _add(g, catalog, DCTERMS.conformsTo, DCAT_AP)
    _add(g, catalog, DCAT.themeTaxonomy, EU_THEME_SCHEME)
    _add(g, catalog, DCAT.dataset, _Iri.dataset)
    _add(g, catalog, DCAT.service, _Iri.service)
    _add(g, catalog, DCAT.record, _Iri.record)
    _add_coverage_and_dates(g, catalog, facts)

    record = _Iri.record
    _add(g, record, RDF.type, DCAT.CatalogRecord)
    _add(g, record, FOAF.primaryTopic, _Iri.dataset)
    _add(g, record, DCTERMS.conformsTo, DCAT_AP)
    _add(g, record, ADMS.status, ADMS_STATUS.Completed)
    _add_dates(g, record, facts)


def citation(facts: _Facts, title: str) -> str:
    """How to cite the dataset (as CITATION.cff says): who, when, what, which version, where."""
    dated = facts.modified or facts.issued
    year = f" ({dated.value[:4]})" if isinstance(dated, ox.Literal) else ""
    return (
        f"{facts.project_en}{year}. {title}: knowledge graph (version {__version__}) [Data set]. "
        f"{_Iri.dataset}"
    )


def _describe_dataset(g: ox.Dataset, facts: _Facts) -> None:
    """The dataset: what it is about, where and when, who made it, where to get it."""
    dataset = _Iri.dataset
    meeting_en, meeting_ja, n = facts.meeting_names("en"), facts.meeting_names("ja"), facts.quotes
    period = f" ({facts.start.value} to {facts.end.value})" if facts.start and facts.end else ""
    countries = len(facts.countries)
    _add(g, dataset, RDF.type, DCAT.Dataset)
    _add(g, dataset, RDF.type, DCAT.Resource)  # the record's foaf:primaryTopic must be one
    title_en, title_ja = facts.title_name("en"), facts.title_name("ja")
    _text(g, dataset, DCTERMS.title, f"{title_en}: knowledge graph", f"{title_ja}のナレッジグラフ")
    _text(
        g,
        dataset,
        DCTERMS.description,
        f"The facts that the sources state about the {meeting_en}{period} and "
        f"{'their' if facts.several_meetings() else 'its'} {countries} "
        "participating countries, as a linked-data knowledge graph: one named graph per source, each "
        f"fact traceable to the sentence it comes from ({n} quotes with Web Annotation selectors) "
        "or to the web page that states it, "
        "English and Japanese labels, links to Wikidata, GeoNames, the EU authority tables and ROR, "
        "and the national open data portals of the participating countries; described by an OWL "
        "ontology aligned with schema.org, PROV-O, DCAT and other standard vocabularies, and checked "
        "by SHACL shapes.",
        f"{meeting_ja}と参加{countries}か国について出典が述べる事実を、リンクトデータのナレッジグラフと"
        f"したもの。出典ごとの名前付きグラフ、各事実を裏付ける原文の引用({n}件)または事実を述べるウェブページ、英語・日本語のラベル、"
        "Wikidata・GeoNames・EU典拠表・RORへのリンク、参加国のオープンデータポータルを含み、"
        "schema.org・PROV-O・DCATなどの標準語彙に対応づけたOWLオントロジーとSHACLシェイプを備える。",
    )
    _add(g, dataset, DCTERMS.identifier, ox.Literal(str(dataset)))
    _add(g, dataset, DCTERMS.publisher, facts.project)
    _add(g, dataset, DCTERMS.creator, facts.project)
    _add(g, dataset, DCAT.contactPoint, _Iri.contact)
    _add(g, dataset, DCAT.landingPage, _Iri.landing_page)
    _add(g, dataset, DCAT_VERSION, ox.Literal(__version__))
    _add(g, dataset, DCTERMS.bibliographicCitation, ox.Literal(citation(facts, title_en)))
    _add(g, dataset, DCTERMS.license, facts.licence)
    _add(g, dataset, DCTERMS.rights, _Iri.rights)
    _add(g, dataset, DCTERMS.accessRights, EU_ACCESS_RIGHT.PUBLIC)
    # The graph changes when its sources do (a new release, a correction), not on a schedule.
    _add(g, dataset, DCTERMS.accrualPeriodicity, EU_FREQUENCY.IRREG)
    for keyword in facts.keywords:
        _add(g, dataset, DCAT.keyword, keyword)
    if facts.start is not None and facts.end is not None:
        _add(g, dataset, DCTERMS.temporal, _Iri.temporal)
        _add(g, _Iri.temporal, RDF.type, DCTERMS.PeriodOfTime)
        _add(g, _Iri.temporal, DCAT.startDate, facts.start)
        _add(g, _Iri.temporal, DCAT.endDate, facts.end)
    _add_coverage_and_dates(g, dataset, facts)
    _describe_standards(g, facts)
    _add(g, dataset, VOID.sparqlEndpoint, _Iri.endpoint)
    for fmt in FORMATS.values():
        _add(g, dataset, DCAT.distribution, _Iri.distribution(fmt))
        _add(g, dataset, VOID.dataDump, _Iri.download(fmt))
        _add(g, dataset, VOID.feature, FORMAT_FACTS[fmt.name][2])


def _add_coverage_and_dates(g: ox.Dataset, resource: str, facts: _Facts) -> None:
    """What the catalog and the dataset share: languages, themes, spatial coverage, dates."""
    for language in facts.languages:
        _add(g, resource, DCTERMS.language, language)
    for theme in THEMES:
        _add(g, resource, DCAT.theme, theme)
    for eu, country in facts.countries:
        _add(g, resource, DCTERMS.spatial, eu)
        _add(g, eu, RDF.type, DCTERMS.Location)
        facts.copy(g, country, (RDFS.label, DCAT.bbox, DCAT.centroid), eu)
    _add_dates(g, resource, facts)


def _add_dates(g: ox.Dataset, resource: str, facts: _Facts) -> None:
    """Issued and modified: the dates of the ontology, which every release of the graph updates."""
    if facts.issued is not None:
        _add(g, resource, DCTERMS.issued, facts.issued)
    if facts.modified is not None:
        _add(g, resource, DCTERMS.modified, facts.modified)


def _describe_standards(g: ox.Dataset, facts: _Facts) -> None:
    """dct:conformsTo the ontology and the shapes (with the titles their files give)."""
    ontology = ONTOLOGY_IRI
    _add(g, _Iri.dataset, DCTERMS.conformsTo, ontology)
    _add(g, ontology, RDF.type, DCTERMS.Standard)
    facts.copy(g, _ox(ontology), (DCTERMS.title, OWL.versionInfo), ontology)
    for quad in _shapes_standards():
        g.add(quad)


@functools.cache
def _shapes_standards() -> tuple[ox.Quad, ...]:
    """The bundled shapes files as standards the dataset conforms to, with their titles and
    versions (read once: they are part of the package)."""
    out = ox.Dataset()
    shapes = [
        quad
        for path in sorted(shapes_dir().glob("*.ttl"))
        for quad in ox.parse(path=path, format=ox.RdfFormat.TURTLE)
    ]
    ontologies = {
        q.subject.value
        for q in shapes
        if q.predicate.value == str(RDF.type) and q.object == ox.NamedNode(str(OWL.Ontology))
    }
    wanted = {str(DCTERMS.title), str(OWL.versionInfo)}
    for iri in sorted(ontologies):
        _add(out, _Iri.dataset, DCTERMS.conformsTo, iri)
        _add(out, iri, RDF.type, DCTERMS.Standard)
    for q in shapes:
        if q.subject.value in ontologies and q.predicate.value in wanted:
            _add(out, q.subject.value, q.predicate.value, q.object)
    return tuple(out)


def _describe_sources(g: ox.Dataset, facts: _Facts) -> None:
    """Provenance: the source documents, who to ask about them, the terms they come with."""
    dataset = _Iri.dataset
    titles, terms, files = [], [], []
    for source in facts.sources:
        _add(g, dataset, PROV.wasDerivedFrom, source)
        _add(g, source, RDF.type, FOAF.Document)
        for p_data, p_catalog in (
            (DCTERMS.title, DCTERMS.title),
            (SCHEMA.url, FOAF.page),
            (SCHEMA.datePublished, DCTERMS.issued),
            (SCHEMA.publisher, DCTERMS.publisher),
            (MDQ.contactPoint, DCAT.contactPoint),
        ):
            for value in facts.objects(source, p_data):
                _add(g, source, p_catalog, value)
        for contact in facts.objects(source, MDQ.contactPoint):
            facts.copy(g, contact, (VCARD.fn, VCARD.hasTelephone, RDFS.label), contact)
        title = min((t.value for t in facts.objects(source, DCTERMS.title)), default=source.value)
        url = min((u.value for u in facts.objects(source, SCHEMA.url)), default="")
        titles.append(f"{title} <{url}>" if url else title)
        terms += sorted(f"{title}: {t.value}" for t in facts.objects(source, MDQ.termsOfUse))
        # Whose terms apply to each source (and to the words quoted from it), as the data records.
        for rights in facts.objects(source, DCTERMS.rights):
            _add(g, source, DCTERMS.rights, rights)
            _add(g, rights, RDF.type, DCTERMS.RightsStatement)
            facts.copy(g, rights, (RDFS.label,), rights)
            terms += [f"{title}: {facts.label(rights, 'en') or rights.value}."]
        publishers = sorted(
            facts.label(p, "en") or p.value for p in facts.objects(source, SCHEMA.publisher)
        )
        for text in facts.subjects(MDQ.textOf, source):
            files += [
                f"{name.value} ({', '.join(publishers)})"
                for name in facts.objects(text, MDQ.fileName)
            ]

    _add(g, dataset, DCTERMS.provenance, _Iri.provenance)
    _add(g, _Iri.provenance, RDF.type, DCTERMS.ProvenanceStatement)
    _text(
        g,
        _Iri.provenance,
        RDFS.label,
        f"Compiled by the {facts.project_en} from {len(titles)} sources: {'; '.join(titles)}. Each "
        "named graph holds what one source states and names it (prov:wasDerivedFrom, dct:source); "
        f"{facts.quotes} quotes (Web Annotation selectors into the shipped source texts) point at "
        "the sentences the facts rest on."
        + (
            f" The facts of {facts.cited} web pages the project holds no text of rest on the pages"
            " themselves, cited as documents (address, publisher, the day they were read)."
            if facts.cited
            else ""
        ),
        f"{len(titles)}件の出典から作成。名前付きグラフごとに一つの出典の記述を収め、その出典を示す"
        f"(prov:wasDerivedFrom、dct:source)。{facts.quotes}件の引用が、事実の根拠となる原文を指す。"
        + (
            f"本文を保持しない{facts.cited}件のウェブページの事実は、文書として参照するページ自体"
            "(アドレス、発行者、取得日)を根拠とする。"
            if facts.cited
            else ""
        ),
    )
    _add(g, _Iri.rights, RDF.type, DCTERMS.RightsStatement)
    stated = f" The terms recorded for each source: {' '.join(terms)}" if terms else ""
    _text(
        g,
        _Iri.rights,
        RDFS.label,
        "The graph, its ontology and this description: CC BY 4.0. The source texts shipped with the "
        f"graph for quotation ({'; '.join(sorted(files)) or 'none'}) remain their publishers' works, "
        f"quoted with attribution under the publishers' terms of use, not under CC BY 4.0.{stated}",
        "グラフ、オントロジー、この記述はCC BY 4.0。引用のために同梱する出典のテキストは各発行者の"
        "著作物であり、発行者の利用規約に従い出典を明示して引用する。",
    )


def _describe_distribution(g: ox.Dataset, facts: _Facts, fmt: RdfFormat) -> None:
    """One export file: where, which format, which licence (its size comes from the file itself)."""
    distribution, url = _Iri.distribution(fmt), _Iri.download(fmt)
    label, file_type, w3c_format = FORMAT_FACTS[fmt.name]
    _add(g, distribution, RDF.type, DCAT.Distribution)
    _text(
        g,
        distribution,
        DCTERMS.title,
        f"The knowledge graph in {label}",
        f"ナレッジグラフ({label})",
    )
    if fmt.quads:
        what = ("every named graph kept, this description (graph/catalog) included",
                "名前付きグラフを保ち、この記述(graph/catalog)を含む")  # fmt: skip
    else:
        what = ("the union of the named graphs as one graph, this description included",
                "名前付きグラフの和集合を一つのグラフとし、この記述を含む")  # fmt: skip
    _text(
        g,
        distribution,
        DCTERMS.description,
        f"The whole knowledge graph in {label} ({fmt.media_type}): {what[0]}.",
        f"ナレッジグラフ全体の{label}形式({fmt.media_type})。{what[1]}。",
    )
    _add(g, distribution, DCAT.accessURL, url)
    _add(g, distribution, DCAT.downloadURL, url)
    media_type = IANA_MEDIA_TYPE[fmt.media_type]
    _add(g, distribution, DCAT.mediaType, media_type)
    _add(g, media_type, RDF.type, DCTERMS.MediaType)
    _add(g, distribution, DCTERMS.format, file_type)
    _add(g, file_type, RDF.type, DCTERMS.MediaTypeOrExtent)
    _add(g, distribution, DCTERMS.conformsTo, w3c_format)
    _add(g, w3c_format, RDF.type, DCTERMS.Standard)
    _add(g, w3c_format, DCTERMS.title, ox.Literal(label, language="en"))
    _add(g, distribution, DCTERMS.license, facts.licence)
    _add(g, distribution, DCTERMS.rights, _Iri.rights)
    _add(g, distribution, DCATAP.availability, EU_AVAILABILITY.STABLE)
    _add_dates(g, distribution, facts)


def _describe_service(g: ox.Dataset, facts: _Facts) -> None:
    """The SPARQL endpoint as a data service that serves the dataset."""
    service = _Iri.service
    _add(g, service, RDF.type, DCAT.DataService)
    _text(
        g,
        service,
        DCTERMS.title,
        f"SPARQL endpoint: {facts.title_name('en')}",
        f"SPARQLエンドポイント({facts.title_name('ja')})",
    )
    _text(
        g,
        service,
        DCTERMS.description,
        "A SPARQL 1.1 Protocol endpoint over the knowledge graph: the default graph is the union of "
        "the named graphs, each of which GRAPH can query. A GET without a query returns the service "
        "description.",
        "ナレッジグラフに対するSPARQL 1.1プロトコルのエンドポイント。既定グラフは名前付きグラフの"
        "和集合で、各名前付きグラフはGRAPHで問い合わせできる。",
    )
    _add(g, service, DCAT.endpointURL, _Iri.endpoint)
    _add(g, service, DCAT.endpointDescription, _Iri.endpoint)
    _add(g, service, DCAT.servesDataset, _Iri.dataset)
    _add(g, service, DCTERMS.conformsTo, SPARQL_PROTOCOL)
    _add(g, service, DCTERMS.publisher, facts.project)
    _add(g, service, DCAT.contactPoint, _Iri.contact)
    _add(g, service, DCAT.landingPage, _Iri.landing_page)
    _add(g, service, DCTERMS.license, facts.licence)
    _add(g, service, DCTERMS.accessRights, EU_ACCESS_RIGHT.PUBLIC)
    for theme in THEMES:
        _add(g, service, DCAT.theme, theme)
    _text(g, service, DCAT.keyword, "SPARQL endpoint", "SPARQLエンドポイント")
    for keyword in facts.keywords:
        _add(g, service, DCAT.keyword, keyword)


def _without_service(g: ox.Dataset, facts: _Facts) -> None:
    """Leave the SPARQL endpoint out (a static site has none): no data service, no link to one."""
    _remove(g, _Iri.service, None, None)
    _remove(g, None, None, _Iri.service)
    _remove(g, None, VOID.sparqlEndpoint, None)
    _remove(g, _Iri.catalog, DCTERMS.description, None)
    _text(
        g,
        _Iri.catalog,
        DCTERMS.description,
        f"The datasets of the {facts.project_en}: the knowledge graph of the "
        f"{facts.meeting_names('en')}.",
        f"{facts.project_ja}が公開するデータセット({facts.meeting_names('ja')}のナレッジグラフ)。",
    )


def _describe_vocabularies(g: ox.Dataset, facts: _Facts) -> None:
    """The controlled-vocabulary values used, typed and labelled as DCAT-AP expects."""
    _add(g, EU_THEME_SCHEME, RDF.type, SKOS.ConceptScheme)
    _add(g, EU_THEME_SCHEME, DCTERMS.title, ox.Literal("Data theme", language="en"))
    _text(g, EU_THEME_SCHEME, SKOS.prefLabel, "Data theme", "データテーマ")
    for concept, label in CONCEPT_LABELS.items():
        _add(g, concept, RDF.type, SKOS.Concept)
        _add(g, concept, SKOS.prefLabel, ox.Literal(label, language="en"))
        if concept in THEMES:
            _add(g, concept, SKOS.inScheme, EU_THEME_SCHEME)
    for standard, title in STANDARD_TITLES.items():
        _add(g, standard, RDF.type, DCTERMS.Standard)
        _add(g, standard, DCTERMS.title, ox.Literal(title, language="en"))
    for language in facts.languages:
        _add(g, language, RDF.type, DCTERMS.LinguisticSystem)
    _add(g, facts.licence, RDF.type, DCTERMS.LicenseDocument)
    _add(g, facts.licence, DCTERMS.type, ADMS_LICENCE_TYPE.Attribution)
    _add(
        g, facts.licence, RDFS.label, ox.Literal("Creative Commons Attribution 4.0", language="en")
    )
    _add(g, EU_ACCESS_RIGHT.PUBLIC, RDF.type, DCTERMS.RightsStatement)
    _add(g, EU_ACCESS_RIGHT.PUBLIC, RDFS.label, ox.Literal("public", language="en"))
    _add(g, EU_FREQUENCY.IRREG, RDF.type, DCTERMS.Frequency)
    _add(g, EU_FREQUENCY.IRREG, RDFS.label, ox.Literal("irregular", language="en"))
    _add(g, SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm)


def _add_file_facts(g: ox.Dataset, fmt: RdfFormat, data: bytes) -> None:
    """The byte size and SHA-256 of the export file of `fmt`."""
    distribution = _Iri.distribution(fmt)
    checksum = f"{distribution}/checksum"
    _add(
        g,
        distribution,
        DCAT.byteSize,
        ox.Literal(str(len(data)), datatype=ox.NamedNode(XSD.nonNegativeInteger)),
    )
    _add(g, distribution, SPDX.checksum, checksum)
    _add(g, checksum, RDF.type, SPDX.Checksum)
    _add(g, checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
    digest = hashlib.sha256(data).hexdigest()
    _add(
        g,
        checksum,
        SPDX.checksumValue,
        ox.Literal(str(digest), datatype=ox.NamedNode(XSD.hexBinary)),
    )


# --- Datasets with and without the description ---------------------------------------


def _quads(dataset: Dataset) -> Iterator[tuple[Node, Node, Node, Node]]:
    """Every quad of `dataset`, with its graph as an identifier."""
    for s, p, o, g in dataset.quads((None, None, None, None)):
        yield s, p, o, getattr(g, "identifier", g)  # type: ignore[misc]


def without_catalog(dataset: Dataset) -> Dataset:
    """`dataset`, or a copy of it without the description it carries (e.g. an export read back)."""
    if not any(name == CATALOG_GRAPH for *_, name in _quads(dataset)):
        return dataset
    out = new_dataset()
    out.addN(
        (s, p, o, out.graph(name))  # type: ignore[arg-type]
        for s, p, o, name in _quads(dataset)
        if name != CATALOG_GRAPH
    )
    return out
