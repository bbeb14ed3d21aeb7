"""Validates the knowledge graph: the SHACL shapes, and every quote against its source text."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import Dataset

from mdq_graph.collector import collector_paused
from mdq_graph.errors import ShapesError
from mdq_graph.graph.dataset import INFERRED_GRAPH
from mdq_graph.graph.loader import OxTerm, load_dataset, load_store, populate
from mdq_graph.graph.namespaces import BASE, ID, MDQ, OA, PREFIXES, RDF, RDFS, SKOS, XSD
from mdq_graph.graph.parsing import rdf_files
from mdq_graph.graph.resources import data_dir, ontology_file, shapes_dir, sources_dir
from mdq_graph.validate.evidence import EvidenceProblem, Kind, check_evidence
from mdq_graph.validate.indexed import RDF_TYPE, SH, SHACL, IndexedGraph, Vocabulary
from mdq_graph.validate.quotes import QuoteProblem, check_quotes
from mdq_graph.validate.shacl_engine import ShapeSet, report
from mdq_graph.validate.shacl_shapes import UnsupportedShapes
from mdq_graph.validate.sourcemap import SourceMap

if TYPE_CHECKING:  # rdflib's SPARQL parser takes ~50 ms to import: only `validate` needs it
    from rdflib.plugins.sparql.sparql import Query
    from rdflib.query import Result

#: Our shapes; the shape and the constraint component that quote findings name (the check runs in
#: Python, against the source text, not in SHACL).
SHAPES_NAMESPACE = BASE + "shapes#"
SHAPES = Vocabulary(SHAPES_NAMESPACE)
QUOTE_TEXT_SHAPE = SHAPES.QuoteIsVerbatimInItsSourceText
QUOTE_TEXT_COMPONENT = SHAPES.SourceTextConstraintComponent
#: The shapes and the constraint component that evidence findings name (mdq_graph.validate.evidence).
EVIDENCE_SHAPE = SHAPES.StatementHasEvidence
EVIDENCE_VALUE_SHAPE = SHAPES.EvidenceStatesTheValue
EVIDENCE_COMPONENT = SHAPES.EvidenceConstraintComponent
_DEFAULT = ox.DefaultGraph()
_INFERRED = ox.NamedNode(str(INFERRED_GRAPH))
_LABELS = (ox.NamedNode(str(RDFS.label)), ox.NamedNode(str(SKOS.prefLabel)))
_HAS_SELECTOR = ox.NamedNode(str(OA.hasSelector))
_EXACT = ox.NamedNode(str(OA.exact))
_START = ox.NamedNode(str(OA.start))
_POSITION_SELECTOR = ox.NamedNode(str(OA.TextPositionSelector))
_EVIDENCE = ox.NamedNode(str(MDQ.evidence))
_RDF_FIRST = ox.NamedNode(str(RDF.first))
_XSD_STRING = str(XSD.string)
#: The prefixes of the Turtle report (and of short names): ours, SHACL's and our shapes'.
REPORT_PREFIXES = {
    **{p: str(ns) for p, ns in PREFIXES.items()},
    "sh": SHACL,
    "shapes": SHAPES_NAMESPACE,
}


class Severity(str, Enum):
    """How much a finding matters: a Violation must be fixed, a Warning should be, an Info may be."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"

    @property
    def rank(self) -> int:
        """0 for the most severe."""
        return list(Severity).index(self)

    @classmethod
    def from_iri(cls, iri: OxTerm | None) -> Severity:
        """The severity that sh:Violation, sh:Warning or sh:Info names (a custom one counts as Violation)."""
        name = (iri.value if isinstance(iri, ox.NamedNode) else "").rpartition("#")[2]
        return cls(name) if name in cls._value2member_map_ else cls.VIOLATION


@dataclass(frozen=True)
class PropertyPath:
    """A SHACL property path that is not a single predicate, in SPARQL's property-path syntax:
    with full IRIs, and with the short names of our prefixes."""

    sparql: str
    short: str

    def __str__(self) -> str:
        return self.sparql


