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
a connection; they run under a memory limit. A query runs at the server's priority while it is
quick (the wait for a lower-priority process to be scheduled, on a busy machine, was most of a
quick query's time); once it becomes long, its worker's priority is lowered (`nice`), so that long
queries cannot slow the server; after it, the worker gets its priority back or, where the system
does not allow that, is replaced.

The server talks to its workers on its event loop (no thread per query): a job goes out and its
reply comes back over the worker's socket, framed and pickled as `multiprocessing.connection` does
(so a worker reads and writes with a plain `Connection`), and the waits (for a free worker, for the
reply within the budget and the time limit) are the event loop's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import queue
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
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
    #: The server's end of the worker's socket (non-blocking once the worker has started).
    sock: socket.socket
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
            self.sock.close()
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
    """A fixed number of worker processes, each running one query at a time.

    `start` and `close` are called from a thread (they wait for processes); `run` on the event loop
    given to `start`, and only there.
    """

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
    #: How much lower (`nice`) a long query runs.
    nice: int = 5
    prefixes: tuple[tuple[str, str], ...] = ()
    stats: PoolStats = field(default_factory=PoolStats)

    def __post_init__(self) -> None:
        # On the event loop only: the free workers, and the queries waiting for one.
        self._idle: deque[_Worker] = deque()
        self._waiters: deque[asyncio.Future[_Worker]] = deque()
        self._long = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._spare: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self._all: set[_Worker] = set()
        self._forker: _Forker | None = None
        self._forker_lock = threading.Lock()
        # The server's own niceness: quick queries run at it, long ones `nice` lower (the kernel
        # caps a niceness at 19), relative to it, so a server started under `nice` stays there.
        self._priority = os.getpriority(os.PRIO_PROCESS, 0)

    @property
    def long_slots(self) -> int:
        """How many long queries may run at once: every worker but the reserved ones."""
        return max(1, self.size - max(0, self.reserved))

    @property
    def network_isolated(self) -> bool:
        """Whether every live worker runs without network access."""
        with self._lock:
            return bool(self._all) and all(w.isolated for w in self._all)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start one worker and wait until it has its data (queries are answered from then on);
        the others, and the spares, start in the background. `run` is called on `loop` (which
        serves nothing yet: the first worker is handed to it directly)."""
        self._loop = loop
        self._idle.append(self._spawn())
        for _ in range(self.size - 1):
            self._in_background(self._give)
        for _ in range(self.spares):
            self._in_background(self._spare.put)

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            with contextlib.suppress(Exception):
                worker.sock.send(_frame(None))
            worker.kill()
        with self._forker_lock:
            if self._forker is not None:
                self._forker.close()
                self._forker = None

    async def run(self, job: Job) -> Outcome | Failure:
        """Run `job` in a free worker; raises `QueryTimeout`, `PoolBusy` or `WorkerFailed`."""
        worker = await self._acquire()
        self.stats.queries += 1
        loop = asyncio.get_running_loop()
        long = False
        try:
            await loop.sock_sendall(worker.sock, _frame(job))
            budget = min(self.quick_budget, self.timeout)
            if not await _readable(loop, worker.sock, budget):
                long = await self._become_long(worker)
                if not await _readable(loop, worker.sock, self.timeout - budget):
                    self.stats.timeouts += 1
                    await self._replace(worker)
                    raise QueryTimeout(
                        f"the query ran longer than the time limit of {self.timeout:g} s and was "
                        "stopped; make it more selective (LIMIT, more specific patterns)"
                    )
            reply = await _read_frame(loop, worker.sock, self.timeout)
        except (EOFError, OSError):  # TimeoutError too: a reply that stalls half-way
            self.stats.failures += 1
            await self._replace(worker)
            log.warning(
                "a query worker died running a query of %d characters; a new one is starting",
                len(job.query),
            )
            raise WorkerFailed(
                "the query stopped the process that ran it (it crashed, or needed more memory "
                "than allowed); make it more selective"
            ) from None
        except asyncio.CancelledError:
            # The request was abandoned half-way: the worker's state is unknown, so it goes.
            self._discard(worker)
            raise
        finally:
            if long:
                self._long -= 1
        if long and not _set_priority(worker.pid, self._priority):
            await self._replace(worker)  # it may not get its priority back: a new one instead
        else:
            self._release(worker)
        assert isinstance(reply, Outcome | Failure)
        return reply

    async def _become_long(self, worker: _Worker) -> bool:
        """Let the query on `worker`, past the quick budget, run on as a long query (True); if
        every long place is taken, stop it and raise `PoolBusy`."""
        self.stats.long += 1
        if self._long < self.long_slots:
            self._long += 1
            _set_priority(worker.pid, min(self._priority + self.nice, 19))
            return True
        self.stats.busy += 1
        await self._replace(worker)
        raise PoolBusy(
            f"the query ran longer than {self.quick_budget:g} s while the workers that may run "
            f"long queries ({self.long_slots}) were busy with others (the rest are kept for quick "
            "queries); try again in a moment, or make it more selective"
        )

    async def _acquire(self) -> _Worker:
        """A free worker, waiting up to `queue_timeout` for one; `PoolBusy` if none comes."""
        if self._idle:
            return self._idle.popleft()
        if len(self._waiters) >= self.max_waiting:
            self.stats.busy += 1
            raise PoolBusy("too many queries are waiting; try again in a moment")
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[_Worker] = loop.create_future()
        self._waiters.append(waiter)
        # (a timer on the future itself: `asyncio.wait` with a timeout cost more than the wait)
        expiry = loop.call_later(self.queue_timeout, _expire, waiter)
        try:
            return await waiter
        except _WaitExpired:
            self.stats.busy += 1
            raise PoolBusy(
                f"no query worker became free within {self.queue_timeout:g} s; try again later"
            ) from None
        except asyncio.CancelledError:
            # A worker handed over just before the request was abandoned: pass it on.
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release(waiter.result())
            raise
        finally:
            expiry.cancel()
            # (`in` first: a failed `remove` formats the future, and the worker in it, for its
            # message, which cost more than the rest of the wait)
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def _release(self, worker: _Worker) -> None:
        """Hand a free worker to the query that has waited longest, or keep it (event loop)."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    def _give(self, worker: _Worker) -> None:
        """`_release` from any thread."""
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._release, worker)

    async def _replace(self, worker: _Worker) -> None:
        """Kill `worker` (waiting until it is gone) and put a spare in its place."""
        await asyncio.to_thread(self._discard, worker)

    def _discard(self, worker: _Worker) -> None:
        """Kill `worker` and put a spare in its place (or start one) and start another spare."""
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        if self._closed:
            return
        try:
            spare = self._spare.get_nowait()
        except queue.Empty:
            self._in_background(self._give)
            return
        self._give(spare)
        self._in_background(self._spare.put)

    def _in_background(self, into: Callable[[_Worker], None]) -> None:
        """Start a worker in a thread and hand it `into` a place when it has loaded the data."""

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
            into(worker)

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
        worker = _Worker(pid, ours)
        try:
            ours.settimeout(_STARTUP_TIMEOUT)
            try:
                _, isolated = pickle.loads(_read_frame_blocking(ours))
            except TimeoutError:
                raise RuntimeError(
                    f"a query worker did not start within {_STARTUP_TIMEOUT:g} s"
                ) from None
            ours.setblocking(False)
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
            global _early_forker
            early, _early_forker = _early_forker, None
            forker = early if early is not None and early.process.poll() is None else None
            forker = forker or _launch_forker()
            process = forker.process
            config = WorkerConfig(self.source, self.isolate, self.memory_limit, self.prefixes)
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


