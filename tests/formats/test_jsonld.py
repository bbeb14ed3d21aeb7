"""JSON-LD people can read: our context, embedded or referenced, a framed view of the meeting, and
an independent processor (pyld, never on the network) that reads it all as the Turtle graph."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pyld import jsonld
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from mdq_graph import load_dataset
from mdq_graph.cli import main
from mdq_graph.errors import UsageError
from mdq_graph.formats.jsonld import (
    JsonLdOptions,
    RemoteDocumentRefused,
    document_loader,
    frame_names,
    json_strings,
    load_context,
    to_jsonld,
)
from mdq_graph.formats.rdf import serialize
from mdq_graph.graph.namespaces import CONTEXT_IRI, MDQ, OWL, RDF, RDFS, XSD
from mdq_graph.graph.rdf_formats import FORMATS
from mdq_graph.graph.resources import jsonld_context_file
from tests.conftest import REPO, TEST_DATA

CONTEXT = load_context()["@context"]
PYLD_OPTIONS = {"documentLoader": document_loader}


def export(*args: str) -> Any:
    """`mdq-graph export --format json-ld ARGS`, parsed."""
    result = CliRunner().invoke(main, ["export", "--format", "json-ld", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture(scope="module")
def referenced() -> Any:
    """The JSON-LD export referencing our context where a publisher hosts it (`--context-url`)."""
    return export("--context-url", CONTEXT_IRI)


@pytest.fixture(scope="module")
def embedded() -> Any:
    """The JSON-LD export as the README's run command writes it: the context embedded."""
    return export()


@pytest.fixture(scope="module")
def framed() -> Any:
    """The meeting, framed."""
    return export("--frame", "meeting")


@pytest.fixture(scope="module")
def turtle_graph() -> Graph:
    """The Turtle export, read back by rdflib."""
    result = CliRunner().invoke(main, ["export", "--format", "turtle"])
    assert result.exit_code == 0, result.output
    return Graph().parse(data=result.output, format="turtle")


def pyld_graph(document: Any) -> Graph:
    """What pyld (with our loader) reads from a JSON-LD document, as an rdflib graph."""
    nquads = jsonld.to_rdf(document, {**PYLD_OPTIONS, "format": "application/n-quads"})
    dataset = Dataset()
    dataset.parse(data=nquads, format="nquads")
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def test_the_context_is_json_ld_1_1_and_bundled_where_the_wheel_finds_it() -> None:
    assert jsonld_context_file() == REPO / "ontology" / "context.jsonld"
    assert CONTEXT["@version"] == 1.1
    assert CONTEXT_IRI == "https://w3id.org/mdq/context.jsonld"


