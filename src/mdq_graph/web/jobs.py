"""What a query worker does: run a job (check the query, run it, write its result within the limits),
and the life of the processes that run jobs: the forker, which leaves the network, loads the data
once and forks a worker for each socket the server sends, and the workers it forks.

`workers.WorkerPool` drives them from the server; this module is their entry point
(`python -m mdq_graph.web.jobs FD`).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import json
import os
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from mdq_graph.errors import QueryError
from mdq_graph.graph.engine import Engine, query_error
from mdq_graph.graph.iris import PREFIX_IRIS
from mdq_graph.graph.rdf_formats import FORMATS, RdfFormat
from mdq_graph.query.guard import check_query
from mdq_graph.web.writers import (
    SOLUTION_MEDIA_TYPES,
    SPARQL_JSON,
    Table,
    solution_rows,
    solutions_table,
    triples_table,
    write_boolean,
    write_solutions,
    write_triples,
)

#: The media type a `Job` asks for when it wants a `Table` (for an HTML page), not bytes.
TABLE = "text/html"
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


@dataclass(frozen=True)
class DataSource:
    """What a worker loads: N-Quads bytes into memory, or an on-disk store (the folder that
    `mdq-graph load` built) opened read-only."""

    nquads: bytes | None = None
    store_path: Path | None = None

    @classmethod
    def from_engine(cls, engine: Engine) -> DataSource:
        """The quads of `engine`'s store (its default graph included) as N-Quads."""
        data = engine.store.dump(format=ox.RdfFormat.N_QUADS)
        assert data is not None  # no output file given: the bytes are returned
        return cls(nquads=data)

    def open(self) -> Engine:
        """An engine over this data."""
        if self.store_path is not None:
            from mdq_graph.graph.store import open_store  # read-only: many processes may open it

            return open_store(self.store_path)
        store = ox.Store()
        if self.nquads:
            store.bulk_load(self.nquads, format=ox.RdfFormat.N_QUADS)
        return Engine(store)


@dataclass(frozen=True)
class Job:
    """One query to run, the dataset it runs over, and the representation and limits of its result.

    `default_graphs`/`named_graphs` are the protocol's `default-graph-uri`/`named-graph-uri`; None
    for both keeps the query's own dataset (or the union default graph). `media_type` is a SPARQL
    results or RDF media type, or `TABLE`.
    """

    query: str
    media_type: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int = 10_000
    max_bytes: int = 16 * 1024 * 1024


@dataclass(frozen=True)
class Outcome:
    """A query's result: bytes in the asked media type, or a `Table`; rows (or triples) and cut-off.

    `boolean` is set for ASK; `kind` is "solutions", "boolean" or "graph".
    """

    kind: str
    media_type: str
    body: bytes = b""
    table: Table | None = None
    boolean: bool | None = None
    count: int = 0
    truncated: bool = False
    seconds: float = 0.0


@dataclass(frozen=True)
class Failure:
    """Why a query was refused or could not run: the message for the client, and where."""

    message: str
    line: int | None = None
    column: int | None = None


# --- a job ----------------------------------------------------------------------------


def run_job(
    engine: Engine, job: Job, prefixes: Mapping[str, str] | None = None
) -> Outcome | Failure:
    """Check and run `job` on `engine`; a `Failure` says what is wrong with the query. Graphs are
    written with `prefixes` (ours by default)."""
    if prefixes is None:
        prefixes = dict(PREFIX_IRIS)
    started = time.perf_counter()
    try:
        check_query(job.query)
        result = _query(engine, job)
        outcome = None
        if isinstance(result, ox.QuerySolutions) and job.media_type == SPARQL_JSON:
            outcome = _engine_json(result, job)
            if outcome is None:  # over a limit: run again, written row by row and cut
                result = _query(engine, job)
        if outcome is None:
            outcome = _render(result, job, prefixes)
    except QueryError as err:
        return Failure(str(err), err.line, err.column)
    except (ValueError, TypeError, OSError, RuntimeError) as err:
        # Oxigraph reports evaluation problems (a bad graph IRI, an unsupported feature) this way.
        return Failure(f"SPARQL query error: {err}")
    return Outcome(**{**outcome.__dict__, "seconds": time.perf_counter() - started})


