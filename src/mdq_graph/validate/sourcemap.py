"""Finds the file, and the line in it, that states a triple, so that a finding can point at it.

The files are read again only when there is something to point at, each on its own, to know which
file states which triple. An N-Triples or N-Quads file is neither parsed nor held whole: one pass over
its lines keeps those that begin with a subject to locate (`SourceMap.want`), and only they are
parsed (a finding on a 10^7-triple file costs a scan of its text, not a second parse or a copy of it). Lines are exact for N-Triples
and N-Quads; for Turtle and TriG they are found by reading the text (the subject's statement, then
the property, then the value); for JSON-LD and RDF/XML, the first line that names the subject.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from mdq_graph.graph.loader import file_quads
from mdq_graph.graph.namespaces import RDF
from mdq_graph.graph.rdf_formats import format_for_path

_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I | re.M)
_BASE = re.compile(r"^\s*(?:@base|BASE)\s+<([^>]*)>", re.I | re.M)
_LOCAL_NAME = re.compile(r"^[\w-][\w.-]*$")
#: A line that opens a named graph in TriG (`name {` or `GRAPH name {`), the name as written.
_GRAPH_OPENING = re.compile(r"\s*(?:GRAPH\s+)?(<[^>]*>|[^\s{]+)\s*\{", re.I)
_TURTLE_FAMILY = ("turtle", "trig")
_LINE_BASED = ("nt", "nq")
_LINE_FORMATS = {"nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS}
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph
Node = ox.NamedNode | ox.BlankNode | ox.Literal
_RDF_TYPE = ox.NamedNode(str(RDF.type))


@dataclass(frozen=True)
class Location:
    """A file (as shown to the user) and a line in it (from 1), either unknown."""

    file: str | None = None
    line: int | None = None


@dataclass
class _File:
    """One file: what it states, and its text to find lines in. A line-based file (N-Triples,
    N-Quads) keeps only the lines of the subjects scanned for (`sparse`), and states nothing up
    front: `pairs` parses the lines of a subject when it is asked for."""

    path: Path
    fmt: str
    lines: list[str]  # every line, but of a line-based file
    statements: dict[OxTerm, set[tuple[OxTerm, OxTerm]]]  # subject -> (predicate, object)
    graphs: set[OxTerm] = field(default_factory=set)  # but of a line-based file
    prefixes: dict[str, str] = field(default_factory=dict)
    base: str | None = None
    _first_lines: dict[str, list[int]] | None = field(default=None, repr=False)
    _graph_lines: dict[str, int] | None = field(default=None, repr=False)
    sparse: dict[int, str] = field(default_factory=dict, repr=False)  # index -> line kept
    _scanned: set[str] = field(default_factory=set, repr=False)
    _named_graphs: dict[OxTerm, bool] = field(default_factory=dict, repr=False)

    def scan(self, forms: set[str]) -> None:
        """Keep the lines of a line-based file that begin with one of `forms` (N-Triples forms),
        reading the file once for all of them."""
        forms = forms - self._scanned
        if self.fmt not in _LINE_BASED or not forms:
            return
        self._scanned |= forms
        index = self.first_lines()
        with self.path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle):
                head = line.split(None, 1)
                if head and head[0] in forms:
                    self.sparse[number] = line.rstrip("\r\n")
                    index.setdefault(head[0], []).append(number)

    def names_graph(self, term: OxTerm) -> bool:
        """Whether the file has a named graph `term` (an N-Quads file is read for it once)."""
        if self.fmt not in _LINE_BASED:
            return term in self.graphs
        known = self._named_graphs.get(term)
        if known is None:
            known = False
            if self.fmt == "nq":
                form = str(term)
                with self.path.open(encoding="utf-8") as handle:
                    for line in handle:
                        body = line.rstrip()
                        if body.endswith(".") and body[:-1].rstrip().endswith(form):
                            quads = ox.parse(input=line.encode(), format=ox.RdfFormat.N_QUADS)
                            if any(q.graph_name == term for q in quads):
                                known = True
                                break
            self._named_graphs[term] = known
        return known

    def pairs(self, subject: OxTerm | None) -> set[tuple[OxTerm, OxTerm]]:
        """(predicate, object) of every triple the file states about `subject`."""
        if subject is None:
            return set()
        found = self.statements.get(subject)
        if found is None:
            found = set()
            if self.fmt in _LINE_BASED:  # parse the subject's lines alone
                self.scan({str(subject)})
                index = self.first_lines().get(str(subject), [])
                text = "\n".join(self.sparse[i] for i in index)
                for quad in ox.parse(input=text.encode(), format=_LINE_FORMATS[self.fmt]):
                    found.add((quad.predicate, quad.object))
            self.statements[subject] = found
        return found

    @functools.cached_property
    def shown(self) -> str:
        """The path relative to the working folder when it lies inside it (worked out once: a
        file of many graphs has as many findings)."""
        try:
            return os.path.relpath(self.path.resolve())
        except ValueError:  # another drive (Windows)
            return str(self.path)

    def states(self, subject: Node, predicate: Node | None = None) -> bool:
        """Whether the file states anything about `subject` (with `predicate`, if given)."""
        stated = self.pairs(subject)
        return bool(stated) and (predicate is None or any(p == predicate for p, _ in stated))

    def first_lines(self) -> dict[str, list[int]]:
        """Line indexes by the first word of the line, to find a subject's lines at once (of a
        line-based file, of the lines scanned for)."""
        if self._first_lines is None:
            self._first_lines = {}
            for index, line in enumerate(self.lines):
                word = line.split(None, 1)
                if word:
                    self._first_lines.setdefault(word[0], []).append(index)
        return self._first_lines

    def graph_lines(self) -> dict[str, int]:
        """The line (from 1) where each named graph opens, by its name as written: read once, not
        once per graph (a file of 100,000 graphs would be read 100,000 times)."""
        if self._graph_lines is None:
            self._graph_lines = {}
            for number, line in enumerate(self.lines, start=1):
                opening = _GRAPH_OPENING.match(line)
                if opening is not None:
                    self._graph_lines.setdefault(opening.group(1), number)
        return self._graph_lines


class SourceMap:
    """Which of `files` states a triple, and at which line."""

    def __init__(self, files: Sequence[Path]) -> None:
        self._paths = list(files)
        self._files: list[_File] | None = None
        self._wanted: set[str] = set()

    def want(self, subjects: Iterable[Node | None]) -> None:
        """The subjects that will be located: an N-Triples or N-Quads file is read once for all
        of them (a subject not announced costs a reading of its own)."""
        forms = {str(s) for s in subjects if s is not None and not isinstance(s, ox.Literal)}
        self._wanted |= forms
        if self._files is not None:
            for f in self._files:
                f.scan(forms)

    def locate(
        self, subject: Node, predicate: Node | None = None, value: Node | None = None
    ) -> Location:
        """Where the triple is stated; for a triple only inferred, where the triple it comes from is;
        for a missing one, where the subject is described (or, for a named graph, where it opens)."""
        files = self._parsed()
        s, p, o = subject, predicate, value
        candidates = [(f, f.pairs(s)) for f in files]
        if p is not None and o is not None:
            for f, pairs in candidates:
                if (p, o) in pairs:
                    return Location(f.shown, _line(f, subject, predicate, value))
        if o is not None:
            for f, pairs in candidates:
                for stated_p, stated_o in sorted(pairs, key=str):
                    if stated_o == o and isinstance(stated_p, ox.NamedNode):
                        return Location(f.shown, _line(f, subject, stated_p, value))
        describing = [f for f in files if f.states(subject)]
        describing.sort(
            key=lambda f: (
                not (predicate is not None and f.states(subject, predicate)),
                not f.states(subject, _RDF_TYPE),
            )
        )
        for f in describing:
            stated = predicate if predicate is not None and f.states(subject, predicate) else None
            return Location(f.shown, _line(f, subject, stated, None))
        for f in files:
            if f.names_graph(s):
                return Location(f.shown, _graph_line(f, subject))
        return Location()

    def _parsed(self) -> list[_File]:
        """The files, parsed the first time they are needed."""
        if self._files is None:
            self._files = [_read(path) for path in self._paths]
            for f in self._files:
                f.scan(self._wanted)
        return self._files


def _read(path: Path) -> _File:
    """Keep the text of one file and, unless it is line-based, parse it on its own (pyoxigraph,
    else rdflib)."""
    fmt = format_for_path(path).name
    if fmt in _LINE_BASED:  # read line by line, for the subjects to locate (`_File.scan`)
        return _File(path, fmt, [], {}, _first_lines={})
    statements: dict[OxTerm, set[tuple[OxTerm, OxTerm]]] = {}
    graphs: set[OxTerm] = set()
    for quad in file_quads(path):
        statements.setdefault(quad.subject, set()).add((quad.predicate, quad.object))  # type: ignore[arg-type]
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            graphs.add(quad.graph_name)
    text = path.read_text(encoding="utf-8")
    prefixes = {m.group(1) or "": m.group(2) for m in _PREFIX.finditer(text)}
    bases = _BASE.findall(text)
    return _File(
        path, fmt, text.splitlines(), statements, graphs, prefixes, bases[-1] if bases else None,
    )  # fmt: skip


def _line(f: _File, subject: Node, predicate: Node | None, value: Node | None) -> int | None:
    """The line (from 1) of the triple, or of the subject's statement, in `f`."""
    if f.fmt in _LINE_BASED:
        return _nt_line(f, subject, predicate, value)
    subject_forms = _forms(f, subject)
    if f.fmt not in _TURTLE_FAMILY:
        return _first_line_naming(f, subject_forms)
    first_block: int | None = None
    for start, end in _statements(f, subject_forms):
        first_block = start if first_block is None else first_block
        if predicate is None:
            break
        found = _property_line(f, start, end, subject_forms, _forms(f, predicate), value)
        if found is not None:
            return found + 1
    return first_block + 1 if first_block is not None else None


