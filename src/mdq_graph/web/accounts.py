"""The accounts of several sources side by side: the properties of a resource on which its sources
disagree, and the meetings of a series the graph knows (and those no source describes)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Protocol

import pyoxigraph as ox

from mdq_graph.web.views import Claim, Disagreement, KnownMeeting, Node, SourceNote

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Key = tuple[Term, Term, Term]


class Reader(Protocol):
    """What these functions read through: the describer of the pages (web/describe.py)."""

    store: ox.Store
    mdq: str
    inferred_graph: str
    ontology_graph: str
    stated_in_full: frozenset[str] | None

    def node(self, term: Term) -> Node: ...
    def iri_node(self, iri: str) -> Node: ...
    def graph_nodes(self, graphs: Iterable[str]) -> tuple[Node, ...]: ...
    def source_note(self, graph: str) -> SourceNote: ...


def sort_key(term: Term) -> tuple[int, str, str]:
    """IRIs, then blank nodes, then literals; each by value, then by language or datatype (so
    that the order does not depend on the store's)."""
    rank = 0 if isinstance(term, ox.NamedNode) else 1 if isinstance(term, ox.BlankNode) else 2
    return rank, term.value if hasattr(term, "value") else str(term), str(term)


def stated_in_full(describer: Reader) -> frozenset[str]:
    """The properties whose values a source gives in full (mdq:statedInFull)."""
    if describer.stated_in_full is None:
        found = describer.store.query(
            f"SELECT DISTINCT ?p WHERE {{ ?p <{describer.mdq}statedInFull> true }}"
        )
        assert isinstance(found, ox.QuerySolutions)
        describer.stated_in_full = frozenset(
            row[0].value for row in found if isinstance(row[0], ox.NamedNode)
        )
    return describer.stated_in_full


def disagreements(
    describer: Reader, triples: Mapping[Key, frozenset[str]]
) -> tuple[Disagreement, ...]:
    """The properties of a resource on which its source graphs disagree: for a property that
    sources give in full, two graphs that give different values (translations aside)."""
    full = stated_in_full(describer)
    claims: dict[Term, dict[str, set[Term]]] = defaultdict(lambda: defaultdict(set))
    for (_, p, o), graphs in triples.items():
        if not isinstance(p, ox.NamedNode) or p.value not in full:
            continue
        if isinstance(o, ox.Literal) and o.language:
            continue
        for graph in graphs - {describer.inferred_graph, describer.ontology_graph}:
            claims[p][graph].add(o)
    found = []
    for predicate, by_graph in sorted(claims.items(), key=lambda kv: sort_key(kv[0])):
        if len(by_graph) < 2 or len({frozenset(v) for v in by_graph.values()}) < 2:
            continue
        found.append(
            Disagreement(
                describer.node(predicate),
                tuple(
                    Claim(
                        describer.iri_node(graph),
                        tuple(describer.node(v) for v in sorted(values, key=sort_key)),
                        describer.source_note(graph).urls,
                    )
                    for graph, values in sorted(by_graph.items())
                ),
            )
        )
    return tuple(found)


def series_meetings(
    describer: Reader, subject: ox.NamedNode, types: Iterable[Term]
) -> tuple[tuple[KnownMeeting, ...], tuple[int, ...]]:
    """For a dialogue series, the meetings the graph knows (with the graphs that describe
    them) and the ordinals up to the last known one that no source describes."""
    if ox.NamedNode(f"{describer.mdq}DialogueSeries") not in types:
        return (), ()
    rows = describer.store.query(
        f"SELECT DISTINCT ?meeting ?ordinal ?graph WHERE {{ "
        f"{{ ?meeting <{describer.mdq}meetingOf> {subject} }} UNION "
        f"{{ {subject} <{describer.mdq}hasMeeting> ?meeting }} "
        f"?meeting <{describer.mdq}ordinal> ?ordinal . "
        f"GRAPH ?graph {{ ?meeting ?p ?o }} }}"
    )
    assert isinstance(rows, ox.QuerySolutions)
    graphs: dict[tuple[int, str], set[str]] = defaultdict(set)
    for meeting, ordinal, graph in rows:
        if not isinstance(ordinal, ox.Literal) or not ordinal.value.isdigit():
            continue
        if (
            isinstance(meeting, ox.NamedNode)
            and isinstance(graph, ox.NamedNode)
            and graph.value not in (describer.inferred_graph, describer.ontology_graph)
        ):
            graphs[(int(ordinal.value), meeting.value)].add(graph.value)
    meetings = tuple(
        KnownMeeting(ordinal, describer.iri_node(meeting), describer.graph_nodes(found))
        for (ordinal, meeting), found in sorted(graphs.items())
    )
    known = {m.ordinal for m in meetings}
    last = max(known, default=0)
    return meetings, tuple(n for n in range(1, last) if n not in known)
