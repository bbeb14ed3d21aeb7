"""The set-at-a-time engine reports what pySHACL reports, on every fixture, and hands pySHACL the
shapes it does not know.

pySHACL is the reference: for each data file, both run the bundled shapes over the same data (the
ontology, the file, the inferred view) and their validation results must be the same set: focus
node, path, value, shape, constraint component, severity and messages.
"""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from mdq_graph.graph.loader import load_dataset, load_store
from mdq_graph.graph.namespaces import MDQ, OA
from mdq_graph.synth import synthesize
from mdq_graph.validate.indexed import IndexedGraph
from mdq_graph.validate.quotes import Quote, check_quotes, quotes
from mdq_graph.validate.shacl_engine import ShapeSet, report
from mdq_graph.validate.shacl_shapes import UnsupportedShapes
from mdq_graph.validate.validation import _run_shacl, load_engine_store, load_shapes, validate_graph
from tests.conftest import TEST_DATA
from tests.validate.test_shacl_conformance import as_graph

SHAPES_DATA = TEST_DATA / "shapes"
FIXTURES = sorted(
    p
    for folder in ("invalid", "valid")
    for p in (SHAPES_DATA / folder).iterdir()
    if p.suffix in (".ttl", ".trig")
)
BEYOND = SHAPES_DATA / "beyond-the-engine"

ResultKey = tuple[Node | None, ...]


def results(report: list[ox.Triple]) -> set[tuple[object, ...]]:
    """The results of a report, each as the tuple of what it says."""
    graph = as_graph(report)
    found: set[tuple[object, ...]] = set()
    for r in graph.objects(None, SH.result):
        messages = frozenset(
            (str(m), m.language)
            for m in graph.objects(r, SH.resultMessage)
            if isinstance(m, Literal)
        )
        keys = (SH.focusNode, SH.resultPath, SH.value, SH.sourceShape)
        found.add(
            (
                *(graph.value(r, k) for k in keys),
                graph.value(r, SH.sourceConstraintComponent),
                graph.value(r, SH.resultSeverity),
                messages,
            )
        )
    return found


