"""Checks the evidence of every statement: each triple of an evidenced graph has a statement node
whose evidence states it (docs/evidence.md).

Set at a time, over a pyoxigraph store, with or without the union in its default graph (the
queries read the union of all graphs, `use_default_graph_as_union`; Oxigraph's is a bag, a triple
stated in two graphs matching twice, so each pattern outside a GRAPH is read through a SELECT
DISTINCT of all its variables, the path's middle nodes written out: the solutions of SPARQL over
the set union). One SPARQL query finds the statements without evidence,
one the quoted evidence whose words do not contain the plain value (a literal, or a label of the
object IRI); only the few rows it returns (dates and numbers, written in words the query cannot
compare) are read again in Python, with `value_in_words`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from mdq_graph.graph.namespaces import PREFIXES

_PREFIXES = "".join(
    f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in ("mdq", "oa", "rdf", "rdfs", "skos", "schema")
)

#: The statements of evidenced graphs that no statement node of their graph gives evidence for,
#: leaving out those about the graph's own structure (a subject of a class marked mdq:structural,
#: or a statement node).
UNEVIDENCED = (
    _PREFIXES
    + """
SELECT ?graph ?s ?p ?o WHERE {
  GRAPH ?graph { ?graph a mdq:EvidencedGraph . ?s ?p ?o }
  MINUS { GRAPH ?graph { ?s a rdf:Statement } }
  MINUS { GRAPH ?graph { ?s a ?class } ?class mdq:structural true }
  MINUS {
    GRAPH ?graph { ?statement rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; mdq:evidence ?any }
  }
}
"""
)
# MINUS, not FILTER NOT EXISTS: Oxigraph evaluates it as one anti-join rather than a lookup per
# triple (1.7 s instead of 41 s at 10^6 triples).

#: The quoted evidence of each statement whose words hold neither the literal (in the quote's
#: language) nor a label of the object IRI; the rows Python reads again.
QUOTED_WITHOUT_VALUE = (
    _PREFIXES
    + """
SELECT ?graph ?statement ?s ?p ?o ?quote ?exact ?language WHERE {
  GRAPH ?graph {
    ?graph a mdq:EvidencedGraph .
    ?statement rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; mdq:evidence ?quote .
  }
  { SELECT DISTINCT ?quote ?selector ?exact WHERE {
      ?quote a mdq:Quote ; oa:hasSelector ?selector . ?selector oa:exact ?exact } }
  OPTIONAL { SELECT DISTINCT ?quote ?source ?text ?language WHERE {
      ?quote oa:hasSource ?source . ?source mdq:textOf ?text . ?text schema:inLanguage ?language } }
  FILTER NOT EXISTS {
    FILTER (isLiteral(?o) && CONTAINS(?exact, STR(?o))
            && (LANG(?o) = "" || !BOUND(?language) || LANGMATCHES(LANG(?o), ?language)))
  }
  FILTER NOT EXISTS {
    ?o rdfs:label|skos:prefLabel|skos:altLabel ?label .
    FILTER (!BOUND(?language) || LANG(?label) = "" || LANGMATCHES(LANG(?label), ?language))
    FILTER (CONTAINS(LCASE(?exact), LCASE(STR(?label))))
  }
}
"""
)

#: Interpretations and the words they read: each row one that names no quote, no words, no
#: reading, or words its quote does not contain.
INTERPRETATIONS = (
    _PREFIXES
    + """
