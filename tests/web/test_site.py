"""`mdq-graph publish`: what the static site holds, and that its hosting recipes resolve every IRI.

The bundled graph's site is built once (tests/support/site.py); the crawl over a static file server
is in test_site_crawl.py, the browser in test_site_browser.py, real Apache and nginx in
test_site_hosts.py, writing safely in test_site_writing.py.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from starlette.testclient import TestClient

from mdq_graph import __version__
from mdq_graph.catalog.dcat import dump_path
from mdq_graph.formats.rdf import canonical_quads
from mdq_graph.graph.namespaces import BASE, DCAT, RDF, SPDX, VOID
from mdq_graph.graph.rdf_formats import FORMATS
from mdq_graph.graph.rebase import rebase_graph
from mdq_graph.web.hosting import NEGOTIATED
from mdq_graph.web.site import Layout, SiteLinks, stem_of
from mdq_graph.web.views import PAGE_LANGUAGES
from tests.conftest import TEST_DATA
from tests.support.recipes import BROWSER_ACCEPT, Htaccess, NginxConf
from tests.support.serving import client as client
from tests.support.serving import publication as publication
from tests.support.site import StaticSite
from tests.web.test_server_pages import checked

OX_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
}


def page(stem: str, lang: str) -> str:
    """The file of a page, as the README documents it."""
    return f"{stem or 'index'}{'' if lang == 'en' else '.' + lang}.html"


def triples(data: bytes, extension: str, base: str) -> set[ox.Triple]:
    """The triples of a file, with canonical blank-node labels (graph names dropped)."""
    quads = ox.parse(data, OX_FORMATS[extension], base_iri=base)
    return {
        q.triple for q in canonical_quads(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    }


# --- Every resource: its pages and its descriptions ---------------------------------------------


def test_the_site_publishes_every_resource(static_site: StaticSite) -> None:
    resources = static_site.resources()
    assert len(resources) > 400, "the bundled graph names over 400 IRIs under the base"
    assert static_site.report.resources == len(resources) + 1  # and the home page
    assert static_site.report.skipped == ()
    for iri in resources:
        stem = static_site.path(iri)
        for lang in PAGE_LANGUAGES:
            assert (static_site.folder / page(stem, lang)).is_file(), (iri, lang)
        for fmt in FORMATS.values():
            assert (static_site.folder / f"{stem}{fmt.extension}").is_file(), (iri, fmt.name)


def test_every_description_parses_and_every_format_says_the_same(static_site: StaticSite) -> None:
    for iri in static_site.resources():
        stem = static_site.folder / static_site.path(iri)
        expected = triples(stem.with_name(stem.name + ".ttl").read_bytes(), ".ttl", iri)
        assert expected, f"{iri}.ttl is empty"
        for extension in OX_FORMATS:
            data = stem.with_name(stem.name + extension).read_bytes()
            assert triples(data, extension, iri) == expected, f"{iri}{extension}"


@pytest.mark.parametrize(
    "path", ["id/meeting/mdq-7", "id/country/jp", "graph/release-ja", "ontology", "id/quote/en-07"]
)
def test_the_files_hold_what_the_server_serves(
    static_site: StaticSite, client: TestClient, path: str
) -> None:
    for extension in (".ttl", ".jsonld", ".nq"):
        served = client.get(f"/{path}{extension}")
        assert served.status_code == 200
        assert (static_site.folder / f"{path}{extension}").read_bytes() == served.content


def test_the_pages_are_well_formed_and_link_by_relative_paths(static_site: StaticSite) -> None:
    pages = sorted(static_site.folder.rglob("*.html"))
    assert len(pages) == static_site.report.pages
    for file in pages:
        if file.name == "404.html":
            continue
        checker = checked(file.read_text(encoding="utf-8"))
        local = [h for h in checker.hrefs if not h.startswith(("http://", "https://", "#"))]
        assert local, file
        assert not [h for h in local if h.startswith("/")], file  # relative: any folder, any host
        assert not [h for h in checker.hrefs if h.startswith(static_site.base)], file


def test_the_japanese_page_shows_japanese_labels_and_links_japanese_pages(
    static_site: StaticSite,
) -> None:
    html = (static_site.folder / "id/meeting/mdq-7.ja.html").read_text(encoding="utf-8")
    assert '<html lang="ja">' in html
    assert "<h1>第7回量子多国間対話</h1>" in html
    assert 'href="../country/jp.ja.html"' in html  # links stay in Japanese
    assert 'href="mdq-7.html" hreflang="en"' in html  # the language switch
    english = (static_site.folder / "id/meeting/mdq-7.html").read_text(encoding="utf-8")
    assert 'href="mdq-7.ja.html" hreflang="ja"' in english
    assert 'href="../../static/mdq.css"' in english
    for extension in (".ttl", ".jsonld"):
        assert f'href="mdq-7{extension}"' in english


def test_the_404_page_links_by_absolute_paths(static_site: StaticSite) -> None:
    html = (static_site.folder / "404.html").read_text(encoding="utf-8")
    assert 'href="/mdq/static/mdq.css"' in html
    assert 'href="/mdq/index.html"' in html


# --- The dataset: downloads, catalog, VoID, context ------------------------------------------------


def test_downloads_are_where_the_catalog_says_with_its_sizes_and_checksums(
    static_site: StaticSite,
) -> None:
    catalog = Graph().parse(static_site.folder / "catalog.ttl", format="turtle")
    distributions = set(catalog.subjects(RDF.type, DCAT.Distribution))
    assert len(distributions) == len(FORMATS)
    for distribution in distributions:
        url = str(catalog.value(distribution, DCAT.downloadURL))
        data = (static_site.folder / static_site.path(url)).read_bytes()
        assert str(catalog.value(distribution, DCAT.byteSize)) == str(len(data)), url
        checksum = catalog.value(catalog.value(distribution, SPDX.checksum), SPDX.checksumValue)
        assert str(checksum) == hashlib.sha256(data).hexdigest(), url
    for fmt in FORMATS.values():
        assert (static_site.folder / dump_path(fmt)).is_file()


def test_the_catalog_describes_no_sparql_endpoint(static_site: StaticSite) -> None:
    catalog = Graph().parse(static_site.folder / "catalog.ttl", format="turtle")
    assert not set(catalog.subjects(RDF.type, DCAT.DataService))
    assert not set(catalog.objects(None, VOID.sparqlEndpoint))
    dump = (static_site.folder / "download/mdq.nq").read_text(encoding="utf-8")
    assert f"<{static_site.base}sparql>" not in dump
    assert not (static_site.folder / "sparql.html").exists()


def test_the_static_catalog_conforms_to_dcat_ap(static_site: StaticSite) -> None:
    from tests.catalog.test_catalog import DCAT_AP_DIR, dcat_ap_shapes, findings

    if not DCAT_AP_DIR.is_dir():
        pytest.skip(f"the official DCAT-AP 3.0.1 shapes are not at {DCAT_AP_DIR}")
    catalog = Graph().parse(static_site.folder / "catalog.ttl", format="turtle")
    for shapes in ("dcat-ap-SHACL.ttl", "shapes_recommended.ttl"):
        assert findings(catalog, dcat_ap_shapes(shapes)) == [], shapes


def test_the_void_file_is_the_void_part_of_the_catalog(static_site: StaticSite) -> None:
    void = Graph().parse(static_site.folder / "void.ttl", format="turtle")
    catalog = Graph().parse(static_site.folder / "catalog.ttl", format="turtle")
    dataset = URIRef(static_site.base + "dataset")
    assert void.value(dataset, VOID.triples) == catalog.value(dataset, VOID.triples)
    assert len(set(void.subjects(RDF.type, VOID.Linkset))) >= 4
    assert len(set(void.objects(dataset, VOID.dataDump))) == len(FORMATS)
    assert not set(void.subjects(RDF.type, DCAT.Distribution))


def test_the_json_ld_context_is_published_under_the_base(static_site: StaticSite) -> None:
    path = static_site.path(static_site.publication.context_iri)
    context = json.loads((static_site.folder / path).read_text(encoding="utf-8"))
    assert context["@context"]["mdq"] == static_site.base + "ontology#"
    # The download embeds the part of the context it uses, as `mdq-graph export` does: readable
    # offline, wherever the context is (or is not yet) published.
    dump = json.loads((static_site.folder / "download/mdq.jsonld").read_text(encoding="utf-8"))
    assert isinstance(dump["@context"], dict) and "label" in dump["@context"]


def test_the_ontology_version_iri_has_the_ontology_s_files(static_site: StaticSite) -> None:
    version = static_site.path(static_site.publication.ontology_version_iri)
    current = static_site.path(static_site.publication.ontology_iri)
    for suffix in (".ttl", ".jsonld", ".rdf", ".html"):
        versioned = (static_site.folder / f"{version}{suffix}").read_bytes()
        if suffix != ".html":  # the page's links are relative to where it is
            assert versioned == (static_site.folder / f"{current}{suffix}").read_bytes()


# --- The curated queries -----------------------------------------------------------------------------


def test_every_curated_query_is_published_with_its_answer(static_site: StaticSite) -> None:
    queries = static_site.publication.queries
    assert len(queries) >= 15
    html = (static_site.folder / "queries.html").read_text(encoding="utf-8")
    for query in queries:
        assert (static_site.folder / f"queries/{query.name}.rq").read_text() == query.text
        assert f'id="query-{query.name}"' in html
        answers = list((static_site.folder / "queries").glob(f"{query.name}.*"))
        assert len(answers) == 2, answers  # the query and its answer


@pytest.mark.parametrize("name", ["participants", "organisers", "outcomes-by-topic"])
def test_the_published_answers_are_the_expected_ones(static_site: StaticSite, name: str) -> None:
    written = (static_site.folder / f"queries/{name}.csv").read_text(encoding="utf-8")
    expected = (TEST_DATA / "queries" / f"{name}.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(written.replace(static_site.base, BASE))))
    assert rows == list(csv.reader(io.StringIO(expected)))


def test_the_ask_and_construct_answers(static_site: StaticSite) -> None:
    ask = json.loads((static_site.folder / "queries/releases-agree-on-dates.srj").read_text())
    assert ask["boolean"] is True
    construct = Graph().parse(static_site.folder / "queries/schema-org-view.ttl", format="turtle")
    expected = Graph().parse(TEST_DATA / "queries/schema-org-view.ttl", format="turtle")
    assert isomorphic(rebase_graph(expected, static_site.base), construct)
    html = (static_site.folder / "queries.html").read_text(encoding="utf-8")
    assert f"The result is a graph of {len(construct)} triples." in html


# --- Sitemap and robots.txt --------------------------------------------------------------------------


def sitemap_paths(site: StaticSite) -> list[str]:
    """The pages the sitemap lists, as paths in the site's folder."""
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.parse(site.folder / "sitemap.xml").getroot()
    urls = [loc.text or "" for loc in root.iterfind("s:url/s:loc", namespace)]
    assert all(url.startswith(site.base) for url in urls)
    return [site.path(url) or "index.html" for url in urls]