class _WaitExpired(Exception):
    """No worker became free within the queue timeout."""


def _expire(waiter: asyncio.Future[_Worker]) -> None:
    """End a wait for a worker that has lasted the queue timeout."""
    if not waiter.done():
        waiter.set_exception(_WaitExpired())


def _set_priority(pid: int, nice: int) -> bool:
    """Set a worker's `nice` value; False if the system does not allow it (raising it back, for
    a process without the right)."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, nice)
    except OSError:
        return False
    return True


#: A forker started ahead by `start_forker_early`, waiting for the pool that will use it.
_early_forker: _Forker | None = None


def start_forker_early() -> None:
    """Start the process that forks the query workers now, so that it starts its interpreter while
    the server imports its own modules; the first `WorkerPool` to start takes it (it waits for its
    configuration, and ends quietly if this process ends first)."""
    global _early_forker
    if _early_forker is None:
        _early_forker = _launch_forker()


def _launch_forker() -> _Forker:
    """A fresh forker process (`python -m mdq_graph.web.jobs FD`), not yet configured."""
    ours, theirs = socket.socketpair()
    with theirs:
        process = subprocess.Popen(
            [sys.executable, "-m", "mdq_graph.web.jobs", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
        )
    return _Forker(process, ours, Connection(os.dup(ours.fileno())))


# --- the wire: what `multiprocessing.connection.Connection` writes and reads ----------------------

_SIZE = struct.Struct("!i")
_LONG_SIZE = struct.Struct("!Q")


def _frame(message: object) -> bytes:
    """`message` pickled and framed as `Connection.send` frames it."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    if len(data) > 0x7FFFFFFF:
        return _SIZE.pack(-1) + _LONG_SIZE.pack(len(data)) + data
    return _SIZE.pack(len(data)) + data


