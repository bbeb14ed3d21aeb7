"""Benchmarks at several sizes, written as a table to docs/performance.md.

    python bench/run.py --sizes 1e4 1e5 1e6     (the default)
    python bench/run.py --sizes 1e7             (ten million triples, on request: about an hour)

From `--store-exports-from` triples on (default 10^7), the exports are measured from the store
(`export --store`, against pyoxigraph dumping the same store): an export of the files would hold
the whole graph in memory, which at 10^7 triples does not fit in the 8 GB asked.

For each size it generates a synthetic corpus (`mdq-graph synth`), then measures, each in a process
of its own: load, validate, export (Turtle, JSON-LD, N-Quads), the curated queries and the
server's throughput. Beside each figure, in the same run and on the same file: the floor
(pyoxigraph alone: bulk load, dump, query) and the naive baseline (plain rdflib and pySHACL).
Times are wall-clock for the whole process, Python start-up included; memory is the peak resident
set size the operating system reports for that process. Slow runs are stopped at a time limit and
shown as "> N s".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from tests.support.virtuoso import free_port  # noqa: E402

TASKS = [sys.executable, str(BENCH / "tasks.py")]
CLI = [sys.executable, "-m", "mdq_graph"]
EXPORT_FORMATS = {"turtle": "ttl", "json-ld": "jsonld", "nq": "nq"}
SERVE_QUERY = "participants"
TARGETS = {"validate": 60.0, "export": 30.0, "query": 1.0, "memory_gb": 4.0}


@dataclass
class Measure:
    """One process: how long it ran, its peak memory, what it printed, or why it has no figure."""

    seconds: float | None = None
    peak_kb: int | None = None
    cpu: float | None = None  # user + system CPU seconds of the process and its children
    limit: float | None = None  # the time limit it was stopped at
    failed: str = ""
    skipped: bool = False  # not run at this size (see --baselines-up-to)
    lines: list[dict[str, Any]] = field(default_factory=list)

    @property
    def peak_gb(self) -> float | None:
        return None if self.peak_kb is None else self.peak_kb / 1024**2

    def cell(self) -> str:
        """The figure as a table cell."""
        if self.skipped:
            return "not run"
        if self.failed:
            return f"failed ({self.failed})"
        if self.seconds is None:
            return f"> {self.limit:.0f} s" if self.limit else "—"
        memory = f" · {_size(self.peak_kb * 1024)}" if self.peak_kb else ""
        return f"{_seconds(self.seconds)}{memory}"


#: GNU time, which reports its child's own peak memory. Linux starts a child's `ru_maxrss` (what
#: `wait4` gives) at the resident set of the process that started it, so a small command started by
#: this harness would read at least the harness's size; started by `time` it reads its own.
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None


def timed(command: list[str], peak_file: Path) -> list[str]:
    """`command`, through GNU time writing its peak resident set (kB) to `peak_file`, if there
    is GNU time; otherwise as it is (its peak then read from `wait4`)."""
    return [GNU_TIME, "-q", "-f", "%M", "-o", str(peak_file), *command] if GNU_TIME else command


def peak_kb(peak_file: Path, usage: Any) -> int:
    """The peak written by GNU time (the last line of `peak_file`), else `wait4`'s."""
    try:
        return int(peak_file.read_text(encoding="utf-8").split()[-1])
    except (OSError, ValueError, IndexError):
        return int(usage.ru_maxrss)


