"""A graph of pyoxigraph triples held in memory and looked up by subject and by predicate: the
shapes graph the engine reads, and the validation report that findings are read from."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from mdq_graph.graph.loader import OxTerm, file_quads
from mdq_graph.graph.namespaces import RDF
from mdq_graph.graph.rdf_formats import format_for_path

if TYPE_CHECKING:
    from rdflib import Graph

SHACL = "http://www.w3.org/ns/shacl#"


class Vocabulary:
    """The IRIs of a namespace as pyoxigraph terms: `SH.minCount`, `SH["class"]`."""

    def __init__(self, namespace: str) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> ox.NamedNode:
        if name.startswith("__"):  # copy, pickle and the like ask for these
            raise AttributeError(name)
        term = ox.NamedNode(self._namespace + name)
        setattr(self, name, term)  # made once: the engine reads SHACL's terms in its loops
        return term

    def __getitem__(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(self._namespace + name)

    def __contains__(self, term: object) -> bool:
        return isinstance(term, ox.NamedNode) and term.value.startswith(self._namespace)


SH = Vocabulary(SHACL)
RDF_TYPE = ox.NamedNode(str(RDF.type))
_RDF_FIRST, _RDF_REST, _RDF_NIL = (ox.NamedNode(str(t)) for t in (RDF.first, RDF.rest, RDF.nil))


class IndexedGraph:
    """Triples looked up by subject and by predicate, with the prefixes of the files they come
    from (pySHACL fills messages with a shapes graph's prefixes)."""

    def __init__(
        self, triples: Iterable[ox.Triple], prefixes: dict[str, str] | None = None
    ) -> None:
        self.triples = list(dict.fromkeys(triples))
        self.prefixes = dict(prefixes or {})
        self._by_subject: dict[OxTerm, list[ox.Triple]] = {}
        self._by_predicate: dict[ox.NamedNode, list[ox.Triple]] = {}
        for t in self.triples:
            self._by_subject.setdefault(t.subject, []).append(t)  # type: ignore[arg-type]
            self._by_predicate.setdefault(t.predicate, []).append(t)

    @classmethod
    def parse(cls, data: str, *, base_iri: str | None = None) -> IndexedGraph:
        """The triples of a Turtle text."""
        parser = ox.parse(input=data.encode(), format=ox.RdfFormat.TURTLE, base_iri=base_iri)
        return cls((q.triple for q in parser), parser.prefixes)

    @classmethod
    def read(cls, paths: Iterable[Path]) -> IndexedGraph:
        """The triples of the files `paths`, merged (each file's named graphs too); `InputError`
        for a file that is not RDF."""
        triples: list[ox.Triple] = []
        prefixes: dict[str, str] = {}
        for path in paths:
            fmt = format_for_path(path)
            try:
                if fmt.name in ("json-ld", "xml"):
                    raise SyntaxError("read through the loader")
                parser = ox.parse(
                    path=str(path),
                    format=ox.RdfFormat.from_media_type(fmt.media_type),
                    base_iri=path.resolve().as_uri(),
                )
                quads = list(parser)
                for prefix, namespace in parser.prefixes.items():
                    prefixes.setdefault(prefix, namespace)
            except (SyntaxError, ValueError, OSError):  # the loader reads it, or says what is wrong
                quads = file_quads(path)
            triples += [q.triple for q in quads]
        return cls(triples, prefixes)

    def without(self, triples: Iterable[ox.Triple]) -> IndexedGraph:
        """The same graph without `triples`."""
        dropped = set(triples)
        return IndexedGraph((t for t in self.triples if t not in dropped), self.prefixes)

    def objects(self, subject: OxTerm | None, predicate: ox.NamedNode) -> list[OxTerm]:
        """The objects of `subject` (of any subject if None) and `predicate`."""
        if subject is None:
            return list(dict.fromkeys(t.object for t in self._by_predicate.get(predicate, [])))  # type: ignore[misc]
        return [t.object for t in self._by_subject.get(subject, []) if t.predicate == predicate]  # type: ignore[misc]

    def value(self, subject: OxTerm, predicate: ox.NamedNode) -> OxTerm | None:
        """One object of `subject` and `predicate`, if any."""
        return next(iter(self.objects(subject, predicate)), None)

    def subjects(self, predicate: ox.NamedNode, value: OxTerm | None = None) -> list[OxTerm]:
        """The subjects of `predicate` (with the object `value`, if given), each once."""
        return list(
            dict.fromkeys(
                t.subject  # type: ignore[misc]
                for t in self._by_predicate.get(predicate, [])
                if value is None or t.object == value
            )
        )

    def predicates(self, subject: OxTerm | None = None) -> set[ox.NamedNode]:
        """The predicates of `subject` (of the whole graph if None)."""
        if subject is None:
            return set(self._by_predicate)
        return {t.predicate for t in self._by_subject.get(subject, [])}

    def describes(self, subject: OxTerm) -> bool:
        """Whether `subject` is the subject of any triple."""
        return bool(self._by_subject.get(subject))

    def items(self, head: OxTerm) -> list[OxTerm]:
        """The members of the RDF list `head`."""
        found: list[OxTerm] = []
        seen: set[OxTerm] = set()
        while head != _RDF_NIL and head not in seen:
            seen.add(head)
            found += self.objects(head, _RDF_FIRST)
            rest = self.value(head, _RDF_REST)
            if rest is None:
                break
            head = rest
        return found

    def to_rdflib(self) -> Graph:
        """The graph in rdflib, for pySHACL (the one edge that needs it), with its prefixes."""
        from rdflib import Graph

        graph = Graph()
        for prefix, namespace in self.prefixes.items():
            graph.bind(prefix, namespace, override=False)
        data = ox.serialize(self.triples, format=ox.RdfFormat.N_TRIPLES)
        graph.parse(data=data, format="nt")
        return graph
