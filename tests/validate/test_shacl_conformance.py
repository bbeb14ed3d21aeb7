"""The set-at-a-time engine against SHACL: each fixture under tests/data/shapes/conformance/ is data,
shapes and the results SHACL gives (expected.ttl), and says by its folder what the engine does:

- evaluated/: the engine gives the expected results, and so does pySHACL;
- refused/: the engine refuses the shapes (or the query, at run time) and pySHACL, which runs them
  instead, gives the expected results;
- pyshacl-departs/: the engine gives the expected results, pySHACL others (it reads the data
  through rdflib, which makes one term of several ill-typed literals). The data reaches pySHACL
  with every literal as stated (`load_dataset`), so a pattern on a lexical form (`"07"`) is
  checked on that form by both.

Results are compared as multisets of (focus node, path, value, source shape, constraint component,
severity); a blank node stands for any blank node. pySHACL reports literals as rdflib reads them
(`"07"^^xsd:integer` as `"7"`), so its results are compared after the expected ones are read the
same way; the engine's are compared as the data states them.

A property test then runs both on random small graphs and shapes (a fixed seed, a counted number of
cases) and on random edits of the bundled data.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal
from rdflib.namespace import SH
from rdflib.term import Node

from mdq_graph.graph.loader import load_dataset, rdflib_term
from mdq_graph.validate.indexed import IndexedGraph
from mdq_graph.validate.shacl_engine import ShapeSet, report
from mdq_graph.validate.shacl_shapes import UnsupportedShapes
from mdq_graph.validate.validation import (
    _run_shacl,
    load_engine_store,
    load_shapes,
    validate_graph,
)
from tests.conftest import TEST_DATA

CONFORMANCE = TEST_DATA / "shapes" / "conformance"


def cases(kind: str) -> list[Path]:
    """The fixture folders of one kind."""
    return sorted(p for p in (CONFORMANCE / kind).iterdir() if p.is_dir())


EVALUATED, REFUSED, DEPARTS = cases("evaluated"), cases("refused"), cases("pyshacl-departs")
Key = tuple[object, ...]


def _term(node: Node | None, *, as_rdflib_reads: bool) -> object:
    if isinstance(node, BNode):
        return "a blank node"
    if isinstance(node, Literal) and as_rdflib_reads:
        return Literal(str(node), lang=node.language, datatype=node.datatype)
    return node


def as_graph(found: Graph | list[ox.Triple]) -> Graph:
    """A report in rdflib, the oracle's terms (literals keep their lexical forms)."""
    if isinstance(found, Graph):
        return found
    graph = Graph()
    for t in found:
        graph.add((rdflib_term(t.subject), rdflib_term(t.predicate), rdflib_term(t.object)))
    return graph


def keys(found: Graph | list[ox.Triple], *, as_rdflib_reads: bool = False) -> Counter[Key]:
    """The results of a report."""
    graph = as_graph(found)
    found_keys: Counter[Key] = Counter()
    for r in graph.objects(None, SH.result):
        found_keys[
            tuple(
                _term(graph.value(r, p), as_rdflib_reads=as_rdflib_reads)
                for p in (
                    SH.focusNode,
                    SH.resultPath,
                    SH.value,
                    SH.sourceShape,
                    SH.sourceConstraintComponent,
                    SH.resultSeverity,
                )
            )
        ] += 1
    return found_keys


def expected(case: Path) -> Graph:
    """The expected report, its literals as written (pyoxigraph's parser keeps lexical forms)."""
    graph = Graph()
    for q in ox.parse(path=str(case / "expected.ttl"), format=ox.RdfFormat.TURTLE):
        graph.add((rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object)))
    return graph


def data(case: Path) -> Path:
    """A fixture's data: data.ttl, or data.trig for graphs."""
    return next(p for p in (case / "data.ttl", case / "data.trig") if p.is_file())


def engine(case: Path) -> list[ox.Triple]:
    """The engine's report on a fixture (`UnsupportedShapes` if it refuses)."""
    shapes = IndexedGraph.read([case / "shapes.ttl"])
    return report(ShapeSet(shapes).validate(*load_engine_store([data(case)])), shapes)


