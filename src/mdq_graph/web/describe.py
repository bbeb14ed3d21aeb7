"""Describes resources from the store: the view models of their pages and their RDF descriptions.

A resource's description is its concise bounded description (the triples it is the subject of,
closed over blank-node objects) plus the triples that link to it. Every triple keeps the named
graphs that state it, so a page can say where each fact comes from; the quotes that support the
resource's facts come along with their source documents and offsets.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from mdq_graph.graph.dataset import INFERRED_GRAPH, ONTOLOGY_GRAPH
from mdq_graph.graph.engine import Engine
from mdq_graph.graph.namespaces import (
    BASE,
    DCTERMS,
    FOAF,
    ONTOLOGY_IRI,
    OWL,
    PREFIXES,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
)
from mdq_graph.graph.rebase import rebase_iri
from mdq_graph.web.accounts import Key, Term, disagreements, series_meetings, sort_key
from mdq_graph.web.labels import standard_labels
from mdq_graph.web.views import (
    Labels,
    Node,
    OntologyView,
    PropertyGroup,
    QuoteView,
    ResourceView,
    SourceNote,
    TermView,
    Value,
)
from mdq_graph.web.writers import cell

#: Predicates that name a thing, in order of preference.
LABEL_PREDICATES = (SKOS.prefLabel, RDFS.label, DCTERMS.title, SCHEMA.name, FOAF.name)
#: Predicates that say what a thing is, in order of preference.
DEFINITION_PREDICATES = (SKOS.definition, DCTERMS.description, SCHEMA.description, RDFS.comment)
_TERM_KINDS = {
    str(OWL.Class): "class",
    str(RDFS.Class): "class",
    str(OWL.ObjectProperty): "object property",
    str(OWL.DatatypeProperty): "datatype property",
    str(OWL.AnnotationProperty): "annotation property",
    str(RDF.Property): "property",
    str(OWL.NamedIndividual): "individual",
}
_BLANK_NODE_LIMIT = 500
_PLAIN_JSON_TYPES = {str(XSD.date), str(XSD.dateTime), str(XSD.gYear), str(XSD.anyURI)}
_LABEL_CACHE = 20_000


@dataclass
class _QuoteRow:
    """What the solutions of the quotes query say about one quote."""

    terms: dict[str, Term] = field(default_factory=dict)
    supports: set[Term] = field(default_factory=set)
    readings: set[Term] = field(default_factory=set)
    describes: set[Term] = field(default_factory=set)


_QUOTE_FIELDS = (
    "exact",
    "prefix",
    "suffix",
    "start",
    "end",
    "language",
    "source",
    "url",
    "text",
    "graph",
)


@dataclass(frozen=True)
class Description:
    """The triples of a resource's description, each with the named graphs that state it."""

    outgoing: Mapping[Key, frozenset[str]]
    incoming: Mapping[Key, frozenset[str]]
    incoming_left_out: int = 0

    def triples(self) -> list[ox.Triple]:
        """Every triple of the description, outgoing first, each once."""
        seen = dict.fromkeys([*self.outgoing, *self.incoming])
        return [ox.Triple(s, p, o) for s, p, o in seen]  # type: ignore[arg-type]

    def quads(self) -> list[ox.Quad]:
        """Every triple in each named graph that states it (triples of no graph: default graph)."""
        out: list[ox.Quad] = []
        for triples in (self.outgoing, self.incoming):
            for (s, p, o), graphs in triples.items():
                names: list[ox.NamedNode | ox.DefaultGraph] = [
                    ox.NamedNode(g) for g in sorted(graphs)
                ]
                out.extend(ox.Quad(s, p, o, g) for g in names or [ox.DefaultGraph()])  # type: ignore[arg-type]
        return out


