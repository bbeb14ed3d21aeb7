"""The application `serve` runs: `/sparql` straight from the HTTP layer, the rest through Starlette.

A request to the SPARQL endpoint (GET, HEAD, POST) goes from uvicorn's protocol to the server's
`sparql` method and back without Starlette's router, its exception and error middleware, and the
middleware stack's wrappers of `send` (a third of the server process's time on a trivial query).
What those layers add to a response is added here by the very same code: the CORS middleware's
`send` (its instance is shared with the Starlette application), the security headers
(`http.security_headers`), and the exception handlers (`handle` maps an exception to its response
as the Starlette application's handlers do). So the responses are the same, byte for byte; the
tests compare both paths. Every other request (pages, data, assets, OPTIONS and the CORS
preflight, the lifespan) goes to the Starlette application.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.datastructures import Headers, State
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from mdq_graph.web.http import security_headers

log = logging.getLogger("mdq_graph.web.server")

#: The methods served on the direct path; OPTIONS (and the CORS preflight) goes to Starlette.
DIRECT_METHODS = frozenset({"GET", "HEAD", "POST"})

#: What the server answers a request with (`Server.sparql`).
Handler = Callable[[Request], Awaitable[Response]]
#: The response for an exception the handler raised, as the Starlette application's exception
#: handlers give it; None for one they leave to the error middleware (a 500).
ErrorHandler = Callable[[Request, Exception], Awaitable[Response | None]]


def internal_error() -> Response:
    """The answer to an unexpected exception (logged, never shown)."""
    return Response(
        "500 Internal Server Error: something went wrong on our side; it has been logged.\n",
        status_code=500,
        media_type="text/plain; charset=utf-8",
    )


class Application:
    """An ASGI application: `path` (GET, HEAD, POST) answered by `handler` directly, everything
    else by `starlette`. `cors` is the CORS middleware instance of `starlette`'s stack."""

    def __init__(
        self,
        starlette: Starlette,
        path: str,
        handler: Handler,
        errors: ErrorHandler,
        cors: CORSMiddleware,
    ) -> None:
        self.starlette = starlette
        self.path = path
        self.handler = handler
        self.errors = errors
        self.cors = cors

    @property
    def state(self) -> State:
        """The Starlette application's state (`state.server`: the server)."""
        return self.starlette.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == self.path
            and scope["method"] in DIRECT_METHODS
            and not scope.get("root_path")  # (Starlette would route on the path under it)
        ):
            await self.direct(scope, receive, send)
        else:
            await self.starlette(scope, receive, send)

    async def direct(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a request to the endpoint without Starlette's router and middleware."""
        request = Request(scope, receive)
        try:
            response = await self.handler(request)
        except Exception as exc:
            handled = await self.errors(request, exc)
            if handled is None:
                # Starlette's error middleware answers it outside the other middleware.
                log.error("internal error on %s %s", scope["method"], scope["path"], exc_info=exc)
                await _send_response(internal_error(), send)
                return
            response = handled
        start: Message = {
            "type": "http.response.start",
            "status": response.status_code,
            "headers": response.raw_headers,
        }

        async def secured(message: Message) -> None:
            security_headers(message)
            await send(message)

        await self.cors.send(start, secured, Headers(scope=scope))
        await send({"type": "http.response.body", "body": response.body})


async def _send_response(response: Response, send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": response.status_code,
            "headers": response.raw_headers,
        }
    )
    await send({"type": "http.response.body", "body": response.body})
