"""`mdq-graph serve`: the SPARQL 1.1 Protocol endpoint and the dereferenceable IRIs, over HTTP.

Routing only: the HTTP plumbing is in `web`, what is published comes from `publication`,
descriptions from `describe`, pages from `pages`, and queries run in the killable workers of
`workers`. `create_app` builds the Starlette application: tests drive it in-process, uvicorn serves it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable, Hashable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
import pyoxigraph as ox
from rdflib import Dataset
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mdq_graph.export.exporter import Exportable
from mdq_graph.graph.engine import Engine
from mdq_graph.graph.namespaces import BASE
from mdq_graph.graph.rdf_formats import FORMATS
from mdq_graph.query.guard import QUERY_FORMS, SOLUTION_FORMS, UPDATE_KEYWORDS, query_form
from mdq_graph.web.endpoint import Application, internal_error
from mdq_graph.web.http import (
    RDF_ALIASES,
    RESULT_ALIASES,
    HttpError,
    LruCache,
    SecurityHeaders,
    ServerLinks,
    first,
    form_pairs,
    format_media_type,
    not_acceptable,
    read_body,
    respond,
)
from mdq_graph.web.negotiation import (
    HTML_MEDIA_TYPE,
    choose_language,
    choose_media_type,
    suffix_format,
)
from mdq_graph.web.publication import GRAPH_FORMATS, Publication, publish, site_license, site_title
from mdq_graph.web.settings import ServerSettings
from mdq_graph.web.views import (
    PAGE_LANGUAGES,
    ErrorView,
    Labels,
    Node,
    Page,
    QueryView,
    ResultsView,
    Site,
)
from mdq_graph.web.workbench import (
    MAX_HITS,
    MODEL_PATH,
    SEARCH_PATH,
    SearchIndex,
    page_settings,
    search_document,
    vendor_files,
    workbench_model,
)
from mdq_graph.web.workers import (
    TABLE,
    DataSource,
    Failure,
    Job,
    Outcome,
    PoolBusy,
    QueryTimeout,
    WorkerFailed,
    WorkerPool,
)
from mdq_graph.web.writers import SOLUTION_MEDIA_TYPES, Cell

log = logging.getLogger("mdq_graph.web.server")

_ASSETS = {
    "mdq.css": "text/css",
    "mdq.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
    "workbench.js": "text/javascript",
    "workbench-engine.js": "text/javascript",
    "workbench.css": "text/css",
    "search.js": "text/javascript",
}
#: Cross-origin requests: any site may query the endpoint and read the data (no credentials).
CORS_OPTIONS: dict[str, Any] = {
    "allow_origins": ["*"],
    "allow_methods": ["GET", "HEAD", "POST", "OPTIONS"],
    "allow_headers": ["Accept", "Accept-Language", "Content-Type"],
    "expose_headers": ["Content-Location", "X-SPARQL-MaxRows", "ETag"],
    "max_age": 86400,
}
_VENDOR_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".txt": "text/plain",
}
#: The pages' stylesheet and script (package data, beside the templates).
STATIC_DIR = Path(__file__).resolve().parent / "static"


class Server:
    """The endpoint and the pages over one publication (the routes call its methods)."""

    def __init__(self, publication: Publication, settings: ServerSettings) -> None:
        self.publication = publication
        self.settings = settings
        self.base = publication.base
        # A rebased server answers at the base's own path; the default base maps to "/", the way
        # w3id.org redirects https://w3id.org/mdq/X to the server's /X.
        self.root = urlsplit(self.base).path if self.base != BASE else "/"
        self.pool = WorkerPool(
            DataSource(store_path=publication.store_path)
            if publication.store_path is not None
            else DataSource.from_engine(publication.engine),
            size=settings.workers,
            timeout=settings.timeout,
            queue_timeout=settings.queue_timeout,
            max_waiting=settings.max_waiting,
            quick_budget=settings.quick_budget,
            reserved=settings.reserved_workers,
            isolate=settings.isolate_network,
            memory_limit=settings.worker_memory,
            prefixes=tuple(publication.prefixes.items()),
        )
        self.outcomes = LruCache(settings.cache_entries, settings.cache_bytes)
        self.pages = LruCache(settings.cache_entries, settings.cache_bytes)
        self._inflight: dict[Job, asyncio.Future[Outcome | Failure]] = {}
        self._admitted = 0  # queries running or waiting for a worker (on the event loop only)
        self._site: tuple[Labels, Node | None] | None = None
        self._model: dict[str, Any] | None = None
        self._index: SearchIndex | None = None
        self._vendor: dict[str, bytes] | None = None

    # --- the lifespan -------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        """Start a query worker before serving (the others start in the background); stop them
        after. A store's catalog is made in the background once the first worker is up (pages that
        need it wait for it; queries do not, and a thread making it would slow the start)."""
        await anyio.to_thread.run_sync(self.pool.start, asyncio.get_running_loop())
        if not self.publication.ready:
            threading.Thread(
                target=self.publication.prepared, name="mdq-catalog", daemon=True
            ).start()
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(self.pool.close)

    # --- helpers ------------------------------------------------------------------------------

    def rest_of(self, request: Request) -> str:
        """The request path relative to the root; 404 if it is not under it."""
        path = request.url.path
        if path.startswith(self.root):
            return path[len(self.root) :]
        if path + "/" == self.root:
            return ""
        raise HttpError(404, f"nothing is published at {path}; the data lives under {self.root}")

    def language(self, request: Request) -> tuple[str, str | None]:
        """The page language (from `?lang=`, else Accept-Language) and the explicit choice."""
        explicit = request.query_params.get("lang")
        if explicit is not None:
            if explicit not in PAGE_LANGUAGES:
                raise HttpError(
                    400, f"lang must be one of {', '.join(PAGE_LANGUAGES)}, not {explicit!r}"
                )
            return explicit, explicit
        return choose_language(request.headers.get("accept-language"), PAGE_LANGUAGES), None

    def site(self, request: Request, lang: str | None) -> Site:
        """The site as seen from this request (links keep an explicit language)."""
        links = ServerLinks(
            self.base, self.root, request.url.path, self.publication.ontology_iri, lang
        )
        title, licence = self.site_identity()
        return Site(title, links, licence)

    def site_identity(self) -> tuple[Labels, Node | None]:
        """The dataset's title and licence, from the catalog once it is made (a default before)."""
        if self._site is not None:
            return self._site
        identity = site_title(self.publication), site_license(self.publication)
        if self.publication.ready:
            self._site = identity
        return identity

    async def render(self, key: Hashable, make: Callable[[], str]) -> bytes:
        """A page from the cache, or rendered in a thread and cached."""
        return await self.cached_bytes(key, lambda: make().encode("utf-8"))

    # --- the routes ---------------------------------------------------------------------------

    async def dispatch(self, request: Request) -> Response:
        """Every GET under the root: home, assets, downloads, the context, resources."""
        rest = self.rest_of(request)
        if rest.startswith("static/"):
            return self.asset(request, rest[len("static/") :])
        if rest in (MODEL_PATH, SEARCH_PATH):
            return await self.workbench(request, rest)
        downloads = self.publication.download_formats()
        if rest in downloads:
            fmt = downloads[rest]
            data = await anyio.to_thread.run_sync(self.publication.download, fmt)
            return respond(request, data, fmt.media_type, cache="public, max-age=86400")
        if self.base + rest == self.publication.context_iri:
            return respond(request, self.publication.context_document(), "application/ld+json")
        return await self.resource(request, rest)

    async def cached_bytes(self, key: Hashable, make: Callable[[], bytes]) -> bytes:
        """Bytes from the page cache, or made in a thread and cached."""
        cached = self.pages.get(key)
        if cached is not None:
            return bytes(cached)
        data = await anyio.to_thread.run_sync(make)
        self.pages.put(key, data, len(data))
        return data

    def asset(self, request: Request, name: str) -> Response:
        """The stylesheets and scripts of the pages, and the workbench's built vendor files."""
        if name.startswith("vendor/"):
            if self._vendor is None:
                self._vendor = vendor_files()
            data = self._vendor.get(name)
            if data is None:
                raise HttpError(404, f"no asset {name!r} (is the workbench built?)")
            media = _VENDOR_TYPES.get(Path(name).suffix, "application/octet-stream")
            return respond(request, data, media, cache="public, max-age=86400")
        if name not in _ASSETS:
            raise HttpError(404, f"no asset {name!r}")
        data = (STATIC_DIR / name).read_bytes()
        return respond(request, data, _ASSETS[name], cache="public, max-age=86400")

    # --- the workbench ------------------------------------------------------------------------

    def workbench_model(self) -> dict[str, Any]:
        """What the workbench completes from and draws with (made once: the data cannot change)."""
        if self._model is None:
            publication = self.publication
            self._model = workbench_model(
                publication.engine,
                self.base,
                publication.prefixes,
                publication.queries,
                publication.describer.labels,
            )
        return self._model

    def search_index(self) -> SearchIndex:
        """The label search's index of the model (made once)."""
        if self._index is None:
            self._index = SearchIndex(self.workbench_model())
        return self._index

    async def workbench(self, request: Request, rest: str) -> Response:
        """The workbench's model (`workbench.json`), or the label search (`search?q=`: JSON)."""
        headers = {"Vary": "Accept"}
        if rest == MODEL_PATH:
            model = await anyio.to_thread.run_sync(self.workbench_model)
            data = await self.cached_bytes(
                ("workbench",), lambda: json.dumps(model, ensure_ascii=False).encode("utf-8")
            )
            return respond(request, data, "application/json", headers)
        text = request.query_params.get("q", "")
        lang = request.query_params.get("lang", PAGE_LANGUAGES[0])
        if lang not in PAGE_LANGUAGES:
            raise HttpError(400, f"lang must be one of {', '.join(PAGE_LANGUAGES)}, not {lang!r}")
        limit_text = request.query_params.get("limit", "10")
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_HITS:
            raise HttpError(400, f"limit must be a whole number from 1 to {MAX_HITS}")
        index = await anyio.to_thread.run_sync(self.search_index)
        hits = await anyio.to_thread.run_sync(lambda: index.search(text, lang, int(limit_text)))
        # Links keep a language other than the default, as the pages' own links do.
        explicit = lang if lang != PAGE_LANGUAGES[0] else None
        links = ServerLinks(
            self.base, self.root, request.url.path, self.publication.ontology_iri, explicit
        )
        hrefs = {h.iri: links.resource(h.iri) or h.iri for h in hits}
        return respond(request, search_document(hits, text, hrefs), "application/json", headers)

    def workbench_settings(self, lang: str, explicit: str | None) -> dict[str, Any]:
        """The workbench on the query form: queries go to this endpoint."""
        return page_settings(
            mode="server",
            base=self.base,
            root=self.root,
            model=self.root + MODEL_PATH,
            endpoint=self.root + "sparql",
            search=self.root + SEARCH_PATH,
            lang=lang,
            explicit_lang=explicit,
            time_limit=self.settings.timeout,
        )

    async def resource(self, request: Request, rest: str) -> Response:
        """An IRI under the base: its page, or its description in an RDF format."""
        # The templates (Jinja) load with the first page: a server that answers queries starts sooner.
        from mdq_graph.web.pages import render_home_page, render_ontology_page, render_resource_page

        split = suffix_format(rest)
        iri = self.base + split.path
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise HttpError(404, f"{iri!r} is not an IRI that could be published here") from None
        publication = self.publication
        describer = publication.describer
        is_home = split.path == "" and not split.requested
        is_ontology = publication.is_ontology(iri)
        is_graph = describer.is_graph(iri)
        if not (is_home or is_ontology or is_graph or describer.exists(iri)):
            raise HttpError(404, f"nothing is known about {iri}")
        offered = [HTML_MEDIA_TYPE, *(f.media_type for f in FORMATS.values())]
        if split.requested:
            media = split.media_type
        else:
            media = choose_media_type(request.headers.get("accept"), offered, aliases=RDF_ALIASES)
        if media is None:
            raise not_acceptable(offered)
        headers = {"Vary": "Accept, Accept-Language"}
        if not split.requested and media != HTML_MEDIA_TYPE:
            extension = next(f.extension for f in FORMATS.values() if f.media_type == media)
            location = ServerLinks(self.base, self.root, "", "").representation(iri, extension)
            if location:
                headers["Content-Location"] = location
        if media == HTML_MEDIA_TYPE:
            lang, explicit = self.language(request)
            site = self.site(request, explicit)
            key = ("html", iri, lang, explicit, request.url.path, self.publication.ready)
            if is_home:
                body = await self.render(
                    key, lambda: render_home_page(Page(site, publication.home_view()), lang)
                )
            elif is_ontology:
                body = await self.render(
                    key,
                    lambda: render_ontology_page(Page(site, describer.ontology_view()), lang),
                )
            else:
                body = await self.render(
                    key,
                    lambda: render_resource_page(Page(site, describer.resource_view(iri)), lang),
                )
            return respond(request, body, HTML_MEDIA_TYPE, headers, language=lang)
        fmt = next(f for f in FORMATS.values() if f.media_type == media)
        # The catalog's IRI gives the whole DCAT-AP description (what a portal harvests), as the
        # site root does, not only the statements about the catalog resource itself.
        if is_home or iri == self.base + "catalog":
            make = functools.partial(publication.catalog_rdf, fmt)
        elif is_graph or is_ontology:
            graph = describer.ontology_graph if is_ontology else iri
            make = functools.partial(publication.graph_rdf, graph, fmt)
        else:
            make = functools.partial(publication.resource_rdf, iri, fmt)
        data = await self.cached_bytes(("rdf", iri, fmt.name), make)
        return respond(request, data, media, headers)

    # --- SPARQL -------------------------------------------------------------------------------

    async def sparql(self, request: Request) -> Response:
        """The SPARQL 1.1 Protocol query operation (GET, POST form, POST direct)."""
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": "GET, HEAD, POST, OPTIONS"})
        params, direct = await self.protocol_parameters(request)
        if "update" in params or direct == "update":
            raise HttpError(
                400,
                "SPARQL Update is not allowed: this endpoint is read-only (send queries only)",
            )
        queries = params.get("query", []) + ([direct] if direct not in (None, "update") else [])
        if len(queries) > 1:
            raise HttpError(400, "give one query (the request holds more than one)")
        name = first(params, "name")
        text = queries[0] if queries else None
        if text is None and name:
            curated = {q.name: q for q in self.publication.queries}
            if name not in curated:
                raise HttpError(
                    404, f"no curated query {name!r}; known: {', '.join(sorted(curated))}"
                )
            if self.prefers_html(request, params):
                return await self.query_form(request, curated[name].text, name)
            text = curated[name].text
        if text is None:
            return await self.service_description(request)
        if len(text.encode("utf-8")) > self.settings.max_body:
            raise HttpError(
                413, f"the query is longer than the limit of {self.settings.max_body} bytes"
            )
        form = query_form(text)
        if form in UPDATE_KEYWORDS:
            raise HttpError(
                400, f"SPARQL Update ({form}) is not allowed: this endpoint is read-only"
            )
        media = self.result_media(request, params, form)
        job = Job(
            query=text,
            media_type=TABLE if media == HTML_MEDIA_TYPE else media,
            default_graphs=tuple(params.get("default-graph-uri", [])),
            named_graphs=tuple(params.get("named-graph-uri", [])),
            max_rows=self.settings.max_results,
            max_bytes=self.settings.max_result_bytes,
        )
        result = await self.run(job)
        if media == HTML_MEDIA_TYPE:
            return await self.query_form(request, text, name, result)
        if isinstance(result, Failure):
            raise HttpError(400, result.message)
        headers = {"Vary": "Accept"}
        if result.truncated:
            headers["X-SPARQL-MaxRows"] = str(result.count)
        return respond(request, result.body, media, headers, cache="public, max-age=3600")

    async def protocol_parameters(
        self, request: Request
    ) -> tuple[dict[str, list[str]], str | None]:
        """The protocol's parameters (URL and form body) and a query sent as the body (or
        "update" for an update sent as the body)."""
        params: dict[str, list[str]] = {}
        for key, value in form_pairs(request.scope["query_string"]):
            params.setdefault(key, []).append(value)
        if request.method != "POST":
            return params, None
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await read_body(request, self.settings.max_body, self.settings.body_timeout)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise HttpError(400, "the request body is not UTF-8 text") from None
        if kind == "application/x-www-form-urlencoded":
            for key, value in form_pairs(body, "utf-8"):
                params.setdefault(key, []).append(value)
            return params, None
        if kind == "application/sparql-query":
            return params, text
        if kind == "application/sparql-update":
            return params, "update"
        raise HttpError(
            415,
            "POST a query as application/sparql-query or as the `query` field of "
            f"application/x-www-form-urlencoded, not {kind or 'no content type'}",
        )

    def prefers_html(self, request: Request, params: Mapping[str, list[str]]) -> bool:
        """Whether the client asked for a page (a browser), not data."""
        fmt = first(params, "format", "output")
        if fmt:
            return fmt.lower() in ("html", HTML_MEDIA_TYPE)
        accept = request.headers.get("accept")
        return (
            choose_media_type(accept, ["application/octet-stream", HTML_MEDIA_TYPE])
            == HTML_MEDIA_TYPE
        )

    def result_media(
        self, request: Request, params: Mapping[str, list[str]], form: str | None
    ) -> str:
        """The media type of the result: `format=`/`output=`, else negotiated (406 if none fits)."""
        graph_types = [f.media_type for f in GRAPH_FORMATS]
        if form in SOLUTION_FORMS:
            offered, aliases = [*SOLUTION_MEDIA_TYPES, HTML_MEDIA_TYPE], RESULT_ALIASES
        elif form in QUERY_FORMS:
            offered, aliases = [*graph_types, HTML_MEDIA_TYPE], RDF_ALIASES
        else:  # not a query: the worker reports the syntax error, in whatever form was asked
            offered, aliases = (
                [*SOLUTION_MEDIA_TYPES, *graph_types, HTML_MEDIA_TYPE],
                RESULT_ALIASES,
            )
        fmt = first(params, "format", "output")
        if fmt:
            media = format_media_type(fmt, form)
            if media not in offered:
                raise not_acceptable(
                    offered, f"format={fmt} cannot hold a {form or 'query'} result"
                )
            return media
        media = choose_media_type(request.headers.get("accept"), offered, aliases=aliases)
        if media is None:
            raise not_acceptable(offered)
        return media

    async def run(self, job: Job) -> Outcome | Failure:
        """The result of `job`: cached, shared with an identical query running now, or run."""
        cached = self.outcomes.get(job)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        running = self._inflight.get(job)
        if running is not None:
            return await asyncio.shield(running)
        # Admission at once: a query that would only queue behind every worker and every
        # waiting place is answered "busy" (503, Retry-After) now, not after minutes in a queue.
        if self._admitted >= self.settings.workers + self.settings.max_waiting:
            self.pool.stats.busy += 1
            raise PoolBusy("too many queries are running or waiting; try again in a moment")
        future: asyncio.Future[Outcome | Failure] = asyncio.get_running_loop().create_future()
        self._inflight[job] = future
        self._admitted += 1
        try:
            result = await self.pool.run(job)
        except BaseException as err:
            future.set_exception(err)
            future.exception()  # retrieved: waiters get it, nobody is warned
            raise
        finally:
            self._admitted -= 1
            self._inflight.pop(job, None)
        size = len(result.body) if isinstance(result, Outcome) else len(result.message)
        if isinstance(result, Outcome) and result.table is not None:
            size += 200 * len(result.table.rows) * max(1, len(result.table.variables))
        self.outcomes.put(job, result, size + 256)
        future.set_result(result)
        return result

    async def service_description(self, request: Request) -> Response:
        """The endpoint fetched without a query: its service description, or the form."""
        offered = [f.media_type for f in GRAPH_FORMATS]
        media = choose_media_type(
            request.headers.get("accept"), [*offered, HTML_MEDIA_TYPE], aliases=RDF_ALIASES
        )
        if media is None:
            raise not_acceptable([*offered, HTML_MEDIA_TYPE])
        if media == HTML_MEDIA_TYPE:
            return await self.query_form(request, "", None)
        # From the configured base, never from the request's Host or X-Forwarded-* headers:
        # the description is cached and shared, and a client must not be able to write into it.
        endpoint = self.base + "sparql"
        fmt = next(f for f in GRAPH_FORMATS if f.media_type == media)

        def make() -> bytes:
            return self.publication.write(self.publication.service_description(endpoint), fmt)

        data = await self.cached_bytes(("sd", endpoint, fmt.name), make)
        return respond(request, data, media, {"Vary": "Accept"})

    async def query_form(
        self, request: Request, text: str, name: str | None, result: Outcome | Failure | None = None
    ) -> Response:
        """The query form (HTML), with a result or an error under it."""
        from mdq_graph.web.pages import render_query_page  # with the first page (see `resource`)

        lang, explicit = self.language(request)
        site = self.site(request, explicit)
        error = result.message if isinstance(result, Failure) else None
        workbench = self.workbench_settings(lang, explicit)

        def render() -> str:
            # Off the event loop: labelling and writing 10,000 rows takes most of a second.
            view = QueryView(
                query=text,
                selected=name,
                queries=self.publication.queries,
                results=self.results_view(result) if isinstance(result, Outcome) else None,
                error=error,
                max_rows=self.settings.max_results,
                timeout=self.settings.timeout,
            )
            return render_query_page(Page(site, view), lang, workbench)

        body = await anyio.to_thread.run_sync(render)
        status = 400 if error else 200
        headers = {"Vary": "Accept, Accept-Language"}
        if result is not None and isinstance(result, Outcome) and result.truncated:
            headers["X-SPARQL-MaxRows"] = str(result.count)
        return respond(
            request, body.encode("utf-8"), HTML_MEDIA_TYPE, headers, status=status, language=lang
        )

    def results_view(self, outcome: Outcome) -> ResultsView:
        """A worker's table as a view model, with the labels of the IRIs in it."""
        if outcome.boolean is not None:
            return ResultsView(boolean=outcome.boolean, seconds=outcome.seconds)
        table = outcome.table
        assert table is not None
        rows = tuple(
            tuple(None if c is None else self.cell_node(c) for c in row) for row in table.rows
        )
        return ResultsView(
            table.variables, rows, truncated=table.truncated, seconds=outcome.seconds
        )

    def cell_node(self, cell: Cell) -> Node:
        """A result cell as a node (IRIs with labels and CURIE)."""
        if cell.kind == "uri":
            describer = self.publication.describer
            return Node(
                "uri",
                cell.value,
                labels=describer.labels(cell.value),
                curie=describer.curie(cell.value),
            )
        return Node(cell.kind, cell.value, cell.language, cell.datatype)

    # --- errors -------------------------------------------------------------------------------

    async def error_response(
        self, request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
    ) -> Response:
        """An error as a page for browsers, as text for everyone else."""
        from mdq_graph.web.pages import render_error_page  # with the first page (see `resource`)

        titles = {
            400: "Bad request",
            404: "Not found",
            405: "Method not allowed",
            406: "Not acceptable",
            413: "Content too large",
            414: "URI too long",
            415: "Unsupported media type",
            503: "Service unavailable",
        }
        title = titles.get(status, "Error")
        if self.prefers_html(request, {}):
            try:
                lang, explicit = self.language(request)
            except HttpError:
                lang, explicit = PAGE_LANGUAGES[0], None
            site = self.site(request, explicit)
            body = render_error_page(Page(site, ErrorView(status, title, message)), lang)
            return respond(
                request, body.encode("utf-8"), HTML_MEDIA_TYPE, headers, status=status, cache=None
            )
        return respond(
            request,
            f"{status} {title}: {message}\n".encode(),
            "text/plain",
            headers,
            status=status,
            cache=None,
        )


