"""`mdq-graph serve` against Oxigraph's own server and Virtuoso 7, on the same quads, in one run.

    python bench/serve.py [--sizes bundled 1e5] [--connections 1 8 32] [--seconds 5]
                          [--no-virtuoso] [--write docs/performance.md]

For each data set (the bundled graph, or a synthetic corpus of about N triples from `mdq-graph
synth`), `mdq-graph load --store` builds a store; then three servers are started on loopback, each
by this benchmark: `mdq-graph serve --store DIR` (its defaults), `oxigraph serve-read-only` on the
very same database files (DIR/oxigraph; its default graph is the store's, the union that `load`
writes), and a throwaway Virtuoso 7 (tests/support/virtuoso.py) given every named graph and the
union as one more graph, which it is asked to use as `default-graph-uri`. Their start-up (process
start to first answer) and resident memory after the run are recorded.

Before timing, the three must give the same answers (the values of the solutions) to each
scenario. Then wrk, a real load generator, sends each scenario's query for SECONDS at 1, 8 and 32
keep-alive connections, every request distinct (a counter in a comment, so that no cache answers
it); the servers take turns. Scenarios: a trivial SELECT (the cost of a request), and the curated
queries `participants` and `sources-and-graphs`.

`serve_table(...)` returns the Markdown table (bench/run.py calls it); the command prints it, or with
`--write FILE` puts it between `<!-- serve:begin -->` and `<!-- serve:end -->` in FILE. Without wrk
or oxigraph it says what is missing and skips (exit 0); Virtuoso is left out if it is not installed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx
import pyoxigraph as ox

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.virtuoso import free_port, running_virtuoso, virtuoso_available  # noqa: E402

from mdq_graph.push import push_graphs  # noqa: E402
from mdq_graph.query.curated import curated_query  # noqa: E402

JSON = "application/sparql-results+json"
#: The graph that holds the union for Virtuoso.
UNION_GRAPH = "urn:x-mdq:union"
BEGIN, END = "<!-- serve:begin -->", "<!-- serve:end -->"
CLI = [sys.executable, "-m", "mdq_graph"]
#: A query the engine answers without touching the data: what a request costs.
TRIVIAL = "SELECT (1 AS ?one) WHERE {}"
SCENARIOS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("trivial SELECT", lambda: TRIVIAL),
    ("participants", lambda: curated_query("participants").text),
    ("sources-and-graphs", lambda: curated_query("sources-and-graphs").text),
)
MDQ, OXIGRAPH, VIRTUOSO = "mdq-graph", "Oxigraph", "Virtuoso 7"
#: Virtuoso 7.2 splits a GROUP BY group whose key holds an unbound variable into partial groups
#: (tests/test_push_virtuoso.py): for these scenarios, its rows that agree on every other variable
#: are added up (scenario -> the COUNT variable) before comparing.
SPLIT_GROUPS = {"sources-and-graphs": "statements"}
START_LIMIT = 120.0

#: wrk's script: every request a GET with its own query text (a counter in a comment, per thread
#: and connection), the summary as one JSON line on stderr.
WRK_SCRIPT = """
local prefix = os.getenv("BENCH_PREFIX")
local suffix = os.getenv("BENCH_SUFFIX")
local counter = 0
local thread_id = 0
local threads = {}
function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end
function request()
  counter = counter + 1
  local path = prefix .. "%0A%23%20" .. thread_id .. "-" .. counter .. suffix
  return wrk.format("GET", path, {["Accept"] = "application/sparql-results+json"})
