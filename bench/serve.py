"""`mdq-graph serve` against Virtuoso 7 serving the same data, side by side in one run, on loopback.

    python bench/serve.py [--clients 8] [--requests 100] [--name participants]

Starts `mdq-graph serve` (a separate process, its defaults: two query workers) and a throwaway
Virtuoso 7 (tests/support/virtuoso.py), pushes what the server serves to Virtuoso with the Graph
Store Protocol (mdq_graph.push): every named graph, and its default graph (the set union of the
named graphs) as one more graph, which Virtuoso is asked to use as `default-graph-uri` (its own
default graph holds its system graphs too, and a list of graphs is a bag-merge with duplicates).
It checks that both give the same answer to the curated query. Then, for each server and scenario,
CLIENTS concurrent clients (one asyncio task each, keep-alive connections) send REQUESTS queries
each, after a warm-up; the servers take turns, so they share the machine's load. Scenarios:

- repeated: the same query every time (what a dashboard or a notebook re-run sends);
- distinct: every query text unique (a comment), so no response cache can answer it.

Prints a Markdown table (throughput, p50 and p99 latency, errors) for the README.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.virtuoso import free_port, running_virtuoso, virtuoso_available  # noqa: E402

from mdq_graph import load_dataset  # noqa: E402
from mdq_graph.push import push_graphs  # noqa: E402
from mdq_graph.query.curated import curated_query  # noqa: E402
from mdq_graph.web.publication import publish  # noqa: E402

JSON = "application/sparql-results+json"
#: Requests each client sends before the measured ones.
WARM_UP = 5
#: The graph that holds the union for Virtuoso.
UNION_GRAPH = "urn:x-mdq:union"


@dataclass(frozen=True)
class Endpoint:
    """A SPARQL endpoint and the protocol parameters that give it our default graph."""

    name: str
    url: str
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Measurement:
    """One server under one scenario: requests, seconds, latencies, errors."""

    endpoint: str
    scenario: str
    requests: int
    seconds: float
    latencies: tuple[float, ...]
    errors: int

    @property
    def throughput(self) -> float:
        """Successful requests per second."""
        return (self.requests - self.errors) / self.seconds

    def percentile(self, p: float) -> float:
        """The p-th percentile latency in milliseconds."""
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index] * 1000


@contextmanager
def mdq_server(port: int, workers: int) -> Iterator[str]:
    """`mdq-graph serve` in a process of its own; yields its SPARQL endpoint."""
    command = [sys.executable, "-m", "mdq_graph", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tempfile.gettempdir()
    )
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"mdq-graph serve exited: {process.stderr.read().decode()}")  # type: ignore[union-attr]
            try:
                if httpx.get(url, params={"query": "ASK {}"}, trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("mdq-graph serve did not start within 120 s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def served_graphs() -> list[tuple[str, bytes]]:
    """What `mdq-graph serve` serves, as (graph IRI, N-Triples): each named graph, and the
    default graph (the union) as UNION_GRAPH."""
    store = publish(load_dataset()).engine.store
    graphs = []
    for name in [*sorted(store.named_graphs(), key=str), ox.DefaultGraph()]:
        quads = store.quads_for_pattern(None, None, None, name)
        data = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES) or b""
        iri = name.value if isinstance(name, ox.NamedNode) else UNION_GRAPH
        graphs.append((iri, data))
    return graphs


def answer(endpoint: Endpoint, query: str) -> list[dict[str, str]]:
    """The values of the solutions of `query` (for checking that both servers agree; Virtuoso
    writes some literal types differently, the values are the same)."""
    response = httpx.post(
        endpoint.url,
        content=urlencode([("query", query), *endpoint.params]),
        headers={"Accept": JSON, "Content-Type": "application/x-www-form-urlencoded"},
        timeout=60,
        trust_env=False,
    )
    response.raise_for_status()
    rows = response.json()["results"]["bindings"]
    return sorted(({k: v["value"] for k, v in row.items()} for row in rows), key=repr)


async def measure(
    endpoint: Endpoint, query: str, scenario: str, clients: int, requests: int
) -> Measurement:
    """CLIENTS concurrent clients each sending REQUESTS queries; latencies of each."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(number: int, http: httpx.AsyncClient, count: int) -> None:
        nonlocal errors
        for request in range(count):
            text = query if scenario == "repeated" else f"{query}\n# {scenario} {number} {request}"
            started = time.perf_counter()
            try:
                response = await http.get(
                    endpoint.url,
                    params=[("query", text), *endpoint.params],
                    headers={"Accept": JSON},
                )
                ok = response.status_code == 200 and b'"bindings"' in response.content
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - started)
            errors += 0 if ok else 1

    async with httpx.AsyncClient(timeout=60, limits=limits, trust_env=False) as http:
        # Warm-up: connections opened, the query compiled and (where cached) cached.
        await asyncio.gather(*(client(-1 - n, http, WARM_UP) for n in range(clients)))
        latencies.clear()
        errors = 0
        started = time.perf_counter()
        await asyncio.gather(*(client(n, http, requests) for n in range(clients)))
        seconds = time.perf_counter() - started
    return Measurement(
        endpoint.name, scenario, clients * requests, seconds, tuple(latencies), errors
    )


def table(results: list[Measurement]) -> str:
    """The results as a Markdown table, with mdq-graph's throughput relative to Virtuoso's."""
    baseline = {m.scenario: m.throughput for m in results if m.endpoint == "Virtuoso 7"}
    lines = [
        "| scenario | server | requests/s | p50 ms | p99 ms | errors | vs Virtuoso |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for m in results:
        ratio = m.throughput / baseline[m.scenario] if baseline.get(m.scenario) else float("nan")
        lines.append(
            f"| {m.scenario} | {m.endpoint} | {m.throughput:,.0f} | {m.percentile(50):.1f} | "
            f"{m.percentile(99):.1f} | {m.errors} | {ratio:.2f}× |"
        )
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=100, help="per client and scenario")
    parser.add_argument("--name", default="participants", help="the curated query to send")
    parser.add_argument("--workers", type=int, default=2, help="mdq-graph query workers")
    args = parser.parse_args()
    if not virtuoso_available():
        sys.exit("virtuoso-t is not installed: run .ci/install-virtuoso.sh")
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
    query = curated_query(args.name).text
    graphs = served_graphs()
    with (
        tempfile.TemporaryDirectory(prefix="mdq-bench-") as workdir,
        running_virtuoso(Path(workdir)) as virtuoso,
        mdq_server(free_port(), args.workers) as ours_url,
    ):
        push_graphs(
            graphs, virtuoso.graph_store_url, user=virtuoso.user, password=virtuoso.password
        )
        endpoints = [
            Endpoint("mdq-graph serve", ours_url),
            Endpoint("Virtuoso 7", virtuoso.sparql_url, (("default-graph-uri", UNION_GRAPH),)),
        ]
        answers = [answer(e, query) for e in endpoints]
        if answers[0] != answers[1]:
            sys.exit(f"the servers disagree on {args.name}: {answers[0][:2]} vs {answers[1][:2]}")
        print(f"both servers give the same {len(answers[0])} rows for {args.name}", file=sys.stderr)
        results = []
        for scenario in ("repeated", "distinct"):
            for endpoint in endpoints:
                results.append(
                    asyncio.run(measure(endpoint, query, scenario, args.clients, args.requests))
                )
    print(
        f"{args.clients} concurrent clients × {args.requests} requests, query `{args.name}` "
        f"(JSON results), loopback, {os.cpu_count()} cores:\n"
    )
    print(table(results))


if __name__ == "__main__":
    main()
