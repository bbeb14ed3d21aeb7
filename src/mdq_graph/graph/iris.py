"""The IRIs of the graph as plain strings: the one base and the prefixes we bind.

Without rdflib, so that the commands that never need it (`--help`, `query --store`) do not load it;
`mdq_graph.graph.namespaces` makes rdflib's namespaces of the same IRIs.
"""

from __future__ import annotations

import re

#: The one base under which every IRI of the project lives; `--base-uri` rebases from here.
BASE = "https://w3id.org/mdq/"
#: The ontology document itself.
ONTOLOGY_IRI = BASE + "ontology"
#: The published JSON-LD context (bundled as ontology/context.jsonld; never fetched).
CONTEXT_IRI = BASE + "context.jsonld"

#: Prefixes bound on every graph we serialise and predefined in queries: only well-known ones, so
#: that exports read as people expect.
PREFIX_IRIS: dict[str, str] = {
    "mdq": BASE + "ontology#",
    "id": BASE + "id/",
    "graph": BASE + "graph/",
    "schema": "https://schema.org/",
    "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "time": "http://www.w3.org/2006/time#",
    "void": "http://rdfs.org/ns/void#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "adms": "http://www.w3.org/ns/adms#",
    "spdx": "http://spdx.org/rdf/terms#",
    "wd": "http://www.wikidata.org/entity/",
    "vann": "http://purl.org/vocab/vann/",
    "dcatap": "http://data.europa.eu/r5r/",
}

_LOCAL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def curie(iri: str) -> str:
    """`iri` as a prefixed name with our prefixes (the longest namespace that fits), else `<iri>`."""
    best = ""
    for prefix, ns in PREFIX_IRIS.items():
        if iri.startswith(ns) and len(ns) > len(PREFIX_IRIS.get(best, "")):
            local = iri[len(ns) :]
            if not local or (_LOCAL_NAME.fullmatch(local) and not local.endswith(".")):
                best = prefix
    if best:
        return f"{best}:{iri[len(PREFIX_IRIS[best]) :]}"
    return f"<{iri}>"
