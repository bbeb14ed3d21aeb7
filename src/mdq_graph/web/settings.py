"""The server's limits and resources, with their defaults: one light module, so that the CLI's
`serve` options and the workbench read the defaults without importing the server."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServerSettings:
    """Limits and resources of the server. `serve` has an option for each limit a deployment
    tunes (time, rows, bytes, workers, waiting queries, connections, worker memory); the rest are
    fixed here (and set by the tests)."""

    timeout: float = 10.0
    queue_timeout: float = 30.0
    max_results: int = 10_000
    max_result_bytes: int = 16 * 1024 * 1024
    max_body: int = 256 * 1024
    workers: int = 2
    max_waiting: int = 64
    #: A query that has run this many seconds is a long one; `reserved_workers` of the workers
    #: never run long queries, so quick ones are answered while long ones run.
    quick_budget: float = 1.0
    reserved_workers: int = 1
    cache_entries: int = 1024
    cache_bytes: int = 64 * 1024 * 1024
    isolate_network: bool = True
    worker_memory: int | None = 2 * 1024**3
    #: Open connections at most; beyond it uvicorn answers 503 at once (a crowd of slow clients
    #: cannot take every file descriptor).
    max_connections: int = 512
    #: Seconds a request body may take to arrive (408 after), and an idle connection may stay open.
    body_timeout: float = 10.0
    keep_alive: float = 5.0
    #: Seconds a request's line and headers may take to arrive (408 after; a slow client that
    #: sends them a byte at a time cannot hold a connection for ever).
    header_timeout: float = 10.0
