"""Shared fixtures: the bundled dataset (loaded once) and a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset

from mdq_graph import load_dataset

# The session-scoped `static_site` fixture (the bundled site, built once for every site test).
from tests.support.site import static_site as static_site

# The session-scoped `virtuoso` fixture (one server for every test that pushes to it).
from tests.support.virtuoso import virtuoso_fixture as virtuoso_fixture

TESTS = Path(__file__).resolve().parent
TEST_DATA = TESTS / "data"
REPO = TESTS.parent


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    """The bundled knowledge graph with its inferred view (do not modify it in a test)."""
    return load_dataset()


@pytest.fixture()
def runner() -> CliRunner:
    """A click test runner."""
    return CliRunner()
