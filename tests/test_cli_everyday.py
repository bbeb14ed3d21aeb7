"""Everyday use of the command line, with the mistakes people make: pasting a value of the table
back into a query, an update, a query on standard input, an empty file, options a command does not
use, a folder that does not exist, a symbolic link, a port in use, a push that goes wrong."""

from __future__ import annotations

import functools
import gzip
import io
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from mdq_graph.cli import main, stream
from mdq_graph.errors import PushError, QueryError, UsageError
from mdq_graph.graph.engine import Engine
from mdq_graph.graph.loader import load_store
from mdq_graph.graph.rdf_formats import get_format
from mdq_graph.push import push_graphs
from mdq_graph.query.curated import QUERY_PREFIXES, QuerySource, curated_queries, run_query
from mdq_graph.query.results import write_result
from tests.conftest import TEST_DATA

ONE_MEETING = TEST_DATA / "cli" / "one-meeting.ttl"


def ok(runner: CliRunner, *args: str, stdin: str | None = None) -> str:
    result = runner.invoke(main, list(args), input=stdin)
    assert result.exit_code == 0, result.output
    return result.stdout


def fails(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(main, list(args))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("mdq-graph: error: ") and "Traceback" not in result.output
    return result.stderr


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_store())


# --- Queries --------------------------------------------------------------------------------------


_AN_IRI = re.compile(r"<[^\s<>]+>|[A-Za-z][\w.-]*:[^\s:]\S*")


def table_cells(text: str) -> list[list[str]]:
    _header, _rule, *rows, _count = text.splitlines()
    return [row.split() for row in rows]


@pytest.mark.parametrize(
    "name", [q.name for q in curated_queries() if q.form == "SELECT" and not q.needs_network]
)
def test_every_value_of_the_table_pastes_back_into_a_query(
    runner: CliRunner, name: str, engine: Engine
) -> None:
    """Each IRI the table shows, pasted into a query as it is, finds the same resource."""
    shown = ok(runner, "query", "--name", name)
    # The cells that are IRIs as the table writes them: <relative> or prefix:local (a word of a
    # sentence that ends with a colon is not one).
    iris = {cell for row in table_cells(shown) for cell in row if _AN_IRI.fullmatch(cell)}
    iris = {cell for cell in iris if not cell.startswith(("http:", "https:"))}
    for cell in sorted(iris)[:40]:
        query = f"SELECT ?o WHERE {{ VALUES ?x {{ {cell} }} BIND(STR(?x) AS ?o) }}"
        pasted = answer(engine, query, "tsv").splitlines()[1]
        # The IRI it means, written back the way the table writes it, is what was pasted.
        back = answer(engine, f"SELECT ?x WHERE {{ BIND(IRI({pasted}) AS ?x) }}", "table")
        assert table_cells(back) == [[cell]], (name, cell)


def answer(engine: Engine, query: str, fmt: str) -> str:
    """What `mdq-graph query QUERY --format FMT` writes (the command's own two steps: run the
    query with the predefined prefixes and base, write the result), on the engine loaded once
    rather than once per command: the tests above and below run the command itself."""
    out = io.BytesIO()
    write_result(run_query(engine, QuerySource(query)), fmt, out)
    return out.getvalue().decode("utf-8")


def test_answer_writes_what_the_command_writes(runner: CliRunner, engine: Engine) -> None:
    query = "SELECT ?m ?c WHERE { ?m mdq:participatingCountry ?c } ORDER BY ?m ?c"
    for fmt in ("table", "tsv"):
        assert answer(engine, query, fmt) == ok(runner, "query", query, "--format", fmt)


def test_the_table_writes_our_things_as_the_turtle_export_does(runner: CliRunner) -> None:
    shown = ok(runner, "query", "SELECT ?m WHERE { ?m a mdq:Meeting } ORDER BY ?m")
    assert table_cells(shown) == [["<meeting/mdq-4>"], ["<meeting/mdq-7>"]]
    again = ok(runner, "query", "SELECT ?c WHERE { <meeting/mdq-7> mdq:participatingCountry ?c }")
    assert ["<country/jp>"] in table_cells(again)


def test_the_predefined_prefixes_are_listed_in_the_help(runner: CliRunner) -> None:
    shown = ok(runner, "query", "--help")
    for prefix, iri in QUERY_PREFIXES.items():
        assert f"{prefix}:" in shown and f"<{iri}>" in shown
    assert {"mdq", "id", "schema", "graph", "rdfs", "wd"} <= set(QUERY_PREFIXES)


