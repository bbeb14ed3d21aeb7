"""Dereferenceable IRIs: pages in English and Japanese, RDF by negotiation and suffix, 404s."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from starlette.testclient import TestClient

from mdq_graph.graph.dataset import ONTOLOGY_GRAPH
from mdq_graph.graph.namespaces import GRAPH, ID, MDQ, SCHEMA, SPDX
from mdq_graph.web.pages import render_resource_page
from mdq_graph.web.publication import Publication
from mdq_graph.web.views import Page, Site
from tests.support.serving import LOCAL_BASE

# Imported for pytest to find the session fixtures.
from tests.support.serving import client as client
from tests.support.serving import publication as publication

HTML = {"Accept": "text/html"}
MEETING = "/id/meeting/mdq-7"
VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class StructureChecker(HTMLParser):
    """Checks that every element is closed in order, ids are unique, and collects links and
    scripts (a light stand-in for an HTML validator)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            if values["id"] in self.ids:
                self.errors.append(f"duplicate id {values['id']}")
            self.ids.add(values["id"] or "")
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")
        if tag == "script":
            self._script, self._text = values, []
        if tag not in VOID_ELEMENTS:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._text.append(data)


def checked(html: str) -> StructureChecker:
    """The structure of a page, asserting that it is well formed."""
    assert html.startswith("<!DOCTYPE html>")
    checker = StructureChecker()
    checker.feed(html)
    checker.close()
    assert checker.errors == [], checker.errors[:5]
    assert checker.stack == [], checker.stack
    for attributes, _ in checker.scripts:  # the CSP allows no inline code
        assert attributes.get("type") == "application/ld+json" or attributes.get("src")
    return checker


def ld_json(html: str) -> dict[str, object]:
    scripts = [
        text for attrs, text in checked(html).scripts if attrs.get("type") == "application/ld+json"
    ]
    assert len(scripts) == 1
    document: dict[str, object] = json.loads(scripts[0])
    return document


# --- the page of a resource -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def english(client: TestClient) -> str:
    response = client.get(MEETING, headers={**HTML, "Accept-Language": "en-GB,en;q=0.9"})
    assert response.status_code == 200
    assert response.headers["content-language"] == "en"
    return str(response.text)


@pytest.fixture(scope="module")
def japanese(client: TestClient) -> str:
    response = client.get(MEETING, headers={**HTML, "Accept-Language": "ja,en;q=0.5"})
    assert response.status_code == 200
    assert response.headers["content-language"] == "ja"
    return str(response.text)


def test_english_page_shows_label_type_and_labelled_properties(english: str) -> None:
    assert '<html lang="en">' in english
    assert "<h1>7th Multilateral Dialogue on Quantum</h1>" in english
    assert ">dialogue meeting</a>" in english  # the type, by its ontology label
    assert ">organiser</a>" in english  # a property, by its ontology label
    assert ">Cabinet Office, Government of Japan</a>" in english  # a value, by its label
    assert ">start date</a>" in english  # a standard property, by the built-in label
    assert '<time datetime="2025-09-10">2025-09-10</time>' in english
    assert 'href="/id/org/cabinet-office"' in english


def test_japanese_page_shows_japanese_labels(japanese: str) -> None:
    assert '<html lang="ja">' in japanese
    assert "<h1>第7回量子多国間対話</h1>" in japanese
    assert ">対話会合</a>" in japanese
    assert ">主催者</a>" in japanese
    assert ">内閣府</a>" in japanese
    assert ">開始日</a>" in japanese
    assert "根拠となる文" in japanese  # the page's own words too
    # A value with no Japanese label falls back to English, marked as English.
    assert '<span lang="en">Next steps after the 7th MDQ meeting</span>' in japanese


def test_lang_parameter_overrides_accept_language_and_is_kept_in_links(client: TestClient) -> None:
    response = client.get(MEETING, params={"lang": "ja"}, headers={**HTML, "Accept-Language": "en"})
    assert '<html lang="ja">' in response.text
    assert 'href="/id/org/cabinet-office?lang=ja"' in response.text
    assert f'href="{MEETING}?lang=en" hreflang="en" lang="en"' in response.text


@pytest.mark.parametrize("header", ["fr-CH, fr;q=0.9", "*", "", "ja;q=0, en;q=0.1"])
def test_other_languages_fall_back_to_english(client: TestClient, header: str) -> None:
    response = client.get(MEETING, headers={**HTML, "Accept-Language": header})
    assert '<html lang="en">' in response.text


def test_language_switch_links(english: str) -> None:
    assert f'<a href="{MEETING}?lang=ja" hreflang="ja" lang="ja">日本語</a>' in english
    assert 'aria-current="true">English</a>' in english


