"""Pushes named graphs to a triple store with the SPARQL 1.1 Graph Store HTTP Protocol."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

import pyoxigraph as ox

from mdq_graph.errors import PushError, UsageError
from mdq_graph.graph.iris import PREFIX_IRIS
from mdq_graph.graph.store import UNNAMED_TRIPLES

if TYPE_CHECKING:
    import httpx
    from rdflib import Dataset

# httpx is imported by the functions that send (only `push` needs it, not the other commands).

AuthScheme = Literal["auto", "digest", "basic"]
AUTH_SCHEMES: tuple[str, ...] = get_args(AuthScheme)

#: Called with (bytes sent so far, bytes to send in all); it steps back when a graph is re-sent.
Progress = Callable[[int, int], None]

#: The name `dataset_graphs` gives a non-empty default graph (rdflib's name for it); it is pushed
#: to `?default`.
DEFAULT_GRAPH = "urn:x-rdflib:default"
N_TRIPLES = "application/n-triples"
TURTLE = "text/turtle"
CHUNK_SIZE = 64 * 1024

#: Answers worth waiting for and asking again: the store is busy, restarting or behind a proxy.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
_MAX_RETRY_AFTER = 30.0
_CONNECT_TIMEOUT = 10.0
_MAX_MESSAGE = 300


@dataclass(frozen=True)
class PushedGraph:
    """One graph the store accepted: its IRI, body size in bytes, HTTP status and attempts taken."""

    iri: str
    size: int
    status: int
    attempts: int


@dataclass(frozen=True)
class PushResult:
    """What a push did: the endpoint, each graph in order, and how long it took."""

    endpoint: str
    graphs: tuple[PushedGraph, ...]
    seconds: float

    @property
    def size(self) -> int:
        """Bytes of graph bodies the store accepted."""
        return sum(graph.size for graph in self.graphs)


def dataset_graphs(ds: Dataset, only: Sequence[str] | None = None) -> list[tuple[str, bytes]]:
    """Each graph of `ds` as (IRI, N-Triples bytes); `only` picks some by IRI or local name."""
    graphs = {
        str(graph.identifier): graph
        for graph in ds.graphs()
        if str(graph.identifier) != DEFAULT_GRAPH or len(graph) > 0
    }
    names = sorted(graphs) if only is None else [_resolve_graph_name(n, graphs) for n in only]
    return [(name, graphs[name].serialize(format="nt", encoding="utf-8")) for name in names]


def store_graphs(store: ox.Store, only: Sequence[str] | None = None) -> list[tuple[str, bytes]]:
    """Each named graph of an engine's store as (IRI, N-Triples bytes), written by Oxigraph.

    The store's default graph is the union of its named graphs (see `mdq_graph.graph.engine`), so it is
    not a graph of its own: only the triples in no named graph are pushed to the default graph.
    """
    graphs = {g.value: g for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    names = sorted(graphs) if only is None else [_resolve_graph_name(n, graphs) for n in only]
    found = [
        (name, store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graphs[name]) or b"")
        for name in names
    ]
    if only is None:
        body = ox.serialize(store.query(UNNAMED_TRIPLES), format=ox.RdfFormat.N_TRIPLES)  # type: ignore[arg-type]
        if body:
            found.append((DEFAULT_GRAPH, body))
    return found


def _resolve_graph_name(name: str, known: Iterable[str]) -> str:
    """The IRI of graph `name`, given in full or relative to the project's graph namespace."""
    known = set(known)
    for candidate in (name, PREFIX_IRIS["graph"] + name):
        if candidate in known:
            return candidate
    listing = ", ".join(sorted(known)) or "(none)"
    raise UsageError(f"unknown graph {name!r}; known graphs: {listing}")


