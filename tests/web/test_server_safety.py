"""Safe by default: no updates, no outbound fetches, bounded time, results and bodies, no 500s."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from mdq_graph.web.jobs import isolate_network
from mdq_graph.web.publication import Publication
from tests.support.serving import app_with

# Imported for pytest to find the session fixtures.
from tests.support.serving import client as client
from tests.support.serving import publication as publication

JSON = "application/sparql-results+json"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
#: Four unconstrained triple patterns joined: ~10^14 solutions to count, i.e. forever.
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


class Listener:
    """A TCP listener on loopback that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/sparql"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        time.sleep(0.3)  # let a late connection arrive before counting
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A loopback listener standing in for a remote SPARQL endpoint."""
    server = Listener()
    yield server
    server.close()


def triple_count(client: TestClient) -> int:
    response = client.get("/sparql", params={"query": COUNT_ALL}, headers={"Accept": JSON})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


# --- updates ---------------------------------------------------------------------------------------

UPDATES = [
    "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }",
    "PREFIX ex: <http://example.org/>\nDELETE WHERE { ?s ?p ?o }",
    "# a comment\nCLEAR ALL",
    "DROP GRAPH <https://w3id.org/mdq/graph/release-en>",
    "WITH <https://w3id.org/mdq/graph/release-en> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "insert data { <http://example.org/a> <http://example.org/b> 1 }",
]


@pytest.mark.parametrize("update", UPDATES)
def test_update_in_the_query_parameter_is_refused(client: TestClient, update: str) -> None:
    before = triple_count(client)
    response = client.get("/sparql", params={"query": update})
    assert response.status_code == 400
    assert "read-only" in response.text
    assert triple_count(client) == before


@pytest.mark.parametrize("update", UPDATES[:2])
def test_update_operation_is_refused(client: TestClient, update: str) -> None:
    before = triple_count(client)
    direct = client.post(
        "/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"}
    )
    form = client.post("/sparql", data={"update": update})
    assert (direct.status_code, form.status_code) == (400, 400)
    assert "read-only" in direct.text and "read-only" in form.text
    assert triple_count(client) == before


def test_load_is_refused_without_a_connection(client: TestClient, listener: Listener) -> None:
    response = client.get("/sparql", params={"query": f"LOAD <{listener.url}>"})
    assert response.status_code == 400
    listener.close()
    assert listener.connections == 0


# --- SERVICE ---------------------------------------------------------------------------------------

SERVICE_QUERIES = [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ OPTIONAL {{ SeRvIcE <{url}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ ?x ?y ?z FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    "SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    "PREFIX remote: <{url}>\nSELECT * WHERE {{ SERVICE remote: {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE\n# a comment\n<{url}> {{ ?s ?p ?o }} }}",
    # An operator `<` that a tokenizer would read as the start of an IRI ending in '>'.
    "SELECT * WHERE {{ FILTER(?a<?b&&'>') <http://x/#> <http://p> <http://o> . "
    "SERVICE <{url}> {{ ?x ?y ?z FILTER(?z = 'a') }} }}",
    # Escapes that rdflib decodes before tokenizing and Oxigraph only inside strings.
    'SELECT * WHERE {{ BIND("\\u0022" AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} BIND("\\u0022" AS ?y) }}',
    "SELECT * WHERE {{ BIND('\\u0027' AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} BIND('\\u0027' AS ?y) }}",
    'ASK {{ BIND("\\U00000022" AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} BIND("\\U00000022" AS ?y) }}',
]


@pytest.mark.parametrize("template", SERVICE_QUERIES)
def test_service_is_refused_without_a_connection(
    client: TestClient, listener: Listener, template: str
) -> None:
    query = template.format(url=listener.url)
    for response in (
        client.get("/sparql", params={"query": query}),
        client.post("/sparql", data={"query": query}),
    ):
        assert response.status_code == 400, response.text
        assert "SERVICE" in response.text
    listener.close()
    assert listener.connections == 0


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?x WHERE { BIND("SERVICE <http://example.org/> { ?s ?p ?o }" AS ?x) }',
        "SELECT ?x WHERE { BIND('''a\nSERVICE''' AS ?x) }",
        "SELECT ?x WHERE { BIND(<http://example.org/SERVICE> AS ?x) }",
        "PREFIX service: <http://example.org/>\nSELECT ?x WHERE { BIND(service:SERVICE AS ?x) }",
        "SELECT ?service WHERE { BIND(1 AS ?service) } # SERVICE <http://example.org/> {}",
    ],
)
def test_the_word_service_elsewhere_is_fine(client: TestClient, query: str) -> None:
    response = client.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]["bindings"]) == 1


def test_workers_have_no_network(publication: Publication, listener: Listener) -> None:
    """Defence in depth: even a query that slipped past the check could not connect."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: isolate itself as a worker does, then try to connect
        outcome = b"no-isolation"
        if isolate_network():
            try:
                socket.create_connection(
                    ("127.0.0.1", int(listener.url.split(":")[2].split("/")[0])), 2
                )
                outcome = b"connected"
            except OSError:
                outcome = b"refused"
        os.write(write, outcome)
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    outcome = os.read(read, 100)
    os.close(read)
    if outcome == b"no-isolation":
        pytest.skip("this kernel does not allow network namespaces here")
    assert outcome == b"refused"
    listener.close()
    assert listener.connections == 0


