"""The evidence as RDF 1.2 (`export --rdf12`): statement nodes become reifiers of triple terms."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from mdq_graph.cli import main
from mdq_graph.formats.rdf12 import REIFIES, as_rdf12, source_quads
from mdq_graph.graph.loader import load_store

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _export(fmt: str) -> set[ox.Triple]:
    result = CliRunner().invoke(main, ["export", "--format", fmt, "--rdf12"])
    assert result.exit_code == 0, result.output
    rdf_format = ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.N_TRIPLES
    return set(ox.parse(result.stdout_bytes, format=rdf_format))  # type: ignore[arg-type]


def test_every_statement_node_becomes_a_reifier_of_its_triple() -> None:
    store = load_store()
    quads = source_quads(store)
    nodes = {
        q.subject: q.graph_name
        for q in quads
        if q.predicate.value == RDF + "type" and q.object == ox.NamedNode(RDF + "Statement")
    }
    assert len(nodes) > 500
    converted = as_rdf12(quads)
    reifiers = {q.subject: q.object for q in converted if q.predicate == REIFIES}
    assert set(reifiers) == set(nodes)
    for node, triple in reifiers.items():
        assert isinstance(triple, ox.Triple)
        # the reified triple is asserted in the graph of its statement node
        assert ox.Quad(triple.subject, triple.predicate, triple.object, nodes[node]) in quads
    assert not [q for q in converted if q.predicate.value in {RDF + "subject", RDF + "object"}]


@pytest.mark.parametrize("fmt", ["turtle", "nt"])
def test_the_export_reads_back_as_rdf_1_2(fmt: str) -> None:
    triples = _export(fmt)
    assert any(t.predicate == REIFIES and isinstance(t.object, ox.Triple) for t in triples)


def test_turtle_and_n_triples_say_the_same() -> None:
    assert _export("turtle") == _export("nt")


def test_rdf12_is_for_turtle_and_n_triples_of_the_union() -> None:
    result = CliRunner().invoke(main, ["export", "--format", "trig", "--rdf12"])
    assert result.exit_code == 2
    assert "--rdf12" in result.output
