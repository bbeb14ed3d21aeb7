"""One benchmark task per process: `python bench/tasks.py TASK ARGS...`, run by bench/run.py.

Each task does one thing to one corpus and prints what it found as JSON lines on stdout; run.py
times the whole process and reads its peak memory from the operating system. The floor tasks use
pyoxigraph alone, the baseline tasks plain rdflib and pySHACL, as a newcomer would.
"""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pyoxigraph as ox
from rdflib import Dataset, Graph

#: Our export formats as pyoxigraph and rdflib name them; triple formats export the union.
FORMATS = {
    "turtle": (ox.RdfFormat.TURTLE, "turtle", False),
    "json-ld": (ox.RdfFormat.JSON_LD, "json-ld", False),
    "nq": (ox.RdfFormat.N_QUADS, "nquads", True),
}


def say(**fields: object) -> None:
    """One JSON line on stdout, flushed, so that a task killed at its deadline still reports."""
    print(json.dumps(fields), flush=True)


def memory_store(corpus: str) -> ox.Store:
    """The corpus in an in-memory Oxigraph store, with the union in the default graph."""
    store = ox.Store()
    store.bulk_load(path=corpus, format=ox.RdfFormat.N_QUADS)
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    return store


def rdflib_dataset(corpus: str) -> Dataset:
    """The corpus parsed by rdflib, the union as the default graph."""
    dataset = Dataset(default_union=True)
    dataset.parse(corpus, format="nquads")
    return dataset


def floor_load(corpus: str, folder: str) -> None:
    """pyoxigraph's bulk loader into an on-disk store."""
    store = ox.Store(folder)
    store.bulk_load(path=corpus, format=ox.RdfFormat.N_QUADS)
    say(quads=len(store))


def floor_read(corpus: str) -> None:
    """pyoxigraph's bulk loader into memory: what any check of the data must at least do."""
    store = ox.Store()
    store.bulk_load(path=corpus, format=ox.RdfFormat.N_QUADS)
    say(quads=len(store))


def baseline_load(corpus: str) -> None:
    """rdflib's N-Quads parser into a Dataset."""
    say(quads=len(rdflib_dataset(corpus)))


def floor_export(corpus: str, name: str, out: str) -> None:
    """pyoxigraph: load, and dump the named graphs (quad formats) or their union (triple formats)."""
    fmt, _, quads = FORMATS[name]
    if quads:  # the named graphs as loaded: no union to make, none to write
        store = ox.Store()
        store.bulk_load(path=corpus, format=ox.RdfFormat.N_QUADS)
    else:
        store = memory_store(corpus)
    store.dump(out, fmt, from_graph=None if quads else ox.DefaultGraph())
    say(bytes=Path(out).stat().st_size)


def floor_export_store(store: str, name: str, out: str) -> None:
    """pyoxigraph: open an on-disk store and dump its named graphs (quad formats) or its default
    graph, the union (triple formats): the floor of `export --store`."""
    from mdq_graph.graph.store import open_store

    fmt, _, quads = FORMATS[name]
    source = open_store(Path(store)).store
    source.dump(out, fmt, from_graph=None if quads else ox.DefaultGraph())
    say(bytes=Path(out).stat().st_size)


def baseline_export(corpus: str, name: str, out: str) -> None:
    """rdflib: parse, and serialise the dataset (quad formats) or the union (triple formats)."""
    _, rdflib_format, quads = FORMATS[name]
    dataset = rdflib_dataset(corpus)
    if quads:
        dataset.serialize(out, format=rdflib_format)
    else:
        union = Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            union.add((s, p, o))
        union.serialize(out, format=rdflib_format)
    say(bytes=Path(out).stat().st_size)


def baseline_validate(corpus: str, shapes: str) -> None:
    """rdflib parse, then pySHACL with the shapes files, nothing else (no ontology, no quotes)."""
    import pyshacl

    dataset = rdflib_dataset(corpus)
    shapes_graph = Graph()
    for path in sorted(Path(shapes).glob("*.ttl")):
        shapes_graph.parse(path, format="turtle")
    conforms, _, _ = pyshacl.validate(dataset, shacl_graph=shapes_graph, advanced=True)
    say(conforms=bool(conforms))