def test_served_json_ld_embeds_its_context(client: TestClient) -> None:
    """No client has to fetch a remote JSON-LD context to read what we send."""
    construct = "CONSTRUCT WHERE { <https://w3id.org/mdq/id/country/jp> ?p ?o }"
    responses = [
        client.get(
            "/sparql", params={"query": construct}, headers={"Accept": "application/ld+json"}
        ),
        client.get("/id/country/jp", headers={"Accept": "application/ld+json"}),
    ]
    for response in responses:
        document = response.json()
        assert isinstance(document["@context"], dict), document["@context"]


# --- time -----------------------------------------------------------------------------------------


def test_a_runaway_query_is_stopped_and_the_server_keeps_answering(
    publication: Publication,
) -> None:
    app = app_with(publication, workers=1, timeout=1.0)
    with TestClient(app) as slow:  # type: ignore[arg-type]
        server = slow.app.state.server  # type: ignore[attr-defined]
        (worker,) = server.pool._idle  # the one worker (a spare waits apart)
        pid = worker.pid
        started = time.monotonic()
        response = slow.get("/sparql", params={"query": EXPLOSIVE})
        assert response.status_code == 503
        assert "time limit of 1 s" in response.text
        assert time.monotonic() - started < 5
        # The worker that ran it is gone (killed and reaped), not burning a core.
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        assert server.pool.stats.timeouts == 1
        after = slow.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": JSON})
        assert after.status_code == 200
        assert after.json()["boolean"] is True
        assert worker not in server.pool._all


#: A query that runs some tenths of a second on the bundled graph, and then answers.
_HUNDRED = " ".join(map(str, range(100)))
LONG_BUT_FINITE = "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?x { " + _HUNDRED + " } ?s ?p ?o }"


def test_a_long_query_runs_at_a_lower_priority_and_its_worker_gets_it_back(
    publication: Publication,
) -> None:
    # Quick queries run at the server's priority; past the quick budget, the query's worker is
    # lowered (nice 5); after the query it is raised back (or, where that is not allowed, replaced).
    app = app_with(publication, workers=1, timeout=60.0, quick_budget=0.05)
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    with TestClient(app) as slow:  # type: ignore[arg-type]
        pool = slow.app.state.server.pool  # type: ignore[attr-defined]
        (worker,) = pool._idle
        assert os.getpriority(os.PRIO_PROCESS, worker.pid) == ours
        answers: list[int] = []
        query = threading.Thread(
            target=lambda: answers.append(
                slow.get("/sparql", params={"query": LONG_BUT_FINITE}).status_code
            )
        )
        query.start()
        seen = set()
        while query.is_alive():
            try:
                seen.add(os.getpriority(os.PRIO_PROCESS, worker.pid))
            except ProcessLookupError:  # replaced after the query
                break
            time.sleep(0.01)
        query.join()
        assert answers == [200]
        assert pool.stats.long == 1
        assert min(ours + pool.nice, 19) in seen  # a niceness above 19 is 19 (POSIX)
        after = slow.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": JSON})
        assert after.status_code == 200
        assert pool._all
        for live in pool._all:
            assert os.getpriority(os.PRIO_PROCESS, live.pid) == ours


