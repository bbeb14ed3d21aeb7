"""The static site in a real browser: Debian's Chromium, headless, driven by Playwright, over the
plain static file server of tests/support/site.py. No console error and no page error, the
stylesheet applied, the language switch clicked, and the screenshot the README shows.

Skipped, with the reason, where Chromium or Playwright is missing; CI sets MDQ_REQUIRE_BROWSER=1,
which makes that a failure. MDQ_UPDATE_SCREENSHOT=1 rewrites docs/screenshot-meeting.png (with
a Japanese font installed, e.g. fonts-ipafont-gothic); otherwise the screenshot goes to a
temporary folder and is only checked.
"""

from __future__ import annotations

import importlib.util
import json
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import REPO
from tests.support.site import StaticSite

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.slow

#: Debian's Chromium; Playwright's own browser download is never used.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOT = REPO / "docs" / "screenshot-meeting.png"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not CHROMIUM.is_file():
        return f"Debian's Chromium is not at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium, for the module."""
    reason = missing()
    if reason:
        if os.environ.get("MDQ_REQUIRE_BROWSER") == "1":
            pytest.fail(f"MDQ_REQUIRE_BROWSER=1, but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture()
def tab(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A page of a new browser context (English first), and the problems it reports: console
    errors, uncaught exceptions, failed requests and HTTP errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    problems: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error":
            problems.append(f"console error: {message.text} at {message.location.get('url')}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status}: {response.url}")
            if response.status >= 400
            else None
        ),
    )
    yield page, problems
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        "",
        "index.ja.html",
        "id/meeting/mdq-7.html",
        "id/country/jp.ja.html",
        "ontology.html",
        "queries.html",
        "404.html",
    ],
)
def test_the_page_loads_without_an_error(
    static_site: StaticSite, tab: tuple[Page, list[str]], path: str
) -> None:
    page, problems = tab
    response = page.goto(static_site.url + path, wait_until="load")
    assert response is not None and response.status == 200
    assert problems == []
    assert page.title()
    # The stylesheet is applied (the header is a flex row) and the icon is found.
    header = page.evaluate("getComputedStyle(document.querySelector('header.site')).display")
    assert header == "flex"
    icon = page.evaluate("document.querySelector('link[rel=icon]').href")
    assert page.request.get(icon).ok
    for script in page.locator('script[type="application/ld+json"]').all_text_contents():
        assert json.loads(script)["@context"]


def test_the_language_switch(static_site: StaticSite, tab: tuple[Page, list[str]]) -> None:
    page, problems = tab
    page.goto(static_site.url + "id/meeting/mdq-7.html")
    assert page.locator("h1").inner_text() == "7th Multilateral Dialogue on Quantum"
    page.locator("nav.languages a[hreflang=ja]").click()
    page.wait_for_url("**/id/meeting/mdq-7.ja.html")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.locator("h1").inner_text() == "第7回量子多国間対話"
    assert page.get_by_role("link", name="日本", exact=True).count() >= 1
    # Links stay in Japanese: the country's page.
    page.get_by_role("link", name="日本", exact=True).first.click()
    page.wait_for_url("**/id/country/jp.ja.html")
    assert page.locator("h1").inner_text() == "日本"
    page.locator("nav.languages a[hreflang=en]").click()
    page.wait_for_url("**/id/country/jp.html")
    assert page.locator("h1").inner_text() == "Japan"
    assert problems == []


def test_from_the_home_page_to_a_query_and_its_answer(
    static_site: StaticSite, tab: tuple[Page, list[str]]
) -> None:
    page, problems = tab
    page.goto(static_site.url)
    page.get_by_role("link", name="Participants of the 7th MDQ meeting").first.click()
    page.wait_for_url("**/queries.html#query-participants")
    answer = page.locator("#query-participants table.results")
    assert answer.locator("tbody tr").count() == 13
    assert "Japan" in answer.inner_text()
    assert problems == []


def png_size(data: bytes) -> tuple[int, int]:
    """The width and height of a PNG image."""
    assert data.startswith(PNG_SIGNATURE), "not a PNG file"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_screenshot_of_the_meeting_page(
    static_site: StaticSite, tab: tuple[Page, list[str]], tmp_path: Path
) -> None:
    page, problems = tab
    page.goto(static_site.url + "id/meeting/mdq-7.html", wait_until="load")
    update = os.environ.get("MDQ_UPDATE_SCREENSHOT") == "1"
    target = SCREENSHOT if update else tmp_path / SCREENSHOT.name
    data = page.screenshot(path=str(target))
    assert problems == []
    assert target.read_bytes() == data
    assert png_size(data) == (1280, 900)
    assert len(data) > 20_000, "a blank page compresses to almost nothing"
    # The README shows the checked-in screenshot.
    assert png_size(SCREENSHOT.read_bytes()) == (1280, 900)
    assert "docs/screenshot-meeting.png" in (REPO / "README.md").read_text(encoding="utf-8")
