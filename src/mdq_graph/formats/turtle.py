"""Writes Turtle and TriG for people and for git: sorted, one block per subject, stable layout.

The same quads always give the same bytes: subjects, predicates (`a` first) and objects are sorted;
only the prefixes the output uses are declared; IRIs under the base are written relative to it,
as in the source files (a Turtle prefixed name cannot hold the `/` of `<meeting/mdq-7>`). Blank
nodes must already carry stable labels (see `mdq_graph.formats.rdf`); one that is the object of exactly
one triple of its graph is written in place, as `[ ... ]`.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from typing import IO

import pyoxigraph as ox

from mdq_graph.formats.compaction import TermTuple

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INDENT = "    "
_WIDTH = 100

Subject = ox.NamedNode | ox.BlankNode
Term = ox.NamedNode | ox.BlankNode | ox.Literal
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
Statements = dict[Subject, dict[ox.NamedNode, set[Term]]]
#: A quad's terms: subject, predicate, object, graph name.
Row = tuple[Subject, ox.NamedNode, Term, GraphName]
#: How many rendered terms a stream keeps before it forgets them.
_MAX_REMEMBERED = 1 << 18
#: The chunks a spooled body is copied in.
_COPY_CHUNK = 1 << 20

# Conservative subsets of the Turtle grammar: what does not match is written in full, never wrong.
_LOCAL_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
_RELATIVE = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9_~.-]*(?:/[A-Za-z0-9_~-][A-Za-z0-9_~.-]*)*")
_NUMBER_SYNTAX = {
    _XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    _XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    _XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
    _XSD + "boolean": re.compile(r"true|false"),
}
_IRI_ESCAPES = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_SHORT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_SHORT_UNSAFE = re.compile(r'[\\"\n\r\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')
_LONG_UNSAFE = re.compile(r'[\\"\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')


def write_turtle(
    quads: Iterable[ox.Quad], prefixes: Mapping[str, str], base: str | None = None
) -> bytes:
    """The triples of `quads` (each once, whatever its graphs) as Turtle."""
    rows = [(q.subject, q.predicate, q.object, q.graph_name) for q in quads]
    if not all(type(row[3]) is ox.DefaultGraph for row in rows):
        default = ox.DefaultGraph()
        rows = list({(subject, predicate, value, default) for subject, predicate, value, _ in rows})
    return _Writer(_checked(rows), prefixes, base).document()


def write_trig(
    quads: Iterable[ox.Quad], prefixes: Mapping[str, str], base: str | None = None
) -> bytes:
    """`quads` as TriG: the default graph's triples first, then one block per named graph."""
    rows = [(q.subject, q.predicate, q.object, q.graph_name) for q in quads]
    return _Writer(_checked(rows), prefixes, base).document()


def write_graphs(
    graphs: Iterable[tuple[GraphName, Iterable[tuple[Subject, Iterable[TermTuple]]]]],
    blank_rows: Sequence[Row],
    prefixes: Mapping[str, str],
    base: str | None,
    out: IO[bytes],
) -> None:
    """What `write_trig` (one default graph: `write_turtle`) writes, written to `out` as it goes:
    the graphs are given in the order of `term_key`, each subject by subject in that order (with
    its triples in that graph), and the quads with a blank node beside (labelled canonically;
    also among their subjects' triples). Only the blank nodes' statements are held; the body is
    spooled to a temporary file, since the prefixes it uses go before it."""
    writer = _Writer(_checked(blank_rows), prefixes, base)
    blocks = 0
    with tempfile.TemporaryFile() as body:
        for name, subjects in graphs:
            statements = writer.graphs[name]
            named = not isinstance(name, ox.DefaultGraph)
            margin = _INDENT if named else ""
            opened = False
            for subject, triples in subjects:
                if subject in writer.inline:
                    continue
                blank = isinstance(subject, ox.BlankNode)
                if not blank:
                    entry: dict[ox.NamedNode, set[Term]] = defaultdict(set)
                    for _, predicate, value, _ in _checked(
                        [(subject, *t[1:], name) for t in triples]
                    ):
                        entry[predicate].add(value)
                    statements[subject] = entry
                text = "\n".join(writer._statements(statements, subject, margin)) + " .\n"
                if opened:
                    text = "\n" + text
                else:
                    opened = True
                    text = ("\n" if blocks else "") + (
                        f"{writer._term(name)} {{\n{text}" if named else text
                    )
                body.write(text.encode("utf-8"))
                if not blank:
                    del statements[subject]
                if len(writer.terms) > _MAX_REMEMBERED:
                    writer.forget_terms()
            if opened:
                body.write(b"}\n" if named else b"")
                blocks += 1
        head = writer.head()
        out.write((head + ("\n" if head and blocks else "")).encode("utf-8"))
        body.seek(0)
        shutil.copyfileobj(body, out, _COPY_CHUNK)


