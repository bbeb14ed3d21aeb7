"""The static site over a plain static file server (python's http.server, no rewriting): a crawl
from the home page and from the sitemap finds no broken link and no missing anchor."""

from __future__ import annotations

import http.client
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest

from mdq_graph.web.views import PAGE_LANGUAGES
from tests.support.site import StaticSite

#: Elements and the attribute that names what they load or link to.
LINKING = {"a": "href", "link": "href", "script": "src", "img": "src"}


class PageParser(HTMLParser):
    """The links and the ids of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        attribute = LINKING.get(tag)
        if attribute and values.get(attribute):
            self.links.append(values[attribute] or "")


@dataclass
class Crawl:
    """What a crawl of one site found: the status of every URL, the ids of every page, and the
    anchors links point to."""

    origin: str
    status: dict[str, int] = field(default_factory=dict)
    ids: dict[str, set[str]] = field(default_factory=dict)
    anchors: set[tuple[str, str, str]] = field(default_factory=set)  # (from, page, fragment)
    sources: dict[str, str] = field(default_factory=dict)
    linked: set[str] = field(default_factory=set)

    def run(self, start: list[str]) -> None:
        """Fetch every URL of the site reachable from `start` by links."""
        netloc = urlsplit(self.origin).netloc
        connection = http.client.HTTPConnection(netloc, timeout=30)
        queue = deque(start)
        self.sources.update(dict.fromkeys(start, "(start)"))
        while queue:
            url = queue.popleft()
            connection.request("GET", urlsplit(url).path)
            response = connection.getresponse()
            body = response.read()
            self.status[url] = response.status
            if response.getheader("Connection", "").lower() == "close" or response.will_close:
                connection.close()
                connection = http.client.HTTPConnection(netloc, timeout=30)
            html = (response.getheader("Content-Type") or "").startswith("text/html")
            if response.status != 200 or not html:
                continue
            parser = PageParser()
            parser.feed(body.decode("utf-8"))
            self.ids[url] = parser.ids
            for link in parser.links:
                target, fragment = urldefrag(urljoin(url, link))
                if not target.startswith(self.origin):
                    continue  # another site: not ours to check
                if target != url:
                    self.linked.add(target)
                if fragment:
                    self.anchors.add((url, target, unquote(fragment)))
                if target not in self.sources:
                    self.sources[target] = url
                    queue.append(target)
        connection.close()


@pytest.fixture(scope="module")
def crawl(static_site: StaticSite) -> Crawl:
    """A crawl from the home page, and from every page the sitemap lists."""
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.parse(static_site.folder / "sitemap.xml").getroot()
    listed = [loc.text or "" for loc in root.iterfind("s:url/s:loc", namespace)]
    result = Crawl(static_site.url)
    result.run([static_site.url, static_site.url + "robots.txt", *map(static_site.local, listed)])
    return result


def test_no_link_is_broken(crawl: Crawl) -> None:
    broken = {
        url: (status, crawl.sources[url]) for url, status in crawl.status.items() if status != 200
    }
    assert not broken, f"{len(broken)} broken (status, linked from): {sorted(broken.items())[:10]}"


def test_the_crawl_reaches_every_file_a_page_links_to(
    static_site: StaticSite, crawl: Crawl
) -> None:
    reached = {static_site.path(url) for url in crawl.status}
    for iri in static_site.resources():
        path = static_site.path(iri)
        for lang in PAGE_LANGUAGES:
            assert f"{path}{'' if lang == 'en' else '.' + lang}.html" in reached, iri
        assert {f"{path}.ttl", f"{path}.jsonld"} <= reached, iri
    for name in ("download/mdq.ttl", "catalog.ttl", "void.ttl", "queries/participants.rq",
                 "static/mdq.css", "static/favicon.svg", "ontology.html"):  # fmt: skip
        assert name in reached


def test_every_page_is_linked_from_another(static_site: StaticSite, crawl: Crawl) -> None:
    pages = [url for url in crawl.ids if url != static_site.url]
    assert len(pages) == static_site.report.pages - 1  # all but the 404 page (home: index.html)
    orphans = sorted(set(pages) - crawl.linked)
    assert not orphans, orphans[:10]


def test_every_anchor_a_link_points_to_exists(crawl: Crawl) -> None:
    missing = [
        (source, page, fragment)
        for source, page, fragment in crawl.anchors
        if page in crawl.ids and fragment not in crawl.ids[page]
    ]
    assert not missing, missing[:10]
    assert any(page.endswith("ontology.html") for _, page, _ in crawl.anchors)
    assert any(page.endswith("queries.html") for _, page, _ in crawl.anchors)


def test_no_page_links_to_a_sparql_endpoint(static_site: StaticSite, crawl: Crawl) -> None:
    assert not [url for url in crawl.status if "sparql" in static_site.path(url).split(".")[0]]