class Describer:
    """Reads descriptions, labels, quotes and the ontology from an engine (thread-safe: reads only)."""

    def __init__(
        self, engine: Engine, base: str = BASE, *, max_values: int = 100, max_incoming: int = 300
    ) -> None:
        self.store = engine.store
        self.base = base
        self.max_values = max_values
        self.max_incoming = max_incoming
        self.mdq = base + "ontology#"
        self.ontology_iri = rebase_iri(ONTOLOGY_IRI, base)
        self.inferred_graph = rebase_iri(str(INFERRED_GRAPH), base)
        self.ontology_graph = rebase_iri(str(ONTOLOGY_GRAPH), base)
        self._prefixes = sorted(
            ((p, rebase_iri(str(ns), base)) for p, ns in PREFIXES.items()),
            key=lambda pair: -len(pair[1]),
        )
        self._labels: OrderedDict[str, Labels] = OrderedDict()
        self._lock = threading.Lock()
        self.stated_in_full: frozenset[str] | None = None

    # --- what exists --------------------------------------------------------------------------

    def exists(self, iri: str) -> bool:
        """Whether the store says anything about `iri` (as subject, object or graph name)."""
        node = ox.NamedNode(iri)
        return (
            _any(self.store.quads_for_pattern(node, None, None, None))
            or _any(self.store.quads_for_pattern(None, None, node, None))
            or _any(self.store.quads_for_pattern(None, node, None, None))
            or self.store.contains_named_graph(node)
        )

    def is_graph(self, iri: str) -> bool:
        """Whether `iri` names a graph of the store."""
        return bool(self.store.contains_named_graph(ox.NamedNode(iri)))

    def graph_names(self) -> list[str]:
        """The names of the store's named graphs, sorted."""
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def graph_size(self, iri: str) -> int:
        """How many triples the named graph `iri` holds."""
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, ox.NamedNode(iri)))

    def graph_triples(self, iri: str) -> list[ox.Triple]:
        """The triples of the named graph `iri`."""
        quads = self.store.quads_for_pattern(None, None, None, ox.NamedNode(iri))
        return [q.triple for q in quads]

    # --- labels and terms ---------------------------------------------------------------------

    def labels(self, iri: str) -> Labels:
        """The names of `iri` in every language (from the data, else the standard-term table)."""
        with self._lock:
            if iri in self._labels:
                self._labels.move_to_end(iri)
                return self._labels[iri]
        labels = self._read_labels(iri) or standard_labels(iri)
        with self._lock:
            self._labels[iri] = labels
            if len(self._labels) > _LABEL_CACHE:
                self._labels.popitem(last=False)
        return labels

    def _read_labels(self, iri: str) -> Labels:
        node = ox.NamedNode(iri)
        for predicate in LABEL_PREDICATES:
            found = self._texts(node, predicate)
            if found:
                return found
        return ()

    def _texts(self, subject: ox.NamedNode | ox.BlankNode, predicate: object) -> Labels:
        """The literal values of `predicate` (language, text), sorted, once each."""
        values = {
            (q.object.language or "", q.object.value)
            for q in self.store.quads_for_pattern(
                subject, ox.NamedNode(str(predicate)), None, ox.DefaultGraph()
            )
            if isinstance(q.object, ox.Literal)
        }
        return tuple(sorted(values))

    def curie(self, iri: str) -> str | None:
        """`prefix:local` for an IRI in a known namespace whose local part reads as a name."""
        for prefix, namespace in self._prefixes:
            if iri.startswith(namespace):
                local = iri[len(namespace) :]
                if local and "/" not in local and "#" not in local:
                    return f"{prefix}:{local}"
        return None

    def node(self, term: Term) -> Node:
        """A term as a `Node`, with labels and CURIE for an IRI."""
        value = cell(term)
        if value.kind == "uri":
            return Node(
                "uri", value.value, labels=self.labels(value.value), curie=self.curie(value.value)
            )
        return Node(value.kind, value.value, value.language, value.datatype)

    def iri_node(self, iri: str) -> Node:
        """The `Node` of an IRI."""
        return self.node(ox.NamedNode(iri))

    # --- descriptions -------------------------------------------------------------------------

    def description(self, iri: str) -> Description:
        """The concise bounded description of `iri` and the links into it, with their graphs."""
        subject = ox.NamedNode(iri)
        outgoing: dict[Key, set[str]] = defaultdict(set)
        pending: list[ox.NamedNode | ox.BlankNode] = [subject]
        seen_blank: set[str] = set()
        while pending:
            current = pending.pop()
            for quad in self.store.quads_for_pattern(current, None, None, None):
                key = (quad.subject, quad.predicate, quad.object)
                graphs = outgoing[key]
                if isinstance(quad.graph_name, ox.NamedNode):
                    graphs.add(quad.graph_name.value)
                obj = quad.object
                if (
                    isinstance(obj, ox.BlankNode)
                    and obj.value not in seen_blank
                    and len(seen_blank) < _BLANK_NODE_LIMIT
                ):
                    seen_blank.add(obj.value)
                    pending.append(obj)
        incoming: dict[Key, set[str]] = defaultdict(set)
        left_out = 0
        for quad in self.store.quads_for_pattern(None, None, subject, None):
            key = (quad.subject, quad.predicate, quad.object)
            if key not in incoming and len(incoming) >= self.max_incoming:
                left_out += 1
                continue
            graphs = incoming[key]
            if isinstance(quad.graph_name, ox.NamedNode):
                graphs.add(quad.graph_name.value)
        return Description(
            {k: frozenset(v) for k, v in outgoing.items()},
            {k: frozenset(v) for k, v in incoming.items()},
            left_out,
        )

    def resource_view(self, iri: str) -> ResourceView:
        """The view model of the page of `iri`."""
        described = self.description(iri)
        subject = ox.NamedNode(iri)
        own = {k: v for k, v in described.outgoing.items() if k[0] == subject}
        asserted = {k: v for k, v in own.items() if not self._only_inferred(v)}
        inferred = {k: v for k, v in own.items() if self._only_inferred(v)}
        incoming = {k: v for k, v in described.incoming.items() if not self._only_inferred(v)}
        types = [o for (_, p, o) in asserted if p == ox.NamedNode(str(RDF.type))]
        graphs = sorted({g for v in asserted.values() for g in v})
        meetings, unknown = series_meetings(self, subject, types)
        return ResourceView(
            iri=iri,
            labels=self.labels(iri),
            descriptions=self._definitions(subject),
            types=tuple(sorted((self.node(t) for t in types), key=lambda n: n.value)),
            properties=self._groups(asserted, described.outgoing, skip_types=True),
            inferred=self._groups(inferred, described.outgoing),
            incoming=self._incoming_groups(incoming, described.incoming_left_out),
            quotes=self.quotes(iri),
            sources=tuple(self.source_note(g) for g in graphs),
            schema_org=self.schema_org(iri),
            graph_size=self.graph_size(iri) if self.is_graph(iri) else None,
            disagreements=disagreements(self, asserted),
            meetings=meetings,
            unknown_ordinals=unknown,
        )

    def _only_inferred(self, graphs: frozenset[str]) -> bool:
        return graphs == frozenset({self.inferred_graph})

    def _definitions(self, subject: ox.NamedNode) -> Labels:
        for predicate in DEFINITION_PREDICATES:
            found = self._texts(subject, predicate)
            if found:
                return found
        return ()

    def _groups(
        self,
        triples: Mapping[Key, frozenset[str]],
        everything: Mapping[Key, frozenset[str]],
        *,
        skip_types: bool = False,
        depth: int = 0,
    ) -> tuple[PropertyGroup, ...]:
        """Property groups of the triples, in order of property; blank nodes shown nested."""
        by_property: dict[Term, list[tuple[Term, frozenset[str]]]] = defaultdict(list)
        for (_, p, o), graphs in triples.items():
            if skip_types and p == ox.NamedNode(str(RDF.type)):
                continue
            by_property[p].append((o, graphs))
        groups = []
        for predicate, values in sorted(by_property.items(), key=lambda kv: sort_key(kv[0])):
            values.sort(key=lambda v: sort_key(v[0]))
            shown = []
            for obj, graphs in values[: self.max_values]:
                nested: tuple[PropertyGroup, ...] = ()
                if isinstance(obj, ox.BlankNode) and depth < 8:
                    inner = {k: v for k, v in everything.items() if k[0] == obj}
                    nested = self._groups(inner, everything, depth=depth + 1)
                shown.append(Value(self.node(obj), self.graph_nodes(graphs), nested))
            groups.append(
                PropertyGroup(
                    self.node(predicate), tuple(shown), max(0, len(values) - self.max_values)
                )
            )
        return tuple(groups)

    def _incoming_groups(
        self, triples: Mapping[Key, frozenset[str]], left_out: int
    ) -> tuple[PropertyGroup, ...]:
        by_property: dict[Term, list[tuple[Term, frozenset[str]]]] = defaultdict(list)
        for (s, p, _), graphs in triples.items():
            by_property[p].append((s, graphs))
        groups = []
        for predicate, values in sorted(by_property.items(), key=lambda kv: sort_key(kv[0])):
            values.sort(key=lambda v: sort_key(v[0]))
            shown = tuple(
                Value(self.node(s), self.graph_nodes(g)) for s, g in values[: self.max_values]
            )
            groups.append(
                PropertyGroup(self.node(predicate), shown, max(0, len(values) - self.max_values))
            )
        if left_out and groups:
            last = groups[-1]
            groups[-1] = PropertyGroup(last.property, last.values, last.more + left_out)
        return tuple(groups)

    def graph_nodes(self, graphs: Iterable[str]) -> tuple[Node, ...]:
        return tuple(self.iri_node(g) for g in sorted(graphs))

    # --- sources and quotes -------------------------------------------------------------------

    def source_note(self, graph: str) -> SourceNote:
        """The graph `graph`, the documents it is derived from, their web addresses, its licence."""
        node = ox.NamedNode(graph)
        sources = self._objects(node, DCTERMS.source) or self._objects(
            node, "http://www.w3.org/ns/prov#wasDerivedFrom"
        )
        urls = sorted(
            {
                u.value
                for s in sources
                for u in self._objects(s, SCHEMA.url)
                if isinstance(u, ox.NamedNode)
            }
        )
        licenses = self._objects(node, DCTERMS.license)
        quoted = any(
            _any(self.store.quads_for_pattern(None, ox.NamedNode(f"{self.mdq}textOf"), s))
            for s in sources
        )
        cited = [
            s
            for s in sources
            if _any(
                self.store.quads_for_pattern(
                    s, ox.NamedNode(str(RDF.type)), ox.NamedNode(f"{self.mdq}DocumentCitation")
                )
            )
        ]
        retrieved = sorted(
            q.object.value
            for s in cited
            for q in self.store.quads_for_pattern(
                s, ox.NamedNode(f"{self.mdq}dateRetrieved"), None, ox.DefaultGraph()
            )
            if isinstance(q.object, ox.Literal)
        )
        return SourceNote(
            self.iri_node(graph),
            tuple(self.node(s) for s in sources),
            tuple(urls),
            tuple(self.node(x) for x in licenses),
            quoted=quoted,
            cited=bool(cited),
            retrieved=retrieved[0] if retrieved else None,
        )

    def _objects(
        self, subject: ox.NamedNode | ox.BlankNode, predicate: object
    ) -> list[ox.NamedNode]:
        quads = self.store.quads_for_pattern(
            subject, ox.NamedNode(str(predicate)), None, ox.DefaultGraph()
        )
        return sorted(
            {q.object for q in quads if isinstance(q.object, ox.NamedNode)}, key=lambda n: n.value
        )

    def quotes(self, iri: str) -> tuple[QuoteView, ...]:
        """The quotes that describe `iri` (or `iri` itself, if it is a quote), in source order."""
        # str() of a NamedNode is `<iri>`, checked by Oxigraph: safe to put into the query.
        query = _QUOTES.replace("MDQ_NS", self.mdq).replace("?r", str(ox.NamedNode(iri)))
        solutions = self.store.query(query)
        assert isinstance(solutions, ox.QuerySolutions)
        rows: dict[str, _QuoteRow] = {}
        for solution in solutions:
            quote = solution["quote"]
            assert quote is not None
            row = rows.setdefault(quote.value, _QuoteRow())
            for name in _QUOTE_FIELDS:
                term = solution[name]
                if term is not None:
                    row.terms.setdefault(name, term)
            for name, found in (
                ("supports", row.supports),
                ("describes", row.describes),
                ("note", row.readings),
            ):
                term = solution[name]
                if term is not None:
                    found.add(term)
        views = [self._quote_view(quote, row) for quote, row in rows.items()]
        return tuple(
            sorted(
                views,
                key=lambda q: (q.language or "", q.source.value if q.source else "", q.start or 0),
            )
        )

    def _quote_view(self, quote: str, row: _QuoteRow) -> QuoteView:
        def text(name: str) -> str:
            term = row.terms.get(name)
            return term.value if isinstance(term, ox.Literal) else ""

        def number(name: str) -> int | None:
            value = text(name)
            return int(value) if value.lstrip("-").isdigit() else None

        def iri(name: str) -> Node | None:
            term = row.terms.get(name)
            return self.node(term) if isinstance(term, ox.NamedNode) else None

        def nodes(terms: set[Term]) -> tuple[Node, ...]:
            return tuple(sorted((self.node(t) for t in terms), key=lambda n: n.value))

        url = row.terms.get("url")
        return QuoteView(
            iri=quote,
            exact=text("exact"),
            prefix=text("prefix"),
            suffix=text("suffix"),
            start=number("start"),
            end=number("end"),
            language=text("language") or None,
            source=iri("source"),
            source_url=url.value if isinstance(url, ox.NamedNode) else None,
            text=iri("text"),
            supports=nodes(row.supports),
            describes=nodes(row.describes),
            graph=iri("graph"),
            readings=tuple(sorted(t.value for t in row.readings if isinstance(t, ox.Literal))),
        )

    # --- schema.org ---------------------------------------------------------------------------

    def schema_org(self, iri: str) -> dict[str, object]:
        """The schema.org description of `iri` as JSON-LD (from the asserted and inferred views),
        with the names and types of the things it links to."""
        subject = ox.NamedNode(iri)
        out: dict[str, object] = {"@context": {"@vocab": str(SCHEMA)}, "@id": iri}
        types = self._schema_types(subject)
        if types:
            out["@type"] = types if len(types) > 1 else types[0]
        values: dict[str, list[object]] = defaultdict(list)
        for quad in self.store.quads_for_pattern(subject, None, None, ox.DefaultGraph()):
            predicate = quad.predicate.value
            if not predicate.startswith(str(SCHEMA)) or predicate == str(RDF.type):
                continue
            values[predicate[len(str(SCHEMA)) :]].append(self._schema_value(quad.object))
        for name in sorted(values):
            found = sorted(values[name], key=repr)
            out[name] = found if len(found) > 1 else found[0]
        return out

    def _schema_types(self, subject: ox.NamedNode | ox.BlankNode) -> list[str]:
        schema = str(SCHEMA)
        return sorted(
            t.value[len(schema) :]
            for t in self._objects(subject, RDF.type)
            if t.value.startswith(schema)
        )

    def _schema_value(self, term: Term) -> object:
        if isinstance(term, ox.Literal):
            datatype = term.datatype.value
            if term.language:
                return {"@value": term.value, "@language": term.language}
            if datatype == str(XSD.string):
                return term.value
            if datatype == str(XSD.integer) and term.value.lstrip("+-").isdigit():
                return int(term.value)
            if datatype == str(XSD.boolean):
                return term.value in ("true", "1")
            if datatype in _PLAIN_JSON_TYPES:  # schema.org reads dates and URLs as ISO text
                return term.value
            return {"@value": term.value, "@type": datatype}
        if isinstance(term, ox.NamedNode):
            linked: dict[str, object] = {"@id": term.value}
            types = self._schema_types(term)
            if types:
                linked["@type"] = types if len(types) > 1 else types[0]
            names = self._texts(term, SCHEMA.name) or self.labels(term.value)
            if names:
                linked["name"] = [
                    {"@value": text, "@language": lang} if lang else text for lang, text in names
                ]
            return linked
        return {"@id": f"_:{term.value}"} if isinstance(term, ox.BlankNode) else str(term)

    # --- the ontology -------------------------------------------------------------------------

    def ontology_view(self) -> OntologyView:
        """The ontology's page: its description, then each of its classes and properties."""
        graph = ox.NamedNode(self.ontology_graph)
        kinds: dict[str, str] = {}
        for quad in self.store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), None, graph):
            kind = (
                _TERM_KINDS.get(quad.object.value)
                if isinstance(quad.object, ox.NamedNode)
                else None
            )
            if (
                kind
                and isinstance(quad.subject, ox.NamedNode)
                and quad.subject.value.startswith(self.mdq)
            ):
                kinds.setdefault(quad.subject.value, kind)
        terms = []
        order = [
            "class",
            "object property",
            "datatype property",
            "annotation property",
            "property",
            "individual",
        ]
        for term, kind in sorted(kinds.items(), key=lambda kv: (order.index(kv[1]), kv[0].lower())):
            subject = ox.NamedNode(term)
            triples: dict[Key, frozenset[str]] = {
                (q.subject, q.predicate, q.object): frozenset({self.ontology_graph})
                for q in self.store.quads_for_pattern(subject, None, None, graph)
            }
            hidden = {str(RDFS.label), str(SKOS.definition)}
            shown = {k: v for k, v in triples.items() if str(k[1])[1:-1] not in hidden}
            terms.append(
                TermView(
                    iri=term,
                    anchor=term[len(self.mdq) :],
                    kind=kind,
                    labels=self._texts(subject, RDFS.label),
                    definitions=self._texts(subject, SKOS.definition),
                    properties=self._groups(shown, triples, skip_types=True),
                )
            )
        return OntologyView(self.resource_view(self.ontology_iri), tuple(terms))