# --- result size ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def limited(publication: Publication) -> Iterator[TestClient]:
    """A server that cuts results at 5 rows or 2000 bytes."""
    app = app_with(publication, workers=1, max_results=5, max_result_bytes=2000, max_body=4096)
    with TestClient(app) as test_client:  # type: ignore[arg-type]
        yield test_client


def test_rows_beyond_the_limit_are_cut_and_flagged(limited: TestClient) -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o }"
    response = limited.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 5
    assert response.headers["x-sparql-maxrows"] == "5"
    csv = limited.get("/sparql", params={"query": query, "format": "csv"})
    assert len(csv.text.splitlines()) == 6
    small = limited.get("/sparql", params={"query": "SELECT * WHERE {} "}, headers={"Accept": JSON})
    assert "x-sparql-maxrows" not in small.headers


def test_bytes_beyond_the_limit_are_cut_and_the_document_stays_valid(limited: TestClient) -> None:
    # Rows of about 500 bytes each, whatever order the store keeps its terms in: some fit, not 5.
    padding = "x" * 500
    query = f'SELECT ?s ?x WHERE {{ ?s a <https://w3id.org/mdq/ontology#Quote> BIND("{padding}" AS ?x) }}'

    response = limited.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    assert len(response.content) <= 2000
    rows = json.loads(response.content)["results"]["bindings"]
    assert 0 < len(rows) < 5
    assert response.headers["x-sparql-maxrows"] == str(len(rows))


def test_graphs_are_cut_too(limited: TestClient) -> None:
    response = limited.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
    )
    assert len(response.text.strip().splitlines()) == 5
    assert response.headers["x-sparql-maxrows"] == "5"


def test_the_page_says_the_result_was_cut(limited: TestClient) -> None:
    response = limited.get(
        "/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o }"}, headers={"Accept": "text/html"}
    )
    assert "The result was cut at 5 rows" in response.text


