"""The server's side of its query workers: the wire it shares with `multiprocessing.connection`
(what a worker reads and writes), and a forker started ahead that is never used."""

from __future__ import annotations

import asyncio
import socket
import threading
from multiprocessing.connection import Connection

import pytest

from mdq_graph.web import workers
from mdq_graph.web.jobs import Failure, Job, Outcome

#: Messages of every size class: empty, small (one write), larger than a socket's buffer (many
#: reads), and the server's own job and replies.
MESSAGES = {
    "nothing": None,
    "a small tuple": ("ready", True),
    "a job": Job("SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json"),
    "a failure": Failure("SPARQL query error", 1, 7),
    "an outcome of 4 MB": Outcome("solutions", "text/csv", b"x,y\r\n" * 800_000, count=800_000),
}


async def _read(sock: socket.socket) -> object:
    return await workers._read_frame(asyncio.get_running_loop(), sock, 30.0)


@pytest.mark.parametrize("message", list(MESSAGES.values()), ids=list(MESSAGES))
def test_what_a_worker_writes_the_server_reads(message: object) -> None:
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    worker_end = Connection(theirs.detach())
    # The worker's end writes from a thread: a large message fills the socket's buffer.
    writer = threading.Thread(target=worker_end.send, args=(message,))
    writer.start()
    try:
        received = asyncio.run(_read(ours))
    finally:
        writer.join()
        worker_end.close()
        ours.close()
    assert received == message


@pytest.mark.parametrize("message", list(MESSAGES.values()), ids=list(MESSAGES))
def test_what_the_server_writes_a_worker_reads(message: object) -> None:
    ours, theirs = socket.socketpair()
    worker_end = Connection(theirs.detach())
    writer = threading.Thread(target=ours.sendall, args=(workers._frame(message),))
    writer.start()
    try:
        assert worker_end.recv() == message
    finally:
        writer.join()
        worker_end.close()
        ours.close()


def test_a_worker_that_closes_its_end_is_an_end_of_file() -> None:
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    theirs.close()
    with pytest.raises(EOFError):
        asyncio.run(_read(ours))
    ours.close()


def test_a_forker_started_ahead_and_never_used_ends_quietly() -> None:
    workers.start_forker_early()
    forker, workers._early_forker = workers._early_forker, None
    assert forker is not None
    forker.close()  # what the server's end does when it exits without starting a pool
    assert forker.process.returncode == 0
    assert len(MESSAGES) == 5


# --- waiting for a free worker --------------------------------------------------------------------


def _pool(queue_timeout: float) -> workers.WorkerPool:
    """A pool with no worker of its own (none is started): the tests hand it stand-ins."""
    return workers.WorkerPool(workers.DataSource(nquads=b""), queue_timeout=queue_timeout)


@pytest.mark.parametrize(
    ("event", "outcome"),
    [
        ("freed", "the worker"),
        ("nothing", "busy"),
        ("freed, then abandoned", "passed on"),
        ("abandoned", "not waiting"),
    ],
)
def test_a_query_waiting_for_a_worker(event: str, outcome: str) -> None:
    async def scenario() -> str:
        pool = _pool(queue_timeout=0.2)
        worker = object()
        waiting = asyncio.create_task(pool._acquire())
        await asyncio.sleep(0)  # it waits now
        assert len(pool._waiters) == 1
        if event.startswith("freed"):
            pool._release(worker)  # type: ignore[arg-type]
        if event.endswith("abandoned"):
            waiting.cancel()
        try:
            got = await waiting
        except workers.PoolBusy:
            return "busy"
        except asyncio.CancelledError:
            assert not pool._waiters
            return "passed on" if list(pool._idle) == [worker] else "not waiting"
        assert not pool._waiters
        return "the worker" if got is worker else "another"

    assert asyncio.run(scenario()) == outcome