Node = ox.NamedNode | ox.BlankNode


@dataclass(frozen=True)
class Finding:
    """One thing that is wrong with the data: where, what, and how to fix it."""

    severity: Severity
    focus_node: Node
    focus_label: str | None
    path: ox.NamedNode | PropertyPath | None
    value: OxTerm | None
    message: str
    source_file: str | None = None
    source_line: int | None = None
    shape: Node | None = None
    constraint: ox.NamedNode | None = None
    message_ja: str | None = None


@dataclass
class ValidationReport:
    """The findings of one validation; `conforms` is false with a Violation (or a Warning if strict)."""

    conforms: bool
    findings: list[Finding]
    strict: bool = False
    #: The standard SHACL validation report (the engine's or pySHACL's, with the quote and
    #: evidence findings added), as pyoxigraph triples.
    graph: list[ox.Triple] = field(default_factory=list, repr=False)

    def count(self, severity: Severity) -> int:
        """How many findings have `severity`."""
        return sum(1 for f in self.findings if f.severity is severity)


@collector_paused()
def validate_graph(
    paths: Sequence[Path] | None = None,
    *,
    extra_shapes: Sequence[Path] = (),
    strict: bool = False,
) -> ValidationReport:
    """Validate the bundled graph, or the RDF files and folders `paths` instead of it, against the
    bundled shapes (and `extra_shapes`), and check the quotes against their source texts.

    The data is loaded as `load_dataset` loads it: with the ontology and the inferred schema.org view.
    Raises `InputError` for an unreadable file, `ShapesError` for shapes pySHACL cannot use.
    """
    files = [ontology_file(), *rdf_files(list(paths) if paths else [data_dir()])]
    shapes = load_shapes(extra_shapes)
    sources = SourceMap(files)
    folder = _sources_folder(paths)
    checked = _run_engine(paths, shapes)
    if checked is None:  # shapes the engine does not know: pySHACL runs them
        triples = _run_shacl(
            load_dataset(list(paths) if paths else None), shapes, strict, extra_shapes
        )
        store = load_store(list(paths) if paths else None)
        held: dict[ox.Literal, ox.Literal] = {}  # the store holds literals as pySHACL reads them
    else:
        store, triples, held = checked
    problems = check_quotes(store, folder)
    evidence = check_evidence(store)
    view = _View(store, held)
    graph = IndexedGraph(triples)
    findings = _shacl_findings(graph, shapes, view, sources)
    added: list[ox.Triple] = []
    findings += _quote_findings(problems, view, folder, sources, added)
    findings += _evidence_findings(evidence, view, sources, added)
    findings.sort(key=_finding_order)
    conforms = not any(
        f.severity is Severity.VIOLATION or (strict and f.severity is Severity.WARNING)
        for f in findings
    )
    # SHACL's verdict, whatever the exit code: conforms if and only if there is no result at all.
    node = _report_node(graph)
    results = bool(graph.objects(node, SH.result)) or bool(added)
    triples = [t for t in graph.triples if not (t.subject == node and t.predicate == SH.conforms)]
    triples += [ox.Triple(node, SH.conforms, ox.Literal(not results))]
    if not graph.objects(node, RDF_TYPE):
        triples.append(ox.Triple(node, RDF_TYPE, SH.ValidationReport))
    triples += [
        ox.Triple(node, SH.result, t.subject) for t in added if t.object == SH.ValidationResult
    ]
    return ValidationReport(conforms, findings, strict, triples + added)


