"""Slow clients against a real `mdq-graph serve` process: a client that sends its request's headers
a byte at a time (slowloris), or nothing at all, is cut off by the header deadline instead of
holding its connection for ever; a client on time is answered."""

from __future__ import annotations

import concurrent.futures
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from mdq_graph.web.server import ServerSettings
from tests.conftest import TEST_DATA
from tests.support.virtuoso import free_port

pytestmark = pytest.mark.slow

SMALL = TEST_DATA / "site" / "small.ttl"
#: The deadline `serve` gives a request's head (its default).
HEADER_TIMEOUT = ServerSettings().header_timeout
#: A slow client would go on sending for this long, well past the deadline.
PATIENCE = 4 * HEADER_TIMEOUT


@pytest.fixture(scope="module")
def address() -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {**os.environ, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "mdq_graph", "--data", str(SMALL), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/sparql?query=ASK{{}}", timeout=5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("serve did not start") from None
                time.sleep(0.2)
        yield "127.0.0.1", port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _trickle(address: tuple[str, int], head: bytes) -> tuple[bytes, int]:
    """Send `head` a byte at a time, 4 bytes a second, until the server answers or closes; what it
    answered and how many bytes were sent."""
    pause = PATIENCE / len(head)
    with socket.create_connection(address, timeout=PATIENCE) as sock:
        sock.setblocking(False)
        for sent, byte in enumerate(head):
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                return b"", sent
            time.sleep(pause)
            try:
                answer = sock.recv(4096)
            except BlockingIOError:
                continue
            except ConnectionResetError:
                return b"", sent
            return answer, sent
    return b"", len(head)


def _silent(address: tuple[str, int]) -> bytes | None:
    """Connect and send nothing; what the server sends before it closes (None: it never closed)."""
    with socket.create_connection(address, timeout=PATIENCE) as sock:
        try:
            return sock.recv(4096)
        except TimeoutError:
            return None


def test_slow_and_silent_clients_are_cut_off(address: tuple[str, int]) -> None:
    head = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Slow: 1\r\n" * 20
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        slow = pool.submit(_trickle, address, head + b"\r\n")
        silent = pool.submit(_silent, address)
        answer, sent = slow.result()
        closed = silent.result()
    assert sent < len(head), "the server waited for the whole head"
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
    assert closed == b"", "a connection that sent nothing stayed open"


def test_a_client_on_time_is_answered(address: tuple[str, int]) -> None:
    host, port = address
    response = httpx.get(f"http://{host}:{port}/sparql", params={"query": "ASK {}"}, timeout=30)
    assert response.status_code == 200, response.text
