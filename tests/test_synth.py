"""The synthetic corpus: deterministic, valid, shaped like the real data, sized as promised."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from mdq_graph.cli import main
from mdq_graph.errors import UsageError
from mdq_graph.graph.engine import Engine
from mdq_graph.graph.loader import load_store
from mdq_graph.query.curated import curated_queries
from mdq_graph.synth import (
    SYNTH_GRAPH,
    SYNTH_ID,
    TRIPLES_PER_MEETING,
    estimated_triples,
    meetings_for_triples,
    synthesize,
)
from mdq_graph.validate.quotes import check_quotes, quotes

#: Eight meetings: one series, so there is a 7th meeting for the curated queries to find.
MEETINGS = 8


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic corpus in TriG with its texts in sources/ beside it."""
    path = tmp_path_factory.mktemp("synth") / "corpus.trig"
    synthesize(path, MEETINGS, seed=11, texts_dir=path.parent / "sources")
    return path


def quads(path: Path) -> set[ox.Quad]:
    """The quads of a corpus file, as Oxigraph reads them."""
    return set(ox.parse(path=path))


def rows(engine: Engine, query: str) -> list[ox.QuerySolution]:
    """The solutions of a SELECT query."""
    solutions = engine.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    return list(solutions)


def test_the_same_seed_gives_the_same_bytes(tmp_path: Path, corpus: Path) -> None:
    again = tmp_path / "again.trig"
    synthesize(again, MEETINGS, seed=11, texts_dir=tmp_path / "sources")
    assert again.read_bytes() == corpus.read_bytes()
    texts = sorted(p.name for p in (corpus.parent / "sources").iterdir())
    assert texts == sorted(p.name for p in (tmp_path / "sources").iterdir())
    for name in texts:
        assert (tmp_path / "sources" / name).read_bytes() == (
            corpus.parent / "sources" / name
        ).read_bytes()


def test_another_seed_gives_another_corpus(tmp_path: Path, corpus: Path) -> None:
    other = tmp_path / "other.trig"
    synthesize(other, MEETINGS, seed=12)
    assert other.read_bytes() != corpus.read_bytes()
    assert quads(other) != quads(corpus)


def test_trig_and_n_quads_hold_the_same_quads(tmp_path: Path, corpus: Path) -> None:
    nq = tmp_path / "corpus.nq"
    result = synthesize(nq, MEETINGS, seed=11)
    assert quads(nq) == quads(corpus)
    assert result.statements == len(quads(nq))  # every statement written once
    assert result.texts == 0 and result.texts_dir is None


def test_the_corpus_passes_validate(runner: CliRunner, corpus: Path) -> None:
    result = runner.invoke(main, ["validate", str(corpus)])
    assert result.exit_code == 0, result.output
    assert "Conforms" in result.output


def test_every_quote_is_verbatim_in_its_generated_text(corpus: Path) -> None:
    store = load_store([corpus])
    assert check_quotes(store, corpus.parent / "sources") == []
    assert len(quotes(store)) > 10 * MEETINGS


def test_it_has_the_shape_of_the_real_data(corpus: Path) -> None:
    engine = Engine(load_store([corpus]))
    answers = {}
    for query in curated_queries():
        if query.needs_network or query.form != "SELECT":
            continue
        answers[query.name] = len(rows(engine, query.text))
    # The questions people ask of the real graph have answers in the synthetic one too.
    for name in ("participants", "events-of-the-week", "outcomes-by-topic", "next-steps",
                 "organisations-and-parents", "supporting-sentence", "japanese-labels",
                 "meeting-dates-and-places-by-source", "sources-and-graphs", "open-data-portals"):  # fmt: skip
        assert answers[name] > 0, name
    meetings = rows(engine, "SELECT DISTINCT ?m WHERE { ?m a <https://w3id.org/mdq/ontology#Meeting> }")  # fmt: skip
    assert len(meetings) == MEETINGS


def test_its_iris_never_meet_the_real_ones(corpus: Path) -> None:
    ours = re.compile(rf"^(?:{re.escape(SYNTH_ID)}|{re.escape(SYNTH_GRAPH)})")
    shared = {"https://w3id.org/mdq/id/org/mdq-graph-project"}  # the publisher of every graph
    for quad in quads(corpus):
        assert isinstance(quad.graph_name, ox.NamedNode)
        assert ours.match(quad.graph_name.value)
        assert isinstance(quad.subject, ox.NamedNode)  # no blank nodes either
        assert ours.match(quad.subject.value) or quad.subject.value in shared, quad


@pytest.mark.parametrize("meetings", [12, 200])
def test_the_estimate_of_its_size_holds(tmp_path: Path, meetings: int) -> None:
    result = synthesize(tmp_path / "c.nq", meetings)
    assert abs(result.statements - estimated_triples(meetings)) < 0.05 * result.statements
    assert meetings_for_triples(estimated_triples(meetings)) == meetings


def test_it_writes_only_quad_formats(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"TriG \(\.trig\) or N-Quads"):
        synthesize(tmp_path / "c.ttl", 1)
    assert not (tmp_path / "c.ttl").exists()


def test_synth_command(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "corpus" / "c.nq"
    out.parent.mkdir()
    result = runner.invoke(main, ["synth", "--triples", "1e4", "-o", str(out)])
    assert result.exit_code == 0, result.output
    statements = len(quads(out))
    assert abs(statements - 10_000) < TRIPLES_PER_MEETING  # a corpus holds whole meetings
    assert f"{statements} triples" in result.stdout
    assert any((tmp_path / "corpus" / "c.sources").glob("synth-*.en.txt"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "{tmp}/c.nq"], "give either --meetings N or --triples T"),
        (["-m", "2", "-t", "1e4", "-o", "{tmp}/c.nq"], "give either --meetings N or --triples T"),
        (["-m", "2", "-o", "{tmp}/c.jsonld"], "must be TriG (.trig) or N-Quads (.nq)"),
    ],
    ids=["no-size", "two-sizes", "not-a-quad-format"],
)
def test_synth_usage_errors_exit_2(
    runner: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(main, ["synth", *(a.format(tmp=tmp_path) for a in args)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
