"""Fixtures for the server tests: the publication (prepared once) and in-process clients."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn
from rdflib import Dataset
from starlette.testclient import TestClient

from mdq_graph.web.publication import Publication, publish
from mdq_graph.web.server import ServerSettings, create_app
from tests.support.virtuoso import free_port

#: A local base, as `serve --base-uri` would be given.
LOCAL_BASE = "http://127.0.0.1:8000/"


@pytest.fixture(scope="session")
def publication(dataset: Dataset) -> Publication:
    """The bundled graph prepared for serving under the default base."""
    return publish(dataset)


@pytest.fixture(scope="session")
def client(publication: Publication) -> Iterator[TestClient]:
    """A client of the server (two workers, default limits), shared by the tests."""
    app = create_app(publication, settings=ServerSettings(workers=2))
    with TestClient(app) as test_client:
        yield test_client


@contextmanager
def running_server(app: object, **options: Any) -> Iterator[str]:
    """Serve `app` with uvicorn (and `options`) on a free loopback port for the block; yields its
    root URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **options)  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def app_with(publication: Publication, **settings: object) -> object:
    """A server app over `publication` with some settings changed."""
    return create_app(publication, settings=ServerSettings(**settings))  # type: ignore[arg-type]