def measure(command: list[str], limit: float, *, ok_codes: tuple[int, ...] = (0,)) -> Measure:
    """Run `command` in a process group of its own, stopping it after `limit` seconds."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as scratch,
    ):
        peak_file = Path(scratch) / "peak"
        started = time.perf_counter()
        process = subprocess.Popen(
            timed(command, peak_file), stdout=out, stderr=err, start_new_session=True
        )
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        pause = 0.001
        while not pid and time.perf_counter() - started < limit:
            time.sleep(pause)
            pause = min(pause * 1.5, 0.05)  # milliseconds for short steps, little work for long
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        elapsed = time.perf_counter() - started
        stopped = not pid
        if stopped:
            os.killpg(process.pid, signal.SIGKILL)
            _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        lines = [
            json.loads(line) for line in out.read().decode().splitlines() if line.startswith("{")
        ]
        if stopped:
            return Measure(limit=limit, lines=lines)
        if process.returncode not in ok_codes:
            message = err.read().decode(errors="replace").strip().splitlines() or ["?"]
            return Measure(failed=f"exit {process.returncode}: {message[-1][:120]}", lines=lines)
        cpu = usage.ru_utime + usage.ru_stime
        return Measure(elapsed, peak_kb(peak_file, usage), cpu, lines=lines)


def ratio(ours: Measure, floor: Measure) -> str:
    """How many times the floor's CPU time ours took (CPU, not wall-clock: the machine may be
    shared; for a query timed inside its process, its median time), as a table cell."""
    if ours.cpu is not None and floor.cpu:
        return f"{ours.cpu / floor.cpu:.1f}×"
    if ours.cpu is None and floor.cpu is None and ours.seconds is not None and floor.seconds:
        return f"{ours.seconds / floor.seconds:.1f}×"
    return "—"


def measure_server(
    store: Path, limit: float, seconds: float, clients: int
) -> tuple[Measure, Measure, Measure]:
    """`mdq-graph serve --store`: its start-up and peak memory, then the throughput of the same
    query again and again (answered from the server's cache), and of distinct queries."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/sparql"
    command = [*CLI, "serve", "--store", str(store), "--port", str(port), "--workers", "2"]
    with tempfile.TemporaryFile() as log, tempfile.TemporaryDirectory() as scratch:
        peak_file = Path(scratch) / "peak"
        started = time.perf_counter()
        server = subprocess.Popen(
            timed(command, peak_file), stdout=log, stderr=log, start_new_session=True
        )
        ready = False
        while not ready and time.perf_counter() - started < limit and server.poll() is None:
            try:
                ready = httpx.get(url, params={"query": "ASK {}"}, timeout=5, trust_env=False).is_success  # fmt: skip
            except httpx.TransportError:
                time.sleep(0.2)
        startup = time.perf_counter() - started
        load = distinct = Measure(failed="the server did not start")
        if ready:
            test = [*TASKS, "serve-load", url, SERVE_QUERY, str(seconds), str(clients)]
            load, distinct = measure([*test, "0"], limit), measure([*test, "1"], limit)
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGINT)
        _, _, usage = os.wait4(server.pid, 0)
        server.returncode = 0
        if not ready:
            log.seek(0)
            tail = log.read().decode(errors="replace").strip().splitlines()[-1:] or ["?"]
            return Measure(failed=tail[0][:120]), load, distinct
        return Measure(startup, peak_kb(peak_file, usage)), load, distinct


# --- One size ---------------------------------------------------------------------------------------


@dataclass
class SizeResult:
    """Everything measured at one size."""

    target: float
    meetings: int
    triples: int
    file_bytes: int
    store_quads: int = 0
    rows: list[tuple[str, Measure, Measure, Measure]] = field(default_factory=list)
    queries: dict[str, tuple[Measure, Measure, Measure]] = field(default_factory=dict)
    startup: dict[str, Measure] = field(default_factory=dict)
    serve: tuple[Measure, Measure, Measure, Measure, Measure] | None = None
    disagreements: list[str] = field(default_factory=list)  # queries whose row counts differ


