"""The command line as a real process: signals, the umask, read-only and full disks, terminals.

What CliRunner cannot show: Ctrl-C reaching a process stuck inside Oxigraph, SIGTERM and SIGKILL
in the middle of a load, the permissions the files get under a real umask, a real read-only file
system, a real full device, and progress on a real terminal (a pseudo-terminal) but not in a pipe.
"""

from __future__ import annotations

import os
import pty
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, TEST_DATA

#: A graph of one meeting, for commands whose time grows with the graph.
ONE_MEETING = TEST_DATA / "cli" / "one-meeting.ttl"

pytestmark = pytest.mark.slow

#: A result that never ends in practice: every triple of the graph with every other (millions of
#: rows), and the count of every triple with every pair (tens of billions): both run for minutes.
ROWS_WITHOUT_END = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
COUNT_WITHOUT_END = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: Seconds a process may take to end after a signal before the test calls it stuck (a bound far
#: above what it takes, which is a moment; the work it interrupts would take minutes).
STOP_BOUND = 20


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "mdq_graph", *args]


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO / "src")}


def start(
    args: list[str], cwd: Path, umask: int | None = None, **kwargs: object
) -> subprocess.Popen[bytes]:
    def child_setup() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # as a shell gives a foreground command
        if umask is not None:
            os.umask(umask)

    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        args,
        cwd=cwd,
        env=environment(),
        stdout=kwargs.pop("stdout", subprocess.PIPE),
        stderr=kwargs.pop("stderr", subprocess.PIPE),
        preexec_fn=child_setup,
        **kwargs,
    )


def run(args: list[str], cwd: Path, umask: int | None = None) -> subprocess.CompletedProcess[str]:
    process = start(args, cwd, umask)
    out, err = process.communicate(timeout=600)
    return subprocess.CompletedProcess(args, process.returncode, out.decode(), err.decode())


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[bytes]) -> None:
    """Wait until `condition` holds while `process` runs (it must not end first)."""
    while not condition():
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)


