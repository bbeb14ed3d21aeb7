"""JSON-LD 1.1 compaction of RDF triples, written directly: linear in the triples.

A context is read once (`read_context`) into term definitions and an inverse context: IRI ->
container -> coercion or language -> term, the shortest (then least) term first, plus the prefixes
for compact IRIs. `Compactor.compact` then groups the triples by subject and writes each as a node
object, choosing each property's key per kind of value (a link, a language-tagged string, a typed
literal, a plain string, number or boolean) once, by the IRI Compaction and Term Selection
algorithms as pyld 3 implements them. The document is the one pyld's `from_rdf` (with xsd:integer
and xsd:boolean values that round-trip written as JSON's own, see `native_value`, except where the
key would be a language map, which holds only strings: `Compactor.keeps_typed`) then `compact`
give: `tests/formats/test_jsonld_writer.py` holds it to that.

It covers contexts of prefixes and terms with `@type` (`@id` or a datatype), `@container`
(`@language`, `@set`) and `@reverse`, and RDF 1.1 triples, with RDF lists of IRIs (which `from_rdf`
turns into `@list`: `find_lists`). For anything else it raises `DirectWriterRefusal`, saying what:
contexts with `@vocab`, `@base`, a default `@language`, scoped contexts, index, id or type maps,
`@vocab`/`@json`/`@none` coercion, keyword aliases; and other RDF lists (empty, partial, of literals
or blank nodes, or under a term of the context). The caller
(`jsonld.write_jsonld`) then has pyld write the document. RDF 1.2 triple terms and directional
language-tagged strings have no JSON-LD 1.1 form here: `no_jsonld_form` is the error for them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from mdq_graph.errors import UsageError

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: JSON numbers that every consumer (JavaScript included) reads exactly.
_SAFE_INTEGER = 2**53 - 1

_RDF_TYPE = RDF + "type"
_RDF_NIL = RDF + "nil"
_RDF_FIRST = RDF + "first"
_RDF_REST = RDF + "rest"
_RDF_LIST = RDF + "List"
_NIL_NODE = ox.NamedNode(_RDF_NIL)
#: The containers term selection tries for a list object (JSON-LD 1.1 IRI Compaction, step 4).
_FOR_LIST = ("@list", "@none", "@index", "@index@set")
_RDF_JSON = RDF + "JSON"
_XSD_STRING = XSD + "string"
#: Where the namespace of a compact IRI can end: after the last gen-delim before the IRI's end.
_NAMESPACE_END = re.compile(r".*[:/?#\[\]@]", re.DOTALL)
_TERM_KEYS = frozenset({"@id", "@type", "@container", "@reverse"})
_CONTAINERS = frozenset({"@language", "@set"})
# The containers term selection tries, in order, for each kind of value (JSON-LD 1.1 IRI
# Compaction, step 4): a class or datatype (no value), a node, a language-tagged string, another
# typed literal, and a plain string, number or boolean (which a language map holds under @none).
_FOR_NO_VALUE = ("@set", "@none")
_FOR_NODE = ("@id", "@id@set", "@type", "@set@type", "@set", "@none", "@index", "@index@set")
_FOR_LANGUAGE = ("@language", "@language@set", "@set", "@none", "@index", "@index@set")
_FOR_TYPED = ("@set", "@none", "@index", "@index@set")
_FOR_PLAIN = ("@set", "@none", "@index", "@index@set", "@language", "@language@set")

#: How a value is compacted: its kind ("@id", "plain", "@language" or "@type") and the language
#: or datatype that selects its term.
_Kind = tuple[str, str]
_NODE: _Kind = ("@id", "")
_PLAIN: _Kind = ("plain", "")

#: The three terms of a triple, read from it once (reading a term from Oxigraph makes a new
#: object each time, which counts at 10^6 triples).
TermTuple = tuple[
    ox.NamedNode | ox.BlankNode | ox.Triple,
    ox.NamedNode,
    ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple,
]
#: A triple as the writers take it: an `ox.Triple` or its terms.
TripleTerms = ox.Triple | TermTuple


class DirectWriterRefusal(Exception):
    """Something the direct JSON-LD writer does not express: pyld writes that document instead."""


@dataclass(frozen=True)
class Lists:
    """The RDF lists of a graph as `from_rdf` converts them: the (subject, predicate, head) links
    that become `{"@list": [...]}` with their items, and the list nodes, which then vanish."""

    heads: dict[tuple[str, str, str], list[str]]
    members: frozenset[str]


_NO_LISTS = Lists({}, frozenset())


def _node_id(term: object) -> str | None:
    """An IRI or blank node as JSON-LD names it (`_:` before a blank node's label), else None."""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return None


def find_lists(triples: Iterable[TripleTerms]) -> Lists:
    """The RDF lists that pyld's `from_rdf` turns into @list (JSON-LD 1.1, Serialize RDF as
    JSON-LD, step 6), where the direct writer expresses them: complete lists of blank nodes, each
    referenced once and holding only rdf:first and rdf:rest, whose items are IRIs.
    `DirectWriterRefusal` for any other use of rdf:nil (an empty or partial list, literal or
    blank-node items), which pyld writes."""
    firsts: dict[str, list[object]] = {}
    rests: dict[str, int] = {}
    others: dict[str, int] = {}
    references: dict[str, list[tuple[str, str]]] = {}
    ends: list[tuple[str, str]] = []
    for subject, predicate_node, obj in triples:
        # List nodes are blank nodes (an IRI holding rdf:rest rdf:nil is refused, below): only
        # triples about or to a blank node, or ending a list, need looking at.
        blank = isinstance(subject, ox.BlankNode) or isinstance(obj, ox.BlankNode)
        if not blank and obj != _NIL_NODE:
            continue
        subject_id, predicate = _node_id(subject), predicate_node.value
        if subject_id is None:
            raise no_jsonld_form(subject)
        object_id = _node_id(obj)
        if predicate == _RDF_FIRST:
            firsts.setdefault(subject_id, []).append(obj)
        elif predicate == _RDF_REST:
            rests[subject_id] = rests.get(subject_id, 0) + 1
        elif not (predicate == _RDF_TYPE and object_id == _RDF_LIST):
            others[subject_id] = others.get(subject_id, 0) + 1
        if object_id == _RDF_NIL:
            ends.append((subject_id, predicate))
        elif object_id is not None and predicate != _RDF_TYPE:
            references.setdefault(object_id, []).append((subject_id, predicate))
    if not ends:
        return _NO_LISTS
    heads: dict[tuple[str, str, str], list[str]] = {}
    members: set[str] = set()
    for node, predicate in ends:
        if predicate != _RDF_REST:
            raise DirectWriterRefusal("an empty RDF list (pyld writes it as @list)")
        items: list[str] = []
        while predicate == _RDF_REST:
            referrers = references.get(node, [])
            well_formed = (
                node.startswith("_:")
                and len(referrers) == 1
                and len(firsts.get(node, ())) == 1
                and rests.get(node) == 1
                and not others.get(node)
            )
            item = _node_id(firsts[node][0]) if well_formed else None
            if item is None or item.startswith("_:"):
                raise DirectWriterRefusal(
                    "an RDF list that is partial or holds literals or blank nodes (pyld writes it)"
                )
            items.append(item)
            members.add(node)
            head = node
            node, predicate = referrers[0]
        items.reverse()
        heads[(node, predicate, head)] = items
    return Lists(heads, frozenset(members))


@dataclass(frozen=True)
class TermDefinition:
    """A term definition, as compaction reads it."""

    iri: str
    coercion: str | None  # "@id" or a datatype IRI
    container: frozenset[str]
    reverse: bool
    prefix: bool  # usable as the prefix of compact IRIs


@dataclass(frozen=True)
class _Placement:
    """Where a property's value of one kind goes: under which key, in what container, how typed."""

    key: str
    container: frozenset[str]
    coercion: str | None


def read_context(context: Mapping[str, Any]) -> dict[str, TermDefinition]:
    """The term definitions of a context (the value of its `@context`), as JSON-LD 1.1 context
    processing defines them; `DirectWriterRefusal` for what the direct writer does not cover."""
    terms: dict[str, TermDefinition] = {}

    def define(name: str, pending: frozenset[str]) -> TermDefinition:
        if name in terms:
            return terms[name]
        if name in pending:
            raise DirectWriterRefusal(f"term {name!r} is defined in a cycle")
        pending |= {name}
        value = context[name]
        definition = {"@id": value} if isinstance(value, str) else value
        if not isinstance(definition, dict) or not set(definition) <= _TERM_KEYS:
            raise DirectWriterRefusal(
                f"term {name!r}: {value!r} uses more than @id, @type, @container, @reverse"
            )
        reverse = "@reverse" in definition
        target = definition.get("@reverse", definition.get("@id", name))
        if not isinstance(target, str) or target.startswith("@"):
            raise DirectWriterRefusal(f"term {name!r} maps to {target!r}, not an IRI")
        iri = expand(target, pending, itself=name)
        if ":" in name and expand(name, pending, itself=name) != iri:
            raise DirectWriterRefusal(f"term {name!r} looks like an IRI but maps to another")
        coercion = definition.get("@type")
        if coercion is not None:
            if not isinstance(coercion, str) or coercion in ("@vocab", "@none", "@json"):
                raise DirectWriterRefusal(f"term {name!r}: @type {coercion!r}")
            coercion = coercion if coercion == "@id" else expand(coercion, pending)
        container = definition.get("@container", [])
        container = frozenset([container] if isinstance(container, str) else container)
        if not container <= _CONTAINERS:
            raise DirectWriterRefusal(f"term {name!r}: @container {sorted(container)}")
        simple = isinstance(value, str) and ":" not in name
        term = TermDefinition(iri, coercion, container, reverse, simple and iri[-1] in ":/?#[]@")
        terms[name] = term
        return term

    def expand(value: str, pending: frozenset[str], itself: str = "") -> str:
        if value in context and value != itself:
            return define(value, pending).iri
        prefix, colon, suffix = value.partition(":")
        if not colon or prefix == "_":
            raise DirectWriterRefusal(f"{value!r} is not an absolute or compact IRI")
        if prefix in context and not suffix.startswith("//"):
            if not define(prefix, pending).prefix:  # JSON-LD expands such names unevenly
                raise DirectWriterRefusal(f"{value!r} has the prefix {prefix!r}, not a prefix")
            return terms[prefix].iri + suffix
        return value

    for name, value in context.items():
        if name == "@version" and value == 1.1:
            continue
        if name.startswith("@"):
            raise DirectWriterRefusal(f"the context sets {name}")
        define(name, frozenset())
    return terms


class Compactor:
    """Writes RDF triples as the compacted JSON-LD document pyld would give with one context."""

    def __init__(self, context: Mapping[str, Any], reference: Any) -> None:
        """`context` is the value of a context's `@context`; `reference` what documents write as
        theirs (its IRI, or the context itself)."""
        self.reference = reference
        self.terms = read_context(context)
        # The inverse context: IRI -> container -> "@type"/"@language" -> coercion/language ->
        # term, the shortest (then least) term first, as JSON-LD 1.1 builds it. Our contexts have
        # no default language and no @vocab coercion, so "@none" and "@id" are the keys that match.
        self._inverse: dict[str, dict[str, dict[str, dict[str, str]]]] = {}
        for name, term in sorted(self.terms.items(), key=lambda item: (len(item[0]), item[0])):
            container = "".join(sorted(term.container)) or "@none"
            by_container = self._inverse.setdefault(term.iri, {})
            entry = by_container.setdefault(container, {"@language": {}, "@type": {}})
            if term.reverse:
                entry["@type"].setdefault("@reverse", name)
            elif term.coercion is not None:
                entry["@type"].setdefault(term.coercion, name)
            else:
                entry["@language"].setdefault("@none", name)
                entry["@type"].setdefault("@none", name)
        self._namespaces = [(t.iri, name) for name, t in self.terms.items() if t.prefix]
        # Terms that look like compact IRIs of their own IRI ("dcat:startDate"): usable as such
        # where no value is being compacted (@id, @type), though a term.
        self._curie_terms: dict[str, list[str]] = {}
        for name, term in self.terms.items():
            prefix, _, suffix = name.partition(":")
            namespace = self.terms.get(prefix) if ":" in name else None
            if namespace and namespace.iri != term.iri and namespace.iri + suffix == term.iri:
                self._curie_terms.setdefault(term.iri, []).append(name)
        self._by_namespace: dict[str, list[tuple[str, str]]] = {}
        self._vocabulary: dict[str, str] = {}
        self._placements: dict[tuple[str, _Kind], _Placement] = {}

    def compact(self, triples: Iterable[TripleTerms]) -> dict[str, Any]:
        """The document: the context `reference`, and one node object per subject, in order of
        `@id` (under `@graph` unless there is one), as pyld's `from_rdf` then `compact` give.
        RDF lists (the ontology's unions and disjoint classes) are found in a first pass."""
        if not isinstance(triples, Sequence):
            triples = list(triples)
        return self._compact(triples, find_lists(triples))

    def compact_id(self, node_id: str) -> str:
        """How a node object names `node_id` (an IRI, or `_:` and a blank node's label)."""
        return self._compact_iri(node_id, with_value=False)

    def compact_node(self, triples: Sequence[TripleTerms], lists: Lists) -> dict[str, Any] | None:
        """The node object of one subject, given its triples in the document's order (None for a
        node of an RDF list in `lists`, which is written where the list is referenced)."""
        document = self._compact(triples, lists)
        del document["@context"]
        return document or None

    def _compact(self, triples: Sequence[TripleTerms], lists: Lists) -> dict[str, Any]:
        """`compact`, with the RDF lists `lists` written as @list."""
        nodes: dict[str, dict[str, Any]] = {}
        types: dict[str, list[str]] = {}
        ids: dict[str, str] = {}  # each IRI the document names, compacted once

        def compact_id(iri: str) -> str:
            compacted = ids.get(iri)
            if compacted is None:
                compacted = ids[iri] = self._compact_iri(iri, with_value=False)
            return compacted

        for subject, predicate_node, obj in triples:
            predicate = predicate_node.value
            if isinstance(subject, ox.BlankNode):
                subject_id = "_:" + subject.value
            elif isinstance(subject, ox.NamedNode):
                subject_id = subject.value
            else:
                raise no_jsonld_form(subject)
            if subject_id in lists.members:
                continue  # a list node: its list is written where it is referenced
            node = nodes.get(subject_id)
            if node is None:
                node = nodes[subject_id] = {"@id": compact_id(subject_id)}
            if isinstance(obj, ox.NamedNode):
                if obj.value == _RDF_NIL:
                    raise AssertionError("rdf:nil outside the lists `find_lists` found")
                if predicate == _RDF_TYPE:
                    types.setdefault(subject_id, []).append(self.compact_vocabulary(obj.value))
                    continue
                self._add_node(node, predicate, compact_id(obj.value))
            elif isinstance(obj, ox.BlankNode):
                label = "_:" + obj.value
                items = lists.heads.get((subject_id, predicate, label))
                if items is not None:
                    self._add_list(node, predicate, [compact_id(item) for item in items])
                    continue
                if predicate == _RDF_TYPE:
                    types.setdefault(subject_id, []).append(self.compact_vocabulary(label))
                    continue
                self._add_node(node, predicate, compact_id(label))
            elif isinstance(obj, ox.Literal):
                self._add_literal(node, predicate, obj)
            else:
                raise no_jsonld_form(obj)
        for subject_id, classes in types.items():
            nodes[subject_id]["@type"] = classes[0] if len(classes) == 1 else classes
        graph = sorted(nodes.values(), key=lambda node: str(node["@id"]))
        if len(graph) == 1:
            return {"@context": self.reference, **graph[0]}
        if not graph:
            return {"@context": self.reference}
        return {"@context": self.reference, "@graph": graph}

    def _add_node(self, node: dict[str, Any], predicate: str, compacted: str) -> None:
        """A link to a node (its compacted IRI): the IRI where the term says @id, else
        `{"@id": ...}`."""
        placement = self._placement(predicate, _NODE)
        item = compacted if placement.coercion == "@id" else {"@id": compacted}
        _add_value(node, placement.key, item, "@set" in placement.container)

    def _add_list(self, node: dict[str, Any], predicate: str, items: list[str]) -> None:
        """A list of links (compacted IRIs) as `{"@list": [...]}` under the term term selection
        picks for it (the items plain IRIs where it says @id), else the compact IRI of
        `predicate`; a term with a container is left to pyld."""
        choice = self._select_term(predicate, _FOR_LIST, "@type", "@id")
        if choice is None:
            key, coercion = self._compact_iri(predicate, with_value=True), None
        else:
            term = self.terms[choice]
            if term.container or term.reverse:
                raise DirectWriterRefusal(f"the term {choice!r} (a container) for a list")
            key, coercion = choice, term.coercion
        values = items if coercion == "@id" else [{"@id": item} for item in items]
        _add_value(node, key, {"@list": values}, False)

    def _add_literal(self, node: dict[str, Any], predicate: str, literal: ox.Literal) -> None:
        """A literal: a JSON string, number or boolean where that says it all, a language map
        entry, or a value object with its language or (compacted) datatype."""
        item: Any
        if literal.direction is not None:
            raise no_jsonld_form(literal)
        language = literal.language
        if language:
            placement = self._placement(predicate, ("@language", language))
            if "@language" in placement.container:
                target = node.setdefault(placement.key, {})
                _add_value(target, language, literal.value, "@set" in placement.container)
                return
            item = {"@language": language, "@value": literal.value}
            _add_value(node, placement.key, item, "@set" in placement.container)
            return
        lexical, datatype = literal.value, literal.datatype.value
        item = lexical if datatype == _XSD_STRING else native_value(lexical, datatype)
        if item is not None and datatype != _XSD_STRING and self.keeps_typed(predicate):
            item = None  # a number or boolean in a language map is invalid JSON-LD: typed, below
        if item is not None:
            placement = self._placement(predicate, _PLAIN)
        elif datatype == _RDF_JSON:
            placement = self._placement(predicate, ("@type", "@json"))
            item = {"@type": "@json", "@value": _json_literal(lexical)}
        else:
            placement = self._placement(predicate, ("@type", datatype))
            if placement.coercion == datatype:
                item = lexical
            else:
                item = {"@type": self.compact_vocabulary(datatype), "@value": lexical}
        if "@language" in placement.container:
            target = node.setdefault(placement.key, {})
            _add_value(target, "@none", item, "@set" in placement.container)
        else:
            _add_value(node, placement.key, item, "@set" in placement.container)

    def keeps_typed(self, predicate: str) -> bool:
        """Whether an xsd:integer or xsd:boolean value of `predicate` stays a typed value object
        rather than JSON's own number or boolean: where term selection would put a plain value in
        a language map, whose values must be strings (JSON-LD 1.1, "invalid language map value")."""
        return "@language" in self._placement(predicate, _PLAIN).container

    def _placement(self, predicate: str, kind: _Kind) -> _Placement:
        """The key (term, compact IRI or IRI) and term definition for `predicate`'s values of
        `kind`: JSON-LD 1.1 IRI compaction with term selection, once per predicate and kind."""
        placement = self._placements.get((predicate, kind))
        if placement is None:
            what, selector = kind
            if what == "@id":
                choice = self._select_term(predicate, _FOR_NODE, "@type", "@id")
            elif what == "@language":
                choice = self._select_term(predicate, _FOR_LANGUAGE, "@language", selector)
            elif what == "@type":
                choice = self._select_term(predicate, _FOR_TYPED, "@type", selector)
            else:
                choice = self._select_term(predicate, _FOR_PLAIN, "@language", "@null")
            if choice is None:
                key, container, coercion = self._compact_iri(predicate, with_value=True), None, None
            else:
                term = self.terms[choice]
                key, container, coercion = choice, term.container, term.coercion
            placement = _Placement(key, container or frozenset(), coercion)
            self._placements[(predicate, kind)] = placement
        return placement

    def _select_term(
        self, iri: str, containers: Sequence[str], type_or_language: str, preferred: str
    ) -> str | None:
        """JSON-LD 1.1 Term Selection. For links (@id), @vocab would be preferred first where the
        linked IRI is itself a term; our contexts have no @vocab coercion, so the order is moot."""
        by_container = self._inverse.get(iri)
        if not by_container:
            return None
        preferences = [preferred]
        if "_" in preferred and preferred != "@id":  # a language with a direction
            preferences.append("_" + preferred.split("_")[-1])
        preferences.append("@none")
        for container in containers:
            entry = by_container.get(container)
            if entry is None:
                continue
            choices = entry[type_or_language]
            for preference in preferences:
                if preference in choices:
                    return choices[preference]
        return None

    def compact_vocabulary(self, iri: str) -> str:
        """A class or datatype IRI: a term where one maps to it, else a compact IRI or in full."""
        compacted = self._vocabulary.get(iri)
        if compacted is None:
            term = self._select_term(iri, _FOR_NO_VALUE, "@type", "@id")
            compacted = term or self._compact_iri(iri, with_value=False)
            self._vocabulary[iri] = compacted
        return compacted

    def _compact_iri(self, iri: str, *, with_value: bool) -> str:
        """The shortest (then least) compact IRI with a prefix of the context, else the IRI (in
        full: compaction has no base IRI to make it relative to). A compact IRI that is a term is
        used only for that term's IRI, and only where no value is compacted (@id, @type)."""
        best: str | None = None
        for namespace, prefix in self._namespaces_of(iri):
            curie = prefix + ":" + iri[len(namespace) :]
            if curie not in self.terms and (
                best is None or (len(curie), curie) < (len(best), best)
            ):
                best = curie
        if not with_value:
            for curie in self._curie_terms.get(iri, ()):
                if best is None or (len(curie), curie) < (len(best), best):
                    best = curie
        if best is not None:
            return best
        scheme, colon, _ = iri.partition(":")
        if colon and scheme in self.terms and self.terms[scheme].prefix:
            raise UsageError(
                f"JSON-LD processing failed: the IRI <{iri}> would read as a compact IRI with "
                f"the prefix {scheme!r} of our context; write it under another scheme"
            )
        return iri

    def _namespaces_of(self, iri: str) -> list[tuple[str, str]]:
        """The (namespace, prefix) pairs whose namespace is a proper beginning of `iri`."""
        end = _NAMESPACE_END.match(iri, 0, len(iri) - 1)
        if end is None:
            return []
        head = iri[: end.end()]  # every namespace ends in a gen-delim, so begins `head`
        found = self._by_namespace.get(head)
        if found is None:
            found = [(ns, prefix) for ns, prefix in self._namespaces if head.startswith(ns)]
            self._by_namespace[head] = found
        return found


def _add_value(target: dict[str, Any], key: str, item: Any, as_array: bool) -> None:
    """Add `item` under `key`: a single value, or an array from the second on (or always)."""
    existing = target.get(key, _ABSENT)
    if existing is _ABSENT:
        target[key] = [item] if as_array else item
    elif isinstance(existing, list):
        existing.append(item)
    else:
        target[key] = [existing, item]


_ABSENT = object()


def native_value(lexical: str, datatype: str) -> int | bool | None:
    """JSON's own number or boolean for an xsd:integer or xsd:boolean literal where that
    round-trips to the same literal (canonical lexical form; integers JavaScript reads exactly)."""
    if datatype == XSD + "integer" and _is_canonical_integer(lexical):
        return int(lexical)
    if datatype == XSD + "boolean" and lexical in ("true", "false"):
        return lexical == "true"
    return None


def _is_canonical_integer(lexical: str) -> bool:
    """Whether `lexical` is an xsd:integer in canonical form that a JSON number keeps exactly."""
    try:
        number = int(lexical)
    except ValueError:
        return False
    return str(number) == lexical and abs(number) <= _SAFE_INTEGER


def _json_literal(lexical: str) -> Any:
    """The JSON an rdf:JSON literal holds."""
    try:
        return json.loads(lexical)
    except ValueError as error:
        raise UsageError(
            f"JSON-LD processing failed: the rdf:JSON literal {lexical[:60]!r} is not JSON: {error}"
        ) from None


def no_jsonld_form(term: object) -> UsageError:
    """The error for a term JSON-LD 1.1 (as pyld implements it) has no form for."""
    return UsageError(
        f"JSON-LD processing failed: no JSON-LD form for {term} (RDF 1.2 triple terms and "
        f"directional language-tagged strings are not supported); export as N-Quads or Turtle"
    )
