"""Runs SHACL shapes over a whole pyoxigraph store at once, instead of node by node.

pySHACL checks each focus node on its own, through rdflib, and runs a SHACL-SPARQL constraint once
per focus node: fine for one press release, hours at a million triples. This engine checks the same
shapes set-at-a-time: the focus nodes of a shape come from one lookup per target, the values of a
property shape from one scan of its predicate (shared by every shape on that predicate), and a
SPARQL constraint runs once, its `$this` bound to every focus node by a VALUES block at the head of
its WHERE clause. Its report is SHACL's, as pySHACL writes it: the same results (focus node, path,
value, shape, constraint component, severity, messages filled in as pySHACL fills them), which the
tests check on fixtures, the bundled graph, a synthetic corpus and random graphs.

It implements, to the letter of SHACL 1.0 and SHACL-SPARQL: targets (class, subjects of, objects
of, node, SPARQL), predicate paths, node and property shapes, property shapes nested in property
shapes (checked on the parent's value nodes), and the constraint components sh:class, sh:datatype,
sh:nodeKind, sh:minCount, sh:maxCount, sh:minInclusive, sh:minLength, sh:pattern, sh:uniqueLang,
sh:or, sh:qualifiedValueShape and sh:sparql. Literals are checked and reported as the files state
them (the store's own forms are mapped back: `Populated.held_literals`), so an ill-typed literal
fails sh:datatype and sh:minInclusive and a value reads as the user wrote it.

It refuses (`UnsupportedShapes`, and validation hands the shapes to pySHACL): any other SHACL term
in the shapes graph (`mdq_graph.validate.shacl_shapes`: other components, paths that are not
predicates, SPARQL-based constraint components, functions, rules, implicit class targets, several
values of a single-valued parameter); a SPARQL constraint whose `$this` a VALUES block cannot bind
as SHACL's pre-binding does (`mdq_graph.validate.prebinding`); and, while running, the STR() of a
blank node in a SPARQL constraint (an error in SPARQL, the node's label in rdflib), a blank focus
node of a SPARQL constraint, and a value stated in two lexical forms the store holds as one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

import pyoxigraph as ox
from rdflib import Literal

from mdq_graph.errors import QueryError, ShapesError
from mdq_graph.graph.engine import fill_union_graph
from mdq_graph.graph.loader import OxTerm, rdflib_term
from mdq_graph.graph.namespaces import RDF, RDFS, XSD
from mdq_graph.graph.service import check_no_service
from mdq_graph.validate.indexed import SH, IndexedGraph
from mdq_graph.validate.prebinding import check_prebinding
from mdq_graph.validate.shacl_shapes import (
    Shape,
    SparqlConstraint,
    UnsupportedShapes,
    every_shape,
    integers,
    is_true,
    read_shapes,
    regex_flags,
    with_values,
)

#: Whether a value node passes one constraint.
Test = Callable[[OxTerm], bool]
_RDF_TYPE = ox.NamedNode(str(RDF.type))
_SUBCLASS_OF = ox.NamedNode(str(RDFS.subClassOf))
_XSD_STRING = str(XSD.string)
_LANG_STRING = str(RDF.langString)

_NODE_KINDS: dict[OxTerm, tuple[type, ...]] = {
    SH.IRI: (ox.NamedNode,),
    SH.BlankNode: (ox.BlankNode,),
    SH.Literal: (ox.Literal,),
    SH.BlankNodeOrIRI: (ox.BlankNode, ox.NamedNode),
    SH.BlankNodeOrLiteral: (ox.BlankNode, ox.Literal),
    SH.IRIOrLiteral: (ox.NamedNode, ox.Literal),
}
#: The Python value that rdflib gives a well-typed literal of each datatype (as pySHACL checks it).
_PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    str(XSD.integer): int,
    str(XSD.float): float,
    str(XSD.decimal): Decimal,
    str(XSD.boolean): bool,
    str(XSD.date): date,
    str(XSD.time): time,
    str(XSD.dateTime): datetime,
}
_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")
#: What in a SPARQL query may make its answer depend on how many times a solution comes: an
#: aggregate over a bag (COUNT(DISTINCT ...), MIN and MAX read a set), a slice. Read generously: a
#: false match costs time, not correctness.
_COUNTS_SOLUTIONS = re.compile(
    r"\b(?:COUNT|SUM|AVG|SAMPLE|GROUP_CONCAT)\s*\((?!\s*DISTINCT\b)|\b(?:LIMIT|OFFSET)\b",
    re.IGNORECASE,
)
#: A function that SPARQL constraints call on a blank node they take the STR() of.
_BLANK_STR = ox.NamedNode("urn:x-mdq:str-of-a-blank-node")


@dataclass(frozen=True)
class Result:
    """One validation result, in the terms of the data and of the shapes (pyoxigraph's)."""

    focus: OxTerm
    path: ox.NamedNode | None
    value: OxTerm | None
    shape: OxTerm
    component: ox.NamedNode
    severity: ox.NamedNode
    messages: tuple[ox.Literal, ...]
    constraint: OxTerm | None = None


class ShapeSet:
    """Shapes read once from a shapes graph, ready to validate any number of stores."""

    def __init__(self, shapes: IndexedGraph) -> None:
        self.roots = read_shapes(shapes)
        for shape in every_shape(self.roots):
            for constraint in shape.sparql:
                check_prebinding(constraint.query)
        #: The predicates whose values the shapes read -> the last root shape that reads them.
        self._last_use: dict[str, int] = {}
        for index, root in enumerate(self.roots):
            for kind, value in root.targets:
                if kind in (SH.targetSubjectsOf, SH.targetObjectsOf) and not isinstance(value, str):
                    self._last_use[value.value] = index
            for shape in every_shape([root]):
                if shape.path is not None:
                    self._last_use[shape.path] = index

    def validate(
        self, store: ox.Store, held: dict[ox.Literal, ox.Literal] | None = None
    ) -> list[Result]:
        """Every result of the shapes on the data in `store` (the union of its graphs). `held` maps each
        typed literal as the files state it to the term the store holds for it (`Populated`):
        literals are checked and reported as stated. `UnsupportedShapes` if a value the shapes
        reach was stated in two forms the store holds as one (`"1.5"` and `"1.50"`)."""
        run = _Run(_Data(store, held or {}))
        try:
            for index, shape in enumerate(self.roots):
                if not shape.deactivated:
                    run.check(shape, run.focus_nodes(shape))
                # The values of a predicate no later shape reaches are not held any longer.
                run.data.forget(p for p, last in self._last_use.items() if last == index)
        finally:
            # The checks refer to the run: a cycle that would keep its lookups (hundreds of MB
            # at 10^6 triples) alive while validation pauses the garbage collector.
            run.forget_checks()
        return run.results


class _Data:
    """Lookups over the data graph, each computed once: the union of the store's graphs (its
    default graph and every named graph), a triple stated in several graphs counted once."""

    def __init__(self, store: ox.Store, held: dict[ox.Literal, ox.Literal]) -> None:
        self.store = store
        self._held = held
        self._stated: dict[ox.Literal, ox.Literal] = {}
        self._ambiguous: set[ox.Literal] = set()
        for stated, term in held.items():
            known = self._stated.setdefault(term, stated)
            if known != stated:
                self._ambiguous.add(term)
        self._stated = {t: s for t, s in self._stated.items() if t != s or t in self._ambiguous}
        self._values: dict[str, dict[OxTerm, list[OxTerm]]] = {}
        self._superclasses: dict[OxTerm, set[OxTerm]] = {}
        self._parents: dict[OxTerm, set[OxTerm]] = {}
        self._children: dict[OxTerm, set[OxTerm]] = {}
        for q in store.quads_for_pattern(None, _SUBCLASS_OF, None, None):
            self._parents.setdefault(q.subject, set()).add(q.object)  # type: ignore[arg-type]
            self._children.setdefault(q.object, set()).add(q.subject)  # type: ignore[arg-type]
        self.types = self.values(_RDF_TYPE.value)
        self._by_type: dict[OxTerm, list[OxTerm]] | None = None
        #: Whether the union has been written into the store's default graph (for a query whose
        #: answer depends on how many times a solution comes: see `select`).
        self._union_written = False

    def values(self, predicate: str) -> dict[OxTerm, list[OxTerm]]:
        """Subject -> objects of `predicate`."""
        found = self._values.get(predicate)
        if found is None:
            found = {}
            quads = self.store.quads_for_pattern(None, ox.NamedNode(predicate), None, None)
            if self._stated:
                stated = self.stated
                for q in quads:
                    found.setdefault(q.subject, []).append(stated(q.object))  # type: ignore[arg-type]
            else:  # every literal is held as stated
                for q in quads:
                    found.setdefault(q.subject, []).append(q.object)  # type: ignore[arg-type]
            # Every graph's triples: one stated in several graphs is one triple of the union,
            # one value (SHACL counts it once).
            for subject, objects in found.items():
                if len(objects) > 1:
                    found[subject] = list(dict.fromkeys(objects))
            self._values[predicate] = found
        return found

    def forget(self, predicates: Iterable[str]) -> None:
        """Drop the values of `predicates` (rdf:type's are kept: sh:class reads them throughout)."""
        for predicate in predicates:
            if predicate != _RDF_TYPE.value:
                self._values.pop(predicate, None)

    def stated(self, term: OxTerm) -> OxTerm:
        """A term of the store as the files state it."""
        if type(term) is not ox.Literal or term not in self._stated:
            return term
        if term in self._ambiguous:
            raise UnsupportedShapes(f"the literal {term} is stated in several lexical forms")
        return self._stated[term]

    def held(self, term: OxTerm) -> OxTerm:
        """A term as the store holds it."""
        return self._held.get(term, term) if type(term) is ox.Literal else term

    def superclasses(self, cls: OxTerm) -> set[OxTerm]:
        """`cls` and every class it is a subclass of."""
        found = self._superclasses.get(cls)
        if found is None:
            found = self._superclasses[cls] = _reachable(cls, self._parents)
        return found

    def is_instance(self, node: OxTerm, cls: OxTerm) -> bool:
        """Whether `node` is a SHACL instance of `cls` (rdf:type/rdfs:subClassOf*)."""
        return any(cls in self.superclasses(t) for t in self.types.get(node, ()))

    def select(self, query: str) -> Iterator[dict[str, OxTerm]]:
        """The solutions of a SELECT query on the union of the graphs, as bound variable -> term (as
        stated); `UnsupportedShapes` if the query took the STR() of a blank node; `ShapesError` if
        Oxigraph would call a SERVICE (another host) for it."""
        try:
            check_no_service(query)
        except QueryError as err:
            raise ShapesError(
                f"a SHACL-SPARQL query in the shapes cannot run: {err.detail}"
            ) from None
        blank_str: list[OxTerm] = []

        def record(term: OxTerm) -> None:
            blank_str.append(term)  # and an error, as SPARQL has it

        if not self._union_written and _COUNTS_SOLUTIONS.search(query):
            # Oxigraph's union of the graphs is a bag (a triple stated in two graphs matches
            # twice): the rows are read once each below, but a count, a sum or a LIMIT would
            # read the repeats. Such a query reads the union as a set, written once for it.
            fill_union_graph(self.store)
            self._union_written = True
        solutions = self.store.query(
            query,
            custom_functions={_BLANK_STR: record},
            use_default_graph_as_union=not self._union_written,
        )
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        if self._stated:
            stated = self.stated
            rows = [
                {n: stated(t) for n, t in zip(names, row, strict=True) if t is not None}
                for row in solutions
            ]
        else:  # every literal is held as stated
            rows = [
                {n: t for n, t in zip(names, row, strict=True) if t is not None}
                for row in solutions
            ]
        if blank_str:
            # SPARQL makes it an error, rdflib (and so pySHACL) the node's label: pySHACL decides.
            raise UnsupportedShapes("a SPARQL query that takes the STR() of a blank node")
        yield from rows

    def instances(self, cls: OxTerm) -> Iterator[OxTerm]:
        """The SHACL instances of `cls` (rdf:type/rdfs:subClassOf*), each once."""
        if self._by_type is None:
            self._by_type = {}
            for node, types in self.types.items():
                for t in types:
                    self._by_type.setdefault(t, []).append(node)
        seen: set[OxTerm] = set()
        for c in _reachable(cls, self._children):
            for node in self._by_type.get(c, ()):
                if node not in seen:
                    seen.add(node)
                    yield node


def _reachable(start: OxTerm, edges: dict[OxTerm, set[OxTerm]]) -> set[OxTerm]:
    """`start` and every node reachable from it along `edges`."""
    found, pending = {start}, [start]
    while pending:
        for node in edges.get(pending.pop(), ()):
            if node not in found:
                found.add(node)
                pending.append(node)
    return found


class _Run:
    """One validation: the results found so far."""

    def __init__(self, data: _Data) -> None:
        self.data = data
        self.results: list[Result] = []
        self._literals: dict[ox.Literal, Literal] = {}  # as rdflib reads them (see _rdflib)
        #: The constraint checks of each shape (by identity), made once: `conforms` checks a
        #: shape node by node.
        self._compiled: dict[int, list[Callable[[OxTerm, list[OxTerm], list[Result]], None]]] = {}

    def focus_nodes(self, shape: Shape) -> list[OxTerm]:
        """The target nodes of `shape`, each once."""
        found: dict[OxTerm, None] = {}
        for kind, value in shape.targets:
            if isinstance(value, str):  # a SPARQL target
                for row in self.data.select(value):
                    if "this" in row:
                        found[row["this"]] = None
            elif kind == SH.targetClass:
                found.update((node, None) for node in self.data.instances(value))
            elif kind == SH.targetSubjectsOf:
                found.update((s, None) for s in self.data.values(value.value))
            elif kind == SH.targetObjectsOf:
                for objects in self.data.values(value.value).values():
                    found.update((o, None) for o in objects)
            elif kind == SH.targetNode:
                found[value] = None
        return list(found)

    def check(self, shape: Shape, focus: list[OxTerm], into: list[Result] | None = None) -> None:
        """Check `shape` on the nodes `focus`, adding the results to `into` (else to the run's)."""
        if shape.deactivated or not focus:
            return
        out = self.results if into is None else into
        if shape.path is not None:
            by_subject = self.data.values(shape.path)
            values: Callable[[OxTerm], list[OxTerm]] = lambda f: by_subject.get(f, [])  # noqa: E731
        else:
            values = lambda f: [f]  # noqa: E731
        checks = self._compiled.get(id(shape))
        if checks is None:
            checks = self._compiled[id(shape)] = list(self._checks(shape))
        for f in focus:
            vals = values(f)
            for check in checks:
                check(f, vals, out)
        for constraint in shape.sparql:
            self._sparql(shape, constraint, focus, out)
        if shape.properties:
            # A shape's property shapes constrain its value nodes (a node shape's: its focus nodes),
            # those of each focus node: a node that is the value of two is checked twice.
            value_nodes = [v for f in focus for v in values(f)]
            for prop in shape.properties:
                self.check(prop, value_nodes, into)

    def forget_checks(self) -> None:
        """Drop the checks made for each shape."""
        self._compiled.clear()

    def conforms(self, node: OxTerm, shape: Shape) -> bool:
        """Whether `node` conforms to `shape` (whatever the severity of what it finds)."""
        found: list[Result] = []
        self.check(shape, [node], found)
        return not found

    def _checks(
        self, shape: Shape
    ) -> Iterator[Callable[[OxTerm, list[OxTerm], list[Result]], None]]:
        """One function per constraint of `shape`: (focus, values, results) -> None."""
        c = shape.constraints

        def result(f: OxTerm, v: OxTerm | None, component: ox.NamedNode) -> Result:
            return Result(
                f, shape.path_iri, v, shape.node, component, shape.severity, tuple(shape.messages)
            )

        def each_value(
            test: Callable[[OxTerm], bool], component: ox.NamedNode
        ) -> Callable[..., None]:
            def check(f: OxTerm, vals: list[OxTerm], out: list[Result]) -> None:
                out.extend(result(f, v, component) for v in vals if not test(v))

            return check

        for kind in c.get(SH.nodeKind, []):
            allowed = _NODE_KINDS[kind]
            yield each_value(_is_kind(allowed), SH.NodeKindConstraintComponent)
        for cls in c.get(SH["class"], []):
            yield each_value(self._is_instance(cls), SH.ClassConstraintComponent)
        for datatype in c.get(SH.datatype, []):
            yield each_value(self._datatype_test(datatype.value), SH.DatatypeConstraintComponent)
        for minimum in integers(c, SH.minCount):
            yield self._count(result, minimum, None, SH.MinCountConstraintComponent)
        for maximum in integers(c, SH.maxCount):
            yield self._count(result, None, maximum, SH.MaxCountConstraintComponent)
        for bound in c.get(SH.minInclusive, []):
            yield each_value(self._minimum_test(bound), SH.MinInclusiveConstraintComponent)
        for length in integers(c, SH.minLength):
            yield each_value(_is_long_enough(length), SH.MinLengthConstraintComponent)
        for pattern in c.get(SH.pattern, []):
            regex = re.compile(pattern.value, regex_flags(c.get(SH.flags, [])))
            yield each_value(_matches(regex), SH.PatternConstraintComponent)
        for unique in c.get(SH.uniqueLang, []):
            if is_true(unique):
                yield self._unique_lang(result)
        if shape.alternatives:
            yield each_value(self._any_of(shape.alternatives), SH.OrConstraintComponent)
        if shape.qualified is not None:
            yield self._qualified(shape, result)

    def _count(
        self,
        result: Callable[[OxTerm, OxTerm | None, ox.NamedNode], Result],
        minimum: int | None,
        maximum: int | None,
        component: ox.NamedNode,
    ) -> Callable[[OxTerm, list[OxTerm], list[Result]], None]:
        def check(f: OxTerm, vals: list[OxTerm], out: list[Result]) -> None:
            if (minimum is not None and len(vals) < minimum) or (
                maximum is not None and len(vals) > maximum
            ):
                out.append(result(f, None, component))

        return check

    def _unique_lang(
        self, result: Callable[[OxTerm, OxTerm | None, ox.NamedNode], Result]
    ) -> Callable[[OxTerm, list[OxTerm], list[Result]], None]:
        def check(f: OxTerm, vals: list[OxTerm], out: list[Result]) -> None:
            seen: set[str] = set()
            duplicates: set[str] = set()
            for v in vals:
                if isinstance(v, ox.Literal) and v.language:
                    tag = v.language.lower()
                    (duplicates if tag in seen else seen).add(tag)
            out.extend(result(f, None, SH.UniqueLangConstraintComponent) for _ in duplicates)

        return check

    def _qualified(
        self, shape: Shape, result: Callable[[OxTerm, OxTerm | None, ox.NamedNode], Result]
    ) -> Callable[[OxTerm, list[OxTerm], list[Result]], None]:
        qualified = shape.qualified
        assert qualified is not None
        minimum = integers(shape.constraints, SH.qualifiedMinCount)
        maximum = integers(shape.constraints, SH.qualifiedMaxCount)

        def check(f: OxTerm, vals: list[OxTerm], out: list[Result]) -> None:
            count = sum(1 for v in vals if self.conforms(v, qualified))
            if any(count > n for n in maximum):
                out.append(result(f, None, SH.QualifiedMaxCountConstraintComponent))
            if any(count < n for n in minimum):
                out.append(result(f, None, SH.QualifiedMinCountConstraintComponent))

        return check

    def _is_instance(self, cls: OxTerm) -> Test:
        return lambda v: not isinstance(v, ox.Literal) and self.data.is_instance(v, cls)

    def _datatype_test(self, datatype: str) -> Test:
        return lambda v: self._has_datatype(v, datatype)

    def _minimum_test(self, bound: OxTerm) -> Test:
        return lambda v: self._at_least(v, bound)

    def _any_of(self, shapes: list[Shape]) -> Test:
        return lambda v: any(self.conforms(v, s) for s in shapes)

    def _rdflib(self, literal: ox.Literal) -> Literal:
        """The literal as rdflib reads it: its Python value, and whether it is ill-typed, decide
        sh:datatype and sh:minInclusive as pySHACL decides them (the reference the engine matches)."""
        found = self._literals.get(literal)
        if found is None:
            converted = rdflib_term(literal)
            assert isinstance(converted, Literal)
            found = self._literals[literal] = converted
        return found

    def _has_datatype(self, value: OxTerm, datatype: str) -> bool:
        """pySHACL's sh:datatype: the datatype, and a lexical form that is valid for it."""
        if not isinstance(value, ox.Literal):
            return False
        if datatype == _XSD_STRING:
            return not value.language and value.datatype.value == _XSD_STRING
        if datatype == _LANG_STRING:
            return bool(value.language)
        if datatype == str(RDFS.Literal):
            return True
        if value.datatype.value != datatype:
            return datatype == str(RDFS.Datatype) and not value.language
        literal = self._rdflib(value)
        if getattr(literal, "ill_typed", None) is True:
            return False
        expected = _PYTHON_TYPES.get(datatype)
        if expected is None:
            return True
        python = literal.value
        return isinstance(python, expected) and not (expected is int and isinstance(python, bool))

    def _at_least(self, value: OxTerm, limit: OxTerm) -> bool:
        """pySHACL's sh:minInclusive: a literal comparable with `limit` and not below it."""
        if not isinstance(value, ox.Literal) or not isinstance(limit, ox.Literal):
            return False
        literal, bound = self._rdflib(value), self._rdflib(limit)
        if getattr(literal, "ill_typed", None) is True:  # no value to compare
            return False
        if isinstance(literal.value, str) != isinstance(bound.value, str):
            return False
        if _is_number(literal.value) and _is_number(bound.value):
            return bool(literal.value >= bound.value)
        from pyshacl.rdfutil.compare import compare_literal  # every other kind of literal

        try:
            return bool(compare_literal(literal, bound) >= 0)  # type: ignore[no-untyped-call]
        except (TypeError, NotImplementedError):
            return False

    def _sparql(
        self, shape: Shape, constraint: SparqlConstraint, focus: list[OxTerm], out: list[Result]
    ) -> None:
        """One SPARQL constraint on every focus node at once (pySHACL runs it once per node)."""
        times = Counter(focus)  # a node that is the value of several focus nodes
        values = " ".join(_sparql_term(self.data.held(f)) for f in times)
        query = _guard_blank_str(with_values(constraint.query, values))
        messages = [
            *constraint.messages,
            *(m for m in shape.messages if m not in constraint.messages),
        ]
        seen: set[tuple[object, ...]] = set()
        for bound in self.data.select(query):
            if "failure" in bound:
                raise UnsupportedShapes("a SPARQL constraint that selects ?failure")
            this = bound.pop("this", None)
            if this is None:
                continue
            path = bound.pop("path", None)
            value = bound.pop("value", None)
            key = (this, path, value, tuple(sorted(bound.items(), key=lambda i: i[0])))
            if key in seen:
                continue
            seen.add(key)
            result_path = _iri_of(path) or shape.path_iri
            if value is None and shape.path is None:
                value = this
            filled = {"this": this, **bound}
            if path is not None:
                filled["path"] = path
            if value is not None:
                filled["value"] = value
            result = Result(
                this,
                result_path,
                value,
                shape.node,
                SH.SPARQLConstraintComponent,
                shape.severity,
                tuple(ox.Literal(_fill(m.value, filled)) for m in messages),
                constraint.node,
            )
            out.extend([result] * times[this])


def report(results: Iterable[Result], shapes: IndexedGraph) -> list[ox.Triple]:
    """The results as a SHACL validation report, as pySHACL writes it: with the description of
    each SPARQL constraint (from `shapes`) that a result names as its sh:sourceConstraint, and
    sh:conforms true if and only if there is no result (SHACL 3.6.1), whatever their severity."""
    node = ox.BlankNode()
    results = list(results)
    described: set[OxTerm] = set()
    triples = [
        ox.Triple(node, _RDF_TYPE, SH.ValidationReport),
        ox.Triple(node, SH.conforms, ox.Literal(not results)),
    ]
    add = triples.append
    for r in results:
        result = ox.BlankNode()
        add(ox.Triple(node, SH.result, result))
        add(ox.Triple(result, _RDF_TYPE, SH.ValidationResult))
        add(ox.Triple(result, SH.focusNode, r.focus))
        add(ox.Triple(result, SH.sourceShape, r.shape))
        add(ox.Triple(result, SH.sourceConstraintComponent, r.component))
        add(ox.Triple(result, SH.resultSeverity, r.severity))
        if r.path is not None:
            add(ox.Triple(result, SH.resultPath, r.path))
        if r.value is not None:
            add(ox.Triple(result, SH.value, r.value))
        if r.constraint is not None:
            add(ox.Triple(result, SH.sourceConstraint, r.constraint))
            if r.constraint not in described:  # once for all its results
                described.add(r.constraint)
                triples += [t for t in shapes.triples if t.subject == r.constraint]
        triples += [ox.Triple(result, SH.resultMessage, m) for m in r.messages]
    return triples


def _is_kind(allowed: tuple[type, ...]) -> Test:
    return lambda v: isinstance(v, allowed)


def _is_long_enough(length: int) -> Test:
    return lambda v: not isinstance(v, ox.BlankNode) and len(v.value) >= length


def _matches(regex: re.Pattern[str]) -> Test:
    return lambda v: not isinstance(v, ox.BlankNode) and bool(regex.search(v.value))


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _iri_of(term: OxTerm | None) -> ox.NamedNode | None:
    return term if isinstance(term, ox.NamedNode) else None


def _sparql_term(term: OxTerm) -> str:
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term)
    raise UnsupportedShapes("a blank node as the focus node of a SPARQL constraint")


_STR_CALL = re.compile(r"(?<![\w:$?])STR\s*\(", re.I)


def _guard_blank_str(query: str) -> str:
    """`query` with each STR(x) written IF(isBlank(x), <urn:...>(x), STR(x)): the function
    records that a query met the STR() of a blank node (SPARQL and rdflib disagree there)."""
    parts, start = [], 0
    while (call := _STR_CALL.search(query, start)) is not None:
        end = _closing_parenthesis(query, call.end())
        if end < 0:
            break
        argument = _guard_blank_str(query[call.end() : end])
        parts += [
            query[start : call.start()],
            f"IF(isBlank({argument}), <{_BLANK_STR.value}>({argument}), STR({argument}))",
        ]
        start = end + 1
    return "".join(parts) + query[start:]


def _closing_parenthesis(text: str, start: int) -> int:
    """The index of the `)` that closes the `(` before `start` (skipping strings), else -1."""
    depth, index, quote = 1, start, ""
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _fill(message: str, values: dict[str, OxTerm]) -> str:
    """A message with its {?var} filled as pySHACL fills them (the term's string form)."""
    return _PLACEHOLDER.sub(lambda m: values[m[1]].value if m[1] in values else m[0], message)
