"""The JSON-LD writer at 10^4 to 10^6 triples: the direct writer against pyld, on the same triples.

    python bench/jsonld.py --sizes 1e4 1e5 1e6 [--corpus FILE ...]

For each size it makes a synthetic corpus (`mdq-graph synth --triples N`, seed 0, no texts; or
takes the `--corpus` N-Quads files), then, in a process of its own per corpus: reads it with
pyoxigraph, puts the union's triples in export order (canonical blank-node labels, sorted: what
`export.write_rdf` does before every triple format; timed apart), and times the direct writer
(`jsonld.write_compacted`) and the JSON text (`jsonld.dumps`). Beside it, on the same triples,
pyld's `from_rdf` and `compact` (`jsonld.to_jsonld`): given the triples as terms (up to
`--pyld-up-to`, default 1e5) and, as the export did before the direct writer, as N-Triples
text for pyld's own parser (up to `--pyld-text-up-to`, default 1e4; that parser checks each
triple against all before it); each says whether its document is the direct writer's. Memory is
the process's peak resident set (corpus, triples and documents held at once). Prints a Markdown
table.

Measured on 2026-11-24 by `python bench/jsonld.py --sizes 1e4 1e5 1e6` (2 cores shared with
other engineers' test runs, so single figures vary by a factor up to 2; Python 3.11.7, pyoxigraph
0.5.13, pyld 3.3.0):

| quads | triples (union) | export order | direct writer | JSON text | pyld, given terms | pyld, given N-Triples text | peak memory |
|---:|---:|---:|---:|---:|---:|---:|---:|
| 9,673 | 7,851 | 0.07 s | 0.01 s | 0.01 s | 1.9 s (same document) | 12.2 s (same document) | 0.09 GB |
| 99,645 | 80,246 | 3.9 s | 0.30 s | 0.28 s | 15.7 s (same document) | — | 0.38 GB |
| 994,489 | 796,363 | 17.9 s | 1.2 s | 1.4 s | — | — | 2.89 GB |

The direct writer and the JSON text together take 2.6 s at 10^6 triples; pyld given terms takes
about 50 times as long as the direct writer (100 to 200 µs a triple: minutes at 10^6); given text
it takes minutes already at 10^5 (the export's "> 600 s" in docs/performance.md). Export order
(RDFC-1.0 canonicalisation and sorting, shared by every triple format) is now the largest part.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def measure(corpus: Path, with_pyld: bool, with_pyld_text: bool) -> dict[str, Any]:
    """Time each step on one corpus (in this process)."""
    import pyoxigraph as ox

    from mdq_graph.formats.jsonld import dumps, to_jsonld, write_compacted
    from mdq_graph.formats.rdf import _triple_key, canonical_quads

    quads = list(ox.parse(path=str(corpus), format=ox.RdfFormat.N_QUADS))
    started = time.perf_counter()
    triples = sorted({quad.triple for quad in canonical_quads(quads)}, key=_triple_key)
    ordered = time.perf_counter()
    document = write_compacted(triples)
    written = time.perf_counter()
    dumps(document)
    dumped = time.perf_counter()
    result: dict[str, Any] = {
        "quads": len(quads),
        "triples": len(triples),
        "order": ordered - started,
        "direct": written - ordered,
        "dumps": dumped - written,
    }
    if with_pyld:
        started = time.perf_counter()
        result["same"] = to_jsonld(triples) == document
        result["pyld"] = time.perf_counter() - started
    if with_pyld_text:
        nquads = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
        started = time.perf_counter()
        result["same_text"] = to_jsonld(nquads) == document
        result["pyld_text"] = time.perf_counter() - started
    result["peak_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    return result


def _seconds(value: float | None) -> str:
    """A duration as the table writes it."""
    if value is None:
        return "—"
    return f"{value:.2f} s" if value < 1 else f"{value:.1f} s"


def main() -> None:
    """Make or take the corpora, measure each in a process of its own, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", type=float, default=[1e4, 1e5, 1e6])
    parser.add_argument("--corpus", nargs="*", type=Path, default=[], help="N-Quads files")
    parser.add_argument("--pyld-up-to", type=float, default=1e5, help="size (default 1e5)")
    parser.add_argument("--pyld-text-up-to", type=float, default=1e4, help="size (default 1e4)")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # the per-corpus process
    parser.add_argument("--pyld", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pyld-text", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.pyld, args.pyld_text)))
        return

    from mdq_graph.synth import meetings_for_triples, synthesize

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        corpora = [(path, None) for path in args.corpus]
        for size in args.sizes:
            path = Path(folder) / f"corpus-{size:.0e}.nq"
            synthesize(path, meetings_for_triples(size), seed=0)
            corpora.append((path, size))
        for path, size in corpora:
            command = [sys.executable, __file__, "--one", str(path)]
            if size is not None and size <= args.pyld_up_to:
                command.append("--pyld")
            if size is not None and size <= args.pyld_text_up_to:
                command.append("--pyld-text")
            run = subprocess.run(command, capture_output=True, text=True, check=True)
            rows.append(json.loads(run.stdout))

    print(f"Python {sys.version.split()[0]}; `{' '.join(sys.argv)}`")
    print()
    print(
        "| quads | triples (union) | export order | direct writer | JSON text "
        "| pyld, given terms | pyld, given N-Triples text | peak memory |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['quads']:,} | {row['triples']:,} | {_seconds(row['order'])} "
            f"| {_seconds(row['direct'])} | {_seconds(row['dumps'])} "
            f"| {_pyld(row.get('pyld'), row.get('same'))} "
            f"| {_pyld(row.get('pyld_text'), row.get('same_text'))} | {row['peak_gb']:.2f} GB |"
        )


def _pyld(seconds: float | None, same: bool | None) -> str:
    """pyld's time, and whether its document is the direct writer's."""
    if seconds is None:
        return "—"
    return f"{_seconds(seconds)} ({'same document' if same else '**another document**'})"


if __name__ == "__main__":
    main()
