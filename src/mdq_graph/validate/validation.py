"""Validates the knowledge graph: the SHACL shapes, and every quote against its source text."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.extras.shacl import parse_shacl_path
from rdflib.namespace import SH
from rdflib.paths import Path as PropertyPath
from rdflib.query import Result
from rdflib.term import IdentifiedNode, Node

from mdq_graph.collector import collector_paused
from mdq_graph.errors import ShapesError
from mdq_graph.graph.dataset import INFERRED_GRAPH, new_dataset
from mdq_graph.graph.loader import load_dataset, load_store, ox_term, populate, rdflib_term
from mdq_graph.graph.namespaces import BASE, ID, MDQ, OA, PREFIXES, RDF, RDFS, SKOS, XSD
from mdq_graph.graph.parsing import parse_into, rdf_files
from mdq_graph.graph.resources import data_dir, ontology_file, shapes_dir, sources_dir
from mdq_graph.validate.evidence import EvidenceProblem, Kind, check_evidence
from mdq_graph.validate.quotes import QuoteProblem, check_quotes
from mdq_graph.validate.shacl_engine import ShapeSet, report
from mdq_graph.validate.shacl_shapes import UnsupportedShapes
from mdq_graph.validate.sourcemap import SourceMap

if TYPE_CHECKING:  # rdflib's SPARQL parser takes ~50 ms to import: only `validate` needs it
    from rdflib.plugins.sparql.sparql import Query

#: Our shapes; the shape and the constraint component that quote findings name (the check runs in
#: Python, against the source text, not in SHACL).
SHAPES = Namespace(BASE + "shapes#")
QUOTE_TEXT_SHAPE = SHAPES.QuoteIsVerbatimInItsSourceText
QUOTE_TEXT_COMPONENT = SHAPES.SourceTextConstraintComponent
#: The shapes and the constraint component that evidence findings name (mdq_graph.validate.evidence).
EVIDENCE_SHAPE = SHAPES.StatementHasEvidence
EVIDENCE_VALUE_SHAPE = SHAPES.EvidenceStatesTheValue
EVIDENCE_COMPONENT = SHAPES.EvidenceConstraintComponent


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
    def from_iri(cls, iri: Node | None) -> Severity:
        """The severity that sh:Violation, sh:Warning or sh:Info names (a custom one counts as Violation)."""
        name = str(iri or "").rpartition("#")[2]
        return cls(name) if name in cls._value2member_map_ else cls.VIOLATION


@dataclass(frozen=True)
class Finding:
    """One thing that is wrong with the data: where, what, and how to fix it."""

    severity: Severity
    focus_node: IdentifiedNode
    focus_label: str | None
    path: URIRef | PropertyPath | None
    value: Node | None
    message: str
    source_file: str | None = None
    source_line: int | None = None
    shape: IdentifiedNode | None = None
    constraint: URIRef | None = None
    message_ja: str | None = None


@dataclass
class ValidationReport:
    """The findings of one validation; `conforms` is false with a Violation (or a Warning if strict)."""

    conforms: bool
    findings: list[Finding]
    strict: bool = False
    #: The standard SHACL validation report (pySHACL's, with the quote findings added).
    graph: Graph = field(default_factory=Graph, repr=False)

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
        dataset = load_dataset(list(paths) if paths else None)
        graph = _run_shacl(dataset, shapes, strict, extra_shapes)
        problems = check_quotes(dataset, folder)
        evidence = check_evidence(load_store(list(paths) if paths else None))
        view = dataset
    else:
        store, graph, held = checked
        problems = check_quotes(store, folder)
        evidence = check_evidence(store)
        named = [URIRef(p.quote) for p in problems] + [
            rdflib_term(n) for p in evidence for n in (p.subject, p.evidence) if n is not None
        ]
        view = _view(store, graph, named, held)  # type: ignore[arg-type]
    findings = _shacl_findings(graph, shapes, view, sources)
    findings += _quote_findings(problems, view, folder, sources, graph)
    findings += _evidence_findings(evidence, view, sources, graph)
    findings.sort(key=_finding_order)
    conforms = not any(
        f.severity is Severity.VIOLATION or (strict and f.severity is Severity.WARNING)
        for f in findings
    )
    # SHACL's verdict, whatever the exit code: conforms if and only if there is no result at all.
    node = _report_node(graph)
    graph.set((node, SH.conforms, Literal(not any(graph.objects(node, SH.result)))))
    return ValidationReport(conforms, findings, strict, graph)


def load_shapes(extra: Iterable[Path] = ()) -> Graph:
    """The bundled shapes (every .ttl file in shapes/), with the shapes of the files `extra`; a
    reference to a property shape that no file describes is left out."""
    scratch = Dataset()
    for path in [*sorted(shapes_dir().glob("*.ttl")), *extra]:
        parse_into(scratch, path)
    shapes = Graph()
    for prefix, namespace in scratch.namespaces():
        shapes.bind(prefix, namespace, override=False)
    for s, p, o, _ in scratch.quads((None, None, None, None)):
        shapes.add((s, p, o))
    # A property shape that is referred to but not described at all constrains nothing, and pySHACL
    # refuses it: DCAT-AP 3.0.1's dcat-ap-SHACL.ttl refers to two that only its ranges.ttl defines.
    for node, shape in list(shapes.subject_objects(SH.property)):
        if not any(shapes.predicate_objects(shape)):
            shapes.remove((node, SH.property, shape))
    return shapes


def _run_engine(
    paths: Sequence[Path] | None, shapes: Graph
) -> tuple[ox.Store, Graph, dict[ox.Literal, ox.Literal]] | None:
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
    engine checks and reports what the files say."""
    store = ox.Store()
    files = list(rdf_files(list(paths) if paths else [data_dir()]))
    return store, populate(store, files, in_memory=True, as_stated=True).held_literals


