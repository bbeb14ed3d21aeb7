"""A served store is not replaced under the server: `load --store S` while `serve --store S` runs
is refused (exit 2) and the server goes on answering from the same store; once it stops, load works."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from mdq_graph.cli import main
from mdq_graph.graph.store import read_store_info, store_lock
from tests.conftest import TEST_DATA
from tests.support.virtuoso import free_port

SMALL = TEST_DATA / "site" / "small.ttl"
CLI = [sys.executable, "-m", "mdq_graph"]


def _load(store: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*CLI, "--data", str(SMALL), "load", "--store", str(store)],
        capture_output=True,
        timeout=300,
    )


def test_load_is_refused_while_the_store_is_locked_for_serving(tmp_path: Path) -> None:
    store = tmp_path / "store"
    args = ["--data", str(SMALL), "load", "--store", str(store)]
    assert CliRunner().invoke(main, args).exit_code == 0
    created = read_store_info(store).created
    with store_lock(store, shared=True):
        refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 2, refused.output
    assert "is being served" in refused.output
    assert read_store_info(store).created == created
    assert CliRunner().invoke(main, args).exit_code == 0  # unlocked: replaced


def test_load_while_a_real_server_serves_the_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert _load(store).returncode == 0
    port = free_port()
    env = {**os.environ, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
    server = subprocess.Popen(
        [*CLI, "--store", str(store), "serve", "--port", str(port), "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        url = f"http://127.0.0.1:{port}/sparql"
        query = {"query": "ASK { ?s ?p ?o }"}
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url, params=query, timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "serve did not start"
            time.sleep(0.5)
        refused = _load(store)
        assert refused.returncode == 2, refused.stderr.decode()
        assert b"is being served" in refused.stderr
        assert httpx.get(url, params=query, timeout=10).status_code == 200
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    assert _load(store).returncode == 0