def load_shapes(extra: Iterable[Path] = ()) -> IndexedGraph:
    """The bundled shapes (every .ttl file in shapes/), with the shapes of the files `extra`, read
    by pyoxigraph; a reference to a property shape that no file describes is left out."""
    shapes = IndexedGraph.read([*sorted(shapes_dir().glob("*.ttl")), *extra])
    # A property shape that is referred to but not described at all constrains nothing, and pySHACL
    # refuses it: DCAT-AP 3.0.1's dcat-ap-SHACL.ttl refers to two that only its ranges.ttl defines.
    return shapes.without(
        t
        for t in shapes.triples
        if t.predicate == SH.property and not shapes.describes(t.object)  # type: ignore[arg-type]
    )


def _run_engine(
    paths: Sequence[Path] | None, shapes: IndexedGraph
) -> tuple[ox.Store, list[ox.Triple], dict[ox.Literal, ox.Literal]] | None:
    """The data in a pyoxigraph store, the report of the set-at-a-time engine on it and the typed
    literals as stated -> as the store holds them; None when the shapes use a part of SHACL the
    engine does not know (or a query it cannot run)."""
    try:
        engine = ShapeSet(shapes)
    except UnsupportedShapes:
        return None
    store, held = load_engine_store(paths)
    try:
        results = engine.validate(store, held)
    except (UnsupportedShapes, SyntaxError):  # pySHACL says what is wrong with such a shape
        return None
    return store, report(results, shapes=shapes), held


def load_engine_store(
    paths: Sequence[Path] | None,
) -> tuple[ox.Store, dict[ox.Literal, ox.Literal]]:
    """The store `load_store` gives, but with the typed literals as the files state them (not as
    rdflib reads them), and a map of each, as stated, to the term the store holds for it: the
    engine checks and reports what the files say. The union is not written in the default graph
    (at 10^7 triples that halves the store): the checks read the union of the graphs."""
    store = ox.Store()
    files = list(rdf_files(list(paths) if paths else [data_dir()]))
    populated = populate(store, files, in_memory=True, as_stated=True, union=False)
    return store, populated.held_literals


class _View:
    """What the findings need to know of the data, looked up in the store: labels, selectors, and
    the graphs that state a result's triple (to tell a stated triple from an inferred one). The
    store's default graph holds what the files state outside named graphs (and, from `load_store`,
    the union as well); `held` maps a literal as stated to the term the store holds for it."""

    def __init__(self, store: ox.Store, held: dict[ox.Literal, ox.Literal]) -> None:
        self.store = store
        self._held = held

    def objects(self, subject: OxTerm, predicate: ox.NamedNode) -> list[OxTerm]:
        """The objects of `subject` and `predicate` in the union (each once)."""
        if isinstance(subject, ox.Literal):
            return []
        quads = self.store.quads_for_pattern(subject, predicate, None, None)
        return list(dict.fromkeys(q.object for q in quads))  # type: ignore[misc]

    def is_stated(self, subject: OxTerm, predicate: ox.NamedNode, value: OxTerm) -> bool:
        """Whether a graph other than the inferred one states the triple (a triple in the default
        graph alone is stated in the default graph of a file)."""
        if isinstance(subject, ox.Literal):
            return False
        held = self._held.get(value, value) if isinstance(value, ox.Literal) else value
        graphs = {q.graph_name for q in self.store.quads_for_pattern(subject, predicate, held)}
        named = graphs - {_DEFAULT}
        return bool(named - {_INFERRED}) or (not named and _DEFAULT in graphs)


class _PreparedQueries(Dataset):
    """A view of a dataset's store that parses each SPARQL text once.

    pySHACL runs a SHACL-SPARQL constraint as one query per focus node and hands rdflib the text each
    time; parsing it is most of the cost, so this view keeps the parsed queries.
    """

    def query(self, query_object: str | Query, *args: Any, **kwargs: Any) -> Result:
        """Run `query_object`, parsing it only the first time it is seen."""
        if isinstance(query_object, str):
            query_object = _prepared(_with_sorted_prefixes(query_object))
        _refuse_service(query_object)
        return super().query(query_object, *args, **kwargs)


