"""Looks at a SPARQL request before it runs: its form, and whether a read-only endpoint allows it.

Two things are refused. SPARQL Update (it would change data; `LOAD` would also fetch a URL) is
recognised by the keyword after the prologue, which reads the same in every parser. A federated
query (`SERVICE`, which makes Oxigraph open an HTTP connection to any host) is recognised by
Oxigraph's own parser, the one that would run it (see `check_no_service`): a second parser disagrees
with it somewhere (rdflib decodes `\\u` escapes everywhere, Oxigraph only in strings and IRIs, so
`"\\u0022"` hides a SERVICE from rdflib). A query too deep for the engine is refused first.
"""

from __future__ import annotations

import itertools
import re

from mdq_graph.errors import QueryError
from mdq_graph.graph.service import check_no_service

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
#: Deeper nesting than this is refused: parsers recurse per level, and a deep enough query would
#: overflow the stack of the process that parses it.
MAX_NESTING = 500
#: At most this many characters and keywords that can add a level to the query's tree. Measured
#: (bench/query_depth.py): with an 8 MiB stack Oxigraph dies at about 2,600 chained MINUS or BIND
#: (each counted twice: the keyword and its bracket), 6,500 UNIONs, 6,900 `+` or `/` and 9,400
#: `!`; so no chain within the limit comes closer than a factor of 2.6.
MAX_OPERATORS = 2_000
_LEVEL_CHARACTERS = "!|&+-*/^,;.{(["
_BRACKETS = re.compile(r"[{}()\[\]]")
_PLAIN_IRI = re.compile(r"<[A-Za-z0-9_/:.#~%?=@-]*>")
_LEVEL_KEYWORDS = re.compile(
    r"union|optional|minus|bind|filter|values|graph|exists|service", re.IGNORECASE
)


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
    """The query's form; `QueryError` if it is an update, nests too deep or uses SERVICE."""
    form = query_form(text)
    check_nesting(text)
    if form in UPDATE_KEYWORDS:
        raise QueryError(
            f"SPARQL Update ({form}) is not allowed: this endpoint is read-only; "
            "send a SELECT, ASK, CONSTRUCT or DESCRIBE query"
        )
    check_no_service(text)
    return form


def check_nesting(text: str, limit: int = MAX_NESTING, max_operators: int = MAX_OPERATORS) -> None:
    """`QueryError` if the query could nest deeper than the engine survives.

    Oxigraph's parser and evaluator recurse once per level of the query's tree, and a deep
    enough tree overflows the stack and kills the process: brackets make levels, but so do chains
    of operators without brackets (`!!!!x`, `1+1+1…`, `a || b || …`, `/`, `|`, UNION, OPTIONAL,
    MINUS, BIND, FILTER, triple patterns). So both are bounded: the bracket depth, and the number
    of the characters and keywords that can add a level, counted everywhere (in strings and IRIs
    too, an over-estimate that only a very long query notices; IRIs of plain characters are not
    counted)."""
    steps = (1 if char in "{([" else -1 for char in _BRACKETS.findall(text))
    deepest = max(itertools.accumulate(steps), default=0)
    if deepest > limit:
        raise QueryError(
            f"the query nests groups or expressions {deepest} levels deep; the limit is {limit}"
        )
    # IRIs of plain characters hold no operator: `<` `>` around an expression would be two
    # comparisons in a row, which the grammar refuses, unless a bracket (not plain) stands inside.
    counted = _PLAIN_IRI.sub("<>", text)
    operators = sum(counted.count(char) for char in _LEVEL_CHARACTERS)
    # The keywords are four letters or more and cannot overlap: count them only if they could
    # take the total over the limit.
    if operators + len(counted) // 4 > max_operators:
        operators += len(_LEVEL_KEYWORDS.findall(counted))
    if operators > max_operators:
        raise QueryError(
            f"the query holds {operators} operators, separators and patterns; the limit is "
            f"{max_operators} (a longer chain could exhaust the engine's stack): split it into "
            "several queries"
        )
