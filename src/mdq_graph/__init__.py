"""mdq-graph: the 7th Multilateral Dialogue on Quantum as a linked-data knowledge graph.

The package is laid out by capability, each layer importing only those below it:
`web` (serve, pages, publish) over `export` over `catalog` over `formats` over `graph`; `query` and
`validate` over `formats` and `graph`; `cli`, `push` and `synth` at the door; `errors`, `output` and
`collector` are shared by every layer. `tests/test_layout.py` holds the rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from mdq_graph.graph.loader import load_dataset

__all__ = ["__version__", "load_dataset"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so that `import mdq_graph` (and every command that does not load an
    # rdflib dataset) does not pay for rdflib.
    if name == "load_dataset":
        from mdq_graph.graph.loader import load_dataset

        return load_dataset
    raise AttributeError(f"module 'mdq_graph' has no attribute {name!r}")
