"""The SERVICE check agrees with the engine: over queries generated from pieces that hide or show
the keyword (strings with escaped quotes, comments, IRIs, prefixed names, variables), every query
the check lets through makes Oxigraph open no connection, and every query it refuses as SERVICE
makes Oxigraph call the listener. Run without a network namespace: the check is the only wall."""

from __future__ import annotations

import contextlib
import random

import pyoxigraph as ox

from mdq_graph.errors import QueryError
from mdq_graph.query.guard import check_query
from tests.support.probes import loopback_listener

SEED = 14
CASES = 120
#: Pieces that sit between BINDs in a group graph pattern; {url} is the listener.
PIECES = [
    'BIND("\\u0022" AS ?a{n})',
    "BIND('\\u0027' AS ?a{n})",
    'BIND("\\U00000022" AS ?a{n})',
    'BIND("""SERVICE <{url}> {{}}""" AS ?a{n})',
    "BIND('SERVICE' AS ?service{n})",
    "# SERVICE <{url}> {{}}\n",
    "BIND(<http://example.org/service> AS ?a{n})",
    "BIND(svc:service AS ?a{n})",
    "SERVICE <{url}> {{ }}",
    "SeRvIcE silent <{url}> {{ }}",
    "SERVICE#c\n<{url}> {{ }}",
    "SERVICE svc: {{ }}",
]


def _queries(url: str) -> list[str]:
    rng = random.Random(SEED)
    found = []
    for _ in range(CASES):
        pieces = [rng.choice(PIECES).format(url=url, n=i) for i in range(rng.randint(1, 4))]
        found.append(
            f"PREFIX svc: <{url}>\nSELECT * WHERE {{ BIND(1 AS ?one) {' '.join(pieces)} }}"
        )
    return found


def test_the_check_agrees_with_what_the_engine_executes() -> None:
    allowed = refused = 0
    with loopback_listener() as listener:
        for query in _queries(listener.url):
            try:
                check_query(query)
            except QueryError as err:
                if "SERVICE" not in str(err):
                    continue  # not SPARQL: the engine would refuse it too
                assert listener.connections == 0, query  # the check itself connects nowhere
                before = listener.connections
                with contextlib.suppress(OSError, RuntimeError, ValueError):  # it answers 404
                    list(ox.Store().query(query))  # type: ignore[arg-type]
                assert listener.connections > before, f"refused but no SERVICE: {query}"
                listener.connections = 0
                refused += 1
            else:
                list(ox.Store().query(query))  # type: ignore[arg-type]
                assert listener.connections == 0, f"allowed but it connected: {query}"
                allowed += 1
    assert allowed >= 10 and refused >= 10, (allowed, refused)