def test_the_sitemap_lists_every_page_once(static_site: StaticSite) -> None:
    listed = sitemap_paths(static_site)
    pages = {str(p.relative_to(static_site.folder)) for p in static_site.folder.rglob("*.html")} - {
        "404.html"
    }
    assert len(listed) == len(set(listed))
    assert set(listed) == pages


def test_the_sitemap_names_each_pages_other_language(static_site: StaticSite) -> None:
    text = (static_site.folder / "sitemap.xml").read_text(encoding="utf-8")
    base = static_site.base
    entry = text[text.index(f"<loc>{base}id/country/jp.ja.html</loc>") :].split("</url>")[0]
    assert f'hreflang="en" href="{base}id/country/jp.html"' in entry
    assert f'hreflang="ja" href="{base}id/country/jp.ja.html"' in entry


def test_robots_txt_points_at_the_sitemap(static_site: StaticSite) -> None:
    robots = (static_site.folder / "robots.txt").read_text().splitlines()
    assert f"Sitemap: {static_site.base}sitemap.xml" in robots
    assert "User-agent: *" in robots


# --- The hosting recipes -----------------------------------------------------------------------------


def expected_files(site: StaticSite) -> list[tuple[str, dict[str, str], str]]:
    """(path asked for, request headers, the file that must answer) for every resource and
    every media type, and for the site's root."""
    cases = [
        ("", {"Accept": BROWSER_ACCEPT}, "index.html"),
        ("", {"Accept": BROWSER_ACCEPT, "Accept-Language": "ja,en;q=0.5"}, "index.ja.html"),
        *(("", {"Accept": media}, f"catalog{extension}") for media, extension in NEGOTIATED),
    ]
    for iri in site.resources():
        path = site.path(iri)
        cases += [
            (path, {"Accept": BROWSER_ACCEPT}, f"{path}.html"),
            (
                path,
                {"Accept": BROWSER_ACCEPT, "Accept-Language": "ja-JP,ja;q=0.9"},
                f"{path}.ja.html",
            ),
            (path, {}, f"{path}.html"),
            *(
                (path, {"Accept": f"{media};q=1.0, */*;q=0.1"}, f"{path}{ext}")
                for media, ext in NEGOTIATED
            ),
        ]
    return cases