def push_graphs(
    graphs: Iterable[tuple[str, bytes]],
    endpoint: str,
    *,
    user: str | None = None,
    password: str | None = None,
    auth: AuthScheme = "auto",
    content_type: str = N_TRIPLES,
    retries: int = 3,
    backoff: float = 0.5,
    timeout: float = 60,
    progress: Progress | None = None,
    transport: httpx.BaseTransport | None = None,
) -> PushResult:
    """PUT each (graph IRI, body) to `endpoint?graph=IRI`, replacing what the store held there."""
    import httpx

    _check_options(endpoint, user, password, auth, retries)
    graphs = list(graphs)
    started = time.monotonic()
    if not graphs:
        return PushResult(redacted(endpoint), (), 0.0)
    total = sum(len(body) for _, body in graphs)
    pushed: list[PushedGraph] = []
    # Connecting is bounded more tightly, so a silent host fails in seconds rather than minutes.
    limits = httpx.Timeout(timeout, connect=min(timeout, _CONNECT_TIMEOUT))
    auth_flow = _make_auth(user, password, auth)
    with httpx.Client(auth=auth_flow, timeout=limits, transport=transport) as client:
        sender = _Sender(client, redacted(endpoint), user, retries, backoff)
        sender.probe(_graph_url(endpoint, graphs[0][0]))
        done = 0
        for iri, body in graphs:
            request = client.build_request(
                "PUT",
                _graph_url(endpoint, iri),
                content=_ChunkedBody(body, progress, done, total),
                # A known length keeps the body out of chunked transfer encoding, which not
                # every store reads.
                headers={"Content-Type": content_type, "Content-Length": str(len(body))},
            )
            response, attempts = sender.send(request)
            if not response.is_success:
                raise sender.refusal(response, iri)
            pushed.append(PushedGraph(iri, len(body), response.status_code, attempts))
            done += len(body)
    return PushResult(redacted(endpoint), tuple(pushed), time.monotonic() - started)


def redacted(url: str) -> str:
    """`url` as it may be shown: a password in it (`http://user:secret@host/`) replaced by `***`."""
    scheme, sep, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    userinfo, at, host = authority.rpartition("@")
    if not sep or not at or ":" not in userinfo:
        return url
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{host}{slash}{path}"


def _check_options(
    endpoint: str, user: str | None, password: str | None, auth: str, retries: int
) -> None:
    """Raise `UsageError` for options that cannot work, before anything is sent."""
    import httpx

    if not endpoint.startswith(("http://", "https://")):
        raise UsageError(
            f"the endpoint must be an http:// or https:// URL, not {redacted(endpoint)!r}"
        )
    try:
        httpx.URL(endpoint)
    except (httpx.InvalidURL, ValueError) as err:
        raise UsageError(f"the endpoint {redacted(endpoint)!r} is not a valid URL: {err}") from None
    if auth not in AUTH_SCHEMES:
        raise UsageError(f"unknown auth scheme {auth!r}; known schemes: {', '.join(AUTH_SCHEMES)}")
    if (user is None) != (password is None):
        raise UsageError("give both a user and a password, or neither")
    if retries < 0:
        raise UsageError(f"retries must be 0 or more, not {retries}")


def _make_auth(user: str | None, password: str | None, scheme: str) -> httpx.Auth | None:
    """The httpx authentication for `scheme`, or None without credentials."""
    import httpx

    if user is None or password is None:
        return None
    if scheme == "basic":
        return httpx.BasicAuth(user, password)
    if scheme == "digest":
        return httpx.DigestAuth(user, password)
    return _auto_auth(user, password)


def _auto_auth(user: str, password: str) -> httpx.Auth:
    """An authentication that answers whichever challenge, Digest or Basic, the server's first 401
    asks for (a class made here, where httpx is imported)."""
    import httpx

    class AutoAuth(httpx.Auth):
        def __init__(self) -> None:
            self._chosen: httpx.Auth | None = None

        def auth_flow(
            self, request: httpx.Request
        ) -> Generator[httpx.Request, httpx.Response, None]:
            """Send as is until challenged, then authenticate with the scheme asked for from then
            on."""
            if self._chosen is not None:
                yield from self._chosen.auth_flow(request)
                return
            response = yield request
            schemes = _challenge_schemes(response) if response.status_code == 401 else set()
            if "digest" in schemes:
                self._chosen = httpx.DigestAuth(user, password)
                flow = self._chosen.auth_flow(request)
                next(flow)
                # Shown the challenge, the digest flow answers it and remembers it for later
                # requests.
                yield flow.send(response)
            elif "basic" in schemes:
                self._chosen = httpx.BasicAuth(user, password)
                yield next(self._chosen.auth_flow(request))

    return AutoAuth()


def _challenge_schemes(response: httpx.Response) -> set[str]:
    """The lower-cased auth schemes named by a response's WWW-Authenticate headers."""
    return {
        match.group(1).lower()
        for value in response.headers.get_list("www-authenticate")
        for match in re.finditer(r"(?:^|,)\s*([A-Za-z][\w-]*)(?=\s+[\w-]+=|\s*(?:,|$))", value)
    }


