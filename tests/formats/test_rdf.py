"""`mdq-graph export`: every format round-trips (rdflib, and raptor's rapper where installed), and
the output is deterministic: the same graph gives the same bytes, across processes and blank-node
labels."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from mdq_graph import load_dataset
from mdq_graph.cli import main
from mdq_graph.errors import InputError, UsageError
from mdq_graph.formats.rdf import serialize, write_rdf
from mdq_graph.graph.namespaces import PREFIXES
from mdq_graph.graph.rdf_formats import FORMATS
from tests.conftest import TEST_DATA
from tests.support.rdflib_reading import read_as_stated

EXPORT_DATA = TEST_DATA / "export"
BLANK_NODES = EXPORT_DATA / "blank-nodes.trig"
TRICKY_TERMS = EXPORT_DATA / "tricky-terms.ttl"
QUAD_FORMATS = sorted(name for name, fmt in FORMATS.items() if fmt.quads)
TRIPLE_FORMATS = sorted(name for name, fmt in FORMATS.items() if not fmt.quads)
#: rapper's parser for each format it reads (raptor 2 has no JSON-LD parser).
RAPPER_PARSERS = {
    "turtle": "turtle",
    "nt": "ntriples",
    "xml": "rdfxml",
    "nq": "nquads",
    "trig": "trig",
}


def test_all_six_formats_are_exported() -> None:
    assert sorted(FORMATS) == ["json-ld", "nq", "nt", "trig", "turtle", "xml"]
    assert QUAD_FORMATS == ["nq", "trig"]


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The bundled graph exported through the CLI in every format (JSON-LD embeds its context,
    so rdflib reads it without the network)."""
    folder = tmp_path_factory.mktemp("exports")
    runner = CliRunner()
    files = {}
    for name, fmt in FORMATS.items():
        path = folder / f"mdq{fmt.extension}"
        result = runner.invoke(main, ["export", "--format", name, "-o", str(path)])
        assert result.exit_code == 0, result.output
        files[name] = path
    return files


@pytest.fixture(scope="module")
def turtle_graph(exports: dict[str, Path]) -> Graph:
    """The Turtle export, read back: what every other format must hold."""
    graph = Graph().parse(exports["turtle"], format="turtle")
    assert len(graph) > 2000
    return graph


def union_of(dataset: Dataset) -> Graph:
    """The triples of every graph of `dataset`."""
    union = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


@pytest.mark.parametrize("name", TRIPLE_FORMATS)
def test_triple_formats_read_back_as_the_turtle_graph(
    name: str, exports: dict[str, Path], turtle_graph: Graph
) -> None:
    back = Graph().parse(exports[name], format=FORMATS[name].rdflib)
    assert isomorphic(back, turtle_graph), f"{name} differs from the Turtle export"


@pytest.mark.parametrize("name", QUAD_FORMATS)
def test_quad_formats_keep_the_named_graphs(
    name: str, exports: dict[str, Path], turtle_graph: Graph, dataset: Dataset
) -> None:
    back = Dataset()
    back.parse(exports[name], format=FORMATS[name].rdflib)
    assert isomorphic(union_of(back), turtle_graph)
    names = {str(g.identifier) for g in back.graphs() if len(g)}
    expected = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert expected <= names, f"graphs lost: {expected - names}"
    for graph_name in ("release-en", "release-ja", "inferred"):
        iri = f"https://w3id.org/mdq/graph/{graph_name}"
        assert isomorphic(back.graph(iri), dataset.graph(iri)), f"{graph_name} differs"


def test_trig_and_nquads_hold_the_same_graphs(exports: dict[str, Path]) -> None:
    trig, nquads = Dataset(), Dataset()
    trig.parse(exports["trig"], format="trig")
    nquads.parse(exports["nq"], format="nquads")
    names = {g.identifier for g in trig.graphs() if len(g)}
    assert names == {g.identifier for g in nquads.graphs() if len(g)}
    for graph_name in names:
        assert isomorphic(trig.graph(graph_name), nquads.graph(graph_name)), graph_name


