"""The view models pages are rendered from: plain data, independent of language and of links.

`describe.py` builds them from the store; `pages.py` renders them for one language, with links
made by a `Links` object: the server's gives absolute paths, a static site's relative file paths.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from mdq_graph.query.curated import CuratedQuery

#: Texts in several languages: (language tag, or "" for none; text) pairs, in a stable order.
Labels = tuple[tuple[str, str], ...]

#: The languages pages are written in; the first is the fallback.
PAGE_LANGUAGES: tuple[str, ...] = ("en", "ja")

T = TypeVar("T")


def pick(labels: Labels, lang: str, fallback: str = "en") -> tuple[str, str] | None:
    """The (language, text) to show for `lang`: that language (or a sub-tag of it), else
    `fallback`, else one without a language, else the first; None if there is none."""
    if not labels:
        return None

    def matches(tag: str, wanted: str) -> bool:
        return tag.lower() == wanted or tag.lower().startswith(f"{wanted}-")

    for wanted in (lang.lower(), fallback.lower(), ""):
        for tag, text in labels:
            if (not wanted and not tag) or (wanted and matches(tag, wanted)):
                return tag, text
    return labels[0]


@dataclass(frozen=True)
class Node:
    """An RDF term on a page. IRIs carry their labels and, in a known namespace, a CURIE."""

    kind: str  # "uri", "bnode", "literal" or "triple"
    value: str
    language: str | None = None
    datatype: str | None = None
    labels: Labels = ()
    curie: str | None = None

    @property
    def is_iri(self) -> bool:
        """Whether the term is an IRI."""
        return self.kind == "uri"


@dataclass(frozen=True)
class Value:
    """One value of a property: the term, the named graphs that state it, and, for a blank node,
    its own description."""

    node: Node
    graphs: tuple[Node, ...] = ()
    nested: tuple[PropertyGroup, ...] = ()


@dataclass(frozen=True)
class PropertyGroup:
    """A property and its values; `more` counts values left out of the page."""

    property: Node
    values: tuple[Value, ...]
    more: int = 0


@dataclass(frozen=True)
class QuoteView:
    """A sentence of a source that supports facts: the words, where they are, what they support."""

    iri: str
    exact: str
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None
    language: str | None = None
    source: Node | None = None
    source_url: str | None = None
    text: Node | None = None
    supports: tuple[Node, ...] = ()
    describes: tuple[Node, ...] = ()
    graph: Node | None = None
    #: How the interpretations that read this quote read its words (for the page's resource).
    readings: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceNote:
    """A named graph that states facts on a page, the document it comes from, and its licence;
    whether the project quotes the document's text it holds, or cites a page it holds no text of
    (and the day it read it)."""

    graph: Node
    sources: tuple[Node, ...] = ()
    urls: tuple[str, ...] = ()
    licenses: tuple[Node, ...] = ()
    quoted: bool = False
    cited: bool = False
    retrieved: str | None = None


@dataclass(frozen=True)
class Claim:
    """What one source graph gives for a property of a resource."""

    graph: Node
    values: tuple[Node, ...]
    urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Disagreement:
    """A property whose values the sources give in full and differently: each source's claim."""

    property: Node
    claims: tuple[Claim, ...]


@dataclass(frozen=True)
class KnownMeeting:
    """A meeting of a series the graph knows, with the graphs that describe it."""

    ordinal: int
    meeting: Node
    graphs: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Download:
    """A representation to download: what it is, its media type, and the IRI it is published at."""

    label: str
    media_type: str
    iri: str
    extension: str = ""


@dataclass(frozen=True)
class ResourceView:
    """Everything a resource's page shows: its concise bounded description, the links into it, the
    quotes behind its facts, their sources, and its schema.org description (JSON-LD)."""

    iri: str
    labels: Labels = ()
    descriptions: Labels = ()
    types: tuple[Node, ...] = ()
    properties: tuple[PropertyGroup, ...] = ()
    inferred: tuple[PropertyGroup, ...] = ()
    incoming: tuple[PropertyGroup, ...] = ()
    quotes: tuple[QuoteView, ...] = ()
    sources: tuple[SourceNote, ...] = ()
    schema_org: Mapping[str, object] = field(default_factory=dict)
    downloads: tuple[Download, ...] = ()
    #: For a named graph: how many triples it holds (its RDF representations are its contents).
    graph_size: int | None = None
    #: The properties on which the sources disagree, each source's claim side by side.
    disagreements: tuple[Disagreement, ...] = ()
    #: For a dialogue series: the meetings the graph knows, and the ordinals below the last that
    #: no source describes.
    meetings: tuple[KnownMeeting, ...] = ()
    unknown_ordinals: tuple[int, ...] = ()


