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


#: Each limit's option, its value on the command line, and the setting it becomes.
LIMITS = [
    ("--max-result-bytes", "65536", "max_result_bytes", 65536),
    ("--max-body", "4096", "max_body", 4096),
    ("--max-waiting", "0", "max_waiting", 0),
    ("--queue-timeout", "2.5", "queue_timeout", 2.5),
    ("--max-connections", "16", "max_connections", 16),
    ("--worker-memory", "512", "worker_memory", 512 * 1024**2),
    ("--worker-memory", "0", "worker_memory", None),
]


@pytest.mark.parametrize(("option", "value", "field", "expected"), LIMITS)
def test_each_limit_has_an_option(
    runner: CliRunner, served: dict[str, Any], option: str, value: str, field: str, expected: Any
) -> None:
    result = runner.invoke(main, ["serve", option, value])
    assert result.exit_code == 0, result.output
    assert getattr(served["settings"], field) == expected


def test_the_defaults_are_the_servers(runner: CliRunner, served: dict[str, Any]) -> None:
    """Without options, `serve` runs with `ServerSettings`' own defaults."""
    result = runner.invoke(main, ["serve"])
    assert result.exit_code == 0, result.output
    assert served["settings"] == ServerSettings()


@pytest.mark.parametrize(
    ("option", "value"), [("--max-body", "10"), ("--worker-memory", "-1"), ("--queue-timeout", "0")]
)
def test_a_limit_out_of_range_is_a_usage_error(runner: CliRunner, option: str, value: str) -> None:
    result = runner.invoke(main, ["serve", option, value])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


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
