"""The plain IRIs (`graph.iris`, without rdflib) and rdflib's namespaces name the same things."""

from __future__ import annotations

import subprocess
import sys

import pytest
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SKOS,
    TIME,
    VANN,
    VOID,
    XSD,
)

from mdq_graph.graph import namespaces
from mdq_graph.graph.iris import BASE, PREFIX_IRIS, curie

#: rdflib's own namespaces for the standard vocabularies we bind.
RDFLIB_NAMESPACES = {
    "dcat": DCAT, "dct": DCTERMS, "foaf": FOAF, "org": ORG, "owl": OWL, "prov": PROV, "rdf": RDF,
    "rdfs": RDFS, "skos": SKOS, "time": TIME, "vann": VANN, "void": VOID, "xsd": XSD,
    "schema": namespaces.SCHEMA, "mdq": namespaces.MDQ, "id": namespaces.ID,
    "graph": namespaces.GRAPH,
}  # fmt: skip


@pytest.mark.parametrize("prefix", sorted(RDFLIB_NAMESPACES))
def test_each_prefix_is_the_namespace_rdflib_knows(prefix: str) -> None:
    assert PREFIX_IRIS[prefix] == str(RDFLIB_NAMESPACES[prefix])
    assert str(namespaces.PREFIXES[prefix]) == PREFIX_IRIS[prefix]


def test_curie_takes_the_longest_namespace() -> None:
    assert curie(BASE + "ontology#Meeting") == "mdq:Meeting"
    assert curie(BASE + "graph/release-en") == "graph:release-en"
    assert curie(BASE + "id/meeting/mdq-7") == f"<{BASE}id/meeting/mdq-7>"  # not a local name
    assert curie("https://example.org/x") == "<https://example.org/x>"


def test_the_iris_need_no_rdflib() -> None:
    code = "import sys, mdq_graph.graph.iris; print('rdflib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
