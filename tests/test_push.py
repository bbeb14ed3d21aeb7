"""Pushing named graphs with the Graph Store Protocol: against a real Virtuoso, and mocked."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import httpx
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from mdq_graph.errors import PushError, UsageError
from mdq_graph.graph.namespaces import GRAPH
from mdq_graph.push import (
    CHUNK_SIZE,
    DEFAULT_GRAPH,
    N_TRIPLES,
    dataset_graphs,
    push_graphs,
)
from tests.support.virtuoso import VirtuosoServer, bypass_proxy_for_loopback, free_port

ENDPOINT = "http://store.test/graph-store"
DIGEST_CHALLENGE = 'Digest realm="test", nonce="abc123", qop="auth", algorithm="MD5"'


def two_graph_dataset(base: str, extra: int = 0) -> Dataset:
    """Two named graphs under `base` (one with a blank node), plus `extra` triples in the 2nd."""
    ds = Dataset()
    ds.parse(
        data=f"""
        @prefix ex: <http://example.org/> .
        <{base}g1> {{
            ex:meeting ex:title "7th MDQ"@en , "第7回"@ja ; ex:day 22 .
            ex:tokyo ex:hosts ex:meeting .
        }}
        <{base}g2> {{
            ex:quote ex:text "quantum" ; ex:source [ ex:page 1 ] .
        }}
        """,
        format="trig",
    )
    graph = ds.graph(URIRef(f"{base}g2"))
    for i in range(extra):
        graph.add(
            (URIRef(f"http://example.org/s{i}"), URIRef("http://example.org/n"), URIRef(base))
        )
    return ds


def local_counts(ds: Dataset) -> dict[str, int]:
    """Triples per named graph of `ds`."""
    return {str(g.identifier): len(g) for g in ds.graphs() if str(g.identifier) != DEFAULT_GRAPH}


# --- against a real Virtuoso ------------------------------------------------------------------


def push_to(server: VirtuosoServer, ds: Dataset, **options: object) -> None:
    """Push every graph of `ds` to `server` as dba."""
    push_graphs(
        dataset_graphs(ds),
        server.graph_store_url,
        user=server.user,
        password=server.password,
        **options,  # type: ignore[arg-type]
    )


@pytest.mark.slow
def test_push_stores_each_graph(virtuoso: VirtuosoServer) -> None:
    ds = two_graph_dataset(f"http://example.org/{uuid.uuid4()}/")
    graphs = dataset_graphs(ds)
    result = push_graphs(
        graphs, virtuoso.graph_store_url, user=virtuoso.user, password=virtuoso.password
    )
    assert [g.iri for g in result.graphs] == [iri for iri, _ in graphs]
    assert {g.status for g in result.graphs} <= {200, 201, 204}
    assert {iri: virtuoso.triple_count(iri) for iri in local_counts(ds)} == local_counts(ds)


@pytest.mark.slow
def test_push_again_replaces_rather_than_duplicates(virtuoso: VirtuosoServer) -> None:
    base = f"http://example.org/{uuid.uuid4()}/"
    push_to(virtuoso, two_graph_dataset(base, extra=5))
    push_to(virtuoso, two_graph_dataset(base, extra=5))
    assert virtuoso.triple_count(f"{base}g2") == len(two_graph_dataset(base, 5).graph(f"{base}g2"))
    smaller = two_graph_dataset(base, extra=1)
    push_to(virtuoso, smaller)
    assert {iri: virtuoso.triple_count(iri) for iri in local_counts(smaller)} == local_counts(
        smaller
    )


@pytest.mark.slow
def test_stored_graph_is_isomorphic_to_the_local_one(virtuoso: VirtuosoServer) -> None:
    base = f"http://example.org/{uuid.uuid4()}/"
    ds = two_graph_dataset(base)
    push_to(virtuoso, ds, auth="digest")
    rows = virtuoso.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{base}g1> {{ ?s ?p ?o }} }}")
    stored = Graph()
    stored.parse(
        data="".join(f"{_nt(row['s'])} {_nt(row['p'])} {_nt(row['o'])} .\n" for row in rows),
        format="nt",
    )
    assert isomorphic(stored, ds.graph(URIRef(f"{base}g1")))


def _nt(term: dict[str, str]) -> str:
    """A SPARQL JSON result term in N-Triples (IRIs and literals are all this test needs)."""
    if term["type"] == "uri":
        return f"<{term['value']}>"
    value = term["value"].replace("\\", "\\\\").replace('"', '\\"')
    if "xml:lang" in term:
        return f'"{value}"@{term["xml:lang"]}'
    return f'"{value}"^^<{term["datatype"]}>' if "datatype" in term else f'"{value}"'


@pytest.mark.slow
def test_progress_is_reported_in_bytes_up_to_the_total(virtuoso: VirtuosoServer) -> None:
    ds = two_graph_dataset(f"http://example.org/{uuid.uuid4()}/", extra=3000)
    graphs = dataset_graphs(ds)
    total = sum(len(body) for _, body in graphs)
    assert total > 2 * CHUNK_SIZE
    seen: list[tuple[int, int]] = []
    push_graphs(
        graphs,
        virtuoso.graph_store_url,
        user=virtuoso.user,
        password=virtuoso.password,
        progress=lambda sent, of: seen.append((sent, of)),
    )
    assert len(seen) > 2
    assert seen == sorted(seen)
    assert seen[-1] == (total, total)


@pytest.mark.slow
def test_wrong_password_is_refused(virtuoso: VirtuosoServer) -> None:
    ds = two_graph_dataset(f"http://example.org/{uuid.uuid4()}/")
    with pytest.raises(PushError, match="refused the credentials for user 'dba'"):
        push_graphs(
            dataset_graphs(ds), virtuoso.graph_store_url, user="dba", password="not-the-password"
        )
    assert virtuoso.triple_count(next(iter(local_counts(ds)))) == 0


@pytest.mark.slow
def test_virtuoso_refuses_basic_auth_on_its_graph_store(virtuoso: VirtuosoServer) -> None:
    ds = two_graph_dataset(f"http://example.org/{uuid.uuid4()}/")
    with pytest.raises(PushError, match="credentials"):
        push_to(virtuoso, ds, auth="basic")


def test_unreachable_endpoint_fails_quickly(monkeypatch: pytest.MonkeyPatch) -> None:
    bypass_proxy_for_loopback(monkeypatch)
    endpoint = f"http://127.0.0.1:{free_port()}/store"
    started = time.monotonic()
    with pytest.raises(PushError, match=r"cannot reach the endpoint .* after 2 attempt"):
        push_graphs([("http://example.org/g", b"x")], endpoint, retries=1, backoff=0.1)
    assert time.monotonic() - started < 2


# --- mocked HTTP ------------------------------------------------------------------------------


Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A mock store: answers with `handler` and keeps every request it saw, with its body."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def puts(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "PUT"]


def answers(*statuses: int, headers: dict[str, str] | None = None) -> Handler:
    """A handler that answers HEAD with 200 and the PUTs with `statuses` in turn, then 201."""
    queue = list(statuses)

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "HEAD":
            return httpx.Response(200)
        return httpx.Response(queue.pop(0) if queue else 201, headers=headers)

    return handle


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays push_graphs waits for, recorded instead of slept."""
    delays: list[float] = []
    monkeypatch.setattr("mdq_graph.push.time.sleep", delays.append)
    return delays


