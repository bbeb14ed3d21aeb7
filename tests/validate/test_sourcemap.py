"""A finding points at the file and line that state its triple."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from mdq_graph.graph.loader import ox_term
from mdq_graph.graph.namespaces import ID, MDQ, PROV, SCHEMA
from mdq_graph.validate import sourcemap
from mdq_graph.validate.sourcemap import SourceMap
from mdq_graph.validate.validation import validate_graph

TRIG = """\
@base <https://w3id.org/mdq/id/> .
@prefix mdq:    <https://w3id.org/mdq/ontology#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <https://schema.org/> .
@prefix graph:  <https://w3id.org/mdq/graph/> .

graph:release-en {

    <meeting/mdq-7> a mdq:Meeting ;
        rdfs:label "7th Multilateral Dialogue on Quantum"@en ;
        mdq:participatingCountry <country/au> , <country/ca> ,
            <country/jp> ;
        schema:startDate "2025-09-10"^^xsd:date .

    <country/jp> a mdq:Country ; rdfs:label "Japan"@en .
}
"""
MEETING = ID["meeting/mdq-7"]
JAPAN = ID["country/jp"]


class _Map:
    """A source map asked with rdflib's terms, written here as the fixtures are."""

    def __init__(self, paths: list[Path]) -> None:
        self.map = SourceMap(paths)

    def locate(self, *terms: Any) -> sourcemap.Location:
        return self.map.locate(*(ox_term(t) if t is not None else None for t in terms))


def _map(tmp_path: Path, name: str, text: str) -> tuple[_Map, str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return _Map([path]), str(path.resolve())


def test_turtle_family_lines(tmp_path: Path) -> None:
    sources, shown = _map(tmp_path, "data.trig", TRIG)
    assert sources.locate(MEETING, RDF.type, MDQ.Meeting).line == 10
    assert sources.locate(MEETING, MDQ.participatingCountry, JAPAN).line == 13  # an object list
    assert sources.locate(MEETING, MDQ.participatingCountry, ID["country/ca"]).line == 12
    date = Literal("2025-09-10", datatype=XSD.date)
    assert sources.locate(MEETING, SCHEMA.startDate, date).line == 14
    assert sources.locate(JAPAN, RDFS.label, Literal("Japan", lang="en")).line == 16
    location = sources.locate(MEETING, SCHEMA.endDate, None)  # missing: where the meeting is
    assert (location.line, Path(location.file or "").resolve()) == (10, Path(shown))


def test_an_inferred_triple_points_at_the_stated_one(tmp_path: Path) -> None:
    sources, _ = _map(tmp_path, "data.trig", TRIG)
    # prov:wasAssociatedWith is inferred from mdq:participatingCountry
    assert sources.locate(MEETING, PROV.wasAssociatedWith, JAPAN).line == 13


def test_a_named_graph_points_at_where_it_opens(tmp_path: Path) -> None:
    sources, _ = _map(tmp_path, "data.trig", TRIG)
    assert sources.locate(URIRef("https://w3id.org/mdq/graph/release-en")).line == 8


def test_n_triples_lines_are_exact(tmp_path: Path) -> None:
    text = (
        f"<{MEETING}> <{RDF.type}> <{MDQ.Meeting}> .\n"
        f'<{MEETING}> <{SCHEMA.startDate}> "2025-09-10"^^<{XSD.date}> .\n'
    )
    sources, _ = _map(tmp_path, "data.nt", text)
    assert (
        sources.locate(MEETING, SCHEMA.startDate, Literal("2025-09-10", datatype=XSD.date)).line
        == 2
    )


def test_json_ld_points_at_the_first_line_naming_the_subject(tmp_path: Path) -> None:
    document = {"@graph": [{"@id": str(JAPAN), "@type": str(MDQ.Country)}]}
    sources, _ = _map(tmp_path, "data.jsonld", json.dumps(document, indent=2))
    assert sources.locate(JAPAN, RDF.type, MDQ.Country).line == 4


def test_a_triple_no_file_states_has_no_location(tmp_path: Path) -> None:
    sources, _ = _map(tmp_path, "data.trig", TRIG)
    location = sources.locate(ID["elsewhere"], RDFS.label, None)
    assert (location.file, location.line) == (None, None)


# --- many graphs ----------------------------------------------------------------------------------


class _CountedLines(list[str]):
    """A file's lines that count how many times a line is read."""

    reads = 0

    def __iter__(self) -> Iterator[str]:
        for line in super().__iter__():
            _CountedLines.reads += 1
            yield line

    def __getitem__(self, index: Any) -> Any:
        item = super().__getitem__(index)
        _CountedLines.reads += len(item) if isinstance(index, slice) else 1
        return item


def _lines_read(tmp_path: Path, graphs: int, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """Validate a TriG file of `graphs` named graphs, none describing itself (a finding each, and
    its line to find); how many lines of the file were read, and how many findings have a line."""
    path = tmp_path / f"graphs-{graphs}.trig"
    lines = ["@prefix ex: <http://example.org/> ."]
    lines += [f"ex:g{i} {{ ex:s{i} ex:p ex:o{i} . }}" for i in range(graphs)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    read = sourcemap._read

    def counted(file: Path) -> Any:
        parsed = read(file)
        if file == path:
            parsed.lines = _CountedLines(parsed.lines)
        return parsed

    monkeypatch.setattr(sourcemap, "_read", counted)
    _CountedLines.reads = 0
    report = validate_graph([path])
    located = sum(1 for f in report.findings if f.source_file and f.source_line)
    return _CountedLines.reads, located


def test_many_named_graphs_are_located_in_linear_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each graph's opening was found by reading the file from the top: 100,000 graphs took hours.
    small, small_located = _lines_read(tmp_path, 400, monkeypatch)
    large, large_located = _lines_read(tmp_path, 800, monkeypatch)
    assert small_located >= 400 and large_located == 2 * small_located
    assert large <= 2.5 * small, (small, large)  # twice the graphs, not four times the reading


def test_a_line_based_file_is_neither_parsed_nor_held_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Re-parsing a 10^6-triple N-Quads file to locate a few findings was 13% of `validate`:
    # only the lines of the subjects asked about are read as RDF.
    text = "".join(
        f'<{ID[f"thing/{i}"]}> <{RDFS.label}> "thing {i}"@en <{ID["graph"]}> .\n' for i in range(50)
    )
    sources, _ = _map(tmp_path, "data.nq", text)
    monkeypatch.setattr(sourcemap, "file_quads", lambda path: pytest.fail(f"parsed {path}"))
    label = Literal("thing 7", lang="en")
    assert sources.locate(ID["thing/7"], RDFS.label, label).line == 8
    assert sources.locate(ID["thing/9"], SCHEMA.name, None).line == 10  # missing: the subject
    (parsed,) = sources.map._files or []
    assert sorted(parsed.sparse) == [7, 9] and not parsed.lines  # the file is not held whole
    assert sources.locate(ID["graph"]).file is not None  # a graph no triple describes: its file
    assert sources.locate(ID["elsewhere"]).file is None