def _any(iterator: Iterator[object]) -> bool:
    return next(iterator, None) is not None


_QUOTES = """
PREFIX mdq: <MDQ_NS>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX schema: <https://schema.org/>
SELECT ?quote ?exact ?prefix ?suffix ?start ?end ?language ?source ?url ?text ?graph ?supports ?describes
       ?note
WHERE {
  { ?quote mdq:describes ?r } UNION { BIND(?r AS ?quote) ?quote a mdq:Quote }
  ?quote oa:hasSelector ?selector .
  ?selector oa:exact ?exact .
  OPTIONAL { ?selector oa:prefix ?prefix }
  OPTIONAL { ?selector oa:suffix ?suffix }
  OPTIONAL { ?quote oa:hasSelector ?position . ?position oa:start ?start ; oa:end ?end }
  OPTIONAL {
    # what the quote states about the resource, statement by statement (docs/evidence.md)
    ?statement rdf:subject ?r ; rdf:predicate ?supports ; mdq:evidence ?evidence .
    FILTER (?evidence = ?quote || EXISTS { ?evidence mdq:reads ?quote })
    OPTIONAL { ?evidence mdq:reads ?quote ; mdq:reading ?note }
  }
  OPTIONAL { ?quote mdq:describes ?describes }
  OPTIONAL {
    ?quote oa:hasSource ?text .
    OPTIONAL { ?text mdq:textOf ?source .
               OPTIONAL { ?source schema:inLanguage ?language }
               OPTIONAL { ?source schema:url ?url } }
  }
  OPTIONAL { GRAPH ?graph { ?quote a mdq:Quote } }
}
"""

__all__ = ["Describer", "Description"]