def _view(
    store: ox.Store,
    report: Graph,
    quotes: Iterable[URIRef],
    held: dict[ox.Literal, ox.Literal],
) -> Dataset:
    """What the findings need to know of the data, graph by graph, as a small rdflib dataset: the
    labels of the focus nodes, the selectors of quotes, and the graphs that hold each result's triple
    (to tell a stated triple from an inferred one)."""
    view = new_dataset()

    def copy(subject: Node, predicate: URIRef | None, value: Node | None = None) -> list[Node]:
        """Copy the matching statements, each into its graph (the default graph only when no named
        graph states it); their objects."""
        named: set[tuple[Node, Node]] = set()
        in_default: set[tuple[Node, Node]] = set()
        stated = ox_term(value) if value is not None else None
        pattern = (
            ox_term(subject),
            ox_term(predicate) if predicate is not None else None,
            held.get(stated, stated) if isinstance(stated, ox.Literal) else stated,
        )
        for quad in store.quads_for_pattern(*pattern):  # type: ignore[arg-type]
            pair = (
                rdflib_term(quad.predicate),
                value if value is not None else rdflib_term(quad.object),
            )
            if isinstance(quad.graph_name, ox.DefaultGraph):
                in_default.add(pair)
            else:
                named.add(pair)
                view.graph(rdflib_term(quad.graph_name)).add((subject, *pair))  # type: ignore[arg-type]
        for pair in in_default - named:  # stated in the default graph of a file
            view.default_graph.add((subject, *pair))
        return [o for _, o in named | in_default]

    focus: set[Node] = {
        n for n in report.objects(None, SH.focusNode) if isinstance(n, URIRef | BNode)
    }
    for node in focus | set(quotes):
        for predicate in (RDFS.label, SKOS.prefLabel):
            copy(node, predicate)
        for selector in copy(node, OA.hasSelector):
            if isinstance(selector, URIRef | BNode):
                copy(selector, OA.exact)
                copy(selector, RDF.type)
    for result in report.objects(None, SH.result):
        focus_node, path = report.value(result, SH.focusNode), report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        if (
            isinstance(focus_node, URIRef | BNode)
            and isinstance(path, URIRef)
            and value is not None
        ):
            copy(focus_node, path, value)
    return view


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