def _query(engine: Engine, job: Job) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Run the query over the job's dataset (SPARQL 1.1 Protocol §2.1.4)."""
    options: dict[str, Any] = {}
    if job.default_graphs or job.named_graphs:
        # The protocol's dataset replaces the query's; with named graphs only, the default
        # graph is empty (as with FROM NAMED alone).
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
        options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    try:
        return engine.store.query(job.query, **options)
    except SyntaxError as err:
        raise query_error(err) from None


class _ResultTooLarge(Exception):
    """A serialiser wrote more bytes than the job allows."""


class _CappedBuffer:
    """A binary output for Oxigraph's serialisers that refuses to hold more than `limit` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _ResultTooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def _engine_json(result: ox.QuerySolutions, job: Job) -> Outcome | None:
    """SELECT results as SPARQL JSON written by Oxigraph's own serialiser (byte for byte what
    `writers.write_solutions` writes, at a fraction of the cost); None if they are over the job's
    row or byte limit, which Oxigraph cannot cut at."""
    output = _CappedBuffer(job.max_bytes)
    try:
        result.serialize(output, format=ox.QueryResultsFormat.JSON)  # type: ignore[arg-type]
    except _ResultTooLarge:
        return None
    body = b"".join(output.parts)
    # The document is parsed back to count its rows (in C: far less than writing them).
    count = len(json.loads(body)["results"]["bindings"])
    if count > job.max_rows:
        return None
    return Outcome("solutions", job.media_type, body, count=count)


def _write_graph(fmt: RdfFormat, prefixes: Mapping[str, str], triples: list[ox.Triple]) -> bytes:
    """Triples as the exports write them, the JSON-LD context embedded (no client fetches it)."""
    from mdq_graph.formats.jsonld import JsonLdOptions
    from mdq_graph.formats.rdf import write_rdf

    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    return write_rdf(
        quads,
        fmt,
        prefixes=prefixes,
        base=prefixes.get("id"),
        jsonld=JsonLdOptions(),
    )


def _render(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
    job: Job,
    prefixes: Mapping[str, str],
) -> Outcome:
    """The result in the job's media type, within its limits."""
    limits = {"max_rows": job.max_rows}
    if isinstance(result, ox.QueryBoolean):
        value = bool(result)
        body = b"" if job.media_type == TABLE else write_boolean(value, job.media_type)
        return Outcome("boolean", job.media_type, body, boolean=value, count=1)
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        if job.media_type == TABLE:
            table = solutions_table(variables, solution_rows(result), **limits)
            return Outcome(
                "solutions", TABLE, table=table, count=len(table.rows), truncated=table.truncated
            )
        if job.media_type not in SOLUTION_MEDIA_TYPES:
            raise QueryError(f"a SELECT result cannot be written as {job.media_type}")
        written = write_solutions(
            variables, solution_rows(result), job.media_type, max_bytes=job.max_bytes, **limits
        )
    else:
        if job.media_type == TABLE:
            table = triples_table(result, **limits)
            return Outcome(
                "graph", TABLE, table=table, count=len(table.rows), truncated=table.truncated
            )
        fmt = next((f for f in FORMATS.values() if f.media_type == job.media_type), None)
        if fmt is None:
            raise QueryError(f"a graph (CONSTRUCT, DESCRIBE) cannot be written as {job.media_type}")
        written = write_triples(
            result,
            functools.partial(_write_graph, fmt, prefixes),
            max_bytes=job.max_bytes,
            **limits,
        )
    kind = "solutions" if isinstance(result, ox.QuerySolutions) else "graph"
    return Outcome(
        kind, job.media_type, written.body, count=written.count, truncated=written.truncated
    )


