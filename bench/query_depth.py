"""How deep a query tree Oxigraph survives: the longest chain of each construct that it parses
and evaluates without overflowing its stack (the process dies with SIGSEGV beyond it).

    python bench/query_depth.py [--up-to 20000]

Each query runs in a process of its own (a crash kills only it), over an empty store, on the
process's main thread (the stack `ulimit -s` gives, 8 MiB here); a bisection finds the crash point.
`query.guard.MAX_OPERATORS` is set from these figures with a margin of three.

Measured on 2026-12-03 by `python bench/query_depth.py` (pyoxigraph 0.5.13, 8 MiB stack):

| chain | dies near |
|---|---:|
| `!`, `||`, FILTERs | 9,375 |
| `+`, `/` | 6,953 |
| UNION, OPTIONAL | 6,562 |
| `(` brackets | 4,687 |
| MINUS, BIND | 2,617 |
| `{` groups | 2,226 |
| unary `-`, path `/` `|` `^`, triples, objects | > 20,000 |
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Callable

CHAINS: dict[str, Callable[[int], str]] = {
    "not": lambda n: "SELECT * { FILTER(" + "!" * n + "true) }",
    "or": lambda n: "SELECT * { FILTER(" + "||".join(["true"] * n) + ") }",
    "plus": lambda n: "SELECT (" + "+".join(["1"] * n) + " AS ?x) {}",
    "divide": lambda n: "SELECT (" + "/".join(["1"] * n) + " AS ?x) {}",
    "minus-sign": lambda n: "SELECT (" + "-" * n + "1 AS ?x) {}",
    "path-sequence": lambda n: "SELECT * { ?s " + "/".join(["<p>"] * n) + " ?o }",
    "path-alternative": lambda n: "SELECT * { ?s " + "|".join(["<p>"] * n) + " ?o }",
    "inverse": lambda n: "SELECT * { ?s " + "^" * n + "<p> ?o }",
    "union": lambda n: "SELECT * { " + " UNION ".join(["{}"] * n) + " }",
    "optional": lambda n: "SELECT * { " + " ".join(["OPTIONAL {}"] * n) + " }",
    "minus": lambda n: "SELECT * { " + " ".join(["MINUS {}"] * n) + " }",
    "filters": lambda n: "SELECT * { " + " ".join(["FILTER(true)"] * n) + " }",
    "binds": lambda n: "SELECT * { " + " ".join(f"BIND(1 AS ?v{i})" for i in range(n)) + " }",
    "triples": lambda n: "SELECT * { " + " ".join(f"?s <p> ?o{i} ." for i in range(n)) + " }",
    "objects": lambda n: "SELECT * { ?s <p> " + ",".join(f"?o{i}" for i in range(n)) + " }",
    "brackets": lambda n: "SELECT * { FILTER(" + "(" * n + "true" + ")" * n + ") }",
    "groups": lambda n: "SELECT * { " + "{" * n + "}" * n + " }",
}
_RUN = "import sys, pyoxigraph as ox; list(ox.Store().query(sys.stdin.read()))"


def survives(query: str) -> bool:
    """Whether a fresh process parses and evaluates `query` without crashing."""
    done = subprocess.run([sys.executable, "-c", _RUN], input=query.encode(), capture_output=True)
    return done.returncode >= 0 and done.returncode != 139 and b"overflow" not in done.stderr


def crash_point(chain: Callable[[int], str], up_to: int) -> int | None:
    """The chain length near which the engine dies (within 2 %), None if it survives `up_to`."""
    if survives(chain(up_to)):
        return None
    low, high = 1, up_to
    while high - low > max(10, low // 50):
        middle = (low + high) // 2
        low, high = (middle, high) if survives(chain(middle)) else (low, middle)
    return high


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--up-to", type=int, default=20_000)
    args = parser.parse_args()
    print("| chain | dies near |\n|---|---:|")
    for name, chain in CHAINS.items():
        point = crash_point(chain, args.up_to)
        print(f"| {name} | {point if point else f'> {args.up_to}'} |", flush=True)


if __name__ == "__main__":
    main()
