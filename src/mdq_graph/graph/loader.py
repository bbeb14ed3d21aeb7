"""The one loader: the knowledge graph straight into an Oxigraph store, in memory for a query
engine, an export, validation, or (converted once) an rdflib dataset for notebooks, or on disk for
`mdq-graph load` (`build_store`; `mdq_graph.graph.store` opens what it builds).

It holds what rdflib reads and infers from the same files (a test checks that) but lets pyoxigraph
parse the files, several times faster than rdflib's parsers, and infers inside the store: both
ways, the loading is `populate`. A file
pyoxigraph cannot read goes through rdflib's parser instead: it either reads it or reports the
error with file, line and column.

Loading streams every file through Oxigraph's parser and bulk loader, writing each triple to its
graph and to the union at once (JSON-LD and RDF/XML go through rdflib, so that contexts resolve as
everywhere else in the tool). The inferred view comes from the rules of `mdq_graph.graph.inference`,
applied inside the store by SPARQL CONSTRUCT queries whose results are bulk-written. Measured at
10^5 triples: 0.7 s, where the rdflib route (parse into rdflib, 3.3 s, then `inference.infer`,
1.5 s) takes 4.8 s and holds the whole graph in rdflib; at 10^6: 10 s, where SPARQL INSERTs
(transactional) take 14 s.

`build_store` loads on disk (`mdq-graph load`) transactionally: the new store is built in a hidden
sibling folder and swapped in by renaming, so a load that fails leaves the previous store as it was,
and readers see the old store or the new one, never a mix (a reader that has the old one open keeps
its files until it closes).
"""

from __future__ import annotations

import itertools
import re
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeGuard

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from mdq_graph.errors import InputError, UsageError
from mdq_graph.graph.dataset import (
    CATALOG_GRAPH,
    INFERRED_GRAPH,
    ONTOLOGY_GRAPH,
    ONTOLOGY_LABELS,
    new_dataset,
)
from mdq_graph.graph.inference import (
    DERIVATIONS,
    Alignment,
    alignment,
    describe_inferred_graph,
)
from mdq_graph.graph.namespaces import DCTERMS, MDQ, ONTOLOGY_IRI, PROV, RDF, RDFS
from mdq_graph.graph.parsing import NESTING_FORMATS, check_structure, parse_into, rdf_files
from mdq_graph.graph.rdf_formats import format_for_path
from mdq_graph.graph.resources import data_dir, ontology_file
from mdq_graph.graph.store import (
    DATABASE_FOLDER,
    METADATA_FILE,
    STORE_FORMAT_VERSION,
    UNNAMED_TRIPLES,
    Progress,
    SourceFile,
    StoreInfo,
    file_sha256,
    graph_size,
    graph_sizes,
    open_store,
    store_lock,
    unnamed_size,
)
from mdq_graph.output import make_staging_folder, real_target, replace_folder
from mdq_graph.version import __version__

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
_RDF_TYPE = ox.NamedNode(str(RDF.type))
#: A term the inference rules are read in (an ontology's subjects may be RDF 1.2 triple terms).
_RuleTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def load_store(paths: Sequence[Path | str] | None = None, *, inferred: bool = True) -> ox.Store:
    """An in-memory store with the ontology, the data (bundled, or `paths` instead) and, unless
    `inferred=False`, the inferred graph; its default graph is the union of the named graphs."""
    store = ox.Store()
    files = list(rdf_files([Path(p) for p in paths] if paths else [data_dir()]))
    populate(store, files, inferred=inferred, in_memory=True)
    return store


def load_dataset(
    paths: Sequence[Path | str] | None = None,
    *,
    inferred: bool = True,
) -> Dataset:
    """The knowledge graph as an rdflib `Dataset` (the notebook API): the ontology, the data
    (bundled, or `paths` instead), and, unless `inferred=False`, the inferred standard-vocabulary
    view, loaded as `load_store` loads them and converted once. Its default graph is the union of
    its named graphs, as in the SPARQL endpoint."""
    store = ox.Store()
    files = list(rdf_files([Path(p) for p in paths] if paths else [data_dir()]))
    populated = populate(store, files, inferred=inferred, in_memory=True, keep_lexical=True)
    return as_dataset(store, stand_ins=populated.stand_ins)