def _run_shacl(dataset: Dataset, shapes: Graph, strict: bool, extra: Sequence[Path]) -> Graph:
    """pySHACL's validation report for `dataset` (validated in place: nothing is inferred)."""
    # Imported here: only validation needs pySHACL, and importing it slows every other command.
    from pyshacl import validate as shacl_validate
    from pyshacl.errors import ReportableRuntimeError

    data = _PreparedQueries(store=dataset.store, default_union=True)
    # pySHACL logs to stderr as well as raising; the core never prints, the CLI says it once.
    log = logging.getLogger("pyshacl-validate")
    was_disabled, log.disabled = log.disabled, True
    try:
        _, report, text = shacl_validate(
            data,
            shacl_graph=shapes,
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
    return report


def _report_node(graph: Graph) -> Node:
    """The sh:ValidationReport node of a report graph."""
    node = graph.value(None, RDF.type, SH.ValidationReport)
    if node is None:
        node = BNode()
        graph.add((node, RDF.type, SH.ValidationReport))
    return node


def _shacl_findings(
    graph: Graph, shapes: Graph, dataset: Dataset, sources: SourceMap
) -> list[Finding]:
    """The report's results as findings: one per shape, focus node and value; none repeated by the
    inferred view (a result on schema:name that repeats one on the rdfs:label it comes from)."""
    merged: dict[tuple[object, ...], Finding] = {}
    for result in graph.objects(_report_node(graph), SH.result):
        focus = graph.value(result, SH.focusNode)
        if not isinstance(focus, IdentifiedNode):
            continue
        path_node = graph.value(result, SH.resultPath)
        path = _path(graph, path_node)
        value = graph.value(result, SH.value)
        if value == focus and path_node is not None:
            value = None  # a node-level rule reports the focus node itself as its value
        shape = graph.value(result, SH.sourceShape)
        english, japanese = _messages(graph, result, shapes, shape)
        location = sources.locate(focus, path if isinstance(path, URIRef) else None, value)
        finding = Finding(
            Severity.from_iri(graph.value(result, SH.resultSeverity)),
            focus,
            _label(dataset, focus),
            path,
            value,
            english,
            location.file,
            location.line,
            shape if isinstance(shape, IdentifiedNode) else None,
            _uri(graph.value(result, SH.sourceConstraintComponent)),
            japanese,
        )
        key = (focus, path_node if isinstance(path_node, URIRef) else str(path), value, shape)
        known = merged.get(key)
        if known is None or finding.severity.rank < known.severity.rank:
            merged[key] = finding
    return _without_inferred_repeats(list(merged.values()), dataset)


def _without_inferred_repeats(findings: list[Finding], dataset: Dataset) -> list[Finding]:
    """Drop a finding on an inferred triple when a finding on a stated triple has its focus and value."""
    on_triple = [f.value is not None and isinstance(f.path, URIRef) for f in findings]
    stated = [on and _is_stated(dataset, f) for on, f in zip(on_triple, findings, strict=True)]
    covered = {(f.focus_node, f.value) for f, s in zip(findings, stated, strict=True) if s}
    return [
        f
        for f, on, s in zip(findings, on_triple, stated, strict=True)
        if not on or s or (f.focus_node, f.value) not in covered
    ]


def _is_stated(dataset: Dataset, finding: Finding) -> bool:
    """Whether the finding's triple is in a graph other than the inferred one."""
    triple = (finding.focus_node, finding.path, finding.value)
    return any(
        (g.identifier if isinstance(g, Graph) else g) != INFERRED_GRAPH
        for _, _, _, g in dataset.quads(triple)  # type: ignore[arg-type]
    )


def _path(graph: Graph, node: Node | None) -> URIRef | PropertyPath | None:
    """A result path as an IRI or an rdflib property path."""
    if node is None:
        return None
    if isinstance(node, URIRef):
        return node
    try:
        return parse_shacl_path(graph, node)
    except TypeError:
        return None


def _uri(node: Node | None) -> URIRef | None:
    """`node` if it is an IRI."""
    return node if isinstance(node, URIRef) else None


def _messages(
    graph: Graph, result: Node, shapes: Graph, shape: Node | None
) -> tuple[str, str | None]:
    """The English and the Japanese message of a result, the most specific first: a SPARQL
    constraint's own message rather than its shape's general one.

    pySHACL fills a message's {?var} with full IRIs and drops its language tag; each message is
    matched against the sh:message templates it can come from, to learn its language and to fill it
    again with short names (<meeting/mdq-7>, mdq:ordinal).
    """
    constraint = graph.value(result, SH.sourceConstraint)
    specific = [m for m in graph.objects(constraint, SH.message) if isinstance(m, Literal)]
    general = [m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)]
    ranked: list[tuple[int, str | None, str]] = []
    for message in graph.objects(result, SH.resultMessage):
        if not isinstance(message, Literal):
            continue
        rank, template, text = 0, *_reword(str(message), specific)
        if template is None:
            rank, template, text = 1, *_reword(str(message), general)
        language = message.language or (template.language if template is not None else None)
        ranked.append((rank, language, text))
    ranked.sort(key=lambda item: item[0])
    english = [text for _, language, text in ranked if language in (None, "en")]
    japanese = [text for _, language, text in ranked if language == "ja"]
    default = "The data does not conform to this shape."
    return (english or [text for _, _, text in ranked] or [default])[0], next(iter(japanese), None)


_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")


def _reword(message: str, templates: list[Literal]) -> tuple[Literal | None, str]:
    """The template `message` was filled in from, and the message filled again with short names."""
    for template in templates:
        match = _template_pattern(str(template)).fullmatch(message)
        if match is not None:
            values = match.groupdict()
            filled = _PLACEHOLDER.sub(lambda m, v=values: short_name(v[m[1]]), str(template))  # type: ignore[misc]
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
_SHORT_PREFIXES = sorted(
    {**{p: str(ns) for p, ns in PREFIXES.items()}, "sh": str(SH), "shapes": str(SHAPES)}.items(),
    key=lambda item: -len(item[1]),
)
_IRI = re.compile(r"[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]+")
_LOCAL_NAME = re.compile(r"[A-Za-z_][\w-]*")


