"""The on-disk store: what `mdq-graph load` builds, that it is transactional, and `--store`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset
from rdflib.compare import isomorphic

from mdq_graph.cli import main
from mdq_graph.errors import InputError, UsageError
from mdq_graph.formats.rdf import canonical_quads
from mdq_graph.graph.dataset import INFERRED_GRAPH
from mdq_graph.graph.engine import Engine
from mdq_graph.graph.loader import build_store, store_dataset
from mdq_graph.graph.store import (
    DATABASE_FOLDER,
    METADATA_FILE,
    STORE_FORMAT_VERSION,
    open_store,
    read_store_info,
)
from tests.conftest import TEST_DATA

BROKEN = TEST_DATA / "cli" / "broken-missing-dot.ttl"
ONE_MEETING = TEST_DATA / "cli" / "one-meeting.ttl"
PARTICIPANTS = "SELECT (COUNT(*) AS ?n) WHERE { <https://w3id.org/mdq/id/meeting/mdq-7> <https://w3id.org/mdq/ontology#participatingCountry> ?c }"  # fmt: skip


def quads(store: ox.Store) -> set[tuple[object, object, object, object]]:
    """Every quad of a store, comparable across stores: blank nodes (the ontology's unions and
    disjoint classes) get their canonical labels (RDFC-1.0)."""
    return {(q.subject, q.predicate, q.object, q.graph_name) for q in canonical_quads(store)}


def count(engine: Engine, query: str = PARTICIPANTS) -> int:
    """The single number a COUNT query answers."""
    solutions = engine.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    return int(next(iter(solutions))[0].value)


@pytest.fixture(scope="module")
def bundled_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of the bundled data (do not modify it in a test)."""
    path = tmp_path_factory.mktemp("stores") / "bundled"
    build_store(path)
    return path


def test_store_holds_what_the_engine_builds_in_memory(
    bundled_store: Path, dataset: Dataset
) -> None:
    # Same named graphs (inferred graph included) and the same union in the default graph.
    assert quads(open_store(bundled_store).store) == quads(Engine.from_dataset(dataset).store)


def test_metadata_says_what_is_loaded(bundled_store: Path, dataset: Dataset) -> None:
    info = read_store_info(bundled_store)
    assert info.format_version == STORE_FORMAT_VERSION
    assert info.inferred
    assert [Path(s.path).name for s in info.sources] == sorted(
        p.name for p in (TEST_DATA.parent.parent / "data").glob("*.trig")
    )
    assert all(len(s.sha256) == 64 and s.size > 0 for s in info.sources)
    assert dict(info.graphs) == {
        str(g.identifier): len(g)
        for g in dataset.graphs()
        if g.identifier != dataset.default_graph.identifier
    }
    assert info.union_triples == len(dataset)
    assert info.default_triples == 0


def test_the_store_opens_read_only_more_than_once(bundled_store: Path) -> None:
    first, second = open_store(bundled_store), open_store(bundled_store)
    # Both releases state the 7th meeting's 13 countries: the default graph, a set union, holds them once.
    assert count(first) == count(second) == 13
    with pytest.raises(RuntimeError, match="read-write"):
        first.store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c")))


def test_a_failed_load_leaves_the_previous_store_answering(tmp_path: Path) -> None:
    store = tmp_path / "store"
    build_store(store, [ONE_MEETING])
    before = read_store_info(store)
    with pytest.raises(InputError, match=r"broken-missing-dot\.ttl:\d+:\d+: bad syntax"):
        build_store(store, [ONE_MEETING, BROKEN])
    assert read_store_info(store) == before
    assert count(open_store(store), "SELECT (COUNT(*) AS ?n) { ?s a ?c }") > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]  # no staging folder left


def test_a_new_load_replaces_the_store(tmp_path: Path, bundled_store: Path) -> None:
    store = tmp_path / "store"
    build_store(store, [ONE_MEETING])
    build_store(store)
    assert quads(open_store(store).store) == quads(open_store(bundled_store).store)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]
    assert sorted(p.name for p in store.iterdir()) == [METADATA_FILE, DATABASE_FOLDER]


