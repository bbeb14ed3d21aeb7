"""The loader's bulk steps hold what the step-by-step ones held: the sizes of the named graphs
from one GROUP BY, an earlier export's inferred graph computed afresh, the literals a store
holds in another form than the files state them named."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from mdq_graph.graph.dataset import INFERRED_GRAPH
from mdq_graph.graph.loader import build_store, load_store, populate
from mdq_graph.graph.resources import data_dir
from mdq_graph.graph.store import graph_size, graph_sizes, open_store
from tests.conftest import TEST_DATA

EX = "http://example.org/"
INFERRED = ox.NamedNode(str(INFERRED_GRAPH))

#: Files and whether a store loaded from them holds every typed literal as they state it.
LITERAL_CASES: dict[str, tuple[list[Path] | None, bool]] = {
    "bundled": (None, True),
    "canonical-forms-and-an-ill-typed-date": ([TEST_DATA / "export" / "outside-graphs.ttl"], True),
    # "01"^^xsd:integer, "1.0E3"^^xsd:double: the store keeps the values, not the forms.
    "literal-forms": ([TEST_DATA / "export" / "literal-forms.trig"], False),
    "tricky-terms": ([TEST_DATA / "export" / "tricky-terms.ttl"], False),
}


def test_every_case_is_collected() -> None:
    assert len(LITERAL_CASES) == 4


def test_graph_sizes_are_the_size_of_each_graph() -> None:
    store = load_store([TEST_DATA / "export" / "blank-nodes.trig"])
    blank = ox.BlankNode()
    store.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("o"), blank))
    sizes = graph_sizes(store)
    assert set(sizes) == set(store.named_graphs())
    assert sizes == {name: graph_size(store, name) for name in store.named_graphs()}
    assert sizes[blank] == 1


def canonical(quads: object) -> set[ox.Quad]:
    """The quads with canonical blank-node labels, comparable as a set."""
    dataset = ox.Dataset(quads)  # type: ignore[arg-type]
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "on-disk"])
def test_an_inferred_graph_in_the_input_is_left_out_and_computed_afresh(
    tmp_path: Path, in_memory: bool
) -> None:
    # What an earlier export holds in graph/inferred, plus a triple no rule gives.
    stray = (ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.NamedNode(EX + "o"))
    inferred = [q for q in load_store() if q.graph_name == INFERRED]
    inferred.append(ox.Quad(*stray, INFERRED))
    earlier = tmp_path / "earlier-inferred.nq"
    earlier.write_bytes(ox.serialize(inferred, format=ox.RdfFormat.N_QUADS) or b"")
    files = [*sorted(data_dir().glob("*.trig")), earlier]
    if in_memory:
        again, bundled = load_store(files), load_store()
    else:
        build_store(tmp_path / "again", files)
        build_store(tmp_path / "bundled")
        again = open_store(tmp_path / "again").store
        bundled = open_store(tmp_path / "bundled").store
    assert not any(True for _ in again.quads_for_pattern(stray[0], None, None, None))
    assert canonical(again) == canonical(bundled)


@pytest.mark.parametrize("case", LITERAL_CASES.values(), ids=LITERAL_CASES.keys())
def test_a_store_names_the_literals_it_holds_in_another_form(
    case: tuple[list[Path] | None, bool], tmp_path: Path
) -> None:
    paths, as_stated = case
    files = paths or sorted(data_dir().glob("*.trig"))
    changed = populate(ox.Store(), files, inferred=False, in_memory=True).changed_literals
    assert (changed == ()) is as_stated
    stated = {
        q.object
        for path in files
        for q in ox.parse(path=path, format=_format(path))
        if isinstance(q.object, ox.Literal)
    }
    held = {q.object for q in load_store(paths, inferred=False)}
    assert set(changed) == {str(o) for o in stated - held}
    info = build_store(tmp_path / "store", paths, inferred=False)
    assert info.changed_literals == len(changed)


def _format(path: Path) -> ox.RdfFormat:
    return ox.RdfFormat.TRIG if path.suffix == ".trig" else ox.RdfFormat.TURTLE
