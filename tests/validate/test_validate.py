"""The shapes catch each kind of mistake: every invalid fixture gives exactly the findings it declares.

A fixture under tests/data/shapes/invalid/ is a small copy of real resources with one mistake; its
header declares the findings it must produce, one line each:

    # expect: SEVERITY FOCUS PATH "MESSAGE FRAGMENT"

SEVERITY is Violation, Warning or Info; FOCUS is <relative> (under https://w3id.org/mdq/id/), <full
IRI> or a prefixed name; PATH a prefixed name, or - for none; the fragment is part of the English or
Japanese message. A fixture under valid/ must give no finding at all.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef
from rdflib.namespace import SH

from mdq_graph.graph.namespaces import ID, PREFIXES
from mdq_graph.validate.report import render_text
from mdq_graph.validate.validation import (
    Finding,
    Severity,
    ValidationReport,
    load_shapes,
    validate_graph,
)
from tests.conftest import TEST_DATA

SHAPES_DATA = TEST_DATA / "shapes"
INVALID = sorted(p for p in (SHAPES_DATA / "invalid").iterdir() if p.suffix in (".ttl", ".trig"))
VALID = sorted(p for p in (SHAPES_DATA / "valid").iterdir() if p.suffix in (".ttl", ".trig"))
#: The suite cannot quietly shrink: raise this when adding cases, never lower it.
MIN_INVALID_CASES = 65

_EXPECT = re.compile(r'^# expect: (Violation|Warning|Info) (\S+) (\S+) "((?:[^"\\]|\\.)*)"\s*$')


@dataclass(frozen=True)
class Expected:
    """One finding a fixture declares."""

    severity: Severity
    focus: str
    path: str | None
    fragment: str


def expectations(path: Path) -> list[Expected]:
    """The findings the header of `path` declares."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:"):
            match = _EXPECT.match(line)
            assert match, f"{path.name}: cannot read the declaration {line!r}"
            severity, focus, prop, fragment = match.groups()
            found.append(
                Expected(
                    Severity(severity),
                    _iri(focus),
                    None if prop == "-" else _iri(prop),
                    fragment.replace('\\"', '"'),
                )
            )
    return found


def _iri(token: str) -> str:
    """The IRI a declaration writes as <relative>, <full> or prefix:local."""
    if token.startswith("<"):
        inner = token[1:-1]
        return inner if re.match(r"^[a-z]+:", inner) else str(ID) + inner
    prefix, _, local = token.partition(":")
    return str(PREFIXES[prefix]) + local


def _key(f: Finding) -> tuple[Severity, str, str | None]:
    path = f.path.value if isinstance(f.path, ox.NamedNode) else f.path
    return f.severity, f.focus_node.value, str(path) if path is not None else None


def test_the_invalid_cases_are_all_there() -> None:
    assert len(INVALID) >= MIN_INVALID_CASES
    assert all(expectations(p) for p in INVALID), "every invalid fixture declares its findings"
    assert len(VALID) >= 3


@functools.cache
def invalid_report(path: Path) -> ValidationReport:
    """`validate` on one invalid fixture, run once per test run (two tests read the report)."""
    return validate_graph([path])


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_gives_exactly_the_findings_it_declares(path: Path) -> None:
    report = invalid_report(path)
    expected = expectations(path)
    got = Counter(_key(f) for f in report.findings)
    assert got == Counter((e.severity, e.focus, e.path) for e in expected), render_text(report)
    for e in expected:
        messages = [
            f"{f.message} {f.message_ja or ''}"
            for f in report.findings
            if _key(f) == (e.severity, e.focus, e.path)
        ]
        assert any(e.fragment in m for m in messages), f"{e.fragment!r} not in {messages}"
    assert report.conforms == all(e.severity is not Severity.VIOLATION for e in expected)
    assert all(f.source_file == _shown(path) and f.source_line for f in report.findings), (
        "every finding points at the fixture's line"
    )


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_gives_no_finding(path: Path) -> None:
    report = validate_graph([path], strict=True)
    assert report.findings == [], render_text(report)
    assert report.conforms


