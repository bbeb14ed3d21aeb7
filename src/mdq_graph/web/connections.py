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
"""

from __future__ import annotations

import asyncio

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
        """After a response, the next request's head has the same time (unless it is here)."""
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
