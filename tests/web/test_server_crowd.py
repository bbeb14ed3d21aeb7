"""A crowd of clients against a real server on loopback: slow bodies are cut off (408), a long
query beyond the long places is answered "busy" at once (503 with Retry-After), and a bounded soak
of mixed cheap and expensive queries answers nine cheap queries in ten while the expensive ones
run, with no 5xx but the documented 503s and no leaked descriptor."""

from __future__ import annotations

import collections
import concurrent.futures
import os
import random
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mdq_graph.web.publication import Publication
from mdq_graph.web.server import ServerSettings, create_app, uvicorn_options

# Imported for pytest to find the session fixtures.
from tests.support.serving import publication as publication
from tests.support.serving import running_server
from tests.support.virtuoso import bypass_proxy_for_loopback

pytestmark = pytest.mark.slow

JSON = "application/sparql-results+json"
CHEAP = "SELECT ?s WHERE { ?s a <https://w3id.org/mdq/ontology#Meeting> } LIMIT 1"
#: Four unconstrained triple patterns joined: runs until the time limit.
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SETTINGS = ServerSettings(
    workers=2,
    max_waiting=32,
    timeout=5.0,
    queue_timeout=3.0,
    quick_budget=0.25,
    reserved_workers=1,
    body_timeout=1.0,
)
SEED = 14
SOAK_REQUESTS = 300
SOAK_CLIENTS = 24
#: Every cheap query is answered (200, or 503 busy with Retry-After) within this many seconds: its
#: longest wait for a worker, then its own run within the quick budget, and slack for a loaded
#: machine (not its run time: no test asserts a time, this bounds waiting behind expensive queries).
CHEAP_BOUND = SETTINGS.queue_timeout + SETTINGS.quick_budget + 6.0
#: The share of cheap queries answered 200 while one in ten queries is expensive: the reserved
#: worker turns over within the quick budget, so the cheap ones are not crowded out.
CHEAP_ANSWERED = 0.9


@pytest.fixture(scope="module")
def root(publication: Publication) -> Iterator[str]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        bypass_proxy_for_loopback(monkeypatch)
        app = create_app(publication, settings=SETTINGS)
        with running_server(app, **uvicorn_options(SETTINGS)) as url:
            yield url


def _open_descriptors() -> int:
    return sum(1 for _ in Path("/proc/self/fd").iterdir())


def _descendants() -> int:
    """How many processes descend from this one (the workers and the process forking them)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    ours = {os.getpid()}
    grew = True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in ours}
        grew = not found <= ours
        ours |= found
    return len(ours) - 1


def test_a_slow_body_is_cut_off(root: str) -> None:
    host, port = root.split("//")[1].rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 1000\r\n\r\nSELECT"
        )
        started = time.monotonic()
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
    assert time.monotonic() - started < SETTINGS.body_timeout + 5


def test_a_long_query_beyond_the_long_places_is_busy_at_once(root: str) -> None:
    # One long query runs on; the others, past the quick budget with every long place taken,
    # are stopped and told "busy" (with Retry-After), not queued until the time limit.
    count = SETTINGS.workers + 3

    def ask(i: int) -> tuple[int, float, str | None]:
        started = time.monotonic()
        # Distinct texts: identical queries running at once share one run.
        query = EXPENSIVE.replace("?n)", f"?n{i})")
        response = httpx.get(root + "sparql", params={"query": query}, timeout=60)
        return response.status_code, time.monotonic() - started, response.headers.get("retry-after")

    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        answers = list(pool.map(ask, range(count)))
    busy = [a for a in answers if a[0] == 503 and a[2] is not None and a[1] < SETTINGS.timeout]
    assert len(busy) >= 1, answers
    assert {status for status, _, _ in answers} <= {503}, answers  # time limit or busy


def test_a_bounded_soak_of_mixed_queries(root: str) -> None:
    rng = random.Random(SEED)
    plan = [
        (EXPENSIVE.replace("?n)", f"?n{i})") if rng.random() < 0.1 else CHEAP + f" # {i}")
        for i in range(SOAK_REQUESTS)
    ]
    time.sleep(1)  # workers killed by an earlier test are replaced
    before = _open_descriptors()
    processes = _descendants()

    def ask(query: str) -> tuple[bool, int, float, str]:
        started = time.monotonic()
        response = httpx.post(
            root + "sparql",
            content=query,
            headers={"Content-Type": "application/sparql-query", "Accept": JSON},
            timeout=120,
        )
        if response.status_code == 503:
            assert "retry-after" in response.headers or "time limit" in response.text
        why = response.text[:60] if response.status_code != 200 else ""
        return query.startswith(CHEAP), response.status_code, time.monotonic() - started, why

    with concurrent.futures.ThreadPoolExecutor(SOAK_CLIENTS) as pool:
        answers = list(pool.map(ask, plan))
    assert {status for _, status, _, _ in answers} <= {200, 503}
    cheap = [(status, seconds) for is_cheap, status, seconds, _ in answers if is_cheap]
    refused = collections.Counter(why for is_cheap, _, _, why in answers if is_cheap and why)
    assert max(seconds for _, seconds in cheap) < CHEAP_BOUND, cheap
    answered = sum(1 for status, _ in cheap if status == 200)
    assert answered >= CHEAP_ANSWERED * len(cheap), refused
    expensive = [status for is_cheap, status, _, _ in answers if not is_cheap]
    assert expensive and set(expensive) <= {200, 503}
    # Killed workers were replaced, none more: the workers, a spare and the process forking them.
    deadline = time.monotonic() + 10
    while _descendants() != processes and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _descendants() == processes
    assert _open_descriptors() <= before + 8, (before, _open_descriptors())