def file_quads(path: Path) -> list[ox.Quad]:
    """The quads of one file (triples go to the default graph), parsed by pyoxigraph or else rdflib."""
    fmt = format_for_path(path)
    if fmt.name in NESTING_FORMATS:
        check_structure(path, fmt.name, path.read_bytes())
    try:
        if fmt.name in ("json-ld", "xml"):
            # Through `parse_into`, which refuses what could make the parser open a URL or a
            # file (remote contexts, DTD entities): pyoxigraph would expand entities.
            raise SyntaxError("read by rdflib")
        return list(
            ox.parse(
                path=str(path),
                format=ox.RdfFormat.from_media_type(fmt.media_type),
                base_iri=path.resolve().as_uri(),
            )
        )
    except (SyntaxError, ValueError, OSError) as err:
        # rdflib reads some files pyoxigraph does not, and reports a broken one the way every
        # other command does; what it reads must still be valid RDF (e.g. no space in an IRI).
        scratch = new_dataset()
        parse_into(scratch, path)
        try:
            return _from_rdflib(scratch)
        except Exception:  # rdflib refuses such terms with a bare Exception
            line = getattr(err, "lineno", None)
            raise InputError(path, f"not valid RDF: {_first_line(err)}", line) from None


def _from_rdflib(dataset: Dataset) -> list[ox.Quad]:
    """The quads of an rdflib dataset as pyoxigraph quads (via N-Quads: one well-tested path)."""
    data = dataset.serialize(format="nquads", encoding="utf-8")
    return list(ox.parse(data, format=ox.RdfFormat.N_QUADS))


def _first_line(err: BaseException) -> str:
    """pyoxigraph's message, without the file name it appends."""
    message = str(getattr(err, "msg", None) or err).splitlines()[0]
    return re.sub(r" \([^()]*, line \d+\)$", "", message)


def rdflib_term(term: object) -> Node:
    """A pyoxigraph term as an rdflib one; literals keep their lexical form."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise ValueError(f"cannot convert the term {term!r}")


def ox_term(term: Node) -> OxTerm:
    """An rdflib term as a pyoxigraph one."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        datatype = str(term.datatype) if term.datatype else _XSD_STRING
        if datatype == _RDF_LANG_STRING:  # cannot happen without a language; keep it a string
            datatype = _XSD_STRING
        return ox.Literal(str(term), datatype=ox.NamedNode(datatype))
    raise ValueError(f"cannot convert the term {term!r}")


#: Quads per bulk write: about 1 GB of memory; 10^6 triples and their union in one batch.
_BATCH_QUADS = 2_000_000
#: Quads per write into an in-memory store without the union (`populate(union=False)`): the store
#: merges nothing, so small batches cost no time and hold a tenth of the memory (at 10^6 triples
#: the peak of validate's loading went from 1.13 GB to 0.69 GB).
_SMALL_BATCH_QUADS = 200_000
_PARSER_POSITION = re.compile(
    r"^Parser error at line \d+ (?:column \d+|between columns \d+ and \d+): "
)
#: Formats read with rdflib: JSON-LD (contexts resolve as everywhere else in the tool) and RDF/XML
#: (XML literals and `rdf:ID` as rdflib reads them); such files are small.
_READ_BY_RDFLIB = frozenset({"json-ld", "xml"})
#: Literals whose lexical form every loader keeps.
_TEXT_TYPES = frozenset(
    {
        "http://www.w3.org/2001/XMLSchema#string",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString",
    }
)


