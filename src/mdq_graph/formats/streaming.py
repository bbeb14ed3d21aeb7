"""Exports of a graph too large to hold whole, written as they go with the bytes `write_rdf` gives.

The graph is a store's default graph (where `load` keeps the union of the named graphs) and a few
triples beside it (the export's description). Only the sorted list of its subjects is held; each
subject's triples are then read from the store and written. The triples with a blank node (few:
the ontology's class expressions) are found by the caller and relabelled canonically here, as
`write_rdf` relabels them, and stand in for the store's own. N-Triples and N-Quads lines are
sorted in runs of bounded size spilled to temporary files and merged (`LineSorter`).
"""

from __future__ import annotations

import heapq
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain
from typing import IO, Any, cast

import pyoxigraph as ox

from mdq_graph.errors import UsageError
from mdq_graph.formats.compaction import DirectWriterRefusal, TermTuple, find_lists
from mdq_graph.formats.rdf import ITS_DECLARATION, xml_namespaces
from mdq_graph.formats.turtle import (
    RDF_TYPE,
    Subject,
    predicate_key,
    term_key,
    write_graphs,
)

#: Terms that are or may hold a blank node (an RDF 1.2 triple term may).
_WITH_BLANK_NODES = (ox.BlankNode, ox.Triple)
_RDF_NIL = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"
#: How many bytes of lines a sorter holds before it writes a sorted run to a temporary file.
RUN_BYTES = 1 << 30
#: A line's cost in memory beyond its bytes (the bytes object and the list's pointer to it).
_LINE_OVERHEAD = 41
#: Nodes dumped as JSON at a time.
_JSON_BATCH = 2048
_COPY_CHUNK = 1 << 20
#: Lines joined into one write.
_LINES_AT_A_TIME = 1 << 16


def holds_blank_node(subject: object, value: object) -> bool:
    """Whether a triple's subject or object is (or, a triple term, may hold) a blank node."""
    return isinstance(subject, _WITH_BLANK_NODES) or isinstance(value, _WITH_BLANK_NODES)


class StoredGraph:
    """The triples of one graph of `store` (`graph`; by default the default graph, the union)
    and of `extra`, subject by subject; those with a blank node are `blank`'s (labelled
    canonically: `canonical`) instead of as the store holds them. Without `store`, `extra` and
    `blank` are the whole graph."""

    def __init__(
        self,
        store: ox.Store | None,
        extra: Iterable[TermTuple],
        blank: Iterable[TermTuple],
        graph: ox.NamedNode | ox.DefaultGraph | None = None,
    ) -> None:
        self.store = store
        self.graph = ox.DefaultGraph() if graph is None else graph
        self.extra: dict[Subject | ox.Triple, list[TermTuple]] = {}
        for triple in extra:
            if not holds_blank_node(triple[0], triple[2]):
                self.extra.setdefault(triple[0], []).append(triple)
        self.blank = list(blank)
        self.blank_of: dict[Subject | ox.Triple, list[TermTuple]] = {}
        for triple in self.blank:
            self.blank_of.setdefault(triple[0], []).append(triple)

    def subjects(self) -> list[Subject]:
        """Every subject, in the order of `term_key` (IRIs, then blank nodes, each by value)."""
        iris: set[str] = set()
        if self.store is not None:
            pattern = "?s ?p ?o FILTER isIRI(?s)"
            if isinstance(self.graph, ox.NamedNode):
                pattern = f"GRAPH <{self.graph.value}> {{ {pattern} }}"
            rows = self.store.query(f"SELECT DISTINCT ?s WHERE {{ {pattern} }}")
            assert isinstance(rows, ox.QuerySolutions)
            iris = {row[0].value for row in rows}
        iris.update(s.value for s in chain(self.extra, self.blank_of) if type(s) is ox.NamedNode)
        blank = sorted((s for s in self.blank_of if type(s) is ox.BlankNode), key=term_key)
        return [*map(ox.NamedNode, sorted(iris)), *blank]

    def triples(self, subject: Subject) -> list[TermTuple]:
        """The triples of `subject`, each once, unordered."""
        if isinstance(subject, ox.BlankNode):
            return list(self.blank_of.get(subject, ()))
        found: dict[TermTuple, None] = {}
        stored = (
            ()
            if self.store is None
            else self.store.quads_for_pattern(subject, None, None, self.graph)
        )
        for quad in stored:
            value = quad.object
            if not isinstance(value, _WITH_BLANK_NODES):
                found[(subject, quad.predicate, value)] = None
        found.update(dict.fromkeys(self.extra.get(subject, ())))
        found.update(dict.fromkeys(self.blank_of.get(subject, ())))
        return list(found)

    def sorted_triples(self, subject: Subject) -> list[TermTuple]:
        """The triples of `subject`, each once, by predicate (`rdf:type` first), then object."""
        return sorted(self.triples(subject), key=lambda t: (predicate_key(t[1]), term_key(t[2])))

    def extra_triples(self) -> Iterator[TermTuple]:
        """The triples beside the store's (those without a blank node)."""
        return chain.from_iterable(self.extra.values())

    def each_subject(
        self, subjects: Sequence[Subject] | None = None
    ) -> Iterator[tuple[Subject, list[TermTuple]]]:
        """Each subject (in the order of `term_key`, or of `subjects`) with its triples."""
        for subject in self.subjects() if subjects is None else subjects:
            yield subject, self.triples(subject)


