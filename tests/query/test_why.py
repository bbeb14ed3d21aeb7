"""`mdq-graph why`: each matching statement with its graph and evidence, as text or JSON."""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from mdq_graph.cli import main
from mdq_graph.graph.loader import load_store
from mdq_graph.graph.resources import sources_dir
from mdq_graph.query.why import parse_term, why
from tests.conftest import TEST_DATA

EVIDENCE = TEST_DATA / "evidence"
GRAPH = "https://w3id.org/mdq/graph/"
ID = "https://w3id.org/mdq/id/"
KEYS = {"kind", "source", "url", "language", "exact", "start", "end", "note"}


def _why(*args: str) -> tuple[int, Any]:
    result = CliRunner().invoke(main, ["why", *args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.output)


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return load_store()


@pytest.mark.parametrize("graph", ["release-en", "release-ja"])
def test_every_statement_of_the_releases_has_evidence(store: ox.Store, graph: str) -> None:
    name = ox.NamedNode(GRAPH + graph)
    subjects = {q.subject for q in store.quads_for_pattern(None, None, None, name)}
    statements = 0
    for subject in sorted(subjects, key=lambda s: s.value):
        for explained in why(store, f"<{subject.value}>"):
            if explained.graph == name.value:
                statements += 1
                assert explained.evidence, explained
    assert statements == sum(1 for _ in store.quads_for_pattern(None, None, None, name))


def test_json_layout_and_offsets_into_the_source_text() -> None:
    code, answer = _why("meeting/mdq-7", "mdq:heldIn", "place/tokyo")
    assert code == 0
    assert [set(a) for a in answer] == [{"subject", "predicate", "object", "graph", "evidence"}]
    (item,) = answer
    assert item["subject"] == ID + "meeting/mdq-7"
    assert item["predicate"] == "https://w3id.org/mdq/ontology#heldIn"
    assert item["object"] == f"<{ID}place/tokyo>"
    assert item["graph"] == GRAPH + "release-en"
    (evidence,) = item["evidence"]
    assert set(evidence) == KEYS
    assert evidence["kind"] == "interpretation"
    assert evidence["exact"] == "Tokyo/Tsukuba"
    text = (sources_dir() / "cao-2025-09-22-mdq7.en.txt").read_text(encoding="utf-8")
    assert text[evidence["start"] : evidence["end"]] == "Tokyo/Tsukuba"
    assert evidence["url"] == "https://www8.cao.go.jp/cstp/stmain/20250922ryoshi_en.html"


def test_a_quote_gives_its_words_where_they_are() -> None:
    _, answer = _why("meeting/mdq-7", "schema:startDate", '"2025-09-10"^^xsd:date')
    assert {a["graph"] for a in answer} == {GRAPH + "release-en", GRAPH + "release-ja"}
    texts = {
        "en": (sources_dir() / "cao-2025-09-22-mdq7.en.txt").read_text(encoding="utf-8"),
        "ja": (sources_dir() / "cao-2025-09-22-mdq7.ja.partial.txt").read_text(encoding="utf-8"),
    }
    for item in answer:
        for e in item["evidence"]:
            assert e["kind"] == "quote"
            assert texts[e["language"]][e["start"] : e["end"]] == e["exact"]
            assert e["note"] is None


@pytest.mark.parametrize(
    "term",
    [
        "meeting/mdq-7",
        "<meeting/mdq-7>",
        "<https://w3id.org/mdq/id/meeting/mdq-7>",
        "https://w3id.org/mdq/id/meeting/mdq-7",
        "id:meeting/mdq-7",
    ],
)
def test_a_subject_in_any_of_its_forms(term: str) -> None:
    assert parse_term(term) == ox.NamedNode(ID + "meeting/mdq-7")


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        (
            '"2025-09-10"^^xsd:date',
            ox.Literal(
                "2025-09-10", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
            ),
        ),
        ('"日本"@ja', ox.Literal("日本", language="ja")),
        ('"+81-3-6257-1153"', ox.Literal("+81-3-6257-1153")),
        ("13", ox.Literal("13", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
        ("place/tsukuba", ox.NamedNode(ID + "place/tsukuba")),
    ],
)
def test_an_object_may_be_a_literal_in_turtle_syntax(term: str, expected: ox.Literal) -> None:
    assert parse_term(term, literal=True) == expected


def test_a_reference_statement_names_the_table() -> None:
    code, answer = _why("country/jp", "mdq:wikidata")
    assert code == 0
    (item,) = answer
    (evidence,) = item["evidence"]
    assert evidence["kind"] == "reference"
    assert evidence["source"] == ID + "source/reference-identifiers"


def test_a_structural_statement_says_so() -> None:
    code, answer = _why("quote/en-07", "oa:hasSource")
    assert code == 0
    assert answer[0]["evidence"][0]["kind"] == "structure"


def test_a_cited_document_gives_its_address_and_dates() -> None:
    fixture = EVIDENCE / "valid" / "every-kind-of-evidence.trig"
    result = CliRunner().invoke(
        main, ["--data", str(fixture), "why", "meeting/x", "mdq:ordinal", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    (evidence,) = json.loads(result.output)[0]["evidence"]
    assert evidence["kind"] == "document"
    assert evidence["url"] == "https://example.org/series.html"
    assert "retrieved 2026-12-03" in evidence["note"]
    assert evidence["exact"] is None and evidence["start"] is None


def test_exit_1_when_the_statement_has_no_evidence() -> None:
    fixture = EVIDENCE / "invalid" / "statement-without-evidence.trig"
    result = CliRunner().invoke(
        main, ["--data", str(fixture), "why", "meeting/x", "schema:startDate"]
    )
    assert result.exit_code == 1, result.output
    assert "no evidence" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["meeting/no-such-meeting"],
        ["meeting/mdq-7", "nope:startDate"],
        ["meeting/mdq-7", "schema:startDate", '"2025-09-11"^^xsd:date'],
        ["meeting/mdq-7", "schema:startDate", '"2025-09-10'],
        ['"a literal"'],
    ],
)
def test_exit_2_for_an_unknown_term_or_bad_syntax(args: list[str]) -> None:
    result = CliRunner().invoke(main, ["why", *args])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("mdq-graph: error:")
    assert "Traceback" not in result.output


def test_text_format() -> None:
    result = CliRunner().invoke(main, ["why", "meeting/mdq-7", "schema:startDate"])
    assert result.exit_code == 0, result.output
    assert (
        '<meeting/mdq-7> schema:startDate "2025-09-10"^^xsd:date  [graph:release-en]'
        in result.output
    )
    assert "“From September 10 to 12, 2025," in result.output
