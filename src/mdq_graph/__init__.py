"""mdq-graph: the 7th Multilateral Dialogue on Quantum as a linked-data knowledge graph."""

from __future__ import annotations

__version__ = "0.1.0"

from mdq_graph.dataset import load_dataset

__all__ = ["__version__", "load_dataset"]
