"""The pages of the series: the 4th meeting shows the competing claims side by side with their
sources, the series says which meetings the graph knows, and each source says whether the project
quotes its text or cites it as a document."""

from __future__ import annotations

import re
from html import unescape

import pytest
from starlette.testclient import TestClient

# Imported for pytest to find the session fixtures.
from tests.support.serving import client as client
from tests.support.serving import publication as publication

QWB = "https://www.quantumwithoutborders.org/multilateral-dialogue-on-quantum"
QDNL = "https://quantumdelta.nl/news/multilateral-dialogue-on-quantum"
#: The words of the page in each language: property labels and country names.
NAMES = {
    "en": {
        "host": "host",
        "held in": "held in",
        "dk": "Denmark",
        "nl": "Netherlands",
        "gb": "United Kingdom",
    },
    "ja": {
        "host": "開催国・主催者",
        "held in": "開催地",
        "dk": "デンマーク",
        "nl": "オランダ",
        "gb": "英国",
    },
}


def section(client: TestClient, path: str, heading_id: str, lang: str = "en") -> str:
    """The text of the page's section under the heading `heading_id`, tags stripped."""
    response = client.get(path, headers={"Accept": "text/html"}, params={"lang": lang})
    assert response.status_code == 200, response.text
    match = re.search(
        rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', response.text, re.S
    )
    assert match, f"{path} has no section {heading_id}"
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))))


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_4th_meeting_shows_both_host_and_place_claims_with_their_pages(
    client: TestClient, lang: str
) -> None:
    text = section(client, "/id/meeting/mdq-4", "disagreements-heading", lang)
    assert ("Where the sources disagree" if lang == "en" else "出典間の食い違い") in text
    words = NAMES[lang]
    for graph, url in (("qwb", QWB), ("qdnl", QDNL)):
        assert f"{graph} ( {url} )" in text
    hosts = text.split(words["host"], 1)[1]
    dk, nl, gb = words["dk"], words["nl"], words["gb"]
    assert f"qdnl ( {QDNL} ) {dk} , {gb} qwb ( {QWB} ) {dk} , {nl} " in hosts
    places = text.split(words["held in"], 1)[1]
    assert f"qwb ( {QWB} ) Amsterdam , Copenhagen " in places
    assert f"qdnl ( {QDNL} ) Amsterdam " in places


def test_a_meeting_the_sources_agree_on_has_no_disagreements_section(client: TestClient) -> None:
    response = client.get("/id/event/mdq-4-security-workshop", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "disagreements-heading" not in response.text


def test_the_series_says_which_meetings_the_graph_knows(client: TestClient) -> None:
    text = section(client, "/id/series/mdq", "meetings-heading")
    assert "No. 4: 4th Multilateral Dialogue on Quantum disr-news qdnl qwb" in text
    assert "No. 7: 7th Multilateral Dialogue on Quantum release-en release-ja" in text
    assert "the meetings numbered 1, 2, 3, 5, 6: the graph says nothing of them" in text
    ja = section(client, "/id/series/mdq", "meetings-heading", "ja")
    assert "第1, 2, 3, 5, 6回の会合" in ja


def test_each_source_says_whether_it_is_quoted_or_cited(client: TestClient) -> None:
    quoted = section(client, "/id/meeting/mdq-7", "sources-heading")
    assert quoted.count("The project holds its text and quotes it") == 2
    assert "Cited as a document" not in quoted
    cited = section(client, "/id/meeting/mdq-4", "sources-heading")
    assert (
        cited.count("Cited as a document: the project holds no text of it (read on 2026-12-03)")
        == 3
    )
    assert "quotes it" not in cited
