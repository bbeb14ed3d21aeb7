"""The first commands: --version, info, export, and --data; errors are messages, not tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from mdq_graph import __version__
from mdq_graph.catalog.dcat import CATALOG_GRAPH, export_parts
from mdq_graph.cli import main
from mdq_graph.graph.rdf_formats import FORMATS
from tests.support.description import as_graph

from .conftest import TEST_DATA


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0, result.output
    assert __version__ in result.output


def test_info_counts_graphs_classes_and_sources(runner: CliRunner) -> None:
    result = runner.invoke(main, ["info", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    graphs = dict(report["graphs"])
    for name in ("release-en", "release-ja", "reference", "vocabulary", "ontology", "inferred"):
        assert graphs[f"https://w3id.org/mdq/graph/{name}"] > 0
    classes = dict(report["classes"])
    assert classes["mdq:Country"] == 13
    assert classes["mdq:KeyOutcome"] == 4
    languages = sorted(s["language"] for s in report["sources"] if s["url"])
    assert languages == ["en"] * 5 + ["ja"]  # the two releases and the four web pages cited


def test_info_as_text_names_the_sources(runner: CliRunner) -> None:
    result = runner.invoke(main, ["info"])
    assert result.exit_code == 0, result.output
    assert "https://www8.cao.go.jp/cstp/stmain/20250922ryoshi_en.html" in result.output
    assert "Named graphs:" in result.output


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_export_format_parses_back_to_the_same_graph(
    name: str, runner: CliRunner, tmp_path: Path, dataset: Dataset
) -> None:
    fmt = FORMATS[name]
    out = tmp_path / f"mdq{fmt.extension}"
    # rdflib would fetch a context referenced by IRI from the network: read one that is embedded.
    embed = ["--embed-context"] if name == "json-ld" else []
    result = runner.invoke(main, ["export", "--format", name, "-o", str(out), *embed])
    assert result.exit_code == 0, result.output
    data, catalog = export_parts(dataset)  # the export carries its description (graph/catalog)
    union = Graph()
    for s, p, o, _ in data.quads((None, None, None, None)):
        union.add((s, p, o))
    union += as_graph(catalog)
    if fmt.quads:
        back = Dataset()
        back.parse(out, format=fmt.rdflib)
        assert len(back) == len(union)
        names = {str(g.identifier) for g in back.graphs() if len(g)}
        assert {"https://w3id.org/mdq/graph/release-ja", str(CATALOG_GRAPH)} <= names
    else:
        back_graph = Graph().parse(out, format=fmt.rdflib)
        assert isomorphic(back_graph, union)


def test_export_to_stdout(runner: CliRunner) -> None:
    result = runner.invoke(main, ["export", "--format", "nt", "--graph", "release-ja"])
    assert result.exit_code == 0, result.output
    assert "茨城県つくば市" in result.output


def test_data_option_replaces_the_bundled_data(runner: CliRunner) -> None:
    result = runner.invoke(
        main, ["--data", str(TEST_DATA / "cli" / "one-meeting.ttl"), "info", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    graphs = dict(report["graphs"])
    assert "https://w3id.org/mdq/graph/release-en" not in graphs
    assert dict(report["classes"])["mdq:Meeting"] == 1


def test_broken_turtle_gives_exit_2_with_file_and_line(runner: CliRunner) -> None:
    broken = TEST_DATA / "cli" / "broken-missing-dot.ttl"
    result = runner.invoke(main, ["--data", str(broken), "info"])
    assert result.exit_code == 2, result.output
    assert "broken-missing-dot.ttl:6:" in result.output
    assert "Traceback" not in result.output


def test_unknown_extension_is_refused_with_the_known_ones(
    runner: CliRunner, tmp_path: Path
) -> None:
    odd = tmp_path / "data.csv"
    odd.write_text("a,b\n")
    result = runner.invoke(main, ["--data", str(odd), "info"])
    assert result.exit_code == 2, result.output
    assert ".ttl" in result.output and ".trig" in result.output


def test_unknown_graph_lists_the_known_ones(runner: CliRunner) -> None:
    result = runner.invoke(main, ["export", "--graph", "nope"])
    assert result.exit_code == 2, result.output
    assert "release-en" in result.output


def test_export_output_is_written_atomically(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "mdq.ttl"
    out.write_text("old")
    result = runner.invoke(main, ["export", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("@base <https://w3id.org/mdq/id/> .\n@prefix")
    assert [p.name for p in tmp_path.iterdir()] == ["mdq.ttl"]  # no temporary file left behind


@pytest.mark.parametrize(
    "command", [["info"], ["export", "-f", "nq"], ["export", "-f", "jsonld"], ["catalog"]]
)
def test_commands_work_on_data_without_meetings_or_named_graphs(
    command: list[str], runner: CliRunner, tmp_path: Path
) -> None:
    plain = tmp_path / "plain.ttl"
    plain.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n")
    result = runner.invoke(main, ["--data", str(plain), *command])
    assert result.exit_code == 0, result.output
    assert "urn:x-rdflib:default" not in result.output