@dataclass(frozen=True)
class TermView:
    """One class or property of the ontology, with its anchor on the ontology page."""

    iri: str
    anchor: str
    kind: str  # "class", "object property", "datatype property", "annotation property", "property"
    labels: Labels = ()
    definitions: Labels = ()
    properties: tuple[PropertyGroup, ...] = ()


@dataclass(frozen=True)
class OntologyView:
    """The ontology page: the ontology's own description, then every term with an anchor."""

    ontology: ResourceView
    terms: tuple[TermView, ...] = ()


@dataclass(frozen=True)
class HomeView:
    """The landing page: the dataset as the catalog describes it, and the curated queries."""

    title: Labels
    description: Labels = ()
    license: Node | None = None
    publisher: Node | None = None
    modified: str | None = None
    downloads: tuple[Download, ...] = ()
    graphs: tuple[tuple[Node, int], ...] = ()
    queries: tuple[CuratedQuery, ...] = ()
    schema_org: Mapping[str, object] = field(default_factory=dict)
    entry_points: tuple[Node, ...] = ()
    #: Descriptions of the dataset published as files (a static site's catalog and VoID).
    metadata: tuple[Download, ...] = ()


@dataclass(frozen=True)
class ResultsView:
    """A query's result for a page: a table of terms, or a boolean; whether it was cut off."""

    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Node | None, ...], ...] = ()
    boolean: bool | None = None
    truncated: bool = False
    seconds: float | None = None


@dataclass(frozen=True)
class QueryView:
    """The query form: the text in it, the curated queries to choose from, and any result."""

    query: str = ""
    selected: str | None = None
    queries: tuple[CuratedQuery, ...] = ()
    results: ResultsView | None = None
    error: str | None = None
    max_rows: int | None = None
    timeout: float | None = None


@dataclass(frozen=True)
class AnsweredQuery:
    """A curated query with its answer, computed when a static site was built: a table (SELECT,
    ASK) or the size of a graph (CONSTRUCT, DESCRIBE), and the files it is published as."""

    query: CuratedQuery
    results: ResultsView | None = None
    triples: int | None = None
    files: tuple[Download, ...] = ()


@dataclass(frozen=True)
class QueriesView:
    """The curated queries of a static site, which has no endpoint to run them."""

    queries: tuple[AnsweredQuery, ...] = ()


@dataclass(frozen=True)
class ErrorView:
    """An error page: the status and a message for people."""

    status: int
    title: str
    message: str


class Links(Protocol):
    """Where a page links to; the server and a static site each make their own."""

    def resource(self, iri: str) -> str | None:
        """The href of an IRI published here (None for others, which are linked as they are)."""
        ...

    def representation(self, iri: str, extension: str) -> str | None:
        """The href of an IRI's description in the format of a file extension (e.g. `.ttl`)."""
        ...

    def language(self, lang: str) -> str:
        """The href of the current page in language `lang`."""
        ...

    def page(self, name: str, params: Mapping[str, str] | None = None) -> str | None:
        """The href of a page of the site: "home", "sparql", "ontology", "asset/<file>", "queries"
        (a static site's list of curated queries) or "query" (where the curated query named by
        `params["name"]` is shown); None if the site has no such page (a static site has no
        SPARQL endpoint, the server no list of queries apart from its query form)."""
        ...


@dataclass(frozen=True)
class Site:
    """What every page shows: the dataset's name, its licence, the languages, and the links."""

    title: Labels
    links: Links
    license: Node | None = None
    languages: Sequence[str] = PAGE_LANGUAGES


@dataclass(frozen=True)
class Page(Generic[T]):
    """A view model with the site it is shown on."""

    site: Site
    content: T
