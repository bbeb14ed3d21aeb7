"""HTTP/1.1 connections: uvicorn's httptools protocol with a deadline for the head of every request.

uvicorn closes a connection left idle between requests (`timeout_keep_alive`), but it waits for a
request's line and headers as long as the client takes: a client that opens a connection and sends
nothing, or a byte of headers now and then (slowloris), holds the connection, and a file descriptor,
for ever; a few hundred of them take every connection the server allows. Here the head of each
request must be complete within `header_timeout` seconds of the connection opening (or of the
previous response): after that, a client that has sent part of a head is answered 408 (RFC 9110
§15.5.9) and the connection closed; one that has sent nothing is closed. The body has its own
limit (`read_body`).

The parser is httptools (llhttp, in C), not h11: h11 parses in Python, and took more of a request's
time than the SPARQL engine did on a small query.

A response leaves in one write: uvicorn writes its head and its body separately, and each write
is a system call that sends a segment and wakes the client (on loopback, the kernel delivers it
within the call: most of the server process's time on a small query). Writes made in one turn of
the event loop are joined (`CoalescingTransport`) and sent when the response is complete, or at
the next turn of the loop at the latest.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_TIMEOUT_MESSAGE = b"408 Request Timeout: the request's headers did not arrive in time.\n"
_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\n"
    b"content-length: " + str(len(_TIMEOUT_MESSAGE)).encode() + b"\r\n\r\n" + _TIMEOUT_MESSAGE
)


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol that closes a connection whose request head is late."""

    #: Seconds a request's line and headers may take to arrive.
    header_timeout: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the clock for the first request's head."""
        self._deadline: asyncio.TimerHandle | None = None
        self._in_head = False  # part of a request's head has arrived, not all of it
        super().connection_made(transport)
        # Responses are written through it (uvicorn hands `self.transport` to each request).
        self.transport = CoalescingTransport(transport, self.loop)
        self._start_clock()

    def on_message_begin(self) -> None:
        """A request's head has begun."""
        self._in_head = True
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        """The head is complete: stop the clock."""
        self._in_head = False
        self._stop_clock()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        """Send the response; the next request's head has the same time (unless it is here)."""
        transport = self.transport
        if isinstance(transport, CoalescingTransport):
            transport.flush()
        super().on_response_complete()
        if not self.transport.is_closing() and not self.pipeline:
            self._start_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the clock of a closed connection."""
        self._stop_clock()
        super().connection_lost(exc)

    def _start_clock(self) -> None:
        self._stop_clock()
        self._deadline = self.loop.call_later(self.header_timeout, self._on_late_head)

    def _stop_clock(self) -> None:
        deadline = getattr(self, "_deadline", None)
        if deadline is not None:
            deadline.cancel()
            self._deadline = None

    def _on_late_head(self) -> None:
        """408 to a client that has sent part of a head; close an idle connection."""
        self._deadline = None
        if self.transport.is_closing():
            return
        if self._in_head:
            self.transport.write(_TIMEOUT_RESPONSE)
            self.transport.close()
        elif self.cycle is None or self.cycle.response_complete:
            self.transport.close()


def header_deadline_protocol(timeout: float) -> type[HeaderDeadlineProtocol]:
    """The protocol class for uvicorn's `http` option, with `timeout` seconds for a head."""
    return type("HeaderDeadlineProtocol", (HeaderDeadlineProtocol,), {"header_timeout": timeout})


class CoalescingTransport(asyncio.Transport):
    """A transport whose writes in one turn of the event loop leave in one system call: they are
    held until `flush` (the protocol calls it when a response is complete), or until the next turn
    of the loop, whichever comes first. Closing sends what is held first; aborting drops it."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._transport = transport
        self._loop = loop
        self._held: list[bytes | bytearray | memoryview] = []
        self._size = 0
        self._flush_soon: asyncio.Handle | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        self._held.append(data)
        self._size += len(data)
        if self._flush_soon is None:
            self._flush_soon = self._loop.call_soon(self.flush)

    def writelines(self, list_of_data: Any) -> None:
        for data in list_of_data:
            self.write(data)

    def flush(self) -> None:
        """Send what is held, in one write."""
        if self._flush_soon is not None:
            self._flush_soon.cancel()
            self._flush_soon = None
        if not self._held:
            return
        held = self._held
        self._held, self._size = [], 0
        self._transport.write(held[0] if len(held) == 1 else b"".join(held))

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held, self._size = [], 0
        self._transport.abort()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def can_write_eof(self) -> bool:
        return self._transport.can_write_eof()

    def get_write_buffer_size(self) -> int:
        return self._size + self._transport.get_write_buffer_size()

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._transport.get_write_buffer_limits()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._transport.set_write_buffer_limits(high, low)

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def is_reading(self) -> bool:
        return self._transport.is_reading()

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._transport.get_protocol()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)