def run_size(target: float, work: Path, args: argparse.Namespace) -> SizeResult:
    """Generate a corpus of about `target` triples and measure every step on it."""
    from mdq_graph.synth import meetings_for_triples, synthesize

    folder = work / f"{target:.0e}".replace("+0", "").replace("+", "")
    folder.mkdir(parents=True, exist_ok=True)
    corpus = folder / "corpus.nq"
    meetings = meetings_for_triples(target)
    made = synthesize(corpus, meetings, seed=args.seed, texts_dir=folder / "sources")
    result = SizeResult(target, meetings, made.statements, corpus.stat().st_size)
    limit = args.timeout
    say = _progress(f"{target:.0e}")

    def baseline_of(command: list[str]) -> Measure:
        """The baseline's measure, unless the size is above --baselines-up-to."""
        if target > args.baselines_up_to:
            return Measure(skipped=True)
        return measure(command, args.baseline_timeout)

    store = folder / "store"
    say("load")
    ours = measure([*CLI, "load", "--store", str(store), "--data", str(corpus), "-q"], limit)
    floor = measure([*TASKS, "floor-load", str(corpus), str(folder / "floor-store")], limit)
    shutil.rmtree(folder / "floor-store", ignore_errors=True)
    result.rows.append(("load", ours, floor, baseline_of([*TASKS, "baseline-load", str(corpus)])))
    if ours.seconds is not None:
        from mdq_graph.graph.store import read_store_info

        result.store_quads = read_store_info(store).quads

    say("validate")
    ours = measure([*CLI, "validate", str(corpus)], limit, ok_codes=(0, 1))
    floor = measure([*TASKS, "floor-read", str(corpus)], limit)
    shapes = str(REPO / "shapes")
    result.rows.append(("validate", ours, floor, baseline_of([*TASKS, "baseline-validate", str(corpus), shapes])))  # fmt: skip

    from_store = target >= args.store_exports_from and store.is_dir()
    for name, extension in EXPORT_FORMATS.items():
        say(f"export {name}")
        out = folder / f"export.{extension}"
        if from_store:
            ours = measure([*CLI, "--store", str(store), "export", "--format", name, "-o", str(out)], limit)  # fmt: skip
            floor = measure([*TASKS, "floor-export-store", str(store), name, str(out)], limit)
            result.rows.append((f"export {name} (`--store`)", ours, floor, Measure(skipped=True)))
        else:
            ours = measure([*CLI, "--data", str(corpus), "export", "--format", name, "-o", str(out)], limit)  # fmt: skip
            floor = measure([*TASKS, "floor-export", str(corpus), name, str(out)], limit)
            baseline = baseline_of([*TASKS, "baseline-export", str(corpus), name, str(out)])
            result.rows.append((f"export {name}", ours, floor, baseline))
        out.unlink(missing_ok=True)

    say("queries")
    if store.is_dir():
        dump = folder / "store.nq"  # the floor and the baseline query the store's quads
        measure([*TASKS, "dump-store", str(store), str(dump)], limit)
        per_query = [
            measure([*TASKS, "queries-store", str(store)], limit),
            measure([*TASKS, "queries-floor", str(dump)], limit),
            baseline_of([*TASKS, "queries-baseline", str(dump)]),
        ]
        names = [
            line["query"] for line in per_query[1].lines + per_query[0].lines if "query" in line
        ]
        for name in dict.fromkeys(names):
            result.queries[name] = tuple(_query_measure(m, name) for m in per_query)  # type: ignore[assignment]
            counts = {line["rows"] for m in per_query for line in m.lines if line.get("query") == name}  # fmt: skip
            if len(counts) > 1:
                result.disagreements.append(name)

        say("start-up")
        query = ["query", "--name", SERVE_QUERY]
        result.startup["--store"] = measure([*CLI, "--store", str(store), *query], limit)
        if not from_store:  # parsing 10^7 triples at start-up is what the store is for
            result.startup["--data"] = measure([*CLI, "--data", str(corpus), *query], limit)
        result.startup["--help"] = measure([*CLI, "--help"], limit)
        from mdq_graph.query.curated import QUERY_PREFIXES, curated_query

        declared = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in QUERY_PREFIXES.items())
        text = declared + curated_query(SERVE_QUERY).text
        bare = [sys.executable, str(BENCH / "floor_startup.py"), str(store / "oxigraph"), text]
        result.startup["floor"] = measure(bare, limit)

        say("serve")
        server, load, distinct = measure_server(store, limit, args.serve_seconds, args.clients)
        floor = measure([*TASKS, "rate-store", str(store), SERVE_QUERY, str(args.serve_seconds)], limit)  # fmt: skip
        baseline = baseline_of([*TASKS, "rate-baseline", str(dump), SERVE_QUERY, str(args.serve_seconds)])  # fmt: skip
        result.serve = (server, load, distinct, floor, baseline)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return result


def _query_measure(whole: Measure, name: str) -> Measure:
    """One query's median time from a queries-* task (its memory is the whole task's)."""
    for line in whole.lines:
        if line.get("query") == name:
            return Measure(line["median"], whole.peak_kb)
    if whole.failed:
        return Measure(failed=whole.failed)
    return Measure(limit=whole.limit) if whole.limit else Measure()


def _progress(label: str) -> Any:
    """Print the step being measured on stderr."""

    def say(step: str) -> None:
        print(f"[{datetime.now():%H:%M:%S}] {label}: {step}", file=sys.stderr, flush=True)

    return say


# --- The report -------------------------------------------------------------------------------------