# --- request bodies -------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_413(limited: TestClient) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 5000
    assert limited.post("/sparql", data={"query": big}).status_code == 413
    direct = limited.post(
        "/sparql", content=big.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert direct.status_code == 413


def test_a_streamed_body_over_the_limit_is_413(limited: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"SELECT * WHERE { ?s ?p ?o } #"
        for _ in range(100):
            yield b"x" * 100

    response = limited.post(
        "/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413


def test_a_long_query_string_is_413(limited: TestClient) -> None:
    response = limited.get("/sparql", params={"query": "ASK {} #" + "x" * 5000})
    assert response.status_code == 413


# --- malformed input ------------------------------------------------------------------------------


def test_a_syntax_error_is_400_with_its_position(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p \n}"})
    assert response.status_code == 400
    assert "line 3, column" in response.text


def test_an_unknown_prefix_is_400(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s nope:p ?o }"})
    assert response.status_code == 400


MALFORMED_REQUESTS: list[tuple[str, str, dict[str, object]]] = [
    ("GET", "/sparql", {"params": {"query": ""}}),
    ("GET", "/sparql", {"params": {"query": "\x00\x01\x02"}}),
    ("GET", "/sparql", {"params": {"query": "SELECT"}}),
    ("GET", "/sparql", {"params": {"query": "{" * 5000}}),
    (
        "GET",
        "/sparql",
        {"params": {"query": "SELECT * WHERE { " + "{ " * 3000 + "}" * 3000 + " }"}},
    ),
    ("GET", "/sparql", {"params": {"query": "SERVICE " + "(" * 5000}}),
    ("GET", "/sparql", {"params": {"query": "ASK {}", "format": "\x00"}}),
    ("GET", "/sparql", {"params": {"query": "ASK {}", "default-graph-uri": ""}}),
    ("GET", "/sparql", {"params": {"query": "ASK {}", "named-graph-uri": "urn:x:y\n"}}),
    ("GET", "/sparql", {"params": {"query": "ASK {}"}, "headers": {"Accept": ";;;,,q=x"}}),
    ("GET", "/sparql", {"params": {"query": "ASK {}"}, "headers": {"Accept": "*/*;q=2"}}),
    ("GET", "/sparql", {"params": {"query": "ASK {}"}, "headers": {"Accept": "a" * 9000}}),
    ("GET", "/sparql?query=%ZZ%", {}),
    ("GET", "/sparql?query=%C3%28", {}),
    ("GET", "/sparql", {"params": {"name": "../../etc/passwd"}}),
    ("GET", "/sparql", {"params": {"lang": "xx"}, "headers": {"Accept": "text/html"}}),
    (
        "POST",
        "/sparql",
        {"content": b"\xff\xfe\x00", "headers": {"Content-Type": "application/sparql-query"}},
    ),
    (
        "POST",
        "/sparql",
        {"content": b"query=%FF", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
    ),
    (
        "POST",
        "/sparql",
        {"content": b"", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
    ),
    (
        "POST",
        "/sparql",
        {
            "content": b"x",
            "headers": {"Content-Type": "application/sparql-query", "Content-Length": "-1"},
        },
    ),
    ("POST", "/sparql", {"content": b"x", "headers": {"Content-Type": ""}}),
    ("PUT", "/sparql", {"content": b"x"}),
    ("DELETE", "/id/meeting/mdq-7", {}),
    ("GET", "/id/meeting/mdq-7", {"headers": {"Accept-Language": "*;q=x,ja;q=2,\x7f"}}),
    ("GET", "/id/meeting/mdq-7", {"params": {"lang": "<script>"}}),
    ("GET", "/id/%00", {}),
    ("GET", "/id/../../etc/passwd", {}),
    ("GET", "/static/../server.py", {}),
    ("GET", "/.ttl", {}),
    ("GET", "/id/meeting/mdq-7.exe", {}),
    ("GET", "/" + "a/" * 2000, {}),
    ("GET", "/download/mdq.zip", {}),
]


@pytest.mark.parametrize(
    ("method", "url", "options"),
    MALFORMED_REQUESTS,
    ids=[f"{i}" for i in range(len(MALFORMED_REQUESTS))],
)
def test_malformed_input_is_a_4xx_never_a_500(
    client: TestClient, method: str, url: str, options: dict[str, object]
) -> None:
    # The test client raises whatever the app raises: a 500 would fail the test with its traceback.
    response = client.request(method, url, **options)  # type: ignore[arg-type]
    assert 400 <= response.status_code < 500 or response.status_code == 200, response.text
    assert "Traceback" not in response.text


def test_the_collection_of_malformed_requests_did_not_shrink() -> None:
    assert len(MALFORMED_REQUESTS) == 32


def test_an_internal_error_is_a_generic_500_and_is_logged(
    publication: Publication, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_with(publication, workers=1)

    def broken(iri: str) -> None:
        raise RuntimeError("secret internal detail")

    with TestClient(app, raise_server_exceptions=False) as test_client:  # type: ignore[arg-type]
        server = test_client.app.state.server  # type: ignore[attr-defined]
        monkeypatch.setattr(server.publication.describer, "resource_view", broken)
        response = test_client.get("/id/meeting/mdq-7", headers={"Accept": "text/html"})
    assert response.status_code == 500
    assert "secret" not in response.text and "Traceback" not in response.text
    assert "secret internal detail" in caplog.text
