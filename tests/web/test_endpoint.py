"""The endpoint's direct path (`web.endpoint`) answers as the Starlette application does, byte for
byte, headers included: every request below is sent both ways to one server and the two responses
compared."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from mdq_graph.graph.service import calls_service
from mdq_graph.query.curated import curated_queries
from mdq_graph.query.guard import SOLUTION_FORMS, query_form
from mdq_graph.web.endpoint import Application
from mdq_graph.web.publication import Publication
from mdq_graph.web.server import ServerSettings, create_app
from mdq_graph.web.workers import PoolBusy, QueryTimeout, WorkerFailed

# Imported for pytest to find the session fixtures.
from tests.support.serving import publication as publication
from tests.web.test_server_safety import MALFORMED_REQUESTS

#: The header a test sets to send its request through the Starlette application instead.
VIA_STARLETTE = b"x-test-via-starlette"
JSON = "application/sparql-results+json"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SELECT_TYPES = [JSON, "application/sparql-results+xml", "text/csv", "text/tab-separated-values"]
GRAPH_TYPES = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]
CONSTRUCT = """PREFIX mdq: <https://w3id.org/mdq/ontology#>
CONSTRUCT { ?m mdq:heldIn ?p } WHERE { ?m mdq:heldIn ?p }"""
ORIGIN = {"Origin": "https://yasgui.example"}


class BothWays:
    """The application, with requests that carry `VIA_STARLETTE` sent to its Starlette
    application (the header removed), and a count of the requests that reached Starlette."""

    def __init__(self, app: Application) -> None:
        self.app = app
        self.state = app.state
        self.via_starlette = 0
        starlette = app.starlette

        async def counted(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                self.via_starlette += 1
            await starlette(scope, receive, send)

        app.starlette = counted  # type: ignore[assignment]
        self.starlette = starlette

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = scope.get("headers", [])
        if any(name == VIA_STARLETTE for name, _ in headers):
            scope = {**scope, "headers": [h for h in headers if h[0] != VIA_STARLETTE]}
            await self.starlette(scope, receive, send)
        else:
            await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def both(publication: Publication) -> Iterator[tuple[TestClient, BothWays]]:
    """A client of a server (small body limit) that can send each request either way."""
    settings = ServerSettings(workers=2, max_body=4096, max_results=20)
    app = BothWays(create_app(publication, settings=settings))
    with TestClient(app, raise_server_exceptions=False) as client:  # type: ignore[arg-type]
        yield client, app


def exchange(client: TestClient, method: str, url: str, **options: Any) -> tuple[Any, Any]:
    """The response of the direct path and of the Starlette application to the same request."""
    headers = dict(options.pop("headers", {}) or {})
    content = options.pop("content", None)
    replay = list(content) if content is not None and not isinstance(content, bytes) else content
    direct = client.request(method, url, headers=headers, content=replay, **options)
    headers[VIA_STARLETTE.decode()] = "1"
    starlette = client.request(method, url, headers=headers, content=replay, **options)
    return direct, starlette


def assert_same(direct: Any, starlette: Any) -> None:
    assert direct.status_code == starlette.status_code, (direct.text, starlette.text)
    assert direct.headers.raw == starlette.headers.raw
    assert direct.content == starlette.content


CURATED = [(q.name, q.text) for q in curated_queries()]


@pytest.mark.parametrize(("name", "text"), CURATED, ids=[n for n, _ in CURATED])
def test_curated_queries_are_answered_the_same_in_every_format(
    both: tuple[TestClient, BothWays], name: str, text: str
) -> None:
    client, _ = both
    types = SELECT_TYPES if query_form(text) in SOLUTION_FORMS else GRAPH_TYPES
    for media in [*types, BROWSER]:
        direct, starlette = exchange(
            client, "GET", "/sparql", params={"query": text}, headers={"Accept": media}
        )
        # (a query that calls another endpoint is refused: 400, both ways)
        assert direct.status_code == (400 if calls_service(text) else 200), direct.text
        assert_same(direct, starlette)
    direct, starlette = exchange(client, "GET", "/sparql", params={"name": name})
    assert_same(direct, starlette)


PROTOCOL_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/sparql", {"params": {"query": CONSTRUCT}, "headers": ORIGIN}),
    ("HEAD", "/sparql", {"params": {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"}}),
    ("GET", "/sparql", {"params": {"query": "SELECT * WHERE { ?s ?p ?o }"}}),  # cut: MaxRows
    ("GET", "/sparql", {"params": {"query": "ASK {}", "format": "xml"}}),
    ("GET", "/sparql", {"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}),
    ("GET", "/sparql", {"params": {"query": CONSTRUCT, "format": "csv"}}),
    ("GET", "/sparql", {"params": {"query": "ASK {}", "format": "nonsense"}}),
    ("GET", "/sparql", {"params": {"query": "SELECT * WHERE {"}}),
    ("GET", "/sparql", {"params": {"query": "SELECT * WHERE {"}, "headers": {"Accept": BROWSER}}),
    ("GET", "/sparql", {"params": {"query": "SELECT * { SERVICE <http://x.example/> {} }"}}),
    ("GET", "/sparql", {"params": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}}),
    ("GET", "/sparql", {"params": {"update": "CLEAR ALL"}}),
    ("GET", "/sparql", {"params": {"query": ["ASK {}", "ASK {}"]}}),
    ("GET", "/sparql", {"params": {"query": "ASK {} #" + "x" * 5000}}),
    ("GET", "/sparql", {"params": {"name": "no-such-query"}}),
    ("GET", "/sparql", {}),
    ("GET", "/sparql", {"headers": {"Accept": BROWSER}}),
    ("GET", "/sparql", {"headers": {"Accept": "text/turtle", **ORIGIN}}),
    ("POST", "/sparql", {"data": {"query": "SELECT (1 AS ?one) WHERE {}"}}),
    ("POST", "/sparql", {"data": {"query": "SELECT * WHERE {} #" + "x" * 5000}}),
    (
        "POST",
        "/sparql",
        {"content": b"ASK {}", "headers": {"Content-Type": "application/sparql-query"}},
    ),
    (
        "POST",
        "/sparql",
        {
            "content": iter([b"ASK {} #", b"x" * 5000]),
            "headers": {"Content-Type": "application/sparql-query"},
        },
    ),
    (
        "POST",
        "/sparql",
        {"content": b"CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}},
    ),
    ("POST", "/sparql", {"content": b"ASK {}", "headers": {"Content-Type": "text/plain"}}),
    ("PUT", "/sparql", {"content": b"ASK {}"}),
    ("OPTIONS", "/sparql", {}),
    (
        "OPTIONS",
        "/sparql",
        {"headers": {**ORIGIN, "Access-Control-Request-Method": "POST"}},
    ),
    *(case for case in MALFORMED_REQUESTS if case[1].startswith("/sparql")),
]


@pytest.mark.parametrize(
    ("method", "url", "options"), PROTOCOL_CASES, ids=[str(i) for i in range(len(PROTOCOL_CASES))]
)
def test_protocol_cases_are_answered_the_same(
    both: tuple[TestClient, BothWays], method: str, url: str, options: dict[str, Any]
) -> None:
    client, _ = both
    assert_same(*exchange(client, method, url, **dict(options)))


def test_a_result_the_client_has_is_304_both_ways(both: tuple[TestClient, BothWays]) -> None:
    client, _ = both
    params = {"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2"}
    etag = client.get("/sparql", params=params).headers["etag"]
    direct, starlette = exchange(
        client, "GET", "/sparql", params=params, headers={"If-None-Match": etag}
    )
    assert direct.status_code == 304
    assert_same(direct, starlette)


@pytest.mark.parametrize(
    "error",
    [
        PoolBusy("too many queries"),
        QueryTimeout("the query ran too long"),
        WorkerFailed("the worker died"),
        RuntimeError("secret internal detail"),
    ],
    ids=["busy", "timeout", "worker-failed", "internal"],
)
@pytest.mark.parametrize("accept", [JSON, BROWSER])
def test_failures_of_the_pool_are_answered_the_same(
    both: tuple[TestClient, BothWays],
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    accept: str,
) -> None:
    client, app = both

    async def failing(job: object) -> None:
        raise error

    monkeypatch.setattr(app.state.server.pool, "run", failing)
    query = {"query": f"SELECT * WHERE {{ ?s ?p ?o }} # {type(error).__name__} {accept}"}
    direct, starlette = exchange(client, "GET", "/sparql", params=query, headers={"Accept": accept})
    assert direct.status_code in (500, 503)
    assert_same(direct, starlette)
    assert "secret" not in direct.text


@pytest.mark.parametrize(
    ("method", "url", "direct"),
    [
        ("GET", "/sparql?query=ASK%7B%7D", True),
        ("HEAD", "/sparql?query=ASK%7B%7D", True),
        ("POST", "/sparql?query=ASK%7B%7D", True),
        ("OPTIONS", "/sparql", False),
        ("GET", "/sparql/", False),
        ("GET", "/", False),
    ],
)
def test_only_the_endpoint_skips_starlette(
    both: tuple[TestClient, BothWays], method: str, url: str, direct: bool
) -> None:
    client, app = both
    before = app.via_starlette
    client.request(method, url)
    assert (app.via_starlette == before) is direct
