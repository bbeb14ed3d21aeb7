"""The on-disk store: `mdq-graph load` builds it once (`mdq_graph.graph.loader.build_store`);
`query` and `serve` open it here in a moment.

A store is a folder:

    DIR/mdq-store.json   what is loaded: format version, mdq-graph version, when, the source files
                         (size and SHA-256), and the triples of every graph
    DIR/oxigraph/        the Oxigraph database: the named graphs (ontology, data, inferred) and, in
                         the default graph, their set union, as `Engine.from_dataset` builds in memory

Opening a store needs neither rdflib nor the loader, so that `query --store` starts at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from mdq_graph.errors import InputError, UsageError
from mdq_graph.graph.engine import Engine
from mdq_graph.graph.info import CLASSES_QUERY, SOURCES_QUERY, DatasetInfo, summarise
from mdq_graph.graph.iris import curie

STORE_FORMAT = "mdq-graph-store"
#: Bumped when the layout changes; a store of another version must be loaded again.
STORE_FORMAT_VERSION = 1
METADATA_FILE = "mdq-store.json"
DATABASE_FOLDER = "oxigraph"

#: The triples of the default graph that are in no named graph: those a file stated as triples.
UNNAMED_TRIPLES = (
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"
)

#: Called with a short description of each step as the load reaches it.
Progress = Callable[[str], None]


@dataclass(frozen=True)
class SourceFile:
    """A file the store was loaded from."""

    path: str
    format: str
    size: int
    sha256: str


@dataclass(frozen=True)
class StoreInfo:
    """What a store holds and how it was made (kept in `DIR/mdq-store.json`)."""

    format_version: int
    mdq_graph_version: str
    created: str
    sources: tuple[SourceFile, ...]
    graphs: tuple[tuple[str, int], ...]  # (named graph IRI, triples), sorted by IRI
    union_triples: int  # triples of the default graph, the union of all graphs
    default_triples: int  # triples the files state outside any named graph (triple formats)
    inferred: bool
    seconds: dict[str, float]  # how long each step of the load took
    #: Typed literals the store holds in another lexical form than the files state them (it
    #: keeps numbers, booleans and dates as values: `"007"^^xsd:integer` as `"7"`).
    changed_literals: int = 0

    @property
    def quads(self) -> int:
        """Triples over all named graphs (a triple stated in two graphs counts twice)."""
        return sum(count for _, count in self.graphs)

    def to_json(self) -> str:
        """The metadata file's text."""
        return json.dumps({"format": STORE_FORMAT, **asdict(self)}, indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> StoreInfo:
        """Read the metadata file's text; `ValueError` if it is not a store's."""
        data = json.loads(text)
        if not isinstance(data, dict) or data.pop("format", None) != STORE_FORMAT:
            raise ValueError(f"not an {STORE_FORMAT} metadata file")
        return cls(
            format_version=int(data["format_version"]),
            mdq_graph_version=str(data["mdq_graph_version"]),
            created=str(data["created"]),
            sources=tuple(SourceFile(**source) for source in data["sources"]),
            graphs=tuple((str(iri), int(count)) for iri, count in data["graphs"]),
            union_triples=int(data["union_triples"]),
            default_triples=int(data["default_triples"]),
            inferred=bool(data["inferred"]),
            seconds={str(k): float(v) for k, v in data["seconds"].items()},
            changed_literals=int(data.get("changed_literals", 0)),
        )


def read_store_info(path: Path) -> StoreInfo:
    """The metadata of the store in folder `path`; `UsageError` says how to make one."""
    metadata = path / METADATA_FILE
    if not metadata.is_file():
        why = "does not exist" if not path.exists() else "is not an mdq-graph store"
        raise UsageError(f"{path} {why}; build it with: mdq-graph load --store {path}")
    try:
        info = StoreInfo.from_json(metadata.read_text(encoding="utf-8"))
    except (ValueError, KeyError, TypeError) as err:
        raise InputError(
            metadata, f"not a store metadata file ({err}); load the store again"
        ) from None
    if info.format_version != STORE_FORMAT_VERSION:
        raise UsageError(
            f"{path} is a version {info.format_version} store; this mdq-graph reads version "
            f"{STORE_FORMAT_VERSION}: load it again with mdq-graph load --store {path}"
        )
    return info


def store_summary(path: Path) -> tuple[StoreInfo, DatasetInfo]:
    """The store's metadata and what `mdq-graph info` reports for it, from the store alone."""
    info = read_store_info(path)
    engine = open_store(path)
    graphs = list(info.graphs)
    if info.default_triples:
        graphs.insert(0, ("(default graph)", info.default_triples))
    classes = engine.store.query(CLASSES_QUERY)
    sources = engine.store.query(SOURCES_QUERY)
    report = summarise(
        info.union_triples,
        graphs,
        ((row[0].value, int(row[1].value)) for row in classes),  # type: ignore[union-attr]
        (tuple("" if v is None else v.value for v in row) for row in sources),  # type: ignore[union-attr]
        curie,
    )
    return info, report


def store_source_paths(path: Path) -> list[Path]:
    """The files the store in folder `path` was loaded from, as they are now; `UsageError` when
    one is gone or has changed since (its SHA-256 differs), so that what is checked is what the
    store holds."""
    paths = []
    for source in read_store_info(path).sources:
        file = Path(source.path)
        try:
            digest: str | None = file_sha256(file)
        except OSError:
            digest = None
        if digest != source.sha256:
            why = "is gone" if digest is None else "has changed"
            raise UsageError(
                f"the store {path} was loaded from {file}, which {why} since; give the files to "
                f"check instead, or load the store again (mdq-graph load --store {path})"
            )
        paths.append(file)
    return paths


def open_store(path: Path) -> Engine:
    """The engine over the store in folder `path`, read-only (many processes may open it)."""
    read_store_info(path)
    try:
        return Engine(ox.Store.read_only(str(path / DATABASE_FOLDER)), path)
    except OSError as err:
        raise InputError(path / DATABASE_FOLDER, f"cannot open the database: {err}") from None


@contextlib.contextmanager
def store_lock(path: Path, *, shared: bool) -> Iterator[None]:
    """Hold a lock on the store folder `path` for the block: shared while a server reads it,
    exclusive while `load` replaces it; `UsageError` at once if the other holds it. A served store
    is never replaced under the server (its workers would lose their files half-way)."""
    try:
        import fcntl
    except ImportError:  # not a POSIX system: no lock
        fcntl = None  # type: ignore[assignment]
    if fcntl is None or not path.is_dir():
        yield
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(
                f"the store {path} is being loaded; wait for `load` to finish, then serve it"
                if shared
                else f"the store {path} is being served; stop `serve` first, or load into "
                "another folder and serve that one"
            ) from None
        yield
    finally:
        os.close(fd)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def graph_size(store: ox.Store, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> int:
    """Triples in one graph of `store`."""
    if isinstance(graph, ox.BlankNode):  # cannot be named in SPARQL; rare in files
        return sum(1 for _ in store.quads_for_pattern(None, None, None, graph))
    where = "?s ?p ?o" if isinstance(graph, ox.DefaultGraph) else f"GRAPH <{graph.value}> {{ ?s ?p ?o }}"  # fmt: skip
    solutions = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    return int(next(iter(solutions))[0].value)  # type: ignore[arg-type]


def graph_sizes(store: ox.Store) -> dict[ox.NamedNode | ox.BlankNode, int]:
    """Triples in each named graph of `store`, counted by one GROUP BY (at 10^6 triples and 941
    graphs: 0.5 s, where a COUNT per graph took 5 s)."""
    sizes: dict[ox.NamedNode | ox.BlankNode, int] = dict.fromkeys(store.named_graphs(), 0)
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert isinstance(rows, ox.QuerySolutions)
    for name, count in rows:
        sizes[name] = int(count.value)
    return sizes


def unnamed_size(store: ox.Store) -> int:
    """Triples of the default graph in no named graph."""
    triples = store.query(UNNAMED_TRIPLES)
    assert isinstance(triples, ox.QueryTriples)
    return sum(1 for _ in triples)
