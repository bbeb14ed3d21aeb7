"""Commands import only what they use: `--help` and a query on a store load no rdflib, pySHACL or
web server (a real process each: what a process imports is what it pays for at start-up)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mdq_graph.graph.loader import build_store
from tests.conftest import REPO

#: The libraries that only some commands need (SHACL beyond the engine, the server, rdflib's edges,
#: the HTTP client of `push`).
HEAVY = ("rdflib", "pyshacl", "starlette", "uvicorn", "httpx")

#: Runs the command line as `python -m mdq_graph` does, then names the heavy modules it imported.
PROBE = """
import atexit, sys
atexit.register(lambda: print("imported:", *sorted(m for m in {heavy!r} if m in sys.modules)))
sys.argv = ["mdq-graph", *{args!r}]
from mdq_graph.__main__ import run
run()
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("imports") / "store"
    build_store(path)
    return path


def heavy_imports(*args: str) -> list[str]:
    code = PROBE.format(heavy=HEAVY, args=list(args))
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("imported:"), done.stdout
    return last.split()[1:]


@pytest.mark.parametrize("args", [["--help"], ["query", "--help"], ["validate", "--help"]])
def test_help_loads_no_heavy_library(args: list[str]) -> None:
    assert heavy_imports(*args) == []


def test_a_query_on_a_store_loads_no_heavy_library(store: Path) -> None:
    assert heavy_imports("--store", str(store), "query", "--name", "participants") == []


def test_the_probe_sees_what_a_command_imports(store: Path) -> None:
    # Export writes through the store but its description is an rdflib graph: rdflib is imported.
    assert "rdflib" in heavy_imports("--store", str(store), "export", "--format", "nt")