def _refuse_service(query: Query) -> None:
    """`ShapesError` if rdflib, which runs the query, reads a SERVICE in it: a shape may not make
    `validate` open a connection to another host."""
    from rdflib.plugins.sparql.parserutils import CompValue

    stack: list[object] = [query.algebra]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                raise ShapesError(
                    "a SHACL-SPARQL query in the shapes calls SERVICE (another host); "
                    "validate never fetches from the network: remove the SERVICE clause"
                )
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)


def _with_sorted_prefixes(text: str) -> str:
    """The same query with its leading PREFIX lines sorted (pySHACL writes them in set order, which
    changes from one validation to the next, and each order would be parsed again)."""
    lines = text.split("\n")
    count = next((i for i, line in enumerate(lines) if not line.startswith("PREFIX ")), len(lines))
    return "\n".join(sorted(lines[:count]) + lines[count:])


@functools.lru_cache(maxsize=512)
def _prepared(text: str) -> Query:
    """The parsed form of a SPARQL query."""
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text)


def _run_shacl(
    dataset: Dataset, shapes: IndexedGraph, strict: bool, extra: Sequence[Path]
) -> list[ox.Triple]:
    """pySHACL's validation report for `dataset` (validated in place: nothing is inferred). The
    shapes are handed to it in rdflib, and its report read back, once each: pySHACL is the edge."""
    # Imported here: only validation needs pySHACL, and importing it slows every other command.
    from pyshacl import validate as shacl_validate
    from pyshacl.errors import ReportableRuntimeError
    from rdflib import Graph

    data = _PreparedQueries(store=dataset.store, default_union=True)
    # pySHACL logs to stderr as well as raising; the core never prints, the CLI says it once.
    log = logging.getLogger("pyshacl-validate")
    was_disabled, log.disabled = log.disabled, True
    try:
        _, report, text = shacl_validate(
            data,
            shacl_graph=shapes.to_rdflib(),
            inference="none",
            advanced=True,  # SHACL-AF: the SPARQL target that finds every named graph
            inplace=True,
            allow_infos=True,
            allow_warnings=not strict,
        )
    except ShapesError:
        raise
    except ReportableRuntimeError as err:
        text = str(err.message)
        if link := getattr(err, "link", None):
            text += f" (see {link})"
        report = None
    finally:
        log.disabled = was_disabled
    if not isinstance(report, Graph):
        which = f" (the bundled ones with {', '.join(map(str, extra))})" if extra else ""
        raise ShapesError(f"the shapes{which} cannot be used: {' '.join(str(text).split())}")
    written = report.serialize(format="nt", encoding="utf-8")
    return [q.triple for q in ox.parse(written, format=ox.RdfFormat.N_TRIPLES)]


def _report_node(graph: IndexedGraph) -> Node:
    """The sh:ValidationReport node of a report graph (a new blank node if it has none)."""
    for node in graph.subjects(RDF_TYPE, SH.ValidationReport):
        if isinstance(node, ox.NamedNode | ox.BlankNode):
            return node
    return ox.BlankNode()


def _shacl_findings(
    graph: IndexedGraph, shapes: IndexedGraph, view: _View, sources: SourceMap
) -> list[Finding]:
    """The report's results as findings: one per shape, focus node and value; none repeated by the
    inferred view (a result on schema:name that repeats one on the rdfs:label it comes from)."""
    merged: dict[tuple[object, ...], Finding] = {}
    sources.want(graph.objects(None, SH.focusNode))
    for result in graph.objects(_report_node(graph), SH.result):
        focus = graph.value(result, SH.focusNode)
        if not isinstance(focus, ox.NamedNode | ox.BlankNode):
            continue
        path_node = graph.value(result, SH.resultPath)
        path = _path(graph, path_node)
        value = graph.value(result, SH.value)
        if value == focus and path_node is not None:
            value = None  # a node-level rule reports the focus node itself as its value
        shape = graph.value(result, SH.sourceShape)
        english, japanese = _messages(graph, result, shapes, shape)
        location = sources.locate(focus, path if isinstance(path, ox.NamedNode) else None, value)
        finding = Finding(
            Severity.from_iri(graph.value(result, SH.resultSeverity)),
            focus,
            _label(view, focus),
            path,
            value,
            english,
            location.file,
            location.line,
            shape if isinstance(shape, ox.NamedNode | ox.BlankNode) else None,
            _uri(graph.value(result, SH.sourceConstraintComponent)),
            japanese,
        )
        key = (focus, path_node if isinstance(path_node, ox.NamedNode) else str(path), value, shape)
        known = merged.get(key)
        if known is None or finding.severity.rank < known.severity.rank:
            merged[key] = finding
    return _without_inferred_repeats(list(merged.values()), view)


