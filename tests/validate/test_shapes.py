"""The shapes themselves: valid SHACL (SHACL-for-SHACL), a message on every shape, and every class and
property the data uses is constrained."""

from __future__ import annotations

import pytest
from pyshacl.entrypoints import meta_validate
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from mdq_graph.graph.dataset import INFERRED_GRAPH, ONTOLOGY_GRAPH
from mdq_graph.graph.namespaces import SCHEMA
from mdq_graph.validate.validation import load_shapes

SHAPES = load_shapes().to_rdflib()  # read here with rdflib, the oracle (pySHACL meta-validates it)
SHAPE_NODES = sorted(
    {s for t in (SH.NodeShape, SH.PropertyShape) for s in SHAPES.subjects(RDF.type, t)}, key=str
)


def test_the_shapes_conform_to_shacl_shacl() -> None:
    # pySHACL ships the W3C's SHACL-for-SHACL shapes (assets/shacl-shacl.ttl).
    conforms, _, text = meta_validate(SHAPES, inference="none")
    assert conforms, text


def test_every_shape_has_an_iri_and_says_what_is_wrong_in_english() -> None:
    property_shapes = set(SHAPES.objects(None, SH.property))
    for shape in SHAPE_NODES:
        assert isinstance(shape, URIRef), f"a finding should name its shape: {shape}"
    for node in [*SHAPE_NODES, *property_shapes, *SHAPES.objects(None, SH.sparql)]:
        messages = [m for m in SHAPES.objects(node, SH.message) if isinstance(m, Literal)]
        assert any(m.language == "en" for m in messages), f"{node} has no English sh:message"
        assert all(m.language in ("en", "ja") for m in messages), node


def test_severities_are_the_three_standard_ones() -> None:
    used = set(SHAPES.objects(None, SH.severity))
    assert used <= {SH.Violation, SH.Warning, SH.Info}
    assert used == {SH.Warning, SH.Info}, "Violation is the default, so it is never written"


def _stated(dataset: Dataset) -> Graph:
    """What the data states, without the ontology and the inferred view."""
    graph = Graph()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = g.identifier if isinstance(g, Graph) else g
        if name not in (ONTOLOGY_GRAPH, INFERRED_GRAPH):
            graph.add((s, p, o))
    return graph


def test_every_class_the_data_uses_is_the_target_of_a_shape(dataset: Dataset) -> None:
    ontology = dataset.graph(ONTOLOGY_GRAPH)
    targets = set(SHAPES.objects(None, SH.targetClass))
    untargeted = []
    for cls in set(_stated(dataset).objects(None, RDF.type)):
        supers = set(ontology.transitive_objects(cls, RDFS.subClassOf))
        # schema.org place types (City, Continent, ...) and schema:Dataset are extra types of
        # resources that have one of ours.
        if not supers & targets and not str(cls).startswith(str(SCHEMA)):
            untargeted.append(cls)
    assert untargeted == []


def test_every_property_the_data_and_its_schema_view_use_is_constrained(dataset: Dataset) -> None:
    paths = {p for p in SHAPES.objects(None, SH.path) if isinstance(p, URIRef)}
    sparql = " ".join(str(q) for q in SHAPES.objects(None, SH.select))
    used = {p for p in _stated(dataset).predicates() if isinstance(p, URIRef)} | {
        p
        for p in dataset.graph(INFERRED_GRAPH).predicates()
        if isinstance(p, URIRef) and p.startswith(str(SCHEMA))
    }
    unconstrained = sorted(
        p
        for p in used - {RDF.type}
        if p not in paths and dataset.namespace_manager.normalizeUri(p) not in sparql
    )
    assert unconstrained == [], "add a shape for each property the data uses"


@pytest.mark.parametrize("rule", sorted(SHAPES.subjects(SH.sparql, None), key=str))
def test_sparql_rules_bind_path_for_findings(rule: URIRef) -> None:
    # A finding names the property to fix: every rule returns ?path (the named-graph rules too).
    for constraint in SHAPES.objects(rule, SH.sparql):
        select = str(SHAPES.value(constraint, SH.select))
        assert "?path" in select, rule