def _time_queries(run: Callable[[str], int], repeat: int) -> None:
    """Run each offline curated query `repeat` times; report the first and the median run."""
    from mdq_graph.query.curated import curated_queries

    for query in curated_queries():
        if query.needs_network:
            continue
        times, rows = [], 0
        for _ in range(repeat):
            started = time.perf_counter()
            rows = run(query.text)
            times.append(time.perf_counter() - started)
        say(query=query.name, first=times[0], median=statistics.median(times), rows=rows)


def _count(result: object) -> int:
    """Rows (or triples) of a pyoxigraph result, all read; 1 for ASK."""
    if isinstance(result, ox.QueryBoolean):
        return 1
    return len(list(result))  # type: ignore[call-overload]


def queries_store(store: str) -> None:
    """Curated queries on the on-disk store, as `mdq-graph --store DIR query` runs them."""
    from mdq_graph.graph.store import open_store

    started = time.perf_counter()
    engine = open_store(Path(store))
    say(opened=time.perf_counter() - started)
    _time_queries(lambda text: _count(engine.query(text)), repeat=3)


def dump_store(store: str, out: str) -> None:
    """The named graphs of an on-disk store (data, ontology, inferred view) as N-Quads, so that
    the floor and the baseline query the same quads as the store (not timed)."""
    from mdq_graph.graph.store import open_store

    source = open_store(Path(store)).store
    graphs = list(source.named_graphs())
    quads = (q for g in graphs for q in source.quads_for_pattern(None, None, None, g))
    ox.serialize(quads, out, format=ox.RdfFormat.N_QUADS)
    say(bytes=Path(out).stat().st_size)


def queries_floor(dump: str) -> None:
    """Curated queries on pyoxigraph's in-memory store of the store's quads."""
    store = memory_store(dump)
    _time_queries(lambda text: _count(store.query(text)), repeat=3)


def queries_baseline(dump: str) -> None:
    """Curated queries with rdflib's SPARQL engine on the store's quads (once each)."""
    dataset = rdflib_dataset(dump)
    say(opened=0.0)

    def run(text: str) -> int:
        result = dataset.query(text)
        return 1 if result.type == "ASK" else len(list(result))

    _time_queries(run, repeat=1)


def serve_load(url: str, query_name: str, seconds: str, clients: str, distinct: str) -> None:
    """`clients` threads asking `url` for a curated query over and over for `seconds`; with
    `distinct` ("1"), each request differs by a comment, so the server's cache never answers."""
    from mdq_graph.query.curated import curated_query

    text = curated_query(query_name).text
    deadline = time.monotonic() + float(seconds)
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    sent = iter(range(10**9))

    def client() -> None:
        with httpx.Client(timeout=60, trust_env=False) as http:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                body = f"{text}\n# request {next(sent)}" if distinct == "1" else text
                response = http.post(
                    url, data={"query": body}, headers={"Accept": "application/sparql-results+json"}
                )
                with lock:
                    if response.status_code == 200:
                        latencies.append(time.perf_counter() - started)
                    else:
                        errors.append(response.status_code)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(int(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    say(
        requests=len(latencies),
        errors=len(errors),
        per_second=len(latencies) / elapsed,
        p50=statistics.median(latencies) if latencies else None,
    )


def _rate(run: Callable[[], object], seconds: float) -> None:
    """How many times per second `run` completes, one after another."""
    deadline = time.monotonic() + seconds
    started, done = time.perf_counter(), 0
    while time.monotonic() < deadline:
        run()
        done += 1
    say(per_second=done / (time.perf_counter() - started), runs=done)


def rate_store(store: str, query_name: str, seconds: str) -> None:
    """Queries per second in one process on the on-disk store (the server's ceiling per worker)."""
    from mdq_graph.graph.store import open_store
    from mdq_graph.query.curated import curated_query

    engine = open_store(Path(store))
    text = curated_query(query_name).text
    _rate(lambda: _count(engine.query(text)), float(seconds))


def rate_baseline(dump: str, query_name: str, seconds: str) -> None:
    """Queries per second with rdflib on the store's quads."""
    from mdq_graph.query.curated import curated_query

    dataset = rdflib_dataset(dump)
    text = curated_query(query_name).text
    _rate(lambda: len(list(dataset.query(text))), float(seconds))


TASKS: dict[str, Callable[..., None]] = {
    name.replace("_", "-"): task
    for name, task in list(globals().items())
    if callable(task) and task.__module__ == __name__ and not name.startswith("_")
    and name not in {"say", "memory_store", "rdflib_dataset"}
}  # fmt: skip

if __name__ == "__main__":
    TASKS[sys.argv[1]](*sys.argv[2:])