def store_dataset(path: Path, *, inferred: bool = True) -> Dataset:
    """The on-disk store's graphs as an rdflib dataset, as `load_dataset` would give them, for the
    edges that need rdflib. Without `inferred`, the inferred graph is left out."""
    left_out = () if inferred else (ox.NamedNode(str(INFERRED_GRAPH)),)
    return as_dataset(open_store(path).store, leave_out=left_out)


def as_dataset(
    store: ox.Store, *, leave_out: Sequence[ox.NamedNode] = (), stand_ins: bool = False
) -> Dataset:
    """The named graphs of `store` (less `leave_out`) and the triples it states outside them, as
    an rdflib dataset whose default graph is their union: the one conversion to rdflib's terms.
    With `stand_ins` (the store holds some literals by stand-ins, see `populate`), every literal
    is given back as the files state it, which rdflib's parser would normalise (`007` -> `7`)."""
    graphs = [g for g in store.named_graphs() if g not in leave_out]
    # One document, so that a blank node in two graphs stays one node.
    quads = (q for g in graphs for q in store.quads_for_pattern(None, None, None, g))
    unnamed = store.query(UNNAMED_TRIPLES)
    assert isinstance(unnamed, ox.QueryTriples)
    dataset = new_dataset()
    if stand_ins:
        for quad in as_stated([*quads, *(ox.Quad(*t) for t in unnamed)]):
            s, p, o = (rdflib_term(t) for t in (quad.subject, quad.predicate, quad.object))
            name = quad.graph_name
            if isinstance(name, ox.DefaultGraph):
                dataset.default_graph.add((s, p, o))
            else:
                dataset.graph(
                    URIRef(name.value) if isinstance(name, ox.NamedNode) else BNode(name.value)
                ).add((s, p, o))
        return dataset
    dataset.parse(data=ox.serialize(quads, format=ox.RdfFormat.N_QUADS), format="nquads")
    triples = ox.serialize(unnamed, format=ox.RdfFormat.N_TRIPLES)
    dataset.default_graph.parse(data=triples, format="nt")
    return dataset


