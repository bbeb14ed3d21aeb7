"""Whether a SPARQL query would make Oxigraph call another host (`SERVICE`), decided by Oxigraph's
own parser, and a way to parse a query with it without evaluating anything."""

from __future__ import annotations

import re
from collections.abc import Mapping

from mdq_graph.errors import QueryError
from mdq_graph.graph.engine import query_error

_MENTIONS_SERVICE = re.compile(r"service", re.IGNORECASE)


def check_no_service(text: str) -> None:
    """`QueryError` if the query calls a remote SERVICE (see `calls_service`)."""
    if calls_service(text):
        raise QueryError(
            "federated queries (SERVICE) are not allowed on this endpoint: it never fetches "
            "from other hosts; run the query against the remote endpoint instead"
        )


def calls_service(
    text: str, *, prefixes: Mapping[str, str] | None = None, base_iri: str | None = None
) -> bool:
    """Whether the query calls a remote SERVICE, decided by the engine's own parser (with the
    `prefixes` and `base_iri` it would run with); `QueryError` if it does not parse.

    Oxigraph is the parser that counts: what it reads as the keyword SERVICE is what it would
    execute, however the query is spelt (escapes, comments, literals, IRIs, prefixed names). The
    keyword cannot be spelt without the letters "service" (Oxigraph decodes no escape outside
    strings and IRIs), and a bare word that is not a keyword is a syntax error wherever a keyword
    may stand. So every occurrence of the letters is changed to a word that is no keyword: if
    Oxigraph still parses the query, none of them was the keyword; if it no longer does, one was.
    """
    occurrences = [m.start() for m in _MENTIONS_SERVICE.finditer(text)]
    if not occurrences:
        return False
    parse_only(text, prefixes=prefixes, base_iri=base_iri)  # the query's own syntax error
    masked = list(text)
    replacement = _unused_letter(text)
    for start in occurrences:
        masked[start + len("service") - 1] = replacement
    try:
        parse_only("".join(masked), prefixes=prefixes, base_iri=base_iri)
    except QueryError:
        return True
    return False


def parse_only(
    text: str, *, prefixes: Mapping[str, str] | None = None, base_iri: str | None = None
) -> None:
    """`QueryError` if Oxigraph cannot parse the query `text`; nothing is evaluated.

    Oxigraph starts evaluating (and calls a SERVICE) as soon as it is given a query, and offers no
    parse-only call; but it checks a substitution (`substitutions=`) after parsing and before
    evaluating, so a substitution for a variable the query does not have stops it right there."""
    import pyoxigraph as ox

    unused = ox.Variable(_unused_variable(text))
    options: dict[str, object] = {"substitutions": {unused: ox.Literal("")}}
    if prefixes:
        options["prefixes"] = dict(prefixes)
    if base_iri:
        options["base_iri"] = base_iri
    try:
        ox.Store().query(text, **options)  # type: ignore[arg-type]
    except SyntaxError as err:
        raise query_error(err) from None
    except RuntimeError as err:
        if unused.value in str(err):  # parsed, refused before evaluation: what is wanted
            return
        raise QueryError(f"the query cannot be checked: {err}") from None
    raise QueryError("the query cannot be checked without running it")  # fail closed


def _unused_variable(text: str) -> str:
    """A variable name that occurs nowhere in `text`."""
    name = "mdqunused"
    while name in text:
        name += "x"
    return name


def _unused_letter(text: str) -> str:
    """A letter that makes "servic" + it a word found nowhere in `text` (so masking merges no
    two names into one)."""
    lowered = text.lower()
    return next(c for c in "qxzjkwyfgh" + "abdlmnoprtuv" if f"servic{c}" not in lowered)
