"""Content negotiation: Accept and Accept-Language headers from real clients, and suffixes."""

from __future__ import annotations

import pytest

from mdq_graph.graph.rdf_formats import FORMATS
from mdq_graph.web.negotiation import (
    SPARQL_RESULTS_ALIASES,
    LanguageRange,
    MediaRange,
    SuffixSplit,
    choose_language,
    choose_media_type,
    parse_accept,
    parse_accept_language,
    suffix_format,
)

TURTLE = "text/turtle"
JSONLD = "application/ld+json"
NTRIPLES = "application/n-triples"
RDFXML = "application/rdf+xml"
HTML = "text/html"
SRJ = "application/sparql-results+json"
SRX = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"

RDF = [TURTLE, JSONLD, NTRIPLES, RDFXML]
PAGE = [HTML, TURTLE, JSONLD]
RESULTS = [SRJ, SRX, CSV, TSV]

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SPARQLWRAPPER = (
    "application/sparql-results+json,application/json,text/javascript,application/javascript"
)
JENA = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "text/tab-separated-values;q=0.7, text/csv;q=0.5, application/json;q=0.2, "
    "application/xml;q=0.2, */*;q=0.1"
)
JAVA = "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2"
JSONLD_COMPACTED = 'application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"'
# RFC 9110 §12.5.1's example: text/plain 0.7, its flowed variant 1, fixed 0.4, text/html 0.3.
RFC_9110 = (
    "text/*;q=0.3, text/plain;q=0.7, text/plain;format=flowed, "
    "text/plain;format=fixed;q=0.4, */*;q=0.5"
)