def test_a_query_own_prefix_takes_precedence(runner: CliRunner) -> None:
    shown = ok(
        runner,
        "query",
        "PREFIX mdq: <https://example.org/> SELECT (COUNT(*) AS ?n) WHERE { ?s a mdq:Meeting }",
        "--format",
        "csv",
    )
    assert shown.splitlines() == ["n", "0"]


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <https://example.org/a> <https://example.org/b> 1 }",
        "PREFIX ex: <https://example.org/>\nDELETE WHERE { ?s ex:p ?o }",
        "# a comment\nCLEAR ALL",
        "LOAD <https://example.org/data.ttl>",
        "WITH <https://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
    ids=["insert-data", "delete-where", "clear", "load", "with"],
)
def test_an_update_is_refused_as_an_update(runner: CliRunner, update: str) -> None:
    message = fails(runner, "query", update)
    assert "updates" in message and "not accepted" in message and "expected" not in message


def test_a_query_from_standard_input(runner: CliRunner) -> None:
    text = next(q for q in curated_queries() if q.name == "participants").text
    piped = ok(runner, "query", "-f", "-", "--format", "csv", stdin=text)
    named = ok(runner, "query", "--name", "participants", "--format", "csv")
    assert piped == named and len(piped.splitlines()) == 14


def test_standard_input_and_an_argument_are_two_queries(runner: CliRunner) -> None:
    assert "got QUERY and -f -" in fails(runner, "query", "ASK {}", "-f", "-")


def test_queries_show_prints_the_curated_text(runner: CliRunner) -> None:
    for query in curated_queries():
        assert ok(runner, "queries", "show", query.name) == query.text
    assert "known queries: " in fails(runner, "queries", "show", "no-such-query")
    assert ok(runner, "queries").count("\n") == len(curated_queries())


def test_the_table_stops_with_a_note_and_the_other_formats_stream(engine: Engine) -> None:
    rows = "SELECT ?s WHERE { ?s ?p ?o }"
    table = Chunks()
    written = write_result(engine.query(rows), "table", table, table_rows=50)
    assert written.truncated and written.rows == 50
    text = b"".join(table.chunks).decode()
    assert len(text.splitlines()) == 2 + 50 + 1 and "--format csv" in text.splitlines()[-1]

    total = len(list(engine.query(rows)))  # type: ignore[arg-type]
    for fmt in ("csv", "tsv", "json", "xml"):
        out = Chunks()
        assert not write_result(engine.query(rows), fmt, out).truncated
        assert len(out.chunks) > 1, fmt  # written as it came, not in one piece
        data = b"".join(out.chunks)
        if fmt == "csv":  # lossy by design, not read back by pyoxigraph: a header, then the rows
            assert data.count(b"\r\n") == total + 1
            continue
        parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.from_extension(fmt))
        assert len(list(parsed)) == total  # type: ignore[arg-type]


#: A CONSTRUCT whose graph is the store's union (with its blank nodes), larger than the
#: `sorted_triples` given below, so that it is written as it comes.
EVERY_TRIPLE = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


@pytest.mark.parametrize("fmt", ["turtle", "nt", "nq", "trig", "xml", "json-ld"])
def test_a_graph_past_the_sorted_size_is_written_as_it_comes_and_is_the_same_graph(
    engine: Engine, fmt: str
) -> None:
    sorted_out, streamed_out = Chunks(), Chunks()
    whole = write_result(engine.query(EVERY_TRIPLE), fmt, sorted_out)
    streamed = write_result(engine.query(EVERY_TRIPLE), fmt, streamed_out, sorted_triples=100)
    assert not whole.streamed and streamed.streamed
    rdf_format = ox.RdfFormat.from_extension(get_format(fmt).extension.lstrip("."))
    assert rdf_format is not None
    graphs = [
        ox.Dataset(ox.parse(b"".join(out.chunks), format=rdf_format))
        for out in (sorted_out, streamed_out)
    ]
    for graph in graphs:
        graph.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    assert set(graphs[0]) == set(graphs[1]) and len(graphs[0]) > 100


