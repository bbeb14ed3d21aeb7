"""`serve --store`: an on-disk store is served in place; the workers open it read-only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mdq_graph.graph.loader import build_store
from mdq_graph.graph.store import open_store
from mdq_graph.web.server import ServerSettings, create_app

JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def store_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder: Path = tmp_path_factory.mktemp("served") / "store"
    build_store(folder)
    app = create_app(open_store(folder), settings=ServerSettings(workers=1))
    with TestClient(app) as client:
        yield client


def test_the_store_is_served_in_place(store_client: TestClient) -> None:
    server = store_client.app.state.server  # type: ignore[attr-defined]
    assert server.pool.source.store_path is not None  # no copy for the workers
    assert server.pool.source.nquads is None
    response = store_client.get(
        "/sparql",
        params={
            "query": "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/mdq/ontology#Country> }"
        },
        headers={"Accept": JSON},
    )
    assert response.status_code == 200, response.text
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) >= 13


def test_pages_and_the_catalog_of_a_store(store_client: TestClient) -> None:
    page = store_client.get("/id/meeting/mdq-7", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "7th Multilateral Dialogue on Quantum" in page.text
    home = store_client.get("/", headers={"Accept": "text/html"})
    assert home.status_code == 200
    assert 'href="/download/mdq.ttl"' in home.text
    download = store_client.get("/download/mdq.nt")
    assert download.status_code == 200
    assert b"<https://w3id.org/mdq/id/meeting/mdq-7>" in download.content
