"""The HTTP plumbing of the server: errors, responses with caching headers, bounded bodies and
caches, the links of served pages, the media types clients ask for, and security headers."""

from __future__ import annotations

import codecs
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes, urlencode

import anyio
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mdq_graph.graph.rdf_formats import FORMATS
from mdq_graph.query.guard import QUERY_FORMS, SOLUTION_FORMS
from mdq_graph.query.results import RESULT_FORMATS
from mdq_graph.web.hosting import CONTENT_SECURITY_POLICY
from mdq_graph.web.negotiation import HTML_MEDIA_TYPE, SPARQL_RESULTS_ALIASES
from mdq_graph.web.writers import SOLUTION_MEDIA_TYPES

#: Media types clients send for RDF, mapped to the one we write (N3 is read as its Turtle subset).
RDF_ALIASES: Mapping[str, str] = {
    "application/x-turtle": "text/turtle",
    "application/turtle": "text/turtle",
    "text/n3": "text/turtle",
    "text/rdf+n3": "text/turtle",
    "application/n3": "text/turtle",
    "application/x-json+ld": "application/ld+json",
    "application/json": "application/ld+json",
    "text/plain": "application/n-triples",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
    "application/xhtml+xml": HTML_MEDIA_TYPE,
}
RESULT_ALIASES: Mapping[str, str] = {
    **SPARQL_RESULTS_ALIASES,
    "application/xhtml+xml": HTML_MEDIA_TYPE,
    "text/javascript": "application/sparql-results+json",
    "application/javascript": "application/sparql-results+json",
}
#: `format=` (and `output=`) values for a graph result that are not names of FORMATS.
_GRAPH_FORMAT_ALIASES = {"json": "json-ld", "n3": "turtle", "rdf": "xml", "rdf+xml": "xml"}
_TEXT_TYPES = ("text/", "application/n-triples", "application/n-quads", "application/trig")


class HttpError(Exception):
    """An error answered with `status` and a message for the client."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


class LruCache:
    """A least-recently-used cache bounded in entries and in bytes (thread-safe)."""

    def __init__(self, entries: int, size: int) -> None:
        self.entries, self.size = entries, size
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._used = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> Any:
        """The value cached under `key`, or None."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item[0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        """Cache `value` (about `size` bytes), evicting the least recently used entries."""
        if size > self.size // 4:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._used -= old[1]
            self._items[key] = (value, size)
            self._used += size
            while len(self._items) > self.entries or self._used > self.size:
                _, (_, freed) = self._items.popitem(last=False)
                self._used -= freed


@dataclass(frozen=True)
class ServerLinks:
    """Links for pages served here: absolute paths under the root the base maps to."""

    base: str
    root: str
    path: str
    ontology_iri: str
    lang: str | None = None

    def _lang_query(self) -> str:
        return f"?lang={self.lang}" if self.lang else ""

    def resource(self, iri: str) -> str | None:
        """The path of an IRI under the base; None for any other IRI."""
        if not iri.startswith(self.base):
            return None
        path, hash_, fragment = iri[len(self.base) :].partition("#")
        return f"{self.root}{path}{self._lang_query()}{hash_}{fragment}"

    def representation(self, iri: str, extension: str) -> str | None:
        """The path of an IRI's description with a file suffix (`/id/x.ttl`)."""
        if not iri.startswith(self.base):
            return None
        path = iri[len(self.base) :].partition("#")[0]
        if not path or path.endswith("/"):
            return None
        return f"{self.root}{path}{extension}"

    def language(self, lang: str) -> str:
        """The current page in another language."""
        return f"{self.path}?lang={lang}"

    def page(self, name: str, params: Mapping[str, str] | None = None) -> str | None:
        """The path of a page of the site."""
        query = dict(params or {})
        if self.lang:
            query.setdefault("lang", self.lang)
        encoded = f"?{urlencode(query)}" if query else ""
        if name == "home":
            return f"{self.root}{encoded}"
        if name == "sparql":
            return f"{self.root}sparql{encoded}"
        if name == "ontology":
            return self.resource(self.ontology_iri)
        if name.startswith("asset/"):
            return f"{self.root}static/{name[len('asset/') :]}"
        return None


def form_pairs(raw: bytes, encoding: str = "latin-1") -> list[tuple[str, str]]:
    """The name-value pairs of a query string or an application/x-www-form-urlencoded body, as
    `urllib.parse.parse_qsl(raw.decode(encoding), keep_blank_values=True)` gives them (`encoding`:
    how bytes that are not ASCII are read; Starlette reads a URL's as Latin-1), in a tenth of its
    time for a percent-encoded query (urllib decodes each escape in Python)."""
    if not raw.isascii():
        return parse_qsl(raw.decode(encoding), keep_blank_values=True)
    pairs = []
    for field in raw.split(b"&"):
        if field:
            name, _, value = field.partition(b"=")
            pairs.append((_form_text(name), _form_text(value)))
    return pairs


