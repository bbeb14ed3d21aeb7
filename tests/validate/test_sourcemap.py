"""A finding points at the file and line that state its triple."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from mdq_graph.graph.namespaces import ID, MDQ, PROV, SCHEMA
from mdq_graph.validate.sourcemap import SourceMap

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


def _map(tmp_path: Path, name: str, text: str) -> tuple[SourceMap, str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return SourceMap([path]), str(path.resolve())


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
