"""The curated queries (competency questions) give their expected answers."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from rdflib import Dataset

from mdq_graph.resources import queries_dir

from .conftest import TEST_DATA

EXPECTED = TEST_DATA / "queries"
QUERY_FILES = sorted(queries_dir().glob("*.rq"))
#: Queries that need the network (SERVICE): documented, not run in tests.
NEEDS_NETWORK = {p for p in QUERY_FILES if re.search(r"^\s*SERVICE\b", p.read_text(), re.M | re.I)}


def test_the_curated_queries_are_all_collected() -> None:
    assert len(QUERY_FILES) >= 12


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_has_a_header_with_title_description_and_question(path: Path) -> None:
    header = path.read_text(encoding="utf-8")
    for field in ("title", "description", "question"):
        assert re.search(rf"^# {field}: \S", header, re.M), f"{path.name} lacks '# {field}:'"


@pytest.mark.parametrize(
    "path", [p for p in QUERY_FILES if p not in NEEDS_NETWORK], ids=lambda p: p.stem
)
def test_query_gives_its_expected_answer(path: Path, dataset: Dataset) -> None:
    expected_file = EXPECTED / f"{path.stem}.csv"
    assert expected_file.is_file(), f"no expected result {expected_file}"
    query = path.read_text(encoding="utf-8")
    if re.search(r"^\s*(CONSTRUCT|DESCRIBE|ASK)\b", query, re.M | re.I):
        pytest.skip("not a SELECT query; checked by its own test")
    result = dataset.query(query)
    with expected_file.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert [str(v) for v in result.vars or []] == header
    got = [["" if v is None else str(v) for v in row] for row in result]  # type: ignore[union-attr]
    if re.search(r"\bORDER\s+BY\b", query, re.I):
        assert got == rows
    else:
        assert sorted(got) == sorted(rows)
