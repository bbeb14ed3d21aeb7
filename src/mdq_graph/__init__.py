"""mdq-graph: the 7th Multilateral Dialogue on Quantum as a linked-data knowledge graph.

The package is laid out by capability, each layer importing only those below it:
`web` (serve, pages, publish) over `export` over `catalog` over `formats` over `graph`; `query` and
`validate` over `formats` and `graph`; `cli`, `push` and `synth` at the door; `errors`, `output` and
`collector` and `version` are shared by every layer. `tests/test_layout.py` holds the rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mdq_graph.graph.loader import load_dataset
    from mdq_graph.version import __version__

__all__ = ["__version__", "load_dataset"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so that `import mdq_graph` (and every command that does not load an
    # rdflib dataset) does not pay for rdflib; the modules read the version from
    # `mdq_graph.version`, so that none of them imports the package's face.
    if name == "__version__":
        from mdq_graph.version import __version__

        return __version__
    if name == "load_dataset":
        from mdq_graph.graph.loader import load_dataset

        return load_dataset
    raise AttributeError(f"module 'mdq_graph' has no attribute {name!r}")