def _seconds(value: float) -> str:
    if value < 0.01:
        return f"{value * 1000:.1f} ms"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def _size(value: float) -> str:
    return f"{value / 1024**3:.2f} GB" if value >= 1024**3 else f"{value / 1024**2:.0f} MB"


def _rate(measure: Measure) -> str:
    if measure.seconds is None or not measure.lines:
        return measure.cell()
    line = measure.lines[-1]
    p50 = f", median {_seconds(line['p50'])}" if line.get("p50") else ""
    errors = f", {line['errors']} errors" if line.get("errors") else ""
    return f"{line['per_second']:.1f}/s{p50}{errors}"


def report(results: list[SizeResult], args: argparse.Namespace, started: datetime) -> str:
    """docs/performance.md."""
    lines = [
        "# Performance",
        "",
        "Measured by `python bench/run.py "
        + " ".join(["--sizes", *args.size_labels, *_extra_args(args)])
        + f"` on {started:%Y-%m-%d}: {_machine()}.",
        "",
        "Each figure is one process: wall-clock time, Python start-up included, then peak memory "
        "(resident set). **mdq-graph** is the command as users run it; the **floor** is pyoxigraph "
        "alone on the same file (bulk load, dump, query: what no tool on this stack can beat); the "
        "**baseline** is plain rdflib and pySHACL, as a newcomer would write it. `> N s`: stopped "
        "at the time limit. The corpus is `mdq-graph synth` (N-Quads, one named graph per press "
        "release); the store adds the ontology, the inferred view and the union default graph.",
        "",
        "The floors: *load*, pyoxigraph's bulk loader into an on-disk store; *validate*, its bulk "
        "loader into memory (reading the data is the least any validator does); *export*, loading "
        "into memory and dumping (the union for Turtle and JSON-LD, the named graphs for N-Quads); "
        "*queries*, pyoxigraph's in-memory store of the file; *start-up*, a bare script that "
        "imports pyoxigraph, opens the store and writes the query's result "
        "(`bench/floor_startup.py`); *serve*, queries one after another in one process on the "
        "store. **× floor**: the CPU time (user + system) of mdq-graph's process over the floor's, "
        "which a shared machine disturbs less than wall-clock time (queries: the ratio of their "
        "median times).",
        "",
    ]
    usual = [r for r in results if r.target <= 1e6] or results
    lines += _targets(usual[-1]) if usual else []
    lines += _large_targets([r for r in results if r.target >= 1e7])
    for r in results:
        lines += _size_section(r, args)
    return "\n".join(lines) + "\n"


def _extra_args(args: argparse.Namespace) -> list[str]:
    defaults = {"timeout": 900.0, "baseline_timeout": 300.0, "baselines_up_to": 1e6, "store_exports_from": 1e7, "seed": 0, "serve_seconds": 10.0, "clients": 4, "serve_compare_seconds": 5.0}  # fmt: skip
    lists = {"serve_sizes": ["bundled", "1e5"], "connections": [1, 8, 32]}
    return (
        [
            f"--{name.replace('_', '-')} {getattr(args, name):g}"
            for name, default in defaults.items()
            if getattr(args, name) != default
        ]
        + [
            f"--{name.replace('_', '-')} {' '.join(map(str, getattr(args, name)))}"
            for name, default in lists.items()
            if getattr(args, name, default) != default
        ]
        + (["--no-endpoint"] if getattr(args, "no_endpoint", False) else [])
    )


def _machine() -> str:
    info = Path("/proc/cpuinfo")
    text = info.read_text(encoding="utf-8") if info.exists() else ""
    cpu = next((ln.split(":", 1)[1].strip() for ln in text.splitlines() if ln.startswith("model name")), "?")  # fmt: skip
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("pyoxigraph", "rdflib", "pyshacl"))
    return (
        f"{os.cpu_count()} cores ({cpu}), {_size(memory)} RAM, Python {platform.python_version()}, "
        f"{versions}"
    )


