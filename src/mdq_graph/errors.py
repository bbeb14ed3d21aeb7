"""The project's own exceptions; the CLI turns each into a message and an exit code in one place."""

from __future__ import annotations

from pathlib import Path

#: Exit codes shared by every command.
EXIT_OK = 0
EXIT_NONCONFORMANT = 1
EXIT_BAD_INPUT = 2


class MdqError(Exception):
    """Base class: something the user can fix; `str()` is the message shown to them."""

    exit_code = EXIT_BAD_INPUT


class InputError(MdqError):
    """A file cannot be read or parsed; names the file and, where known, the line and column."""

    def __init__(
        self,
        path: Path | str,
        message: str,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.line = line
        self.column = column
        self.detail = message
        where = str(path)
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")


class UsageError(MdqError):
    """An option or argument does not make sense (unknown format, graph, query name, ...)."""


class QueryError(MdqError):
    """A SPARQL query is malformed or refused; names the position of the error where known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.line = line
        self.column = column
        self.detail = message
        where = f"line {line}, column {column}: " if line is not None and column is not None else ""
        super().__init__(f"SPARQL query error: {where}{message}")


class ShapesError(MdqError):
    """A shapes graph is unusable (not SHACL, or pySHACL refused it)."""


class NonConformantError(MdqError):
    """The data does not conform to the shapes."""

    exit_code = EXIT_NONCONFORMANT


class PushError(MdqError):
    """A triple store could not be reached, refused the credentials or rejected a graph."""


class PublishError(MdqError):
    """A static site cannot be written: the folder is not ours to replace, or two resources
    would be published as the same file."""
