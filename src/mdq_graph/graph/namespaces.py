"""The namespaces of the graph: our own (under one base) and the vocabularies we reuse."""

from __future__ import annotations

import re

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
    VANN,
    VOID,
    XSD,
)

#: The one base under which every IRI of the project lives; `--base-uri` rebases from here.
BASE = "https://w3id.org/mdq/"

#: Ontology terms (classes and properties).
MDQ = Namespace(BASE + "ontology#")
#: The ontology document itself.
ONTOLOGY_IRI = BASE + "ontology"
#: Things the graph describes: meetings, countries, organisations, sources, quotes, ...
ID = Namespace(BASE + "id/")
#: Named graphs: one per source, plus the ontology and the inferred schema.org view.
GRAPH = Namespace(BASE + "graph/")
#: The published JSON-LD context (bundled as ontology/context.jsonld; never fetched).
CONTEXT_IRI = BASE + "context.jsonld"

SCHEMA = SDO
OA = Namespace("http://www.w3.org/ns/oa#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
WD = Namespace("http://www.wikidata.org/entity/")
EU_COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
#: DCAT-AP's own terms (e.g. dcatap:availability), used by the catalog (see catalog.py).
DCATAP = Namespace("http://data.europa.eu/r5r/")

#: Prefixes bound on every graph we serialise: only well-known ones, so exports read as people expect.
_PREFIXED = {
    "mdq": MDQ,
    "id": ID,
    "graph": GRAPH,
    "schema": SCHEMA,
    "oa": OA,
    "org": ORG,
    "prov": PROV,
    "skos": SKOS,
    "dcat": DCAT,
    "dct": DCTERMS,
    "foaf": FOAF,
    "vcard": VCARD,
    "time": TIME,
    "void": VOID,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "adms": ADMS,
    "spdx": SPDX,
    "wd": WD,
    "vann": VANN,
    "dcatap": DCATAP,
}

PREFIXES: dict[str, Namespace] = {prefix: Namespace(str(ns)) for prefix, ns in _PREFIXED.items()}

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
]


_LOCAL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def curie(iri: str) -> str:
    """`iri` as a prefixed name with our prefixes (the longest namespace that fits), else `<iri>`."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        ns = str(namespace)
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            local = iri[len(ns) :]
            if not local or (_LOCAL_NAME.fullmatch(local) and not local.endswith(".")):
                best = prefix
    if best:
        return f"{best}:{iri[len(str(PREFIXES[best])) :]}"
    return f"<{iri}>"