# header, offered, aliases, expected
MEDIA_CASES = [
    # Real clients.
    pytest.param(BROWSER, PAGE, None, HTML, id="browser-gets-html"),
    pytest.param(BROWSER, RDF, None, TURTLE, id="browser-without-html-takes-first-offered"),
    pytest.param(
        BROWSER, [RDFXML, JSONLD], None, RDFXML, id="browser-application-xml-is-not-rdfxml"
    ),
    pytest.param(SPARQLWRAPPER, RESULTS, SPARQL_RESULTS_ALIASES, SRJ, id="sparqlwrapper-json"),
    pytest.param(SPARQLWRAPPER, [SRX, SRJ], SPARQL_RESULTS_ALIASES, SRJ, id="sparqlwrapper-order"),
    pytest.param(JENA, RESULTS, SPARQL_RESULTS_ALIASES, SRJ, id="jena-json"),
    pytest.param(JENA, [CSV, SRX, TSV], None, SRX, id="jena-xml-without-json"),
    pytest.param(JENA, [CSV, TSV], None, TSV, id="jena-tsv-over-csv"),
    pytest.param(JENA, [TURTLE], None, TURTLE, id="jena-anything-at-q0.1"),
    pytest.param("*/*", RDF, None, TURTLE, id="curl-first-offered"),
    pytest.param("*/*", [JSONLD, TURTLE], None, JSONLD, id="curl-server-order"),
    pytest.param(JAVA, [TURTLE, HTML], None, HTML, id="java-html"),
    pytest.param(JAVA, [TURTLE], None, TURTLE, id="java-bare-star"),
    # q-values and ties.
    pytest.param(
        "text/turtle;q=1.0, application/ld+json;q=0.5",
        [JSONLD, TURTLE],
        None,
        TURTLE,
        id="q-turtle-over-jsonld",
    ),
    pytest.param(
        "text/turtle, application/ld+json", [JSONLD, TURTLE], None, JSONLD, id="q-tie-server-order"
    ),
    pytest.param(
        "text/turtle, */*", [JSONLD, TURTLE], None, TURTLE, id="q-tie-named-over-wildcard"
    ),
    pytest.param(
        "text/turtle;q=0.5, text/turtle;q=0.9, */*;q=0.8",
        [JSONLD, TURTLE],
        None,
        TURTLE,
        id="q-repeated-range-highest",
    ),
    # Specificity: the most specific range applies.
    pytest.param(
        "text/*;q=0.5, text/turtle;q=0",
        [TURTLE, HTML],
        None,
        HTML,
        id="specific-q0-excludes-turtle",
    ),
    pytest.param("text/*;q=0.5, text/turtle;q=0", [TURTLE], None, None, id="specific-q0-406"),
    pytest.param("*/*, text/turtle;q=0", [TURTLE, JSONLD], None, JSONLD, id="star-allows-q0-wins"),
    pytest.param(
        "application/*;q=0.2, application/ld+json",
        [NTRIPLES, JSONLD],
        None,
        JSONLD,
        id="exact-over-type-wildcard",
    ),
    pytest.param("text/*;q=0.9, */*;q=0.1", [JSONLD, TURTLE], None, TURTLE, id="type-wildcard"),
    pytest.param(RFC_9110, ["text/html", "image/jpeg"], None, "image/jpeg", id="rfc9110-html-0.3"),
    pytest.param(
        RFC_9110, ["image/jpeg", "text/plain"], None, "text/plain", id="rfc9110-plain-0.7"
    ),
    pytest.param(
        RFC_9110,
        ["text/plain", "text/plain;format=flowed"],
        None,
        "text/plain;format=flowed",
        id="rfc9110-flowed-1",
    ),
    pytest.param(
        RFC_9110,
        ["text/plain;format=fixed", "image/jpeg"],
        None,
        "image/jpeg",
        id="rfc9110-fixed-0.4",
    ),
    pytest.param("text/html;q=0", [HTML], None, None, id="q0-only-406"),
    pytest.param("image/png", RDF, None, None, id="nothing-acceptable-406"),
    # Parameters.
    pytest.param(JSONLD_COMPACTED, PAGE, None, JSONLD, id="jsonld-profile"),
    pytest.param(
        JSONLD_COMPACTED,
        ['application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"', JSONLD],
        None,
        JSONLD,
        id="jsonld-profile-conflicts",
    ),
    pytest.param(
        'application/ld+json;profile="a,b";q=0.9, text/turtle;q=0.5',
        [TURTLE, JSONLD],
        None,
        JSONLD,
        id="quoted-comma",
    ),
    pytest.param(
        "text/turtle;charset=UTF-8",
        [JSONLD, "text/turtle;charset=utf-8"],
        None,
        "text/turtle;charset=utf-8",
        id="charset-caseless",
    ),
    pytest.param(
        "text/turtle;charset=utf-8;q=0, text/turtle",
        [TURTLE],
        None,
        TURTLE,
        id="param-range-does-not-govern-plain-type",
    ),
    # Aliases for SPARQL results.
    pytest.param("application/json", RESULTS, SPARQL_RESULTS_ALIASES, SRJ, id="alias-json"),
    pytest.param("application/json", RESULTS, None, None, id="alias-json-not-given"),
    pytest.param("text/xml", RESULTS, SPARQL_RESULTS_ALIASES, SRX, id="alias-text-xml"),
    pytest.param(
        "application/xml, application/sparql-results+json",
        [SRX, SRJ],
        SPARQL_RESULTS_ALIASES,
        SRJ,
        id="alias-loses-to-explicit-at-equal-q",
    ),
    pytest.param(
        "application/xml, application/sparql-results+json;q=0.5",
        [SRX, SRJ],
        SPARQL_RESULTS_ALIASES,
        SRX,
        id="alias-wins-with-higher-q",
    ),
    pytest.param(
        "application/json, application/sparql-results+json;q=0",
        [SRJ, SRX],
        SPARQL_RESULTS_ALIASES,
        None,
        id="alias-cannot-undo-explicit-q0",
    ),
    pytest.param(
        "application/json, */*", [SRX, SRJ], SPARQL_RESULTS_ALIASES, SRJ, id="alias-beats-wildcard"
    ),
    pytest.param(
        "application/json",
        ["application/json", SRJ],
        SPARQL_RESULTS_ALIASES,
        "application/json",
        id="alias-exact-offer-wins",
    ),
    # Case, whitespace and junk.
    pytest.param("TEXT/Turtle", [JSONLD, TURTLE], None, TURTLE, id="case-insensitive"),
    pytest.param(
        "text/turtle", [JSONLD, "Text/Turtle"], None, "Text/Turtle", id="offered-as-given"
    ),
    pytest.param(
        "  text/turtle ; q = 0.5 ,application/ld+json;q=0.4  ",
        [JSONLD, TURTLE],
        None,
        TURTLE,
        id="whitespace",
    ),
    pytest.param(
        "text/turtle;q=2, application/ld+json;q=0.1",
        [TURTLE, JSONLD],
        None,
        JSONLD,
        id="q-above-1-ignored",
    ),
    pytest.param(
        "text/turtle;q=abc, application/ld+json;q=0.1",
        [TURTLE, JSONLD],
        None,
        JSONLD,
        id="q-unparseable-ignored",
    ),
    pytest.param(
        "text/turtle;q=-0.5, text/turtle;q=nan, application/ld+json;q=0.1",
        [TURTLE, JSONLD],
        None,
        JSONLD,
        id="q-negative-and-nan-ignored",
    ),
    pytest.param(
        "*/html, text, /, a/b/c, application/ld+json;q=0.5",
        [HTML, JSONLD],
        None,
        JSONLD,
        id="malformed-entries-ignored",
    ),
    pytest.param(
        "text/turtle,,;q=0.3, ,application/ld+json",
        [JSONLD, TURTLE],
        None,
        JSONLD,
        id="empty-elements",
    ),
    pytest.param(
        "text/turtle;level, application/ld+json;q=0.5",
        [JSONLD, TURTLE],
        None,
        TURTLE,
        id="malformed-param-dropped",
    ),
]


