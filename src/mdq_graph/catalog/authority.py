"""The controlled vocabularies the catalog uses: EU authority tables, IANA media types, ADMS, SPDX.

DCAT-AP asks for values from these tables, typed and labelled in the description itself; their
IRIs and English labels are those the tables publish.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef

from mdq_graph.graph.namespaces import DCAT

_EU = "http://publications.europa.eu/resource/authority/"
EU_THEME = Namespace(_EU + "data-theme/")
#: The data-theme table itself, the catalog's dcat:themeTaxonomy.
EU_THEME_SCHEME = URIRef(_EU + "data-theme")
EU_FILE_TYPE = Namespace(_EU + "file-type/")
EU_LANGUAGE = Namespace(_EU + "language/")
EU_ACCESS_RIGHT = Namespace(_EU + "access-right/")
EU_FREQUENCY = Namespace(_EU + "frequency/")
EU_AVAILABILITY = Namespace(_EU + "planned-availability/")
IANA_MEDIA_TYPE = Namespace("http://www.iana.org/assignments/media-types/")
W3C_FORMAT = Namespace("http://www.w3.org/ns/formats/")
ADMS_PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
ADMS_LICENCE_TYPE = Namespace("http://purl.org/adms/licencetype/")
ADMS_STATUS = Namespace("http://purl.org/adms/status/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")

#: dcat:version is DCAT 3; rdflib's DCAT namespace predates it.
DCAT_VERSION = URIRef(str(DCAT) + "version")
DCAT_AP = URIRef("https://semiceu.github.io/DCAT-AP/releases/3.0.1/")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
CC_BY_4 = URIRef("https://creativecommons.org/licenses/by/4.0/")

#: For each export format (by its name in formats.FORMATS): its name for people, its EU file type
#: and its W3C format IRI. A test checks that every export format is here.
FORMAT_FACTS: dict[str, tuple[str, URIRef, URIRef]] = {
    "turtle": ("Turtle", EU_FILE_TYPE.RDF_TURTLE, W3C_FORMAT.Turtle),
    "json-ld": ("JSON-LD", EU_FILE_TYPE.JSON_LD, W3C_FORMAT["JSON-LD"]),
    "nt": ("N-Triples", EU_FILE_TYPE.RDF_N_TRIPLES, W3C_FORMAT["N-Triples"]),
    "nq": ("N-Quads", EU_FILE_TYPE.RDF_N_QUADS, W3C_FORMAT["N-Quads"]),
    "trig": ("TriG", EU_FILE_TYPE.RDF_TRIG, W3C_FORMAT.TriG),
    "xml": ("RDF/XML", EU_FILE_TYPE.RDF_XML, W3C_FORMAT.RDF_XML),
}

#: Language tags (BCP 47) as the EU language table names them.
EU_LANGUAGES = {"en": EU_LANGUAGE.ENG, "ja": EU_LANGUAGE.JPN}

#: The dataset's EU data themes: an intergovernmental dialogue (INTR) on technology policy (TECH),
#: reported by a government (GOVE).
THEMES = (EU_THEME.GOVE, EU_THEME.INTR, EU_THEME.TECH)

#: English labels of the concepts used, as their tables give them.
CONCEPT_LABELS: dict[URIRef, str] = {
    EU_THEME.GOVE: "Government and public sector",
    EU_THEME.INTR: "International issues",
    EU_THEME.TECH: "Science and technology",
    EU_AVAILABILITY.STABLE: "stable",
    ADMS_PUBLISHER_TYPE.NonProfitOrganisation: "Non-Profit Organisation",
    ADMS_LICENCE_TYPE.Attribution: "Attribution",
    ADMS_STATUS.Completed: "Completed",
}

#: Standards the description points to with dct:conformsTo, with their titles.
STANDARD_TITLES: dict[URIRef, str] = {
    DCAT_AP: "DCAT Application Profile for data portals in Europe (DCAT-AP) 3.0.1",
    SPARQL_PROTOCOL: "SPARQL 1.1 Protocol",
}