def pyshacl(case: Path) -> list[ox.Triple]:
    """pySHACL's report on a fixture, on the data as `validate` gives it to pySHACL."""
    shapes = IndexedGraph.read([case / "shapes.ttl"])
    return _run_shacl(load_dataset([data(case)]), shapes, False, [])


def test_the_fixtures_are_all_collected() -> None:
    assert (len(EVALUATED), len(REFUSED), len(DEPARTS)) == (10, 5, 1)


@pytest.mark.parametrize("case", EVALUATED + DEPARTS, ids=lambda p: p.name)
def test_the_engine_gives_the_results_shacl_gives(case: Path) -> None:
    assert keys(engine(case)) == keys(expected(case))


@pytest.mark.parametrize("case", EVALUATED + REFUSED, ids=lambda p: p.name)
def test_pyshacl_gives_the_results_shacl_gives(case: Path) -> None:
    assert keys(pyshacl(case), as_rdflib_reads=True) == keys(expected(case), as_rdflib_reads=True)


@pytest.mark.parametrize("case", DEPARTS, ids=lambda p: p.name)
def test_pyshacl_departs_from_shacl_where_rdflib_rewrites_literals(case: Path) -> None:
    assert keys(pyshacl(case), as_rdflib_reads=True) != keys(expected(case), as_rdflib_reads=True)


@pytest.mark.parametrize("case", REFUSED, ids=lambda p: p.name)
def test_the_engine_refuses_what_it_cannot_evaluate_exactly(case: Path) -> None:
    with pytest.raises(UnsupportedShapes):
        engine(case)


def test_refused_shapes_are_run_by_pyshacl_in_validate() -> None:
    case = CONFORMANCE / "refused" / "sparql-constraint-component"
    found = validate_graph([case / "data.ttl"], extra_shapes=[case / "shapes.ttl"])
    assert not found.conforms
    assert [f.focus_node.value for f in found.findings] == ["https://example.org/a"]


def test_the_report_conforms_only_without_results_and_the_text_counts_each_severity() -> None:
    from mdq_graph.validate.report import render_text

    warning = TEST_DATA / "shapes" / "invalid" / "missing-japanese-label-warning.ttl"
    found = validate_graph([warning])
    assert found.conforms and found.count(found.findings[0].severity) > 0
    verdicts = {t.object for t in found.graph if t.predicate.value == str(SH.conforms)}
    assert verdicts == {ox.Literal(False)}  # a warning is a result
    summary = render_text(found).splitlines()[-1]
    assert "0 violations" in summary and "0 infos" in summary and "sh:conforms false" in summary


# --- Random graphs and shapes -----------------------------------------------------------------