@pytest.mark.parametrize("name", sorted(RAPPER_PARSERS))
def test_rapper_reads_every_format_it_knows_as_the_turtle_graph(
    name: str, exports: dict[str, Path], turtle_graph: Graph
) -> None:
    rapper = shutil.which("rapper")
    if rapper is None:
        pytest.skip("rapper is not installed (Debian: apt-get install raptor2-utils)")
    quads = FORMATS[name].quads
    output = "nquads" if quads else "ntriples"
    base = "https://example.org/base/"
    result = subprocess.run(
        [rapper, "--quiet", "-i", RAPPER_PARSERS[name], "-o", output, str(exports[name]), base],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    back = Dataset()
    back.parse(data=result.stdout.decode("utf-8"), format="nquads" if quads else "nt")
    assert isomorphic(union_of(back), turtle_graph), f"rapper reads {name} differently"
    if quads:
        assert "https://w3id.org/mdq/graph/release-ja" in {str(g.identifier) for g in back.graphs()}


#: Prints the SHA-256 of every export of the bundled graph (through the CLI, with the framed
#: JSON-LD), or of the file named by argv[1] (through `export.serialize`).
_DIGESTS = """
import hashlib, sys
from click.testing import CliRunner
from mdq_graph import load_dataset
from mdq_graph.cli import main
from mdq_graph.formats.rdf import serialize
from mdq_graph.graph.rdf_formats import FORMATS
from mdq_graph.formats.jsonld import JsonLdOptions

def digest(data):
    return hashlib.sha256(data).hexdigest()

if sys.argv[1]:
    dataset = load_dataset([sys.argv[1]], inferred=False)
    for name, fmt in FORMATS.items():
        print(name, digest(serialize(dataset, fmt)))
else:
    for args in [["--format", name] for name in FORMATS] + [["-f", "jsonld", "--frame", "meeting"]]:
        result = CliRunner().invoke(main, ["export", *args])
        assert result.exit_code == 0, result.output
        print("-".join(args), digest(result.stdout_bytes))
"""


def _exports_in_a_fresh_process(seed: str, data: Path | None) -> dict[str, str]:
    """SHA-256 of every export format, made by a new Python process with PYTHONHASHSEED=seed."""
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run(
        [sys.executable, "-c", _DIGESTS, str(data or "")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    return dict(line.split(" ", 1) for line in out.splitlines())


def test_exports_are_byte_identical_across_processes() -> None:
    first = _exports_in_a_fresh_process("1", None)
    second = _exports_in_a_fresh_process("2", None)
    assert len(first) == len(FORMATS) + 1  # and the framed JSON-LD
    assert first == second


def test_blank_nodes_get_the_same_labels_in_every_process() -> None:
    first = _exports_in_a_fresh_process("3", BLANK_NODES)
    second = _exports_in_a_fresh_process("4", BLANK_NODES)
    assert first == second


def _relabelled(text: str) -> str:
    """The same graph with other blank-node labels and the graphs in the other order."""
    text = text.replace("_:shared", "_:p").replace("_:loop1", "_:zz").replace("_:loop2", "_:aa")
    head, one, two = re.split(r"\n(?=<https://example.org/graph/)", text)
    return "\n".join([head, two, one]) + "\n"


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_labels_do_not_depend_on_how_the_input_names_blank_nodes(name: str, tmp_path: Path) -> None:
    other = tmp_path / "relabelled.trig"
    other.write_text(_relabelled(BLANK_NODES.read_text(encoding="utf-8")), encoding="utf-8")
    fmt = FORMATS[name]
    original = serialize(load_dataset([BLANK_NODES], inferred=False), fmt)
    relabelled = serialize(load_dataset([other], inferred=False), fmt)
    assert original == relabelled


# JSON-LD references our context by IRI: test_jsonld reads it back with pyld and our loader.
@pytest.mark.parametrize("name", sorted(set(FORMATS) - {"json-ld"}))
def test_blank_nodes_round_trip(name: str) -> None:
    dataset = load_dataset([BLANK_NODES], inferred=False)
    fmt = FORMATS[name]
    data = serialize(dataset, fmt)
    back = Dataset()
    back.parse(data=data.decode("utf-8"), format=fmt.rdflib)
    assert isomorphic(union_of(back), union_of(dataset))


def test_turtle_writes_blank_nodes_in_place_and_labels_shared_ones() -> None:
    text = serialize(
        load_dataset([BLANK_NODES], inferred=False),
        FORMATS["turtle"],
        "https://example.org/graph/one",
    ).decode()
    assert "dct:temporal [" in text  # referenced once: written in place
    assert "] , [" in text  # two distributions in place, one after the other
    assert '[ rdfs:label "Turtle"@en ]' in text  # a small one on one line
    shared = re.findall(r"dct:publisher (_:c14n\d+)", text)
    assert len(shared) == 2 and shared[0] == shared[1]  # referenced twice: one stable label
    loop = re.search(
        r"(_:c14n\d+) <https://example.org/next> \[\s*<https://example.org/next> \1", text
    )
    assert loop, "a cycle of blank nodes must still be written"


def test_turtle_declares_only_the_prefixes_it_uses(exports: dict[str, Path]) -> None:
    for name in ("turtle", "trig"):
        text = exports[name].read_text(encoding="utf-8")
        declared = re.findall(r"^@prefix (\w+): ", text, re.M)
        body = text.split("\n\n", 1)[1]
        assert declared == sorted(declared)
        unused = [p for p in declared if not re.search(rf"(?<![\w<\"]){p}:", body)]
        assert not unused, f"{name}: declared but unused: {unused}"
    release_ja = CliRunner().invoke(main, ["export", "--format", "turtle", "--graph", "release-ja"])
    assert "@prefix wd:" not in release_ja.output and "@prefix dcat:" not in release_ja.output


def test_turtle_follows_the_house_layout(exports: dict[str, Path]) -> None:
    text = exports["turtle"].read_text(encoding="utf-8")
    assert text.startswith("@base <https://w3id.org/mdq/id/> .\n@prefix ")
    block = text.split("\n<meeting/mdq-7> ", 1)[1].split("\n\n", 1)[0]
    assert block.startswith("a ")  # rdf:type first, as `a`
    predicates = re.findall(r"^    (\S+) ", block, re.M)
    assert predicates == sorted(predicates, key=_expanded)
    subjects = re.findall(r"^(<[^>]+>|\w+:\S+) ", text, re.M)
    assert len(subjects) == len(set(subjects)), "one block per subject"


def _expanded(name: str) -> str:
    """Sort key of a predicate as written: a prefixed name compares as the IRI it stands for."""
    prefix, _, local = name.partition(":")
    return str(PREFIXES[prefix]) + local if prefix in PREFIXES else name.strip("<>")


@pytest.mark.parametrize("name", ["turtle", "trig", "nt", "nq", "xml"])
def test_tricky_terms_keep_their_exact_lexical_forms(name: str) -> None:
    quads = list(ox.parse(path=str(TRICKY_TERMS), format=ox.RdfFormat.TURTLE))
    fmt = FORMATS[name]
    data = write_rdf(quads, fmt)
    back = set(ox.parse(data, format=ox.RdfFormat.from_media_type(fmt.media_type)))
    assert back == set(quads)


def test_relative_iris_are_only_written_where_they_resolve_back() -> None:
    quads = list(ox.parse(path=str(TRICKY_TERMS), format=ox.RdfFormat.TURTLE))
    text = write_rdf(quads, FORMATS["turtle"]).decode()
    assert "<thing/one>" in text
    for full in ("a/../b", "./c", "d//e", "f:g", "#fragment", "x?query=1"):
        assert f"<https://w3id.org/mdq/id/{full}>" in text
    assert "<https://w3id.org/mdq/ontology#ends.>" in text and "mdq:1digit" in text


def test_a_named_graph_keeps_its_name_in_quad_formats(runner: CliRunner) -> None:
    result = runner.invoke(main, ["export", "--format", "trig", "--graph", "release-ja"])
    assert result.exit_code == 0, result.output
    assert re.findall(r"^(\S+) \{$", result.output, re.M) == ["graph:release-ja"]
    nt = runner.invoke(main, ["export", "--format", "nt", "--graph", "release-ja"]).output
    assert "graph/release-ja> ." not in nt and "茨城県つくば市" in nt


def test_the_default_graph_holds_what_no_named_graph_holds() -> None:
    dataset = load_dataset([TEST_DATA / "cli" / "one-meeting.ttl"], inferred=False)
    quads = list(ox.parse(serialize(dataset, FORMATS["nq"], "default"), ox.RdfFormat.N_QUADS))
    assert len(quads) == 3
    assert all(isinstance(q.graph_name, ox.DefaultGraph) for q in quads)


def test_no_inferred_leaves_out_the_inferred_graph(runner: CliRunner) -> None:
    with_view = runner.invoke(main, ["export", "--format", "trig"])
    without = runner.invoke(main, ["export", "--format", "trig", "--no-inferred"])
    assert "\ngraph:inferred {" in with_view.output
    assert "\ngraph:inferred {" not in without.output
    assert len(without.output) < len(with_view.output)


def test_jsonld_options_need_the_jsonld_format(runner: CliRunner) -> None:
    result = runner.invoke(main, ["export", "--format", "turtle", "--frame", "meeting"])
    assert result.exit_code == 2, result.output
    assert "json-ld" in result.output and "Traceback" not in result.output


def test_an_invalid_iri_is_reported_not_raised(tmp_path: Path) -> None:
    broken = tmp_path / "space.ttl"
    broken.write_text(
        "<https://example.org/a> <https://example.org/b> <https://example.org/c d> .\n"
    )
    with pytest.raises(InputError, match=r"space\.ttl:1:49: not valid RDF"):
        load_dataset([broken], inferred=False)  # the loader refuses it, as every command does
    dataset = read_as_stated([broken], inferred=False)  # rdflib reads it, with a warning
    with pytest.raises(UsageError, match="not valid RDF"):
        serialize(dataset, FORMATS["turtle"])


def test_export_digest_is_stable_within_a_process() -> None:
    dataset = load_dataset([BLANK_NODES], inferred=False)
    digests = {hashlib.sha256(serialize(dataset, FORMATS["trig"])).hexdigest() for _ in range(3)}
    assert len(digests) == 1