@pytest.mark.parametrize(("header", "offered", "aliases", "expected"), MEDIA_CASES)
def test_choose_media_type(
    header: str, offered: list[str], aliases: dict[str, str] | None, expected: str | None
) -> None:
    assert choose_media_type(header, offered, aliases=aliases) == expected


@pytest.mark.parametrize(
    ("header", "default", "expected"),
    [
        pytest.param(None, None, TURTLE, id="none-first-offered"),
        pytest.param("", None, TURTLE, id="empty-first-offered"),
        pytest.param("   ", HTML, HTML, id="blank-default"),
        pytest.param(None, HTML, HTML, id="none-default"),
        pytest.param("garbage;;;,", None, TURTLE, id="only-junk-as-if-absent"),
        pytest.param("text/turtle;q=-1", JSONLD, JSONLD, id="only-bad-q-as-if-absent"),
    ],
)
def test_choose_media_type_without_usable_header(
    header: str | None, default: str | None, expected: str
) -> None:
    assert choose_media_type(header, RDF, default) == expected


def test_choose_media_type_nothing_offered() -> None:
    assert choose_media_type(None, []) is None
    assert choose_media_type("*/*", []) is None


def test_choose_media_type_rejects_malformed_offer() -> None:
    with pytest.raises(ValueError, match="text/"):
        choose_media_type("*/*", ["text/*"])


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param(
            "Text/HTML ; Level=1 ;q=0.5",
            [MediaRange("text", "html", (("level", "1"),), 0.5)],
            id="params-and-q",
        ),
        pytest.param(
            JSONLD_COMPACTED,
            [
                MediaRange(
                    "application",
                    "ld+json",
                    (("profile", "http://www.w3.org/ns/json-ld#compacted"),),
                )
            ],
            id="quoted-profile",
        ),
        pytest.param(
            r'a/b;p="x\"y;z"', [MediaRange("a", "b", (("p", 'x"y;z'),))], id="quoted-escapes"
        ),
        pytest.param(
            "text/plain;q=0.2;ext=1",
            [MediaRange("text", "plain", (), 0.2)],
            id="accept-ext-dropped",
        ),
        pytest.param("*", [MediaRange("*", "*")], id="bare-star"),
        pytest.param("q=1, text, */html, a/b c", [], id="junk"),
        pytest.param(None, [], id="none"),
    ],
)
def test_parse_accept(header: str | None, expected: list[MediaRange]) -> None:
    assert parse_accept(header) == expected


@pytest.mark.parametrize(
    ("header", "specificity"),
    [
        pytest.param("*/*", 0, id="any"),
        pytest.param("text/*", 1, id="type"),
        pytest.param("text/plain", 2, id="exact"),
        pytest.param("text/plain;format=flowed;q=0.1", 3, id="with-param"),
    ],
)
def test_media_range_specificity(header: str, specificity: int) -> None:
    assert parse_accept(header)[0].specificity == specificity


# header, available, default, expected
LANGUAGE_CASES = [
    pytest.param("ja", ["en", "ja"], "en", "ja", id="ja"),
    pytest.param("ja-JP,ja;q=0.9,en;q=0.8", ["en", "ja"], "en", "ja", id="browser-ja"),
    pytest.param("en-US", ["ja", "en"], "ja", "en", id="en-US-falls-back-to-en"),
    pytest.param("zh-Hant-TW, en;q=0.5", ["en", "zh"], "en", "zh", id="lookup-truncates"),
    pytest.param("ja", ["en", "ja-JP"], "en", "ja-JP", id="basic-filtering-prefix"),
    pytest.param("JA-jp", ["en", "ja-JP"], "en", "ja-JP", id="case-insensitive-as-given"),
    pytest.param("fr", ["en", "ja"], "en", "en", id="fr-default"),
    pytest.param("fr", ["en", "ja"], "ja", "ja", id="fr-other-default"),
    pytest.param("*", ["ja", "en"], "en", "ja", id="star-first-available"),
    pytest.param("*, ja", ["en", "ja"], "en", "ja", id="named-over-star"),
    pytest.param("fr, *;q=0.1", ["ja", "en"], "en", "ja", id="star-low-q"),
    pytest.param("ja;q=0", ["ja", "en"], "en", "en", id="ja-q0-default"),
    pytest.param("ja;q=0", ["ja"], "fr", "fr", id="ja-q0-only-default"),
    pytest.param("*, ja;q=0", ["ja", "en"], "ja", "en", id="star-but-not-ja"),
    pytest.param("*;q=0", ["ja", "en"], "en", "en", id="star-q0"),
    pytest.param("ja-JP;q=0, ja", ["ja"], "en", "ja", id="exact-range-governs"),
    pytest.param("en;q=0.5, ja;q=0.8", ["en", "ja"], "en", "ja", id="q-order"),
    pytest.param("en, ja", ["ja", "en"], "en", "ja", id="q-tie-server-order"),
    pytest.param("", ["ja", "en"], "en", "en", id="empty"),
    pytest.param(None, ["ja", "en"], "en", "en", id="none"),
    pytest.param("en-, 123, ja;q=x, ja_JP, en;q=0.1", ["ja", "en"], "ja", "en", id="junk"),
    pytest.param("ja", [], "en", "en", id="nothing-available"),
]


