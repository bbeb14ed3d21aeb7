"""`push` never shows a password given in the endpoint URL, whatever goes wrong."""

from __future__ import annotations

import httpx
import pytest

from mdq_graph.errors import MdqError
from mdq_graph.push import push_graphs, redacted

SECRET = "s3cr3t-Pa55"
ENDPOINT = f"http://user:{SECRET}@127.0.0.1:9/sparql-graph-crud"


def _answering(status: int) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, text="no"))


def _unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


TRANSPORTS = {
    "refused-credentials": _answering(401),
    "forbidden": _answering(403),
    "unavailable": _answering(503),
    "rejected": _answering(400),
    "unreachable": httpx.MockTransport(_unreachable),
}


def test_every_failure_is_collected() -> None:
    assert len(TRANSPORTS) == 5


@pytest.mark.parametrize("transport", TRANSPORTS.values(), ids=TRANSPORTS.keys())
def test_no_error_shows_the_password(transport: httpx.MockTransport) -> None:
    with pytest.raises(MdqError) as failed:
        push_graphs(
            [("https://w3id.org/mdq/graph/x", b"")],
            ENDPOINT,
            retries=0,
            backoff=0,
            transport=transport,
        )
    assert SECRET not in str(failed.value)
    assert "user:***@127.0.0.1:9" in str(failed.value)


def test_a_malformed_endpoint_is_refused_without_its_password() -> None:
    with pytest.raises(MdqError) as failed:
        push_graphs([("g", b"")], f"ftp://user:{SECRET}@host/")
    assert SECRET not in str(failed.value)


def test_a_success_reports_the_endpoint_without_its_password() -> None:
    result = push_graphs(
        [("https://w3id.org/mdq/graph/x", b"")], ENDPOINT, transport=_answering(201)
    )
    assert SECRET not in result.endpoint


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://u:p@h/x", "http://u:***@h/x"),
        ("https://u:p:q@h:1/x?y=@", "https://u:***@h:1/x?y=@"),
        ("http://u@h/x", "http://u@h/x"),
        ("http://h/x", "http://h/x"),
    ],
)
def test_redacted(url: str, shown: str) -> None:
    assert redacted(url) == shown