def canonical(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """`quads` (each once) with their blank nodes relabelled by RDFC-1.0, as `write_rdf` does."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return list(dataset)


def write_turtle_stream(
    graph: StoredGraph, prefixes: Mapping[str, str], base: str | None, out: IO[bytes]
) -> None:
    """The graph as `write_turtle` writes it, to `out`."""
    write_trig_stream([graph], prefixes, base, out, name="turtle")


def write_trig_stream(
    graphs: Sequence[StoredGraph],
    prefixes: Mapping[str, str],
    base: str | None,
    out: IO[bytes],
    *,
    name: str = "trig",
) -> None:
    """The graphs (each a different graph name, in the order of `term_key`) as `write_trig`
    writes them (a default graph alone: as `write_turtle` does), to `out`."""
    blank_rows = [(*triple, graph.graph) for graph in graphs for triple in graph.blank]
    each = ((graph.graph, graph.each_subject()) for graph in graphs)
    try:
        write_graphs(each, blank_rows, prefixes, base, out)  # type: ignore[arg-type]
    except ValueError as err:  # a triple term, which Turtle 1.1 cannot hold
        raise UsageError(f"cannot write the graph as {name}: {err}") from None


def write_jsonld_stream(graph: StoredGraph, context_url: str | None, out: IO[bytes]) -> bool:
    """The graph as compacted JSON-LD, as `write_jsonld` writes it without a frame, to `out`;
    False, with nothing written, where the direct writer refuses it or where the document holds
    fewer than two nodes (no `@graph`): the caller writes those the whole way."""
    from mdq_graph.formats.jsonld import compactor, dumps, load_context, used_context

    writer = compactor()
    # rdf:nil after an IRI (not a list of blank nodes): the direct writer refuses it.
    nil = graph.store is not None and graph.store.query(
        f"ASK {{ ?s ?p <{_RDF_NIL}> FILTER (!isBlank(?s)) }}"
    )
    if nil or any(t[2] == ox.NamedNode(_RDF_NIL) for t in graph.extra_triples()):
        return False
    try:
        lists = find_lists(graph.blank)
    except DirectWriterRefusal:
        return False
    subjects = graph.subjects()
    if len(subjects) < 2:
        return False

    def node_id(subject: Subject) -> str:
        name = subject.value if isinstance(subject, ox.NamedNode) else "_:" + subject.value
        return writer.compact_id(name)

    # pyld's order: the nodes by their compacted @id (the subjects' own order among equals).
    order = sorted(range(len(subjects)), key=lambda index: node_id(subjects[index]))
    context: dict[str, Any] = load_context()["@context"]
    words: set[str] = set()
    count = 0
    with tempfile.TemporaryFile() as body:
        batch: list[dict[str, Any]] = []

        def flush() -> None:
            text = dumps({"@graph": batch})
            start, end = text.index(b"[\n") + 2, text.rindex(b"\n  ]")
            body.write(b",\n" + text[start:end] if body.tell() else text[start:end])
            batch.clear()

        try:
            for index in order:
                subject = subjects[index]
                node = writer.compact_node(graph.sorted_triples(subject), lists)
                if node is None:
                    continue
                count += 1
                words.update(_context_words(node, context))
                batch.append(node)
                if len(batch) >= _JSON_BATCH:
                    flush()
        except DirectWriterRefusal:
            return False
        if batch:
            flush()
        if count < 2:
            return False
        kept: Any = context_url
        if context_url is None:
            kept = used_context(context, [writer.reference, "@context", "@graph", *words])
        # The document around its nodes: the last `null` is the one in @graph (the last key).
        head, _, tail = dumps({"@context": kept, "@graph": [None]}).rpartition(b"null")
        out.write(head[: head.rindex(b"\n") + 1])
        body.seek(0)
        shutil.copyfileobj(body, out, _COPY_CHUNK)
        out.write(tail)
    return True


def _context_words(node: dict[str, Any], context: Mapping[str, Any]) -> Iterator[str]:
    """The strings of `node` that may keep a term of `context` in the document's narrowed
    context (`jsonld.used_context`): a term's name, or a compact IRI with its prefix."""
    from mdq_graph.formats.jsonld import json_strings

    for word in json_strings(node):
        if word in context or (":" in word and word.split(":", 1)[0] in context):
            yield word


class LineSorter:
    """N-Triples or N-Quads lines, each kept once and written sorted, in runs of at most
    `run_bytes` held in memory; also a file to write serialised lines to (`write`)."""

    def __init__(
        self,
        run_bytes: int | None = None,
        edit: Callable[[bytes], bytes] | None = None,
        *,
        distinct: bool = False,
    ) -> None:
        self.run_bytes = RUN_BYTES if run_bytes is None else run_bytes
        #: Whether the lines are known to be distinct (no need to look for repeats).
        self.distinct = distinct
        self.edit = edit
        self.left_out: set[bytes] = set()
        self._lines: list[bytes] = []
        self._size = 0
        self._runs: list[IO[bytes]] = []
        self._partial = b""

    def write(self, data: bytes) -> int:
        """Take serialised lines (a line may end in a later call); `edit`, if set, applies to
        whole lines before they are split."""
        size = len(data)
        data = self._partial + data
        end = data.rfind(b"\n") + 1
        self._partial = data[end:]
        whole = data[:end]
        if self.edit is not None:
            whole = self.edit(whole)
        self.add(whole.splitlines())
        return size

    def flush(self) -> None:
        """Nothing to flush (a file's method, which serialisers may call)."""

    def add(self, lines: Iterable[bytes]) -> None:
        """Take these lines (those in `left_out` are dropped)."""
        if self.left_out:
            lines = [line for line in lines if line not in self.left_out]
        elif not isinstance(lines, list):
            lines = list(lines)
        self._lines += lines
        self._size += sum(map(len, lines)) + _LINE_OVERHEAD * len(lines)
        if self._size >= self.run_bytes:
            self._spill()

    def _spill(self) -> None:
        """Write the lines held, sorted, to a temporary file."""
        run = tempfile.TemporaryFile()  # noqa: SIM115  # closed once merged, in `write_to`
        self._lines.sort()
        _write_unique(run, iter(self._lines))
        run.seek(0)
        self._runs.append(run)
        self._lines = []
        self._size = 0

    def write_to(self, out: IO[bytes]) -> None:
        """Every line once, sorted, each ended by a line break (blank lines left out)."""
        if self._partial:
            self.add([self._partial])
            self._partial = b""
        if not self._runs:
            self._lines.sort()
            if self.distinct:
                _write_distinct(out, self._lines)
            else:
                _write_unique(out, iter(self._lines))
            return
        if self._lines:
            self._spill()
        try:  # each run's lines are unique, sorted, and each ends with a line break
            merged = heapq.merge(*(iter(run) for run in self._runs))
            _write_unique(out, (line[:-1] for line in merged))
        finally:
            for run in self._runs:
                run.close()


def _write_distinct(out: IO[bytes], lines: list[bytes]) -> None:
    """Write sorted, distinct `lines`, leaving out blank ones, joined in C (10^6 triples: a
    second less than looking at each line)."""
    # Blank lines sort first: only the lines that start with a space or a control byte are looked at.
    start = 0
    while start < len(lines) and lines[start][:1] <= b" ":
        start += 1
    kept = [line for line in lines[:start] if line.strip()]
    for first in range(start, len(lines), _LINES_AT_A_TIME):
        kept += lines[first : first + _LINES_AT_A_TIME]
        kept.append(b"")
        out.write(b"\n".join(kept))
        kept = []


def _write_unique(out: IO[bytes], lines: Iterator[bytes]) -> None:
    """Write sorted `lines`, each once, leaving out blank ones."""
    previous: bytes | None = None
    chunk: list[bytes] = []
    for line in lines:
        if line == previous or not line.strip():
            continue
        previous = line
        chunk.append(line)
        if len(chunk) >= 1 << 16:
            chunk.append(b"")
            out.write(b"\n".join(chunk))
            chunk = []
    if chunk:
        chunk.append(b"")
        out.write(b"\n".join(chunk))


def write_ntriples_stream(
    graph: StoredGraph,
    as_stored: Iterable[TermTuple],
    out: IO[bytes],
    run_bytes: int | None = None,
) -> None:
    """The graph as `write_rdf` writes it in N-Triples, to `out`: the store's own serialiser
    writes its lines, less those of `as_stored` (the triples with a blank node, as the store
    labels them), which are written relabelled."""
    assert graph.store is not None
    sorter = LineSorter(run_bytes)
    stored = ox.serialize((ox.Triple(*t) for t in as_stored), format=ox.RdfFormat.N_TRIPLES)
    sorter.left_out = set((stored or b"").splitlines())
    graph.store.dump(
        cast(IO[bytes], sorter), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()
    )
    sorter.left_out = set()
    own = chain(graph.blank, graph.extra_triples())
    written = ox.serialize((ox.Triple(*t) for t in own), format=ox.RdfFormat.N_TRIPLES)
    sorter.add((written or b"").splitlines())
    sorter.write_to(out)


def rdf_xml_names(graph: StoredGraph) -> set[str]:
    """The predicates and classes (objects of `rdf:type`) of the graph: the names RDF/XML needs
    namespaces for."""
    assert graph.store is not None
    rows = graph.store.query(
        f"SELECT DISTINCT ?n WHERE {{ {{ ?s ?n ?o }} UNION {{ ?s <{RDF_TYPE}> ?n FILTER isIRI(?n) }} }}"
    )
    assert isinstance(rows, ox.QuerySolutions)
    names = {row[0].value for row in rows}
    for _, predicate, value in chain(graph.extra_triples(), graph.blank):
        names.add(predicate.value)
        if predicate.value == RDF_TYPE and isinstance(value, ox.NamedNode):
            names.add(value.value)
    return names


def write_rdf_xml_stream(graph: StoredGraph, prefixes: Mapping[str, str], out: IO[bytes]) -> None:
    """The graph as `write_rdf` writes it in RDF/XML, to `out` (spooled: the namespaces go first)."""
    used = xml_namespaces(rdf_xml_names(graph), prefixes)
    triples = (
        ox.Triple(*triple)
        for subject in graph.subjects()
        for triple in graph.sorted_triples(subject)
    )
    with tempfile.TemporaryFile() as body:
        try:
            ox.serialize(triples, body, format=ox.RdfFormat.RDF_XML, prefixes=used)
        except ValueError as err:  # e.g. a predicate RDF/XML cannot name
            raise UsageError(f"cannot write the graph as xml: {err}") from None
        body.seek(0)
        start = body.read(1 << 16)
        end_of_root_tag = start.find(b">", start.find(b"<rdf:RDF")) + 1
        head, rest = start[:end_of_root_tag], start[end_of_root_tag:]
        uses_its = b"its:" in rest
        carry = rest[-3:]
        while not uses_its and (chunk := body.read(_COPY_CHUNK)):
            uses_its = b"its:" in carry + chunk
            carry = chunk[-3:]
        if not uses_its:
            head = head.replace(ITS_DECLARATION, b"")
        out.write(head + rest)
        body.seek(len(start))
        shutil.copyfileobj(body, out, _COPY_CHUNK)