def isolate_network() -> bool:
    """Move this process into a network namespace of its own (no way out); False if not allowed."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    # As root (CAP_SYS_ADMIN) a network namespace alone; otherwise inside a new user namespace.
    return any(
        libc.unshare(flags) == 0 for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET)
    )


def _limit_memory(limit: int | None) -> None:
    """Cap this process's address space, so a query that hoards memory dies alone."""
    if not limit:
        return
    import resource

    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker is told when it starts: its data and how to confine itself."""

    source: DataSource
    isolate: bool = True
    memory_limit: int | None = None
    prefixes: tuple[tuple[str, str], ...] = ()


def serve_forks(sock: socket.socket) -> None:
    """The life of the process that makes workers: read the config, shed privileges, load the
    data once, then fork a worker for each socket the server sends (a fork shares the loaded data
    and starts in milliseconds, so a killed worker is replaced at once), until the server closes
    the connection."""
    # Ctrl-C in a terminal reaches the whole process group: the server stops the forker and its
    # workers (by closing their connections), so they ignore it (and print no traceback).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = Connection(os.dup(sock.fileno()))
    try:
        config: WorkerConfig = conn.recv()
    except (EOFError, OSError):  # started ahead by a server that then did not start
        return
    isolated = isolate_network() if config.isolate else False
    # An on-disk store is opened by each worker (a database handle does not survive a fork).
    engine = config.source.open() if config.source.store_path is None else None
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped as they end
    conn.send(("ready", isolated))
    writers_loaded = False
    while True:
        if not writers_loaded and not select.select([sock], [], [], _IDLE_BEFORE_IMPORTS)[0]:
            # The first workers are forked without them (answering sooner); the graph writers
            # (rdflib, for CONSTRUCT and DESCRIBE) are imported once things are quiet, so that
            # every worker forked later has them already.
            _import_graph_writers()
            writers_loaded = True
            continue
        try:
            _, fds, _, _ = socket.recv_fds(sock, 1, 1)
        except OSError:
            return
        if not fds:
            return
        pid = os.fork()
        if pid == 0:  # the worker
            try:
                sock.close()
                conn.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                serve_jobs(Connection(fds[0]), config, engine, isolated)
            finally:
                os._exit(0)
        os.close(fds[0])
        conn.send(pid)


#: Seconds without a request for a worker after which the forker imports the graph writers.
_IDLE_BEFORE_IMPORTS = 0.5


def _import_graph_writers() -> None:
    """Import what writing a graph result needs (`_write_graph`), ahead of the first such query."""
    import mdq_graph.formats.jsonld
    import mdq_graph.formats.rdf
    import mdq_graph.graph.namespaces  # noqa: F401


def serve_jobs(
    conn: Connection, config: WorkerConfig, engine: Engine | None, isolated: bool
) -> None:
    """A worker's life: open the data (unless loaded already), answer jobs until told to stop (a
    None job, or the server closing the connection)."""
    engine = engine if engine is not None else config.source.open()
    _limit_memory(config.memory_limit)
    conn.send(("ready", isolated))
    # One thread with a deep stack answers every job (a thread per job cost more than the job).
    _on_deep_stack(_answer_jobs, conn, engine, dict(config.prefixes) or None)


def _answer_jobs(conn: Connection, engine: Engine, prefixes: Mapping[str, str] | None) -> None:
    """Answer jobs until told to stop (a None job, or the server closing the connection)."""
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send(run_job(engine, job, prefixes))


#: The stack of the thread that runs a query. Oxigraph recurses per level of a query, and the main
#: thread's 8 MiB dies at chains of a few thousand (bench/query_depth.py); the guard keeps queries
#: well below that, and this stack multiplies the margin by 32.
WORKER_STACK = 256 * 1024**2


def _on_deep_stack(function: Any, *args: Any) -> Any:
    """`function(*args)` on a new thread with a `WORKER_STACK` stack (made after the worker has
    left the network: a new thread inherits the namespace), its result or its exception."""
    outcome: list[Any] = []

    def call() -> None:
        try:
            outcome.append((True, function(*args)))
        except BaseException as err:  # handed to the caller's thread, as if called there
            outcome.append((False, err))

    previous = threading.stack_size(WORKER_STACK)
    try:
        thread = threading.Thread(target=call, name="mdq-query")
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    succeeded, value = outcome[0]
    if not succeeded:
        raise value
    return value


if __name__ == "__main__":
    from mdq_graph.web.jobs import serve_forks as _serve

    _serve(socket.socket(fileno=int(sys.argv[1])))