SELECT ?graph ?statement ?s ?p ?o ?interpretation ?quote ?words ?exact ?reading WHERE {
  GRAPH ?graph {
    ?graph a mdq:EvidencedGraph .
    ?statement rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; mdq:evidence ?interpretation .
  }
  { SELECT DISTINCT ?interpretation WHERE { ?interpretation a mdq:Interpretation } }
  OPTIONAL {
    { SELECT DISTINCT ?interpretation ?quote WHERE { ?interpretation mdq:reads ?quote } }
    OPTIONAL { SELECT DISTINCT ?quote ?selector ?exact WHERE {
        ?quote oa:hasSelector ?selector . ?selector oa:exact ?exact } }
  }
  OPTIONAL { SELECT DISTINCT ?interpretation ?words WHERE { ?interpretation mdq:words ?words } }
  OPTIONAL { SELECT DISTINCT ?interpretation ?reading WHERE { ?interpretation mdq:reading ?reading } }
  FILTER (!BOUND(?quote) || !BOUND(?words) || !BOUND(?reading) || !BOUND(?exact)
          || !CONTAINS(?exact, ?words))
}
"""
)

#: Evidence of a kind `validate` does not know (neither a quote, a cited document, nor an
#: interpretation): it cannot be checked, so it does not count.
UNKNOWN_KIND = (
    _PREFIXES
    + """
SELECT ?graph ?statement ?s ?p ?o ?evidence WHERE {
  GRAPH ?graph {
    ?graph a mdq:EvidencedGraph .
    ?statement rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; mdq:evidence ?evidence .
  }
  FILTER NOT EXISTS { ?evidence a mdq:Quote }
  FILTER NOT EXISTS { ?evidence a mdq:Interpretation }
  FILTER NOT EXISTS { ?evidence a mdq:DocumentCitation ; schema:url ?address }
  FILTER NOT EXISTS { ?evidence a mdq:SourceRecord }
}
"""
)


#: Statement nodes of evidenced graphs for a triple their graph does not state: evidence for a claim
#: the graph does not make.
NOT_STATED = (
    _PREFIXES
    + """
SELECT ?graph ?statement ?s ?p ?o ?evidence WHERE {
  GRAPH ?graph {
    ?graph a mdq:EvidencedGraph .
    ?statement a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
    OPTIONAL { ?statement mdq:evidence ?evidence }
    FILTER NOT EXISTS { ?s ?p ?o }
  }
}
"""
)


class Kind:
    """What is wrong with a statement's evidence."""

    MISSING = "missing"
    VALUE_NOT_IN_QUOTE = "value-not-in-quote"
    INTERPRETATION_WITHOUT_WORDS = "interpretation-without-words"
    UNKNOWN_EVIDENCE = "unknown-evidence"
    NOT_STATED = "statement-not-stated"


@dataclass(frozen=True)
class EvidenceProblem:
    """One statement whose evidence is missing or does not state it."""

    kind: str
    graph: ox.NamedNode
    subject: ox.NamedNode | ox.BlankNode
    predicate: ox.NamedNode
    object: ox.NamedNode | ox.BlankNode | ox.Literal
    statement: ox.NamedNode | ox.BlankNode | None = None
    evidence: ox.NamedNode | ox.BlankNode | None = None
    detail: str = ""


def check_evidence(store: ox.Store) -> list[EvidenceProblem]:
    """Every statement of the store's evidenced graphs without evidence, or with evidence that does
    not state it."""
    problems = [_problem(Kind.MISSING, r, False) for r in _select(store, UNEVIDENCED)]
    for r in _select(store, QUOTED_WITHOUT_VALUE):
        language = r["language"].value if r["language"] is not None else None
        if not value_in_words(r["exact"].value, language, r["o"], ()):  # else a date or a number
            problems.append(_problem(Kind.VALUE_NOT_IN_QUOTE, r, True, r["quote"]))
    for r in _select(store, INTERPRETATIONS):
        names = (("mdq:reads", "quote"), ("mdq:words", "words"), ("mdq:reading", "reading"))
        missing = [name for name, key in names if r[key] is None]
        if missing:
            detail = f"it names no {', '.join(missing)}"
        elif r["exact"] is None:
            detail = f"{_short(r['quote'])} is not a quote with oa:exact words"
        else:
            detail = f"the words “{r['words'].value}” are not in {_short(r['quote'])}"
        problems.append(
            _problem(Kind.INTERPRETATION_WITHOUT_WORDS, r, True, r["interpretation"], detail)
        )
    problems += [
        _problem(Kind.UNKNOWN_EVIDENCE, r, True, r["evidence"])
        for r in _select(store, UNKNOWN_KIND)
    ]
    problems += [
        _problem(Kind.NOT_STATED, r, True, r["evidence"]) for r in _select(store, NOT_STATED)
    ]
    return problems


