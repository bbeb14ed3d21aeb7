"""A cold `mdq-graph validate` against running pySHACL's own command on the same graph, in one run.

    python bench/validate.py [--runs 7]

Each command runs as a new process, alternately, so that they share the machine's load:

- `mdq-graph validate` on the bundled graph (loads the ontology and the data, infers the schema.org
  view, runs the shapes with each SPARQL text parsed once, checks the quotes against their texts);
- the naive path: `pyshacl -s shapes.ttl -e mdq.ttl -a -i none data.ttl`, with the bundled shapes
  merged into one file and the Turtle export of the graph (both made beforehand, not timed);
- `python -c "import rdflib"`, the floor any rdflib tool pays.

Prints a Markdown table of the medians for the README ("Performance").
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

from query import cli  # bench/query.py: the installed `mdq-graph`, or the module
from timing import print_timing_table


def timed(command: list[str]) -> float:
    """Wall-clock seconds of one run of `command` (exit 0 or 1: both are answers)."""
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr.decode()}")
    return time.perf_counter() - start


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each (default: 7)")
    args = parser.parse_args()

    from mdq_graph.graph.resources import ontology_file
    from mdq_graph.validate.validation import load_shapes

    pyshacl = shutil.which("pyshacl")
    if pyshacl is None:
        raise SystemExit("pyshacl's command is not installed (pip install pyshacl)")
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "mdq.ttl"
        shapes = Path(folder) / "shapes.ttl"
        subprocess.run([*cli(), "export", "--format", "turtle", "-o", str(export)], check=True)
        load_shapes().to_rdflib().serialize(shapes, format="turtle")
        commands = {
            'python -c "import rdflib" (start-up floor)': [sys.executable, "-c", "import rdflib"],
            "mdq-graph validate (bundled graph)": [*cli(), "validate"],
            "pyshacl -s shapes.ttl -e mdq.ttl -a -i none mdq-export.ttl (naive)": [
                pyshacl,
                "-s",
                str(shapes),
                "-e",
                str(ontology_file()),
                "-a",
                "-i",
                "none",
                str(export),
            ],
        }
        times: dict[str, list[float]] = {label: [] for label in commands}
        for command in commands.values():  # one warm-up each: file caches, not timed
            timed(command)
        for _ in range(args.runs):
            for label, command in commands.items():
                times[label].append(timed(command))

    print(f"{args.runs} runs each, alternating; Python {sys.version.split()[0]}")
    print()
    print_timing_table(times)
    ours, naive = (statistics.median(times[label]) for label in list(commands)[1:])
    print()
    print(f"mdq-graph validate / naive pyshacl: {ours / naive:.2f}")


if __name__ == "__main__":
    main()
