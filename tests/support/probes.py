"""Probes for the security tests: a loopback listener that records every connection attempt, and
an audit hook that records every file the process opens."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Listener:
    """A TCP listener on a free loopback port; `connections` counts everyone who connected."""

    sock: socket.socket
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)

    @property
    def url(self) -> str:
        """An http URL on this listener."""
        host, port = self.sock.getsockname()
        return f"http://{host}:{port}/x"

    def serve(self) -> None:
        """Accept, record the first bytes, answer 404, until the socket closes."""
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.settimeout(2)
                with contextlib.suppress(OSError):
                    self.requests.append(conn.recv(4096))
                    conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")


@contextlib.contextmanager
def loopback_listener() -> Iterator[Listener]:
    """A `Listener` running in a thread for the duration of the block."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    listener = Listener(sock)
    thread = threading.Thread(target=listener.serve, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        # Closing alone does not wake a thread blocked in accept() on Linux (it would wait out
        # the join's timeout, 5 s a test); shutting the socket down does, at once.
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
        thread.join(timeout=5)
        if thread.is_alive():
            raise RuntimeError("the loopback listener did not stop")


_RECORDERS: list[list[str]] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _RECORDERS and event == "open" and isinstance(args[0], str | bytes | os.PathLike):
        for opened in _RECORDERS:
            opened.append(os.fsdecode(args[0]))


_installed = False


@contextlib.contextmanager
def opened_files() -> Iterator[list[str]]:
    """The paths the Python code of this process opens during the block (an audit hook: it
    cannot be removed, so it is installed once and records only while a block is active)."""
    global _installed
    if not _installed:
        sys.addaudithook(_audit)
        _installed = True
    opened: list[str] = []
    _RECORDERS.append(opened)
    try:
        yield opened
    finally:
        _RECORDERS.remove(opened)


def canary(folder: Path) -> Path:
    """A file holding a secret that no test may ever see printed."""
    path = folder / "canary.txt"
    path.write_text("CANARY-SECRET-7f3a " * 10, encoding="utf-8")
    return path
