"""The evidence check: every statement of an evidenced graph has evidence that states it.

Each fixture of tests/data/evidence/invalid/ breaks the valid one in one way and declares in its
header the problems it must give (`# expect: KIND <subject> predicate`); valid/ must give none.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from mdq_graph.cli import main
from mdq_graph.graph.loader import load_store
from mdq_graph.graph.resources import data_dir
from mdq_graph.validate.evidence import Kind, check_evidence, value_in_words
from mdq_graph.validate.validation import short_name
from tests.conftest import TEST_DATA

EVIDENCE = TEST_DATA / "evidence"
INVALID = sorted((EVIDENCE / "invalid").glob("*.trig"))
VALID = sorted((EVIDENCE / "valid").glob("*.trig"))
_EXPECT = re.compile(r"^# expect: (\S+) (\S+) (\S+)$", re.MULTILINE)
KINDS = {
    Kind.MISSING,
    Kind.VALUE_NOT_IN_QUOTE,
    Kind.INTERPRETATION_WITHOUT_WORDS,
    Kind.UNKNOWN_EVIDENCE,
    Kind.NOT_STATED,
}


def _found(path: Path) -> Counter[tuple[str, str, str]]:
    problems = check_evidence(load_store([path]))
    return Counter(
        (p.kind, short_name(p.subject.value), short_name(p.predicate.value)) for p in problems
    )


def test_the_cases_are_all_there() -> None:
    assert len(INVALID) == 11
    assert len(VALID) == 1


def test_every_kind_of_problem_has_a_case() -> None:
    declared = {m[1] for path in INVALID for m in _EXPECT.finditer(path.read_text("utf-8"))}
    assert declared == KINDS


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_case_gives_exactly_the_problems_it_declares(path: Path) -> None:
    expected = Counter(
        (m[1], m[2], m[3]) for m in _EXPECT.finditer(path.read_text(encoding="utf-8"))
    )
    assert expected, f"{path.name} declares no problem"
    assert _found(path) == expected


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_case_gives_no_problem(path: Path) -> None:
    assert _found(path) == Counter()


def test_the_bundled_graph_has_evidence_for_every_statement() -> None:
    assert check_evidence(load_store()) == []


DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
WRITTEN_FORMS = [
    (
        "From September 10 to 12, 2025, the meeting",
        "en",
        ox.Literal("2025-09-10", datatype=DATE),
        True,
    ),
    (
        "From September 10 to 12, 2025, the meeting",
        "en",
        ox.Literal("2025-09-12", datatype=DATE),
        True,
    ),
    (
        "From September 10 to 12, 2025, the meeting",
        "en",
        ox.Literal("2025-09-11", datatype=DATE),
        False,
    ),
    ("Hosted on September 8–9 in Tokyo.", "en", ox.Literal("2025-09-09", datatype=DATE), True),
    ("September 22, 2025", "en", ox.Literal("2025-09-22", datatype=DATE), True),
    ("September 22, 2025", "en", ox.Literal("2025-10-22", datatype=DATE), False),
    ("令和7年9月10日(水)から12日(金)にかけて", "ja", ox.Literal("2025-09-10", datatype=DATE), True),
    ("令和7年9月10日(水)から12日(金)にかけて", "ja", ox.Literal("2025-09-12", datatype=DATE), True),
    (
        "令和7年9月10日(水)から12日(金)にかけて",
        "ja",
        ox.Literal("2025-09-11", datatype=DATE),
        False,
    ),
    ("representatives from 13 countries", "en", ox.Literal("13", datatype=INTEGER), True),
    ("representatives from 113 countries", "en", ox.Literal("13", datatype=INTEGER), False),
    ("13か国の代表が", "ja", ox.Literal("13", datatype=INTEGER), True),
    ("the 7th MDQ meeting", "en", ox.Literal("7", datatype=INTEGER), True),
    ("the Cabinet Office", "en", ox.Literal("Cabinet Office", language="en"), True),
    ("the Cabinet Office", "ja", ox.Literal("Cabinet Office", language="en"), False),
    ("Quantum and Materials Team\nTel: +81-3-6257-1153", "en", ox.Literal("+81-3-6257-1153"), True),
]


@pytest.mark.parametrize(("words", "language", "value", "states"), WRITTEN_FORMS)
def test_written_forms_of_values(
    words: str, language: str, value: ox.Literal, states: bool
) -> None:
    assert value_in_words(words, language, value, ()) is states


def test_an_iri_is_stated_by_a_label_in_any_case() -> None:
    tokyo = ox.NamedNode("https://w3id.org/mdq/id/place/tokyo")
    assert value_in_words("held in TOKYO", "en", tokyo, ["Tokyo"])
    assert not value_in_words("held in Osaka", "en", tokyo, ["Tokyo"])
    assert value_in_words("Tel: +81-3-6257-1153", "en", ox.NamedNode("tel:+81-3-6257-1153"), ())


def _copy_data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(data_dir(), folder)
    return folder


def _line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if text in line)


def test_unlinking_a_statement_fails_validation_naming_it(tmp_path: Path) -> None:
    folder = _copy_data(tmp_path)
    release = folder / "release-en.trig"
    text = release.read_text(encoding="utf-8")
    node = "    <statement/en/meeting/mdq-7/startDate> a rdf:Statement ;\n"
    start = text.index(node)
    end = text.index(".\n", start) + 2
    release.write_text(text[:start] + text[end:], encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 1, result.output
    assert (
        '<meeting/mdq-7> schema:startDate "2025-09-10"^^xsd:date in graph:release-en'
        in result.output
    )
    assert "has no evidence" in result.output
    line = _line_of(release, 'schema:startDate "2025-09-10"')
    assert f"release-en.trig:{line}" in result.output


def test_evidence_without_the_value_fails_validation_naming_statement_and_quote(
    tmp_path: Path,
) -> None:
    folder = _copy_data(tmp_path)
    release = folder / "release-en.trig"
    text = release.read_text(encoding="utf-8")
    node = "    <statement/en/meeting/mdq-7/startDate> a rdf:Statement ;\n"
    start = text.index(node)
    end = text.index(".\n", start)
    block = text[start:end]
    release.write_text(
        text[:start]
        + re.sub(r"mdq:evidence .*", "mdq:evidence <quote/en-08> ", block)
        + text[end:],
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 1, result.output
    assert "<statement/en/meeting/mdq-7/startDate>" in result.output
    assert "<quote/en-08>" in result.output
    line = _line_of(release, node.strip()) + 2  # the node's mdq:evidence
    assert f"release-en.trig:{line}" in result.output
