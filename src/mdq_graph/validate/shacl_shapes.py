"""Reads SHACL shapes into what `mdq_graph.validate.shacl_engine` evaluates, refusing what it does not know.

A shapes graph becomes a tree of `Shape`s: targets, a predicate path, the parameters of the
constraint components the engine evaluates, nested shapes (sh:property, sh:or, sh:qualifiedValueShape)
and SHACL-SPARQL constraints with their prefixes. Anything else (another constraint component, a path
that is not a predicate, a SPARQL query that does not select `$this`, a parameter of the wrong kind)
raises `UnsupportedShapes`, so that validation hands the shapes to pySHACL instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from mdq_graph.graph.namespaces import RDF, RDFS

#: What a shape may say besides its constraints: targets, messages, severity, documentation.
_SHAPE_TERMS = {
    RDF.type,
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
SELECT_HEAD = re.compile(r"\bSELECT\b(?P<projection>[^{]*?)\bWHERE\s*\{", re.I | re.S)
_THIS = re.compile(r"[?$]this\b")


class UnsupportedShapes(Exception):
    """The shapes use a part of SHACL this engine does not evaluate (pySHACL must run them)."""


@dataclass
class SparqlConstraint:
    node: Node
    query: str  # the SELECT with its prefixes; `$this` still free
    messages: list[Literal]


@dataclass
class Shape:
    node: Node
    path: str | None
    severity: URIRef
    messages: list[Literal]
    deactivated: bool
    targets: list[tuple[URIRef, Node]] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    constraints: dict[URIRef, list[Node]] = field(default_factory=dict)
    alternatives: list[Shape] = field(default_factory=list)  # sh:or
    qualified: Shape | None = None
    sparql: list[SparqlConstraint] = field(default_factory=list)

    @property
    def path_iri(self) -> URIRef | None:
        return URIRef(self.path) if self.path is not None else None


class _Reader:
    """Reads the shapes of one shapes graph, each once."""

    def __init__(self, shapes: Graph) -> None:
        self._graph = shapes
        self._compiled: dict[Node, Shape] = {}
        self._prefixes: dict[Node, str] = {}
        roots = {
            s
            for p in (
                SH.targetClass,
                SH.targetSubjectsOf,
                SH.targetObjectsOf,
                SH.targetNode,
                SH.target,
            )
            for s in shapes.subjects(p, None)
        }
        _refuse_unknown_terms(shapes)
        for cls in (RDFS.Class, URIRef("http://www.w3.org/2002/07/owl#Class")):
            for node in shapes.subjects(RDF.type, cls):
                if _is_shape(shapes, node):
                    raise UnsupportedShapes(
                        f"an implicit class target: {node} is a shape and a class"
                    )
        self.roots: list[Shape] = [self._shape(node) for node in sorted(roots, key=str)]
        # Every other shape is checked too: one that nothing reaches cannot hide an unknown term.
        for node in set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
            shapes.subjects(RDF.type, SH.PropertyShape)
        ):
            self._shape(node)

    def _shape(self, node: Node) -> Shape:
        known = self._compiled.get(node)
        if known is not None:
            return known
        g = self._graph
        for predicate in set(g.predicates(node, None)):
            if str(predicate).startswith(str(SH)) and predicate not in (
                _SHAPE_TERMS | _CONSTRAINT_TERMS
            ):
                raise UnsupportedShapes(f"{predicate} on the shape {node}")
        path = g.value(node, SH.path)
        if path is not None and not isinstance(path, URIRef):
            raise UnsupportedShapes(f"a path that is not a predicate, on the shape {node}")
        shape = Shape(
            node,
            str(path) if path is not None else None,
            _iri(g.value(node, SH.severity)) or SH.Violation,
            [m for m in g.objects(node, SH.message) if isinstance(m, Literal)],
            any(
                d.toPython() is True
                for d in g.objects(node, SH.deactivated)
                if isinstance(d, Literal)
            ),
        )
        self._compiled[node] = shape
        for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode):
            shape.targets += [(p, o) for o in g.objects(node, p)]
        for target in g.objects(node, SH.target):
            if (target, RDF.type, SH.SPARQLTarget) not in g:
                raise UnsupportedShapes(f"a target that is not a sh:SPARQLTarget, on {node}")
            shape.targets.append((SH.target, Literal(self._query(target))))
        for p in _CONSTRAINT_TERMS - {SH.sparql, SH["or"], SH.qualifiedValueShape}:
            values = list(g.objects(node, p))
            if values:
                shape.constraints[p] = values
        for p in _INTEGER_PARAMETERS:
            for value in shape.constraints.get(p, []):
                if not (isinstance(value, Literal) and isinstance(value.toPython(), int)):
                    raise UnsupportedShapes(f"{p} {value!r} is not an integer, on {node}")
        for kind in shape.constraints.get(SH.nodeKind, []):
            if kind not in NODE_KINDS:
                raise UnsupportedShapes(f"the node kind {kind}, on {node}")
        for p in _SINGLE_VALUED:  # SHACL allows one value (pySHACL says what is wrong)
            if len(shape.constraints.get(p, [])) > 1:
                raise UnsupportedShapes(f"several {p} on {node}")
        for pattern in shape.constraints.get(SH.pattern, []):
            try:  # Python's and XPath's regular expressions agree on what our shapes write
                re.compile(str(pattern), regex_flags(shape.constraints.get(SH.flags, [])))
            except re.error as err:
                raise UnsupportedShapes(f"the pattern {pattern!r}: {err}") from None
        for alternatives in g.objects(node, SH["or"]):
            if shape.alternatives:
                raise UnsupportedShapes(f"several sh:or on {node}")
            shape.alternatives = [self._shape(s) for s in Collection(g, alternatives)]
            if not shape.alternatives:
                raise UnsupportedShapes(f"an empty sh:or on {node}")
        qualified = list(g.objects(node, SH.qualifiedValueShape))
        if len(qualified) > 1 or (qualified and path is None):
            raise UnsupportedShapes(f"sh:qualifiedValueShape on {node}")
        if qualified:
            shape.qualified = self._shape(qualified[0])
        for constraint in g.objects(node, SH.sparql):
            if any(o.toPython() is True for o in g.objects(constraint, SH.deactivated)):  # type: ignore[attr-defined]
                continue
            messages = [m for m in g.objects(constraint, SH.message) if isinstance(m, Literal)]
            shape.sparql.append(
                SparqlConstraint(constraint, self._query(constraint, path), messages)
            )
        shape.properties = [self._shape(p) for p in g.objects(node, SH.property)]
        return shape

    def _query(self, node: Node, path: Node | None = None) -> str:
        """The SELECT query of a SPARQL constraint or target, with the prefixes it declares."""
        select = self._graph.value(node, SH.select)
        if select is None:
            raise UnsupportedShapes(f"a SPARQL constraint or target without sh:select: {node}")
        text = str(select)
        if "$PATH" in text:
            if path is None:
                raise UnsupportedShapes(f"$PATH in a node shape's constraint {node}")
            text = text.replace("$PATH", f"<{path}>")
        if re.search(r"\$(shapesGraph|currentShape)\b", text):
            raise UnsupportedShapes(f"$shapesGraph or $currentShape in {node}")
        head = SELECT_HEAD.search(text)
        if head is None or not (
            _THIS.search(head["projection"]) or head["projection"].strip() == "*"
        ):
            raise UnsupportedShapes(f"a SPARQL query that does not select $this: {node}")
        return self._prefix_lines(node) + text

    def _prefix_lines(self, node: Node) -> str:
        lines = []
        for declarations in self._graph.objects(node, SH.prefixes):
            for declare in self._graph.objects(declarations, SH.declare):
                prefix = self._graph.value(declare, SH.prefix)
                namespace = self._graph.value(declare, SH.namespace)
                lines.append(f"PREFIX {prefix}: <{namespace}>\n")
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


def _refuse_unknown_terms(shapes: Graph) -> None:
    """`UnsupportedShapes` for any SHACL term the engine does not know, anywhere in the graph: a
    SPARQL-based constraint component (sh:ConstraintComponent, sh:parameter, sh:validator, ...),
    a function, a rule, a custom target type, SHACL-JS; each of them changes what validation does."""
    known = _SHAPE_TERMS | _CONSTRAINT_TERMS | _SPARQL_TERMS
    for predicate in set(shapes.predicates()):
        if str(predicate).startswith(str(SH)) and predicate not in known:
            raise UnsupportedShapes(f"{predicate} in the shapes graph")
    for kind in set(shapes.objects(None, RDF.type)):
        if str(kind).startswith(str(SH)) and kind not in _KNOWN_TYPES:
            raise UnsupportedShapes(f"a {kind} in the shapes graph")


def _is_shape(shapes: Graph, node: Node) -> bool:
    """Whether `node` is a shape: typed as one, or the subject of a SHACL term."""
    types = set(shapes.objects(node, RDF.type))
    return bool(types & {SH.Shape, SH.NodeShape, SH.PropertyShape}) or any(
        str(p).startswith(str(SH)) for p in shapes.predicates(node, None)
    )


def read_shapes(shapes: Graph) -> list[Shape]:
    """The shapes of `shapes` that have targets, with the shapes they refer to; `UnsupportedShapes`
    when a shape uses what the engine does not evaluate."""
    return _Reader(shapes).roots


def with_values(query: str, values: str) -> str:
    """`query` with `VALUES ?this { values }` at the head of its WHERE clause."""
    head = SELECT_HEAD.search(query)
    if head is None:
        raise UnsupportedShapes("a SPARQL query without SELECT ... WHERE")
    return f"{query[: head.end()]} VALUES ?this {{ {values} }} {query[head.end() :]}"


def integers(constraints: dict[URIRef, list[Node]], parameter: URIRef) -> list[int]:
    """The values of an integer parameter (checked to be integers when the shapes were read)."""
    return [int(v.toPython()) for v in constraints.get(parameter, []) if isinstance(v, Literal)]


def _iri(node: Node | None) -> URIRef | None:
    return node if isinstance(node, URIRef) else None


def regex_flags(flags: list[Node]) -> int:
    """Python's regular-expression flags for SPARQL's (sh:flags): i, m, s, x."""
    known = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
    value = 0
    for letter in "".join(str(f) for f in flags):
        if letter not in known:
            raise UnsupportedShapes(f"the regular-expression flag {letter!r}")
        value |= known[letter]
    return value
