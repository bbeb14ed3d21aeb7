"""Renders the HTML pages: pure functions of a view model and a language, with pluggable links.

Every renderer takes a `Page` (the view model and the `Site`, whose `Links` decide every href) and
the language of the page, and returns the HTML document; nothing is read from the store or the
request here, so the server and a static site render the same pages from the same view models.
Templates are Jinja2 (`templates/`, autoescaped); the stylesheet and script are `static/`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from mdq_graph.graph.rdf_formats import FORMATS
from mdq_graph.query.curated import CuratedQuery
from mdq_graph.web.hosting import PAGE_CONTENT_SECURITY_POLICY
from mdq_graph.web.views import (
    PAGE_LANGUAGES,
    ErrorView,
    HomeView,
    Labels,
    Node,
    OntologyView,
    Page,
    PropertyGroup,
    QueriesView,
    QueryView,
    ResourceView,
    Site,
    pick,
)

LANGUAGE_NAMES = {"en": "English", "ja": "日本語"}
XSD = "http://www.w3.org/2001/XMLSchema#"
_DATE_TYPES = {XSD + "date", XSD + "dateTime", XSD + "gYear", XSD + "gYearMonth"}

#: The words of the pages themselves, in each page language.
TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "skip": "Skip to the content",
        "site_navigation": "Site",
        "language": "Language",
        "home": "Home",
        "ontology": "Ontology",
        "sparql": "SPARQL endpoint",
        "type": "Type",
        "formats": "This description as",
        "facts": "Facts",
        "property": "Property",
        "value": "Value",
        "subject": "From",
        "quotes": "Supporting sentences",
        "quotes_note": "The sentences of the sources that state the facts above, with their place in the source text.",
        "original": "original",
        "characters": "characters {start}–{end}",
        "quote_resource": "The quote as a resource",
        "supports": "States",
        "read_as": "Read as",
        "incoming": "Links to this resource",
        "inferred": "Inferred statements (standard vocabularies)",
        "inferred_note": "What the ontology's alignments entail in schema.org, PROV-O, ORG, FOAF and SKOS terms (graph/inferred).",
        "sources": "Sources of this page",
        "licence": "Licence",
        "data_licence": "Data licence",
        "code_licence": "Code: MIT.",
        "more": "and {count} more (use the SPARQL endpoint to list them all)",
        "more_here": "and {count} more, left out of this page",
        "named_graph": "Named graph",
        "graph_size": "This named graph holds {count} triples; its Turtle, JSON-LD and N-Triples representations are its contents.",
        "terms": "Classes and properties",
        "kinds": {
            "class": "Class",
            "object property": "Object property",
            "datatype property": "Datatype property",
            "annotation property": "Annotation property",
            "property": "Property",
            "individual": "Individual",
        },
        "publisher": "Publisher",
        "modified": "Last modified",
        "start_here": "Start here",
        "queries": "Example questions (curated SPARQL queries)",
        "downloads": "Downloads",
        "format": "Format",
        "media_type": "Media type",
        "file": "File",
        "graphs": "Named graphs",
        "triples": "Triples",
        "query_note": "Read-only SPARQL 1.1. Queries stop after {timeout:g} s; results are cut at {rows} rows. SERVICE and updates are refused.",
        "curated": "Curated query",
        "choose": "Choose a curated query…",
        "load": "Load",
        "query": "SPARQL query",
        "result_format": "Result format",
        "run": "Run query",
        "error": "The query could not run",
        "results": "Results",
        "rows": "{count} rows",
        "truncated": "The result was cut at {rows} rows (the server's limit); add LIMIT and OFFSET to page through it.",
        "yes": "Yes",
        "no": "No",
        "back_home": "Back to the home page",
        "blank_node": "(blank node)",
        "queries_nav": "Queries",
        "metadata": "About this dataset (for portals and crawlers)",
        "description_of": "Description",
        "static_queries": "Curated SPARQL queries",
        "static_queries_note": "This site is static: it has no SPARQL endpoint. Each query is shown with the answer it gave when the site was built. To run one yourself, download the graph and use mdq-graph query -f FILE.rq, or any SPARQL 1.1 engine.",
        "answer": "Answer",
        "graph_answer": "The result is a graph of {count} triples.",
        "files": "Files",
        "disagreements": "Where the sources disagree",
        "disagreements_note": "Each source's claim side by side, in the named graph of its source; none is settled as the truth.",
        "source": "Source",
        "claim": "Says",
        "known_meetings": "Meetings the graph knows",
        "ordinal": "No. {n}",
        "unknown_meetings": "No source in the graph describes the meetings numbered {ordinals}: the graph says nothing of them.",
        "quoted_source": "The project holds its text and quotes it",
        "cited_source": "Cited as a document: the project holds no text of it (read on {date})",
    },
    "ja": {
        "skip": "本文へ移動",
        "site_navigation": "サイト",
        "language": "言語",
        "home": "ホーム",
        "ontology": "オントロジー",
        "sparql": "SPARQLエンドポイント",
        "type": "種類",
        "formats": "この記述の形式",
        "facts": "記述",
        "property": "プロパティ",
        "value": "値",
        "subject": "リンク元",
        "quotes": "根拠となる文",
        "quotes_note": "上の記述の根拠となる出典の文と、出典テキスト内の位置。",
        "original": "原文",
        "characters": "{start}〜{end}文字目",
        "quote_resource": "引用のリソース",
        "supports": "述べている事実",
        "read_as": "解釈",
        "incoming": "このリソースへのリンク",
        "inferred": "推論された記述(標準語彙)",
        "inferred_note": "オントロジーの対応づけから導かれる schema.org・PROV-O・ORG・FOAF・SKOS の記述(graph/inferred)。",
        "sources": "このページの出典",
        "licence": "ライセンス",
        "data_licence": "データのライセンス",
        "code_licence": "コード: MIT。",
        "more": "ほか{count}件(すべてはSPARQLエンドポイントで一覧できます)",
        "more_here": "ほか{count}件(このページでは省略)",
        "named_graph": "名前付きグラフ",
        "graph_size": "この名前付きグラフは{count}個のトリプルを持ちます。Turtle・JSON-LD・N-Triples の表現はその内容です。",
        "terms": "クラスとプロパティ",
        "kinds": {
            "class": "クラス",
            "object property": "オブジェクトプロパティ",
            "datatype property": "データ型プロパティ",
            "annotation property": "注釈プロパティ",
            "property": "プロパティ",
            "individual": "個体",
        },
        "publisher": "発行者",
        "modified": "最終更新",
        "start_here": "ここから",
        "queries": "質問の例(SPARQLクエリ集)",
        "downloads": "ダウンロード",
        "format": "形式",
        "media_type": "メディアタイプ",
        "file": "ファイル",
        "graphs": "名前付きグラフ",
        "triples": "トリプル数",
        "query_note": "読み取り専用のSPARQL 1.1です。クエリは{timeout:g}秒で停止し、結果は{rows}行までです。SERVICEと更新は受け付けません。",
        "curated": "クエリ集",
        "choose": "クエリを選ぶ…",
        "load": "読み込む",
        "query": "SPARQLクエリ",
        "result_format": "結果の形式",
        "run": "実行",
        "error": "クエリを実行できませんでした",
        "results": "結果",
        "rows": "{count}行",
        "truncated": "結果はサーバーの上限の{rows}行で打ち切られました。LIMITとOFFSETで分けて取得してください。",
        "yes": "はい",
        "no": "いいえ",
        "back_home": "ホームへ戻る",
        "blank_node": "(空白ノード)",
        "queries_nav": "クエリ集",
        "metadata": "このデータセットの記述(ポータル・クローラー向け)",
        "description_of": "記述",
        "static_queries": "SPARQLクエリ集",
        "static_queries_note": "このサイトは静的サイトのため、SPARQLエンドポイントはありません。各クエリには、サイト生成時に得られた回答を添えています。自分で実行するには、グラフをダウンロードして mdq-graph query -f FILE.rq か、任意のSPARQL 1.1エンジンを使ってください。",
        "answer": "回答",
        "graph_answer": "結果は{count}個のトリプルからなるグラフです。",
        "files": "ファイル",
        "disagreements": "出典間の食い違い",
        "disagreements_note": "各出典の記述を、それぞれの出典の名前付きグラフとともに並べて示す。どれも正しいとは定めない。",
        "source": "出典",
        "claim": "記述",
        "known_meetings": "グラフが把握している会合",
        "ordinal": "第{n}回",
        "unknown_meetings": "第{ordinals}回の会合について述べる出典はグラフになく、グラフはそれらについて何も述べない。",
        "quoted_source": "プロジェクトが本文を保持し、引用している",
        "cited_source": "文書として参照(プロジェクトは本文を保持しない。{date}取得)",
    },
}

#: Result formats offered on the query form: (value of `format=`, what it is).
QUERY_FORMATS: tuple[tuple[str, str], ...] = (
    ("html", "HTML"),
    ("json", "SPARQL JSON"),
    ("xml", "SPARQL XML"),
    ("csv", "CSV"),
    ("tsv", "TSV"),
    ("turtle", "Turtle (CONSTRUCT, DESCRIBE)"),
    ("json-ld", "JSON-LD (CONSTRUCT, DESCRIBE)"),
    ("nt", "N-Triples (CONSTRUCT, DESCRIBE)"),
)
_FORMAT_LABELS = {
    "turtle": "Turtle",
    "json-ld": "JSON-LD",
    "nt": "N-Triples",
    "xml": "RDF/XML",
    "trig": "TriG",
    "nq": "N-Quads",
}

_ENV = Environment(
    loader=PackageLoader("mdq_graph.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Alternate:
    """A link to another representation of the page's resource."""

    label: str
    media_type: str
    href: str