def test_incoming_links(english: str) -> None:
    section = english.split('id="incoming-heading"')[1]
    assert ">Participation of Japan in the 7th MDQ meeting</a>" in section
    assert 'href="/id/participation/mdq-7/jp"' in section


def test_quotes_that_support_the_facts(english: str) -> None:
    section = english.split('id="quotes-heading"')[1].split("</section>")[0]
    assert "<blockquote" in section
    assert "<mark>From September 10 to 12, 2025, the Cabinet Office convened the 7th MDQ" in section
    assert 'cite="https://www8.cao.go.jp/cstp/stmain/20250922ryoshi_en.html"' in section
    assert re.search(r"characters \d+–\d+", section)
    assert 'lang="ja"' in section  # the Japanese release's quotes, marked as Japanese
    assert ">start date</a>" in section  # what a quote states
    # statement by statement: the sentence of the dates does not claim the venue's facts
    figure = section.split('id="quote-en-07"')[1].split("</figure>")[0]
    assert ">start date</a>" in figure and ">facility of</a>" not in figure
    assert "Read as: the slash read as" in figure  # an interpretation of its words


def test_footer_names_the_licence_and_sources(english: str) -> None:
    footer = english.split('<footer class="site">')[1]
    assert "Creative Commons Attribution 4.0" in footer
    assert "https://www8.cao.go.jp/cstp/stmain/20250922ryoshi_en.html" in footer
    assert "https://www8.cao.go.jp/cstp/stmain/20250922ryoshi.html" in footer


def test_schema_org_description_is_embedded(english: str) -> None:
    document = ld_json(english)
    graph = Graph().parse(data=json.dumps(document), format="json-ld")
    meeting = URIRef(str(ID["meeting/mdq-7"]))
    assert (meeting, URIRef(str(SCHEMA.startDate)), None) in graph
    assert (meeting, None, URIRef(str(SCHEMA.Event))) in graph
    assert all(
        str(p).startswith(str(SCHEMA)) or str(p).endswith("#type") for p in graph.predicates()
    )
    assert (meeting, URIRef(str(SCHEMA.name)), Literal("第7回量子多国間対話", lang="ja")) in graph


def test_pages_are_well_formed_and_link_their_representations(
    client: TestClient, english: str
) -> None:
    checker = checked(english)
    assert f"{MEETING}.ttl" in checker.hrefs
    for page in ("/", "/ontology", "/graph/release-en", "/sparql", "/id/quote/en-04"):
        response = client.get(page, headers=HTML)
        assert response.status_code == 200, page
        checked(response.text)


def test_pages_carry_security_headers(client: TestClient) -> None:
    response = client.get(MEETING, headers=HTML)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    css = client.get("/static/mdq.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get("/static/other.css").status_code == 404


# --- RDF representations --------------------------------------------------------------------------

RDF_TYPES = {
    "text/turtle": ("turtle", ".ttl"),
    "application/ld+json": ("json-ld", ".jsonld"),
    "application/n-triples": ("nt", ".nt"),
    "application/rdf+xml": ("xml", ".rdf"),
}


@pytest.mark.parametrize("media_type", RDF_TYPES)
def test_description_by_accept_and_by_suffix_agree(client: TestClient, media_type: str) -> None:
    rdflib_format, suffix = RDF_TYPES[media_type]
    negotiated = client.get(MEETING, headers={"Accept": media_type})
    assert negotiated.status_code == 200
    assert negotiated.headers["content-type"].split(";")[0] == media_type
    assert negotiated.headers["content-location"] == MEETING + suffix
    by_suffix = client.get(MEETING + suffix, headers=HTML)  # the suffix wins over Accept
    assert by_suffix.headers["content-type"].split(";")[0] == media_type
    assert isomorphic(
        Graph().parse(data=negotiated.content, format=rdflib_format),
        Graph().parse(data=by_suffix.content, format=rdflib_format),
    )


def test_description_is_the_cbd_plus_incoming_links(client: TestClient, dataset: Dataset) -> None:
    graph = Graph().parse(data=client.get(MEETING + ".ttl").text, format="turtle")
    meeting = URIRef(str(ID["meeting/mdq-7"]))
    assert (meeting, MDQ.organiser, URIRef(str(ID["org/cabinet-office"]))) in graph
    assert (URIRef(str(ID["participation/mdq-7/jp"])), MDQ.participationIn, meeting) in graph
    assert set(dataset.triples((meeting, None, None))) <= set(graph)
    assert not any(s != meeting and o != meeting for s, _, o in graph)


def test_quad_formats_keep_the_graph_of_each_statement(client: TestClient) -> None:
    quads = Dataset().parse(data=client.get(MEETING + ".nq").text, format="nquads")
    graphs = {str(g.identifier) for g in quads.graphs() if len(g)}
    assert {str(GRAPH["release-en"]), str(GRAPH["release-ja"])} <= graphs


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/html"),
        ("*/*", "text/html"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
        ("application/rdf+xml, text/rdf+xml;q=0.9, text/xml;q=0.5", "application/rdf+xml"),
        ("text/turtle;q=0.9, application/ld+json", "application/ld+json"),
        ("application/x-turtle", "text/turtle"),
        ("text/html;q=0, */*", "text/turtle"),
    ],
)
def test_resource_negotiation(client: TestClient, accept: str | None, expected: str) -> None:
    response = client.get(MEETING, headers={"Accept": accept} if accept else {})
    assert response.headers["content-type"].split(";")[0] == expected
    assert "Accept" in response.headers["vary"]


