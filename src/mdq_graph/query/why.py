"""`mdq-graph why`: each statement that matches a pattern, with its graph and its evidence.

Evidence is read from the statement nodes of evidenced graphs (docs/evidence.md): a quote (its
words, where they are in the source text, the source and its address), an interpretation (the words
it reads and how), a cited document, or the project's record of its source. Statements about the
graph's own structure say so; a graph that is not evidenced statement by statement takes its
statements from its source as a whole (the reference table).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

import pyoxigraph as ox

from mdq_graph.errors import UsageError
from mdq_graph.graph.namespaces import ID, PREFIXES

#: Graphs `why` does not answer from: the ontology (definitions, not statements of a source) and
#: the inferred view (entailed by the ontology, not stated).
_NOT_SOURCES = {str(PREFIXES["graph"]) + "ontology", str(PREFIXES["graph"]) + "inferred"}
_XSD = "http://www.w3.org/2001/XMLSchema#"


class UnknownTermError(UsageError):
    """A term of the pattern the data does not use, or a pattern no statement matches."""


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence of a statement, in the layout of `why --format json`."""

    kind: str  # quote, interpretation, document, reference, structure
    source: str | None = None
    url: str | None = None
    language: str | None = None
    exact: str | None = None
    start: int | None = None
    end: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class Explained:
    """A statement, the graph that states it, and its evidence (empty when it has none)."""

    subject: str
    predicate: str
    object: str  # in N-Triples syntax
    graph: str
    evidence: list[Evidence] = field(default_factory=list)


# --- Terms -----------------------------------------------------------------------------------------

_LITERAL = re.compile(
    r'^"((?:[^"\\]|\\.)*)"(?:@([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)|\^\^(\S+))?$', re.DOTALL
)
_PREFIXED = re.compile(r"^([A-Za-z][\w.-]*)?:([^\s<>\"]*)$")
_SCHEMES = ("http://", "https://", "urn:", "tel:", "mailto:")


def parse_term(text: str, *, literal: bool = False) -> ox.NamedNode | ox.Literal:
    """A term as the command line gives it: a full IRI (with or without <>), an IRI relative to the
    id/ base (meeting/mdq-7), a prefixed name (schema:startDate), or where `literal` a literal in
    Turtle syntax ("2025-09-10"^^xsd:date, "日本"@ja, 13). `UsageError` for bad syntax."""
    text = text.strip()
    if not text:
        raise UsageError("an empty term: give an IRI, a prefixed name or (as OBJECT) a literal")
    if text.startswith('"'):
        if not literal:
            raise UsageError(f"{text}: only OBJECT may be a literal")
        return _literal(text)
    if literal and re.fullmatch(r"[+-]?\d+", text):
        return ox.Literal(text, datatype=ox.NamedNode(_XSD + "integer"))
    if literal and text in ("true", "false"):
        return ox.Literal(text, datatype=ox.NamedNode(_XSD + "boolean"))
    if text.startswith("<") and text.endswith(">"):
        iri = text[1:-1]
        return _iri(iri if re.match(r"^[A-Za-z][\w+.-]*:", iri) else str(ID) + iri, text)
    if text.startswith(_SCHEMES):
        return _iri(text, text)
    match = _PREFIXED.match(text)
    if match is not None:
        prefix = match[1] or ""
        if prefix not in PREFIXES:
            known = ", ".join(sorted(PREFIXES))
            raise UsageError(f"{text}: unknown prefix {prefix!r} (known: {known})")
        return _iri(str(PREFIXES[prefix]) + match[2], text)
    return _iri(str(ID) + text, text)


def _iri(iri: str, shown: str) -> ox.NamedNode:
    """A named node, or `UsageError` saying what is wrong with `shown`."""
    try:
        return ox.NamedNode(iri)
    except ValueError as err:
        raise UsageError(f"{shown}: not an IRI ({err})") from None