def test_every_kind_of_constraint_is_exercised_by_an_invalid_case() -> None:
    components: set[str] = set()
    shapes_hit: set[str] = set()
    severities: set[Severity] = set()
    for path in INVALID:
        for finding in invalid_report(path).findings:
            components.add(
                finding.constraint.value.rpartition("#")[2] if finding.constraint else ""
            )
            shapes_hit.add(finding.shape.value if finding.shape else "None")
            severities.add(finding.severity)
    assert severities == set(Severity)
    assert {
        "MinCountConstraintComponent",
        "MaxCountConstraintComponent",
        "DatatypeConstraintComponent",
        "NodeKindConstraintComponent",
        "ClassConstraintComponent",
        "PatternConstraintComponent",
        "UniqueLangConstraintComponent",
        "QualifiedMinCountConstraintComponent",
        "OrConstraintComponent",
        "SPARQLConstraintComponent",
        "SourceTextConstraintComponent",
    } <= components
    shapes = load_shapes().to_rdflib()
    rules = {str(s) for s in shapes.subjects(SH.sparql, None) if isinstance(s, URIRef)}
    assert rules - shapes_hit == set(), "every SHACL-SPARQL rule has an invalid case"


def test_the_bundled_graph_has_no_violation() -> None:
    report = validate_graph()
    violations = [f for f in report.findings if f.severity is Severity.VIOLATION]
    assert violations == [], render_text(report)
    assert report.conforms


def test_strict_makes_warnings_fail() -> None:
    path = SHAPES_DATA / "invalid" / "missing-japanese-label-warning.ttl"
    assert validate_graph([path]).conforms
    strict = validate_graph([path], strict=True)
    assert not strict.conforms and strict.strict


def test_an_inferred_triple_does_not_repeat_the_finding_on_the_triple_it_comes_from() -> None:
    # mdq:organiser "Cabinet Office" also gives schema:organizer "Cabinet Office" in the inferred view.
    report = validate_graph([SHAPES_DATA / "invalid" / "organiser-given-as-a-name.ttl"])
    (finding,) = report.findings
    assert finding.path == ox.NamedNode("https://w3id.org/mdq/ontology#organiser")
    assert finding.message_ja and "組織のIRI" in finding.message_ja


def test_messages_name_resources_as_the_data_files_do() -> None:
    report = validate_graph([SHAPES_DATA / "invalid" / "duplicate-ordinals-in-series.ttl"])
    (finding,) = report.findings
    assert "<meeting/mdq-7> and <meeting/mdq-8>" in finding.message
    assert finding.focus_label == "Multilateral Dialogue on Quantum"


def test_quotes_are_checked_against_a_sources_folder_beside_the_data(tmp_path: Path) -> None:
    fixture = SHAPES_DATA / "valid" / "release-graph-with-a-quote.trig"
    copy = tmp_path / fixture.name
    copy.write_text(fixture.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "cao-2025-09-22-mdq7.en.txt").write_text(
        "Another text altogether, in which the quote is not found.", encoding="utf-8"
    )
    report = validate_graph([copy])
    assert [f.shape for f in report.findings] == [
        ox.NamedNode("https://w3id.org/mdq/shapes#QuoteIsVerbatimInItsSourceText")
    ]


def test_a_quote_whose_text_is_nowhere_is_left_to_the_shapes(tmp_path: Path) -> None:
    fixture = SHAPES_DATA / "valid" / "release-graph-with-a-quote.trig"
    copy = tmp_path / fixture.name
    copy.write_text(
        fixture.read_text(encoding="utf-8").replace(
            '"cao-2025-09-22-mdq7.en.txt"', '"not-shipped.txt"'
        ),
        encoding="utf-8",
    )
    assert validate_graph([copy]).findings == []


def _shown(path: Path) -> str:
    """A path as findings show it: relative to the working folder when inside it."""
    import os

    return os.path.relpath(path.resolve())