def command_started(process: subprocess.Popen[bytes]) -> bool:
    """Whether the command runs (its thread that watches for signals has started)."""
    return len(list(Path(f"/proc/{process.pid}/task").iterdir())) >= 2


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic corpus big enough that loading and validating it take a few seconds."""
    folder = tmp_path_factory.mktemp("corpus")
    assert run(command("synth", "--meetings", "40", "-o", "c.nq"), folder).returncode == 0
    return folder / "c.nq"


# --- Ctrl-C and SIGTERM ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"]
)
def test_a_query_stuck_in_oxigraph_stops_at_once(tmp_path: Path, signum: int, code: int) -> None:
    process = start(command("query", COUNT_WITHOUT_END), tmp_path)
    wait_for(lambda: command_started(process), process)
    time.sleep(1)  # in the evaluation (parsing the bundled graph takes a fraction of this)
    assert process.poll() is None
    process.send_signal(signum)
    out, err = process.communicate(timeout=STOP_BOUND)
    assert process.returncode == code, err
    assert err.decode() == "mdq-graph: interrupted\n"
    assert out == b""


def test_an_interrupted_query_leaves_no_output_file(tmp_path: Path) -> None:
    process = start(command("query", ROWS_WITHOUT_END, "--format", "tsv", "-o", "r.tsv"), tmp_path)
    wait_for(lambda: bool(hidden(tmp_path)), process)  # rows are being written
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=STOP_BOUND)
    assert process.returncode == 130
    assert list(tmp_path.iterdir()) == []


def test_sigterm_during_a_load_leaves_no_staging_and_the_old_store(
    tmp_path: Path, corpus: Path
) -> None:
    assert run(command("load", "--store", "store", "-q"), tmp_path).returncode == 0
    before = (tmp_path / "store" / "mdq-store.json").read_bytes()
    process = start(command("load", "--store", "store", "-d", str(corpus), "-q"), tmp_path)
    wait_for(lambda: bool(hidden(tmp_path)), process)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=STOP_BOUND)
    assert process.returncode == 143
    assert [p.name for p in tmp_path.iterdir()] == ["store"]
    assert (tmp_path / "store" / "mdq-store.json").read_bytes() == before


def test_the_staging_of_a_killed_load_is_removed_by_the_next(tmp_path: Path, corpus: Path) -> None:
    process = start(command("load", "--store", "store", "-d", str(corpus), "-q"), tmp_path)
    wait_for(lambda: bool(hidden(tmp_path)), process)
    process.kill()  # SIGKILL: nothing can clean up
    process.communicate(timeout=STOP_BOUND)
    assert hidden(tmp_path) != []
    assert run(command("load", "--store", "store", "-q"), tmp_path).returncode == 0
    assert [p.name for p in tmp_path.iterdir()] == ["store"]


def test_a_closed_pipe_ends_the_command_quietly(tmp_path: Path) -> None:
    process = start(command("query", ROWS_WITHOUT_END, "--format", "csv"), tmp_path)
    assert process.stdout is not None
    process.stdout.read(1000)
    process.stdout.close()
    _, err = process.communicate(timeout=STOP_BOUND)
    assert process.returncode == 141 and err == b""


# --- Permissions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o027], ids=["umask-022", "umask-027"])
def test_every_output_follows_the_umask(tmp_path: Path, umask: int) -> None:
    file_mode, folder_mode = 0o666 & ~umask, 0o777 & ~umask
    for args in (
        ["export", "-f", "nt", "-o", "mdq.nt"],
        ["catalog", "-o", "catalog.ttl"],
        ["query", "--name", "participants", "--format", "csv", "-o", "answers.csv"],
        ["validate", "--format", "json", "-o", "report.json"],
        ["load", "--store", "store", "-q"],
        ["synth", "--meetings", "1", "-o", "corpus.trig"],
    ):
        done = run(command(*args), tmp_path, umask)
        assert done.returncode == 0, done.stderr
    for name in ("mdq.nt", "catalog.ttl", "answers.csv", "report.json", "corpus.trig"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == file_mode, name
    for folder in (tmp_path / "store", tmp_path / "corpus.sources"):
        assert stat.S_IMODE(folder.stat().st_mode) == folder_mode, folder
        for inner in folder.rglob("*"):
            expected = folder_mode if inner.is_dir() else file_mode
            assert stat.S_IMODE(inner.stat().st_mode) & ~expected == 0, inner


def test_a_file_written_over_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "mdq.nt"
    target.write_text("old")
    target.chmod(0o644)
    assert run(command("export", "-f", "nt", "-o", "mdq.nt"), tmp_path, 0o077).returncode == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert target.read_text() != "old"


# --- Disks that refuse ---------------------------------------------------------------------------------


@pytest.fixture()
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 KiB tmpfs (a real full disk), where the system lets this process mount one."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


WRITERS = {
    "export": ["export", "-f", "nt", "-o", "{dir}/mdq.nt"],
    "query": ["query", "SELECT * WHERE { ?a ?b ?c }", "--format", "csv", "-o", "{dir}/r.csv"],
    "catalog": ["catalog", "-o", "{dir}/catalog.ttl"],
    "validate": ["validate", "--format", "turtle", "-o", "{dir}/report.ttl"],
    "synth": ["synth", "--meetings", "3", "-o", "{dir}/c.nq"],
    "load": ["load", "--store", "{dir}/store", "-q"],
    "publish": ["publish", "{dir}/site", "-q"],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_a_full_disk_is_one_line_naming_the_path(tiny_disk: Path, name: str) -> None:
    args = WRITERS[name]
    done = run(command(*(a.replace("{dir}", str(tiny_disk)) for a in args)), tiny_disk.parent)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("mdq-graph: error: ") and done.stderr.count("\n") == 1
    assert str(tiny_disk) in done.stderr and "Traceback" not in done.stderr
    assert list(tiny_disk.iterdir()) == []  # nothing half-written


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_a_read_only_disk_is_one_line_naming_the_path(tiny_disk: Path, name: str) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
    args = WRITERS[name]
    done = run(command(*(a.replace("{dir}", str(tiny_disk)) for a in args)), tiny_disk.parent)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "read-only" in done.stderr, done.stderr
    assert str(tiny_disk) in done.stderr


@pytest.mark.parametrize("args", [["export", "-f", "nt"], ["query", "--format", "csv",
                                  ROWS_WITHOUT_END]], ids=["export", "query"])  # fmt: skip
def test_a_full_standard_output_is_one_line(tmp_path: Path, args: list[str]) -> None:
    with Path("/dev/full").open("wb") as full:
        process = start(command(*args), tmp_path, stdout=full)
        _, err = process.communicate(timeout=600)
    assert process.returncode == 2
    assert err.decode() == (
        "mdq-graph: error: standard output: cannot write: no space left on the device\n"
    )


# --- Progress on a terminal ------------------------------------------------------------------------


def on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run with stderr on a pseudo-terminal; the exit code and what the terminal showed."""
    leader, follower = pty.openpty()
    process = start(args, cwd, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return process.wait(timeout=600), shown.decode(errors="replace")


@pytest.mark.parametrize(
    ("args", "verb"),
    [
        (["validate", "{corpus}"], "validating"),
        (["--data", "{corpus}", "export", "-f", "nq", "-o", "out.nq"], "exporting"),
        (["load", "--store", "store", "-d", "{corpus}"], "loading"),
        # A small graph: a site is thousands of files, and a few hundred take seconds already.
        (["--data", "{small}", "publish", "site"], "publishing"),
    ],
    ids=["validate", "export", "load", "publish"],
)
def test_progress_shows_on_a_terminal_and_not_with_quiet(
    tmp_path: Path, corpus: Path, args: list[str], verb: str
) -> None:
    given = [a.format(corpus=corpus, small=ONE_MEETING) for a in args]
    code, shown = on_a_terminal(command(*given), tmp_path)
    assert code == 0, shown
    assert f"mdq-graph: {verb}" in shown and " s)" in shown
    assert shown.rstrip(" \r\n").endswith("\x1b[K")  # the line is taken away at the end
    code, shown = on_a_terminal(command(*given, "-q"), tmp_path)
    assert (code, shown) == (0, "")


def test_no_progress_in_a_pipe(tmp_path: Path, corpus: Path) -> None:
    done = run(command("load", "--store", "store", "-d", str(corpus)), tmp_path)
    assert done.returncode == 0 and done.stderr == ""


#: Typed literals an Oxigraph store keeps as values, and one that is ill-typed (rdflib logs a
#: warning with a traceback for it when it reads it).
ODD_LITERALS = """@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://example.org/a> <https://example.org/p> "007"^^xsd:integer , "1.0E3"^^xsd:double ,
    "INF"^^xsd:double , "1"^^xsd:boolean , "abc"^^xsd:integer .
"""


@pytest.mark.parametrize(
    "args",
    [
        ["export", "-f", "nt", "-o", "-"],
        ["export", "-f", "json-ld"],
        ["export", "-f", "xml"],
        ["info"],
        ["validate"],
        ["query", "SELECT ?o WHERE { ?s <https://example.org/p> ?o }"],
    ],
    ids=["export-nt-to-dash", "export-json-ld", "export-xml", "info", "validate", "query"],
)
def test_odd_literals_give_no_traceback_and_exports_keep_them(
    tmp_path: Path, args: list[str]
) -> None:
    data = tmp_path / "odd.ttl"
    data.write_text(ODD_LITERALS)
    done = subprocess.run(
        command("--data", str(data), *args), cwd=tmp_path, env=environment(), capture_output=True
    )
    assert done.returncode in (0, 1), done.stderr
    errors = done.stderr.decode()
    assert "Traceback" not in errors
    assert all(line.startswith("mdq-graph: ") for line in errors.splitlines()), errors
    assert not (tmp_path / "-").exists(), "'-' is standard output"
    if args[:3] == ["export", "-f", "nt"]:
        for form in ("007", "1.0E3", "INF", "1", "abc"):
            assert f'<https://example.org/p> "{form}"^^'.encode() in done.stdout, form
