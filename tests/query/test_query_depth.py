"""A query too deep for the engine is refused, by `query` and by the endpoint, before it runs:
it would overflow Oxigraph's stack and kill the process (exit 139); a panic of the engine that
aborts the process it runs in ends a worker or the command's child process, not the command."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from mdq_graph import load_dataset
from mdq_graph.errors import MdqError, QueryError
from mdq_graph.graph.engine import Engine
from mdq_graph.web.server import create_app
from tests.conftest import REPO, TEST_DATA

#: Chains without deep brackets, each one that crashed `mdq-graph query` before the limit.
CHAINS = {
    "not": "SELECT * WHERE { FILTER(" + "!" * 9_400 + "true) }",
    "or": "SELECT * WHERE { FILTER(" + "||".join(["true"] * 9_400) + ") }",
    "plus": "SELECT (" + "+".join(["1"] * 7_000) + " AS ?x) WHERE {}",
    "union": "SELECT * WHERE { " + " UNION ".join(["{}"] * 7_000) + " }",
    "minus": "SELECT * WHERE { " + " ".join(["MINUS {}"] * 3_000) + " }",
    "binds": "SELECT * WHERE { " + " ".join(f"BIND(1 AS ?v{i})" for i in range(3_000)) + " }",
}


def test_every_chain_is_collected() -> None:
    assert len(CHAINS) == 6


@pytest.mark.parametrize("query", CHAINS.values(), ids=CHAINS.keys())
def test_the_cli_refuses_a_chain_with_exit_2(query: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mdq_graph", "query", query], capture_output=True, timeout=120
    )
    assert done.returncode == 2, done.stderr.decode()
    assert b"limit is" in done.stderr and b"Traceback" not in done.stderr


def test_an_engine_panic_is_an_error_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    # pyo3 raises a Rust panic as pyo3_runtime.PanicException (a BaseException); Oxigraph's sort
    # panicked so on "comparison function does not correctly implement a total order".
    panic = type("PanicException", (BaseException,), {"__module__": "pyo3_runtime"})

    def panicking(*args: object, **kwargs: object) -> None:
        raise panic("comparison function does not correctly implement a total order")

    import mdq_graph.cli

    monkeypatch.setattr(mdq_graph.cli, "run_query", panicking)
    result = CliRunner().invoke(mdq_graph.cli.main, ["query", "SELECT * WHERE {} ORDER BY ?s"])
    assert result.exit_code == 2, result.output
    assert "the query engine failed" in result.output
    assert "total order" in result.output


def test_a_worker_runs_queries_on_a_deep_stack() -> None:
    # 9,000 UNIONs kill a main thread (8 MiB); a worker's query thread survives them, so the
    # guard's limit (far below) has a margin in the endpoint beyond the one it has in the CLI.
    code = (
        "import pyoxigraph as ox; from mdq_graph.web.jobs import _on_deep_stack; "
        "q = 'SELECT * { ' + ' UNION '.join(['{}'] * 9000) + ' }'; "
        "print(len(_on_deep_stack(lambda: list(ox.Store().query(q)))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-500:]
    assert done.stdout.strip() == b"9000"


@pytest.mark.parametrize("query", list(CHAINS.values())[:2], ids=list(CHAINS)[:2])
def test_the_endpoint_refuses_a_chain(query: str) -> None:
    dataset = load_dataset([TEST_DATA / "site" / "small.ttl"])
    with TestClient(create_app(dataset)) as client:
        response = client.post(
            "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
        )
    assert response.status_code == 400 and "the limit is" in response.text


# --- a real engine panic (docs/upstream/oxigraph-order-by-panic.md) -------------------------------

#: Twenty-one xsd:date values with and without time zones, in an order on which Oxigraph's sort
#: finds its comparison is not a total order: the process aborts (SIGABRT, not an exception).
ORDER_BY_PANIC = (TEST_DATA / "engine" / "order-by-dates-panic.rq").read_text(encoding="utf-8")


def test_the_real_order_by_panic_kills_a_worker_not_the_server() -> None:
    dataset = load_dataset([TEST_DATA / "site" / "small.ttl"])
    with TestClient(create_app(dataset)) as client:
        server = client.app.state.server  # type: ignore[attr-defined]
        response = client.post(
            "/sparql",
            content=ORDER_BY_PANIC,
            headers={"Content-Type": "application/sparql-query"},
        )
        assert response.status_code == 503, response.text
        assert "stopped the process that ran it" in response.text
        assert server.pool.stats.failures == 1
        after = client.get("/sparql", params={"query": "ASK {}"})
        assert after.status_code == 200


@pytest.mark.parametrize("to_file", [False, True], ids=["stdout", "output-file"])
def test_the_real_order_by_panic_is_exit_2_in_the_cli(tmp_path: Path, to_file: bool) -> None:
    output = ["--format", "csv", "-o", "answers.csv"] if to_file else []
    done = subprocess.run(
        [sys.executable, "-m", "mdq_graph", "query", ORDER_BY_PANIC, *output],
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO / "src"), "RUST_BACKTRACE": "1"},
    )
    err = done.stderr.decode()
    assert done.returncode == 2, err[-500:]
    assert err.startswith("mdq-graph: error: ") and err.count("\n") == 1, err
    assert "the query engine failed on this query" in err and "nothing was written" in err
    assert "total order" in err  # the engine's own words, not its backtrace
    assert done.stdout == b""
    assert list(tmp_path.iterdir()) == []  # no output file, no staging left behind


def test_a_query_after_the_contained_panic_still_runs_in_the_same_process() -> None:
    from mdq_graph.query.contained import run_contained
    from mdq_graph.query.curated import QuerySource, run_query
    from mdq_graph.query.results import write_result

    engine = Engine(ox.Store())

    def evaluate(text: str) -> Callable[[IO[bytes]], object]:
        return lambda out: write_result(run_query(engine, QuerySource(text)), "csv", out)

    with pytest.raises(QueryError, match="the query engine failed"):
        run_contained(evaluate(ORDER_BY_PANIC), io.BytesIO())
    answer = io.BytesIO()
    run_contained(evaluate("SELECT ?x { VALUES ?x { 1 2 } }"), answer)
    assert answer.getvalue().split() == [b"x", b"1", b"2"]


def test_what_a_contained_child_says_on_stderr_is_passed_on(
    capfd: pytest.CaptureFixture[str],
) -> None:
    from mdq_graph.query.contained import run_contained

    def work(out: IO[bytes]) -> int:
        out.write(b"answer")
        os.write(2, b"mdq-graph: warning: a note\n")
        return 7

    answer = io.BytesIO()
    assert run_contained(work, answer) == 7
    assert answer.getvalue() == b"answer"
    assert capfd.readouterr().err == "mdq-graph: warning: a note\n"


def test_our_errors_in_the_child_keep_their_message_and_exit_code() -> None:
    from mdq_graph.errors import NonConformantError
    from mdq_graph.query.contained import run_contained

    def work(out: IO[bytes]) -> None:
        raise NonConformantError("a statement has no evidence")

    with pytest.raises(MdqError, match=r"^a statement has no evidence$") as caught:
        run_contained(work, io.BytesIO())
    assert caught.value.exit_code == 1