def both(paths: list[Path] | None) -> tuple[set[tuple[object, ...]], set[tuple[object, ...]]]:
    """pySHACL's results and the engine's, on the same data."""
    shapes = load_shapes()
    expected = results(_run_shacl(load_dataset(paths), shapes, False, []))
    got = results(report(ShapeSet(shapes).validate(*load_engine_store(paths)), shapes))
    return expected, got


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic corpus with its texts (it has findings: Japanese labels it lacks)."""
    path = tmp_path_factory.mktemp("corpus") / "corpus.trig"
    synthesize(path, 3, seed=5, texts_dir=path.parent / "sources")
    return path


@functools.cache
def both_on_fixture(fixture: Path) -> tuple[set[tuple[object, ...]], set[tuple[object, ...]]]:
    """`both` on one fixture, run once per test run (two tests read it; neither changes it)."""
    return both([fixture])


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_the_engine_reports_what_pyshacl_reports(fixture: Path) -> None:
    expected, got = both_on_fixture(fixture)
    assert got == expected


def test_the_engine_reports_what_pyshacl_reports_on_the_bundled_graph() -> None:
    expected, got = both(None)
    assert got == expected
    assert len(got) > 10  # the Japanese labels the Japanese release does not give


def test_the_engine_reports_what_pyshacl_reports_on_a_synthetic_corpus(corpus: Path) -> None:
    expected, got = both([corpus])
    assert got == expected
    assert got


def test_the_fixtures_cover_every_kind_of_constraint_the_engine_evaluates() -> None:
    components: set[object] = set()
    for fixture in FIXTURES:
        components |= {r[4] for r in both_on_fixture(fixture)[1]}
    assert {
        SH.ClassConstraintComponent,
        SH.DatatypeConstraintComponent,
        SH.NodeKindConstraintComponent,
        SH.MinCountConstraintComponent,
        SH.MaxCountConstraintComponent,
        SH.PatternConstraintComponent,
        SH.OrConstraintComponent,
        SH.QualifiedMinCountConstraintComponent,
        SH.SPARQLConstraintComponent,
    } <= components


#: SPARQL constraints the engine must not run set-at-a-time (SHACL 5.6.1 forbids the first ones in
#: a pre-bound query; the others read $this where a VALUES block at the head does not bind it).
SPARQL_REFUSED = {
    "minus": "SELECT $this WHERE { $this ex:p ?v MINUS { ?v a ex:D } }",
    "values": "SELECT $this WHERE { $this ex:p ?v VALUES ?v { 1 } }",
    "service": "SELECT $this WHERE { SERVICE <https://example.org/sparql> { $this ex:p ?v } }",
    "nested-select-star": "SELECT $this WHERE { { SELECT * WHERE { $this ex:p ?v } } }",
    "sub-select-without-this": "SELECT $this WHERE { { SELECT ?v WHERE { $this ex:p ?v } } }",
    "as-this": "SELECT $this WHERE { ?x ex:p ?v BIND (?x AS ?this) }",
    "limit": "SELECT $this WHERE { $this ex:p ?v } LIMIT 1",
    "aggregate-over-focus-nodes": "SELECT $this (COUNT(?v) AS ?n) WHERE { $this ex:p ?v }",
    "nested-filter": "SELECT $this WHERE { { ?x ex:p ?v FILTER (?x = $this) } }",
    "nested-bind": "SELECT $this ?v WHERE { { BIND ($this AS ?v) } }",
    "union-branch-filter": "SELECT $this WHERE { { ?x ex:p ?v FILTER (?x = $this) } UNION { $this ex:q ?v } }",
    "nested-optional": "SELECT $this WHERE { ?v ex:p ?x OPTIONAL { ?x ex:q ?y OPTIONAL { ?y ex:r $this } } }",
    "filter-exists-in-a-nested-group": "SELECT $this WHERE { { ?v ex:p ?x FILTER EXISTS { ?x ex:q $this } } }",
}


@pytest.mark.parametrize(
    "shape",
    [
        "[ sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:in ( ex:a ) ] ]",
        "[ sh:targetClass ex:C ; sh:property [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ] ]",
        "[ sh:targetClass ex:C ; sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:minCount 1 ] ]",
        "[ sh:targetClass ex:C ; sh:node [ sh:class ex:D ] ]",
        "[ sh:targetClass ex:C ; sh:closed true ]",
        "[ sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 'one' ] ]",
        "[ sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:pattern 'a' ; sh:flags 'q' ] ]",
        "ex:C a rdfs:Class, sh:NodeShape ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
        "[ sh:targetClass ex:C ; sh:sparql [ sh:select 'SELECT ?value WHERE { ?x ?p ?value }' ] ]",
        "[ sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1, 2 ] ]",
        "[ sh:targetClass ex:C ; sh:rule [ a sh:TripleRule ] ]",
        "ex:F a sh:SPARQLFunction ; sh:select 'SELECT (1 AS ?x) WHERE {}' .",
        "ex:K a sh:ConstraintComponent ; sh:parameter [ sh:path ex:k ] .",
    ],
    ids=[
        "in",
        "sequence-path",
        "inverse-path",
        "node",
        "closed",
        "count-in-words",
        "unknown-regex-flag",
        "implicit-class-target",
        "sparql-without-this",
        "two-min-counts",
        "rule",
        "sparql-function",
        "constraint-component",
    ],
)
def test_shapes_the_engine_does_not_know_are_refused(shape: str) -> None:
    statement = shape if shape.endswith(".") else f"ex:S a sh:NodeShape ; {shape[1:-1]} ."
    text = (
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .\n"
        f"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n{statement}\n"
    )
    with pytest.raises(UnsupportedShapes):
        ShapeSet(IndexedGraph.parse(text))


#: SPARQL constraints the engine runs set-at-a-time: $this is bound wherever they read it.
SPARQL_ACCEPTED = {
    "outer-group": "SELECT $this ?v WHERE { $this ex:p ?v FILTER (?v != $this) }",
    "union": "SELECT $this ?v WHERE { { $this ex:p ?v } UNION { ?v ex:p $this } }",
    "filter-not-exists": "SELECT $this WHERE { FILTER NOT EXISTS { $this ex:p ?v } }",
    "optional-condition": "SELECT $this WHERE { ?x ex:p ?v OPTIONAL { ?v ex:q ?w FILTER (?w != $this) } }",
    "bind": "SELECT $this ?s WHERE { $this ex:p ?v BIND (STR($this) AS ?s) }",
    "grouped-sub-select": "SELECT $this ?n WHERE { { SELECT $this (COUNT(?v) AS ?n) "
    "WHERE { $this ex:p ?v } GROUP BY $this } FILTER (?n > 1) }",
    "graph": "SELECT $this WHERE { GRAPH $this { $this ex:p ?v } }",
}


def _sparql_shapes(query: str) -> IndexedGraph:
    """A node shape with one SPARQL constraint, the ex: prefix declared."""
    text = (
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        f"ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:prefixes ex:P ; "
        f"sh:select '{query}' ] .\n"
        'ex:P sh:declare [ sh:prefix "ex" ; sh:namespace "https://example.org/"^^xsd:anyURI ] .\n'
    )
    return IndexedGraph.parse(text)


@pytest.mark.parametrize("query", SPARQL_REFUSED.values(), ids=SPARQL_REFUSED)
def test_sparql_constraints_that_a_values_block_cannot_pre_bind_are_refused(query: str) -> None:
    with pytest.raises(UnsupportedShapes):
        ShapeSet(_sparql_shapes(query))


@pytest.mark.parametrize("query", SPARQL_ACCEPTED.values(), ids=SPARQL_ACCEPTED)
def test_sparql_constraints_that_a_values_block_pre_binds_are_accepted(query: str) -> None:
    assert ShapeSet(_sparql_shapes(query)).roots


def test_the_quick_reading_accepts_only_queries_the_algebra_accepts() -> None:
    from mdq_graph.validate.prebinding import _plainly_prebound, check_algebra

    bundled = [q.value for q in load_shapes().objects(None, ox.NamedNode(str(SH.select)))]
    tricky = [  # the quick reading must see what makes a group unsure to bind $this
        "SELECT $this WHERE { { { $this ex:p ?v } UNION { ?v ex:q ?w } "
        "FILTER NOT EXISTS { ?v ex:r $this } } }",
        "SELECT $this WHERE { { ?v ex:q ?w FILTER NOT EXISTS { ?v ex:r $this } { $this ex:p ?v } } }",
        "SELECT $this WHERE { { SELECT $this (COUNT(*) AS ?n) WHERE { $this ex:p ?v } } }",
        "SELECT $this WHERE { FILTER (NOT EXISTS { $this ex:p ?v }) }",
        "SELECT $this WHERE { GRAPH ?g { ?v ex:p ?w FILTER EXISTS { ?w ex:q $this } } }",
        "SELECT $this WHERE { ?v ex:p ?w FILTER NOT EXISTS { ?w ex:q ?x FILTER EXISTS { ?x ex:r $this } } }",
    ]
    queries = [*bundled, *SPARQL_ACCEPTED.values(), *SPARQL_REFUSED.values(), *tricky]
    quick = [q for q in queries if _plainly_prebound(q)]
    for query in quick:
        check_algebra(f"PREFIX ex: <https://example.org/>\n{_with_bundled_prefixes(query)}")
    assert all(_plainly_prebound(q) for q in bundled)  # the bundled shapes need no parser


def _with_bundled_prefixes(query: str) -> str:
    """`query` with the prefixes the bundled shapes declare."""
    from mdq_graph.graph.namespaces import PREFIXES

    lines = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items() if p != "ex"]
    return "\n".join([*lines, query])


@pytest.mark.parametrize(
    ("extra", "focus", "message"),
    [
        ("organiser-kind-from-a-list.ttl", "meeting/mdq-7", "only the organisers in its list"),
        ("sequence-path.ttl", "meeting/mdq-7", "expects the series to be called Nothing"),
    ],
)
def test_shapes_beyond_the_engine_are_run_by_pyshacl(extra: str, focus: str, message: str) -> None:
    with pytest.raises(UnsupportedShapes):
        ShapeSet(load_shapes([BEYOND / extra]))
    found = validate_graph(extra_shapes=[BEYOND / extra])
    assert any(
        f.focus_node == ox.NamedNode(f"https://w3id.org/mdq/id/{focus}") and message in f.message
        for f in found.findings
    ), [f.message for f in found.findings]


#: The quotes as SPARQL defines them, run by rdflib on the dataset: the oracle of `quotes`.
QUOTES = """
SELECT ?quote ?file ?exact ?prefix ?suffix ?start ?end WHERE {
  ?quote a mdq:Quote ; oa:hasSource ?text ; oa:hasSelector ?q , ?p .
  ?text mdq:fileName ?file .
  ?q a oa:TextQuoteSelector ; oa:exact ?exact .
  OPTIONAL { ?q oa:prefix ?prefix }
  OPTIONAL { ?q oa:suffix ?suffix }
  ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
}
ORDER BY ?quote
"""


def test_quotes_read_from_the_store_are_those_sparql_finds_with_rdflib(corpus: Path) -> None:
    for paths in (None, [corpus]):
        rows = load_dataset(paths).query(QUOTES, initNs={"mdq": MDQ, "oa": OA})
        expected = [
            Quote(
                str(r.quote),  # type: ignore[union-attr]
                str(r.file),  # type: ignore[union-attr]
                str(r.exact),  # type: ignore[union-attr]
                str(r.prefix or ""),  # type: ignore[union-attr]
                str(r.suffix or ""),  # type: ignore[union-attr]
                int(r.start),  # type: ignore[union-attr]
                int(r.end),  # type: ignore[union-attr]
            )
            for r in rows
        ]
        assert quotes(load_store(paths)) == expected
    store_quotes = quotes(load_store([corpus]))
    assert len(store_quotes) > 10
    assert check_quotes(load_store([corpus]), corpus.parent / "sources") == []


def test_the_engine_scans_each_predicate_once_and_holds_its_values_only_while_shapes_read_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # At 10^7 triples the values of every predicate held to the end were gigabytes.
    from mdq_graph.validate import shacl_engine

    scans: Counter[str] = Counter()
    data: list[shacl_engine._Data] = []
    values = shacl_engine._Data.values

    def counted(self: shacl_engine._Data, predicate: str) -> dict[object, list[object]]:
        if predicate not in self._values:
            scans[predicate] += 1
            data.append(self)
        return values(self, predicate)  # type: ignore[return-value]

    monkeypatch.setattr(shacl_engine._Data, "values", counted)
    ShapeSet(load_shapes()).validate(*load_engine_store(None))
    assert len(scans) > 20 and set(scans.values()) == {1}, scans
    assert set(data[0]._values) == {str(RDF.type)}  # sh:class reads the types throughout


@pytest.mark.parametrize(
    "paths",
    [
        None,
        [SHAPES_DATA / "conformance" / "evaluated" / "a-triple-stated-in-two-graphs" / "data.trig"],
    ],
    ids=["bundled", "a-triple-stated-in-two-graphs"],
)
def test_the_engines_store_holds_the_graphs_and_reads_their_union_unwritten(
    paths: list[Path] | None,
) -> None:
    # The union written in the default graph was half the store (gigabytes at 10^7 triples).
    from mdq_graph.graph.loader import populate
    from mdq_graph.graph.parsing import rdf_files
    from mdq_graph.graph.resources import data_dir

    store, _ = load_engine_store(paths)
    written = ox.Store()
    populate(written, list(rdf_files(paths or [data_dir()])), in_memory=True, as_stated=True)
    default = ox.DefaultGraph()
    # The named graphs, and the union in a graph of its own: the union of all the engine store's
    # graphs, the default graph of the store with the union written in.
    union = ox.NamedNode("urn:x-test:union")
    read = [q for q in store if q.graph_name != default]
    read += [ox.Quad(*q.triple, union) for q in store]
    stored = [q for q in written if q.graph_name != default]
    stored += [
        ox.Quad(*q.triple, union) for q in written.quads_for_pattern(None, None, None, default)
    ]
    assert canonical(read) == canonical(stored)
    assert len(store) < len(written)


def canonical(quads: list[ox.Quad]) -> set[ox.Quad]:
    """The quads with their blank nodes named canonically (isomorphic datasets: the same set)."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)
