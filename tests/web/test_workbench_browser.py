"""The query workbench in a real browser (Debian's Chromium, headless, driven by Playwright): on
`serve` (a real uvicorn on a loopback port, with its Content-Security-Policy) and on the published
site over a plain static file server (no server behind the queries: Oxigraph's WebAssembly build
answers them in the page). Completion offers our terms and names, the curated queries show their
table, chart, map and timeline, rows show their evidence, a shared link gives the same answer, the
label search lands on Japan's page, and no view logs a console error or fails a request.

Skipped where Chromium, Playwright or the built workbench (`npm ci && npm run build`) is missing;
MDQ_REQUIRE_BROWSER=1 (CI) makes that a failure. MDQ_UPDATE_SCREENSHOT=1 rewrites the screenshots
in docs/ (install a Japanese font first, e.g. fonts-ipafont-gothic).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from mdq_graph.cli import main
from mdq_graph.query.curated import CuratedQuery
from mdq_graph.web.publication import Publication
from mdq_graph.web.workbench import vendor_manifest
from tests.conftest import REPO, TEST_DATA
from tests.support.serving import app_with, running_server
from tests.support.serving import publication as publication
from tests.support.site import StaticSite, serve_folder
from tests.web.test_site_browser import browser as browser
from tests.web.test_site_browser import png_size
from tests.web.test_site_browser import tab as tab

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.slow

MODES = ["static", "server"]
SCREENSHOTS = {
    name: REPO / "docs" / f"workbench-{name}.png"
    for name in ("completion", "table", "chart", "map", "timeline")
}
#: A query that is no curated query: the country of each participation and its ISO code.
ARBITRARY = """PREFIX mdq: <https://w3id.org/mdq/ontology#>
SELECT ?participation ?country ?iso WHERE {
  ?participation mdq:participant ?country . ?country mdq:isoAlpha3 ?iso
} ORDER BY ?iso"""


@pytest.fixture(scope="module", autouse=True)
def workbench_built() -> None:
    if vendor_manifest() is None:
        reason = "the workbench is not built (npm ci && npm run build)"
        if os.environ.get("MDQ_REQUIRE_BROWSER") == "1":
            pytest.fail(f"MDQ_REQUIRE_BROWSER=1, but {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def server_url(publication: Publication) -> Iterator[str]:
    """`serve` on a loopback port, for the module."""
    with running_server(app_with(publication, workers=2)) as url:
        yield url


@pytest.fixture(params=MODES)
def workbench_url(request: pytest.FixtureRequest) -> str:
    """The workbench page on the static site, or on the server."""
    if request.param == "static":
        site: StaticSite = request.getfixturevalue("static_site")
        return site.url + "query.html"
    return str(request.getfixturevalue("server_url")) + "sparql"


def open_workbench(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#wb-run", timeout=30_000)


def run(page: Page, template: str | None = None) -> None:
    if template:
        page.select_option("#wb-template", template)
    page.click("#wb-run")
    page.wait_for_selector(".wb-views table.wb-table, .wb-views .wb-error", timeout=60_000)
    assert page.locator(".wb-views .wb-error").count() == 0, page.locator(".wb-views").inner_text()


def run_curated(page: Page, url: str, publication: Publication, name: str) -> CuratedQuery:
    """Open the workbench, run the curated query `name` from its template; the query."""
    open_workbench(page, url)
    run(page, name)
    return next(q for q in publication.queries if q.name == name)


def engine_rows(publication: Publication, query: str) -> list[dict[str, str]]:
    result = publication.engine.query(query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def table_rows(page: Page) -> list[dict[str, str]]:
    """The result table as values: an IRI from its link's title, a literal from its text."""
    headers = page.locator("table.wb-table thead th").all_inner_texts()
    rows = []
    for row in page.locator("table.wb-table tbody tr:not(.wb-evidence)").all():
        values = {}
        for name, cell in zip(headers, row.locator("td").all(), strict=False):
            iri = cell.locator("[title]")
            if iri.count():
                values[name] = iri.get_attribute("title") or ""
            elif cell.inner_text():
                values[name] = cell.inner_text()
        rows.append(values)
    return rows


