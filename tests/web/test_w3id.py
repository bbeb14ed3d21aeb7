"""The w3id.org redirect rules (w3id/.htaccess) in a real Apache 2.4, as w3id.org runs them: each
kind of IRI under https://w3id.org/mdq/ (things, graphs, the ontology and its version, the root,
the catalog, the context, the downloads, pages), asked for as a page (English, Japanese) and in
every RDF format, must be redirected to the right file of a static site that `mdq-graph publish`
wrote, on a host given in one line of the rules; the file it lands on is served.

Skipped, with the reason, where Apache is not installed; MDQ_REQUIRE_WEB_SERVERS=1 (CI) makes that
a failure.
"""

from __future__ import annotations

import http.client
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from mdq_graph import __version__
from mdq_graph.graph.loader import load_dataset
from mdq_graph.graph.namespaces import BASE
from mdq_graph.web.hosting import NEGOTIATED, W3ID_PLACEHOLDER_HOST, w3id_htaccess
from mdq_graph.web.site import QUERIES_STEM, WORKBENCH_STEM, write_site
from tests.conftest import REPO, TEST_DATA
from tests.support.recipes import BROWSER_ACCEPT
from tests.support.virtuoso import free_port
from tests.web.test_site_hosts import serving_apache

pytestmark = pytest.mark.slow


def test_the_committed_rules_are_the_generated_ones() -> None:
    """w3id/.htaccess is `w3id_htaccess` with the placeholder host (regenerate it with
    `python -c "from mdq_graph.web.hosting import *; print(w3id_htaccess(W3ID_PLACEHOLDER_HOST), end='')"`)."""
    committed = (REPO / "w3id" / ".htaccess").read_text(encoding="utf-8")
    assert committed == w3id_htaccess(W3ID_PLACEHOLDER_HOST)
    assert f"[E=MDQ_HOST:{W3ID_PLACEHOLDER_HOST}]" in committed  # the one line to edit


@pytest.mark.parametrize("host", ["mdq.example.org/", "https://mdq.example.org", "ftp://x/"])
def test_a_host_that_is_not_an_http_folder_url_is_refused(host: str) -> None:
    with pytest.raises(ValueError, match="http"):
        w3id_htaccess(host)


@dataclass(frozen=True)
class W3id:
    """Apache on `port`: the rules at /mdq/ (as w3id.org/mdq/), the site at /site/ (the host)."""

    port: int
    site: Path

    @property
    def host(self) -> str:
        return f"http://127.0.0.1:{self.port}/site/"


@pytest.fixture(scope="module")
def w3id() -> Iterator[W3id]:
    root = Path(tempfile.mkdtemp(prefix="mdq-w3id-"))
    root.chmod(0o755)
    port = free_port()
    site = root / "site"
    try:
        write_site(load_dataset([TEST_DATA / "site" / "small.ttl"]), site)  # for the w3id base
        (root / "mdq").mkdir()
        (root / "mdq" / ".htaccess").write_text(w3id_htaccess(f"http://127.0.0.1:{port}/site/"))
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        for served in serving_apache(root, port):
            yield W3id(served, site)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def request(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of a GET, not following redirects."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def things(site: Path) -> list[str]:
    """The IRIs (paths under the base) the site's sitemap lists, in English, and the version IRI."""
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    tree = ET.parse(site / "sitemap.xml").getroot()
    urls = [loc.text or "" for loc in tree.iterfind("s:url/s:loc", namespace)]
    paths = [u[len(BASE) :].removesuffix(".html") for u in urls if not u.endswith(".ja.html")]
    # Pages without RDF (the landing page's is the catalog's): the curated queries, the workbench.
    return sorted({p for p in paths if p not in ("", "index", QUERIES_STEM, WORKBENCH_STEM)})


def cases(site: Path) -> list[tuple[str, dict[str, str], int, str]]:
    """(path under /mdq/, request headers, status, the file on the host it must redirect to)."""
    found: list[tuple[str, dict[str, str], int, str]] = [
        ("", {"Accept": BROWSER_ACCEPT}, 303, ""),
        ("", {"Accept": BROWSER_ACCEPT, "Accept-Language": "ja"}, 303, "index.ja.html"),
        *(("", {"Accept": m}, 303, f"catalog{e}") for m, e in NEGOTIATED),
        ("context.jsonld", {"Accept": "application/ld+json"}, 302, "context.jsonld"),
        *((f"download/mdq{e}", {"Accept": "*/*"}, 302, f"download/mdq{e}") for _, e in NEGOTIATED),
        ("id/country/xx.ja.html", {"Accept": BROWSER_ACCEPT}, 302, "id/country/xx.ja.html"),
    ]
    for path in things(site):
        found += [
            (path, {"Accept": BROWSER_ACCEPT}, 303, f"{path}.html"),
            (path, {"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.5"}, 303, f"{path}.ja.html"),
            *((path, {"Accept": f"{m}, */*;q=0.1"}, 303, f"{path}{e}") for m, e in NEGOTIATED),
        ]
    return found


def test_every_kind_of_iri_is_redirected_to_its_file_on_the_host(w3id: W3id) -> None:
    checked = cases(w3id.site)
    kinds = {path.split("/", 1)[0] for path, *_ in checked}
    assert {
        "",
        "id",
        "graph",
        "ontology",
        "catalog",
        "dataset",
        "download",
        "context.jsonld",
    } <= kinds
    assert f"ontology/{__version__}" in {path for path, *_ in checked}
    assert len(checked) > 100
    for path, headers, status, file in checked:
        got, response_headers, _ = request(w3id.port, "/mdq/" + path, headers)
        location = response_headers.get("location")
        assert (got, location) == (status, w3id.host + file), (path, headers)
        assert "Accept" in response_headers.get("vary", ""), path
        # ... where the host serves the file itself, in its media type
        landed, landed_headers, body = request(w3id.port, urlsplit(location).path, headers)
        assert landed == 200, (path, headers, location)
        expected = (w3id.site / file) if file else (w3id.site / "index.html")
        assert body == expected.read_bytes(), (path, headers, location)
        if file.endswith(tuple(e for _, e in NEGOTIATED)):
            media = next(m for m, e in NEGOTIATED if file.endswith(e))
            assert landed_headers["content-type"].startswith(media), (path, file)