def _without_inferred_repeats(findings: list[Finding], view: _View) -> list[Finding]:
    """Drop a finding on an inferred triple when a finding on a stated triple has its focus and value."""
    on_triple = [f.value is not None and isinstance(f.path, ox.NamedNode) for f in findings]
    stated = [
        on and view.is_stated(f.focus_node, f.path, f.value)  # type: ignore[arg-type]
        for on, f in zip(on_triple, findings, strict=True)
    ]
    covered = {(f.focus_node, f.value) for f, s in zip(findings, stated, strict=True) if s}
    return [
        f
        for f, on, s in zip(findings, on_triple, stated, strict=True)
        if not on or s or (f.focus_node, f.value) not in covered
    ]


_PATH_KINDS = {
    SH.inversePath: "^{}",
    SH.zeroOrMorePath: "{}*",
    SH.oneOrMorePath: "{}+",
    SH.zeroOrOnePath: "{}?",
}


def _path(graph: IndexedGraph, node: OxTerm | None) -> ox.NamedNode | PropertyPath | None:
    """A result path as an IRI, or in SPARQL's property-path syntax (SHACL 2.3.1); None if it is
    not a well-formed path."""
    if node is None or isinstance(node, ox.NamedNode):
        return node
    full = _path_text(graph, node, lambda iri: str(iri), set())
    short = _path_text(graph, node, lambda iri: short_name(iri.value), set())
    return PropertyPath(full, short) if full is not None and short is not None else None


def _path_text(
    graph: IndexedGraph, node: OxTerm, name: Callable[[ox.NamedNode], str], seen: set[OxTerm]
) -> str | None:
    """The path `node` as SPARQL writes it, each IRI written by `name`, groups in parentheses
    (as rdflib writes them, so pySHACL's paths read as before)."""
    if isinstance(node, ox.NamedNode):
        return name(node)
    if node in seen or isinstance(node, ox.Literal):
        return None
    seen = seen | {node}

    def part(sub: OxTerm) -> str | None:
        text = _path_text(graph, sub, name, seen)
        if text is None:
            return None
        grouped = _is_group(graph, sub)
        return f"({text})" if grouped else text

    if graph.value(node, _RDF_FIRST) is not None:  # a sequence
        parts = [part(p) for p in graph.items(node)]
        return "/".join(parts) if len(parts) > 1 and None not in parts else None  # type: ignore[arg-type]
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        parts = [part(p) for p in graph.items(alternatives)]
        return "|".join(parts) if len(parts) > 1 and None not in parts else None  # type: ignore[arg-type]
    for predicate, form in _PATH_KINDS.items():
        inner = graph.value(node, predicate)
        if inner is not None:
            text = part(inner)
            return form.format(text) if text is not None else None
    return None


def _is_group(graph: IndexedGraph, node: OxTerm) -> bool:
    """Whether the path `node` is a sequence or alternatives of several (written in parentheses)."""
    if isinstance(node, ox.NamedNode | ox.Literal):
        return False
    if graph.value(node, _RDF_FIRST) is not None:
        return len(graph.items(node)) > 1
    alternatives = graph.value(node, SH.alternativePath)
    return alternatives is not None and len(graph.items(alternatives)) > 1


