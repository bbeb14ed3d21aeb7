"""Starts a throwaway Virtuoso 7 on loopback, for tests that push to a real triple store.

The server listens on 127.0.0.1 only, on two free ports chosen at run time, keeps its database in a
folder of its own and is stopped on exit. `dba`'s password is set to `PASSWORD` before the server
starts (virtuoso-t's offline `+pwdold dba +pwddba ...`), so a test that still passed with the
factory default `dba` would be caught. `dba` may write through the Graph Store endpoint
`/sparql-graph-crud-auth` (HTTP Digest only; Virtuoso answers Basic there with 401) and anyone may
read through `/sparql`; no grants are needed for either.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

BINARY = "virtuoso-t"
USER = "dba"
PASSWORD = "mdq-test-secret"
#: Seconds to wait for the HTTP server; a cold start takes 1-3 s on a 2-core machine.
STARTUP_TIMEOUT = 60.0
#: Set (or `CI` set) to fail rather than skip the tests when Virtuoso is not installed.
REQUIRE_ENV = "MDQ_REQUIRE_VIRTUOSO"

# Low memory: ~80 MB of buffers, few threads; no unix socket; no checkpoints while tests run.
_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
ServerThreads = 10
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxQueryMem = 256M
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4
DirsAllowed = ., {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}/www
ServerThreads = 5
MaxClientConnections = 5
KeepAliveTimeout = 10
HTTPProxyEnabled = 0
EnabledDavVSP = 0

[URIQA]
DefaultHost = 127.0.0.1:{http_port}

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 400
"""


@dataclass(frozen=True)
class VirtuosoServer:
    """A running Virtuoso: where to query, where to push, and as whom."""

    sparql_url: str
    graph_store_url: str
    user: str
    password: str
    workdir: Path

    def select(self, query: str) -> list[dict[str, Any]]:
        """The JSON bindings of a SPARQL SELECT, as in application/sparql-results+json."""
        response = httpx.post(
            self.sparql_url,
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
            trust_env=False,
        )
        response.raise_for_status()
        bindings: list[dict[str, Any]] = response.json()["results"]["bindings"]
        return bindings

    def triple_count(self, graph: str) -> int:
        """How many triples the named graph `graph` holds."""
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(rows[0]["n"]["value"])


def virtuoso_binary() -> str | None:
    """The path of virtuoso-t (Debian: /usr/bin/virtuoso-t), or None when it is not installed."""
    return shutil.which(BINARY)


def virtuoso_available() -> bool:
    """Whether a Virtuoso server binary is installed."""
    return virtuoso_binary() is not None


def bypass_proxy_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep httpx (which honours HTTP_PROXY) from sending loopback requests to a proxy."""
    hosts = [os.environ.get("NO_PROXY") or os.environ.get("no_proxy"), "127.0.0.1", "localhost"]
    value = ",".join(host for host in hosts if host)
    monkeypatch.setenv("NO_PROXY", value)
    monkeypatch.setenv("no_proxy", value)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_virtuoso(
    workdir: Path, *, password: str = PASSWORD, timeout: float = STARTUP_TIMEOUT
) -> Iterator[VirtuosoServer]:
    """Run Virtuoso with its database in `workdir` for the block; stop (or kill) it after."""
    binary = virtuoso_binary()
    if binary is None:
        raise RuntimeError(f"{BINARY} is not installed; run .ci/install-virtuoso.sh")
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "www").mkdir(exist_ok=True)
    sql_port = free_port()
    http_port = free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = workdir / "virtuoso.ini"
    ini.write_text(_INI.format(dir=workdir, sql_port=sql_port, http_port=http_port))
    base = f"http://127.0.0.1:{http_port}"
    command = [binary, "+foreground", "+configfile", str(ini)]
    # Creates the database and sets dba's password, then exits without serving.
    _run_offline([*command, "+pwdold", "dba", "+pwddba", password], workdir, timeout)
    with ExitStack() as stack:
        out = stack.enter_context((workdir / "virtuoso.out").open("wb"))
        process = subprocess.Popen(
            command, cwd=workdir, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
        )
        stack.callback(_stop, process)
        _wait_until_ready(process, f"{base}/sparql", workdir, timeout)
        yield VirtuosoServer(
            sparql_url=f"{base}/sparql",
            graph_store_url=f"{base}/sparql-graph-crud-auth",
            user=USER,
            password=password,
            workdir=workdir,
        )


def _run_offline(command: list[str], workdir: Path, timeout: float) -> None:
    """Run virtuoso-t for a task that ends by itself; raise with the log's tail if it fails."""
    try:
        done = subprocess.run(
            command, cwd=workdir, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(
            f"{command[0]} did not finish within {timeout} s\n{_log_tail(workdir)}"
        ) from exc
    if done.returncode != 0:
        output = done.stdout.decode(errors="replace")[-2000:]
        raise RuntimeError(
            f"{command[0]} exited with {done.returncode}\n{output}\n{_log_tail(workdir)}"
        )


def _wait_until_ready(
    process: subprocess.Popen[bytes], sparql_url: str, workdir: Path, timeout: float
) -> None:
    """Poll the SPARQL endpoint until it answers; raise with the log's tail if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"Virtuoso exited with {process.returncode} while starting\n{_log_tail(workdir)}"
            )
        try:
            response = httpx.get(sparql_url, params={"query": "ASK {}"}, timeout=2, trust_env=False)
            if response.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(
        f"Virtuoso did not answer at {sparql_url} within {timeout} s\n{_log_tail(workdir)}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Ask Virtuoso to shut down (SIGTERM does a quick shutdown), killing it if it lingers."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


def _log_tail(workdir: Path, lines: int = 30) -> str:
    """The last lines of Virtuoso's error log and console output, for error messages."""
    parts = []
    for name in ("virtuoso.log", "virtuoso.out"):
        path = workdir / name
        if path.exists():
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {path} (last {len(tail)} lines)\n" + "\n".join(tail))
    return "\n".join(parts) or f"(no log in {workdir})"


@pytest.fixture(scope="session", name="virtuoso")
def virtuoso_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """One Virtuoso for the whole session; skips (fails in CI) when it is not installed."""
    if not virtuoso_available():
        reason = f"{BINARY} not found; install it with .ci/install-virtuoso.sh"
        if os.environ.get(REQUIRE_ENV) or os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with pytest.MonkeyPatch.context() as monkeypatch:
        bypass_proxy_for_loopback(monkeypatch)
        with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
            yield server
