"""Finds the file, and the line in it, that states a triple, so that a finding can point at it.

The files are parsed again (only when there is something to point at), each on its own, to know which
file states which triple. Lines are exact for N-Triples and N-Quads; for Turtle and TriG they are found
by reading the text (the subject's statement, then the property, then the value); for JSON-LD and
RDF/XML, the first line that names the subject.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from mdq_graph.formats import format_for_path
from mdq_graph.namespaces import RDF
from mdq_graph.parsing import parse_into

_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I | re.M)
_BASE = re.compile(r"^\s*(?:@base|BASE)\s+<([^>]*)>", re.I | re.M)
_LOCAL_NAME = re.compile(r"^[\w-][\w.-]*$")
_TURTLE_FAMILY = ("turtle", "trig")
_LINE_BASED = ("nt", "nq")


@dataclass(frozen=True)
class Location:
    """A file (as shown to the user) and a line in it (from 1), either unknown."""

    file: str | None = None
    line: int | None = None


@dataclass
class _File:
    """One parsed file: what it states, and its text to find lines in."""

    path: Path
    fmt: str
    lines: list[str]
    triples: set[tuple[Node, Node, Node]]
    graphs: set[Node]
    prefixes: dict[str, str] = field(default_factory=dict)
    base: str | None = None

    @property
    def shown(self) -> str:
        """The path relative to the working folder when it lies inside it."""
        try:
            return os.path.relpath(self.path.resolve())
        except ValueError:  # another drive (Windows)
            return str(self.path)

    def states(self, subject: Node, predicate: Node | None = None) -> bool:
        """Whether the file states anything about `subject` (with `predicate`, if given)."""
        return any(s == subject and predicate in (None, p) for s, p, _ in self.triples)


class SourceMap:
    """Which of `files` states a triple, and at which line."""

    def __init__(self, files: Sequence[Path]) -> None:
        self._paths = list(files)
        self._files: list[_File] | None = None

    def locate(
        self, subject: Node, predicate: Node | None = None, value: Node | None = None
    ) -> Location:
        """Where the triple is stated; for a triple only inferred, where the triple it comes from is;
        for a missing one, where the subject is described (or, for a named graph, where it opens)."""
        files = self._parsed()
        if predicate is not None and value is not None:
            for f in files:
                if (subject, predicate, value) in f.triples:
                    return Location(f.shown, _line(f, subject, predicate, value))
        if value is not None:
            for f in files:
                for s, p, o in f.triples:
                    if s == subject and o == value:
                        return Location(f.shown, _line(f, subject, p, value))
        describing = [f for f in files if f.states(subject)]
        describing.sort(
            key=lambda f: (
                not (predicate is not None and f.states(subject, predicate)),
                not f.states(subject, RDF.type),
            )
        )
        for f in describing:
            stated = predicate if predicate is not None and f.states(subject, predicate) else None
            return Location(f.shown, _line(f, subject, stated, None))
        for f in files:
            if subject in f.graphs:
                return Location(f.shown, _graph_line(f, subject))
        return Location()

    def _parsed(self) -> list[_File]:
        """The files, parsed the first time they are needed."""
        if self._files is None:
            self._files = [_read(path) for path in self._paths]
        return self._files


def _read(path: Path) -> _File:
    """Parse one file on its own and keep its text."""
    scratch = Dataset()
    parse_into(scratch, path)
    triples: set[tuple[Node, Node, Node]] = set()
    graphs: set[Node] = set()
    for s, p, o, g in scratch.quads((None, None, None, None)):
        triples.add((s, p, o))
        name = g.identifier if isinstance(g, Graph) else g
        if name is not None and name != scratch.default_graph.identifier:
            graphs.add(name)
    text = path.read_text(encoding="utf-8")
    prefixes = {m.group(1) or "": m.group(2) for m in _PREFIX.finditer(text)}
    bases = _BASE.findall(text)
    return _File(
        path, format_for_path(path).name, text.splitlines(), triples, graphs, prefixes,
        bases[-1] if bases else None,
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
    wanted = [subject.n3()] + [t.n3() for t in (predicate, value) if t is not None]
    fallback = None
    for number, line in enumerate(f.lines, start=1):
        if not line.startswith(wanted[0]):
            continue
        if all(w in line for w in wanted):
            return number
        fallback = fallback or number
    return fallback


def _first_line_naming(f: _File, forms: list[str]) -> int | None:
    """The first line that names the subject (JSON-LD, RDF/XML): a hint, not an exact place."""
    names = [form.strip("<>") for form in forms if form.startswith("<")]
    for number, line in enumerate(f.lines, start=1):
        if any(f'"{name}"' in line for name in names):
            return number
    return None


def _forms(f: _File, term: Node) -> list[str]:
    """The ways a Turtle file may write `term`: <full>, <relative>, prefix:local, `a`, a literal."""
    if isinstance(term, Literal):
        lexical = str(term)
        escaped = (
            lexical.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\t", "\\t")
        )
        return [f'"{escaped[:40]}', lexical] if lexical else ['""']
    if not isinstance(term, URIRef):
        return []
    iri = str(term)
    forms = [f"<{iri}>"]
    if f.base and iri.startswith(f.base) and iri != f.base:
        forms.append(f"<{iri[len(f.base) :]}>")
    for prefix, namespace in f.prefixes.items():
        local = iri[len(namespace) :]
        if namespace and iri.startswith(namespace) and (not local or _LOCAL_NAME.match(local)):
            forms.append(f"{prefix}:{local}")
    if term == RDF.type:
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
    for index, line in enumerate(f.lines):
        match = next((m for m in (p.match(line) for p in starts) if m), None)
        if match is not None and not line[match.end() :].lstrip().startswith("{"):
            yield index, _statement_end(f.lines, index)


def _graph_line(f: _File, graph: Node) -> int | None:
    """The line (from 1) where a TriG file opens the named graph `graph`."""
    opens = [
        re.compile(rf"\s*(?:GRAPH\s+)?{re.escape(form)}\s*\{{", re.I) for form in _forms(f, graph)
    ]
    for number, line in enumerate(f.lines, start=1):
        if any(p.match(line) for p in opens):
            return number
    return None


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