def render_resource_page(page: Page[ResourceView], lang: str) -> str:
    """The HTML page of a resource."""
    view = page.content
    return _render(
        "resource.html", page.site, lang, view.iri, view=view, **_resource_context(page, lang)
    )


def render_ontology_page(page: Page[OntologyView], lang: str) -> str:
    """The HTML page of the ontology: its description, then every term under its anchor."""
    view = page.content
    kinds: dict[str, list[Any]] = {}
    for term in view.terms:
        kinds.setdefault(term.kind, []).append(term)
    resource = Page(page.site, view.ontology)
    return _render(
        "ontology.html",
        page.site,
        lang,
        view.ontology.iri,
        view=view.ontology,
        terms=view.terms,
        term_kinds=list(kinds.items()),
        **_resource_context(resource, lang),
    )


def render_home_page(page: Page[HomeView], lang: str) -> str:
    """The landing page: the dataset, its downloads and graphs, and the curated queries."""
    view = page.content
    links = page.site.links
    helpers = _Helpers(page.site, lang)
    description = pick(view.description, lang)
    rdf_types = {fmt.media_type for fmt in FORMATS.values()}
    return _render(
        "home.html",
        page.site,
        lang,
        None,
        view=view,
        title=helpers.text(view.title) or "",
        description=description[1] if description else "",
        description_lang=description[0] if description else "",
        jsonld=_script_json(view.schema_org) if view.schema_org else "",
        # The first metadata file of each RDF format (the catalog) represents the landing page.
        alternates=list(
            {
                m.media_type: Alternate(m.label, m.media_type, helpers.href_iri(m.iri))
                for m in reversed(view.metadata)
                if m.media_type in rdf_types
            }.values()
        ),
        query_href=lambda name: (
            links.page("query", {"name": name}) or links.page("sparql", {"name": name}) or ""
        ),
    )