def _nt_line(f: _File, subject: Node, predicate: Node | None, value: Node | None) -> int | None:
    """The exact line of a triple in N-Triples or N-Quads (or the first of its subject)."""
    wanted = [str(subject)] + [str(t) for t in (predicate, value) if t is not None]
    candidates = f.first_lines().get(wanted[0], [])
    for index in candidates:
        if all(w in f.sparse[index] for w in wanted):
            return index + 1
    return candidates[0] + 1 if candidates else None


def _first_line_naming(f: _File, forms: list[str]) -> int | None:
    """The first line that names the subject (JSON-LD, RDF/XML): a hint, not an exact place."""
    names = [form.strip("<>") for form in forms if form.startswith("<")]
    for number, line in enumerate(f.lines, start=1):
        if any(f'"{name}"' in line for name in names):
            return number
    return None


def _forms(f: _File, term: Node) -> list[str]:
    """The ways a Turtle file may write `term`: <full>, <relative>, prefix:local, `a`, a literal."""
    if isinstance(term, ox.Literal):
        lexical = term.value
        escaped = (
            lexical.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\t", "\\t")
        )
        return [f'"{escaped[:40]}', lexical] if lexical else ['""']
    if not isinstance(term, ox.NamedNode):
        return []
    iri = term.value
    forms = [f"<{iri}>"]
    if f.base and iri.startswith(f.base) and iri != f.base:
        forms.append(f"<{iri[len(f.base) :]}>")
    for prefix, namespace in f.prefixes.items():
        local = iri[len(namespace) :]
        if namespace and iri.startswith(namespace) and (not local or _LOCAL_NAME.match(local)):
            forms.append(f"{prefix}:{local}")
    if term == _RDF_TYPE:
        forms.append("a")
    return forms


