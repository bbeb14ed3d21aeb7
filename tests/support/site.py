"""Fixtures for the static-site tests: the bundled graph's site, built once and served by a local
static file server, and what a test needs to know about it."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from rdflib import Dataset

from mdq_graph.catalog.dcat import dump_path
from mdq_graph.graph.rdf_formats import FORMATS
from mdq_graph.web.publication import Publication, publish
from mdq_graph.web.site import SiteReport, write_site


@dataclass(frozen=True)
class StaticSite:
    """A site written by `write_site` for `base`, served by python's http.server at `url` (a
    loopback address with the base's path, as a host would serve it)."""

    folder: Path
    base: str
    url: str
    publication: Publication
    report: SiteReport

    def resources(self) -> list[str]:
        """Every IRI under the base the store names (fragments cut off), except the base itself
        and the files that are resources of their own (downloads, the JSON-LD context)."""
        files = {self.base + dump_path(f) for f in FORMATS.values()}
        files.add(self.publication.context_iri)
        found: set[str] = set()
        for quad in self.publication.engine.store:
            for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
                if isinstance(term, ox.NamedNode) and term.value.startswith(self.base):
                    found.add(term.value.partition("#")[0])
        return sorted(found - files - {self.base})

    def path(self, iri: str) -> str:
        """The path of an IRI under the base, or of a URL of the local server (`id/country/jp`)."""
        for prefix in (self.base, self.url):
            if iri.startswith(prefix):
                return iri[len(prefix) :]
        raise AssertionError(f"{iri} is neither under {self.base} nor {self.url}")

    def local(self, iri: str) -> str:
        """Where the local server serves an IRI under the base."""
        return self.url + self.path(iri)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder without logging every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve_folder(folder: Path, port: int) -> http.server.ThreadingHTTPServer:
    """A static file server for `folder` on a loopback port, running in a thread."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, name="static-site", daemon=True).start()
    return server


@pytest.fixture(scope="session")
def static_site(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticSite]:
    """The bundled graph published for its own base (https://w3id.org/mdq/), in a folder that a
    static file server on a loopback port serves at the base's path (/mdq/) for the session."""
    publication = publish(dataset, service=False)
    root = tmp_path_factory.mktemp("static")
    path = urlsplit(publication.base).path
    folder = root / path.strip("/")
    report = write_site(publication, folder)
    server = serve_folder(root, 0)
    url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    try:
        yield StaticSite(folder, publication.base, url, publication, report)
    finally:
        server.shutdown()
        server.server_close()