@pytest.mark.parametrize(("header", "available", "default", "expected"), LANGUAGE_CASES)
def test_choose_language(
    header: str | None, available: list[str], default: str, expected: str
) -> None:
    assert choose_language(header, available, default) == expected


def test_choose_language_default_is_en() -> None:
    assert choose_language("fr", ["ja", "en"]) == "en"


def test_parse_accept_language() -> None:
    assert parse_accept_language(" ja-JP , ja;q=0.9, *;q=0.1, x_y ") == [
        LanguageRange("ja-jp"),
        LanguageRange("ja", 0.9),
        LanguageRange("*", 0.1),
    ]


# path, expected split
SUFFIX_CASES = [
    pytest.param(
        "/resource/event.ttl", SuffixSplit("/resource/event", FORMATS["turtle"]), id="ttl"
    ),
    pytest.param(
        "/resource/event.jsonld", SuffixSplit("/resource/event", FORMATS["json-ld"]), id="jsonld"
    ),
    pytest.param("/resource/event.nt", SuffixSplit("/resource/event", FORMATS["nt"]), id="nt"),
    pytest.param("/resource/event.rdf", SuffixSplit("/resource/event", FORMATS["xml"]), id="rdf"),
    pytest.param("/graph/data.nq", SuffixSplit("/graph/data", FORMATS["nq"]), id="nq"),
    pytest.param("/graph/data.trig", SuffixSplit("/graph/data", FORMATS["trig"]), id="trig"),
    pytest.param(
        "/resource/event.TTL", SuffixSplit("/resource/event", FORMATS["turtle"]), id="upper-case"
    ),
    pytest.param(
        "/resource/v1.2.ttl",
        SuffixSplit("/resource/v1.2", FORMATS["turtle"]),
        id="only-last-suffix",
    ),
    pytest.param("event.ttl", SuffixSplit("event", FORMATS["turtle"]), id="relative"),
    pytest.param("/resource/event.html", SuffixSplit("/resource/event", html=True), id="html"),
    pytest.param("/resource/event", SuffixSplit("/resource/event"), id="no-suffix"),
    pytest.param("/resource/v1.2", SuffixSplit("/resource/v1.2"), id="unknown-suffix"),
    pytest.param(
        "/resource/event.json", SuffixSplit("/resource/event.json"), id="read-only-suffix"
    ),
    pytest.param("/resource/.ttl", SuffixSplit("/resource/.ttl"), id="name-is-only-suffix"),
    pytest.param("/v1.ttl/event", SuffixSplit("/v1.ttl/event"), id="dot-in-folder"),
    pytest.param("/resource/event.ttl/", SuffixSplit("/resource/event.ttl/"), id="trailing-slash"),
    pytest.param("", SuffixSplit(""), id="empty"),
]


@pytest.mark.parametrize(("path", "expected"), SUFFIX_CASES)
def test_suffix_format(path: str, expected: SuffixSplit) -> None:
    assert suffix_format(path) == expected


def test_every_written_format_has_a_suffix() -> None:
    for rdf_format in FORMATS.values():
        split = suffix_format(f"/resource/x{rdf_format.extension}")
        assert split == SuffixSplit("/resource/x", rdf_format), rdf_format.name


@pytest.mark.parametrize(
    ("path", "requested", "media_type"),
    [
        pytest.param("/r/x.ttl", True, TURTLE, id="rdf"),
        pytest.param("/r/x.html", True, HTML, id="html"),
        pytest.param("/r/x", False, None, id="none"),
    ],
)
def test_suffix_split_media_type(path: str, requested: bool, media_type: str | None) -> None:
    split = suffix_format(path)
    assert (split.requested, split.media_type) == (requested, media_type)


def test_case_counts() -> None:
    # The tables must not quietly shrink.
    assert (len(MEDIA_CASES), len(LANGUAGE_CASES), len(SUFFIX_CASES)) == (50, 22, 17)
