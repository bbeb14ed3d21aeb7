"""where-the-sources-differ finds any disagreement on a property stated in full, from any number of
sources: a made-up fifth account of the 4th meeting that gives another first day and another
co-host is listed beside the bundled sources, and nothing else changes."""

from __future__ import annotations

import csv
import io

from click.testing import CliRunner

from mdq_graph.cli import main
from mdq_graph.graph.resources import data_dir
from tests.conftest import TEST_DATA

ANOTHER = TEST_DATA / "series" / "another-account-of-the-4th-meeting.trig"
G = "https://w3id.org/mdq/graph/"
ID = "https://w3id.org/mdq/id/"


def rows(*data: str) -> set[tuple[str, ...]]:
    """The answer of where-the-sources-differ over `data` (the bundled data if none)."""
    args = [a for path in data for a in ("--data", path)]
    result = CliRunner().invoke(
        main, [*args, "query", "--name", "where-the-sources-differ", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    _, *found = csv.reader(io.StringIO(result.output, newline=""))
    return {tuple(r) for r in found}


def test_a_fifth_account_adds_exactly_its_disagreements() -> None:
    bundled = rows()
    with_another = rows(str(data_dir()), str(ANOTHER))
    start = "https://schema.org/startDate"
    host = "https://w3id.org/mdq/ontology#host"
    m4 = f"{ID}meeting/mdq-4"
    added = {
        (m4, start, "2023-10-23", f"{G}another-account", "2"),
        (m4, start, "2023-10-24", f"{G}qwb", "2"),
        (m4, host, f"{ID}country/se", f"{G}another-account", "3"),
    }
    # Three sources now give the hosts: the bundled host rows count one more source.
    recounted = {(*r[:4], "3") if r[1] == host else r for r in bundled}
    assert (m4, host, f"{ID}country/gb", f"{G}qdnl", "3") in recounted
    # Denmark, which every account names, is in no row; the rest is the bundled answer.
    assert not any(r[2] == f"{ID}country/dk" for r in with_another)
    assert with_another == recounted | added


def test_a_source_that_disagrees_on_dates_still_validates() -> None:
    """The disagreement is kept, not an error: each source's dates are checked in its own graph."""
    result = CliRunner().invoke(main, ["validate", str(data_dir()), str(ANOTHER)])
    assert result.exit_code == 0, result.output
