"""The namespaces of the graph: our own (under one base) and the vocabularies we reuse."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SKOS,
    TIME,
    VOID,
    XSD,
)

from mdq_graph.graph.iris import BASE, CONTEXT_IRI, ONTOLOGY_IRI, PREFIX_IRIS, curie

#: Ontology terms (classes and properties).
MDQ = Namespace(PREFIX_IRIS["mdq"])
#: Things the graph describes: meetings, countries, organisations, sources, quotes, ...
ID = Namespace(PREFIX_IRIS["id"])
#: Named graphs: one per source, plus the ontology and the inferred schema.org view.
GRAPH = Namespace(PREFIX_IRIS["graph"])

SCHEMA = SDO
OA = Namespace(PREFIX_IRIS["oa"])
VCARD = Namespace(PREFIX_IRIS["vcard"])
ADMS = Namespace(PREFIX_IRIS["adms"])
SPDX = Namespace(PREFIX_IRIS["spdx"])
WD = Namespace(PREFIX_IRIS["wd"])
EU_COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
#: DCAT-AP's own terms (e.g. dcatap:availability), used by the catalog (see catalog.py).
DCATAP = Namespace(PREFIX_IRIS["dcatap"])

#: Prefixes bound on every graph we serialise (`iris.PREFIX_IRIS` as rdflib namespaces).
PREFIXES: dict[str, Namespace] = {prefix: Namespace(iri) for prefix, iri in PREFIX_IRIS.items()}

__all__ = [
    "ADMS",
    "BASE",
    "CONTEXT_IRI",
    "DCAT",
    "DCATAP",
    "DCTERMS",
    "EU_COUNTRY",
    "FOAF",
    "GRAPH",
    "ID",
    "MDQ",
    "OA",
    "ONTOLOGY_IRI",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SKOS",
    "SPDX",
    "TIME",
    "VCARD",
    "VOID",
    "WD",
    "XSD",
    "curie",
]
