"""The MDQ series from sources other than the releases: each fact in the named graph of the web page
that states it, cited as a document (the project holds no text of these pages); disagreements kept,
each claim in its source's graph; nothing said of the meetings no source describes.

Each case is a SPARQL ASK; `GRAPH qwb`, `qdnl`, `news` and `gp` name the graphs of the Quantum Without
Borders page, the Quantum Delta NL news item, and the Australian news item and guiding principles.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, URIRef

from mdq_graph.cli import main
from mdq_graph.graph.resources import data_dir

PREFIXES = """
PREFIX mdq: <https://w3id.org/mdq/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
G = "https://w3id.org/mdq/graph/"
QWB, QDNL, NEWS, GP = (f"<{G}{k}>" for k in ("qwb", "qdnl", "disr-news", "disr-gp"))
M4 = "<https://w3id.org/mdq/id/meeting/mdq-4>"
MEMBERS = ["au", "ca", "dk", "fi", "fr", "de", "jp", "kr", "nl", "se", "ch", "gb", "us"]
COUNTRY_LIST = " , ".join(f"<https://w3id.org/mdq/id/country/{c}>" for c in MEMBERS)
SERIES_FILES = sorted(data_dir().glob("series-*.trig"))

FACTS: dict[str, str] = {
    # --- the pages, as documents
    "qwb-page": f'GRAPH {QWB} {{ {QWB} dct:source <https://w3id.org/mdq/id/source/qwb-mdq> . <https://w3id.org/mdq/id/source/qwb-mdq> a mdq:WebPage , mdq:DocumentCitation ; schema:url <https://www.quantumwithoutborders.org/multilateral-dialogue-on-quantum> ; schema:publisher <https://w3id.org/mdq/id/org/quantum-without-borders> ; mdq:dateRetrieved "2026-12-03"^^xsd:date }} FILTER NOT EXISTS {{ <https://w3id.org/mdq/id/source/qwb-mdq> schema:datePublished ?d }}',
    "qdnl-page": f'GRAPH {QDNL} {{ {QDNL} dct:source ?s . ?s a mdq:WebPage ; schema:url <https://quantumdelta.nl/news/multilateral-dialogue-on-quantum> ; schema:publisher <https://w3id.org/mdq/id/org/quantum-delta-nl> ; schema:datePublished "2023-11-10"^^xsd:date ; mdq:dateRetrieved "2026-12-03"^^xsd:date }}',
    "gp-page": f'GRAPH {GP} {{ {GP} dct:source ?s . ?s a mdq:WebPage ; schema:url <https://www.industry.gov.au/publications/guiding-principles-global-quantum-ecosystem-informed-science> ; schema:publisher <https://w3id.org/mdq/id/org/disr> ; schema:datePublished "2024-02-13"^^xsd:date }}',
    "news-page": f"GRAPH {NEWS} {{ {NEWS} dct:source ?s . ?s a mdq:WebPage ; schema:url <https://www.industry.gov.au/news/towards-global-quantum-ecosystem> ; schema:publisher <https://w3id.org/mdq/id/org/disr> }} FILTER NOT EXISTS {{ ?s schema:datePublished ?d }}",
    "disr-is-australian": f"GRAPH {NEWS} {{ <https://w3id.org/mdq/id/org/disr> a mdq:GovernmentBody ; mdq:governmentOf <https://w3id.org/mdq/id/country/au> }}",
    # --- the 4th meeting, per source
    "qwb-ordinal-and-days": f'GRAPH {QWB} {{ {M4} a mdq:Meeting ; mdq:meetingOf <https://w3id.org/mdq/id/series/mdq> ; mdq:ordinal 4 ; schema:startDate "2023-10-24"^^xsd:date ; schema:endDate "2023-10-27"^^xsd:date }}',
    "qdnl-four-days-no-dates": f'GRAPH {QDNL} {{ {M4} mdq:ordinal 4 ; schema:duration "P4D"^^xsd:duration }} FILTER NOT EXISTS {{ GRAPH {QDNL} {{ {M4} schema:startDate ?d }} }}',
    "news-month-only": f'GRAPH {NEWS} {{ {M4} a mdq:Meeting ; mdq:monthHeld "2023-10"^^xsd:gYearMonth }} FILTER NOT EXISTS {{ GRAPH {NEWS} {{ {M4} mdq:ordinal|schema:startDate ?x }} }}',
    "qwb-hosts": f"GRAPH {QWB} {{ {M4} mdq:host <https://w3id.org/mdq/id/country/dk> , <https://w3id.org/mdq/id/country/nl> }} FILTER NOT EXISTS {{ GRAPH {QWB} {{ {M4} mdq:host <https://w3id.org/mdq/id/country/gb> }} }}",
    "qdnl-hosts": f"GRAPH {QDNL} {{ {M4} mdq:host <https://w3id.org/mdq/id/country/dk> , <https://w3id.org/mdq/id/country/gb> }} FILTER NOT EXISTS {{ GRAPH {QDNL} {{ {M4} mdq:host <https://w3id.org/mdq/id/country/nl> }} }}",
    "qwb-places": f"GRAPH {QWB} {{ {M4} mdq:heldIn <https://w3id.org/mdq/id/place/copenhagen> , <https://w3id.org/mdq/id/place/amsterdam> }}",
    "qdnl-amsterdam-alone": f"GRAPH {QDNL} {{ {M4} mdq:heldIn <https://w3id.org/mdq/id/place/amsterdam> }} FILTER NOT EXISTS {{ GRAPH {QDNL} {{ {M4} mdq:heldIn <https://w3id.org/mdq/id/place/copenhagen> }} }}",
    "news-amsterdam-alone": f"GRAPH {NEWS} {{ {M4} mdq:heldIn <https://w3id.org/mdq/id/place/amsterdam> }} FILTER NOT EXISTS {{ GRAPH {NEWS} {{ {M4} mdq:heldIn <https://w3id.org/mdq/id/place/copenhagen> }} }}",
    "qwb-thirteen-delegations": f"GRAPH {QWB} {{ {M4} mdq:numberOfCountries 13 ; mdq:participatingCountry {COUNTRY_LIST} }}",
    "qdnl-twelve-joined-the-dutch": f"GRAPH {QDNL} {{ {M4} mdq:organiser <https://w3id.org/mdq/id/org/quantum-delta-nl> }} "
    f"{{ SELECT (COUNT(?c) AS ?n) WHERE {{ GRAPH {QDNL} {{ {M4} mdq:participatingCountry ?c }} }} }} "
    f"FILTER (?n = 12) FILTER NOT EXISTS {{ GRAPH {QDNL} {{ {M4} mdq:participatingCountry <https://w3id.org/mdq/id/country/nl> }} }}",
    "workshop-part-of-the-meeting": f"GRAPH {QWB} {{ <https://w3id.org/mdq/id/event/mdq-4-security-workshop> a mdq:Workshop ; mdq:partOfEvent {M4} ; mdq:heldIn <https://w3id.org/mdq/id/place/amsterdam> ; mdq:host <https://w3id.org/mdq/id/country/nl> , <https://w3id.org/mdq/id/country/gb> }}",
    "qwb-writes-south-korea": f'GRAPH {QWB} {{ <https://w3id.org/mdq/id/country/kr> skos:altLabel "South Korea"@en }}',
    # --- places: existing countries, new cities where the reference table puts them
    "copenhagen-in-denmark": 'GRAPH <https://w3id.org/mdq/graph/reference> { <https://w3id.org/mdq/id/place/copenhagen> mdq:withinPlace <https://w3id.org/mdq/id/country/dk> } <https://w3id.org/mdq/id/place/copenhagen> rdfs:label "Copenhagen"@en',
    "amsterdam-in-the-netherlands": 'GRAPH <https://w3id.org/mdq/graph/reference> { <https://w3id.org/mdq/id/place/amsterdam> mdq:withinPlace <https://w3id.org/mdq/id/country/nl> } <https://w3id.org/mdq/id/place/amsterdam> rdfs:label "Amsterdam"@en',
    # --- the series
    "news-thirteen-members": f"GRAPH {NEWS} {{ <https://w3id.org/mdq/id/series/mdq> mdq:numberOfMembers 13 ; mdq:meetingsHeld 4 ; mdq:memberCountry {COUNTRY_LIST} }}",
    "gp-australia-and-twelve-others": f"GRAPH {GP} {{ <https://w3id.org/mdq/id/series/mdq> mdq:numberOfMembers 13 ; mdq:memberCountry <https://w3id.org/mdq/id/country/au> }}",
    # --- the guiding principles
    "principles-published": f'GRAPH {GP} {{ <https://w3id.org/mdq/id/principles/global-quantum-ecosystem> a mdq:GuidingPrinciples ; schema:publisher <https://w3id.org/mdq/id/org/disr> ; schema:datePublished "2024-02-13"^^xsd:date ; schema:about <https://w3id.org/mdq/id/series/mdq> ; prov:wasAttributedTo <https://w3id.org/mdq/id/country/au> }}',
    "seven-principles-in-order": f"{{ SELECT (COUNT(DISTINCT ?p) AS ?n) (MIN(?i) AS ?first) (MAX(?i) AS ?last) WHERE {{ GRAPH {GP} {{ <https://w3id.org/mdq/id/principles/global-quantum-ecosystem> mdq:principle ?p . ?p a mdq:Principle ; mdq:position ?i ; skos:inScheme <https://w3id.org/mdq/id/principles/global-quantum-ecosystem> }} }} }} FILTER (?n = 7 && ?first = 1 && ?last = 7)",
    "eleven-shared-values": f"{{ SELECT (COUNT(DISTINCT ?v) AS ?n) WHERE {{ GRAPH {GP} {{ <https://w3id.org/mdq/id/principles/global-quantum-ecosystem> mdq:sharedValue ?v . ?v a mdq:SharedValue }} }} }} FILTER (?n = 11)",
    "discussed-at-the-4th-per-qwb": f"GRAPH {QWB} {{ <https://w3id.org/mdq/id/principles/global-quantum-ecosystem> mdq:discussedAt {M4} }}",
    "discussed-at-the-4th-per-qdnl": f"GRAPH {QDNL} {{ <https://w3id.org/mdq/id/principles/global-quantum-ecosystem> mdq:discussedAt {M4} }}",
    # --- the 7th meeting from the releases, as before
    "seventh-from-the-releases": 'GRAPH <https://w3id.org/mdq/graph/release-en> { <https://w3id.org/mdq/id/meeting/mdq-7> mdq:ordinal 7 ; schema:startDate "2025-09-10"^^xsd:date }',
}