def render_queries_page(page: Page[QueriesView], lang: str) -> str:
    """A static site's curated queries: each with its text, its files and its answer."""
    return _render(
        "queries.html",
        page.site,
        lang,
        None,
        view=page.content,
        title=TEXT[_lang(lang)]["static_queries"],
        anchor_of=query_anchor,
    )


def query_anchor(name: str) -> str:
    """The HTML id of a curated query on the queries page."""
    return f"query-{name}"


def render_query_page(
    page: Page[QueryView], lang: str, workbench: Mapping[str, Any] | None = None
) -> str:
    """The SPARQL query form with the curated queries, and a result as a table; with
    `workbench` (`mdq_graph.web.workbench.page_settings`), the query workbench above it."""
    view = page.content
    selected: CuratedQuery | None = next((q for q in view.queries if q.name == view.selected), None)
    return _render(
        "query.html",
        page.site,
        lang,
        None,
        view=view,
        title=TEXT[_lang(lang)]["sparql"],
        selected_query=selected,
        formats=QUERY_FORMATS,
        workbench=workbench,
    )


def render_error_page(page: Page[ErrorView], lang: str) -> str:
    """An error page (404 and the like)."""
    view = page.content
    return _render("error.html", page.site, lang, None, view=view, title=view.title)


# --- shared machinery -----------------------------------------------------------------------------


