"""The site's content-negotiation recipes in the real servers: Apache 2.4 with the `.htaccess`,
nginx with `nginx.conf`, each serving a small site at the base's path (/mdq/) on a loopback port.
Every IRI the sitemap lists is asked for as a page (English, Japanese) and in every RDF format,
and must answer with the file, its media type and its bytes.

Skipped, with the reason, where a server is not installed (apt-get install apache2 nginx-light);
MDQ_REQUIRE_WEB_SERVERS=1 (CI) makes that a failure.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Dataset

from mdq_graph.graph.loader import load_dataset
from mdq_graph.web.hosting import NEGOTIATED
from mdq_graph.web.site import QUERIES_STEM, WORKBENCH_STEM, write_site
from tests.conftest import TEST_DATA
from tests.support.recipes import BROWSER_ACCEPT
from tests.support.virtuoso import free_port

pytestmark = pytest.mark.slow

BASE = "http://127.0.0.1:8000/mdq/"
APACHE_MODULES = Path("/usr/lib/apache2/modules")


def unavailable(reason: str) -> None:
    """Skip, or fail where CI requires the servers."""
    if os.environ.get("MDQ_REQUIRE_WEB_SERVERS") == "1":
        pytest.fail(f"MDQ_REQUIRE_WEB_SERVERS=1, but {reason}")
    pytest.skip(reason)


@dataclass(frozen=True)
class Hosted:
    """A small site in a folder that any user may read (a server started as root serves it as
    an unprivileged user), served at /mdq/ under `root`."""

    root: Path
    folder: Path

    def pages(self) -> list[str]:
        """The paths (under the base) of the resources the sitemap lists, in English."""
        namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
        tree = ET.parse(self.folder / "sitemap.xml").getroot()
        urls = [loc.text or "" for loc in tree.iterfind("s:url/s:loc", namespace)]
        return [u[len(BASE) :].removesuffix(".html") for u in urls if not u.endswith(".ja.html")]


@pytest.fixture(scope="module")
def hosted() -> Iterator[Hosted]:
    dataset: Dataset = load_dataset([TEST_DATA / "site" / "small.ttl"])
    root = Path(tempfile.mkdtemp(prefix="mdq-hosted-"))
    try:
        root.chmod(0o755)
        folder = root / "mdq"
        write_site(dataset, folder, base=BASE)
        yield Hosted(root, folder)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def serving(command: list[str], port: int, work: Path) -> Iterator[int]:
    """Run the server `command` (its configuration and error.log in `work`) while the caller uses
    `port`; then stop it and remove `work`."""
    process = subprocess.Popen(command)
    try:
        wait_for(port, process, work / "error.log")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


def wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until the server answers on `port`."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {log.read_text() if log.exists() else ''}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("HEAD", "/")
            connection.getresponse()
            connection.close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


@pytest.fixture(scope="module")
def nginx(hosted: Hosted) -> Iterator[int]:
    """nginx with the site's nginx.conf (its `# edit` lines set), on a free port."""
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if binary is None:
        unavailable("nginx is not installed (apt-get install nginx-light)")
    port = free_port()
    work = hosted.root.parent / f"{hosted.root.name}-nginx"
    work.mkdir()
    recipe = (hosted.folder / "nginx.conf").read_text()
    recipe = recipe.replace("listen 80;  # edit", f"listen 127.0.0.1:{port};")
    recipe = re.sub(r"alias /srv/mdq-site/;", f"alias {hosted.folder}/;", recipe)
    (work / "site.conf").write_text(recipe)
    temp = " ".join(
        f"{kind}_temp_path {work}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (work / "nginx.conf").write_text(
        f"daemon off;\nworker_processes 1;\npid {work}/nginx.pid;\nerror_log {work}/error.log;\n"
        f"events {{ worker_connections 64; }}\n"
        f"http {{ access_log off; {temp} include {work}/site.conf; }}\n"
    )
    yield from serving([str(binary), "-p", str(work), "-c", str(work / "nginx.conf")], port, work)


@pytest.fixture(scope="module")
def apache(hosted: Hosted) -> Iterator[int]:
    """Apache 2.4 serving the site's folder with its .htaccess, on a free port."""
    yield from serving_apache(hosted.root, free_port())