def test_triples_outside_named_graphs_stay_in_the_default_graph(tmp_path: Path) -> None:
    build_store(tmp_path / "store", [ONE_MEETING])
    info = read_store_info(tmp_path / "store")
    stated = Dataset().parse(ONE_MEETING, format="turtle")
    assert info.default_triples == len(stated)
    from_store = store_dataset(tmp_path / "store")
    assert isomorphic(from_store.default_graph, stated.default_graph)


def test_an_inferred_graph_in_the_input_is_computed_afresh(tmp_path: Path) -> None:
    stale = tmp_path / "stale.nq"
    stale.write_text(
        f"<urn:x> <urn:said> <urn:y> <{INFERRED_GRAPH}> .\n<urn:x> <urn:said> <urn:z> <urn:g> .\n",
        encoding="utf-8",
    )
    build_store(tmp_path / "store", [stale])
    engine = open_store(tmp_path / "store")
    assert not count(engine, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p <urn:y> }")
    assert count(engine, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p <urn:z> }") == 1


def test_without_inference_there_is_no_inferred_graph(tmp_path: Path) -> None:
    info = build_store(tmp_path / "store", inferred=False)
    assert str(INFERRED_GRAPH) not in dict(info.graphs)
    assert not info.inferred


def test_a_folder_that_is_not_a_store_is_never_replaced(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UsageError, match="not an mdq-graph store; refusing to replace it"):
        build_store(tmp_path)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "does not exist; build it with: mdq-graph load --store"),
        (lambda p: p.mkdir(), "is not an mdq-graph store"),
    ],
    ids=["missing", "empty-folder"],
)
def test_opening_what_is_not_a_store_says_how_to_make_one(
    tmp_path: Path, make: object, message: str
) -> None:
    make(tmp_path / "store")  # type: ignore[operator]
    with pytest.raises(UsageError, match=message):
        open_store(tmp_path / "store")


def test_a_store_of_another_format_version_must_be_loaded_again(
    tmp_path: Path, bundled_store: Path
) -> None:
    metadata = json.loads((bundled_store / METADATA_FILE).read_text(encoding="utf-8"))
    (tmp_path / "store").mkdir()
    metadata["format_version"] = STORE_FORMAT_VERSION + 1
    (tmp_path / "store" / METADATA_FILE).write_text(json.dumps(metadata), encoding="utf-8")
    with pytest.raises(UsageError, match=r"load it again with mdq-graph load --store"):
        open_store(tmp_path / "store")


def test_store_dataset_gives_back_the_loaded_dataset(bundled_store: Path, dataset: Dataset) -> None:
    back = store_dataset(bundled_store)
    for graph in dataset.graphs():
        assert isomorphic(back.graph(graph.identifier), graph), graph.identifier
    assert len(store_dataset(bundled_store, inferred=False).graph(INFERRED_GRAPH)) == 0


# --- the command line --------------------------------------------------------------------------


