"""The direct JSON-LD writer gives the document pyld gives (pyld is the oracle): on the bundled
data, a synthetic corpus and fixtures of the hard cases (tests/data/jsonld/), with the context
referenced and embedded; where it does not express the data or the context, it says so and pyld
writes the document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from pyld import jsonld as pyld
from rdflib import Dataset

from mdq_graph.catalog.dcat import export_parts
from mdq_graph.errors import UsageError
from mdq_graph.formats.compaction import RDF, Compactor, DirectWriterRefusal
from mdq_graph.formats.jsonld import (
    JsonLdOptions,
    _pyld_dataset,
    _use_native_values,
    compactor,
    document_loader,
    dumps,
    to_jsonld,
    write_compacted,
    write_jsonld,
)
from mdq_graph.formats.rdf import (
    DEFAULT,
    UNION,
    _triple_key,
    canonical_quads,
    dataset_quads,
    select_quads,
    write_rdf,
)
from mdq_graph.graph.namespaces import CONTEXT_IRI
from mdq_graph.graph.rdf_formats import FORMATS
from mdq_graph.synth import synthesize
from tests.conftest import TEST_DATA

CASES = TEST_DATA / "jsonld"
FIXTURES = [
    *sorted(CASES.glob("*.ttl")),
    TEST_DATA / "export" / "tricky-terms.ttl",
    TEST_DATA / "export" / "blank-nodes.trig",
]
LEFT_TO_PYLD = sorted((CASES / "pyld-writes").glob("*.ttl"))
OWN_CONTEXTS = sorted((CASES / "own-context").glob("*.jsonld"))
OPTIONS = [JsonLdOptions(context_url=CONTEXT_IRI), JsonLdOptions()]
OPTION_IDS = ["referenced", "embedded"]
_A = ox.NamedNode("https://example.org/a")
_P = ox.NamedNode("https://example.org/p")


def read_triples(path: Path) -> list[ox.Triple]:
    """The triples of an RDF file, as `export.write_rdf` has them: canonical, sorted."""
    quads = ox.parse(path=str(path), format=ox.RdfFormat.from_extension(path.suffix[1:]))
    return export_order(quads)


def export_order(quads: Any) -> list[ox.Triple]:
    """Triples (each once) with canonical blank-node labels, in the order exports write them."""
    return sorted({quad.triple for quad in canonical_quads(quads)}, key=_triple_key)


def assert_as_pyld(triples: list[ox.Triple], options: JsonLdOptions) -> None:
    """The direct writer's document is pyld's, as JSON and as bytes."""
    direct = write_compacted(triples, options)
    oracle = to_jsonld(triples, options)
    assert direct == oracle, _first_difference(direct, oracle)
    assert dumps(direct) == dumps(oracle)


def _first_difference(direct: dict[str, Any], oracle: dict[str, Any]) -> str:
    """The first node object the writers disagree on, for the failure message."""
    nodes = {node["@id"]: node for node in oracle.get("@graph", [oracle])}
    for node in direct.get("@graph", [direct]):
        if nodes.get(node["@id"]) != node:
            return f"direct: {json.dumps(node)}\npyld:   {json.dumps(nodes.get(node['@id']))}"
    return "the documents differ outside their node objects"


def test_every_fixture_is_collected() -> None:
    assert len(FIXTURES) == 11 and len(LEFT_TO_PYLD) == 2 and len(OWN_CONTEXTS) == 1


@pytest.mark.parametrize("options", OPTIONS, ids=OPTION_IDS)
@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.stem)
def test_the_hard_cases_are_written_as_pyld_writes_them(path: Path, options: JsonLdOptions) -> None:
    assert_as_pyld(read_triples(path), options)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.stem)
def test_the_hard_cases_are_valid_json_ld_that_reads_back_as_their_graph(path: Path) -> None:
    """pyld expands (and so accepts) each document, to the graph it was written from: a number
    or boolean of a language-map term, for one, stays a value object (a map holds strings)."""
    triples = read_triples(path)
    document = write_jsonld(triples)
    expanded = pyld.expand(document, {"documentLoader": document_loader})
    nquads = pyld.to_rdf(expanded, {"format": "application/n-quads"})
    read_back = ox.Dataset(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    written = ox.Dataset(ox.Quad(*triple) for triple in triples)
    read_back.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    written.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    assert {_by_value(q) for q in read_back} == {_by_value(q) for q in written}


def _by_value(quad: ox.Quad) -> tuple[str, str, object]:
    """A quad with what JSON-LD's toRdf may spell otherwise as its value: an rdf:JSON literal
    (canonical JSON, JCS) and an xsd:double (pyld writes NaN as NAN)."""
    value: object = quad.object
    if isinstance(value, ox.Literal) and value.datatype.value == RDF + "JSON":
        value = ("json", json.dumps(json.loads(value.value), sort_keys=True))
    elif isinstance(value, ox.Literal) and value.datatype.value.endswith("#double"):
        value = ("double", str(float(value.value)))
    return (str(quad.subject), str(quad.predicate), value)


@pytest.mark.parametrize("options", OPTIONS, ids=OPTION_IDS)
def test_the_bundled_graphs_are_written_as_pyld_writes_them(
    dataset: Dataset, options: JsonLdOptions
) -> None:
    quads = dataset_quads(*export_parts(dataset))
    names = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)})
    assert len(names) >= 6  # the four sources, the ontology, the inferred view, the catalog
    for name in [UNION, DEFAULT, *names]:
        chosen = select_quads(quads, name)
        triples = export_order(chosen)
        exported = write_rdf(chosen, FORMATS["json-ld"], jsonld=options)
        assert exported == dumps(to_jsonld(triples, options)), f"graph {name}"


@pytest.fixture(scope="module")
def synthetic_triples(tmp_path_factory: pytest.TempPathFactory) -> list[ox.Triple]:
    """A small synthetic corpus (three meetings), its graphs merged."""
    path = tmp_path_factory.mktemp("synth") / "corpus.nq"
    synthesize(path, 3, seed=8)
    return read_triples(path)


@pytest.mark.parametrize("options", OPTIONS, ids=OPTION_IDS)
def test_a_synthetic_corpus_is_written_as_pyld_writes_it(
    synthetic_triples: list[ox.Triple], options: JsonLdOptions
) -> None:
    assert len(synthetic_triples) > 2000
    assert_as_pyld(synthetic_triples, options)


def test_the_export_does_not_run_pyld(dataset: Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    import mdq_graph.formats.jsonld as module

    expected = write_rdf(dataset_quads(dataset), FORMATS["json-ld"])
    monkeypatch.setattr(module, "to_jsonld", _refuse_pyld)
    assert write_rdf(dataset_quads(dataset), FORMATS["json-ld"]) == expected


def _refuse_pyld(*args: object) -> dict[str, Any]:
    raise AssertionError("pyld wrote a document the direct writer should have")


@pytest.mark.parametrize("path", LEFT_TO_PYLD, ids=lambda path: path.stem)
def test_rdf_lists_are_left_to_pyld_which_writes_them_as_list(path: Path) -> None:
    triples = read_triples(path)
    with pytest.raises(DirectWriterRefusal, match="RDF list"):
        write_compacted(triples)
    document = write_jsonld(triples)
    assert document == to_jsonld(triples)
    assert "@list" in json.dumps(document)


def test_frames_are_left_to_pyld(dataset: Dataset) -> None:
    triples = export_order(dataset_quads(dataset))
    options = JsonLdOptions(frame="meeting")
    assert write_jsonld(triples, options) == to_jsonld(triples, options)


@pytest.mark.parametrize("path", OWN_CONTEXTS, ids=lambda path: path.stem)
def test_another_context_compacts_as_pyld_compacts(path: Path) -> None:
    """Term selection beyond what our context needs: several terms for one IRI, @set, nesting."""
    context = json.loads(path.read_text(encoding="utf-8"))
    triples = read_triples(path.with_suffix(".ttl"))
    expanded = pyld.from_rdf(_pyld_dataset(triples), {})
    _use_native_values(expanded)
    oracle = pyld.compact(
        expanded, context, {"documentLoader": document_loader, "processingMode": "json-ld-1.1"}
    )
    direct = Compactor(context["@context"], context["@context"]).compact(triples)
    assert _by_id(direct) == _by_id(oracle), _first_difference(direct, oracle)


def _by_id(document: dict[str, Any]) -> dict[str, Any]:
    """The document with its node objects in order of @id."""
    nodes = sorted(document.get("@graph", []), key=lambda node: str(node["@id"]))
    return {**document, "@graph": nodes} if "@graph" in document else document


REFUSED_CONTEXTS = {
    "vocab": ({"@vocab": "https://example.org/"}, "@vocab"),
    "base": ({"@base": "https://example.org/"}, "@base"),
    "default-language": ({"@language": "en"}, "@language"),
    "index-map": ({"x": {"@id": "https://example.org/x", "@container": "@index"}}, "@index"),
    "type-map": ({"x": {"@id": "https://example.org/x", "@container": "@type"}}, "@type"),
    "vocab-coercion": ({"x": {"@id": "https://example.org/x", "@type": "@vocab"}}, "@vocab"),
    "json-coercion": ({"x": {"@id": "https://example.org/x", "@type": "@json"}}, "@json"),
    "scoped-context": ({"x": {"@id": "https://example.org/x", "@context": {}}}, "uses more"),
    "term-language": ({"x": {"@id": "https://example.org/x", "@language": "en"}}, "uses more"),
    "keyword-alias": ({"id": "@id"}, "not an IRI"),
    "null-term": ({"x": None}, "uses more"),
    "relative-term": ({"x": "relative"}, "not an absolute or compact IRI"),
    "blank-node-term": ({"x": "_:b0"}, "not an absolute or compact IRI"),
    "prefix-that-is-not": (
        {"ex": {"@id": "https://example.org/"}, "x": "ex:x"},
        "not a prefix",
    ),
}


@pytest.mark.parametrize(
    ("context", "reason"), REFUSED_CONTEXTS.values(), ids=list(REFUSED_CONTEXTS)
)
def test_a_context_beyond_the_direct_writer_is_refused_with_the_reason(
    context: dict[str, Any], reason: str
) -> None:
    with pytest.raises(DirectWriterRefusal, match=reason):
        Compactor(context, "https://example.org/context.jsonld")


def test_our_context_is_within_the_direct_writer() -> None:
    terms = compactor().terms
    assert terms["label"].container == {"@language"} and terms["subjectOf"].reverse
    assert terms["startDate"].coercion == "http://www.w3.org/2001/XMLSchema#date"
    assert terms["schema"].prefix and not terms["Meeting"].prefix


def test_control_characters_survive_which_pyld_s_own_parser_would_mangle() -> None:
    """pyld reads N-Quads escapes wrongly, so both writers get terms, never N-Quads text."""
    text = 'bell\u0007, a backslash before n: \\n, "quoted"'
    triples = [ox.Triple(_A, _P, ox.Literal(text))]
    assert write_jsonld(triples)["https://example.org/p"] == text
    assert to_jsonld(triples)["https://example.org/p"] == text
    nquads = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
    assert to_jsonld(nquads)["https://example.org/p"] != text  # why: see to_jsonld


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        (ox.NamedNode("geo:35.6,139.7"), "would read as a compact IRI with the prefix 'geo'"),
        (ox.Literal("{not json", datatype=ox.NamedNode(pyld.RDF + "JSON")), "not JSON"),
        (ox.Literal("rtl", language="ar", direction=ox.BaseDirection.RTL), "no JSON-LD form"),
        (ox.Triple(_A, _P, _A), "no JSON-LD form"),
    ],
    ids=["iri-confused-with-a-compact-iri", "invalid-json", "directional-string", "triple-term"],
)
def test_what_json_ld_cannot_say_is_a_usage_error_on_both_paths(obj: Any, message: str) -> None:
    triples = [ox.Triple(_A, _P, obj)]
    with pytest.raises(UsageError, match=message):
        write_jsonld(triples)
    with pytest.raises(UsageError, match="JSON-LD processing failed"):
        to_jsonld(triples)
