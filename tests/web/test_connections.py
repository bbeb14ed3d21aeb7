"""The transport that sends a response's head and body in one write (`web.connections`)."""

from __future__ import annotations

import asyncio

import pytest

from mdq_graph.web.connections import CoalescingTransport


class Recorder(asyncio.Transport):
    """A transport that records what is written to it, and whether it was closed or aborted."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.ended = ""

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.ended = "closed"

    def abort(self) -> None:
        self.ended = "aborted"

    def is_closing(self) -> bool:
        return bool(self.ended)

    def get_write_buffer_size(self) -> int:
        return 0


@pytest.mark.parametrize(
    ("parts", "then", "writes", "ended"),
    [
        ([b"HTTP/1.1 200 OK\r\n\r\n", b"body"], "flush", [b"HTTP/1.1 200 OK\r\n\r\nbody"], ""),
        ([b"head", b"", b"body", b"!"], "flush", [b"headbody!"], ""),
        ([b"head", b"body"], "next turn", [b"headbody"], ""),
        ([b"408 late"], "close", [b"408 late"], "closed"),
        ([b"head"], "abort", [], "aborted"),
        ([], "flush", [], ""),
    ],
    ids=[
        "a-response",
        "empty-writes-skipped",
        "next-turn",
        "close-sends-first",
        "abort",
        "nothing",
    ],
)
def test_writes_in_one_turn_leave_in_one(
    parts: list[bytes], then: str, writes: list[bytes], ended: str
) -> None:
    async def scenario() -> Recorder:
        inner = Recorder()
        transport = CoalescingTransport(inner, asyncio.get_running_loop())
        for part in parts:
            transport.write(part)
        assert inner.writes == []  # held until the response is complete or the turn ends
        assert transport.get_write_buffer_size() == sum(map(len, parts))
        if then == "next turn":
            await asyncio.sleep(0)
        else:
            getattr(transport, then)()
        await asyncio.sleep(0)  # a flush already done is not repeated at the next turn
        return inner

    inner = asyncio.run(scenario())
    assert inner.writes == writes
    assert inner.ended == ended
