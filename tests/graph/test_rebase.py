"""--base-uri moves every IRI under the base, and nothing else."""

from __future__ import annotations

import pytest
from rdflib import Dataset, URIRef

from mdq_graph.errors import UsageError
from mdq_graph.graph.rebase import check_base, rebase_dataset, rebase_iri


def test_rebase_iri() -> None:
    assert rebase_iri("https://w3id.org/mdq/id/country/jp", "http://127.0.0.1:8000/") == (
        "http://127.0.0.1:8000/id/country/jp"
    )
    assert rebase_iri("http://www.wikidata.org/entity/Q17", "http://x/") == (
        "http://www.wikidata.org/entity/Q17"
    )


@pytest.mark.parametrize("bad", ["127.0.0.1:8000/", "http://localhost:8000", "ftp://x/"])
def test_bad_bases_are_refused(bad: str) -> None:
    with pytest.raises(UsageError):
        check_base(bad)


def test_rebase_dataset_moves_subjects_objects_and_graph_names(dataset: Dataset) -> None:
    moved = rebase_dataset(dataset, "http://localhost:8000/")
    assert len(moved) == len(dataset)
    graphs = {str(g.identifier) for g in moved.graphs() if len(g)}
    assert "http://localhost:8000/graph/release-en" in graphs
    meeting = URIRef("http://localhost:8000/id/meeting/mdq-7")
    assert (meeting, None, URIRef("http://localhost:8000/id/series/mdq")) in moved
    assert not any(str(s).startswith("https://w3id.org/mdq/") for s in moved.subjects())
    # links outside the base stay as they are
    assert (None, None, URIRef("http://www.wikidata.org/entity/Q17")) in moved