end
function done(summary, latency, requests)
  io.stderr:write(string.format(
    '{"requests":%d,"seconds":%f,"non2xx":%d,"socket":%d,"p50":%f,"p99":%f}\\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1e3, latency:percentile(99) / 1e3))
end
"""


#: A solution as (variable, value) pairs, sorted.
Row = tuple[tuple[str, str], ...]


@dataclass
class Server:
    """A server under test: its SPARQL endpoint, the parameters that give it our default graph,
    its process (for its memory) and its start-up time."""

    name: str
    url: str
    pid: int
    startup: float
    params: tuple[tuple[str, str], ...] = ()
    rss: int = 0


@dataclass(frozen=True)
class Rate:
    """One wrk run: requests per second, latency percentiles (ms), failed requests."""

    throughput: float
    p50: float
    p99: float
    errors: int
    #: CPU milliseconds the server (all its processes) spent per request answered.
    cpu: float = 0.0


@dataclass
class DataResult:
    """What one data set gave: its size, servers, and a `Rate` per (scenario, connections, server)."""

    label: str
    quads: int
    servers: list[Server] = field(default_factory=list)
    rates: dict[tuple[str, int, str], Rate] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


def missing_tools() -> list[str]:
    """The programs this benchmark needs and cannot find."""
    return [tool for tool in ("wrk", "oxigraph") if shutil.which(tool) is None]


def build_store(size: str, workdir: Path) -> Path:
    """A store of the bundled data (`size` "bundled") or of a synthetic corpus of `size` triples."""
    store = workdir / f"store-{size}"
    command = [*CLI, "load", "--store", str(store), "-q"]
    if size != "bundled":
        corpus = workdir / f"corpus-{size}.nq"
        subprocess.run(
            [*CLI, "synth", "--triples", size, "--no-texts", "-o", str(corpus)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        command += ["--data", str(corpus)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return store


def process_tree(pid: int) -> list[int]:
    """A process and its descendants (Linux; the process alone elsewhere)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        # A child is listed under the thread that started it.
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                pending += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def settle(pid: int, limit: float = 60.0) -> None:
    """Wait until a server has used less than 5% of a core for half a second (or `limit` s)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = tree_cpu(pid)
        time.sleep(0.5)
        if tree_cpu(pid) - before < 0.025:
            return


def tree_rss(pid: int) -> int:
    """Resident memory of a process and its descendants, in bytes (Linux; 0 elsewhere)."""
    total = 0
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        total += next(
            (
                int(line.split()[1]) * 1024
                for line in status.splitlines()
                if line.startswith("VmRSS")
            ),
            0,
        )
    return total


def tree_cpu(pid: int) -> float:
    """CPU seconds (user and system) used so far by a process and its live descendants, and by
    the children they have reaped (Linux; 0 elsewhere)."""
    ticks = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def started(name: str, command: Sequence[str], url: str, log: Path) -> Iterator[Server]:
    """Start `command` in a session of its own, wait for a first answer at `url`, stop it after."""
    with log.open("wb") as out:
        began = time.perf_counter()
        process = subprocess.Popen(
            list(command),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=log.parent,
            start_new_session=True,
        )
        try:
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited: {log.read_text()[-2000:]}")
                try:
                    response = httpx.get(url, params={"query": "ASK {}"}, trust_env=False)
                    if response.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.perf_counter() - began > START_LIMIT:
                    raise RuntimeError(f"{name} did not answer within {START_LIMIT:g} s")
                time.sleep(0.02)
            yield Server(name, url, process.pid, time.perf_counter() - began)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def store_graphs(store: Path) -> list[tuple[str, bytes]]:
    """The store's named graphs as (IRI, N-Triples), and its default graph as UNION_GRAPH."""
    oxi = ox.Store.read_only(str(store / "oxigraph"))
    graphs = []
    for name in [*sorted(oxi.named_graphs(), key=str), ox.DefaultGraph()]:
        quads = oxi.quads_for_pattern(None, None, None, name)
        data = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES) or b""
        graphs.append((name.value if isinstance(name, ox.NamedNode) else UNION_GRAPH, data))
    return graphs


def answer(server: Server, query: str) -> list[Row]:
    """The values of the solutions of `query`, in order (Virtuoso writes some literal types
    differently; the values are the same)."""
    response = httpx.post(
        server.url,
        content=urlencode([("query", query), *server.params]),
        headers={"Accept": JSON, "Content-Type": "application/x-www-form-urlencoded"},
        timeout=120,
        trust_env=False,
    )
    response.raise_for_status()
    rows = response.json()["results"]["bindings"]
    return [tuple(sorted((k, v["value"]) for k, v in row.items())) for row in rows]


def merge_split_groups(rows: list[Row], count: str) -> list[Row]:
    """Rows that agree on every variable but `count` as one, their counts added up."""
    totals: dict[Row, int] = {}
    for row in rows:
        key = tuple(cell for cell in row if cell[0] != count)
        totals[key] = totals.get(key, 0) + int(dict(row)[count])
    return [tuple(sorted((*key, (count, str(total))))) for key, total in totals.items()]


_RUNS = itertools.count(1)


def run_wrk(server: Server, query: str, connections: int, seconds: float, script: Path) -> Rate:
    """wrk at `connections` keep-alive connections for `seconds`, every query distinct."""
    path = server.url.split("/", 3)[3]
    extra = "".join(f"&{quote(k)}={quote(v, safe='')}" for k, v in server.params)
    # The run's own number in every query: no server may answer from a cache what an earlier run
    # asked (wrk's counter starts again at 0).
    run = next(_RUNS)
    env = {
        **os.environ,
        "BENCH_PREFIX": f"/{path}?query={quote(query, safe='')}%0A%23%20run-{run}",
        "BENCH_SUFFIX": extra,
    }
    base = server.url.split("/", 3)
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "30s"]
    command += ["-s", str(script), f"{base[0]}//{base[2]}/"]
    cpu = tree_cpu(server.pid)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    cpu = tree_cpu(server.pid) - cpu
    summary = json.loads(done.stderr.strip().splitlines()[-1])
    errors = summary["non2xx"] + summary["socket"]
    ok = summary["requests"] - summary["non2xx"]
    per_request = cpu * 1000 / ok if ok else float("nan")
    return Rate(ok / summary["seconds"], summary["p50"], summary["p99"], errors, per_request)


