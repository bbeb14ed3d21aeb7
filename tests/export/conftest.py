"""The export tests' shared corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from mdq_graph.synth import synthesize


@pytest.fixture(scope="package")
def synth_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic corpus (two meetings, about 1,500 triples), read by every export test."""
    path = tmp_path_factory.mktemp("synth") / "corpus.nq"
    synthesize(path, 2, seed=5)
    return path