def build_store(
    target: Path,
    paths: Sequence[Path] | None = None,
    *,
    inferred: bool = True,
    progress: Progress | None = None,
) -> StoreInfo:
    """Build the store in folder `target` from the ontology and `paths` (default: the bundled
    data), replacing the store there only once the new one is complete."""
    say = progress or (lambda _: None)
    target = real_target(target)
    _check_replaceable(target)
    files = list(rdf_files(paths or [data_dir()]))
    with store_lock(target, shared=False):
        staging = make_staging_folder(target, "loading")
        try:
            info = _build(staging, files, inferred, say)
            (staging / METADATA_FILE).write_text(info.to_json() + "\n", encoding="utf-8")
            say(f"swapping the new store into {target}")
            replace_folder(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return info


def _check_replaceable(target: Path) -> None:
    """Refuse to replace anything but an earlier store or an empty folder."""
    if not target.exists():
        return
    if not target.is_dir():
        raise UsageError(f"{target} is a file, not a store folder")
    if not (target / METADATA_FILE).is_file() and any(target.iterdir()):
        raise UsageError(
            f"{target} is a folder that is not an mdq-graph store; refusing to replace it "
            "(give an empty or new folder)"
        )


def _build(folder: Path, files: list[Path], inferred: bool, say: Progress) -> StoreInfo:
    """Load `files` into a new database in `folder` and return its metadata."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    store = ox.Store(str(folder / DATABASE_FOLDER))
    populated = populate(store, files, inferred=inferred, progress=say, seconds=seconds)
    # Triples outside any named graph: only files in a triple format (or JSON-LD) can state them.
    unnamed = unnamed_size(store) if any(not format_for_path(f).quads for f in files) else 0
    say("counting and compacting")
    step = time.perf_counter()
    graphs = tuple(
        sorted(
            (g.value if isinstance(g, ox.NamedNode) else str(g), size)
            for g, size in graph_sizes(store).items()
        )
    )
    union = graph_size(store, ox.DefaultGraph())
    store.optimize()
    store.flush()
    del store  # closes the database before it is renamed
    seconds["optimize"] = time.perf_counter() - step
    seconds["total"] = time.perf_counter() - started
    return StoreInfo(
        format_version=STORE_FORMAT_VERSION,
        mdq_graph_version=__version__,
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        sources=tuple(populated.sources),
        graphs=graphs,
        union_triples=union,
        default_triples=unnamed,
        inferred=inferred,
        seconds={k: round(v, 3) for k, v in seconds.items()},
        changed_literals=len(populated.changed_literals),
    )


@dataclass(frozen=True)
class Populated:
    """What `populate` loaded: the files, and the typed literals the store holds in another
    lexical form than the files state them (Oxigraph keeps numbers, booleans and dates as values:
    `"1.0E3"^^xsd:double` comes back as `"1000"`, `"007"^^xsd:integer` as `"7"`)."""

    sources: list[SourceFile]
    #: The typed literals (in N-Triples syntax, as the files state them) the store holds in
    #: another form: by stand-ins with `keep_lexical`, else in the store's form.
    changed_literals: tuple[str, ...]
    #: Whether a file stated triples outside any named graph (in the default graph).
    unnamed_triples: bool = True
    #: Every typed literal as the files state it -> the term the store holds for it (validation
    #: checks and reports what the files say, not the forms the store gives back).
    held_literals: dict[ox.Literal, ox.Literal] = field(default_factory=dict)
    #: Whether the store holds stand-ins (`keep_lexical`): read it through `as_stated`.
    stand_ins: bool = False


def populate(
    store: ox.Store,
    files: Sequence[Path],
    *,
    inferred: bool = True,
    progress: Progress | None = None,
    seconds: dict[str, float] | None = None,
    in_memory: bool = False,
    as_stated: bool = False,
    keep_lexical: bool = False,
    union: bool = True,
) -> Populated:
    """Fill an empty `store` (on disk or, with `in_memory`, in memory) with the ontology, `files`
    and, with `inferred`, the inferred graph: the graphs `dataset.load_dataset` gives, with the
    union of them all in the default graph.

    An Oxigraph store holds a typed literal of a type it knows (numbers, booleans, dates) as its
    value, so it gives back the canonical form (`"007"^^xsd:integer` as `"7"`), which is another
    RDF term (RDF 1.1 §3.3). By default the store keeps its forms (its queries compare values);
    `Populated.changed_literals` names the literals it changed. With `keep_lexical` (exports and
    the rdflib dataset, which must give the data as stated), each such literal is written as a
    stand-in the store keeps as it is, and `as_stated` gives the literal back from it; the
    rules of the inferred view and the description never read a value that could differ.

    On disk, every quad is written with its copy in the union as it streams in (an update is
    transactional there, and slower); in memory, one SPARQL update copies the named graphs into
    the default graph at the end (measured at 10^6 triples: 1.7 s, where writing each copy from
    Python takes 3.6 s more). With `as_stated`, `Populated.held_literals` maps each typed literal
    as the files state it to the form the store holds, for validation to check what the files
    say.

    With `union=False`, the union is not written: the default graph holds only what the files
    state outside named graphs, and readers take the union of all graphs (SPARQL with
    `use_default_graph_as_union`, `quads_for_pattern` with no graph) and count a triple stated in
    several graphs once (validation: half the store's memory)."""
    say = progress or (lambda _: None)
    timings = {} if seconds is None else seconds
    started = time.perf_counter()
    ontology = ontology_quads()
    literals = _Literals(keep_lexical)
    # In memory, the union is made in one update once all is loaded.
    streamed = union and not in_memory
    batch_size = _BATCH_QUADS if union or not in_memory else _SMALL_BATCH_QUADS
    _write_with_union(store, ontology, frozenset(), literals, union=streamed, batch_size=batch_size)
    # An earlier export's ontology, inferred view and description are ours: made afresh here
    # (the bundled ontology; its blank nodes would otherwise be there twice).
    ours = {ONTOLOGY_GRAPH, CATALOG_GRAPH, *([INFERRED_GRAPH] if inferred else [])}
    left_out = frozenset(ox.NamedNode(str(name)) for name in ours)
    sources = []
    for path in files:
        say(f"loading {path}")
        sources.append(
            _load_file(store, path, left_out, literals, union=streamed, batch_size=batch_size)
        )
    unnamed = any(True for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    if in_memory and union:
        store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    held = _as_stored(list(literals.seen)) if as_stated or not keep_lexical else {}
    changed = tuple(sorted(str(old) for old, new in held.items() if old != new))
    if keep_lexical:
        changed = tuple(sorted(str(old) for old in literals.stand_ins))
    timings["load"] = time.perf_counter() - started
    if inferred:
        say("inferring the standard-vocabulary view")
        step = time.perf_counter()
        rules = alignment(((q.subject, q.predicate, q.object) for q in ontology), ox.NamedNode)
        infer_in_store(store, rules, in_memory=in_memory, union=union)
        timings["inference"] = time.perf_counter() - step
    return Populated(
        sources,
        changed,
        unnamed or not in_memory,
        held if as_stated else {},
        stand_ins=bool(literals.stand_ins),
    )


def write_stated(store: ox.Store, quads: Iterable[ox.Quad]) -> bool:
    """Bulk-write `quads` as they are into `store` (no union), with stand-ins for the literals it
    would hold in another form (see `populate`); return whether it holds any."""
    literals = _Literals(keep_lexical=True)
    _write_with_union(store, quads, frozenset(), literals, union=False)
    return bool(literals.stand_ins)


def ontology_quads() -> list[ox.Quad]:
    """The bundled ontology in its named graph, which says where it comes from like every named
    graph (the tests' rdflib reading, `tests/support/rdflib_reading.py`, reads the same)."""
    path = ontology_file()
    graph = ox.NamedNode(str(ONTOLOGY_GRAPH))
    ontology = ox.NamedNode(ONTOLOGY_IRI)
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, graph)
        for t in ox.parse(
            path=path,
            format=ox.RdfFormat.TURTLE,
            base_iri=path.resolve().as_uri(),
            rename_blank_nodes=True,
        )
    ]
    said: list[tuple[str, OxTerm]] = [(str(RDF.type), ox.NamedNode(str(MDQ.SourceGraph)))]
    said += [(str(RDFS.label), ox.Literal(text, language=lang)) for text, lang in ONTOLOGY_LABELS]
    said += [(str(PROV.wasDerivedFrom), ontology), (str(DCTERMS.source), ontology)]
    return quads + [ox.Quad(graph, ox.NamedNode(p), o, graph) for p, o in said]


def _load_file(
    store: ox.Store,
    path: Path,
    left_out: frozenset[ox.NamedNode],
    literals: _Literals,
    *,
    union: bool = True,
    batch_size: int = _BATCH_QUADS,
) -> SourceFile:
    """Stream one RDF file into `store`: quads keep their graphs, triples go to the default graph,
    and every triple also goes to the union in the default graph. Blank nodes are the file's own
    (two files' `_:b0` are two nodes), as when rdflib reads them."""
    fmt = format_for_path(path)
    if fmt.name in NESTING_FORMATS:
        check_structure(path, fmt.name, _read_bytes(path))
    try:
        if fmt.name in _READ_BY_RDFLIB:
            quads: Iterable[ox.Quad] = _parsed_by_rdflib(path)
        else:
            rdf_format = ox.RdfFormat.from_media_type(fmt.media_type)
            quads = ox.parse(
                path=path,
                format=rdf_format,
                base_iri=path.resolve().as_uri(),
                rename_blank_nodes=True,
            )
        _write_with_union(store, quads, left_out, literals, union=union, batch_size=batch_size)
    except SyntaxError as err:
        # rdflib reads some files Oxigraph refuses (as the other commands do), and otherwise
        # says where the file is broken in the words every command uses.
        fallback = _parsed_by_rdflib(path, err)
        _write_with_union(store, fallback, left_out, literals, union=union, batch_size=batch_size)
    except OSError as err:
        raise InputError(path, f"cannot load the file: {err}") from None
    except MemoryError as err:  # Oxigraph's parser holds one token at most 16 MiB long
        raise InputError(path, f"a term too large to read ({err})") from None
    return SourceFile(str(path.resolve()), fmt.name, path.stat().st_size, file_sha256(path))


def _read_bytes(path: Path) -> bytes:
    """The bytes of an input file; `InputError` if it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot read the file: {err.strerror}") from None


def _parsed_by_rdflib(path: Path, oxigraph_error: SyntaxError | None = None) -> list[ox.Quad]:
    """The quads of one file as rdflib reads it; `InputError` (file:line:col) where it cannot, or
    where what it reads is not RDF (e.g. an IRI with a space, which Oxigraph refused)."""
    scratch = new_dataset()
    parse_into(scratch, path)
    try:
        data = scratch.serialize(format="nquads", encoding="utf-8")
        return list(ox.parse(data, ox.RdfFormat.N_QUADS, rename_blank_nodes=True))
    except Exception as err:  # rdflib refuses such terms with a bare Exception
        if oxigraph_error is None:
            raise InputError(path, f"not valid RDF: {err}") from None
        message = _PARSER_POSITION.sub("", str(oxigraph_error.msg)).splitlines()[0]
        raise InputError(
            path, f"not valid RDF: {message}", oxigraph_error.lineno, oxigraph_error.offset
        ) from None


#: The datatype IRIs of stand-ins start with this: a URN of this process, which no input states.
_STAND_IN = f"urn:uuid:{uuid.uuid4()}:"


@dataclass
class _Literals:
    """The typed literals `populate` has written, and (with `keep_lexical`) the stand-ins of
    those the store would hold in another form: the lexical form as stated, under a datatype IRI
    that is `_STAND_IN` followed by the stated datatype's, which the store keeps as it is."""

    keep_lexical: bool
    seen: set[ox.Literal] = field(default_factory=set)
    stand_ins: dict[ox.Literal, ox.Literal] = field(default_factory=dict)

    def add(self, batch: list[ox.Quad]) -> list[ox.Quad]:
        """Note the typed literals of `batch`; return it with stand-ins where needed."""
        objects = {q.object for q in batch}
        new = {value for value in objects if _typed(value) and value not in self.seen}
        if any(type(value) is ox.Triple for value in objects):  # RDF 1.2 triple terms (rare)
            new |= {v for t in objects for v in _nested_literals(t) if v not in self.seen}
        self.seen |= new
        if self.keep_lexical and new:
            changed = [old for old, held in _as_stored(list(new)).items() if held != old]
            self.stand_ins.update(
                (old, ox.Literal(old.value, datatype=ox.NamedNode(_STAND_IN + old.datatype.value)))
                for old in changed
            )
        if not self.stand_ins:
            return batch
        swap = self._swap
        return [
            ox.Quad(q.subject, q.predicate, swap(q.object), q.graph_name)
            if q.object in self.stand_ins or type(q.object) is ox.Triple
            else q
            for q in batch
        ]

    def _swap(self, term: ox.Literal | ox.NamedNode | ox.BlankNode | ox.Triple) -> _Object:
        if type(term) is ox.Triple:
            return ox.Triple(term.subject, term.predicate, self._swap(term.object))
        return self.stand_ins.get(term, term)  # type: ignore[arg-type]


_Object = ox.Literal | ox.NamedNode | ox.BlankNode | ox.Triple


def _typed(term: object) -> TypeGuard[ox.Literal]:
    """Whether `term` is a typed literal (neither a string nor a text)."""
    return type(term) is ox.Literal and term.datatype.value not in _TEXT_TYPES


def _nested_literals(term: object) -> Iterator[ox.Literal]:
    """The typed literals inside a triple term (its object, or its object's)."""
    while type(term) is ox.Triple:
        term = term.object
    if _typed(term):
        yield term


def as_stated(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """`quads` with every stand-in (see `populate`'s `keep_lexical`) as the literal it stands for."""
    return [
        ox.Quad(q.subject, q.predicate, _stated(q.object), q.graph_name)
        if _holds_stand_in(q.object)
        else q
        for q in quads
    ]


def _holds_stand_in(term: object) -> bool:
    while type(term) is ox.Triple:
        term = term.object
    return type(term) is ox.Literal and term.datatype.value.startswith(_STAND_IN)


def _stated(term: _Object) -> _Object:
    """The term a stand-in stands for (inside a triple term too)."""
    if type(term) is ox.Triple:
        return ox.Triple(term.subject, term.predicate, _stated(term.object))
    assert type(term) is ox.Literal
    if not term.datatype.value.startswith(_STAND_IN):
        return term
    return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype.value[len(_STAND_IN) :]))