def screenshot(page: Page, name: str, tmp_path: Path) -> None:
    """A screenshot of the view; docs/ shows the static site's (updated on request)."""
    target = SCREENSHOTS[name]
    static = ".html" in page.url
    if os.environ.get("MDQ_UPDATE_SCREENSHOT") != "1" or not static:
        target = tmp_path / target.name
    if name != "completion":
        page.locator(".wb-actions").evaluate("element => element.scrollIntoView()")
    data = page.screenshot(path=str(target))
    assert png_size(data) == (1280, 900)


def editor_type(page: Page, text: str) -> None:
    """Type into the editor as a person does (completion reacts to each key)."""
    page.keyboard.type(text, delay=15)
    page.wait_for_timeout(250)


def hints(page: Page) -> list[str]:
    page.wait_for_selector(".CodeMirror-hints li", timeout=5_000)
    return page.locator(".CodeMirror-hints li").all_inner_texts()


def test_completion_offers_our_classes_properties_and_names(
    tab: tuple[Page, list[str]],
    workbench_url: str,
    publication: Publication,
    tmp_path: Path,
) -> None:
    page, problems = tab
    open_workbench(page, workbench_url)
    # The new query's body: click its empty line.
    page.locator(".CodeMirror-line").filter(has_text="SELECT").click()
    page.keyboard.press("End")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    editor_type(page, "?c a mdq:Coun")
    assert "mdq:Country — country" in hints(page)
    page.keyboard.press("Enter")
    editor_type(page, " ; mdq:isoA")
    offered = hints(page)
    assert offered[0].startswith("mdq:isoAlpha2"), offered
    page.keyboard.press("Enter")
    editor_type(page, " ?iso . ?p mdq:participant ")
    page.keyboard.insert_text("日本")
    page.wait_for_timeout(300)
    offered = hints(page)
    assert offered[0].startswith("id:country/jp — "), offered
    screenshot(page, "completion", tmp_path)
    page.keyboard.press("Enter")
    editor = page.locator(".CodeMirror-code").inner_text()
    assert "id:country\\/jp" in editor
    run(page)
    query = (
        "PREFIX mdq: <https://w3id.org/mdq/ontology#>\nPREFIX id: <https://w3id.org/mdq/id/>\n"
        "SELECT * WHERE { ?c a mdq:Country ; mdq:isoAlpha2 ?iso . ?p mdq:participant id:country\\/jp }"
    )
    assert len(table_rows(page)) == len(engine_rows(publication, query)) > 0
    assert problems == []


def test_a_curated_query_as_table_chart_and_map(
    tab: tuple[Page, list[str]],
    workbench_url: str,
    publication: Publication,
    tmp_path: Path,
) -> None:
    page, problems = tab
    curated = run_curated(page, workbench_url, publication, "open-data-portals")
    expected = engine_rows(publication, curated.text)
    assert table_rows(page) == expected
    # IRIs are shown by their labels and link to their pages.
    japan = page.locator("table.wb-table a[title$='/id/country/jp']").first
    assert japan.inner_text() == "Japan"
    screenshot(page, "table", tmp_path)
    page.click(".wb-tabs button[data-view=chart]")
    # No numeric column: the rows counted by a repeated value (two candidate portals for Denmark).
    assert page.locator("svg.wb-chart rect.wb-bar").count() == len({r["place"] for r in expected})
    page.click(".wb-tabs button[data-view=map]")
    model = json.loads(
        page.request.get(page.url.split("?")[0].rsplit("/", 1)[0] + "/workbench.json").text()
    )
    places = {v for row in expected for v in row.values() if v in model["places"]}
    assert page.locator("svg.wb-map circle.wb-point").count() == len(places) > 0
    points = page.locator("svg.wb-map circle.wb-point")
    for i in range(points.count()):
        cx, cy = (float(points.nth(i).get_attribute(a) or -1) for a in ("cx", "cy"))
        assert 0 < cx < 720 and 0 < cy < 360, "each place is inside the map's frame"
    screenshot(page, "map", tmp_path)
    # A place on the map links to its page.
    page.locator("svg.wb-map a").filter(has_text="Japan").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Japan"
    assert problems == []


