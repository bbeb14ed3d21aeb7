"""The SPARQL engine: an Oxigraph store holding the dataset, queried with the union as default graph.

The store keeps every named graph and, in its default graph, the RDF merge of them all: Oxigraph's
own "default graph as union" is a bag (a triple stated in two graphs would match twice), while
SPARQL over an RDF dataset, and rdflib, treat the union as a set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from mdq_graph.errors import QueryError

if TYPE_CHECKING:
    from rdflib import Dataset

_POSITION = re.compile(r"(?:at |error at )?(\d+):(\d+)")


@dataclass
class Engine:
    """An Oxigraph store over the dataset; its default graph is the union of the named graphs."""

    store: ox.Store
    #: The on-disk store folder the engine was opened from (`mdq_graph.graph.store.open_store`), else None: a worker
    #: process can open the same folder instead of copying the store.
    path: Path | None = None

    @classmethod
    def from_dataset(cls, dataset: Dataset) -> Engine:
        """An in-memory store holding every quad of `dataset`."""
        store = ox.Store()
        data = dataset.serialize(format="nquads", encoding="utf-8")
        store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        fill_union_graph(store)
        return cls(store)

    def query(
        self,
        text: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        prefixes: Mapping[str, str] | None = None,
        base_iri: str | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a SPARQL query (`prefixes` predefined, relative IRIs resolved against `base_iri`);
        `QueryError` gives the position of a syntax error."""
        options: dict[str, object] = {}
        if prefixes:
            options["prefixes"] = dict(prefixes)
        if base_iri:
            options["base_iri"] = base_iri
        if default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            return self.store.query(text, **options)  # type: ignore[arg-type]
        except SyntaxError as err:
            raise query_error(err) from None
        except ValueError as err:
            raise QueryError(str(err)) from None


def fill_union_graph(store: ox.Store) -> None:
    """Make the store's default graph the set union of its named graphs."""
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


def query_error(err: SyntaxError) -> QueryError:
    """A `QueryError` with the line and column Oxigraph reports."""
    message = str(err.msg if hasattr(err, "msg") and err.msg else err)
    line = getattr(err, "lineno", None)
    column = getattr(err, "offset", None)
    match = _POSITION.match(message)
    if match:
        if not line:
            line, column = int(match.group(1)), int(match.group(2))
        # QueryError states the position itself; do not say it twice.
        message = message[match.end() :].lstrip(": ")
    return QueryError(message, line, column)