def test_load_then_query_and_info_use_the_store(runner: CliRunner, tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    loaded = runner.invoke(main, ["load", "--store", store, "--quiet"])
    assert loaded.exit_code == 0, loaded.output
    assert f"Store {store}:" in loaded.stdout
    assert loaded.stderr == ""
    queried = runner.invoke(main, ["--store", store, "query", "--name", "participants"])
    assert queried.exit_code == 0, queried.output
    assert "オーストラリア" in queried.stdout
    info = runner.invoke(main, ["--store", store, "info", "--json"])
    assert info.exit_code == 0, info.output
    report = json.loads(info.stdout)
    assert dict(report["classes"])["mdq:Country"] == 13
    assert report["store"]["mdq_graph_version"]
    assert report["total_triples"] == report["store"]["union_triples"]


def test_info_from_a_store_is_info_from_the_data(runner: CliRunner, bundled_store: Path) -> None:
    from_data = runner.invoke(main, ["info", "--json"])
    from_store = runner.invoke(main, ["--store", str(bundled_store), "info", "--json"])
    assert from_store.exit_code == 0, from_store.output
    report = json.loads(from_store.stdout)
    del report["store"]
    assert report == json.loads(from_data.stdout)


def test_store_from_the_environment(runner: CliRunner, bundled_store: Path) -> None:
    result = runner.invoke(main, ["info"], env={"MDQ_STORE": str(bundled_store)})
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Store {bundled_store}:")


def test_load_shows_no_progress_when_stderr_is_not_a_terminal(
    runner: CliRunner, tmp_path: Path
) -> None:
    # Its steps show on a terminal only (tests/test_cli_process.py drives one).
    result = runner.invoke(main, ["load", "--store", str(tmp_path / "s"), "-d", str(ONE_MEETING)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "one-meeting.ttl" in result.stdout


def test_a_failed_load_exits_2_and_keeps_the_store(runner: CliRunner, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert runner.invoke(main, ["load", "--store", str(store), "-q"]).exit_code == 0
    failed = runner.invoke(main, ["load", "--store", str(store), "-q", "--data", str(BROKEN)])
    assert failed.exit_code == 2, failed.output
    assert "broken-missing-dot.ttl:" in failed.stderr
    assert "Traceback" not in failed.output
    queried = runner.invoke(main, ["--store", str(store), "query", "--name", "participants"])
    assert queried.exit_code == 0, queried.output
    assert "Australia" in queried.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["load"], "give the folder to build the store in"),
        (["--store", "{tmp}/none", "query", "--name", "participants"], "does not exist"),
        (["--store", "{tmp}", "--data", str(ONE_MEETING), "info"], "give --data or --store"),
    ],
    ids=["load-without-store", "missing-store", "data-and-store"],
)
def test_store_usage_errors_exit_2(
    runner: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(main, [a.format(tmp=tmp_path) for a in args], env={"MDQ_STORE": None})
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_the_database_is_only_in_the_store_folder(bundled_store: Path) -> None:
    # Nothing in the store's parent but stores: no staging or previous folder left behind.
    siblings = [p.name for p in bundled_store.parent.iterdir()]
    assert siblings == ["bundled"], siblings
    assert os.access(bundled_store / METADATA_FILE, os.R_OK)


def test_a_blank_node_is_the_same_node_in_its_graph_and_in_the_union(tmp_path: Path) -> None:
    data = tmp_path / "blank.trig"
    data.write_text(
        "<urn:g> { <urn:quote> <urn:selector> [ <urn:start> 0 ; <urn:end> 7 ] . }\n",
        encoding="utf-8",
    )
    build_store(tmp_path / "store", [data], inferred=False)
    joined = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:g> { ?b <urn:start> 0 } ?b <urn:end> 7 }"
    assert count(open_store(tmp_path / "store"), joined) == 1


def test_json_ld_is_read_as_the_rest_of_the_tool_reads_it(tmp_path: Path) -> None:
    data = tmp_path / "meeting.jsonld"
    data.write_text(
        json.dumps(
            {
                "@id": "https://w3id.org/mdq/graph/extra",
                "@graph": [
                    {
                        "@id": "https://w3id.org/mdq/id/meeting/x",
                        "@type": "https://w3id.org/mdq/ontology#Meeting",
                        "http://www.w3.org/2000/01/rdf-schema#label": {
                            "@value": "X",
                            "@language": "en",
                        },
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    info = build_store(tmp_path / "store", [data])
    assert dict(info.graphs)["https://w3id.org/mdq/graph/extra"] == 2
    schema_event = "SELECT (COUNT(*) AS ?n) WHERE { ?m a <https://schema.org/Event> }"
    assert count(open_store(tmp_path / "store"), schema_event) == 1  # inferred


def test_export_from_the_store_is_byte_for_byte_the_export_from_the_data(
    runner: CliRunner, bundled_store: Path
) -> None:
    from_data = runner.invoke(main, ["export", "--format", "nq"])
    from_store = runner.invoke(main, ["--store", str(bundled_store), "export", "--format", "nq"])
    assert from_store.exit_code == 0, from_store.output
    assert from_store.stdout == from_data.stdout