def term_key(term: Term | GraphName | ox.Triple) -> tuple[int, str, str, str]:
    """The order terms are written in: IRIs, blank nodes, literals; each by value (the default
    graph and RDF 1.2 triple terms, which the Turtle writer refuses, first)."""
    if isinstance(term, ox.NamedNode):
        return 0, term.value, "", ""
    if isinstance(term, ox.BlankNode):
        return 1, term.value, "", ""
    if isinstance(term, ox.Literal):
        return 2, term.value, term.datatype.value, term.language or ""
    return -1, "", "", ""  # the default graph comes first


def predicate_key(predicate: ox.NamedNode) -> tuple[bool, str]:
    """`rdf:type` first, then by IRI."""
    return predicate.value != RDF_TYPE, predicate.value


class _Writer:
    """Renders one document; remembers which prefixes and whether the base were used."""

    def __init__(self, rows: list[Row], prefixes: Mapping[str, str], base: str | None):
        self.prefixes = sorted(prefixes.items(), key=lambda item: (-len(item[1]), item[0]))
        self.base = base
        self.used_prefixes: set[str] = set()
        self.used_base = False
        # A term is written the same way wherever it occurs: render each once (IRIs also by value,
        # for datatypes). Reading a term's parts from Oxigraph makes new objects, so these save
        # more than the rendering (with not sorting single objects: 7.5 s -> 6.7 s at 10^6).
        self.terms: dict[Term | GraphName, str] = {}
        self.iris: dict[str, str] = {}
        self.verbs: dict[ox.NamedNode, str] = {}
        graphs: dict[GraphName, Statements] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(set))
        )
        for subject, predicate, value, graph in rows:
            graphs[graph][subject][predicate].add(value)
        self.graphs = graphs
        self.inline = _inlinable(rows)

    def document(self) -> bytes:
        """The whole document: base and prefixes, then the graphs."""
        blocks: list[str] = []
        for name in sorted(self.graphs, key=term_key):
            if isinstance(name, ox.DefaultGraph):
                blocks.append(self._graph(self.graphs[name], ""))
            else:
                body = self._graph(self.graphs[name], _INDENT)
                blocks.append(f"{self._term(name)} {{\n{body}}}\n")
        head = self.head()
        text = head + ("\n" if head and blocks else "") + "\n".join(blocks)
        return text.encode("utf-8")

    def head(self) -> str:
        """The `@base` and `@prefix` lines of what has been written so far."""
        head = [f"@base <{_escape_iri(self.base)}> .\n"] if self.used_base and self.base else []
        head += [
            f"@prefix {prefix}: <{_escape_iri(namespace)}> .\n"
            for prefix, namespace in sorted(self.prefixes)
            if prefix in self.used_prefixes
        ]
        return "".join(head)

    def forget_terms(self) -> None:
        """Drop the rendered terms (a stream meets most terms once: kept, they would fill the
        memory); what the head needs stays."""
        self.terms.clear()
        self.iris.clear()

    def _graph(self, subjects: Statements, margin: str) -> str:
        """The subject blocks of one graph, separated by blank lines, each line after `margin`."""
        roots = sorted((s for s in subjects if s not in self.inline), key=term_key)
        return "\n".join(
            "\n".join(self._statements(subjects, subject, margin)) + " .\n" for subject in roots
        )

    def _statements(self, subjects: Statements, subject: Subject, margin: str) -> list[str]:
        """`subject` and its predicate-object lists, the first on the subject's line.

        Each returned line starts with `margin`; a line may hold further lines of a long literal or
        of a blank node written in place, which must not be indented again.
        """
        lines: list[str] = []
        indent = margin + _INDENT
        for index, (predicate, objects) in enumerate(_sorted_predicates(subjects, subject)):
            verb = self._verb(predicate)
            rendered = [self._object(subjects, value, indent) for value in objects]
            if index > 0:
                lines[-1] += " ;"
            first = f"{margin}{self._term(subject)} {verb}" if index == 0 else f"{indent}{verb}"
            one_line = f"{first} {' , '.join(rendered)}"
            if len(one_line) <= _WIDTH and "\n" not in one_line:  # `first` holds no line break
                lines.append(one_line)
                continue
            lines.append(f"{first} {rendered[0]}")
            for previous, value in pairwise(rendered):
                if previous.endswith("]") and value.startswith("["):
                    lines[-1] += f" , {value}"  # blank nodes in place follow each other: `] , [`
                else:
                    lines[-1] += " ,"
                    lines.append(f"{indent}{_INDENT}{value}")
        return lines

    def _object(self, subjects: Statements, value: Term, margin: str) -> str:
        """An object: a term, or a blank node written in place as `[ ... ]` (lines after `margin`)."""
        if not (isinstance(value, ox.BlankNode) and value in self.inline):
            return self._term(value)
        if not subjects.get(value):
            return "[]"
        indent = margin + _INDENT
        lines: list[str] = []
        for index, (predicate, objects) in enumerate(_sorted_predicates(subjects, value)):
            rendered = [self._object(subjects, o, indent) for o in objects]
            if index > 0:
                lines[-1] += " ;"
            lines.append(f"{indent}{self._verb(predicate)} {' , '.join(rendered)}")
        if len(lines) == 1 and "\n" not in lines[0] and len(lines[0]) <= _WIDTH // 2:
            return f"[ {lines[0].strip()} ]"
        return "[\n" + "\n".join(lines) + f"\n{margin}]"

    def _verb(self, predicate: ox.NamedNode) -> str:
        """`a` for rdf:type, else the predicate."""
        verb = self.verbs.get(predicate)
        if verb is None:
            verb = self.verbs[predicate] = (
                "a" if predicate.value == RDF_TYPE else self._term(predicate)
            )
        return verb

    def _term(self, term: Term | GraphName) -> str:
        """A term in Turtle syntax, as short as the grammar safely allows."""
        written = self.terms.get(term)
        if written is None:
            written = self.terms[term] = self._new_term(term)
        return written

    def _new_term(self, term: Term | GraphName) -> str:
        """`_term` for a term not written before."""
        if isinstance(term, ox.NamedNode):
            return self._iri(term.value)
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        if isinstance(term, ox.Literal):
            return self._literal(term)
        raise TypeError(f"not a term: {term!r}")

    def _iri(self, iri: str) -> str:
        """A relative IRI under the base, a prefixed name, or the full IRI."""
        written = self.iris.get(iri)
        if written is None:
            written = self.iris[iri] = self._new_iri(iri)
        return written

    def _new_iri(self, iri: str) -> str:
        """`_iri` for an IRI not written before (it records the prefix or base used)."""
        if self.base and iri.startswith(self.base) and _RELATIVE.fullmatch(iri[len(self.base) :]):
            rest = iri[len(self.base) :]
            if not any(segment in (".", "..") for segment in rest.split("/")):
                self.used_base = True
                return f"<{_escape_iri(rest)}>"
        for prefix, namespace in self.prefixes:
            if iri.startswith(namespace) and _LOCAL_NAME.fullmatch(iri[len(namespace) :]):
                self.used_prefixes.add(prefix)
                return f"{prefix}:{iri[len(namespace) :]}"
        return f"<{_escape_iri(iri)}>"

    def _literal(self, literal: ox.Literal) -> str:
        """A literal: a bare number or boolean where Turtle reads it back the same, else quoted."""
        value, datatype = literal.value, literal.datatype.value
        syntax = _NUMBER_SYNTAX.get(datatype)
        if syntax and syntax.fullmatch(value):
            return value
        quoted = _quote(value)
        if literal.language:
            return f"{quoted}@{literal.language}"
        if datatype == _XSD + "string":
            return quoted
        return f"{quoted}^^{self._iri(datatype)}"