def test_numbers_as_a_chart(
    tab: tuple[Page, list[str]], workbench_url: str, publication: Publication, tmp_path: Path
) -> None:
    page, problems = tab
    curated = run_curated(page, workbench_url, publication, "sources-and-graphs")
    counts = [int(row["statements"]) for row in engine_rows(publication, curated.text)]
    page.click(".wb-tabs button[data-view=chart]")
    bars = page.locator("svg.wb-chart rect.wb-bar")
    assert bars.count() == len(counts)
    widths = [float(bars.nth(i).get_attribute("width") or 0) for i in range(bars.count())]
    # Each bar is as long as its number, in proportion.
    for width, count in zip(widths, counts, strict=True):
        assert abs(width / max(widths) - count / max(counts)) < 0.01
    screenshot(page, "chart", tmp_path)
    assert problems == []


def test_dates_on_a_timeline(
    tab: tuple[Page, list[str]], workbench_url: str, publication: Publication, tmp_path: Path
) -> None:
    page, problems = tab
    curated = run_curated(page, workbench_url, publication, "events-of-the-week")
    page.click(".wb-tabs button[data-view=timeline]")
    spans = page.locator("svg.wb-timeline rect.wb-span")
    assert spans.count() == len(engine_rows(publication, curated.text))
    screenshot(page, "timeline", tmp_path)
    assert problems == []


def test_each_row_shows_its_evidence(
    tab: tuple[Page, list[str]], workbench_url: str, publication: Publication
) -> None:
    page, problems = tab
    curated = run_curated(page, workbench_url, publication, "supporting-sentence")
    expected = engine_rows(publication, curated.text)
    buttons = page.locator("button.wb-show-evidence")
    assert buttons.count() == len(expected) > 0
    for index, row in enumerate(expected):
        buttons.nth(index).click()
        shown = page.locator("tr.wb-evidence").nth(index)
        assert shown.is_visible()
        assert shown.locator("blockquote").inner_text() == row["sentence"]
        assert shown.locator(".wb-source a").get_attribute("title") == row["source_url"]
    assert problems == []


def test_a_shared_link_gives_the_same_answer(
    tab: tuple[Page, list[str]], workbench_url: str
) -> None:
    page, problems = tab
    open_workbench(page, workbench_url)
    run(page, "participants")
    first = table_rows(page)
    link = page.locator("#wb-share").get_attribute("href")
    assert link and "query=" in link
    page.goto(page.url.split("?")[0] + "?" + link.split("?", 1)[1])
    page.wait_for_selector("table.wb-table tbody tr", timeout=60_000)
    assert table_rows(page) == first
    assert problems == []


def test_the_published_site_answers_any_query_as_the_cli_does(
    tab: tuple[Page, list[str]], static_site: StaticSite
) -> None:
    """No server behind the page: Oxigraph in the browser gives `mdq-graph query`'s rows."""
    page, problems = tab
    page.goto(static_site.url + "query.html?query=" + quote(ARBITRARY))
    page.wait_for_selector("table.wb-table tbody tr", timeout=60_000)
    result = CliRunner().invoke(main, ["query", ARBITRARY, "--format", "json"])
    assert result.exit_code == 0, result.output
    bindings = json.loads(result.output)["results"]["bindings"]
    expected = [{k: v["value"] for k, v in row.items()} for row in bindings]
    assert table_rows(page) == expected
    assert expected, "the query has answers"
    assert problems == []


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_search_japan_and_land_on_its_page(
    tab: tuple[Page, list[str]], workbench_url: str, lang: str
) -> None:
    page, problems = tab
    url = workbench_url
    if lang == "ja":
        url = (
            url.replace("query.html", "query.ja.html")
            if url.endswith(".html")
            else url + "?lang=ja"
        )
    open_workbench(page, url)
    page.fill("#wb-search-input", "日本")
    page.wait_for_selector(".wb-hits a", timeout=10_000)
    first = page.locator(".wb-hits a").first
    assert first.inner_text() == ("日本" if lang == "ja" else "Japan")
    first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == ("日本" if lang == "ja" else "Japan")
    assert page.locator("html").get_attribute("lang") == lang
    assert problems == []


def test_the_screenshots_are_in_the_docs() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for path in SCREENSHOTS.values():
        assert png_size(path.read_bytes()) == (1280, 900), path
    assert "docs/workbench-map.png" in readme