def test_the_export_embeds_the_context_unless_told_where_it_is_published(
    embedded: Any, referenced: Any
) -> None:
    assert isinstance(embedded["@context"], dict)
    assert referenced["@context"] == CONTEXT_IRI
    elsewhere = export("--context-url", "https://data.example.org/mdq/context.jsonld")
    assert elsewhere["@context"] == "https://data.example.org/mdq/context.jsonld"
    assert {k: v for k, v in elsewhere.items() if k != "@context"} == {
        k: v for k, v in referenced.items() if k != "@context"
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "json-ld", "--context-url", "context.jsonld"], "absolute http(s) URL"),
        (["--format", "json-ld", "--context-url", "file:///etc/passwd"], "absolute http(s) URL"),
        (["--format", "turtle", "--context-url", CONTEXT_IRI], "apply to --format json-ld"),
        (["--format", "json-ld", "--context-url", CONTEXT_IRI, "--embed-context"], "embeds it"),
    ],
    ids=["relative", "not-http", "not-json-ld", "both"],
)
def test_a_context_url_that_cannot_be_referenced_is_a_usage_error(
    args: list[str], message: str
) -> None:
    result = CliRunner().invoke(main, ["export", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_the_readme_run_command_reads_back_offline_with_rdflib_and_pyld(
    tmp_path: Path, turtle_graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mdq-graph export --format json-ld -o mdq.jsonld`, then rdflib and pyld with no network."""
    path = tmp_path / "mdq.jsonld"
    result = CliRunner().invoke(main, ["export", "--format", "json-ld", "-o", str(path)])
    assert result.exit_code == 0, result.output

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("tried to open a connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    by_rdflib = Dataset()
    by_rdflib.parse(path, format="json-ld")
    union = Graph()
    for s, p, o, _ in by_rdflib.quads((None, None, None, None)):
        union.add((s, p, o))
    assert isomorphic(union, turtle_graph)
    document = json.loads(path.read_text(encoding="utf-8"))
    refuse = {"documentLoader": _refuse_every_url}
    nquads = jsonld.to_rdf(document, {**refuse, "format": "application/n-quads"})
    assert isomorphic(Graph().parse(data=nquads, format="nt"), turtle_graph)
    info = CliRunner().invoke(main, ["--data", str(path), "info"])
    assert info.exit_code == 0, info.output


def _refuse_every_url(url: str, options: object = None) -> Any:
    raise AssertionError(f"pyld tried to load {url}")


def test_pyld_reads_the_export_as_the_turtle_graph(referenced: Any, turtle_graph: Graph) -> None:
    assert isomorphic(pyld_graph(referenced), turtle_graph)


def test_the_embedded_context_says_the_same(
    embedded: Any, referenced: Any, turtle_graph: Graph
) -> None:
    assert {k: v for k, v in embedded.items() if k != "@context"} == {
        k: v for k, v in referenced.items() if k != "@context"
    }
    assert isomorphic(pyld_graph(embedded), turtle_graph)


def test_the_embedded_context_holds_only_what_the_document_uses(embedded: Any) -> None:
    context = embedded["@context"]
    body = set(json_strings({k: v for k, v in embedded.items() if k != "@context"}))
    definitions = set(json_strings([v for k, v in context.items() if not k.startswith("@")]))
    for name in context:
        if name.startswith("@"):
            continue
        used = name in body or any(s.startswith(f"{name}:") for s in body | definitions)
        assert used, f"the embedded context defines {name!r}, which the document does not use"
    assert len(context) < len(CONTEXT)
    assert not {"subjectOf", "describedBy"} & set(context)  # reverse terms, for frames only


def test_a_graph_without_some_vocabularies_embeds_fewer_prefixes() -> None:
    document = export("--graph", "release-ja")
    assert "dcat" not in document["@context"] and "wd" not in document["@context"]
    assert "schema" in document["@context"]


def _keys_and_values(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair in a JSON value."""
    if isinstance(value, dict):
        for k, item in value.items():
            yield k, item
            yield from _keys_and_values(item, k)
    elif isinstance(value, list):
        for item in value:
            yield from _keys_and_values(item, key)


def _without(value: Any, key: str) -> Any:
    """A JSON value without the members named `key`, at any depth."""
    if isinstance(value, dict):
        return {k: _without(v, key) for k, v in value.items() if k != key}
    if isinstance(value, list):
        return [_without(v, key) for v in value]
    return value


def test_the_export_reads_like_json(referenced: Any) -> None:
    """Every property has a short name or a declared compact one, every value is plain JSON."""
    pairs = list(_keys_and_values(referenced["@graph"]))
    keys = {k for k, _ in pairs}
    assert not [k for k in keys if k.startswith("http")], "a property without a prefix"
    undeclared = [k for k in keys if ":" in k and k not in CONTEXT]
    assert not undeclared, f"add these to ontology/context.jsonld: {undeclared}"
    # The object of a statement node (rdf:object) is any term: a literal there keeps @value.
    plain = {k for k, _ in _keys_and_values(_without(referenced["@graph"], "rdf:object"))}
    assert "@value" not in plain, (
        "a literal did not compact to a plain value: give its property a term with the "
        "right @type (or @container @language) in ontology/context.jsonld"
    )
    types = [t for k, v in pairs if k == "@type" for t in (v if isinstance(v, list) else [v])]
    assert not [t for t in types if t.startswith("http")]
    meeting = next(n for n in referenced["@graph"] if n["@id"].endswith("/meeting/mdq-7"))
    assert meeting["label"] == {
        "en": "7th Multilateral Dialogue on Quantum",
        "ja": "第7回量子多国間対話",
    }
    assert meeting["startDate"] == "2025-09-10" and meeting["ordinal"] == 7
    assert "Meeting" in meeting["@type"]


def test_every_term_of_the_ontology_has_a_short_name_with_the_right_type() -> None:
    ontology = Graph().parse(REPO / "ontology" / "mdq.ttl")
    by_iri = {_expand(_iri_of(v)): k for k, v in CONTEXT.items() if _iri_of(v) and ":" not in k}
    terms = [s for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(MDQ))]
    assert len(set(terms)) > 60
    for term in set(terms):
        name = str(term)[len(str(MDQ)) :]
        assert by_iri.get(str(term)) == name, f"ontology/context.jsonld: no term {name!r}"
        definition = CONTEXT[name]
        coercion = definition.get("@type") if isinstance(definition, dict) else None
        container = definition.get("@container") if isinstance(definition, dict) else None
        ranges = set(ontology.objects(term, RDFS.range))
        if (term, RDF.type, OWL.ObjectProperty) in ontology:
            assert coercion in ("@id", "@vocab"), f"{name}: links are IRIs"
        elif RDF.langString in ranges or RDF.PlainLiteral in ranges:  # OWL 2's text datatype
            assert container == "@language", f"{name}: text in languages is a language map"
        elif ranges == {RDFS.Literal}:  # a datatype outside OWL 2's map, which the shapes check
            assert str(coercion).startswith("xsd:"), f"{name}: typed as the shapes require"
        elif ranges & {XSD.integer, XSD.boolean, XSD.string}:
            assert coercion is None, f"{name}: numbers and booleans are JSON's own"
        elif ranges:
            (datatype,) = ranges
            assert _expand(str(coercion)) == str(datatype), f"{name}: typed as {datatype}"


def _iri_of(definition: Any) -> str | None:
    """The IRI a term definition maps to."""
    if isinstance(definition, str):
        return definition
    if isinstance(definition, dict):
        return definition.get("@id")
    return None


def _expand(curie: str) -> str:
    """A compact IRI with our context's prefixes expanded."""
    prefix, _, local = curie.partition(":")
    namespace = CONTEXT.get(prefix)
    return namespace + local if isinstance(namespace, str) and local else curie


def test_the_loader_reads_our_context_from_the_bundle_and_refuses_anything_else() -> None:
    document = document_loader(CONTEXT_IRI)
    assert document["document"] == json.loads(jsonld_context_file().read_text(encoding="utf-8"))
    with pytest.raises(RemoteDocumentRefused, match="never uses the network"):
        document_loader("https://schema.org/docs/jsonldcontext.jsonld")


def test_a_remote_context_in_a_frame_is_refused_with_a_clear_error(monkeypatch: Any) -> None:
    import mdq_graph.formats.jsonld as module

    monkeypatch.setattr(
        module, "load_frame", lambda name: {"@context": "https://example.org/ctx.jsonld"}
    )
    nquads = '<https://example.org/a> <https://example.org/b> "c" .\n'
    with pytest.raises(UsageError, match=r"refusing to fetch https://example\.org/ctx\.jsonld"):
        to_jsonld(nquads, JsonLdOptions(frame="meeting"))


def test_the_meeting_frame_nests_as_documented(framed: Any) -> None:
    assert frame_names() == ["meeting"]
    assert isinstance(framed["@context"], dict)  # embedded, as every export by default
    # Every meeting the graph knows is framed; the 7th is the one the releases describe.
    meetings = {m["@id"].rpartition("/")[2]: m for m in framed["@graph"]}
    assert sorted(meetings) == ["mdq-4", "mdq-7"]
    assert all("Meeting" in m["@type"] for m in meetings.values())
    framed = meetings["mdq-7"]
    assert framed["meetingOf"]["label"]["en"] == "Multilateral Dialogue on Quantum"
    assert framed["placeAsStated"] == {"en": "Tokyo/Tsukuba", "ja": "茨城県つくば市"}
    countries = framed["participatingCountry"]
    assert len(countries) == 13
    japan = next(c for c in countries if c["isoAlpha2"] == "JP")
    assert japan["label"] == {"en": "Japan", "ja": "日本"} and japan["isoAlpha3"] == "JPN"
    assert japan["wikidata"] == "http://www.wikidata.org/entity/Q17"
    assert japan["geonames"].startswith("https://sws.geonames.org/")
    assert [o["position"] for o in framed["hasOutcome"]] == [1, 2, 3, 4]
    assert all(o["topic"] and o["statement"]["en"] for o in framed["hasOutcome"])
    venue = framed["mainVenue"]
    assert venue["facilityOf"]["unitOf"]["ror"].startswith("https://ror.org/")
    assert {p["label"]["en"] for p in framed["heldIn"]} == {"Tokyo", "Tsukuba"}
    sources = framed["subjectOf"]
    assert sorted(s["inLanguage"] for s in sources) == ["en", "ja"]
    assert all(s["url"].startswith("https://www8.cao.go.jp/") for s in sources)
    quotes = framed["describedBy"]
    assert quotes and all("Quote" in q["@type"] for q in quotes)
    evidence = {
        e["@id"]
        for s in framed["statements"]
        if s["rdf:predicate"] == "schema:startDate"
        for e in (s["evidence"] if isinstance(s["evidence"], list) else [s["evidence"]])
    }
    dates = [q for q in quotes if q["@id"] in evidence]
    assert {q["@id"].rsplit("/", 1)[1] for q in dates} == {"en-07", "ja-07"}
    assert any(
        "September 10 to 12, 2025" in s.get("exact", "") for q in dates for s in q["hasSelector"]
    )
    assert "hasParticipation" not in framed and "schema:Event" in framed["@type"]


def test_the_framed_view_states_nothing_the_graph_does_not(
    framed: Any, turtle_graph: Graph
) -> None:
    stated = pyld_graph(framed)
    assert len(stated) > 300
    extra = set(stated) - set(turtle_graph)
    assert not extra, f"the frame invents {sorted(extra)[:3]}"
    assert (URIRef("https://w3id.org/mdq/id/meeting/mdq-7"), MDQ.ordinal, None) in stated


def test_the_readme_example_is_part_of_the_framed_view(framed: Any) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- framed-example -->\s*```json\n(.*?)```", readme, re.S)
    assert match, "README: the framed example follows <!-- framed-example -->"
    _assert_trimmed(json.loads(match.group(1)), framed, "$")


def _assert_trimmed(example: Any, actual: Any, where: str) -> None:
    """`example` is `actual` with keys and list items left out (lists keep their order)."""
    if isinstance(example, dict):
        assert isinstance(actual, dict), where
        for key, value in example.items():
            assert key in actual, f"{where}.{key} is not in the framed view"
            _assert_trimmed(value, actual[key], f"{where}.{key}")
    elif isinstance(example, list):
        items = actual if isinstance(actual, list) else [actual]
        position = 0
        for value in example:
            while position < len(items) and not _fits(value, items[position]):
                position += 1
            assert position < len(items), f"{where}: {value!r} is not in the framed view"
            position += 1
    else:
        assert example == actual, f"{where}: README says {example!r}, the export {actual!r}"


def _fits(example: Any, actual: Any) -> bool:
    """Whether `example` is a trimmed `actual`."""
    try:
        _assert_trimmed(example, actual, "")
    except AssertionError:
        return False
    return True


def test_unknown_frame_lists_the_known_ones() -> None:
    result = CliRunner().invoke(main, ["export", "-f", "jsonld", "--frame", "nope"])
    assert result.exit_code == 2, result.output
    assert "meeting" in result.output and "Traceback" not in result.output


def test_blank_nodes_read_back_through_pyld() -> None:
    dataset = load_dataset([TEST_DATA / "export" / "blank-nodes.trig"], inferred=False)
    document = json.loads(serialize(dataset, FORMATS["json-ld"]))
    union = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    assert isomorphic(pyld_graph(document), union)