def _uri(node: OxTerm | None) -> ox.NamedNode | None:
    """`node` if it is an IRI."""
    return node if isinstance(node, ox.NamedNode) else None


def _messages(
    graph: IndexedGraph, result: OxTerm, shapes: IndexedGraph, shape: OxTerm | None
) -> tuple[str, str | None]:
    """The English and the Japanese message of a result, the most specific first: a SPARQL
    constraint's own message rather than its shape's general one.

    pySHACL fills a message's {?var} with full IRIs and drops its language tag; each message is
    matched against the sh:message templates it can come from, to learn its language and to fill it
    again with short names (<meeting/mdq-7>, mdq:ordinal).
    """
    constraint = graph.value(result, SH.sourceConstraint)
    specific = _literals(graph.objects(constraint, SH.message)) if constraint is not None else []
    general = _literals(shapes.objects(shape, SH.message)) if shape is not None else []
    ranked: list[tuple[int, str | None, str]] = []
    for message in _literals(graph.objects(result, SH.resultMessage)):
        rank, template, text = 0, *_reword(message.value, specific)
        if template is None:
            rank, template, text = 1, *_reword(message.value, general)
        language = message.language or (template.language if template is not None else None)
        ranked.append((rank, language, text))
    ranked.sort(key=lambda item: item[0])
    english = [text for _, language, text in ranked if language in (None, "en")]
    japanese = [text for _, language, text in ranked if language == "ja"]
    default = "The data does not conform to this shape."
    return (english or [text for _, _, text in ranked] or [default])[0], next(iter(japanese), None)


_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")


def _literals(terms: Iterable[OxTerm]) -> list[ox.Literal]:
    """The literals among `terms`."""
    return [t for t in terms if isinstance(t, ox.Literal)]


def _reword(message: str, templates: list[ox.Literal]) -> tuple[ox.Literal | None, str]:
    """The template `message` was filled in from, and the message filled again with short names."""
    for template in templates:
        match = _template_pattern(template.value).fullmatch(message)
        if match is not None:
            values = match.groupdict()
            filled = _PLACEHOLDER.sub(lambda m, v=values: short_name(v[m[1]]), template.value)  # type: ignore[misc]
            return template, filled
    return None, message


@functools.lru_cache(maxsize=1024)
def _template_pattern(template: str) -> re.Pattern[str]:
    """A pattern that matches `template` filled in, capturing each {?var}."""
    parts, seen, last = [], set(), 0
    for placeholder in _PLACEHOLDER.finditer(template):
        name = placeholder[1]
        parts += [re.escape(template[last : placeholder.start()])]
        parts += [f"(?P={name})" if name in seen else f"(?P<{name}>.*?)"]
        seen.add(name)
        last = placeholder.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts), re.DOTALL)


def short_name(text: str) -> str:
    """An IRI as the data files write it: <meeting/mdq-7> under the id/ base, mdq:ordinal under a
    known prefix, else <iri>; any other text as it is."""
    if not _IRI.fullmatch(text):
        return text
    if text.startswith(str(ID)) and len(text) > len(str(ID)):
        return f"<{text[len(str(ID)) :]}>"
    for prefix, namespace in _SHORT_PREFIXES:
        local = text[len(str(namespace)) :]
        if text.startswith(str(namespace)) and _LOCAL_NAME.fullmatch(local):
            return f"{prefix}:{local}"
    return f"<{text}>"


#: The prefixes of short names, longest namespace first (our shapes and SHACL's too).
_SHORT_PREFIXES = sorted(REPORT_PREFIXES.items(), key=lambda item: -len(item[1]))
_IRI = re.compile(r"[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]+")
_LOCAL_NAME = re.compile(r"[A-Za-z_][\w-]*")