def _form_text(encoded: bytes) -> str:
    """A percent-encoded form field (`+` for a space) as text; bytes that are not UTF-8 are
    replaced (as urllib does)."""
    encoded = encoded.replace(b"+", b" ")
    if b"%" not in encoded:
        return encoded.decode("ascii")
    try:
        # Each %XX becomes \xXX (every backslash doubled first), which the C codec decodes.
        escaped = encoded.replace(b"\\", b"\\\\").replace(b"%", b"\\x")
        data = codecs.escape_decode(escaped)[0]
    except ValueError:  # a % that starts no escape: urllib leaves it as it is
        data = unquote_to_bytes(encoded)
    return data.decode("utf-8", "replace")


def first(params: Mapping[str, list[str]], *names: str) -> str | None:
    """The first value of the first of `names` that the request has."""
    for name in names:
        if params.get(name):
            return params[name][0]
    return None


def format_media_type(name: str, form: str | None) -> str | None:
    """The media type a `format=` value names for a result of `form`; 400 if it names none."""
    lowered = name.strip().lower()
    if lowered in ("html", HTML_MEDIA_TYPE):
        return HTML_MEDIA_TYPE
    every = {*SOLUTION_MEDIA_TYPES, *(f.media_type for f in FORMATS.values())}
    if lowered in every:
        return lowered
    graph = form in QUERY_FORMS and form not in SOLUTION_FORMS
    if not graph and lowered in RESULT_FORMATS and RESULT_FORMATS[lowered].oxigraph is not None:
        return RESULT_FORMATS[lowered].media_type
    rdf_name = _GRAPH_FORMAT_ALIASES.get(lowered, lowered)
    for fmt in FORMATS.values():
        if rdf_name in (fmt.name, *fmt.aliases):
            return fmt.media_type
    if lowered in RESULT_FORMATS and RESULT_FORMATS[lowered].oxigraph is not None:
        return RESULT_FORMATS[lowered].media_type
    known = (
        "json, xml, csv, tsv, html (SELECT, ASK); turtle, json-ld, nt, xml (CONSTRUCT, DESCRIBE)"
    )
    raise HttpError(400, f"unknown result format {name!r}; known formats: {known}")


def not_acceptable(offered: list[str], why: str | None = None) -> HttpError:
    """406, listing what could be served instead."""
    reason = why or "the Accept header accepts none of the formats this resource has"
    return HttpError(406, f"{reason}; available: {', '.join(offered)}")


async def read_body(request: Request, limit: int, timeout: float = 10.0) -> bytes:
    """The request body, refusing (413) one longer than `limit` bytes before reading it all, and
    (408) one that takes longer than `timeout` seconds to arrive: a client that trickles its body
    would otherwise hold a connection, and a file descriptor, for ever."""
    try:
        with anyio.fail_after(timeout):
            return await _read_body(request, limit)
    except TimeoutError:
        raise HttpError(
            408, f"the request body did not arrive within {timeout:g} s", {"Connection": "close"}
        ) from None


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) one longer than `limit` bytes before reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise HttpError(400, "the Content-Length header is not a number")
        if int(declared) > limit:
            raise HttpError(413, f"the request body is larger than the limit of {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HttpError(413, f"the request body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def respond(
    request: Request,
    body: bytes,
    media_type: str,
    headers: Mapping[str, str] | None = None,
    *,
    status: int = 200,
    cache: str | None = "public, max-age=3600",
    language: str | None = None,
) -> Response:
    """A response with its content type (UTF-8 for text), caching headers and an ETag (304 when
    the client has it already)."""
    out = dict(headers or {})
    content_type = media_type
    if media_type.startswith(_TEXT_TYPES) or media_type == "application/sparql-results+xml":
        content_type += "; charset=utf-8"
    if language:
        out["Content-Language"] = language
    if status == 200 and cache:
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        out["ETag"] = etag
        out["Cache-Control"] = cache
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=out)
    return Response(body, status_code=status, headers=out, media_type=content_type)


class SecurityHeaders:
    """Headers every response carries; pages also get a Content-Security-Policy (no inline code)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                security_headers(message)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def security_headers(start: Message) -> None:
    """Add the headers every response carries to a response's start message (`SecurityHeaders`,
    and the endpoint's direct path, `endpoint.Application`)."""
    headers = MutableHeaders(scope=start)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if headers.get("content-type", "").startswith("text/html"):
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