class FailsAfter:
    """The triples of a graph result that fails after `count` of them (a SERVICE that stops
    answering), remembering how much `out` held when it failed."""

    def __init__(self, count: int, out: Chunks | Path) -> None:
        self.count = count
        self.out = out
        self.written_before_failing = 0

    def __iter__(self) -> Iterator[ox.Triple]:
        predicate = ox.NamedNode("https://example.org/p")
        for index in range(self.count):
            yield ox.Triple(
                ox.NamedNode(f"https://example.org/s{index}"), predicate, ox.Literal(index)
            )
        if isinstance(self.out, Chunks):
            self.written_before_failing = sum(len(chunk) for chunk in self.out.chunks)
        else:  # the file being written beside the target, not yet in its place
            staging = [p for p in self.out.parent.iterdir() if p.name.endswith(".tmp")]
            self.written_before_failing = sum(p.stat().st_size for p in staging)
        raise RuntimeError("the remote endpoint stopped answering")


@pytest.mark.parametrize("fmt", ["nt", "nq", "turtle"])
def test_a_big_graph_is_written_while_it_is_computed(fmt: str) -> None:
    out = Chunks()
    triples = FailsAfter(5_000, out)
    with pytest.raises(QueryError, match="stopped answering"):
        write_result(triples, fmt, out, sorted_triples=1_000)
    # Much was written before the result failed: the triples were not collected first.
    assert triples.written_before_failing > 100_000
    if fmt != "turtle":
        assert b"".join(out.chunks).count(b" .\n") == 5_000


def test_a_graph_that_fails_half_way_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "graph.nt"
    triples = FailsAfter(5_000, target)
    with pytest.raises(QueryError):
        stream(functools.partial(write_result, triples, "nt", sorted_triples=1_000), target)
    assert triples.written_before_failing > 100_000
    assert list(tmp_path.iterdir()) == []


def test_a_small_graph_is_written_like_an_export(engine: Engine) -> None:
    first, again = Chunks(), Chunks()
    for out in (first, again):
        assert not write_result(engine.query(EVERY_TRIPLE), "nt", out).streamed
    lines = b"".join(first.chunks).splitlines()
    assert lines == sorted(lines) and b"".join(first.chunks) == b"".join(again.chunks)


def test_the_curated_selects_are_all_collected() -> None:
    assert len([q for q in curated_queries() if q.form == "SELECT" and not q.needs_network]) == 23


def test_a_short_table_is_whole(runner: CliRunner) -> None:
    assert ok(runner, "query", "--name", "participants").endswith("(13 rows)\n")