def create_app(
    source: Exportable | Engine | Dataset | Publication,
    *,
    base_uri: str = BASE,
    settings: ServerSettings | None = None,
) -> Application:
    """The ASGI application serving `source` (a dataset, an engine over a store, or a prepared
    publication) under `base_uri`."""
    publication = source if isinstance(source, Publication) else publish(source, base_uri)
    server = Server(publication, settings or ServerSettings())

    async def dispatch(request: Request) -> Response:
        return await server.dispatch(request)

    async def sparql(request: Request) -> Response:
        return await server.sparql(request)

    async def handle(request: Request, exc: Exception) -> Response | None:
        """The response to an exception raised answering `request` (None: an internal error)."""
        if isinstance(exc, HttpError):
            return await server.error_response(request, exc.status, exc.message, exc.headers)
        if isinstance(exc, HTTPException):
            headers = dict(exc.headers or {})
            message = {
                404: "nothing is published here",
                405: "this method is not allowed here",
            }.get(exc.status_code, str(exc.detail))
            return await server.error_response(request, exc.status_code, message, headers)
        if isinstance(exc, QueryTimeout | PoolBusy | WorkerFailed):
            busy = {"Retry-After": "5"} if isinstance(exc, PoolBusy) else {}
            return await server.error_response(request, 503, str(exc), busy)
        return None

    async def on_error(request: Request, exc: Exception) -> Response:
        response = await handle(request, exc)
        assert response is not None
        return response

    async def on_internal_error(request: Request, exc: Exception) -> Response:
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        return internal_error()

    sparql_path = f"{server.root}sparql"
    starlette = Starlette(
        routes=[
            Route(sparql_path, sparql, methods=["GET", "POST", "OPTIONS"]),
            Route("/{path:path}", dispatch, methods=["GET"]),
        ],
        middleware=[Middleware(SecurityHeaders), Middleware(CORSMiddleware, **CORS_OPTIONS)],
        exception_handlers={
            HttpError: on_error,
            HTTPException: on_error,
            QueryTimeout: on_error,
            PoolBusy: on_error,
            WorkerFailed: on_error,
            Exception: on_internal_error,
        },
        lifespan=server.lifespan,
    )
    starlette.state.server = server
    # The endpoint's own requests skip Starlette's router and middleware (`endpoint`); the CORS
    # headers are added by an instance with the same options as the one in the stack above.
    cors = CORSMiddleware(starlette, **CORS_OPTIONS)
    return Application(starlette, sparql_path, server.sparql, handle, cors)


def serve(
    source: Exportable | Engine | Dataset,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    base_uri: str = BASE,
    settings: ServerSettings | None = None,
) -> None:
    """Serve `source` with uvicorn until interrupted."""
    import uvicorn

    from mdq_graph.graph.store import store_lock

    settings = settings or ServerSettings()
    store = source.path if isinstance(source, Engine) else None
    # A served store is not replaced under the server: `load` into it is refused meanwhile.
    with store_lock(store, shared=True) if store is not None else contextlib.nullcontext():
        app = create_app(source, base_uri=base_uri, settings=settings)
        uvicorn.run(app, host=host, port=port, log_level="info", **uvicorn_options(settings))


def uvicorn_options(settings: ServerSettings) -> dict[str, Any]:
    """uvicorn's options for `settings`: the connection cap, the idle and header timeouts."""
    from mdq_graph.web.connections import header_deadline_protocol

    return {
        "http": header_deadline_protocol(settings.header_timeout),
        "server_header": False,
        "limit_concurrency": settings.max_connections,
        "timeout_keep_alive": int(max(1, settings.keep_alive)),
    }
