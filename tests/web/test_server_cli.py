"""`mdq-graph serve`: its options reach the server; a bad base is a usage error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mdq_graph.cli import main
from mdq_graph.graph.engine import Engine
from mdq_graph.graph.loader import build_store
from mdq_graph.graph.namespaces import BASE
from mdq_graph.web.server import ServerSettings


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What `serve` was called with (instead of starting uvicorn)."""
    calls: dict[str, Any] = {}

    def fake_serve(source: object, **options: Any) -> None:
        calls["source"] = source
        calls.update(options)

    monkeypatch.setattr("mdq_graph.web.server.serve", fake_serve)
    return calls


def test_serve_passes_its_options(runner: CliRunner, served: dict[str, Any]) -> None:
    result = runner.invoke(
        main,
        [
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            "8081",
            "--timeout",
            "3",
            "--max-results",
            "50",
            "--workers",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (served["host"], served["port"], served["base_uri"]) == ("0.0.0.0", 8081, BASE)
    assert served["settings"] == ServerSettings(timeout=3.0, max_results=50, workers=3)


def test_a_base_uri_that_is_not_absolute_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["serve", "--base-uri", "localhost:8000/"])
    assert result.exit_code == 2
    assert (
        "--base-uri 'localhost:8000/' must be an absolute http:// or https:// IRI" in result.output
    )


def test_a_missing_store_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["serve", "--store", f"{tmp_path}/nope"])
    assert result.exit_code == 2
    assert "mdq-graph load --store" in result.output


def test_help_has_an_example(runner: CliRunner) -> None:
    result = runner.invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert "mdq-graph serve --base-uri http://127.0.0.1:8000/" in result.output


def test_the_global_store_is_served_in_place(
    runner: CliRunner, served: dict[str, Any], tmp_path: Path
) -> None:
    build_store(tmp_path / "store")
    result = runner.invoke(main, ["--store", str(tmp_path / "store"), "serve"])
    assert result.exit_code == 0, result.output
    assert isinstance(served["source"], Engine)
    assert served["source"].path == tmp_path / "store"