def _sorted_predicates(
    subjects: Statements, subject: Subject
) -> list[tuple[ox.NamedNode, list[Term]]]:
    """The predicates of `subject` (`rdf:type` first) with their sorted objects."""
    return [
        (predicate, sorted(objects, key=term_key) if len(objects) > 1 else list(objects))
        for predicate, objects in sorted(
            subjects.get(subject, {}).items(), key=lambda item: predicate_key(item[0])
        )
    ]


def _inlinable(rows: list[Row]) -> set[ox.BlankNode]:
    """Blank nodes written in place: the object of exactly one triple, described in that graph only,
    and reachable from a node written at the top (so that cycles of blank nodes still appear)."""
    references: dict[ox.BlankNode, list[GraphName]] = defaultdict(list)
    described_in: dict[ox.BlankNode, set[GraphName]] = defaultdict(set)
    pinned: set[ox.BlankNode] = set()
    for subject, _, value, graph in rows:
        if isinstance(value, ox.BlankNode):
            references[value].append(graph)
        if isinstance(subject, ox.BlankNode):
            described_in[subject].add(graph)
        if isinstance(graph, ox.BlankNode):
            pinned.add(graph)
    candidates = {
        node
        for node, refs in references.items()
        if len(refs) == 1 and node not in pinned and described_in[node] <= {refs[0]}
    }
    children: dict[Subject, list[ox.BlankNode]] = defaultdict(list)
    for subject, _, value, _ in rows:
        if isinstance(value, ox.BlankNode) and value in candidates:
            children[subject].append(value)
    reached: set[ox.BlankNode] = set()

    def visit(node: Subject) -> None:
        stack = [node]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in reached:
                    reached.add(child)
                    stack.append(child)

    for subject in {row[0] for row in rows}:
        if subject not in candidates:
            visit(subject)
    # A cycle of blank nodes has no root: write its smallest member at the top, then retry.
    for node in sorted(candidates, key=term_key):
        if node not in reached and node in described_in:
            candidates.discard(node)
            reached.add(node)
            visit(node)
    return candidates