def measure_data(
    size: str,
    workdir: Path,
    connections: Sequence[int],
    seconds: float,
    virtuoso: bool,
    say: Callable[[str], None],
) -> DataResult:
    """Build the store for `size`, start the servers, check they agree, time every scenario."""
    say(f"{size}: building the store")
    store = build_store(size, workdir)
    quads = len(ox.Store.read_only(str(store / "oxigraph")))
    label = "bundled graph" if size == "bundled" else f"synth {float(size):.0e}".replace("+0", "")
    result = DataResult(label, quads)
    script = workdir / "distinct.lua"
    script.write_text(WRK_SCRIPT)
    with ExitStack() as stack:
        port = free_port()
        mdq = stack.enter_context(
            started(
                MDQ,
                [*CLI, "serve", "--store", str(store), "--port", str(port)],
                f"http://127.0.0.1:{port}/sparql",
                workdir / f"mdq-{size}.log",
            )
        )
        port = free_port()
        oxigraph = [
            "oxigraph",
            "serve-read-only",
            "--location",
            str(store / "oxigraph"),
            "--bind",
            f"127.0.0.1:{port}",
        ]
        oxi = stack.enter_context(
            started(
                OXIGRAPH, oxigraph, f"http://127.0.0.1:{port}/query", workdir / f"ox-{size}.log"
            )
        )
        result.servers = [mdq, oxi]
        if virtuoso:
            say(f"{size}: starting Virtuoso and pushing the graphs")
            began = time.perf_counter()
            vdir = workdir / f"virtuoso-{size}"
            server = stack.enter_context(running_virtuoso(vdir))
            push_graphs(
                store_graphs(store),
                server.graph_store_url,
                user=server.user,
                password=server.password,
            )
            pid = int(next(iter(_pids_of(vdir)), 0))
            params = (("default-graph-uri", UNION_GRAPH),)
            virt = Server(VIRTUOSO, server.sparql_url, pid, time.perf_counter() - began, params)
            result.servers.append(virt)
        for server in result.servers:  # warmed up, and done with its own start (a catalog)
            run_wrk(server, TRIVIAL, 1, 1.0, script)
            settle(server.pid)
        for scenario, text in SCENARIOS:
            query = text()
            answers = {s.name: answer(s, query) for s in result.servers}
            if VIRTUOSO in answers and scenario in SPLIT_GROUPS:
                answers[VIRTUOSO] = merge_split_groups(answers[VIRTUOSO], SPLIT_GROUPS[scenario])
            reference = answers[OXIGRAPH]
            for name, rows in answers.items():
                if sorted(rows) != sorted(reference):
                    raise RuntimeError(
                        f"{name} and Oxigraph disagree on {scenario} ({size}): "
                        f"{len(rows)} rows against {len(reference)}"
                    )
            result.rows[scenario] = len(reference)
            for count in connections:
                for server in result.servers:
                    say(f"{size}: {scenario}, {count} connections, {server.name}")
                    rate = run_wrk(server, query, count, seconds, script)
                    result.rates[(scenario, count, server.name)] = rate
        for server in result.servers:
            server.rss = tree_rss(server.pid)
    return result