def _literal(text: str) -> ox.Literal:
    """A literal in Turtle syntax."""
    match = _LITERAL.match(text)
    if match is None:
        raise UsageError(f'{text}: not a literal in Turtle syntax (e.g. "2025-09-10"^^xsd:date)')
    try:
        value = json.loads('"' + match[1] + '"')
    except json.JSONDecodeError:
        raise UsageError(f"{text}: a bad escape in the literal") from None
    if match[2]:
        return ox.Literal(value, language=match[2].lower())
    if match[3]:
        datatype = parse_term(match[3])
        assert isinstance(datatype, ox.NamedNode)
        return ox.Literal(value, datatype=datatype)
    return ox.Literal(value)


# --- Statements and their evidence ------------------------------------------------------------------

_PREFIXES = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in ("mdq", "oa", "rdf", "schema", "dct"))

_EVIDENCE = (
    _PREFIXES
    + """
SELECT ?evidence ?kind ?source ?url ?language ?exact ?start ?end ?words ?reading
       ?locator ?published ?retrieved ?publisher WHERE {
  GRAPH ?graph {
    ?statement rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; mdq:evidence ?evidence .
  }
  {
    ?evidence a mdq:Quote . BIND ("quote" AS ?kind) BIND (?evidence AS ?quote)
  } UNION {
    ?evidence a mdq:Interpretation ; mdq:reads ?quote ; mdq:words ?words .
    OPTIONAL { ?evidence mdq:reading ?reading }
    BIND ("interpretation" AS ?kind)
  } UNION {
    ?evidence a mdq:DocumentCitation ; schema:url ?url .
    OPTIONAL { ?evidence mdq:locator ?locator }
    OPTIONAL { ?evidence schema:datePublished ?published }
    OPTIONAL { ?evidence mdq:dateRetrieved ?retrieved }
    OPTIONAL { ?evidence schema:publisher ?publisher }
    OPTIONAL { ?evidence schema:inLanguage ?language }
    BIND ("document" AS ?kind) BIND (?evidence AS ?source)
  } UNION {
    ?evidence a mdq:SourceRecord . BIND ("structure" AS ?kind)
    OPTIONAL { GRAPH ?graph { ?graph dct:source ?source } }
    OPTIONAL { ?source schema:url ?url }
  }
  OPTIONAL {
    FILTER (?kind IN ("quote", "interpretation"))
    ?quote oa:hasSelector ?q . ?q oa:exact ?exact .
    OPTIONAL { ?quote oa:hasSelector ?position . ?position oa:start ?start ; oa:end ?end }
    OPTIONAL {
      ?quote oa:hasSource/mdq:textOf ?source .
      OPTIONAL { ?source schema:url ?url }
      OPTIONAL { ?source schema:inLanguage ?language }
    }
  }
}
ORDER BY ?kind ?evidence
"""
)

_GRAPH = (
    _PREFIXES
    + """
SELECT ?evidenced ?source ?reference ?url ?language WHERE {
  OPTIONAL { GRAPH ?graph { ?graph a mdq:EvidencedGraph } BIND (true AS ?evidenced) }
  OPTIONAL {
    GRAPH ?graph { ?graph dct:source ?source }
    OPTIONAL { ?source a mdq:ReferenceTable BIND (true AS ?reference) }
    OPTIONAL { ?source schema:url ?url }
    OPTIONAL { ?source schema:inLanguage ?language }
  }
}
"""
)

_STRUCTURAL = (
    _PREFIXES
    + """
SELECT ?class WHERE {
  { GRAPH ?graph { ?s a rdf:Statement } BIND (rdf:Statement AS ?class) }
  UNION
  { GRAPH ?graph { ?s a ?class } ?class mdq:structural true }
}
LIMIT 1
"""
)


def why(
    store: ox.Store,
    subject: str,
    predicate: str | None = None,
    obj: str | None = None,
) -> list[Explained]:
    """Each statement of a source graph that matches the pattern, with its evidence.

    `UsageError` for bad syntax, `UnknownTermError` for a term no source graph uses in that place
    or a pattern that matches no statement."""
    s = parse_term(subject)
    p = parse_term(predicate) if predicate is not None else None
    o = parse_term(obj, literal=True) if obj is not None else None
    for term, place, given in ((s, "subject", subject), (p, "predicate", predicate)):
        if term is not None and not _used(store, term, place):
            raise UnknownTermError(f"{given}: no source graph has it as a {place}")
    if o is not None and not _used(store, o, "object"):
        raise UnknownTermError(f"{obj}: no source graph has it as an object")
    assert not isinstance(s, ox.Literal) and not isinstance(p, ox.Literal)
    quads = sorted(
        (q for q in store.quads_for_pattern(s, p, o, None) if _is_source(q.graph_name)),
        key=lambda q: (q.graph_name.value, q.predicate.value, str(q.object)),  # type: ignore[union-attr]
    )
    if not quads:
        shown = " ".join(t for t in (subject, predicate, obj) if t is not None)
        raise UnknownTermError(f"{shown}: no source graph states this")
    graphs: dict[str, list[Evidence]] = {}
    return [_explained(store, q, graphs) for q in quads]