def _targets(r: SizeResult) -> list[str]:
    """The targets at the largest size, met or not."""
    rows = {name: ours for name, ours, _, _ in r.rows}
    slowest = max((q[0].seconds or float("inf") for q in r.queries.values()), default=None)
    peaks = [m.peak_gb or 0 for _, *ms in r.rows for m in ms[:1]]
    if r.serve:
        peaks.append(r.serve[0].peak_gb or 0)

    def check(ok: bool) -> str:
        return "✅ met" if ok else "❌ missed"

    exports = [rows.get(f"export {f}") or rows[f"export {f} (`--store`)"] for f in EXPORT_FORMATS]
    validate = rows["validate"]
    return [
        f"## Targets at {r.triples:,} triples",
        "",
        "| target | measured | |",
        "|---|---|---|",
        f"| validate < {TARGETS['validate']:.0f} s | {validate.cell()} | {check((validate.seconds or 1e9) < TARGETS['validate'])} |",
        f"| export < {TARGETS['export']:.0f} s per format | {' / '.join(m.cell() for m in exports)} | {check(all((m.seconds or 1e9) < TARGETS['export'] for m in exports))} |",
        f"| curated queries < {TARGETS['query']:.0f} s each on the store | slowest {_seconds(slowest) if slowest not in (None, float('inf')) else '?'} | {check(slowest is not None and slowest < TARGETS['query'])} |",
        f"| peak memory < {TARGETS['memory_gb']:.0f} GB (mdq-graph) | {max(peaks, default=0):.2f} GB | {check(max(peaks, default=0) < TARGETS['memory_gb'])} |",
        "",
    ]  # fmt: skip


def _large_targets(results: list[SizeResult]) -> list[str]:
    """Ten million triples: every step completes with peak memory under 8 GB."""
    lines = []
    for r in results:
        steps = [(name, ours) for name, ours, _, _ in r.rows]
        if r.queries:
            whole = next(iter(r.queries.values()))[0]  # every query ran in one process
            steps.append(("curated queries", whole))
        done = all(m.seconds is not None for _, m in steps)
        peak = max((m.peak_gb or 0 for _, m in steps), default=0)
        biggest = max(steps, key=lambda step: step[1].peak_gb or 0)[0] if steps else "?"
        ok = "✅ met" if done and peak < 8 else "❌ missed"
        lines += [
            f"## Targets at {r.triples:,} triples",
            "",
            "| target | measured | |",
            "|---|---|---|",
            f"| load, validate, export, curated queries complete, peak memory < 8 GB | "
            f"{'all complete' if done else 'not all complete'}; peak {peak:.2f} GB ({biggest}) | {ok} |",
            "",
        ]  # fmt: skip
    return lines


def _size_section(r: SizeResult, args: argparse.Namespace) -> list[str]:
    lines = [
        f"## {r.triples:,} triples",
        "",
        f"`mdq-graph synth --meetings {r.meetings} --seed {args.seed}`: {r.triples:,} triples, "
        f"{_size(r.file_bytes)} of N-Quads; the store holds {r.store_quads:,} quads.",
        "",
        "| step | mdq-graph | floor (pyoxigraph) | × floor | baseline (rdflib + pySHACL) |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {o.cell()} | {f.cell()} | {ratio(o, f)} | {b.cell()} |"
        for name, o, f, b in r.rows
    ]
    if r.startup:
        store, data = r.startup["--store"], r.startup.get("--data", Measure(skipped=True))
        helps, floor = r.startup["--help"], r.startup["floor"]
        lines += [
            f"| `query --name {SERVE_QUERY} --store`, end to end | {store.cell()} | "
            f"{floor.cell()} (a bare script: open, query, write) | {ratio(store, floor)} | |",
            f"| `--help` | {helps.cell()} | the same | {ratio(helps, floor)} | |",
            f"| `query --name {SERVE_QUERY} --data` (parses at start-up) | {data.cell()} | | | |",
        ]
    if r.serve:
        server, load, distinct, floor, baseline = r.serve
        lines += [
            f"| serve: `{SERVE_QUERY}` over HTTP, {args.clients} clients | {_rate(distinct)} "
            f"(each request distinct), {_rate(load)} (the same, cached); start-up "
            f"{server.cell()} | {_rate(floor)} in one process | {_rate(baseline)} |"
        ]
    if r.queries:
        lines += [
            "",
            "Curated queries on the same quads (the store's: data, ontology, inferred view), median "
            "of 3 runs (rdflib: one run); the three engines return the same number of rows"
            + (f" except for {', '.join(r.disagreements)}" if r.disagreements else "")
            + ":",
            "",
            "| query | mdq-graph store | floor (in memory) | × floor | baseline (rdflib) |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {name} | {_seconds_only(o)} | {_seconds_only(f)} | {ratio(o, f)} | {_seconds_only(b)} |"
            for name, (o, f, b) in r.queries.items()
        ]
    return [*lines, ""]