def _graph_url(endpoint: str, iri: str) -> httpx.URL:
    """The Graph Store Protocol URL of graph `iri`: `?graph=IRI`, or `?default` for the default."""
    import httpx

    url = httpx.URL(endpoint)
    if iri == DEFAULT_GRAPH:
        return url.copy_with(query=url.query + b"&default" if url.query else b"default")
    return url.copy_merge_params({"graph": iri})


class _ChunkedBody:
    """A graph body sent in chunks that reports progress; iterable again for a resend."""

    def __init__(self, data: bytes, progress: Progress | None, offset: int, total: int) -> None:
        self._data = data
        self._progress = progress
        self._offset = offset
        self._total = total

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(self._data), CHUNK_SIZE):
            chunk = self._data[start : start + CHUNK_SIZE]
            yield chunk
            # Resumed only when the transport asks for more, so the chunk has been written.
            if self._progress is not None:
                self._progress(self._offset + start + len(chunk), self._total)


class _Sender:
    """Sends requests to one endpoint, retrying transient failures and explaining refusals."""

    def __init__(
        self, client: httpx.Client, endpoint: str, user: str | None, retries: int, backoff: float
    ) -> None:
        self.client = client
        self.endpoint = endpoint
        self.user = user
        self.retries = retries
        self.backoff = backoff

    def probe(self, url: httpx.URL) -> None:
        """HEAD the endpoint once: fails fast when unreachable or refusing us, and primes Digest."""
        response, _ = self.send(self.client.build_request("HEAD", url))
        if response.status_code in {401, 403} or response.status_code in RETRY_STATUSES:
            raise self.refusal(response, None)

    def send(self, request: httpx.Request) -> tuple[httpx.Response, int]:
        """The response to `request` and the attempts it took, retrying transient failures."""
        import httpx

        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.client.send(request)
            except httpx.DecodingError as exc:
                raise PushError(
                    f"the endpoint {self.endpoint} sent a response that cannot be decoded ({exc})"
                ) from None
            except httpx.TransportError as exc:
                if attempt > self.retries:
                    reason = str(exc) or type(exc).__name__
                    raise PushError(
                        f"cannot reach the endpoint {self.endpoint} ({reason}) after {attempt} "
                        "attempt(s); check the URL and that the store is running"
                    ) from exc
                delay = self.backoff * 2 ** (attempt - 1)
            else:
                if response.status_code not in RETRY_STATUSES or attempt > self.retries:
                    return response, attempt
                delay = _retry_after(response, self.backoff * 2 ** (attempt - 1))
            time.sleep(delay)

    def refusal(self, response: httpx.Response, iri: str | None) -> PushError:
        """The error for a response that is not a success."""
        status = f"{response.status_code} {response.reason_phrase}".strip()
        message = _server_message(response)
        detail = f"{status}: {message}" if message else status
        if response.status_code in {401, 403}:
            if self.user is None:
                return PushError(
                    f"the endpoint {self.endpoint} requires authentication ({status}); "
                    "give a user and password"
                )
            return PushError(
                f"the endpoint {self.endpoint} refused the credentials for user {self.user!r} "
                f"({status}); check the password and that the user may write graphs"
            )
        if response.status_code in RETRY_STATUSES:
            return PushError(
                f"the endpoint {self.endpoint} stayed unavailable after {self.retries + 1} "
                f"attempt(s) ({detail})"
            )
        target = f"graph <{iri}>" if iri is not None else "the request"
        return PushError(f"the endpoint {self.endpoint} rejected {target} ({detail})")


def _retry_after(response: httpx.Response, fallback: float) -> float:
    """Seconds to wait as the server's Retry-After asks (capped), else `fallback`."""
    value = response.headers.get("retry-after", "").strip()
    return min(float(value), _MAX_RETRY_AFTER) if value.isdigit() else fallback


def _server_message(response: httpx.Response) -> str:
    """The server's explanation from a response body, as one trimmed line of text."""
    text = response.text
    if text.lstrip().startswith("<"):
        text = re.sub(r"(?is)<(head|script|style|title)\b.*?</\1\s*>", " ", text)
        text = html.unescape(re.sub(r"<[^>]*>", " ", text))
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"