def test_the_series_facts_are_all_collected() -> None:
    assert len(FACTS) == 27
    assert [p.name for p in SERIES_FILES] == [
        "series-disr-gp.trig",
        "series-disr-news.trig",
        "series-qdnl.trig",
        "series-qwb.trig",
    ]


@pytest.mark.parametrize("name", list(FACTS))
def test_fact_is_in_the_graph_of_its_source(name: str, dataset: Dataset) -> None:
    assert dataset.query(PREFIXES + f"ASK {{ {FACTS[name]} }}").askAnswer, FACTS[name]


def test_both_host_claims_each_with_its_page(dataset: Dataset) -> None:
    """What `mdq-graph why meeting/mdq-4 mdq:host` shows: each claim, its graph and its page."""
    rows = dataset.query(
        PREFIXES
        + """
        SELECT ?graph ?host ?url WHERE {
          GRAPH ?graph {
            ?statement rdf:subject <https://w3id.org/mdq/id/meeting/mdq-4> ; rdf:predicate mdq:host ; rdf:object ?host ;
                       mdq:evidence ?page .
            <https://w3id.org/mdq/id/meeting/mdq-4> mdq:host ?host .
          }
          ?page a mdq:DocumentCitation ; schema:url ?url .
        }"""
    )
    claims = {
        (str(r.graph).rpartition("/")[2], str(r.host).rpartition("/")[2], str(r.url)) for r in rows
    }  # type: ignore[union-attr]
    qwb = "https://www.quantumwithoutborders.org/multilateral-dialogue-on-quantum"
    qdnl = "https://quantumdelta.nl/news/multilateral-dialogue-on-quantum"
    assert claims == {
        ("qwb", "dk", qwb),
        ("qwb", "nl", qwb),
        ("qdnl", "dk", qdnl),
        ("qdnl", "gb", qdnl),
    }