def _as_stored(literals: Sequence[ox.Literal]) -> dict[ox.Literal, ox.Literal]:
    """Each literal as an Oxigraph store gives it back."""
    scratch = ox.Store()
    predicate = ox.NamedNode("urn:x-mdq:value")
    subjects = [ox.NamedNode(f"urn:x-mdq:{index}") for index in range(len(literals))]
    scratch.extend(ox.Quad(s, predicate, o) for s, o in zip(subjects, literals, strict=True))
    back = {q.subject: q.object for q in scratch}
    return {literal: back[s] for s, literal in zip(subjects, literals, strict=True)}


def _bulk_write(store: ox.Store, quads: Iterable[ox.Quad]) -> None:
    """Write `quads` with Oxigraph's bulk loader, which holds a batch in memory: few large batches
    are fastest (each batch is merged into the database), bounded batches keep memory bounded."""
    batches = iter(quads)
    while batch := list(itertools.islice(batches, _BATCH_QUADS)):
        store.bulk_extend(batch)


def _write_with_union(
    store: ox.Store,
    quads: Iterable[ox.Quad],
    left_out: frozenset[ox.NamedNode],
    literals: _Literals,
    *,
    union: bool = True,
    batch_size: int = _BATCH_QUADS,
) -> None:
    """Bulk-write `quads` and (with `union`) their triples in the default graph, so the default
    graph is the set union; the typed literals (neither strings nor texts) are noted in
    `literals` (which swaps in stand-ins where asked). `batch_size` quads are held and written at
    a time.

    The quads of the graphs `left_out` (ours, in an earlier export) are left out: they are made
    afresh. The work per quad is done in batches by set and list comprehensions, not by a
    generator (at 10^6 triples: 0.3 s, where a generator yielding each quad took 3 s)."""
    batches = iter(quads)
    while batch := list(itertools.islice(batches, batch_size)):
        if left_out and not left_out.isdisjoint({q.graph_name for q in batch}):
            batch = [q for q in batch if q.graph_name not in left_out]
        batch = literals.add(batch)
        if union:  # one write per batch: each is merged into the database
            batch += [ox.Quad(q.subject, q.predicate, q.object) for q in batch]
        store.bulk_extend(batch)