def test_resource_406(client: TestClient) -> None:
    assert client.get(MEETING, headers={"Accept": "image/png"}).status_code == 406


def test_html_suffix(client: TestClient) -> None:
    response = client.get(MEETING + ".html", headers={"Accept": "text/turtle"})
    assert response.headers["content-type"].startswith("text/html")


# --- graphs, the ontology, the home page, downloads -------------------------------------------------


def test_a_named_graph_dereferences_to_its_contents(client: TestClient, dataset: Dataset) -> None:
    got = Graph().parse(data=client.get("/graph/release-ja.nt").text, format="nt")
    assert isomorphic(got, dataset.graph(GRAPH["release-ja"]))
    page = client.get("/graph/release-ja", headers=HTML).text
    assert f"holds {len(dataset.graph(GRAPH['release-ja']))} triples" in page


def test_the_ontology_page_has_an_anchor_for_every_term(
    client: TestClient, dataset: Dataset
) -> None:
    ontology = dataset.graph(ONTOLOGY_GRAPH)
    page = client.get("/ontology", headers={**HTML, "Accept-Language": "ja"}).text
    checker = checked(page)
    terms = {str(s)[len(str(MDQ)) :] for s in ontology.subjects() if str(s).startswith(str(MDQ))}
    assert terms and terms <= checker.ids
    assert "対話会合" in page
    assert 'href="/ontology#Meeting"' in client.get(MEETING, headers=HTML).text
    rdf = Graph().parse(
        data=client.get("/ontology", headers={"Accept": "text/turtle"}).text, format="turtle"
    )
    assert isomorphic(rdf, ontology)


def test_home_page_describes_the_dataset_and_lists_the_curated_queries(client: TestClient) -> None:
    page = client.get("/", headers=HTML).text
    # The graph knows two meetings of the series: the title names the series, the description
    # each meeting (catalog/dcat.py: title_name, meeting_names).
    assert "<h1>Multilateral Dialogue on Quantum: knowledge graph</h1>" in page
    assert (
        "the 4th Multilateral Dialogue on Quantum and the 7th Multilateral Dialogue on Quantum"
        in page
    )
    assert 'href="/sparql?name=participants"' in page
    assert "Who took part in the 7th MDQ meeting" in page
    assert 'href="/download/mdq.ttl"' in page
    assert "Creative Commons Attribution 4.0" in page
    document = ld_json(page)
    assert document["@type"] == "Dataset"
    japanese = client.get("/", headers={**HTML, "Accept-Language": "ja"}).text
    assert "<h1>量子多国間対話のナレッジグラフ</h1>" in japanese


def test_root_in_rdf_is_the_catalog(client: TestClient) -> None:
    graph = Graph().parse(
        data=client.get("/", headers={"Accept": "text/turtle"}).text, format="turtle"
    )
    assert (None, None, URIRef("http://www.w3.org/ns/dcat#Catalog")) in graph


@pytest.mark.parametrize("suffix", [".ttl", ".jsonld", ".nt", ".nq", ".trig", ".rdf"])
def test_downloads_match_their_checksums_in_the_catalog(
    client: TestClient, publication: Publication, suffix: str
) -> None:
    response = client.get(f"/download/mdq{suffix}")
    assert response.status_code == 200
    checksums = publication.catalog.quads_for_predicate(ox.NamedNode(SPDX.checksumValue))
    digests = {q.object.value for q in checksums if isinstance(q.object, ox.Literal)}
    assert hashlib.sha256(response.content).hexdigest() in digests


