"""Exports written the bulk way write the bytes of the plain way: `export --store` read where the
store is (not copied into memory), N-Quads written by the store's serialiser graph by graph, every
format of the whole store written as it goes (subject by subject, or lines sorted in runs)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from mdq_graph.export import exporter
from mdq_graph.export.exporter import Exportable, from_files, from_store, write_export
from mdq_graph.formats import streaming
from mdq_graph.formats.jsonld import JsonLdOptions
from mdq_graph.formats.rdf import select_quads, write_rdf
from mdq_graph.graph.loader import build_store
from mdq_graph.graph.rdf_formats import FORMATS
from tests.support.export_cases import (
    EXPORT_DATA,
    STORE_CASES,
    export_cases,
)

FORMAT_NAMES = ["nq", "turtle", "json-ld", "trig"]

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize("case", STORE_CASES)
def test_an_export_of_a_store_is_the_export_of_its_files(
    case: str, synth_corpus: Path, tmp_path: Path
) -> None:
    paths = export_cases(synth_corpus)[case]
    build_store(tmp_path / "store", paths)
    stored, read = from_store(tmp_path / "store"), from_files(paths)
    for name in FORMAT_NAMES:
        assert write_export(stored, FORMATS[name]) == write_export(read, FORMATS[name]), name


#: How an export reads a store on disk: subject by subject (as a store too large to read at
#: once is), or every triple at once (as a smaller one is).
READ_WAYS = {"subject by subject": 0, "at once": 10**12}


@pytest.mark.parametrize("whole_up_to", READ_WAYS.values(), ids=READ_WAYS.keys())
@pytest.mark.parametrize("case", STORE_CASES)
def test_every_format_streamed_from_a_store_is_the_quads_written_at_once(
    case: str,
    whole_up_to: int,
    synth_corpus: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Lines sorted in runs of a few kilobytes (so that several runs are merged), Turtle, TriG,
    JSON-LD and RDF/XML written subject by subject: the bytes `write_rdf` writes of every quad
    at once."""
    monkeypatch.setattr(streaming, "RUN_BYTES", 4096)
    monkeypatch.setattr(exporter, "WHOLE_FROM_DISK_UP_TO", whole_up_to)
    build_store(tmp_path / "store", export_cases(synth_corpus)[case])
    exportable = from_store(tmp_path / "store")
    every_quad = exportable.quads() + exportable.described()
    for name, fmt in FORMATS.items():
        chosen = select_quads(every_quad, keep_graphs=fmt.quads)  # triple formats: the union
        assert write_export(exportable, fmt) == write_rdf(chosen, fmt), name
    linked = JsonLdOptions(context_url="https://example.org/context.jsonld")
    at_once = write_rdf(select_quads(every_quad), FORMATS["json-ld"], jsonld=linked)
    assert write_export(exportable, FORMATS["json-ld"], jsonld=linked) == at_once


@pytest.mark.parametrize("case", STORE_CASES)
def test_n_quads_from_the_store_are_the_quads_written_one_by_one(
    case: str, synth_corpus: Path
) -> None:
    exportable = from_files(export_cases(synth_corpus)[case])
    assert not exportable.stand_ins, "the store holds every literal as written"
    one_by_one = write_rdf(exportable.quads() + exportable.described(), FORMATS["nq"])
    assert write_export(exportable, FORMATS["nq"]) == one_by_one


def test_a_graph_named_by_a_blank_node_is_written_too() -> None:
    exportable = from_files([EXPORT_DATA / "blank-nodes.trig"])
    store = exportable.store
    graph = ox.BlankNode()
    triple = (ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/p"), graph)
    store.add(ox.Quad(*triple, graph))
    store.add(ox.Quad(*triple))
    written = Exportable(store, exportable.description, unnamed=exportable.unnamed)
    one_by_one = write_rdf(written.quads() + written.described(), FORMATS["nq"])
    assert write_export(written, FORMATS["nq"]) == one_by_one
    assert b"_:" in one_by_one


@pytest.mark.parametrize("case", ["literal-forms", "tricky-terms"])
def test_files_whose_literals_the_store_would_rewrite_are_written_as_stated(
    case: str, synth_corpus: Path, tmp_path: Path
) -> None:
    """`1.0E3`, `007`, `"1"^^xsd:boolean`: a store keeps such literals as values, so the export
    of the files holds stand-ins for them and writes them back as stated (an ill-typed literal,
    `"seven"^^xsd:integer`, the store keeps as it is); a store `load` built holds its own forms,
    and so does its export."""
    paths = export_cases(synth_corpus)[case]
    exportable = from_files(paths)
    assert exportable.stand_ins
    written = write_export(exportable, FORMATS["nq"])
    assert written == write_rdf(exportable.quads() + exportable.described(), FORMATS["nq"])
    stated = {q.object for p in paths or () for q in ox.parse(path=p, format=_format(p))}
    held = {q.object for q in ox.parse(written, ox.RdfFormat.N_QUADS)}
    assert stated <= held
    build_store(tmp_path / "store", paths)
    from_the_store = {
        q.object
        for q in ox.parse(
            write_export(from_store(tmp_path / "store"), FORMATS["nq"]), ox.RdfFormat.N_QUADS
        )
    }
    changed = stated - from_the_store
    assert changed and all(
        isinstance(o, ox.Literal) and o.datatype.value.startswith(XSD) for o in changed
    )


def _format(path: Path) -> ox.RdfFormat:
    return ox.RdfFormat.TRIG if path.suffix == ".trig" else ox.RdfFormat.TURTLE