def media_type_of(types: dict[str, str], file: str) -> str:
    return types[Path(file).suffix]


def test_the_apache_recipe_resolves_every_iri_to_its_file(static_site: StaticSite) -> None:
    htaccess = Htaccess((static_site.folder / ".htaccess").read_text())
    assert htaccess.directives["ErrorDocument"] == "404 /mdq/404.html"
    cases = expected_files(static_site)
    assert len(cases) > 4000
    for path, headers, expected in cases:
        served = htaccess.resolve(static_site.folder, "/mdq/", path, headers)
        assert served == expected, (path, headers)
        assert (static_site.folder / served).is_file()
        accept = headers.get("Accept", "")
        if "html" not in accept and accept:
            assert media_type_of(htaccess.types, served) == accept.split(";")[0]
    # A file is served as it is; a folder without a page gets its slash.
    folder = static_site.folder
    assert htaccess.resolve(folder, "/mdq/", "id/country/jp.ttl", {}) == "id/country/jp.ttl"
    assert htaccess.resolve(folder, "/mdq/", "id", {}) == "redirect:/mdq/id/"


def test_the_nginx_recipe_resolves_every_iri_to_its_file(static_site: StaticSite) -> None:
    nginx = NginxConf((static_site.folder / "nginx.conf").read_text())
    assert nginx.location == "/mdq/"
    for path, headers, expected in expected_files(static_site):
        served = nginx.resolve(static_site.folder, "/mdq/" + path, headers)
        assert served == expected, (path, headers)
        accept = headers.get("Accept", "")
        if "html" not in accept and accept:
            assert media_type_of(nginx.types, served) == accept.split(";")[0]
    assert nginx.resolve(static_site.folder, "/mdq/no/such/thing", {}) is None


