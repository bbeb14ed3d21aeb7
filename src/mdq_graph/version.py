"""The package's version, in a module of its own that imports nothing: every layer may read it
without importing the package's face (`mdq_graph`), which loads layers on demand."""

__version__ = "0.1.0"
