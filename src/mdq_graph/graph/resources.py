"""Finds the bundled ontology, data, shapes and queries, in a wheel or in a source checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_BUNDLE_DIRS = ("ontology", "data", "shapes", "queries")


def bundle_dir(name: str) -> Path:
    """The folder of bundled files `name` (one of ontology, data, shapes, queries)."""
    if name not in _BUNDLE_DIRS:
        raise ValueError(f"unknown bundle folder {name!r}; expected one of {_BUNDLE_DIRS}")
    # An installed wheel carries the folders inside the package (see pyproject's force-include) ...
    packaged = Path(str(resources.files("mdq_graph"))) / "_bundle" / name
    if packaged.is_dir():
        return packaged
    # ... a source checkout or an editable install keeps them at the top of the repository.
    return Path(__file__).resolve().parents[3] / name


def ontology_file() -> Path:
    """The OWL ontology in Turtle."""
    return bundle_dir("ontology") / "mdq.ttl"


def jsonld_context_file() -> Path:
    """The JSON-LD context published as https://w3id.org/mdq/context.jsonld."""
    return bundle_dir("ontology") / "context.jsonld"


def frames_dir() -> Path:
    """The folder of the JSON-LD frames (`export --frame NAME` uses NAME.jsonld)."""
    return bundle_dir("ontology") / "frames"


def data_dir() -> Path:
    """The folder of the bundled knowledge graph (TriG, one named graph per source)."""
    return bundle_dir("data")


def shapes_dir() -> Path:
    """The folder of the bundled SHACL shapes."""
    return bundle_dir("shapes")


def queries_dir() -> Path:
    """The folder of the curated SPARQL queries."""
    return bundle_dir("queries")


def sources_dir() -> Path:
    """The folder of the source texts that quotes point into."""
    return data_dir() / "sources"