def test_put_targets_each_graph_with_its_media_type() -> None:
    store = Recorder(answers())
    body = b"<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n"
    graphs = [("http://example.org/g?x=1&y", body), (DEFAULT_GRAPH, body)]
    result = push_graphs(graphs, ENDPOINT, transport=store.transport())
    first, second = store.puts()
    assert first.url.params["graph"] == "http://example.org/g?x=1&y"
    assert second.url.query == b"default"
    assert first.headers["content-type"] == N_TRIPLES
    assert first.headers["content-length"] == str(len(body))
    assert "transfer-encoding" not in first.headers
    assert first.content == body
    assert result.size == 2 * len(body)


def test_transient_failures_are_retried_with_backoff(sleeps: list[float]) -> None:
    store = Recorder(answers(503, 502))
    result = push_graphs([("http://example.org/g", b"x")], ENDPOINT, transport=store.transport())
    assert len(store.puts()) == 3
    assert result.graphs[0].attempts == 3
    assert sleeps == [0.5, 1.0]


def test_retry_after_is_honoured(sleeps: list[float]) -> None:
    store = Recorder(answers(429, headers={"Retry-After": "2"}))
    push_graphs([("http://example.org/g", b"x")], ENDPOINT, transport=store.transport())
    assert sleeps == [2.0]


def test_an_endpoint_that_stays_unavailable_gives_up(sleeps: list[float]) -> None:
    store = Recorder(answers(*[503] * 10))
    with pytest.raises(PushError, match="stayed unavailable after 3 attempt"):
        push_graphs(
            [("http://example.org/g", b"x")], ENDPOINT, retries=2, transport=store.transport()
        )
    assert len(store.puts()) == 3


def test_connection_errors_are_retried_then_reported(sleeps: list[float]) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    store = Recorder(refuse)
    with pytest.raises(PushError, match=r"cannot reach the endpoint .*connection refused"):
        push_graphs([("http://example.org/g", b"x")], ENDPOINT, transport=store.transport())
    assert len(store.requests) == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_a_rejected_graph_is_not_retried_and_the_message_is_trimmed(sleeps: list[float]) -> None:
    page = "<html><head><title>Bad</title></head><body><h1>400</h1><p>bad &lt;IRI&gt;</p></body>"

    def reject(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200 if request.method == "HEAD" else 400, text=page)

    store = Recorder(reject)
    with pytest.raises(PushError) as caught:
        push_graphs([("http://example.org/g", b"x")], ENDPOINT, transport=store.transport())
    assert str(caught.value) == (
        f"the endpoint {ENDPOINT} rejected graph <http://example.org/g> "
        "(400 Bad Request: 400 bad <IRI>)"
    )
    assert len(store.puts()) == 1
    assert sleeps == []


