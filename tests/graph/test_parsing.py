"""A file that is not valid RDF gives exit 2 and one line: file:line:column and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mdq_graph.cli import main
from tests.conftest import TEST_DATA

UNREADABLE = TEST_DATA / "unreadable"

CASES = [
    ("missing-semicolon.ttl", "6:1", "expected '.'"),
    ("unclosed-graph.trig", "5:56", "needed '}'"),
    ("unterminated-literal.nt", "2:84", '"literal" closed on the same line'),
    ("missing-dot.nq", "2:133", "expected ' .' to end the statement"),
    ("trailing-comma.jsonld", "4:1", "not valid JSON"),
    ("id-not-a-string.jsonld", "5:20", "the value of @id cannot be 1490 (expected a string)"),
    ("mismatched-tag.rdf", "5:5", "mismatched tag"),
    ("resource-and-parse-type.rdf", "5:5", "not valid RDF/XML"),
]


def test_every_unreadable_fixture_has_a_case() -> None:
    assert sorted(p.name for p in UNREADABLE.iterdir()) == sorted(name for name, _, _ in CASES)


@pytest.mark.parametrize(("name", "position", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_rdf_is_one_line_with_its_position(
    name: str, position: str, expected: str, runner: CliRunner
) -> None:
    result = runner.invoke(main, ["validate", str(UNREADABLE / name)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert f"{name}:{position}: " in lines[0] and expected in lines[0], lines[0]
    assert "Traceback" not in result.output


def test_a_file_that_is_not_utf8_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    latin = tmp_path / "latin1.ttl"
    latin.write_bytes('<urn:a> <urn:b> "Zürich" .\n'.encode("latin-1"))
    result = runner.invoke(main, ["validate", str(latin)])
    assert result.exit_code == 2 and "not UTF-8" in result.output, result.output


def test_an_unknown_extension_is_refused_with_the_known_ones(
    runner: CliRunner, tmp_path: Path
) -> None:
    odd = tmp_path / "meeting.csv"
    odd.write_text("meeting,start\nmdq-7,2025-09-10\n", encoding="utf-8")
    result = runner.invoke(main, ["validate", str(odd)])
    assert result.exit_code == 2, result.output
    for extension in (".ttl", ".trig", ".nt", ".nq", ".jsonld", ".rdf"):
        assert extension in result.output