# --- Inference inside the store -------------------------------------------------------------------


def infer_in_store(
    store: ox.Store, rules: Alignment[_RuleTerm], *, in_memory: bool = False, union: bool = True
) -> None:
    """Materialise in the inferred graph what `mdq_graph.graph.inference.infer` would for the store's
    default graph, and add it there too.

    The default graph must hold the union of the stated graphs (and no inferred graph yet). The
    joins run inside Oxigraph as SPARQL CONSTRUCT queries; their results are bulk-written (on
    disk, where an update is transactional and slower) or, `in_memory`, inserted by the same
    query as a SPARQL update (measured at 10^6 triples: 2.6 s, where writing from Python took 4.9 s).
    With `union=False` (a store without the union, see `populate`), the rules read the union of
    all graphs and their results go to the inferred graph only.
    """
    target = ox.NamedNode(str(INFERRED_GRAPH))
    # Each step reads the default graph, so it sees what the steps before it inferred, as
    # `infer` applies super-terms to inverses; FILTER NOT EXISTS keeps only what is new.
    inverse_pairs = _values((p, q) for p, qs in rules.inverses.items() for q in qs)
    class_pairs = _values((c, sup) for c, sups in rules.super_classes.items() for sup in sups)
    property_pairs = _values(
        (p, sup) for p, sups in rules.super_properties.items() if p != _RDF_TYPE for sup in sups
    )
    # (template, pattern) of each step: what it infers, from what.
    steps = [
        *(
            (template, f"{pattern} FILTER NOT EXISTS {{ {template} }}")
            for template, pattern in DERIVATIONS
        ),
        # Inverses of what is stated (a literal cannot be a subject).
        (
            "?o ?q ?s",
            f"VALUES (?p ?q) {{ {inverse_pairs} }} ?s ?p ?o "
            "FILTER (!isLiteral(?o)) FILTER NOT EXISTS { ?o ?q ?s }",
        ),
        (
            "?s a ?super",
            f"VALUES (?class ?super) {{ {class_pairs} }} "
            "?s a ?class FILTER NOT EXISTS { ?s a ?super }",
        ),
        (
            "?s ?super ?o",
            f"VALUES (?p ?super) {{ {property_pairs} }} "
            "?s ?p ?o FILTER NOT EXISTS { ?s ?super ?o }",
        ),
    ]
    for template, pattern in steps:
        # Read everything before writing, so that no step sees its own results half-way (an
        # update, too, finds all that its WHERE matches before it inserts).
        if not union:  # FILTER NOT EXISTS only asks whether a triple is there: a bag will do
            triples = store.query(
                f"CONSTRUCT {{ {template} }} WHERE {{ {pattern} }}", use_default_graph_as_union=True
            )
            found = [ox.Quad(t.subject, t.predicate, t.object, target) for t in triples]  # type: ignore[union-attr]
            _bulk_write(store, found)
        elif in_memory:
            store.update(
                f"INSERT {{ GRAPH <{target.value}> {{ {template} }} {template} }} "
                f"WHERE {{ {pattern} }}"
            )
        else:
            triples = store.query(f"CONSTRUCT {{ {template} }} WHERE {{ {pattern} }}")
            _bulk_write(store, _in_graph_and_union(list(triples), target))  # type: ignore[arg-type]
    sources = sorted(
        URIRef(g.value)
        for g in store.named_graphs()
        if isinstance(g, ox.NamedNode) and g.value not in (str(INFERRED_GRAPH), str(ONTOLOGY_GRAPH))
    )
    description = Graph()
    describe_inferred_graph(description, sources)
    data = description.serialize(format="nt", encoding="utf-8")
    described = ox.parse(data, ox.RdfFormat.N_TRIPLES)
    if union:
        _bulk_write(store, _in_graph_and_union(described, target))
    else:
        _bulk_write(store, (ox.Quad(t.subject, t.predicate, t.object, target) for t in described))


def _in_graph_and_union(
    triples: Iterable[ox.Triple | ox.Quad], graph: ox.NamedNode
) -> Iterator[ox.Quad]:
    """Each triple in `graph` and in the default graph."""
    for t in triples:
        yield ox.Quad(t.subject, t.predicate, t.object, graph)
        yield ox.Quad(t.subject, t.predicate, t.object)


def _values(pairs: Iterable[tuple[_RuleTerm, _RuleTerm]]) -> str:
    """(IRI, IRI) pairs as the rows of a SPARQL VALUES block (other terms are left out)."""
    iris = [(a, b) for a, b in pairs if isinstance(a, ox.NamedNode) and isinstance(b, ox.NamedNode)]
    return " ".join(
        f"({a} {b})" for a, b in sorted(iris, key=lambda ab: (ab[0].value, ab[1].value))
    )