def _pids_of(workdir: Path) -> list[str]:
    """The ids of the virtuoso-t processes running on `workdir` (Linux)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(b"virtuoso-t" in part for part in command[:1]) and str(
            workdir
        ).encode() in b" ".join(command):
            pids.append(entry.name)
    return pids


def _ratio(ours: Rate | None, theirs: Rate | None) -> str:
    if ours is None or theirs is None or not theirs.throughput:
        return "–"
    return f"{ours.throughput / theirs.throughput:.2f}"


def _cpu_ratio(ours: Rate | None, theirs: Rate | None) -> str:
    if ours is None or theirs is None or not ours.cpu > 0:
        return "–"
    return f"{theirs.cpu / ours.cpu:.2f}"


def _rate(rate: Rate | None) -> str:
    if rate is None:
        return "–"
    errors = f" ({rate.errors} failed)" if rate.errors else ""
    return f"{rate.throughput:,.0f}/s · {rate.p50:.1f} ms · {rate.cpu:.2f} ms CPU{errors}"


def render(results: Sequence[DataResult], connections: Sequence[int], seconds: float) -> str:
    """The results as Markdown: throughput per scenario and connections, with the ratios; then
    start-up and memory."""
    has_virtuoso = any(s.name == VIRTUOSO for r in results for s in r.servers)
    names = [MDQ, OXIGRAPH] + ([VIRTUOSO] if has_virtuoso else [])
    head = "| data | query (rows) | connections | " + " | ".join(names)
    head += " | mdq-graph / Oxigraph | by CPU |" + (
        " mdq-graph / Virtuoso |" if has_virtuoso else ""
    )
    lines = [
        f"wrk, {seconds:g} s per cell, every request distinct, JSON results, keep-alive, loopback; "
        f"{os.cpu_count()} cores shared by the servers and wrk (and whatever else the machine "
        "runs); requests per second · median latency · CPU time the server's processes spent per "
        "request. *mdq-graph / Oxigraph*: the ratio of throughputs; *by CPU*: of CPU time per "
        "request (Oxigraph's over ours: what the throughputs would be on cores of their own). "
        f"Python {platform.python_version()}, pyoxigraph {ox.__version__}.",
        "",
        head,
        "|---|---|---:|" + "---:|" * len(names) + "---:|---:|" + ("---:|" if has_virtuoso else ""),
    ]
    for result in results:
        for scenario, _ in SCENARIOS:
            for count in connections:
                rates = [result.rates.get((scenario, count, n)) for n in names]
                cells = [_rate(r) for r in rates]
                ratios = [_ratio(rates[0], rates[1]), _cpu_ratio(rates[0], rates[1])]
                if has_virtuoso:
                    ratios.append(_ratio(rates[0], rates[2]))
                lines.append(
                    f"| {result.label} ({result.quads:,} quads) | {scenario} "
                    f"({result.rows.get(scenario, 0)}) | {count} | "
                    + " | ".join(cells + ratios)
                    + " |"
                )
    lines += ["", "| data | server | start-up to first answer | memory after the run |"]
    lines.append("|---|---|---:|---:|")
    for result in results:
        for server in result.servers:
            startup = f"{server.startup:.2f} s"
            if server.name == VIRTUOSO:
                startup += " (with loading the graphs)"
            lines.append(
                f"| {result.label} | {server.name} | {startup} | {server.rss / 1024**2:,.0f} MB |"
            )
    return "\n".join(lines)


def serve_table(
    sizes: Sequence[str] = ("bundled", "1e5"),
    *,
    connections: Sequence[int] = (1, 8, 32),
    seconds: float = 5.0,
    virtuoso: bool = True,
    say: Callable[[str], None] = lambda message: None,
) -> str:
    """Run the comparison; the Markdown table. `RuntimeError` if wrk or oxigraph is missing."""
    missing = missing_tools()
    if missing:
        raise RuntimeError(f"{' and '.join(missing)} not found: install them to run this benchmark")
    virtuoso = virtuoso and virtuoso_available()
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
    with tempfile.TemporaryDirectory(prefix="mdq-serve-bench-") as workdir:
        results = [
            measure_data(size, Path(workdir), connections, seconds, virtuoso, say) for size in sizes
        ]
    return render(results, connections, seconds)


def write_between_markers(path: Path, table: str) -> None:
    """Replace what stands between the markers in `path` with `table`."""
    text = path.read_text(encoding="utf-8")
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{path} has no {BEGIN} … {END} markers")
    path.write_text(text[: start + len(BEGIN)] + "\n" + table + "\n" + text[end:], encoding="utf-8")


def main() -> None:
    """Run the benchmark; print the table or write it into a file between the markers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", nargs="+", default=["bundled", "1e5"], help="bundled, or triples"
    )
    parser.add_argument("--connections", nargs="+", type=int, default=[1, 8, 32])
    parser.add_argument("--seconds", type=float, default=5.0, help="per server and cell")
    parser.add_argument("--no-virtuoso", action="store_true", help="leave Virtuoso out")
    parser.add_argument("--write", type=Path, help="put the table into this file between markers")
    args = parser.parse_args()
    missing = missing_tools()
    if missing:
        print(
            f"skipped: {' and '.join(missing)} not found (wrk: the Debian package; oxigraph: "
            "pip install 'mdq-graph[bench]')",
            file=sys.stderr,
        )
        return
    if not args.no_virtuoso and not virtuoso_available():
        print("virtuoso-t not found: Virtuoso is left out", file=sys.stderr)
    table = serve_table(
        args.sizes,
        connections=args.connections,
        seconds=args.seconds,
        virtuoso=not args.no_virtuoso,
        say=lambda message: print(message, file=sys.stderr, flush=True),
    )
    if args.write:
        write_between_markers(args.write, table)
    else:
        print(table)


if __name__ == "__main__":
    main()