class Chunks:
    """An output that keeps each write apart."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


# --- Data, stores and folders ---------------------------------------------------------------------


def test_an_empty_file_is_warned_about(runner: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "empty.ttl"
    empty.write_text("# nothing yet\n@prefix ex: <https://example.org/> .\n")
    for args in (["validate", str(empty)], ["--data", str(empty), "info"]):
        result = runner.invoke(main, args)
        assert f"mdq-graph: warning: {empty} holds no RDF statement" in result.stderr, args
    quiet = runner.invoke(main, ["validate", str(ONE_MEETING)])
    assert "warning" not in quiet.stderr


def test_validate_with_a_store_checks_what_it_was_loaded_from(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = tmp_path / "one.ttl"
    data.write_bytes(ONE_MEETING.read_bytes())
    store = tmp_path / "store"
    ok(runner, "load", "--store", str(store), "-d", str(data))
    from_store = runner.invoke(main, ["--store", str(store), "validate", "--format", "json"])
    from_file = runner.invoke(main, ["validate", str(data), "--format", "json"])
    assert (from_store.exit_code, from_store.stdout) == (from_file.exit_code, from_file.stdout)
    data.write_text(data.read_text() + "\n# changed\n")
    assert "has changed since" in fails(runner, "--store", str(store), "validate")
    assert "not both" in fails(runner, "--store", str(store), "validate", str(data))


@pytest.mark.parametrize("command", [["synth", "-m", "1", "-o", "{tmp}/c.nq"], ["queries"]])
def test_commands_that_read_no_data_refuse_data_and_store(
    runner: CliRunner, tmp_path: Path, command: list[str]
) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    for given in (["--data", str(ONE_MEETING)], ["--store", str(tmp_path / "s")]):
        assert "do not apply" in fails(runner, *given, *args)
    # A store named by the environment is for the commands that read one: left alone.
    result = runner.invoke(main, args, env={"MDQ_STORE": str(tmp_path / "s")})
    assert result.exit_code == 0, result.output


def test_synth_refuses_a_missing_folder_like_every_output(
    runner: CliRunner, tmp_path: Path
) -> None:
    message = fails(runner, "synth", "-m", "1", "-o", str(tmp_path / "missing" / "c.nq"))
    assert "does not exist" in message
    assert list(tmp_path.iterdir()) == []


def test_two_corpora_in_one_folder_keep_their_own_texts(runner: CliRunner, tmp_path: Path) -> None:
    for name, seed in (("a", "1"), ("b", "2")):
        shown = ok(runner, "synth", "-m", "3", "--seed", seed, "-o", str(tmp_path / f"{name}.trig"))
        assert f"texts in {tmp_path / f'{name}.sources'}" in shown
    for name in ("a", "b"):
        checked = runner.invoke(main, ["validate", str(tmp_path / f"{name}.trig")])
        assert checked.exit_code == 0, checked.output


@pytest.mark.parametrize("command", ["load", "publish"])
def test_a_symlinked_folder_is_replaced_through_the_link(
    runner: CliRunner, tmp_path: Path, command: str
) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    args = ["load", "--store", str(link)] if command == "load" else ["publish", str(link)]
    ok(runner, "--data", str(ONE_MEETING), *args, "-q")
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]
    assert any(real.iterdir())


@pytest.fixture()
def busy_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_a_port_in_use_is_a_usage_error(runner: CliRunner, busy_port: int) -> None:
    message = fails(runner, "serve", "--port", str(busy_port))
    assert f"cannot listen on 127.0.0.1:{busy_port}" in message and "--port" in message


# --- Push -------------------------------------------------------------------------------------------


def test_a_response_that_cannot_be_decoded_is_a_push_error() -> None:
    def broken_gzip(request: httpx.Request) -> httpx.Response:
        if request.method == "HEAD":
            return httpx.Response(200)
        body = b"\x1f\x8b" + gzip.compress(b"stored")[10:]  # a gzip header, then not gzip
        return httpx.Response(201, headers={"Content-Encoding": "gzip"}, content=body)

    transport = httpx.MockTransport(broken_gzip)
    with pytest.raises(PushError, match="cannot be decoded"):
        push_graphs([("https://example.org/g", b"x")], "http://store.test/gsp", transport=transport)


@pytest.mark.parametrize("endpoint", ["http://[::1", "http://[::1]:port/"])
def test_an_endpoint_that_is_not_a_url_is_a_usage_error(runner: CliRunner, endpoint: str) -> None:
    with pytest.raises(UsageError, match="not a valid URL"):
        push_graphs([("https://example.org/g", b"x")], endpoint)
    assert "not a valid URL" in fails(runner, "push", "-e", endpoint)


@pytest.mark.parametrize(
    "args", [["validate", "{file}"], ["--data", "{file}", "export", "-f", "nt", "-o", "{out}"]]
)
def test_a_literal_over_16_mib_is_one_line_naming_the_file(
    runner: CliRunner, tmp_path: Path, args: list[str]
) -> None:
    huge = tmp_path / "huge.nt"
    huge.write_text(f'<https://example.org/s> <https://example.org/p> "{"a" * (17 << 20)}" .\n')
    out = tmp_path / "out.nt"
    given = [a.replace("{file}", str(huge)).replace("{out}", str(out)) for a in args]
    message = fails(runner, *given)
    assert message.startswith(f"mdq-graph: error: {huge}: a term too large to read")
    assert not out.exists()


def test_a_store_says_when_it_holds_literals_in_another_form(
    runner: CliRunner, tmp_path: Path
) -> None:
    """`load` and `export --store` say so; `export --data` writes them as stated."""
    forms = TEST_DATA / "export" / "literal-forms.trig"
    store = tmp_path / "store"
    loaded = runner.invoke(main, ["load", "--store", str(store), "--data", str(forms), "-q"])
    assert loaded.exit_code == 0, loaded.output
    assert "typed literal(s) as values" in loaded.stdout
    exported = runner.invoke(main, ["--store", str(store), "export", "-f", "nq"])
    assert exported.exit_code == 0, exported.output
    assert exported.stderr.startswith("mdq-graph: warning: the store holds ")
    assert b'"007"^^' not in exported.stdout_bytes
    from_files = runner.invoke(main, ["--data", str(forms), "export", "-f", "nq"])
    assert b'"007"^^' in from_files.stdout_bytes and not from_files.stderr
    plain = runner.invoke(main, ["load", "--store", str(tmp_path / "plain"), "-q"])
    assert "as values" not in plain.stdout
