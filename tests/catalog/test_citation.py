"""How to cite: CITATION.cff, the catalog's dct:bibliographicCitation and the graph agree."""

from __future__ import annotations

import re

from rdflib import Dataset, URIRef
from rdflib.namespace import DCTERMS

from mdq_graph import __version__
from mdq_graph.catalog.dcat import build_catalog
from mdq_graph.graph.namespaces import BASE
from tests.conftest import REPO
from tests.support.description import as_graph

CFF = (REPO / "CITATION.cff").read_text(encoding="utf-8")


def cff_values(key: str) -> list[str]:
    """Every value of `key` in the file (at any depth), unquoted."""
    return [v.strip().strip('"') for v in re.findall(rf"^\s*-?\s*{key}:\s*(.+)$", CFF, re.M)]


def test_the_citation_file_gives_the_software_and_the_dataset() -> None:
    assert cff_values("cff-version") == ["1.2.0"]
    assert cff_values("type")[:2] == ["software", "data"]
    assert set(cff_values("version")) == {__version__}
    assert "https://w3id.org/mdq/dataset" in cff_values("url")
    assert cff_values("license") == ["MIT", "CC-BY-4.0"]


def test_the_catalog_cites_the_dataset_as_the_citation_file_does(dataset: Dataset) -> None:
    catalog = as_graph(build_catalog(dataset))
    (cited,) = catalog.objects(URIRef(BASE + "dataset"), DCTERMS.bibliographicCitation)
    dataset_title = cff_values("title")[1]
    assert dataset_title in str(cited) and f"version {__version__}" in str(cited)
    assert str(cited).startswith(cff_values("name")[0])
    assert str(cited).endswith("https://w3id.org/mdq/dataset")


def test_the_sources_cited_are_the_releases_in_the_graph(dataset: Dataset) -> None:
    titles = {str(t) for t in dataset.objects(None, DCTERMS.title)}
    for title in cff_values("title")[2:]:
        assert title in titles, title