PREFIXES = """@prefix ex: <https://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
#: Values in lexical forms rdflib keeps (its rewritten ones are pySHACL's departures, above).
VALUES = [
    *(f"ex:n{i}" for i in range(6)),
    "5",
    "12",
    '"1.5"^^xsd:decimal',
    '"none"^^xsd:boolean',
    '"true"^^xsd:boolean',
    '"300"^^xsd:byte',
    '"-5"^^xsd:byte',
    '"abc"',
    '"abc"@en',
    '"xy"@en',
    '"x"@fr',
    '"2024-01-31"^^xsd:date',
    '"2024-13-01"^^xsd:date',
]
CONSTRAINTS = [
    "sh:class ex:C",
    "sh:class ex:D",
    "sh:class ex:C , ex:D",
    "sh:datatype xsd:integer",
    "sh:datatype xsd:boolean",
    "sh:datatype xsd:byte",
    "sh:datatype xsd:string",
    "sh:datatype rdf:langString",
    "sh:datatype xsd:date",
    "sh:nodeKind sh:IRI",
    "sh:nodeKind sh:Literal",
    "sh:minCount 1",
    "sh:minCount 2",
    "sh:maxCount 1",
    "sh:minInclusive 10",
    "sh:minLength 3",
    'sh:pattern "^a"',
    "sh:uniqueLang true",
    "sh:or ( [ sh:datatype xsd:integer ] [ sh:class ex:D ] )",
    "sh:qualifiedValueShape [ sh:class ex:D ] ; sh:qualifiedMinCount 1",
    "sh:property [ sh:path ex:q ; sh:minCount 1 ]",
    "sh:property [ sh:path ex:r ; sh:datatype xsd:integer ; sh:maxCount 1 ]",
]
#: SPARQL constraints: some the engine evaluates, some it must refuse.
QUERIES = [
    "SELECT $this ?value WHERE { $this ex:p ?value . FILTER NOT EXISTS { ?value a ex:C } }",
    "SELECT $this ?value WHERE { { $this ex:p ?value } UNION { ?value ex:q $this } }",
    "SELECT $this ?value WHERE { ?value ex:q ?x . FILTER (?x = $this) }",
    "SELECT $this ?value WHERE { { ?value ex:q ?x FILTER (?x = $this) } }",
    "SELECT $this ?value WHERE { ?value ex:r ?v OPTIONAL { ?value ex:q ?w OPTIONAL { ?w ex:p $this } }"
    " FILTER (!BOUND(?w)) }",
    "SELECT $this ?n WHERE { { SELECT $this (COUNT(?v) AS ?n) WHERE { $this ex:p ?v } GROUP BY $this }"
    " FILTER (?n > 2) }",
    "SELECT $this ?value WHERE { $this ex:r ?value FILTER (STRLEN(STR(?value)) < 3) }",
    "SELECT $this WHERE { $this ex:p ?v MINUS { ?v a ex:D } }",
]


def random_case(rng: random.Random) -> tuple[str, str]:
    """A small data graph and a node shape with random constraints, as Turtle."""
    triples = [f"ex:n{i} a ex:{rng.choice('CCD')} ." for i in range(6) if rng.random() < 0.8]
    if rng.random() < 0.5:
        triples.append("ex:D rdfs:subClassOf ex:C .")
    for _ in range(rng.randrange(8, 20)):
        subject = f"ex:n{rng.randrange(6)}"
        triples.append(f"{subject} ex:{rng.choice('pqr')} {rng.choice(VALUES)} .")
    properties = []
    for index in range(rng.randrange(1, 4)):
        chosen = list({c.split()[0]: c for c in rng.sample(CONSTRAINTS, 2)}.values())
        chosen = chosen[: rng.randrange(1, 3)]  # one or two, each parameter once
        severity = rng.choice(["", " ; sh:severity sh:Warning"])
        properties.append(
            f"ex:S sh:property ex:P{index} . ex:P{index} a sh:PropertyShape ; "
            f"sh:path ex:{rng.choice('pqr')} ; {' ; '.join(chosen)}{severity} ."
        )
    target = rng.choice(["sh:targetClass ex:C", "sh:targetSubjectsOf ex:p", "sh:targetNode ex:n1"])
    shapes = [f"ex:S a sh:NodeShape ; {target} .", *properties]
    if rng.random() < 0.5:
        query = rng.choice(QUERIES).replace('"', '\\"')
        shapes.append(
            "ex:S sh:sparql [ sh:prefixes ex:Prefixes ; sh:select "
            f'"{query}" ] . ex:Prefixes sh:declare [ sh:prefix "ex" ; '
            'sh:namespace "https://example.org/"^^xsd:anyURI ] .'
        )
    return PREFIXES + "\n".join(triples), PREFIXES + "\n".join(shapes)


def engine_on(data: str, shapes: IndexedGraph) -> list[ox.Triple]:
    """The engine's report on Turtle data (in a store's default graph, literals as stated)."""
    store = ox.Store()
    quads = list(ox.parse(data, format=ox.RdfFormat.TURTLE))
    store.extend(quads)
    scratch, held = ox.Store(), {}
    for index, q in enumerate(quads):
        if isinstance(q.object, ox.Literal):
            scratch.add(ox.Quad(ox.NamedNode(f"urn:x:{index}"), q.predicate, q.object))
            held[q.object] = next(
                scratch.quads_for_pattern(ox.NamedNode(f"urn:x:{index}"), None, None)
            ).object
    return report(ShapeSet(shapes).validate(store, held), shapes)


def pyshacl_on(data: str, shapes: IndexedGraph) -> list[ox.Triple]:
    """pySHACL's report on Turtle data."""
    from rdflib import Dataset

    dataset = Dataset()
    dataset.default_graph.parse(data=data, format="turtle")
    return _run_shacl(dataset, shapes, False, [])


