"""The ontology is documented, bilingual and aligned with the standard vocabularies."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from mdq_graph import __version__
from mdq_graph.graph.namespaces import GRAPH, MDQ, ONTOLOGY_IRI, ORG, SCHEMA
from mdq_graph.graph.resources import ontology_file
from tests.conftest import TEST_DATA

ONTOLOGY = Graph().parse(ontology_file(), format="turtle")
TERMS = sorted(
    {
        s
        for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
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
    assert ONTOLOGY.value(iri, DCTERMS.issued) is not None
    assert {c.language for c in ONTOLOGY.objects(iri, RDFS.comment)} == {"en", "ja"}  # type: ignore[attr-defined]
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


# --- Quality checks, one SPARQL query per rule (as the OBO Ontology Development Kit runs them) --------

CHECKS = sorted((TEST_DATA / "ontology" / "checks").glob("*.rq"))
VIOLATING = TEST_DATA / "ontology" / "violating"


def test_every_quality_check_is_collected_with_a_fixture_that_breaks_it() -> None:
    assert len(CHECKS) == 7
    assert sorted(p.stem for p in VIOLATING.glob("*.ttl")) == [p.stem for p in CHECKS]


@pytest.mark.parametrize("check", CHECKS, ids=lambda path: path.stem)
def test_the_ontology_passes_the_quality_check(check: Path) -> None:
    offending = [str(row[0]) for row in ONTOLOGY.query(check.read_text(encoding="utf-8"))]  # type: ignore[index]
    assert offending == [], f"{check.name}: {offending}"


@pytest.mark.parametrize("check", CHECKS, ids=lambda path: path.stem)
def test_the_quality_check_finds_what_breaks_its_rule(check: Path) -> None:
    broken = Graph().parse(VIOLATING / f"{check.stem}.ttl", format="turtle")
    assert list(broken.query(check.read_text(encoding="utf-8"))), check.name


# --- Alignments that said something false: gone, with the reason, and gone from the inferred view --

FALSE_ALIGNMENTS = {
    # schema:attendee expects a Person or Organization; the values are schema:Country (Places).
    "participatingCountry-attendee": (MDQ.participatingCountry, SCHEMA.attendee),
    # schema:usageInfo expects a CreativeWork or URL; ours is the wording.
    "termsOfUse-usageInfo": (MDQ.termsOfUse, SCHEMA.usageInfo),
    # A designation of a year does not happen at a time and place.
    "YearDesignation-Event": (MDQ.YearDesignation, SCHEMA.Event),
    # skos:exactMatch makes its subjects skos:Concepts, and claims an identity that is false at the
    # Kingdom level for Denmark and the Netherlands.
    "euCountry-exactMatch": (MDQ.euCountry, SKOS.exactMatch),
    # org:unitOf's value is an org:FormalOrganization: a secretariat with teams is not one.
    "unitOf-org-unitOf": (MDQ.unitOf, ORG.unitOf),
    # schema:PlanAction is the act of planning, not the plan; schema:agent is a property of Actions.
    "NextStep-PlanAction": (MDQ.NextStep, SCHEMA.PlanAction),
    "actor-agent": (MDQ.actor, SCHEMA.agent),
    # GeoNames's entry of a state's ISO code covers its main territory only: not the same thing.
    "geonames-sameAs": (MDQ.geonames, SCHEMA.sameAs),
    # Pending (EventSeries, DefinedTerm) or absent (ResearchOrganization) in schema.org 12.0.
    "DialogueSeries-EventSeries": (MDQ.DialogueSeries, SCHEMA.EventSeries),
    "Topic-DefinedTerm": (MDQ.Topic, SCHEMA.DefinedTerm),
    "StakeholderGroup-DefinedTerm": (MDQ.StakeholderGroup, SCHEMA.DefinedTerm),
    "ResearchInstitute-ResearchOrganization": (MDQ.ResearchInstitute, SCHEMA.ResearchOrganization),
    "ResearchCentre-ResearchOrganization": (MDQ.ResearchCentre, SCHEMA.ResearchOrganization),
}


def test_every_false_alignment_is_listed() -> None:
    assert len(FALSE_ALIGNMENTS) == 13


@pytest.mark.parametrize(("term", "false"), FALSE_ALIGNMENTS.values(), ids=list(FALSE_ALIGNMENTS))
def test_a_false_alignment_is_gone_with_the_reason(
    dataset: Dataset, term: URIRef, false: URIRef
) -> None:
    is_class = (term, RDF.type, OWL.Class) in ONTOLOGY
    link = RDFS.subClassOf if is_class else RDFS.subPropertyOf
    assert false not in set(ONTOLOGY.transitive_objects(term, link))
    name = str(false).rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    notes = " ".join(str(n) for n in ONTOLOGY.objects(term, SKOS.editorialNote))
    assert name in notes, f"{term}: say in skos:editorialNote why it is not {name}"
    # ... and the inferred view no longer states it of the data (which uses the term)
    inferred = dataset.graph(GRAPH.inferred)
    if is_class:
        members = set(dataset.subjects(RDF.type, term))
        assert members
        assert not [m for m in members if (m, RDF.type, false) in inferred]
    else:
        pairs = [(s, o) for s, _, o in dataset.triples((None, term, None))]
        assert pairs
        assert not [(s, o) for s, o in pairs if (s, false, o) in inferred]