def test_both_recipes_give_every_file_of_the_site_a_media_type(static_site: StaticSite) -> None:
    htaccess = Htaccess((static_site.folder / ".htaccess").read_text())
    nginx = NginxConf((static_site.folder / "nginx.conf").read_text())
    suffixes = {p.suffix for p in static_site.folder.rglob("*.*") if not p.name.startswith(".")}
    suffixes -= {".svg", ".conf"}  # in every server's own table
    assert suffixes <= set(htaccess.types), suffixes - set(htaccess.types)
    assert suffixes <= set(nginx.types), suffixes - set(nginx.types)
    assert htaccess.types == {k: v for k, v in nginx.types.items() if k in htaccess.types}


# --- Links and paths ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("iri", "stem"),
    [
        (BASE, ""),
        (BASE + "id/country/jp", "id/country/jp"),
        (BASE + "id/x%20y", "id/x y"),
        (BASE + "id/%E6%97%A5%E6%9C%AC", "id/日本"),
        (BASE + "id/folder/", "id/folder/"),
        (BASE + "id/a?b", None),
        (BASE + "id/.htaccess", None),
        (BASE + "id/../x", None),
        (BASE + "id//x", None),
        (BASE + "id/%FF", None),
        ("https://example.org/id/x", None),
    ],
)
def test_where_an_iri_is_published(iri: str, stem: str | None) -> None:
    assert stem_of(BASE, iri) == stem


def test_site_links_are_relative_to_the_page() -> None:
    pages = {
        BASE: "",
        BASE + "ontology": "ontology",
        BASE + "id/country/jp": "id/country/jp",
        BASE + "id/x y": "id/x y",
    }
    layout = Layout(BASE, pages, frozenset({"download/mdq.ttl"}), "ontology")
    links = SiteLinks(layout, "id/country/jp", "ja")
    assert links.resource(BASE + "id/country/jp") == "jp.ja.html"
    assert links.resource(BASE + "id/x y") == "../x%20y.ja.html"
    assert links.resource(BASE + "ontology#Meeting") == "../../ontology.ja.html#Meeting"
    assert links.resource(BASE + "download/mdq.ttl") == "../../download/mdq.ttl"
    assert links.resource(BASE + "id/unknown") is None
    assert links.resource("https://www.wikidata.org/entity/Q17") is None
    assert links.representation(BASE + "id/country/jp", ".ttl") == "jp.ttl"
    assert links.representation(BASE, ".ttl") is None
    assert links.language("en") == "jp.html"
    assert links.page("home") == "../../index.ja.html"
    assert (
        links.page("query", {"name": "participants"}) == "../../queries.ja.html#query-participants"
    )
    assert links.page("asset/mdq.css") == "../../static/mdq.css"
    assert links.page("sparql") is None
    absolute = SiteLinks(layout, "", "en", root="/mdq/")
    assert absolute.page("home") == "/mdq/index.html"
    assert absolute.language("ja") == "/mdq/index.ja.html"


def test_the_home_page_lists_the_catalog_and_void_files(static_site: StaticSite) -> None:
    html = (static_site.folder / "index.html").read_text(encoding="utf-8")
    for name in ("catalog.ttl", "catalog.jsonld", "catalog.rdf", "void.ttl"):
        assert f'href="{name}"' in html
    assert '<link rel="alternate" type="text/turtle" href="catalog.ttl">' in html
    assert 'href="queries.html#query-participants"' in html
    assert "/sparql" not in html
    schema = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert schema["@type"] == "Dataset"
    assert {d["contentUrl"] for d in schema["distribution"]} == {
        static_site.base + dump_path(f) for f in FORMATS.values()
    }


def test_the_marker_names_the_base(static_site: StaticSite) -> None:
    marker = json.loads((static_site.folder / ".mdq-site").read_text())
    assert marker == {
        "generator": "mdq-graph publish",
        "version": __version__,
        "base": static_site.base,
    }
