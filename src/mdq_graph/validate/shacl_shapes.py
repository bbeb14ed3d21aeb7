"""Reads SHACL shapes into what `mdq_graph.validate.shacl_engine` evaluates, refusing what it does not know.

A shapes graph becomes a tree of `Shape`s: targets, a predicate path, the parameters of the
constraint components the engine evaluates, nested shapes (sh:property, sh:or, sh:qualifiedValueShape)
and SHACL-SPARQL constraints with their prefixes. Anything else (another constraint component, a path
that is not a predicate, a SPARQL query that does not select `$this`, a parameter of the wrong kind)
raises `UnsupportedShapes`, so that validation hands the shapes to pySHACL instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from mdq_graph.graph.loader import OxTerm
from mdq_graph.graph.namespaces import RDFS, XSD
from mdq_graph.validate.indexed import RDF_TYPE as _RDF_TYPE
from mdq_graph.validate.indexed import SH, IndexedGraph

_INTEGER_TYPES = frozenset(
    str(XSD[name])
    for name in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "negativeInteger", "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort",
        "unsignedByte",
    )
)  # fmt: skip
_INTEGER = re.compile(r"\s*[+-]?[0-9]+\s*")

#: What a shape may say besides its constraints: targets, messages, severity, documentation.
_SHAPE_TERMS = {
    _RDF_TYPE,
    SH.path,
    SH.targetClass,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.targetNode,
    SH.target,
    SH.message,
    SH.severity,
    SH.deactivated,
    SH.property,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
}
#: The constraint parameters this engine evaluates.
_CONSTRAINT_TERMS = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.minCount,
    SH.maxCount,
    SH.minInclusive,
    SH.minLength,
    SH.pattern,
    SH.flags,
    SH.uniqueLang,
    SH["or"],
    SH.qualifiedValueShape,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.sparql,
}
_INTEGER_PARAMETERS = (
    SH.minCount,
    SH.maxCount,
    SH.minLength,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
)
#: The parameters a shape may have one value of (SHACL 4).
_SINGLE_VALUED = (
    SH.datatype,
    SH.nodeKind,
    SH.minCount,
    SH.maxCount,
    SH.minInclusive,
    SH.minLength,
    SH.pattern,
    SH.flags,
    SH.uniqueLang,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
)
#: The node kinds of sh:nodeKind.
NODE_KINDS = {
    SH.IRI,
    SH.BlankNode,
    SH.Literal,
    SH.BlankNodeOrIRI,
    SH.BlankNodeOrLiteral,
    SH.IRIOrLiteral,
}
_TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)
SELECT_HEAD = re.compile(r"\bSELECT\b(?P<projection>[^{]*?)\bWHERE\s*\{", re.I | re.S)
_THIS = re.compile(r"[?$]this\b")


class UnsupportedShapes(Exception):
    """The shapes use a part of SHACL this engine does not evaluate (pySHACL must run them)."""


@dataclass
class SparqlConstraint:
    node: OxTerm
    query: str  # the SELECT with its prefixes; `$this` still free
    messages: list[ox.Literal]


@dataclass
class Shape:
    node: OxTerm
    path: str | None
    severity: ox.NamedNode
    messages: list[ox.Literal]
    deactivated: bool
    targets: list[tuple[ox.NamedNode, OxTerm | str]] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    constraints: dict[ox.NamedNode, list[OxTerm]] = field(default_factory=dict)
    alternatives: list[Shape] = field(default_factory=list)  # sh:or
    qualified: Shape | None = None
    sparql: list[SparqlConstraint] = field(default_factory=list)

    @property
    def path_iri(self) -> ox.NamedNode | None:
        return ox.NamedNode(self.path) if self.path is not None else None


class _Reader:
    """Reads the shapes of one shapes graph, each once."""

    def __init__(self, shapes: IndexedGraph) -> None:
        self._graph = shapes
        self._compiled: dict[OxTerm, Shape] = {}
        roots = {s for p in _TARGETS for s in shapes.subjects(p)}
        _refuse_unknown_terms(shapes)
        for cls in (
            ox.NamedNode(str(RDFS.Class)),
            ox.NamedNode("http://www.w3.org/2002/07/owl#Class"),
        ):
            for node in shapes.subjects(_RDF_TYPE, cls):
                if _is_shape(shapes, node):
                    raise UnsupportedShapes(
                        f"an implicit class target: {node} is a shape and a class"
                    )
        self.roots: list[Shape] = [self._shape(node) for node in sorted(roots, key=_order)]
        # Every other shape is checked too: one that nothing reaches cannot hide an unknown term.
        for kind in (SH.NodeShape, SH.PropertyShape):
            for node in shapes.subjects(_RDF_TYPE, kind):
                self._shape(node)

    def _shape(self, node: OxTerm) -> Shape:
        known = self._compiled.get(node)
        if known is not None:
            return known
        g = self._graph
        for predicate in g.predicates(node):
            if predicate in SH and predicate not in (_SHAPE_TERMS | _CONSTRAINT_TERMS):
                raise UnsupportedShapes(f"{predicate.value} on the shape {_shown(node)}")
        path = g.value(node, SH.path)
        if path is not None and not isinstance(path, ox.NamedNode):
            raise UnsupportedShapes(f"a path that is not a predicate, on the shape {_shown(node)}")
        severity = g.value(node, SH.severity)
        shape = Shape(
            node,
            path.value if path is not None else None,
            severity if isinstance(severity, ox.NamedNode) else SH.Violation,
            [m for m in g.objects(node, SH.message) if isinstance(m, ox.Literal)],
            any(is_true(d) for d in g.objects(node, SH.deactivated)),
        )
        self._compiled[node] = shape
        for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode):
            shape.targets += [(p, o) for o in g.objects(node, p)]
        for target in g.objects(node, SH.target):
            if SH.SPARQLTarget not in g.objects(target, _RDF_TYPE):
                raise UnsupportedShapes(
                    f"a target that is not a sh:SPARQLTarget, on {_shown(node)}"
                )
            shape.targets.append((SH.target, self._query(target)))
        for p in _CONSTRAINT_TERMS - {SH.sparql, SH["or"], SH.qualifiedValueShape}:
            values = g.objects(node, p)
            if values:
                shape.constraints[p] = values
        for p in _INTEGER_PARAMETERS:
            for value in shape.constraints.get(p, []):
                if integer(value) is None:
                    raise UnsupportedShapes(
                        f"{p.value} {value} is not an integer, on {_shown(node)}"
                    )
        for kind in shape.constraints.get(SH.nodeKind, []):
            if kind not in NODE_KINDS:
                raise UnsupportedShapes(f"the node kind {_text(kind)}, on {_shown(node)}")
        for p in _SINGLE_VALUED:  # SHACL allows one value (pySHACL says what is wrong)
            if len(shape.constraints.get(p, [])) > 1:
                raise UnsupportedShapes(f"several {p.value} on {_shown(node)}")
        for pattern in shape.constraints.get(SH.pattern, []):
            try:  # Python's and XPath's regular expressions agree on what our shapes write
                re.compile(_text(pattern), regex_flags(shape.constraints.get(SH.flags, [])))
            except re.error as err:
                raise UnsupportedShapes(f"the pattern {_text(pattern)!r}: {err}") from None
        for alternatives in g.objects(node, SH["or"]):
            if shape.alternatives:
                raise UnsupportedShapes(f"several sh:or on {_shown(node)}")
            shape.alternatives = [self._shape(s) for s in g.items(alternatives)]
            if not shape.alternatives:
                raise UnsupportedShapes(f"an empty sh:or on {_shown(node)}")
        qualified = g.objects(node, SH.qualifiedValueShape)
        if len(qualified) > 1 or (qualified and path is None):
            raise UnsupportedShapes(f"sh:qualifiedValueShape on {_shown(node)}")
        if qualified:
            shape.qualified = self._shape(qualified[0])
        for constraint in g.objects(node, SH.sparql):
            if any(is_true(d) for d in g.objects(constraint, SH.deactivated)):
                continue
            messages = [m for m in g.objects(constraint, SH.message) if isinstance(m, ox.Literal)]
            shape.sparql.append(
                SparqlConstraint(constraint, self._query(constraint, path), messages)
            )
        shape.properties = [self._shape(p) for p in g.objects(node, SH.property)]
        return shape

    def _query(self, node: OxTerm, path: ox.NamedNode | None = None) -> str:
        """The SELECT query of a SPARQL constraint or target, with the prefixes it declares."""
        select = self._graph.value(node, SH.select)
        if select is None:
            raise UnsupportedShapes(
                f"a SPARQL constraint or target without sh:select: {_shown(node)}"
            )
        text = _text(select)
        if "$PATH" in text:
            if path is None:
                raise UnsupportedShapes(f"$PATH in a node shape's constraint {_shown(node)}")
            text = text.replace("$PATH", str(path))
        if re.search(r"\$(shapesGraph|currentShape)\b", text):
            raise UnsupportedShapes(f"$shapesGraph or $currentShape in {_shown(node)}")
        head = SELECT_HEAD.search(text)
        if head is None or not (
            _THIS.search(head["projection"]) or head["projection"].strip() == "*"
        ):
            raise UnsupportedShapes(f"a SPARQL query that does not select $this: {_shown(node)}")
        return self._prefix_lines(node) + text

    def _prefix_lines(self, node: OxTerm) -> str:
        g = self._graph
        lines = []
        for declarations in g.objects(node, SH.prefixes):
            for declare in g.objects(declarations, SH.declare):
                prefix, namespace = g.value(declare, SH.prefix), g.value(declare, SH.namespace)
                if prefix is not None and namespace is not None:
                    lines.append(f"PREFIX {_text(prefix)}: <{_text(namespace)}>\n")
        return "".join(sorted(set(lines)))


#: The SHACL terms a shapes graph may use besides those of the shapes: SPARQL constraints and
#: targets, their prefixes, and groups of properties (documentation).
_SPARQL_TERMS = {SH.select, SH.prefixes, SH.declare, SH.prefix, SH.namespace}
_KNOWN_TYPES = {
    SH.Shape,
    SH.NodeShape,
    SH.PropertyShape,
    SH.SPARQLConstraint,
    SH.SPARQLTarget,
    SH.PrefixDeclaration,
    SH.PropertyGroup,
}


def _refuse_unknown_terms(shapes: IndexedGraph) -> None:
    """`UnsupportedShapes` for any SHACL term the engine does not know, anywhere in the graph: a
    SPARQL-based constraint component (sh:ConstraintComponent, sh:parameter, sh:validator, ...),
    a function, a rule, a custom target type, SHACL-JS; each of them changes what validation does."""
    known = _SHAPE_TERMS | _CONSTRAINT_TERMS | _SPARQL_TERMS
    for predicate in sorted(shapes.predicates(), key=_order):
        if predicate in SH and predicate not in known:
            raise UnsupportedShapes(f"{predicate.value} in the shapes graph")
    for kind in sorted(shapes.objects(None, _RDF_TYPE), key=_order):
        if kind in SH and kind not in _KNOWN_TYPES:
            raise UnsupportedShapes(f"a {_text(kind)} in the shapes graph")


def _is_shape(shapes: IndexedGraph, node: OxTerm) -> bool:
    """Whether `node` is a shape: typed as one, or the subject of a SHACL term."""
    types = set(shapes.objects(node, _RDF_TYPE))
    return bool(types & {SH.Shape, SH.NodeShape, SH.PropertyShape}) or any(
        p in SH for p in shapes.predicates(node)
    )


def read_shapes(shapes: IndexedGraph) -> list[Shape]:
    """The shapes of `shapes` that have targets, with the shapes they refer to; `UnsupportedShapes`
    when a shape uses what the engine does not evaluate."""
    return _Reader(shapes).roots


def every_shape(roots: list[Shape]) -> Iterator[Shape]:
    """The shapes `roots` and every shape they refer to, each once."""
    seen: set[int] = set()
    pending = list(roots)
    while pending:
        shape = pending.pop()
        if id(shape) not in seen:
            seen.add(id(shape))
            yield shape
            pending += [*shape.properties, *shape.alternatives]
            pending += [shape.qualified] if shape.qualified is not None else []


def with_values(query: str, values: str) -> str:
    """`query` with `VALUES ?this { values }` at the head of its WHERE clause."""
    head = SELECT_HEAD.search(query)
    if head is None:
        raise UnsupportedShapes("a SPARQL query without SELECT ... WHERE")
    return f"{query[: head.end()]} VALUES ?this {{ {values} }} {query[head.end() :]}"


def integer(term: OxTerm) -> int | None:
    """The value of an integer literal (of xsd:integer or a type derived from it), else None."""
    if (
        isinstance(term, ox.Literal)
        and term.datatype.value in _INTEGER_TYPES
        and _INTEGER.fullmatch(term.value)
    ):
        return int(term.value)
    return None


def integers(constraints: dict[ox.NamedNode, list[OxTerm]], parameter: ox.NamedNode) -> list[int]:
    """The values of an integer parameter (checked to be integers when the shapes were read)."""
    return [n for n in map(integer, constraints.get(parameter, [])) if n is not None]


def is_true(term: OxTerm) -> bool:
    """Whether `term` is the xsd:boolean true."""
    return (
        isinstance(term, ox.Literal)
        and term.datatype.value == str(XSD.boolean)
        and term.value.strip() in ("true", "1")
    )


def regex_flags(flags: list[OxTerm]) -> int:
    """Python's regular-expression flags for SPARQL's (sh:flags): i, m, s, x."""
    known = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
    value = 0
    for letter in "".join(_text(f) for f in flags):
        if letter not in known:
            raise UnsupportedShapes(f"the regular-expression flag {letter!r}")
        value |= known[letter]
    return value


def _text(term: OxTerm) -> str:
    """A term's lexical form or IRI (a blank node's label)."""
    return term.value


def _shown(node: OxTerm) -> str:
    """A shape as a message names it: its IRI, or the blank node's label."""
    return node.value


def _order(term: OxTerm) -> str:
    """A sort key that puts terms in a stable order."""
    return term.value
