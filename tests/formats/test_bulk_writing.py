"""The writers' shortcuts for large graphs write what the plain way writes: sorted N-Quads lines,
JSON written by orjson, the strings of a JSON-LD document, relabelling only the quads a store
says hold a blank node."""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
import pytest

from mdq_graph.formats.jsonld import dumps, json_strings
from mdq_graph.formats.rdf import sorted_lines, write_rdf
from mdq_graph.graph.rdf_formats import FORMATS

#: Lines as a serialiser might give them: repeated, out of order, blank or only spaces.
LINE_CASES: dict[str, list[bytes]] = {
    "empty": [],
    "repeated": [b"<b> <p> <o> .", b"<a> <p> <o> .", b"<b> <p> <o> ."],
    "blank lines": [b"", b"<a> <p> <o> .", b"   ", b"\t", b""],
    "only blank": [b"", b" "],
}

#: JSON-LD documents with what JSON writers disagree on: escapes, non-ASCII, key order, numbers
#: beyond 64 bits (orjson refuses them: the standard library writes them).
DOCUMENTS: dict[str, Any] = {
    "escapes": {"@id": 'a"b\\c\n\t\u0007\u2028', "z": [], "a": {}},
    "key order": {"é": 1, "Z": 2, "a": [True, False, None], "😀": "x", "@context": {"b": "c"}},
    "big integer": {"@graph": [{"n": 10**30}], "m": -(2**63)},
    "nested": {"@graph": [{"@id": "id:1", "name": {"@value": "x", "@language": "ja"}}]},
}

EX = "http://example.org/"


def test_every_case_is_collected() -> None:
    assert (len(LINE_CASES), len(DOCUMENTS)) == (4, 4)


@pytest.mark.parametrize("lines", LINE_CASES.values(), ids=LINE_CASES.keys())
def test_sorted_lines_keep_each_non_blank_line_once_in_order(lines: list[bytes]) -> None:
    kept = sorted({line for line in lines if line.strip()})
    expected = b"".join(line + b"\n" for line in kept)
    assert sorted_lines(lines) == expected


@pytest.mark.parametrize("document", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_json_is_written_as_the_standard_library_writes_it(document: Any) -> None:
    expected = json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    assert dumps(document) == expected.encode()


@pytest.mark.parametrize("document", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_json_strings_are_every_key_and_string_value(document: Any) -> None:
    def walk(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [*value, *(s for item in value.values() for s in walk(item))]
        if isinstance(value, list):
            return [s for item in value for s in walk(item)]
        return []

    assert json_strings(document) == set(walk(document))


def _quads(triple_term: bool) -> list[ox.Quad]:
    """Named nodes, blank nodes in two graphs and (where the format has them) a triple term:
    what the relabelling must handle."""
    g1, g2 = ox.NamedNode(EX + "g1"), ox.NamedNode(EX + "g2")
    p, a, b = ox.NamedNode(EX + "p"), ox.NamedNode(EX + "a"), ox.BlankNode("x")
    term = ox.Triple(a, p, ox.Literal("1"))
    quads = [
        ox.Quad(a, p, ox.Literal("text"), g1),
        ox.Quad(a, p, b, g1),
        ox.Quad(b, p, ox.Literal("in the blank"), g2),
        ox.Quad(a, p, a),
    ]
    return [*quads, ox.Quad(a, p, term, g2)] if triple_term else quads


def _holds_blank(quad: ox.Quad) -> bool:
    return any(isinstance(t, (ox.BlankNode, ox.Triple)) for t in (quad.subject, quad.object))


@pytest.mark.parametrize("name", ["nq", "trig", "turtle", "nt", "json-ld"])
def test_told_which_quads_hold_blank_nodes_the_writer_writes_the_same(name: str) -> None:
    quads = _quads(triple_term=name in ("nq", "nt"))
    told = [q for q in quads if _holds_blank(q)]
    assert told  # the case has blank nodes to relabel
    expected = write_rdf(quads, FORMATS[name])
    assert write_rdf(quads, FORMATS[name], blank_quads=told) == expected