def _checked(rows: Sequence[tuple[object, ox.NamedNode, object, GraphName]]) -> list[Row]:
    """The terms of the quads (each read once from Oxigraph, which makes a new object per read);
    `ValueError` for an RDF 1.2 triple term, which Turtle 1.1 cannot hold."""
    for subject, predicate, value, graph in rows:
        if type(subject) is ox.Triple or type(value) is ox.Triple:
            quad = ox.Quad(subject, predicate, value, graph)  # type: ignore[arg-type]
            raise ValueError(f"cannot write the triple term in {quad} in Turtle 1.1")
    return rows  # type: ignore[return-value]


def _quote(text: str) -> str:
    """A Turtle string: short form, or long form (\"\"\"...\"\"\") when it holds line breaks."""
    if "\n" in text:
        return '"""' + _LONG_UNSAFE.sub(_escape_char, text) + '"""'
    return '"' + _SHORT_UNSAFE.sub(_escape_char, text) + '"'


def _escape_char(match: re.Match[str]) -> str:
    """The Turtle escape of one character."""
    char = match.group()
    return _SHORT_ESCAPES.get(char) or f"\\u{ord(char):04X}"


def _escape_iri(iri: str) -> str:
    """An IRI with the characters IRIREF forbids written as \\u escapes."""
    return _IRI_ESCAPES.sub(lambda m: f"\\u{ord(m.group()):04X}", iri)
