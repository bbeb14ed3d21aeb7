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
import logging
import os
import queue
import select
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from mdq_graph.errors import MdqError
from mdq_graph.web.jobs import TABLE, DataSource, Failure, Job, Outcome, WorkerConfig

__all__ = [
    "TABLE",
    "DataSource",
    "Failure",
    "Job",
    "Outcome",
    "PoolBusy",
    "PoolStats",
    "QueryTimeout",
    "WorkerFailed",
    "WorkerPool",
]

log = logging.getLogger(__name__)

_STARTUP_TIMEOUT = 60.0


class QueryTimeout(MdqError):
    """A query ran longer than the time limit; its worker was killed."""


class PoolBusy(MdqError):
    """Every worker is busy and too many queries are waiting."""


class WorkerFailed(MdqError):
    """A worker died while running a query (it ran out of memory, or crashed)."""


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

        A fresh interpreter (`python -m mdq_graph.web.jobs FD`), not multiprocessing: its spawn
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
                    [sys.executable, "-m", "mdq_graph.web.jobs", str(theirs.fileno())],
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