def test_authentication_required_without_credentials() -> None:
    store = Recorder(lambda request: httpx.Response(401, headers={"WWW-Authenticate": "Basic"}))
    with pytest.raises(PushError, match="requires authentication"):
        push_graphs([("http://example.org/g", b"x")], ENDPOINT, transport=store.transport())
    assert store.puts() == []


def challenging(scheme: str, challenge: str) -> Handler:
    """A store that wants `scheme` authentication, and accepts any credentials in it."""

    def handle(request: httpx.Request) -> httpx.Response:
        if not request.headers.get("authorization", "").startswith(scheme):
            return httpx.Response(401, headers={"WWW-Authenticate": challenge})
        return httpx.Response(200 if request.method == "HEAD" else 201)

    return handle


@pytest.mark.parametrize(
    ("scheme", "challenge"), [("Digest", DIGEST_CHALLENGE), ("Basic", 'Basic realm="test"')]
)
def test_auto_answers_the_scheme_the_server_asks_for(scheme: str, challenge: str) -> None:
    store = Recorder(challenging(scheme, challenge))
    graphs = [("http://example.org/g1", b"x"), ("http://example.org/g2", b"y")]
    push_graphs(graphs, ENDPOINT, user="u", password="p", transport=store.transport())
    # The HEAD probe met the challenge, so each graph's body went out once, authenticated.
    assert [r.method for r in store.requests] == ["HEAD", "HEAD", "PUT", "PUT"]
    assert all(r.headers["authorization"].startswith(scheme) for r in store.puts())


def test_refused_credentials_name_the_user() -> None:
    store = Recorder(lambda request: httpx.Response(401, headers={"WWW-Authenticate": "Basic"}))
    with pytest.raises(PushError, match="refused the credentials for user 'u'"):
        push_graphs(
            [("http://example.org/g", b"x")],
            ENDPOINT,
            user="u",
            password="p",
            auth="basic",
            transport=store.transport(),
        )


def test_progress_counts_bytes_across_graphs() -> None:
    store = Recorder(answers())
    big = b"x" * (CHUNK_SIZE * 2 + 10)
    seen: list[tuple[int, int]] = []
    push_graphs(
        [("http://example.org/a", big), ("http://example.org/b", b"yz")],
        ENDPOINT,
        progress=lambda sent, total: seen.append((sent, total)),
        transport=store.transport(),
    )
    total = len(big) + 2
    assert seen == [
        (CHUNK_SIZE, total),
        (2 * CHUNK_SIZE, total),
        (len(big), total),
        (total, total),
    ]


def test_nothing_to_push_sends_nothing() -> None:
    store = Recorder(answers())
    assert push_graphs([], ENDPOINT, transport=store.transport()).graphs == ()
    assert store.requests == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"endpoint": "ftp://store.test/"}, "http:// or https://"),
        ({"auth": "kerberos"}, "unknown auth scheme"),
        ({"user": "u"}, "both a user and a password"),
        ({"retries": -1}, "retries must be 0 or more"),
    ],
)
def test_options_that_cannot_work(options: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"endpoint": ENDPOINT, **options}
    with pytest.raises(UsageError, match=message):
        push_graphs([("http://example.org/g", b"x")], **arguments)  # type: ignore[arg-type]


# --- from a dataset -----------------------------------------------------------------------------


def test_dataset_graphs_round_trip_as_n_triples() -> None:
    ds = two_graph_dataset("http://example.org/")
    graphs = dataset_graphs(ds)
    assert [iri for iri, _ in graphs] == ["http://example.org/g1", "http://example.org/g2"]
    for iri, body in graphs:
        assert isomorphic(Graph().parse(data=body, format="nt"), ds.graph(URIRef(iri)))


def test_dataset_graphs_keep_a_default_graph_with_triples() -> None:
    ds = two_graph_dataset("http://example.org/")
    ds.add((URIRef("http://example.org/x"), URIRef("http://example.org/p"), URIRef("urn:y")))
    assert [iri for iri, _ in dataset_graphs(ds)][-1] == DEFAULT_GRAPH


def test_only_picks_graphs_by_iri_or_local_name() -> None:
    ds = two_graph_dataset(str(GRAPH))
    picked = dataset_graphs(ds, only=["g2", str(GRAPH.g1)])
    assert [iri for iri, _ in picked] == [str(GRAPH.g2), str(GRAPH.g1)]


def test_only_with_an_unknown_graph_lists_the_known_ones() -> None:
    ds = two_graph_dataset("http://example.org/")
    with pytest.raises(
        UsageError, match=r"unknown graph 'g3'; known graphs: http://example.org/g1"
    ):
        dataset_graphs(ds, only=["g3"])