def _label(view: _View, node: OxTerm) -> str | None:
    """The English label of `node`, else a Japanese one, else any; for a quote, its opening words."""
    labels = _literals(label for p in _LABELS for label in view.objects(node, p))
    for language in ("en", "ja", None):
        for label in labels:
            if language is None or label.language == language:
                return label.value
    for selector in view.objects(node, _HAS_SELECTOR):
        for exact in view.objects(selector, _EXACT):
            text = " ".join(exact.value.split())
            return f"“{text[:60]}…”" if len(text) > 60 else f"“{text}”"
    return None


def _sources_folder(paths: Sequence[Path] | None) -> Path:
    """Where the quoted texts are: a `sources` folder in a given folder, or beside a given file
    `NAME.trig` its own `NAME.sources` (as `synth` writes it) or a `sources` folder; else the
    bundled one."""
    for path in paths or ():
        if path.is_dir():
            candidates = [path / "sources"]
        else:
            candidates = [path.parent / f"{path.stem}.sources", path.parent / "sources"]
        for folder in candidates:
            if folder.is_dir():
                return folder
    return sources_dir()


def _quote_findings(
    problems: list[QuoteProblem],
    view: _View,
    folder: Path,
    sources: SourceMap,
    report: list[ox.Triple],
) -> list[Finding]:
    """A finding for every quote that is not verbatim at its offsets in its source text (quotes
    whose text is not in `folder` cannot be checked and are left to the shapes)."""
    findings = []
    checked = [p for p in problems if (folder / p.file).is_file()]
    selectors = [
        next(
            (
                s
                for s in view.objects(ox.NamedNode(problem.quote), _HAS_SELECTOR)
                if isinstance(s, ox.NamedNode | ox.BlankNode)
                and _POSITION_SELECTOR in view.objects(s, RDF_TYPE)
            ),
            None,
        )
        for problem in checked
    ]
    sources.want(selectors)
    for problem, selector in zip(checked, selectors, strict=True):
        quote = ox.NamedNode(problem.quote)
        location = sources.locate(selector, _START, None) if selector is not None else None
        message = (
            f"The quote is not verbatim in {problem.file}: {problem.message}. Correct oa:start "
            "and oa:end (Unicode code points), or oa:exact, oa:prefix and oa:suffix, so that they "
            "match the source text."
        )
        finding = Finding(
            Severity.VIOLATION,
            quote,
            _label(view, quote),
            _HAS_SELECTOR,
            selector,
            message,
            location.file if location else None,
            location.line if location else None,
            QUOTE_TEXT_SHAPE,
            QUOTE_TEXT_COMPONENT,
        )
        findings.append(finding)
        report += _result(finding)
    return findings