def test_every_statement_of_the_series_graphs_cites_its_page(dataset: Dataset) -> None:
    graphs = [
        URIRef(f"https://w3id.org/mdq/graph/{k}") for k in ("qwb", "qdnl", "disr-news", "disr-gp")
    ]
    for name in graphs:
        result = dataset.query(
            PREFIXES
            + """
            SELECT (COUNT(*) AS ?uncited) WHERE {
              GRAPH ?g { ?s ?p ?o FILTER NOT EXISTS { ?s a rdf:Statement } }
              ?g dct:source ?page .
              FILTER (?s != ?g && ?s != ?page)
              # The project's note of whose terms apply to the page is not a fact the page states.
              FILTER NOT EXISTS { GRAPH ?g { ?s a dct:RightsStatement } }
              FILTER NOT EXISTS {
                GRAPH ?g { ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; mdq:evidence ?page }
              }
            }""",
            initBindings={"g": name},
        )
        assert [int(r.uncited) for r in result] == [0], name  # type: ignore[union-attr]


def test_nothing_is_said_of_the_meetings_no_source_describes(dataset: Dataset) -> None:
    ordinals = {
        int(r.n)  # type: ignore[union-attr]
        for r in dataset.query(
            PREFIXES + "SELECT DISTINCT ?n WHERE { ?m a mdq:Meeting ; mdq:ordinal ?n }"
        )
    }
    assert ordinals == {4, 7}
    meetings = {
        str(r.m)  # type: ignore[union-attr]
        for r in dataset.query(PREFIXES + "SELECT DISTINCT ?m WHERE { ?m a mdq:Meeting }")
    }
    assert meetings == {
        "https://w3id.org/mdq/id/meeting/mdq-4",
        "https://w3id.org/mdq/id/meeting/mdq-7",
    }