def _problem(
    kind: str,
    row: ox.QuerySolution,
    with_statement: bool = True,
    evidence: Any = None,
    detail: str = "",
) -> EvidenceProblem:
    """A problem of `kind` with the statement of a solution (?graph ?s ?p ?o, and ?statement)."""
    statement = row["statement"] if with_statement else None
    return EvidenceProblem(
        kind, row["graph"], row["s"], row["p"], row["o"], statement, evidence, detail
    )


def _select(store: ox.Store, query: str) -> Iterable[ox.QuerySolution]:
    """The solutions of a SELECT query over the union of the store's graphs."""
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _short(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    """A term as the data files write it."""
    if isinstance(term, ox.NamedNode) and term.value.startswith(PREFIXES["id"]):
        return f"<{term.value[len(PREFIXES['id']) :]}>"
    return str(term)


# --- Written forms of values ---------------------------------------------------------------------

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMBERS = {
    f"{_XSD}{t}"
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "decimal",
        "nonNegativeInteger",
        "positiveInteger",
        "gYear",
    )
}
_SPACE = re.compile(r"\s+")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def normalized(text: str) -> str:
    """`text` with its runs of white space as one space and full-width digits as ASCII ones."""
    return _SPACE.sub(" ", text.translate(_FULL_WIDTH)).strip()


def value_in_words(words: str, language: str | None, value: object, labels: Iterable[str]) -> bool:
    """Whether `words` (in `language`) state `value`: a literal's text (in that language), a date
    or a number in a written form ("September 10 to 12, 2025", "9月10日", "13 countries",
    "13か国"), or for an IRI one of its `labels` (any case)."""
    text = normalized(words)
    if isinstance(value, ox.Literal):
        if value.language and language and not _same_language(value.language, language):
            return False
        datatype = value.datatype.value if not value.language else ""
        if datatype == f"{_XSD}date":
            return _date_in(text, value.value)
        if datatype in _NUMBERS:
            return re.search(rf"(?<![\d.]){re.escape(value.value)}(?![\d])", text) is not None
        if datatype == f"{_XSD}boolean":
            return False
        return normalized(value.value) in text
    folded = text.casefold()
    if isinstance(value, ox.NamedNode) and value.value.startswith("tel:"):
        return value.value[4:] in text
    return any(normalized(label).casefold() in folded for label in labels if label.strip())


def _same_language(tag: str, language: str) -> bool:
    """Whether a language tag is `language` or one of its subtags."""
    tag, language = tag.lower(), language.lower()
    return tag == language or tag.startswith(language + "-")


def _date_in(text: str, iso: str) -> bool:
    """Whether a written form of the xsd:date `iso` is in `text`: the day and the month, in English
    ("September 10", "10 September", "September 10 to 12", "September 8–9") or in Japanese
    ("9月10日", "9月10日(水)から12日"); the year may be written elsewhere in the source."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso)
    if match is None:
        return iso in text
    month, day = int(match[2]), int(match[3])
    name = _MONTHS[month - 1]
    range_en = r"(?:\d{1,2}\s*(?:to|–|-|and|&)\s*)?"
    english = rf"\b{name}\s+{range_en}{day}\b|\b{day}\s+{name}\b|\b{day}(?:\s*(?:–|-|to)\s*\d{{1,2}})?\s+{name}\b"
    range_ja = r"(?:\d{1,2}日(?:[(（][^)）]*[)）])?\s*(?:から|～|〜|~|－|-|–)\s*)?"
    japanese = rf"(?<!\d){month}月{range_ja}{day}日"
    return re.search(english, text) is not None or re.search(japanese, text) is not None


__all__ = [
    "EvidenceProblem",
    "Kind",
    "check_evidence",
    "normalized",
    "value_in_words",
]
