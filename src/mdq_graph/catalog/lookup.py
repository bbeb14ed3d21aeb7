"""Lookups in the dataset's description (pyoxigraph quads in an `ox.Dataset`), for its readers:
the schema.org view, the VoID file, the landing page."""

from __future__ import annotations

import pyoxigraph as ox

#: A term of the description.
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
#: A resource of the description: a term, or an IRI as a string (e.g. a vocabulary's term).
Resource = str | ox.NamedNode | ox.BlankNode


def _node(resource: Resource | Term) -> Term:
    return ox.NamedNode(resource) if isinstance(resource, str) else resource


def objects(description: ox.Dataset, subject: Resource | Term, predicate: str) -> list[Term]:
    """The values of `predicate` for `subject`, sorted by their IRI or lexical form (none for a
    literal)."""
    node = _node(subject)
    if isinstance(node, ox.Literal):
        return []
    p = ox.NamedNode(predicate)
    found = [q.object for q in description.quads_for_subject(node) if q.predicate == p]
    return sorted(found, key=text)


def subjects(description: ox.Dataset, predicate: str, value: Resource | Term) -> list[Term]:
    """The resources whose `predicate` is `value`, sorted by their IRI."""
    p = ox.NamedNode(predicate)
    found = [q.subject for q in description.quads_for_object(_node(value)) if q.predicate == p]
    return sorted(found, key=text)


def value(description: ox.Dataset, subject: Resource | Term, predicate: str) -> Term | None:
    """The value of `predicate` for `subject` (the first by `text` if it has several)."""
    found = objects(description, subject, predicate)
    return found[0] if found else None


def text(term: Term) -> str:
    """An IRI, a blank node's label or a literal's lexical form (a triple term as N-Triples)."""
    return str(term) if isinstance(term, ox.Triple) else term.value
