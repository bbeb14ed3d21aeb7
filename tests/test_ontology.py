"""The ontology is documented, bilingual and aligned with the standard vocabularies."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from mdq_graph import __version__
from mdq_graph.graph.namespaces import MDQ, ONTOLOGY_IRI
from mdq_graph.graph.resources import ontology_file

ONTOLOGY = Graph().parse(ontology_file(), format="turtle")
TERMS = sorted(
    {
        s
        for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in ONTOLOGY.subjects(RDF.type, t)
        if isinstance(s, URIRef) and s.startswith(str(MDQ))
    }
)
STANDARD = (
    "https://schema.org/",
    "http://www.w3.org/ns/org#",
    "http://www.w3.org/ns/prov#",
    "http://www.w3.org/2004/02/skos/core#",
    "http://www.w3.org/ns/dcat#",
    "http://purl.org/dc/terms/",
    "http://xmlns.com/foaf/0.1/",
    "http://www.w3.org/2006/vcard/ns#",
    "http://www.w3.org/2006/time#",
    "http://www.w3.org/ns/oa#",
)


def test_ontology_header() -> None:
    iri = URIRef(ONTOLOGY_IRI)
    assert (iri, RDF.type, OWL.Ontology) in ONTOLOGY
    assert str(ONTOLOGY.value(iri, OWL.versionInfo)) == __version__
    assert str(ONTOLOGY.value(iri, OWL.versionIRI)).endswith(f"/ontology/{__version__}")
    assert ONTOLOGY.value(iri, DCTERMS.license) is not None
    creator = ONTOLOGY.value(iri, DCTERMS.creator)
    assert (
        creator is not None
        and (creator, RDF.type, URIRef("http://xmlns.com/foaf/0.1/Organization")) in ONTOLOGY
    )
    description = str(ONTOLOGY.value(iri, DCTERMS.description))
    assert "Q756617" in description and "Q29999" in description  # the Denmark/Netherlands choice


def test_the_ontology_has_the_terms_the_issue_asks_for() -> None:
    for name in (
        "DialogueSeries",
        "Meeting",
        "Event",
        "Participation",
        "Organisation",
        "GovernmentBody",
        "GovernmentUnit",
        "ResearchInstitute",
        "ResearchCentre",
        "IndustryAlliance",
        "IntergovernmentalOrganisation",
        "Place",
        "Venue",
        "KeyOutcome",
        "Topic",
        "YearDesignation",
        "NextStep",
        "ContactPoint",
        "SourceDocument",
        "ordinal",
    ):
        assert MDQ[name] in TERMS, name
    assert len(TERMS) >= 60


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.split("#")[1])
def test_every_term_has_english_and_japanese_labels_and_definitions(term: URIRef) -> None:
    for predicate in (RDFS.label, SKOS.definition):
        languages = {getattr(v, "language", None) for v in ONTOLOGY.objects(term, predicate)}
        assert {"en", "ja"} <= languages, f"{term} {predicate} has {languages}"


def test_standard_vocabularies_are_aligned_to_or_reused(dataset: Dataset) -> None:
    """Each standard vocabulary is specialised by one of our terms, or its terms are used as they are."""
    aligned = set()
    for term in TERMS:
        for sup in ONTOLOGY.transitive_objects(term, RDFS.subClassOf):
            aligned |= {ns for ns in STANDARD if str(sup).startswith(ns)}
        for sup in ONTOLOGY.transitive_objects(term, RDFS.subPropertyOf):
            aligned |= {ns for ns in STANDARD if str(sup).startswith(ns)}
    reused = {ns for ns in STANDARD for p in dataset.predicates() if str(p).startswith(ns)}
    assert aligned == set(STANDARD) - {"http://www.w3.org/2006/time#"}  # OWL-Time: reused as is
    assert aligned | reused == set(STANDARD)
    unaligned_classes = [
        t
        for t in TERMS
        if (t, RDF.type, OWL.Class) in ONTOLOGY and not list(ONTOLOGY.objects(t, RDFS.subClassOf))
    ]
    assert unaligned_classes == []