def _evidence_findings(
    problems: list[EvidenceProblem], view: _View, sources: SourceMap, report: list[ox.Triple]
) -> list[Finding]:
    """A finding for every statement without evidence, or whose evidence does not state it: on the
    statement's triple, located at the statement node where there is one (else at the triple)."""
    findings = []
    sources.want(p.statement if p.statement is not None else p.subject for p in problems)
    for problem in problems:
        subject, predicate, value = problem.subject, problem.predicate, problem.object
        claim = f"{_term_text(subject)} {_term_text(predicate)} {_term_text(value)}"
        where = f"in {short_name(problem.graph.value)}"
        statement = problem.statement
        evidence = short_name(problem.evidence.value) if problem.evidence is not None else ""
        node = short_name(statement.value) if statement is not None else ""
        shape = EVIDENCE_VALUE_SHAPE
        if problem.kind == Kind.MISSING:
            shape = EVIDENCE_SHAPE
            message = (
                f"The statement {claim} {where} has no evidence: add a statement node (rdf:Statement "
                "with its rdf:subject, rdf:predicate and rdf:object) to that graph with mdq:evidence "
                "<quote/...> whose words state it, an mdq:Interpretation of quoted words, or an "
                "mdq:DocumentCitation."
            )
        elif problem.kind == Kind.VALUE_NOT_IN_QUOTE:
            message = (
                f"The statement node {node} gives {evidence} as evidence of {claim} {where}, but the "
                f"quote's words do not contain {_term_text(value)} (nor a label of it, in the quote's "
                "language): point it at the quote that does, or at an mdq:Interpretation that says "
                "how it reads the words."
            )
        elif problem.kind == Kind.INTERPRETATION_WITHOUT_WORDS:
            message = (
                f"The statement node {node} gives the interpretation {evidence} as evidence of "
                f"{claim} {where}, but {problem.detail}: an interpretation names its quote "
                "(mdq:reads), the words of it that it reads (mdq:words) and how (mdq:reading)."
            )
        elif problem.kind == Kind.NOT_STATED:
            message = (
                f"The statement node {node} gives evidence for {claim}, which {where} does not "
                "state: remove the node, or state the triple in that graph."
            )
        else:
            message = (
                f"The statement node {node} gives {evidence} as evidence of {claim} {where}: "
                "it is neither a quote, an interpretation, a cited document with its address "
                "(schema:url), nor mdq:sourceRecord."
            )
        if statement is not None:
            location = sources.locate(statement, _EVIDENCE if evidence else None, None)
        else:
            location = sources.locate(subject, predicate, value)
        finding = Finding(
            Severity.VIOLATION,
            subject,
            _label(view, subject),
            predicate,
            value,
            message,
            location.file,
            location.line,
            shape,
            EVIDENCE_COMPONENT,
        )
        findings.append(finding)
        report += _result(finding)
    return findings


def _term_text(term: OxTerm) -> str:
    """A term as the data files write it: a short IRI, or a literal in Turtle syntax."""
    if isinstance(term, ox.Literal):
        if term.language:
            return f'"{term.value}"@{term.language}'
        if term.datatype.value != _XSD_STRING:
            return f'"{term.value}"^^{short_name(term.datatype.value)}'
        return f'"{term.value}"'
    if isinstance(term, ox.BlankNode):
        return str(term)
    return short_name(term.value)


def _result(finding: Finding) -> list[ox.Triple]:
    """`finding` as an sh:ValidationResult of the SHACL report (linked to the report node later)."""
    result = ox.BlankNode()
    triples = [
        ox.Triple(result, RDF_TYPE, SH.ValidationResult),
        ox.Triple(result, SH.focusNode, finding.focus_node),
    ]
    if isinstance(finding.path, ox.NamedNode):
        triples.append(ox.Triple(result, SH.resultPath, finding.path))
    if finding.value is not None:
        triples.append(ox.Triple(result, SH.value, finding.value))
    triples.append(ox.Triple(result, SH.resultMessage, ox.Literal(finding.message, language="en")))
    triples.append(ox.Triple(result, SH.resultSeverity, SH[finding.severity.value]))
    if finding.shape is not None:
        triples.append(ox.Triple(result, SH.sourceShape, finding.shape))
    if finding.constraint is not None:
        triples.append(ox.Triple(result, SH.sourceConstraintComponent, finding.constraint))
    return triples


def _finding_order(finding: Finding) -> tuple[Any, ...]:
    """Most severe first, then in the order of the files."""
    return (
        finding.severity.rank,
        finding.source_file or "~",
        finding.source_line or 0,
        finding.focus_node.value,
        _order_text(finding.path),
        _order_text(finding.value),
    )


def _order_text(term: OxTerm | PropertyPath | None) -> str:
    """A term as the order of findings reads it (an IRI or a literal's lexical form)."""
    if term is None:
        return "None"
    return term.sparql if isinstance(term, PropertyPath) else term.value


__all__ = [
    "REPORT_PREFIXES",
    "Finding",
    "PropertyPath",
    "Severity",
    "ValidationReport",
    "load_shapes",
    "short_name",
    "validate_graph",
]
