"""No input file can make a command open a URL or a file it was not given, or expand without bound:
each hostile file (tests/data/hostile/) is refused with exit 2 by every command that reads data,
before any connection (a loopback listener sees none) and without opening the canary file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mdq_graph.cli import main
from mdq_graph.errors import InputError
from mdq_graph.graph.namespaces import CONTEXT_IRI
from mdq_graph.graph.parsing import MAX_RDF_NESTING, check_structure
from tests.conftest import TEST_DATA
from tests.support.probes import canary, loopback_listener, opened_files

HOSTILE = sorted((TEST_DATA / "hostile").glob("*.*"))
COMMANDS = {
    "validate": lambda f, out: ["validate", str(f)],
    "export": lambda f, out: ["--data", str(f), "export", "--format", "nt"],
    "query": lambda f, out: ["--data", str(f), "query", "ASK { ?s ?p ?o }"],
    "load": lambda f, out: ["--data", str(f), "load", "--store", str(out)],
}


#: Every file through `export`; the same verdict from every other command for one of each kind.
CASES = [(f, "export") for f in HOSTILE] + [
    (f, command)
    for f in HOSTILE
    if f.name in ("entity-expansion.rdf", "remote-context.jsonld", "nested-lists.ttl")
    for command in COMMANDS
    if command != "export"
]


def test_every_hostile_file_is_collected() -> None:
    assert len(HOSTILE) == 13
    assert len(CASES) == 22


@pytest.mark.parametrize(("hostile", "command"), CASES, ids=[f"{f.name}-{c}" for f, c in CASES])
def test_a_hostile_file_is_refused_and_reaches_nothing(
    tmp_path: Path, hostile: Path, command: str
) -> None:
    secret = canary(tmp_path)
    with loopback_listener() as listener:
        text = (
            hostile.read_text(encoding="utf-8")
            .replace("LISTENER_URL", listener.url)
            .replace("CANARY_PATH", str(secret))
            .replace("CANARY_URI", secret.as_uri())
        )
        given = tmp_path / hostile.name
        given.write_text(text, encoding="utf-8")
        with opened_files() as opened:
            result = CliRunner().invoke(main, COMMANDS[command](given, tmp_path / "store"))
        assert listener.connections == 0
    assert result.exit_code == 2, result.output
    assert "CANARY" not in result.output and "Traceback" not in result.output
    assert str(secret) not in opened


def test_our_own_context_is_taken_from_the_bundled_copy(tmp_path: Path) -> None:
    given = tmp_path / "ours.jsonld"
    document = {"@context": CONTEXT_IRI, "@id": "https://w3id.org/mdq/id/x", "label": "x"}
    given.write_text(json.dumps(document), encoding="utf-8")
    result = CliRunner().invoke(main, ["--data", str(given), "export", "--format", "nt"])
    assert result.exit_code == 0, result.output
    assert "<https://w3id.org/mdq/id/x> <http://www.w3.org/2000/01/rdf-schema#label>" in (
        result.output
    )


def test_nesting_up_to_the_limit_is_read_alike_by_both_parsers(tmp_path: Path) -> None:
    given = tmp_path / "deep.ttl"
    depth = MAX_RDF_NESTING - 1  # and the blank node inside: 100 levels
    nested = "( " * depth + '"a (" [ <http://example.org/p> 1 ]' + " )" * depth
    given.write_text(f"<http://example.org/a> <http://example.org/p> {nested} .", encoding="utf-8")
    check_structure(given, "turtle", given.read_bytes())  # within the limit: no error
    nt = CliRunner().invoke(main, ["--data", str(given), "export", "--format", "nt"])
    assert nt.exit_code == 0, nt.output
    deeper = tmp_path / "deeper.ttl"
    deeper.write_text(given.read_text().replace("( ", "( ( ", 1).replace(" )", " ) )", 1))
    with pytest.raises(InputError, match="limit is 100"):
        check_structure(deeper, "turtle", deeper.read_bytes())