@pytest.mark.parametrize("path", SERIES_FILES, ids=lambda p: p.stem)
def test_no_wikidata_link_and_japanese_only_for_the_graph(path: Path, dataset: Dataset) -> None:
    """No item was checked for these pages, the workshop or the principles; Japanese names come only
    from the reference table, so the files name in Japanese only their own graph."""
    text = path.read_text(encoding="utf-8")
    assert "wikidata" not in text.lower()
    japanese = re.findall(r'"[^"]*"@ja', text)
    assert len(japanese) == 1, japanese


def test_why_shows_both_host_claims_each_with_its_page(runner: CliRunner) -> None:
    result = runner.invoke(main, ["why", "meeting/mdq-4", "mdq:host", "--format", "json"])
    assert result.exit_code == 0, result.output
    claims = {
        (
            s["graph"].rpartition("/")[2],
            s["object"].strip("<>").rpartition("/")[2],
            e["kind"],
            e["url"],
        )
        for s in json.loads(result.output)
        for e in s["evidence"]
    }
    qwb = "https://www.quantumwithoutborders.org/multilateral-dialogue-on-quantum"
    qdnl = "https://quantumdelta.nl/news/multilateral-dialogue-on-quantum"
    assert claims == {
        ("qwb", "dk", "document", qwb),
        ("qwb", "nl", "document", qwb),
        ("qdnl", "dk", "document", qdnl),
        ("qdnl", "gb", "document", qdnl),
    }
