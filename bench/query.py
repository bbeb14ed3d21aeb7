"""A cold `mdq-graph query` against the script a researcher would write, side by side in one run.

    python bench/query.py [--runs 11] [--name participants]

Both are timed as new processes, alternately, so that they share the machine's load: the CLI
(`mdq-graph query --name NAME`: loads the bundled graph, infers, queries with Oxigraph) and a short
rdflib script that parses the Turtle export (made once beforehand, not timed) and runs the same
query. The interpreter's own start-up (`python -c pass`) is timed too, for scale. Prints a Markdown
table of the medians for the README.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import print_timing_table

NAIVE_SCRIPT = """\
import sys
from rdflib import Graph

graph = Graph().parse(sys.argv[1], format="turtle")
with open(sys.argv[2], encoding="utf-8") as handle:
    query = handle.read()
for row in graph.query(query):
    print(*row, sep=",")
"""


def cli() -> list[str]:
    """The installed `mdq-graph` command (or the module, from a checkout without the script)."""
    found = shutil.which("mdq-graph")
    return [found] if found else [sys.executable, "-m", "mdq_graph"]


def timed(command: list[str]) -> tuple[float, bytes]:
    """Wall-clock seconds of one run of `command`, and what it printed."""
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, check=True)
    return time.perf_counter() - start, result.stdout


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="runs of each (default: 11)")
    parser.add_argument(
        "--name", default="participants", help="curated query (default: participants)"
    )
    args = parser.parse_args()

    from mdq_graph.query.curated import curated_query

    query_file = curated_query(args.name).path
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "mdq.ttl"
        script = Path(folder) / "naive.py"
        script.write_text(NAIVE_SCRIPT, encoding="utf-8")
        subprocess.run([*cli(), "export", "--format", "turtle", "-o", str(export)], check=True)
        commands = {
            "python -c pass (interpreter start-up)": [sys.executable, "-c", "pass"],
            f"mdq-graph query --name {args.name}": [*cli(), "query", "--name", args.name],
            "naive rdflib script (parse the Turtle export, query)": [
                sys.executable,
                str(script),
                str(export),
                str(query_file),
            ],
        }
        times: dict[str, list[float]] = {label: [] for label in commands}
        outputs: dict[str, bytes] = {}
        for label, command in commands.items():  # one warm-up each: file caches, not timed
            outputs[label] = timed(command)[1]
        for _ in range(args.runs):
            for label, command in commands.items():
                times[label].append(timed(command)[0])

    cli_label, naive_label = list(commands)[1:]
    cli_rows = len(outputs[cli_label].splitlines()) - 3  # header, rule, row count
    naive_rows = len(outputs[naive_label].splitlines())
    assert cli_rows == naive_rows, f"different answers: {cli_rows} vs {naive_rows} rows"

    print(f"{args.runs} runs each, alternating; {naive_rows} rows; Python {sys.version.split()[0]}")
    print()
    print_timing_table(times)
    ratio = statistics.median(times[cli_label]) / statistics.median(times[naive_label])
    print()
    print(f"CLI / naive script: {ratio:.2f}")


if __name__ == "__main__":
    main()