def _used(store: ox.Store, term: ox.NamedNode | ox.Literal, place: str) -> bool:
    """Whether a source graph has `term` in `place`."""
    if place == "subject":
        if isinstance(term, ox.Literal):
            return False
        found: Iterable[ox.Quad] = store.quads_for_pattern(term, None, None, None)
    elif place == "predicate":
        if isinstance(term, ox.Literal):
            return False
        found = store.quads_for_pattern(None, term, None, None)
    else:
        found = store.quads_for_pattern(None, None, term, None)
    return any(_is_source(q.graph_name) for q in found)


def _is_source(graph: object) -> bool:
    """Whether `graph` is a named graph of a source (not the ontology, the inferred view, or the
    default graph)."""
    return isinstance(graph, ox.NamedNode) and graph.value not in _NOT_SOURCES


def _explained(store: ox.Store, quad: ox.Quad, graphs: dict[str, list[Evidence]]) -> Explained:
    """A quad with its evidence."""
    graph = quad.graph_name
    assert isinstance(graph, ox.NamedNode)
    bindings = {"s": quad.subject, "p": quad.predicate, "o": quad.object, "graph": graph}
    if graph.value not in graphs:
        graphs[graph.value] = _graph_evidence(store, graph)
    whole = graphs[graph.value]
    evidence: list[Evidence]
    if whole and whole[0].kind != "structure":
        evidence = whole  # a graph that takes every statement from its source as a whole
    elif _structural(store, quad):
        evidence = [Evidence("structure", note=_structure_note(store, quad))]
    else:
        evidence = _statement_evidence(store, bindings)
    return Explained(
        quad.subject.value,  # type: ignore[union-attr]
        quad.predicate.value,
        str(quad.object),
        graph.value,
        evidence,
    )


def _select(store: ox.Store, query: str, bindings: Mapping[str, object]) -> list[ox.QuerySolution]:
    """The solutions of `query` with `bindings` given as a VALUES block at the start of its WHERE
    clause (terms in N-Triples syntax, which SPARQL reads)."""
    names = " ".join(f"?{k}" for k in bindings)
    values = " ".join(str(v) for v in bindings.values())
    head, _, body = query.partition("WHERE {")
    result = store.query(f"{head}WHERE {{\n  VALUES ({names}) {{ ({values}) }}{body}")
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _graph_evidence(store: ox.Store, graph: ox.NamedNode) -> list[Evidence]:
    """For a graph that is not evidenced statement by statement, its source as the evidence of
    every statement; for an evidenced one, a marker (kind structure, empty)."""
    rows = _select(store, _GRAPH, {"graph": graph})
    if any(r["evidenced"] is not None for r in rows):
        return [Evidence("structure")]
    found = []
    for r in rows:
        if r["source"] is None:
            continue
        kind = "reference" if r["reference"] is not None else "document"
        name = "table" if kind == "reference" else "source"
        found.append(
            Evidence(
                kind,
                source=r["source"].value,
                url=r["url"].value if r["url"] is not None else None,
                language=r["language"].value if r["language"] is not None else None,
                note=f"every statement of {graph.value} is taken from this {name} as a whole",
            )
        )
    return sorted(set(found), key=lambda e: e.source or "")


def _structural(store: ox.Store, quad: ox.Quad) -> bool:
    """Whether the quad is about the graph's own structure."""
    return bool(_select(store, _STRUCTURAL, {"s": quad.subject, "graph": quad.graph_name}))


