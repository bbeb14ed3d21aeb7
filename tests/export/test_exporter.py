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
from mdq_graph.graph.dataset import ONTOLOGY_GRAPH
from mdq_graph.graph.loader import as_stated, build_store, load_store, populate
from mdq_graph.graph.rdf_formats import DEFAULT, FORMATS, UNION
from mdq_graph.graph.store import UNNAMED_TRIPLES
from tests.conftest import TEST_DATA
from tests.support.description import as_graph
from tests.support.export_cases import (
    CASE_NAMES,
    LITERAL_FORMS,
    STORE_CASES,
    export_cases,
)
from tests.support.rdflib_reading import read_as_stated

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
    if case not in STORE_CASES:
        # rdflib counts `"1"^^xsd:boolean` and `"true"^^xsd:boolean` as one triple (it compares
        # them by value), so its VoID counts are not ours (RDF 1.1: two terms): the data's bytes
        # are compared here, the description with rdflib's on the other cases.
        catalog = exportable.described()
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


def test_a_store_holds_its_own_forms_and_names_the_literals_it_changed() -> None:
    store = ox.Store()
    changed = populate(store, [LITERAL_FORMS], inferred=False).changed_literals
    stated = {q.object for q in ox.parse(path=LITERAL_FORMS, format=ox.RdfFormat.TRIG)}
    held = {q.object for q in store}
    assert set(changed) == {str(literal) for literal in stated - held}
    assert '"01"^^<http://www.w3.org/2001/XMLSchema#integer>' in changed
    assert '"1"^^<http://www.w3.org/2001/XMLSchema#integer>' not in changed
    assert ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")) in held


def test_with_stand_ins_the_store_gives_back_every_literal_as_stated() -> None:
    store = ox.Store()
    populated = populate(store, [LITERAL_FORMS], inferred=False, keep_lexical=True)
    assert populated.stand_ins and populated.changed_literals
    stated = set(ox.parse(path=LITERAL_FORMS, format=ox.RdfFormat.TRIG))
    ontology = ox.NamedNode(str(ONTOLOGY_GRAPH))
    named = [q for q in store if q.graph_name != ontology and q.graph_name != ox.DefaultGraph()]
    outside = store.query(UNNAMED_TRIPLES)
    assert isinstance(outside, ox.QueryTriples)
    data = as_stated([*named, *(ox.Quad(*t) for t in outside)])
    assert {q for q in data if q.graph_name != ontology} == stated


@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize("case", ["literal-forms", "tricky-terms"])
def test_every_export_of_files_writes_each_literal_as_stated(
    case: str, name: str, synth_corpus: Path
) -> None:
    paths = export_cases(synth_corpus)[case]
    assert paths is not None
    stated = {
        q.object
        for path in paths
        for q in ox.parse(path=path, format=_format(path))
        if isinstance(q.object, ox.Literal)
    }
    written = export_graph(FORMATS[name], paths=paths, inferred=False, jsonld=JSONLD)
    data = {q.predicate for path in paths for q in ox.parse(path=path, format=_format(path))}
    said = {
        q.object
        for q in _quads(written, name)
        if q.predicate in data and isinstance(q.object, ox.Literal)
    }
    assert said == stated, sorted(str(x) for x in said ^ stated)


def _format(path: Path) -> ox.RdfFormat:
    return ox.RdfFormat.TRIG if path.suffix == ".trig" else ox.RdfFormat.TURTLE


def _quads(written: bytes, name: str) -> list[ox.Quad]:
    """The export read back: by pyoxigraph, JSON-LD by pyld (expanded, then as N-Quads)."""
    if name in ("json-ld", "jsonld"):
        import json

        from pyld import jsonld

        nquads = jsonld.to_rdf(json.loads(written), {"format": "application/n-quads"})
        return list(ox.parse(nquads.encode(), ox.RdfFormat.N_QUADS))
    media = {"xml": "application/rdf+xml", "rdfxml": "application/rdf+xml"}
    fmt = FORMATS[name]
    parsed = ox.parse(written, ox.RdfFormat.from_media_type(media.get(name, fmt.media_type)))
    return [q if isinstance(q, ox.Quad) else ox.Quad(*q) for q in parsed]


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


@pytest.mark.parametrize("name", ["nq", "trig"])
@pytest.mark.parametrize("case", ["bundled", "blank-nodes-outside-graphs"])
def test_an_export_read_back_exports_the_same_bytes(
    case: str, name: str, synth_corpus: Path, tmp_path: Path
) -> None:
    """The ontology, the inferred view and the description in an export are ours: loading the
    export makes them afresh (the ontology's blank nodes are not there twice, the description does
    not describe itself), so the export of the export is the export."""
    fmt = FORMATS[name]
    first = export_graph(fmt, paths=export_cases(synth_corpus)[case])
    earlier = tmp_path / f"earlier{fmt.extension}"
    earlier.write_bytes(first)
    assert export_graph(fmt, paths=[earlier]) == first