def test_a_graph_and_a_boolean_answer(
    tab: tuple[Page, list[str]], workbench_url: str, publication: Publication
) -> None:
    page, problems = tab
    open_workbench(page, workbench_url)
    page.select_option("#wb-template", "schema-org-view")
    page.click("#wb-run")
    graph = page.locator(".wb-views pre.wb-graph")
    graph.wait_for(timeout=60_000)
    curated = next(q for q in publication.queries if q.name == "schema-org-view")
    answer = publication.engine.query(curated.text)
    assert isinstance(answer, ox.QueryTriples)
    expected = ox.Store()
    expected.extend(ox.Quad(t.subject, t.predicate, t.object) for t in answer)
    shown = ox.Store()
    shown.load(graph.inner_text(), format=ox.RdfFormat.TURTLE)
    assert len(shown) == len(expected) > 0
    page.select_option("#wb-template", "releases-agree-on-dates")
    page.click("#wb-run")
    boolean = page.locator(".wb-views .wb-boolean")
    boolean.wait_for(timeout=60_000)
    agreed = publication.engine.query(
        next(q for q in publication.queries if q.name == "releases-agree-on-dates").text
    )
    assert boolean.inner_text() == str(bool(agreed)).lower()
    assert problems == []


#: A query that would run for days on the bundled graph: every triple with every triple, thrice.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_a_query_past_the_time_limit_is_stopped_and_the_next_one_runs(
    tab: tuple[Page, list[str]], static_site: StaticSite
) -> None:
    """The static site's engine runs off the page's thread: a query that outlives the time limit
    is stopped (its worker ended), the page says so in the page's language, and the next query
    runs in a new engine."""
    page, problems = tab
    open_workbench(page, static_site.url + "query.html")
    assert page.evaluate("window.mdqWorkbench.config.timeLimit") == "10"
    page.evaluate("window.mdqWorkbench.config.timeLimit = '2'")
    page.evaluate("query => window.mdqWorkbench.yasqe.setValue(query)", ENDLESS)
    page.click("#wb-run")
    page.wait_for_selector(".wb-views .wb-error", timeout=30_000)
    assert page.locator(".wb-views .wb-error").inner_text().startswith("Stopped after 2 s")
    page.evaluate("query => window.mdqWorkbench.yasqe.setValue(query)", ARBITRARY)
    run(page)
    assert len(table_rows(page)) > 0
    assert problems == []


@pytest.mark.parametrize(("name", "media"), [("JSON", "json"), ("CSV", "csv")])
def test_a_static_download_holds_the_rows_shown(
    tab: tuple[Page, list[str]], static_site: StaticSite, name: str, media: str
) -> None:
    """The static site's download links: the engine writes the results when one is clicked."""
    page, problems = tab
    page.goto(static_site.url + "query.html?query=" + quote(ARBITRARY))
    page.wait_for_selector("table.wb-table tbody tr", timeout=60_000)
    shown = table_rows(page)
    with page.expect_download(timeout=30_000) as download:
        page.click(f".wb-downloads a:text-is('{name}')")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    if media == "json":
        rows = json.loads(text)["results"]["bindings"]
        assert [{k: v["value"] for k, v in row.items()} for row in rows] == shown
    else:
        lines = text.splitlines()
        assert lines[0].split(",") == list(shown[0]) and len(lines) == len(shown) + 1
    assert problems == []


def test_an_iri_of_another_scheme_is_never_a_link(
    tab: tuple[Page, list[str]], tmp_path: Path
) -> None:
    """A `javascript:` IRI in the data is shown, in the table and the search, not linked."""
    page, problems = tab
    site = tmp_path / "site"
    data = TEST_DATA / "workbench" / "javascript-iri.trig"
    result = CliRunner().invoke(main, ["--data", str(data), "publish", str(site)])
    assert result.exit_code == 0, result.output
    server = serve_folder(site, 0)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/query.html"
        query = "SELECT ?s ?o WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#seeAlso> ?o }"
        page.goto(url + "?query=" + quote(query))
        page.wait_for_selector("table.wb-table tbody tr", timeout=60_000)
        cells = page.locator("table.wb-table tbody td")
        assert cells.nth(1).locator("[title^='javascript:']").count() == 1
        assert page.locator("a[href^='javascript:' i]").count() == 0
        assert cells.nth(0).locator("a").get_attribute("href") == "id/country/jp.html"
    finally:
        server.shutdown()
        server.server_close()
    assert problems == []