def _token(form: str) -> re.Pattern[str]:
    """A pattern that finds `form` as a whole token (not inside a longer name)."""
    if form.startswith(("<", '"')):
        return re.compile(re.escape(form))
    return re.compile(rf"(?<![\w:/.#-]){re.escape(form)}(?![\w:/#-])")


def _statements(f: _File, subject_forms: list[str]) -> Iterator[tuple[int, int]]:
    """(first, last) line indexes of every Turtle statement whose subject is written `subject_forms`."""
    starts = [re.compile(rf"\s*{re.escape(form)}(?=\s|$)") for form in subject_forms]
    index_of = f.first_lines()
    for index in sorted({i for form in subject_forms for i in index_of.get(form, [])}):
        line = f.lines[index]
        match = next((m for m in (p.match(line) for p in starts) if m), None)
        if match is not None and not line[match.end() :].lstrip().startswith("{"):
            yield index, _statement_end(f.lines, index)


def _graph_line(f: _File, graph: Node) -> int | None:
    """The line (from 1) where a TriG file opens the named graph `graph`."""
    openings = f.graph_lines()
    return next((openings[form] for form in _forms(f, graph) if form in openings), None)


def _statement_end(lines: list[str], start: int) -> int:
    """The index of the line that ends the statement starting at `start` (with its ` .`)."""
    in_long_string = False
    for index in range(start, len(lines)):
        line = lines[index]
        if line.count('"""') % 2:
            in_long_string = not in_long_string
        stripped = line.rstrip()
        if not in_long_string and (stripped.endswith(".") or stripped.endswith("}")):
            return index
    return len(lines) - 1


def _property_line(
    f: _File, start: int, end: int, subject_forms: list[str], predicate_forms: list[str],
    value: Node | None,
) -> int | None:  # fmt: skip
    """The index of the line that states the value of the property within a statement."""
    predicates = [_token(form) for form in predicate_forms]
    values = [_token(form) for form in (_forms(f, value) if value is not None else [])]
    for index in range(start, end + 1):
        line = f.lines[index]
        for pattern in predicates:
            match = next(
                (m for m in pattern.finditer(line) if _in_predicate_position(line[: m.start()], subject_forms)),
                None,
            )  # fmt: skip
            if match is None:
                continue
            if not values:
                return index
            rest = [line[match.end() :], *f.lines[index + 1 : end + 1]]
            for offset, text in enumerate(rest):
                if any(v.search(text) for v in values):
                    return index + offset
                if text.rstrip().endswith((";", ".")):
                    break  # the next property starts
            return index
    return None


def _in_predicate_position(before: str, subject_forms: list[str]) -> bool:
    """Whether a term that follows `before` on its line is a predicate (not an object)."""
    before = before.strip()
    return not before or before.endswith(";") or before in subject_forms