RANDOM_CASES = 80


def test_the_engine_and_pyshacl_agree_on_random_graphs_and_shapes() -> None:
    rng = random.Random(15)
    evaluated = refused = 0
    for number in range(RANDOM_CASES):
        data, shapes_text = random_case(rng)
        shapes = IndexedGraph.parse(shapes_text)
        try:
            ours = keys(engine_on(data, shapes), as_rdflib_reads=True)
        except UnsupportedShapes:
            refused += 1
            continue
        evaluated += 1
        theirs = keys(pyshacl_on(data, shapes), as_rdflib_reads=True)
        assert ours == theirs, f"case {number}:\n{data}\n{shapes_text}"
    assert evaluated + refused == RANDOM_CASES
    assert evaluated >= RANDOM_CASES * 2 // 3 and refused > 0, (evaluated, refused)


def test_the_engine_and_pyshacl_agree_on_random_edits_of_the_bundled_data(tmp_path: Path) -> None:
    from mdq_graph.graph.resources import data_dir

    rng = random.Random(1015)
    shapes = load_shapes()
    edits, refused, components = 0, 0, set()
    kinds: dict[str, str | None] = {}

    def retyped(match: re.Match[str]) -> str:
        number = match.group(1)
        if number not in kinds:
            # Only ill-typed forms, which the store keeps as written ("7"^^xsd:byte would be the
            # integer 7, stated elsewhere as 7: one term, two forms); no booleans, which rdflib
            # reads all as false (a departure of pySHACL's, see pyshacl-departs/).
            options: list[str | None] = [None]
            options += ["xsd:byte"] if int(number) > 127 else []
            kinds[number] = rng.choice(options)
        kind = kinds[number]
        return number if kind is None else f'"{number}"^^{kind}'

    for source in (data_dir() / "release-en.trig", data_dir() / "geography.trig"):
        lines = source.read_text(encoding="utf-8").splitlines()
        # Drop some statements, write large integers as bytes, months with one digit.
        edited: list[str] = []
        for before, line in zip(["", *lines], lines, strict=False):
            whole = (
                line[:1].isspace()
                and before.rstrip().endswith(";")
                and line.rstrip().endswith(";")
                and line.count("[") == line.count("]")
                and line.count('"') % 2 == 0
            )
            if whole and rng.random() < 0.05:  # a whole statement of a subject's block
                continue
            if rng.random() < 0.5:  # a bad date
                line = re.sub(r'"(\d{4})-0?(\d)-', r'"\1-\2-', line)
            # An integer as an (ill-typed) boolean or byte: each number the same way everywhere
            # (the statement node that names a value too), else the store holds two as one.
            line = re.sub(r"(?<=\s)(\d+)(?=\s*[;.,]$)", retyped, line)
            edited.append(line)
        path = tmp_path / source.name
        path.write_text("\n".join(edited) + "\n", encoding="utf-8")
        try:
            ours = keys(report(ShapeSet(shapes).validate(*load_engine_store([path])), shapes))
        except UnsupportedShapes:
            # The engine may refuse what it cannot check exactly (e.g. one value written as an
            # integer here and as an xsd:byte there, which the store holds as one term): then
            # pySHACL decides, which is the contract.
            refused += 1
            continue
        theirs = keys(_run_shacl(load_dataset([path]), shapes, False, []))
        assert Counter(_rdflib_reads(ours)) == Counter(_rdflib_reads(theirs)), source.name
        components |= {key[4] for key in ours}
        edits += 1
    assert edits + refused == 2
    assert edits >= 1
    assert SH.DatatypeConstraintComponent in components  # the edits were seen


def _rdflib_reads(found: Counter[Key]) -> list[Key]:
    """The results with their literals as rdflib reads them."""
    return [
        tuple(_term(t, as_rdflib_reads=True) if isinstance(t, Literal) else t for t in key)
        for key, count in found.items()
        for _ in range(count)
    ]
