"""Looks at a SPARQL request before it runs: its form, and whether a read-only endpoint allows it.

Two things are refused. SPARQL Update (it would change data; `LOAD` would also fetch a URL) is
recognised by the keyword after the prologue, which reads the same in every parser. A federated
query (`SERVICE`, which makes Oxigraph open an HTTP connection to any host) is recognised in the
parsed query, not in the text: the word may sit in a literal, an IRI or a comment, and telling them
apart needs the grammar (`FILTER(?a<?b&&'>')` fools any tokenizer that does not know where an
expression is). A query without the letters "service" cannot hold the keyword (Oxigraph does not
decode `\\u` escapes outside strings and IRIs), so only the others are parsed; one that mentions
them and does not parse is refused rather than guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mdq_graph.errors import QueryError

#: The four query forms of SPARQL 1.1 Query.
SELECT, CONSTRUCT, DESCRIBE, ASK = "SELECT", "CONSTRUCT", "DESCRIBE", "ASK"
QUERY_FORMS = frozenset({SELECT, CONSTRUCT, DESCRIBE, ASK})
#: Forms whose result is a table (or a boolean), not a graph.
SOLUTION_FORMS = frozenset({SELECT, ASK})
#: The words an update request can start with (SPARQL 1.1 Update §3).
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)

_SPACE = re.compile(r"(?:\s+|#[^\n\r]*)*")
_WORD = re.compile(r"[A-Za-z]+")
_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_PNAME_NS = re.compile(r"[^\s#:<>]*:")
_VERSION = re.compile(r"\"[^\"\n\r]*\"|'[^'\n\r]*'")
_MENTIONS_SERVICE = re.compile(r"service", re.IGNORECASE)
#: Deeper nesting than this is refused: parsers recurse per level, and a deep enough query would
#: overflow the stack of the process that parses it.
MAX_NESTING = 500


def query_form(text: str) -> str | None:
    """The first keyword after the prologue (BASE, PREFIX, VERSION), upper-cased; None if there
    is none (the query is malformed, and the engine will say where)."""
    pos = _SPACE.match(text, 0).end()  # type: ignore[union-attr]
    while True:
        word = _WORD.match(text, pos)
        if word is None:
            return None
        keyword = word.group().upper()
        pos = _SPACE.match(text, word.end()).end()  # type: ignore[union-attr]
        if keyword == "PREFIX":
            prefix = _PNAME_NS.match(text, pos)
            if prefix is None:
                return None
            pos = _SPACE.match(text, prefix.end()).end()  # type: ignore[union-attr]
            declared: re.Match[str] | None = _IRIREF.match(text, pos)
        elif keyword == "BASE":
            declared = _IRIREF.match(text, pos)
        elif keyword == "VERSION":
            declared = _VERSION.match(text, pos)
        else:
            return keyword
        if declared is None:
            return None
        pos = _SPACE.match(text, declared.end()).end()  # type: ignore[union-attr]


def check_query(text: str) -> str | None:
    """The query's form; `QueryError` if it is an update, uses SERVICE or nests too deep."""
    form = query_form(text)
    check_nesting(text)
    if form in UPDATE_KEYWORDS:
        raise QueryError(
            f"SPARQL Update ({form}) is not allowed: this endpoint is read-only; "
            "send a SELECT, ASK, CONSTRUCT or DESCRIBE query"
        )
    check_no_service(text)
    return form


def check_nesting(text: str, limit: int = MAX_NESTING) -> None:
    """`QueryError` if brackets nest deeper than `limit` (brackets in strings count too: an
    over-estimate that only a query with hundreds of them in its literals would notice)."""
    depth = deepest = 0
    for char in text:
        if char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})]":
            depth -= 1
    if deepest > limit:
        raise QueryError(
            f"the query nests groups or expressions {deepest} levels deep; the limit is {limit}"
        )


def check_no_service(text: str) -> None:
    """`QueryError` if the query calls a remote SERVICE, or mentions one and cannot be parsed."""
    if not _MENTIONS_SERVICE.search(text):
        return
    # Imported here: the parser takes a while to build and most queries never need it.
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except Exception as err:  # pyparsing raises its own errors; a deep query, RecursionError
        line, column = getattr(err, "lineno", None), getattr(err, "col", None)
        raise QueryError(
            "the query mentions SERVICE and does not parse as SPARQL 1.1, so it cannot be "
            "checked; federated queries (SERVICE) are not allowed on this endpoint",
            line,
            column,
        ) from None
    if any(name == "ServiceGraphPattern" for name in _part_names(tree)):
        raise QueryError(
            "federated queries (SERVICE) are not allowed on this endpoint: it never fetches "
            "from other hosts; run the query against the remote endpoint instead"
        )


def _part_names(node: object) -> Iterator[str]:
    """The names of every grammar production in an rdflib parse tree."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, CompValue):
            yield current.name
            stack.extend(current.values())
        elif isinstance(current, (list, tuple, ParseResults)):
            stack.extend(current)
