"""`validate --shapes` cannot make either SHACL engine call another host: a SHACL-SPARQL query with
SERVICE is refused (exit 2) before any connection, whichever engine would run it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mdq_graph.cli import main
from tests.support.probes import loopback_listener

_SERVICE_SHAPE = """
@prefix sh:  <http://www.w3.org/ns/shacl#> .
@prefix mdq: <https://w3id.org/mdq/ontology#> .
@prefix ex:  <https://portal.example.org/shapes#> .

ex:CallsOut a sh:NodeShape ;
    sh:targetClass mdq:Meeting ;
    sh:sparql [
        sh:message "calls out" ;
        sh:select {select} ;
    ] {extra} .
"""
#: The same SERVICE spelt as each engine's parser reads it; with sh:in beside it, pySHACL runs the
#: shapes (the set-at-a-time engine does not know sh:in).
CASES = {
    "oxigraph": ('"""SELECT $this WHERE { SERVICE <URL> { $this ?p ?o } }"""', ""),
    "oxigraph-escaped-quote": (
        "'''SELECT $this WHERE { BIND(\"\\\\u0022\" AS ?x) SERVICE <URL> { $this ?p ?o } "
        "BIND(\"\\\\u0022\" AS ?y) }'''",
        "",
    ),
    "pyshacl": (
        '"""SELECT $this WHERE { SERVICE <URL> { $this ?p ?o } }"""',
        "; sh:property [ sh:path mdq:organiser ; sh:in ( mdq:none ) ]",
    ),
}


def test_every_case_is_collected() -> None:
    assert len(CASES) == 3


@pytest.mark.parametrize(("select", "extra"), CASES.values(), ids=CASES.keys())
def test_a_shape_with_service_is_refused_before_any_connection(
    tmp_path: Path, select: str, extra: str
) -> None:
    with loopback_listener() as listener:
        shapes = tmp_path / "portal.ttl"
        text = _SERVICE_SHAPE.replace("{select}", select.replace("URL", listener.url))
        shapes.write_text(text.replace("{extra}", extra), encoding="utf-8")
        result = CliRunner().invoke(main, ["validate", "--shapes", str(shapes)])
        assert listener.connections == 0, listener.requests
    assert result.exit_code == 2, result.output
    assert "SERVICE" in result.output
