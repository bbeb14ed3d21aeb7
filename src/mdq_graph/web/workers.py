"""Runs SPARQL queries in worker processes that can be killed, so a runaway query is stopped.

Oxigraph evaluates a query in the calling thread and offers no way to interrupt it; a query that
joins everything with everything would burn a core until it finishes. Each query therefore runs in
a worker process, forked from one process that has loaded the data (so a worker shares it and
starts in milliseconds; an on-disk store is opened read-only by each worker); when a query outlives
its time limit the worker is killed and another forked in its place.

Queries that take long cannot crowd out quick ones: a query is "long" once it has run longer than
`quick_budget` (its cost measured, not guessed from its text), and at most `size - reserved` long
queries run at once; a query that becomes long while that many are running is stopped and answered
"busy". So `reserved` workers always turn over within the budget, and a quick query waits for at
most the queries ahead of it, each of them given no more than the budget. A spare worker takes the
place of a killed one at once.

Workers also lose the network where the kernel allows it (a new network namespace has no interface
but a loopback that is down), so even a query that slipped past `guard.check_query` could not open
a connection; they run at a lower priority than the server, and under a memory limit.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import logging
import os
import queue
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from mdq_graph.errors import MdqError, QueryError
from mdq_graph.formats.jsonld import JsonLdOptions
from mdq_graph.formats.rdf import write_rdf
from mdq_graph.graph.engine import Engine, query_error
from mdq_graph.graph.namespaces import PREFIXES
from mdq_graph.graph.rdf_formats import FORMATS, RdfFormat
from mdq_graph.query.guard import check_query
from mdq_graph.web.writers import (
    SOLUTION_MEDIA_TYPES,
    Table,
    solution_rows,
    solutions_table,
    triples_table,
    write_boolean,
    write_solutions,
    write_triples,
)

log = logging.getLogger(__name__)

#: The media type a `Job` asks for when it wants a `Table` (for an HTML page), not bytes.
TABLE = "text/html"
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_STARTUP_TIMEOUT = 60.0


class QueryTimeout(MdqError):
    """A query ran longer than the time limit; its worker was killed."""


class PoolBusy(MdqError):
    """Every worker is busy and too many queries are waiting."""


class WorkerFailed(MdqError):
    """A worker died while running a query (it ran out of memory, or crashed)."""


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


# --- inside a worker ----------------------------------------------------------------------------


def run_job(
    engine: Engine, job: Job, prefixes: Mapping[str, str] | None = None
) -> Outcome | Failure:
    """Check and run `job` on `engine`; a `Failure` says what is wrong with the query. Graphs are
    written with `prefixes` (ours by default)."""
    if prefixes is None:
        prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    started = time.perf_counter()
    try:
        check_query(job.query)
        result = _query(engine, job)
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


def _write_graph(fmt: RdfFormat, prefixes: Mapping[str, str], triples: list[ox.Triple]) -> bytes:
    """Triples as the exports write them, the JSON-LD context embedded (no client fetches it)."""
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
    nice: int = 5
    prefixes: tuple[tuple[str, str], ...] = ()


def serve_forks(sock: socket.socket) -> None:
    """The life of the process that makes workers: read the config, shed privileges, load the
    data once, then fork a worker for each socket the server sends (a fork shares the loaded data
    and starts in milliseconds, so a killed worker is replaced at once), until the server closes
    the connection."""
    conn = Connection(os.dup(sock.fileno()))
    config: WorkerConfig = conn.recv()
    isolated = isolate_network() if config.isolate else False
    with contextlib.suppress(OSError):
        os.nice(config.nice)
    # An on-disk store is opened by each worker (a database handle does not survive a fork).
    engine = config.source.open() if config.source.store_path is None else None
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped as they end
    conn.send(("ready", isolated))
    while True:
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


def serve_jobs(
    conn: Connection, config: WorkerConfig, engine: Engine | None, isolated: bool
) -> None:
    """A worker's life: open the data (unless loaded already), answer jobs until told to stop (a
    None job, or the server closing the connection)."""
    engine = engine if engine is not None else config.source.open()
    _limit_memory(config.memory_limit)
    conn.send(("ready", isolated))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send(_on_deep_stack(run_job, engine, job, dict(config.prefixes) or None))


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


# --- in the server ------------------------------------------------------------------------------


@dataclass(eq=False)
class _Worker:
    pid: int
    conn: Connection
    isolated: bool = False
    #: A handle on the process (Linux), so that a signal never reaches another process that was
    #: given the same id after this one ended.
    pidfd: int | None = None

    def __post_init__(self) -> None:
        if self.pidfd is None and hasattr(os, "pidfd_open"):
            with contextlib.suppress(OSError):
                self.pidfd = os.pidfd_open(self.pid)

    def kill(self) -> None:
        """Stop the process at once and wait until it is gone (its parent reaps it)."""
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.pidfd is None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            return
        try:
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            select.select([self.pidfd], [], [], 10)  # readable once the process has ended
        finally:
            os.close(self.pidfd)
            self.pidfd = None


@dataclass(eq=False)
class _Forker:
    """The process that forks workers, and the two ends the server talks to it through."""

    process: subprocess.Popen[bytes]
    sock: socket.socket
    conn: Connection
    lock: threading.Lock = field(default_factory=threading.Lock)

    def close(self) -> None:
        """Tell it to stop (its workers stop when the server closes their connections)."""
        with contextlib.suppress(OSError):
            self.conn.close()
        with contextlib.suppress(OSError):
            self.sock.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@dataclass
class PoolStats:
    """What the pool has done: queries run, workers killed on timeout, workers lost."""

    queries: int = 0
    timeouts: int = 0
    failures: int = 0
    busy: int = 0
    started: int = 0
    #: Queries that ran past the quick budget (and went on as long queries, or were refused).
    long: int = 0


@dataclass
class WorkerPool:
    """A fixed number of worker processes, each running one query at a time (thread-safe)."""

    source: DataSource
    size: int = 2
    timeout: float = 10.0
    #: How long a query may wait for a free worker (waiting costs nothing; a killed worker's
    #: successor takes a second or two to start).
    queue_timeout: float = 30.0
    max_waiting: int = 64
    #: Seconds a query runs as a quick one; past them it is a long query.
    quick_budget: float = 1.0
    #: Workers that long queries may not all take (clamped to leave at least one for them).
    reserved: int = 1
    #: Workers started ahead, to replace a killed worker at once.
    spares: int = 1
    isolate: bool = True
    memory_limit: int | None = 2 * 1024**3
    nice: int = 5
    prefixes: tuple[tuple[str, str], ...] = ()
    stats: PoolStats = field(default_factory=PoolStats)

    def __post_init__(self) -> None:
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._spare: queue.Queue[_Worker] = queue.Queue()
        self._waiting = 0
        self._long = 0
        self._closed = False
        self._all: set[_Worker] = set()
        self._forker: _Forker | None = None
        self._forker_lock = threading.Lock()

    @property
    def long_slots(self) -> int:
        """How many long queries may run at once: every worker but the reserved ones."""
        return max(1, self.size - max(0, self.reserved))

    @property
    def network_isolated(self) -> bool:
        """Whether every live worker runs without network access."""
        with self._lock:
            return bool(self._all) and all(w.isolated for w in self._all)

    def start(self) -> None:
        """Start the workers and wait until each has loaded the data."""
        for _ in range(self.size):
            self._idle.put(self._spawn())
        for _ in range(self.spares):
            self._in_background(self._spare)

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            with contextlib.suppress(Exception):
                worker.conn.send(None)
            worker.kill()
        with self._forker_lock:
            if self._forker is not None:
                self._forker.close()
                self._forker = None

    def run(self, job: Job) -> Outcome | Failure:
        """Run `job` in a free worker; raises `QueryTimeout`, `PoolBusy` or `WorkerFailed`."""
        worker = self._acquire()
        self.stats.queries += 1
        long = False
        try:
            worker.conn.send(job)
            budget = min(self.quick_budget, self.timeout)
            if not worker.conn.poll(budget):
                long = self._become_long(worker)
                if not worker.conn.poll(self.timeout - budget):
                    self.stats.timeouts += 1
                    self._replace(worker)
                    raise QueryTimeout(
                        f"the query ran longer than the time limit of {self.timeout:g} s and was "
                        "stopped; make it more selective (LIMIT, more specific patterns)"
                    )
            reply = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self.stats.failures += 1
            self._replace(worker)
            log.warning(
                "a query worker died running a query of %d characters; a new one is starting",
                len(job.query),
            )
            raise WorkerFailed(
                "the query stopped the process that ran it (it crashed, or needed more memory "
                "than allowed); make it more selective"
            ) from None
        finally:
            if long:
                with self._lock:
                    self._long -= 1
        self._idle.put(worker)
        assert isinstance(reply, Outcome | Failure)
        return reply

    def _become_long(self, worker: _Worker) -> bool:
        """Let the query on `worker`, past the quick budget, run on as a long query (True); if
        every long place is taken, stop it and raise `PoolBusy`."""
        with self._lock:
            self.stats.long += 1
            if self._long < self.long_slots:
                self._long += 1
                return True
            self.stats.busy += 1
        self._replace(worker)
        raise PoolBusy(
            f"the query ran longer than {self.quick_budget:g} s while the workers that may run "
            f"long queries ({self.long_slots}) were busy with others (the rest are kept for quick "
            "queries); try again in a moment, or make it more selective"
        )

    def _acquire(self) -> _Worker:
        """A free worker, waiting up to `queue_timeout` for one; `PoolBusy` if none comes."""
        with self._lock:
            if self._waiting >= self.max_waiting:
                self.stats.busy += 1
                raise PoolBusy("too many queries are waiting; try again in a moment")
            self._waiting += 1
        try:
            return self._idle.get(timeout=self.queue_timeout)
        except queue.Empty:
            self.stats.busy += 1
            raise PoolBusy(
                f"no query worker became free within {self.queue_timeout:g} s; try again later"
            ) from None
        finally:
            with self._lock:
                self._waiting -= 1

    def _replace(self, worker: _Worker) -> None:
        """Kill `worker` and put a spare in its place (or start one) and another spare."""
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        if self._closed:
            return
        try:
            self._idle.put(self._spare.get_nowait())
        except queue.Empty:
            self._in_background(self._idle)
            return
        self._in_background(self._spare)

    def _in_background(self, into: queue.Queue[_Worker]) -> None:
        """Start a worker in a thread and put it `into` a queue when it has loaded the data."""

        def spawn() -> None:
            try:
                worker = self._spawn()
            except Exception:  # logged: the pool serves on with one worker fewer
                log.exception("could not start a query worker")
                return
            if self._closed:  # closed meanwhile: nobody would stop it
                with self._lock:
                    self._all.discard(worker)
                worker.kill()
                return
            into.put(worker)

        threading.Thread(target=spawn, name="mdq-worker-spawn", daemon=True).start()

    def _spawn(self) -> _Worker:
        """A new worker that has its data, forked by the forker process."""
        forker = self._running_forker()
        ours, theirs = socket.socketpair()
        with theirs:
            try:
                with forker.lock:
                    socket.send_fds(forker.sock, [b"f"], [theirs.fileno()])
                    if not forker.conn.poll(_STARTUP_TIMEOUT):
                        raise RuntimeError("the process that starts query workers does not answer")
                    pid = forker.conn.recv()
            except BaseException:
                ours.close()
                raise
        conn = Connection(ours.detach())
        worker = _Worker(pid, conn)
        try:
            if not conn.poll(_STARTUP_TIMEOUT):
                raise RuntimeError(f"a query worker did not start within {_STARTUP_TIMEOUT:g} s")
            _, isolated = conn.recv()
        except BaseException:
            worker.kill()
            raise
        worker.isolated = bool(isolated)
        with self._lock:
            self._all.add(worker)
        self.stats.started += 1
        if self.isolate and not worker.isolated:
            log.warning("query workers run with network access (no network namespace allowed)")
        return worker

    def _running_forker(self) -> _Forker:
        """The forker process, started (again, if it has died) when needed.

        A fresh interpreter (`python -m mdq_graph.web.workers FD`), not multiprocessing: its spawn
        and forkserver methods re-import the server's main module in every worker.
        """
        with self._forker_lock:
            if self._forker is not None and self._forker.process.poll() is None:
                return self._forker
            if self._forker is not None:
                log.warning("the process that starts query workers died; starting it again")
                self._forker.close()
            ours, theirs = socket.socketpair()
            with theirs:
                process = subprocess.Popen(
                    [sys.executable, "-m", "mdq_graph.web.workers", str(theirs.fileno())],
                    pass_fds=[theirs.fileno()],
                    stdin=subprocess.DEVNULL,
                )
            forker = _Forker(process, ours, Connection(os.dup(ours.fileno())))
            config = WorkerConfig(
                self.source, self.isolate, self.memory_limit, self.nice, self.prefixes
            )
            try:
                forker.conn.send(config)
                if not forker.conn.poll(_STARTUP_TIMEOUT):
                    raise RuntimeError(
                        f"query workers could not be started within {_STARTUP_TIMEOUT:g} s"
                    )
                forker.conn.recv()
            except BaseException:
                process.kill()
                forker.close()
                raise
            self._forker = forker
            return forker


if __name__ == "__main__":
    from mdq_graph.web.workers import serve_forks as _serve

    _serve(socket.socket(fileno=int(sys.argv[1])))
