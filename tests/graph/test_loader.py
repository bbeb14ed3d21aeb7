"""The one loader holds exactly what rdflib reads and infers; the notebook API gives its graphs."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from mdq_graph import load_dataset
from mdq_graph.cli import main
from mdq_graph.errors import InputError
from mdq_graph.graph.engine import Engine
from mdq_graph.graph.loader import load_store
from tests.conftest import TEST_DATA
from tests.support.rdflib_reading import read_as_stated

CASES = {
    "bundled": None,
    "one-meeting": [TEST_DATA / "cli" / "one-meeting.ttl"],
    "blank-nodes": [TEST_DATA / "export" / "blank-nodes.trig"],
}


def canonical(quads: object) -> set[ox.Quad]:
    """The quads with canonical blank-node labels, comparable as a set."""
    dataset = ox.Dataset(quads)  # type: ignore[arg-type]
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)


@pytest.mark.parametrize("inferred", [True, False], ids=["inferred", "stated"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_fast_loader_holds_what_rdflib_reads_and_infers(case: str, inferred: bool) -> None:
    paths = CASES[case]
    fast = load_store(paths, inferred=inferred)
    reference = Engine.from_dataset(read_as_stated(paths, inferred=inferred)).store
    assert canonical(fast) == canonical(reference)
    assert len(fast) > 0


@pytest.mark.parametrize("inferred", [True, False], ids=["inferred", "stated"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_notebook_dataset_holds_the_graphs_of_the_loader(case: str, inferred: bool) -> None:
    paths = CASES[case]
    dataset = load_dataset(paths, inferred=inferred)
    reference = read_as_stated(paths, inferred=inferred)
    assert canonical(Engine.from_dataset(dataset).store) == canonical(
        Engine.from_dataset(reference).store
    )
    assert dataset.default_union and len(dataset) == len(reference) > 0


def test_a_broken_file_is_reported_with_file_and_line_as_everywhere_else() -> None:
    broken = TEST_DATA / "cli" / "broken-missing-dot.ttl"
    with pytest.raises(InputError, match=r"broken-missing-dot\.ttl:6:"):
        load_store([broken])
    result = CliRunner().invoke(main, ["--data", str(broken), "query", "ASK {}"])
    assert result.exit_code == 2, result.output
    assert "broken-missing-dot.ttl:6:" in result.output and "Traceback" not in result.output


def test_what_rdflib_reads_but_rdf_forbids_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "space.ttl"
    broken.write_text(
        "<https://example.org/a> <https://example.org/b> <https://example.org/c d> .\n"
    )
    with pytest.raises(InputError, match=r"space\.ttl:1:49: not valid RDF: Invalid IRI"):
        load_store([broken])


#: Dates and times with a time zone: rdflib's reading would drop the zone of an xsd:date (its
#: Python value has none), which changes the value; the loader keeps the lexical form.
ZONED = {
    "date-utc": ("2025-03-10Z", "date"),
    "date-east": ("2025-09-10+09:00", "date"),
    "date-west": ("2025-09-10-05:00", "date"),
    "date-time": ("2025-09-10T09:30:00+09:00", "dateTime"),
}


@pytest.mark.parametrize("name", sorted(ZONED))
def test_a_time_zone_is_kept(name: str, tmp_path: Path) -> None:
    lexical, datatype = ZONED[name]
    literal = ox.Literal(
        lexical, datatype=ox.NamedNode(f"http://www.w3.org/2001/XMLSchema#{datatype}")
    )
    data = tmp_path / "zoned.nt"
    data.write_text(f"<https://example.org/e> <https://schema.org/startDate> {literal} .\n")
    store = load_store([data], inferred=False)
    assert literal in {q.object for q in store}
    exported = CliRunner().invoke(main, ["--data", str(data), "export", "--format", "nt"])
    assert exported.exit_code == 0, exported.output
    assert str(literal) in exported.output