def _structure_note(store: ox.Store, quad: ox.Quad) -> str:
    """What the structural statement is about."""
    rows = _select(store, _STRUCTURAL, {"s": quad.subject, "graph": quad.graph_name})
    cls = rows[0]["class"].value if rows else ""
    return f"about the graph's own structure (a {_short(cls)})"


def _short(iri: str) -> str:
    """An IRI as a prefixed name where one fits."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(str(namespace)) and prefix != "id":
            return f"{prefix}:{iri[len(str(namespace)) :]}"
    return f"<{iri}>"


def _statement_evidence(store: ox.Store, bindings: Mapping[str, object]) -> list[Evidence]:
    """The evidence the statement nodes of the quad's graph give it."""
    found: dict[str, Evidence] = {}
    for r in _select(store, _EVIDENCE, bindings):

        def value(name: str, row: ox.QuerySolution = r) -> str | None:
            term = row[name]
            return term.value if term is not None else None

        kind = value("kind") or ""
        exact, start, end, note = value("exact"), value("start"), value("end"), None
        begin = int(start) if start is not None else None
        finish = int(end) if end is not None else None
        if kind == "interpretation":
            words = value("words") or ""
            at = exact.find(words) if exact is not None else -1
            begin = begin + at if begin is not None and at >= 0 else None
            finish = begin + len(words) if begin is not None else None
            exact, note = words, value("reading")
        elif kind == "document":
            parts = [value("locator")]
            parts += [f"published by {value('publisher')}" if value("publisher") else None]
            parts += [f"published {value('published')}" if value("published") else None]
            parts += [f"retrieved {value('retrieved')}" if value("retrieved") else None]
            note = "; ".join(p for p in parts if p)
        elif kind == "structure":
            note = "the project's record of its source"
        evidence = Evidence(
            kind,
            source=value("source"),
            url=value("url"),
            language=value("language"),
            exact=exact,
            start=begin,
            end=finish,
            note=note,
        )
        found.setdefault(value("evidence") or "", evidence)
    return list(found.values())


# --- Rendering --------------------------------------------------------------------------------------


def render_json(explained: list[Explained]) -> str:
    """`why --format json`: a JSON array, one object per statement."""
    return json.dumps([asdict(e) for e in explained], ensure_ascii=False, indent=2) + "\n"


def render_text(explained: list[Explained]) -> str:
    """`why --format text`: each statement, then its evidence, indented."""
    lines: list[str] = []
    for item in explained:
        shown_object = _shown_object(item.object)
        lines.append(
            f"{_relative(item.subject)} {_short_or_relative(item.predicate)} {shown_object}"
            f"  [{_short(item.graph)}]"
        )
        if not item.evidence:
            lines.append("  no evidence")
        for e in item.evidence:
            where = f" {e.start}-{e.end}" if e.start is not None else ""
            language = f" ({e.language})" if e.language else ""
            source = _relative(e.source) if e.source else ""
            lines.append(f"  {e.kind}: {source}{language}{where}".rstrip())
            if e.exact:
                lines.append(f"    “{' '.join(e.exact.split())}”")
            if e.note:
                lines.append(f"    {e.note}")
            if e.url:
                lines.append(f"    {e.url}")
        lines.append("")
    return "\n".join(lines)


def _relative(iri: str) -> str:
    """An IRI under the id/ base as <meeting/mdq-7>, another as a prefixed name or <iri>."""
    if iri.startswith(str(ID)):
        return f"<{iri[len(str(ID)) :]}>"
    return _short(iri)


def _short_or_relative(iri: str) -> str:
    """A predicate as a prefixed name."""
    return _relative(iri)


def _shown_object(nt: str) -> str:
    """An object in N-Triples syntax, with IRIs shortened."""
    if nt.startswith("<") and nt.endswith(">"):
        return _relative(nt[1:-1])
    match = re.match(r'^(".*")\^\^<([^>]+)>$', nt, re.DOTALL)
    if match is not None:
        return f"{match[1]}^^{_short(match[2])}"
    return nt


def has_unevidenced(explained: list[Explained]) -> bool:
    """Whether a statement has no evidence."""
    return any(not e.evidence for e in explained)


__all__ = [
    "Evidence",
    "Explained",
    "UnknownTermError",
    "has_unevidenced",
    "parse_term",
    "render_json",
    "render_text",
    "why",
]