async def _read_frame(
    loop: asyncio.AbstractEventLoop, sock: socket.socket, timeout: float
) -> object:
    """The next message `Connection.send` wrote to the other end of `sock`: EOFError if it was
    closed, TimeoutError if the rest of a message does not come within `timeout` seconds."""
    (size,) = _SIZE.unpack(await _read_exactly(loop, sock, _SIZE.size, timeout))
    if size == -1:
        (size,) = _LONG_SIZE.unpack(await _read_exactly(loop, sock, _LONG_SIZE.size, timeout))
    return pickle.loads(await _read_exactly(loop, sock, size, timeout))


async def _read_exactly(
    loop: asyncio.AbstractEventLoop, sock: socket.socket, size: int, timeout: float
) -> bytearray:
    """`size` bytes from the non-blocking `sock`: read at once while they are there (a reply is
    written in one go), waited for when they are not."""
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        try:
            count = sock.recv_into(view[got:])
        except BlockingIOError:
            if not await _readable(loop, sock, timeout):
                raise TimeoutError("a query worker stopped half-way through its reply") from None
            continue
        if count == 0:
            raise EOFError("the worker closed its connection")
        got += count
    return buffer


def _read_frame_blocking(sock: socket.socket) -> bytes:
    """The bytes of the next framed message on a blocking `sock`."""

    def exactly(size: int) -> bytes:
        parts = []
        while size:
            part = sock.recv(size)
            if not part:
                raise EOFError("the worker closed its connection")
            parts.append(part)
            size -= len(part)
        return b"".join(parts)

    (size,) = _SIZE.unpack(exactly(_SIZE.size))
    if size == -1:
        (size,) = _LONG_SIZE.unpack(exactly(_LONG_SIZE.size))
    return exactly(size)


async def _readable(loop: asyncio.AbstractEventLoop, sock: socket.socket, timeout: float) -> bool:
    """Whether `sock` has something to read (a reply, or the end of a dead worker) within
    `timeout` seconds; nothing is read."""
    ready: asyncio.Future[bool] = loop.create_future()

    def settle(value: bool) -> None:
        if not ready.done():
            ready.set_result(value)

    fd = sock.fileno()
    loop.add_reader(fd, settle, True)
    timer = loop.call_later(max(0.0, timeout), settle, False)
    try:
        return await ready
    finally:
        timer.cancel()
        loop.remove_reader(fd)