def _seconds_only(m: Measure) -> str:
    return _seconds(m.seconds) if m.seconds is not None else m.cell()


#: Sections of the report that people write (what the figures mean): kept when it is rewritten.
BY_HAND = (
    "## Why the endpoint is built as it is",
    "## What bounds validate",
    "## What bounds each step",
)


def endpoint_section(args: argparse.Namespace) -> str:
    """`## The SPARQL endpoint`: `mdq-graph serve` against Oxigraph's own server and Virtuoso 7,
    measured now by bench/serve.py (wrk); a line saying why, where it cannot run."""
    sys.path.insert(0, str(BENCH))
    from serve import BEGIN, END, serve_table

    lines = [
        "## The SPARQL endpoint",
        "",
        "`mdq-graph serve --store` (its defaults), Oxigraph's own server (`oxigraph "
        "serve-read-only`, from the `oxigraph` package on PyPI) on the very same store files, and "
        "Virtuoso 7 (untuned, given the same quads), each started on loopback by `bench/serve.py` "
        "in this run, which first checks that the three give the same answers. Sizes: "
        + ", ".join(f"`{size}`" for size in args.serve_sizes)
        + f"; {', '.join(map(str, args.connections))} connections.",
        "",
        BEGIN,
    ]
    try:
        lines.append(
            serve_table(
                args.serve_sizes,
                connections=args.connections,
                seconds=args.serve_compare_seconds,
                say=_progress("endpoint"),
            ).strip()
        )
    except RuntimeError as err:  # wrk or oxigraph missing
        lines.append(f"Not measured: {err}.")
    lines += [END, ""]
    return "\n".join(lines)


def written_by_hand(report_file: Path) -> str:
    """The sections of `report_file` written by hand (`BY_HAND`, each up to the next section), to
    be written again after the figures."""
    if not report_file.is_file():
        return ""
    kept: list[str] = []
    keeping = False
    for line in report_file.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            keeping = line.strip() in BY_HAND
        if keeping:
            kept.append(line)
    return "\n" + "\n".join(kept).rstrip() + "\n" if kept else ""


def main() -> None:
    """Parse the arguments, measure every size, write the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["1e4", "1e5", "1e6"], help="triples")
    parser.add_argument("--timeout", type=float, default=900.0, help="limit per mdq-graph/floor step (s)")  # fmt: skip
    parser.add_argument("--baseline-timeout", type=float, default=300.0, help="limit per baseline step (s)")  # fmt: skip
    parser.add_argument("--baselines-up-to", type=float, default=1e6, help="run the rdflib baselines up to this size (they stop at their limit above 10^6)")  # fmt: skip
    parser.add_argument("--store-exports-from", type=float, default=1e7, help="from this size on, measure the exports from the store (export --store)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--serve-seconds", type=float, default=10.0, help="length of the load test")  # fmt: skip
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients")
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "performance.md")
    parser.add_argument("--work", type=Path, help="where corpora and stores go (default: a temporary folder)")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the corpora and stores")
    parser.add_argument("--serve-sizes", nargs="+", default=["bundled", "1e5"], help="data of the endpoint comparison (bench/serve.py)")  # fmt: skip
    parser.add_argument("--connections", nargs="+", type=int, default=[1, 8, 32], help="of the endpoint comparison")  # fmt: skip
    parser.add_argument("--serve-compare-seconds", type=float, default=5.0, help="per server and cell of the endpoint comparison")  # fmt: skip
    parser.add_argument("--no-endpoint", action="store_true", help="leave out the comparison with Oxigraph's server and Virtuoso")  # fmt: skip
    args = parser.parse_args()
    args.size_labels = args.sizes
    started = datetime.now(timezone.utc)
    work = args.work or Path(tempfile.mkdtemp(prefix="mdq-bench-"))
    results = []
    try:
        for size in args.sizes:
            results.append(run_size(float(size), work, args))
            args.output.parent.mkdir(parents=True, exist_ok=True)
            kept = written_by_hand(args.output)
            args.output.write_text(report(results, args, started) + kept, encoding="utf-8")
        if not args.no_endpoint:
            endpoint = endpoint_section(args)
            kept = written_by_hand(args.output)
            text = report(results, args, started) + "\n" + endpoint + kept
            args.output.write_text(text, encoding="utf-8")
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