def serving_apache(root: Path, port: int) -> Iterator[int]:
    """Apache 2.4 (mod_rewrite, mod_headers) serving the folder `root`, .htaccess files allowed
    as the recipes ask, on `port` (see `serving`); its configuration goes beside `root`."""
    binary = shutil.which("apache2") or shutil.which("httpd")
    if binary is None or not APACHE_MODULES.is_dir():
        unavailable(
            f"Apache is not installed with its modules in {APACHE_MODULES} (apt-get install apache2)"
        )
    work = root.parent / f"{root.name}-apache"
    work.mkdir()
    modules = ["mpm_event", "authz_core", "dir", "mime", "rewrite", "headers"]
    user = "User nobody\nGroup nogroup\n" if os.geteuid() == 0 else ""
    (work / "httpd.conf").write_text(
        f"ServerRoot {work}\nServerName localhost\nListen 127.0.0.1:{port}\nPidFile {work}/httpd.pid\n"
        f"ErrorLog {work}/error.log\n{user}TypesConfig /dev/null\n"
        + "".join(f"LoadModule {m}_module {APACHE_MODULES}/mod_{m}.so\n" for m in modules)
        + f"DocumentRoot {root}\n<Directory {root}>\n"
        "  AllowOverride FileInfo Indexes Options=Indexes,MultiViews,FollowSymLinks\n  Require all granted\n</Directory>\n"
    )
    yield from serving([str(binary), "-X", "-f", str(work / "httpd.conf")], port, work)


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
    """Status, media type and body of a GET."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, (response.getheader("Content-Type") or "").split(";")[0], body


def cases(hosted: Hosted) -> list[tuple[str, dict[str, str], str, str]]:
    """(path under the base, request headers, the file that must answer, its media type)."""
    found = [
        ("", {"Accept": BROWSER_ACCEPT}, "index.html", "text/html"),
        ("", {"Accept": BROWSER_ACCEPT, "Accept-Language": "ja"}, "index.ja.html", "text/html"),
        *(("", {"Accept": m}, f"catalog{e}", m) for m, e in NEGOTIATED),
    ]
    for path in hosted.pages():
        if path in ("", "index", QUERIES_STEM, WORKBENCH_STEM):  # pages without RDF
            continue
        found += [
            (path, {"Accept": BROWSER_ACCEPT}, f"{path}.html", "text/html"),
            (path, {"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.5"}, f"{path}.ja.html", "text/html"),
            *((path, {"Accept": f"{m}, */*;q=0.1"}, f"{path}{e}", m) for m, e in NEGOTIATED),
        ]
    return found


@pytest.mark.parametrize("server", ["apache", "nginx"])
def test_every_iri_answers_with_its_files(
    hosted: Hosted, server: str, request: pytest.FixtureRequest
) -> None:
    port: int = request.getfixturevalue(server)
    checked = cases(hosted)
    assert len(checked) > 400
    for path, headers, file, media_type in checked:
        status, served_type, body = get(port, "/mdq/" + path, headers)
        assert (status, served_type) == (200, media_type), (server, path, headers)
        assert body == (hosted.folder / file).read_bytes(), (server, path, headers)


@pytest.mark.parametrize("server", ["apache", "nginx"])
def test_files_unknown_paths_and_headers(
    hosted: Hosted, server: str, request: pytest.FixtureRequest
) -> None:
    port: int = request.getfixturevalue(server)
    status, media_type, body = get(port, "/mdq/id/country/xx.ttl", {"Accept": BROWSER_ACCEPT})
    assert (status, media_type) == (200, "text/turtle")
    status, media_type, _ = get(port, "/mdq/queries/participants.rq", {})
    assert (status, media_type) == (200, "application/sparql-query")
    status, media_type, body = get(port, "/mdq/no/such/thing", {"Accept": BROWSER_ACCEPT})
    assert (status, media_type) == (404, "text/html")
    assert body == (hosted.folder / "404.html").read_bytes()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/mdq/id/country/xx", headers={"Accept": "text/turtle"})
    response = connection.getresponse()
    response.read()
    assert "Accept" in (response.getheader("Vary") or "")
    assert response.getheader("Access-Control-Allow-Origin") == "*"
    assert response.getheader("Content-Type") == "text/turtle; charset=utf-8"