def _lang(lang: str) -> str:
    return lang if lang in TEXT else PAGE_LANGUAGES[0]


def _render(template: str, site: Site, lang: str, iri: str | None, **context: Any) -> str:
    """Render `template` with the helpers and the site's navigation."""
    helpers = _Helpers(site, lang)
    links = site.links
    base_context: dict[str, Any] = {
        "lang": _lang(lang),
        "t": TEXT[_lang(lang)],
        "site_title": helpers.text(site.title) or "",
        "content_security_policy": PAGE_CONTENT_SECURITY_POLICY,
        "license": site.license,
        "language_links": [(code, links.language(code)) for code in site.languages],
        "language_names": LANGUAGE_NAMES,
        "home_href": links.page("home"),
        "ontology_href": links.page("ontology"),
        "sparql_href": links.page("sparql"),
        "queries_href": links.page("queries"),
        "asset": lambda name: links.page(f"asset/{name}") or name,
        "node": helpers.node,
        "href": helpers.href,
        "href_iri": helpers.href_iri,
        "label": helpers.label,
        "short": helpers.short,
        "anchor": helpers.anchor,
        "pick_text": helpers.text,
        "ordered": helpers.ordered,
        "alternates": [],
        "description": "",
        "jsonld": "",
    }
    base_context.update(context)
    return _ENV.get_template(template).render(base_context)


def _resource_context(page: Page[ResourceView], lang: str) -> dict[str, Any]:
    """Title, description, alternates and JSON-LD of a resource's page."""
    view = page.content
    helpers = _Helpers(page.site, lang)
    definition = pick(view.descriptions, lang)
    alternates = []
    for fmt in FORMATS.values():
        href = page.site.links.representation(view.iri, fmt.extension)
        if href:
            alternates.append(
                Alternate(_FORMAT_LABELS.get(fmt.name, fmt.name), fmt.media_type, href)
            )
    return {
        "title": helpers.title(view.iri, view.labels),
        "definition": definition,
        "description": definition[1] if definition else "",
        "alternates": alternates,
        "jsonld": _script_json(view.schema_org) if len(view.schema_org) > 2 else "",
    }