def _label(dataset: Dataset, node: Node) -> str | None:
    """The English label of `node`, else a Japanese one, else any; for a quote, its opening words."""
    labels = [
        label
        for p in (RDFS.label, SKOS.prefLabel)
        for label in dataset.objects(node, p)
        if isinstance(label, Literal)
    ]
    for language in ("en", "ja", None):
        for label in labels:
            if language is None or label.language == language:
                return str(label)
    for selector in dataset.objects(node, OA.hasSelector):
        exact = dataset.value(selector, OA.exact)
        if exact is not None:
            text = " ".join(str(exact).split())
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
    problems: list[QuoteProblem], dataset: Dataset, folder: Path, sources: SourceMap, graph: Graph
) -> list[Finding]:
    """A finding for every quote that is not verbatim at its offsets in its source text (quotes
    whose text is not in `folder` cannot be checked and are left to the shapes)."""
    findings = []
    for problem in problems:
        quote = URIRef(problem.quote)
        if not (folder / problem.file).is_file():
            continue
        selector = next(
            (
                s
                for s in dataset.objects(quote, OA.hasSelector)
                if (s, RDF.type, OA.TextPositionSelector) in dataset
            ),
            None,
        )
        location = sources.locate(selector, OA.start, None) if selector is not None else None
        message = (
            f"The quote is not verbatim in {problem.file}: {problem.message}. Correct oa:start "
            "and oa:end (Unicode code points), or oa:exact, oa:prefix and oa:suffix, so that they "
            "match the source text."
        )
        finding = Finding(
            Severity.VIOLATION,
            quote,
            _label(dataset, quote),
            OA.hasSelector,
            selector,
            message,
            location.file if location else None,
            location.line if location else None,
            QUOTE_TEXT_SHAPE,
            QUOTE_TEXT_COMPONENT,
        )
        findings.append(finding)
        _add_result(graph, finding)
    return findings


def _evidence_findings(
    problems: list[EvidenceProblem], dataset: Dataset, sources: SourceMap, graph: Graph
) -> list[Finding]:
    """A finding for every statement without evidence, or whose evidence does not state it: on the
    statement's triple, located at the statement node where there is one (else at the triple)."""
    findings = []
    for problem in problems:
        subject, predicate, value = (
            rdflib_term(problem.subject),
            rdflib_term(problem.predicate),
            rdflib_term(problem.object),
        )
        claim = f"{short_name(str(subject))} {short_name(str(predicate))} {_term_text(value)}"
        where = f"in {short_name(problem.graph.value)}"
        statement = rdflib_term(problem.statement) if problem.statement is not None else None
        evidence = short_name(problem.evidence.value) if problem.evidence is not None else ""
        node = short_name(str(statement)) if statement is not None else ""
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
            location = sources.locate(statement, MDQ.evidence if evidence else None, None)
        else:
            location = sources.locate(subject, predicate, value)
        finding = Finding(
            Severity.VIOLATION,
            subject,  # type: ignore[arg-type]
            _label(dataset, subject),
            predicate,  # type: ignore[arg-type]
            value,
            message,
            location.file,
            location.line,
            shape,
            EVIDENCE_COMPONENT,
        )
        findings.append(finding)
        _add_result(graph, finding)
    return findings


def _term_text(term: Node) -> str:
    """A term as the data files write it: a short IRI, or a literal in Turtle syntax."""
    if isinstance(term, Literal):
        if term.language:
            return f'"{term}"@{term.language}'
        if term.datatype is not None and term.datatype != XSD.string:
            return f'"{term}"^^{short_name(str(term.datatype))}'
        return f'"{term}"'
    return short_name(str(term))


def _add_result(graph: Graph, finding: Finding) -> None:
    """Add `finding` to the SHACL report graph as an sh:ValidationResult."""
    result = BNode()
    graph.add((_report_node(graph), SH.result, result))
    graph.add((result, RDF.type, SH.ValidationResult))
    graph.add((result, SH.focusNode, finding.focus_node))
    if isinstance(finding.path, URIRef):
        graph.add((result, SH.resultPath, finding.path))
    if finding.value is not None:
        graph.add((result, SH.value, finding.value))
    graph.add((result, SH.resultMessage, Literal(finding.message, lang="en")))
    graph.add((result, SH.resultSeverity, SH[finding.severity.value]))
    if finding.shape is not None:
        graph.add((result, SH.sourceShape, finding.shape))
    if finding.constraint is not None:
        graph.add((result, SH.sourceConstraintComponent, finding.constraint))


def _finding_order(finding: Finding) -> tuple[Any, ...]:
    """Most severe first, then in the order of the files."""
    return (
        finding.severity.rank,
        finding.source_file or "~",
        finding.source_line or 0,
        str(finding.focus_node),
        str(finding.path),
        str(finding.value),
    )


__all__ = [
    "Finding",
    "Severity",
    "ValidationReport",
    "load_shapes",
    "short_name",
    "validate_graph",
]