def test_the_json_ld_context_is_served(client: TestClient) -> None:
    response = client.get("/context.jsonld")
    assert response.headers["content-type"] == "application/ld+json"
    assert "@context" in response.json()


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".jsonld"])
def test_the_ontology_version_iri_resolves_to_the_ontology(
    client: TestClient, publication: Publication, suffix: str
) -> None:
    version = publication.ontology_version_iri
    assert version.startswith(publication.ontology_iri + "/")
    path = version[len(publication.base) - 1 :]
    versioned, current = client.get(path + suffix), client.get("/ontology" + suffix)
    assert versioned.status_code == 200 and versioned.content == current.content
    page = client.get(path, headers=HTML)
    assert page.status_code == 200 and "ontology" in page.text.lower()


# --- unknown IRIs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/id/meeting/mdq-8", "/graph/nope", "/id/", "/nothing.ttl"])
def test_unknown_iris_are_404(client: TestClient, path: str) -> None:
    browser = client.get(path, headers=HTML)
    assert browser.status_code == 404
    assert browser.headers["content-type"].startswith("text/html")
    checked(browser.text)
    plain = client.get(path, headers={"Accept": "text/turtle"})
    assert plain.status_code == 404
    assert plain.headers["content-type"].startswith("text/plain")


# --- another base -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def local(publication: Publication, dataset: Dataset) -> Iterator[TestClient]:
    from mdq_graph.web.server import ServerSettings, create_app

    app = create_app(dataset, base_uri=LOCAL_BASE, settings=ServerSettings(workers=1))
    with TestClient(app, base_url=LOCAL_BASE.rstrip("/")) as test_client:
        yield test_client


def test_base_uri_rebases_every_iri(local: TestClient) -> None:
    graph = Graph().parse(data=local.get(MEETING + ".ttl").text, format="turtle")
    meeting = URIRef(LOCAL_BASE + "id/meeting/mdq-7")
    assert (
        meeting,
        URIRef(LOCAL_BASE + "ontology#organiser"),
        URIRef(LOCAL_BASE + "id/org/cabinet-office"),
    ) in graph
    assert not any("w3id.org" in str(term) for triple in graph for term in triple)


def test_rebased_links_and_curated_queries_work(local: TestClient) -> None:
    page = local.get(MEETING, headers=HTML).text
    checker = checked(page)
    for href in checker.hrefs:
        if href.startswith("/") and not href.startswith("/sparql"):
            assert local.get(href.split("#")[0], headers=HTML).status_code == 200, href
    csv = local.get("/sparql", params={"name": "participants", "format": "csv"})
    assert len(csv.text.strip().splitlines()) == 14


def test_a_base_with_a_path_is_served_under_it(dataset: Dataset) -> None:
    from mdq_graph.web.server import ServerSettings, create_app

    base = "http://127.0.0.1:8000/mdq/"
    app = create_app(dataset, base_uri=base, settings=ServerSettings(workers=1))
    with TestClient(app) as test_client:
        assert test_client.get("/mdq/id/meeting/mdq-7", headers=HTML).status_code == 200
        assert (
            'href="/mdq/id/org/cabinet-office"'
            in test_client.get("/mdq/id/meeting/mdq-7", headers=HTML).text
        )
        assert test_client.get("/id/meeting/mdq-7", headers=HTML).status_code == 404
        assert test_client.get("/mdq/sparql", params={"query": "ASK {}"}).status_code == 200


# --- the renderer is a pure function with pluggable links ------------------------------------------


class RelativeLinks:
    """Links for a static site: relative file paths."""

    def resource(self, iri: str) -> str | None:
        return "../" + iri.rsplit("/", 1)[-1] + ".html" if iri.startswith(str(ID)) else None

    def representation(self, iri: str, extension: str) -> str | None:
        return None

    def language(self, lang: str) -> str:
        return f"index.{lang}.html"

    def page(self, name: str, params: Mapping[str, str] | None = None) -> str | None:
        return {"home": "../index.html", "asset/mdq.css": "../mdq.css"}.get(name)


def test_render_resource_page_uses_the_links_it_is_given(publication: Publication) -> None:
    view = publication.describer.resource_view(str(ID["meeting/mdq-7"]))
    site = Site((("en", "MDQ"), ("ja", "MDQ")), RelativeLinks())
    html = render_resource_page(Page(site, view), "ja")
    checker = checked(html)
    assert "../cabinet-office.html" in checker.hrefs
    assert not [h for h in checker.hrefs if h.startswith("/")]
    assert 'href="../mdq.css"' in html
    assert "/sparql" not in html  # a static site has no endpoint: no link to one
    assert html == render_resource_page(Page(site, view), "ja")  # pure: same input, same page


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    response = client.head(MEETING, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert response.content == b""