def _script_json(document: Mapping[str, object]) -> Markup:
    """JSON for a `<script>` element: `<`, `>` and `&` escaped so no text can close the element."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def is_web_url(iri: str) -> bool:
    """Whether `iri` is an http or https URL, the only kind that data may turn into a link."""
    return iri[:8].lower().startswith(("http://", "https://"))


class _Helpers:
    """Functions the templates call to show terms in the page's language, with the site's links."""

    def __init__(self, site: Site, lang: str) -> None:
        self.site = site
        self.lang = _lang(lang)
        self.words = TEXT[self.lang]

    def text(self, labels: Labels) -> str | None:
        """The text of `labels` in the page's language (or the fallback)."""
        chosen = pick(labels, self.lang)
        return chosen[1] if chosen else None

    def title(self, iri: str, labels: Labels) -> str:
        """A page title: the label, else the last segment of the IRI."""
        return self.text(labels) or iri.rstrip("/").rsplit("/", 1)[-1] or iri

    def ordered(self, groups: Sequence[PropertyGroup]) -> list[PropertyGroup]:
        """Property groups in the alphabetical order of their labels in the page's language."""
        return sorted(groups, key=lambda g: (self.label(g.property).casefold(), g.property.value))

    def label(self, node: Node) -> str:
        """The name of a term: its label in the page's language, else its CURIE, else the IRI."""
        if node.kind == "uri":
            return self.text(node.labels) or node.curie or node.value
        return node.value

    def href_iri(self, iri: str) -> str:
        """Where a link to `iri` goes: its page here, or the IRI itself if it is an http(s) URL;
        otherwise nowhere (""): data may hold any IRI, and `javascript:` or `data:` in a link
        would run in the reader's browser."""
        return self.site.links.resource(iri) or (iri if is_web_url(iri) else "")

    def href(self, node: Node) -> str:
        """Where a link to an IRI node goes."""
        return self.href_iri(node.value)

    def short(self, node: Node) -> str:
        """A short name for a named graph: the last segment of its IRI."""
        return node.value.rstrip("/").rsplit("/", 1)[-1]

    @staticmethod
    def anchor(iri: str) -> str:
        """An HTML id for a resource shown on another's page (e.g. a quote)."""
        tail = iri.rstrip("/").split("/")[-2:]
        return "-".join(part for part in tail if part) or "item"

    def node(self, node: Node, property: bool = False, raw: bool = False) -> Markup:
        """A term as HTML: a link for an IRI, the text (with its language) for a literal."""
        if node.kind == "uri":
            return self._iri(node, raw)
        if node.kind == "literal":
            return self._literal(node, raw)
        if node.kind == "bnode":
            text = f"_:{node.value}" if raw else self.words["blank_node"]
            return Markup('<span class="bnode">{}</span>').format(text)
        return Markup("<code>{}</code>").format(node.value)

    def _iri(self, node: Node, raw: bool) -> Markup:
        local = self.site.links.resource(node.value)
        chosen = pick(node.labels, self.lang)
        if raw or chosen is None:
            text: Markup = escape(node.curie or node.value)
            if raw and node.curie is None:
                text = Markup("<code>{}</code>").format(node.value)
        elif chosen[0] and chosen[0] != self.lang:
            text = Markup('<span lang="{}">{}</span>').format(chosen[0], chosen[1])
        else:
            text = escape(chosen[1])
        css = "" if local else ' class="external" rel="external"'
        title = node.value if not raw else (chosen[1] if chosen else node.value)
        if not local and not is_web_url(node.value):  # not a link: see `href_iri`
            return Markup('<span class="iri" title="{}">{}</span>').format(title, text)
        return Markup('<a href="{}" title="{}"{}>{}</a>').format(
            local or node.value, title, Markup(css), text
        )

    def _literal(self, node: Node, raw: bool) -> Markup:
        if node.language:
            html = Markup('<span lang="{}">{}</span>').format(node.language, node.value)
            if raw:
                html += Markup('<span class="lang-tag">@{}</span>').format(node.language)
            return html
        if node.datatype in _DATE_TYPES and not raw:
            return Markup('<time datetime="{}">{}</time>').format(node.value, node.value)
        html = escape(node.value)
        if node.datatype and (raw or not node.datatype.startswith(XSD)):
            short = (
                "xsd:" + node.datatype[len(XSD) :]
                if node.datatype.startswith(XSD)
                else node.datatype
            )
            html += Markup('<span class="datatype">{}</span>').format(short)
        return html
