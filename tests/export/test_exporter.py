"""The fast export (files into an Oxigraph store, the description computed there) writes the same
bytes as the rdflib way (`export.serialize(*catalog.export_parts(read_as_stated(paths)))`), for every
format and `--graph` choice, and `export --store` the same as exporting the files."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib.compare import isomorphic

from mdq_graph.catalog.dcat import describe_store, export_parts
from mdq_graph.cli import main
from mdq_graph.export.exporter import export_graph, from_files, write_export
from mdq_graph.formats.jsonld import JsonLdOptions
from mdq_graph.formats.rdf import serialize
from mdq_graph.graph.dataset import ONTOLOGY_GRAPH, read_as_stated
from mdq_graph.graph.loader import build_store, load_store, normalise_literals, populate
from mdq_graph.graph.rdf_formats import DEFAULT, FORMATS, UNION
from tests.conftest import TEST_DATA
from tests.support.description import as_graph
from tests.support.export_cases import (
    CASE_NAMES,
    LITERAL_FORMS,
    export_cases,
)

XSD = "http://www.w3.org/2001/XMLSchema#"
#: JSON-LD with its context embedded, so that nothing needs the network.
JSONLD = JsonLdOptions()


def test_every_case_is_collected(synth_corpus: Path) -> None:
    assert sorted(export_cases(synth_corpus)) == sorted(CASE_NAMES)


@pytest.mark.parametrize("inferred", [True, False], ids=["inferred", "stated"])
@pytest.mark.parametrize("case", CASE_NAMES)
def test_the_fast_export_writes_the_bytes_of_the_rdflib_way(
    case: str, inferred: bool, synth_corpus: Path
) -> None:
    paths = export_cases(synth_corpus)[case]
    data, catalog = export_parts(read_as_stated(paths, inferred=inferred))
    named = sorted(
        {str(g.identifier) for g in data.graphs() if len(g)} - {str(data.default_graph.identifier)}
    )
    graphs = [UNION, DEFAULT, named[0], named[-1]]
    # The files parsed once, every export written from them (as `serve` and `publish` do); and
    # `export_graph`, which parses them itself, for one of the exports.
    exportable = from_files(paths, inferred=inferred)
    compared = 0
    for name, fmt in FORMATS.items():
        for graph in graphs:
            old = serialize(data, fmt, graph, jsonld=JSONLD, catalog=catalog)
            new = write_export(exportable, fmt, graph, jsonld=JSONLD)
            assert new == old, f"{case}: {name} --graph {graph} differs"
            compared += 1
    assert compared == len(FORMATS) * 4
    nquads = FORMATS["nq"]
    assert export_graph(nquads, named[0], paths=paths, inferred=inferred) == write_export(
        exportable, nquads, named[0]
    )


@pytest.mark.parametrize("case", ["bundled", "synth"])
def test_the_description_computed_in_the_store_is_the_rdflib_one(
    case: str, synth_corpus: Path
) -> None:
    paths = export_cases(synth_corpus)[case]
    _, expected = export_parts(read_as_stated(paths))
    computed = describe_store(load_store(paths))
    assert len(computed) > 500
    assert isomorphic(as_graph(computed), as_graph(expected))


def test_literals_are_stored_as_rdflib_reads_them() -> None:
    store = ox.Store()
    assert populate(store, [LITERAL_FORMS], inferred=False).lossy_literals == ()
    values = {q.object for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert ox.Literal("1", datatype=ox.NamedNode(XSD + "integer")) in values
    assert ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")) in values
    assert ox.Literal("01", datatype=ox.NamedNode(XSD + "integer")) not in values
    subjects = {q.subject for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    ontology = ox.NamedNode(str(ONTOLOGY_GRAPH))  # its unions and disjoint classes are blank nodes
    subjects -= {q.subject for q in store.quads_for_pattern(None, None, None, ontology)}
    assert sum(isinstance(s, ox.BlankNode) for s in subjects) == 1


def test_a_literal_the_store_cannot_keep_is_reported() -> None:
    double = ox.Literal("1.0", datatype=ox.NamedNode(XSD + "double"))
    store = ox.Store()
    store.add(
        ox.Quad(
            ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/p"), double
        )
    )
    assert normalise_literals(store, [double]) == (
        '"1.0"^^<http://www.w3.org/2001/XMLSchema#double>',
    )


@pytest.mark.parametrize("args", [["--format", "nq"], ["--format", "turtle", "--no-inferred"]])
def test_export_from_a_store_is_the_export_of_its_files(
    args: list[str], synth_corpus: Path, tmp_path: Path, runner: CliRunner
) -> None:
    store = tmp_path / "store"
    build_store(store, [synth_corpus])
    from_store = runner.invoke(main, ["--store", str(store), "export", *args])
    assert from_store.exit_code == 0, from_store.output
    from_files = runner.invoke(main, ["--data", str(synth_corpus), "export", *args])
    assert from_files.exit_code == 0, from_files.output
    assert from_store.stdout_bytes == from_files.stdout_bytes
    assert b"graph/synth/" in from_store.stdout_bytes


def test_a_broken_file_is_reported_with_file_and_line(runner: CliRunner) -> None:
    broken = TEST_DATA / "cli" / "broken-missing-dot.ttl"
    result = runner.invoke(main, ["--data", str(broken), "export", "--format", "nq"])
    assert result.exit_code == 2, result.output
    assert "broken-missing-dot.ttl:6:" in result.output and "Traceback" not in result.output
