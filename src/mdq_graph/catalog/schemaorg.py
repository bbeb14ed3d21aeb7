"""The schema.org `Dataset` for the landing page (what Google Dataset Search reads), from the catalog.

The server and the static site embed it as `<script type="application/ld+json">`. It is derived from
the DCAT-AP description (`catalog.build_catalog`), so the two never say different things.
"""

from __future__ import annotations

import re
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from mdq_graph.catalog.authority import DCAT_VERSION, EU_ACCESS_RIGHT, EU_LANGUAGES, IANA_MEDIA_TYPE
from mdq_graph.errors import MdqError
from mdq_graph.graph.namespaces import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SPDX

_BCP47 = {str(iri): tag for tag, iri in EU_LANGUAGES.items()}
_NUMBER = r"(-?\d+(?:\.\d+)?)"


def schema_dataset_jsonld(catalog: Graph) -> dict[str, Any]:
    """The schema.org `Dataset` (JSON-LD, as a dict) of the one `dcat:Dataset` in `catalog`."""
    datasets = sorted(catalog.subjects(RDF.type, DCAT.Dataset), key=str)
    if len(datasets) != 1:
        raise MdqError(f"the catalog must describe one dcat:Dataset, not {len(datasets)}")
    dataset = datasets[0]
    out: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": str(dataset),
        "name": _text(catalog, dataset, DCTERMS.title, "en"),
        "alternateName": _text(catalog, dataset, DCTERMS.title, "ja"),
        "description": _text(catalog, dataset, DCTERMS.description, "en"),
        "url": _value(catalog, dataset, DCAT.landingPage),
        "identifier": _value(catalog, dataset, DCTERMS.identifier),
        "keywords": sorted({str(k) for k in catalog.objects(dataset, DCAT.keyword)}),
        "license": _value(catalog, dataset, DCTERMS.license),
        "isAccessibleForFree": (dataset, DCTERMS.accessRights, EU_ACCESS_RIGHT.PUBLIC) in catalog,
        "inLanguage": sorted(
            _BCP47[str(lang)]
            for lang in catalog.objects(dataset, DCTERMS.language)
            if str(lang) in _BCP47
        ),
        "version": _value(catalog, dataset, DCAT_VERSION),
        "datePublished": _value(catalog, dataset, DCTERMS.issued),
        "dateModified": _value(catalog, dataset, DCTERMS.modified),
        "creator": [_organisation(catalog, a) for a in _sorted(catalog, dataset, DCTERMS.creator)],
        "publisher": [
            _organisation(catalog, a) for a in _sorted(catalog, dataset, DCTERMS.publisher)
        ],
        "isBasedOn": [
            str(page)
            for source in _sorted(catalog, dataset, PROV.wasDerivedFrom)
            for page in _sorted(catalog, source, FOAF.page)
        ],
        "spatialCoverage": [
            _place(catalog, place) for place in _sorted(catalog, dataset, DCTERMS.spatial)
        ],
        "distribution": [
            _download(catalog, d) for d in _sorted(catalog, dataset, DCAT.distribution)
        ],
    }
    for period in catalog.objects(dataset, DCTERMS.temporal):
        start, end = catalog.value(period, DCAT.startDate), catalog.value(period, DCAT.endDate)
        if start is not None and end is not None:
            out["temporalCoverage"] = f"{start}/{end}"
    for catalogue in catalog.subjects(DCAT.dataset, dataset):
        out["includedInDataCatalog"] = {
            "@type": "DataCatalog",
            "@id": str(catalogue),
            "name": _text(catalog, catalogue, DCTERMS.title, "en"),
            "url": _value(catalog, catalogue, FOAF.homepage),
        }
    return {key: value for key, value in out.items() if value not in (None, [], "")}


def _sorted(graph: Graph, subject: Node, predicate: Node) -> list[Node]:
    return sorted(graph.objects(subject, predicate), key=str)


def _value(graph: Graph, subject: Node, predicate: Node) -> str | None:
    values = _sorted(graph, subject, predicate)
    return str(values[0]) if values else None


def _text(graph: Graph, subject: Node, predicate: Node, lang: str) -> str | None:
    texts = sorted(
        str(v) for v in graph.objects(subject, predicate) if getattr(v, "language", None) == lang
    )
    return texts[0] if texts else None


def _organisation(graph: Graph, agent: Node) -> dict[str, Any]:
    name = _text(graph, agent, FOAF.name, "en") or _text(graph, agent, RDFS.label, "en")
    found = {"@type": "Organization", "@id": str(agent), "name": name}
    return found | ({"url": url} if (url := _value(graph, agent, FOAF.homepage)) else {})


def _place(graph: Graph, place: Node) -> dict[str, Any]:
    """A schema.org Place; its box ("south west north east") from the WKT dcat:bbox."""
    found: dict[str, Any] = {"@type": "Place", "@id": str(place)}
    if name := _text(graph, place, RDFS.label, "en"):
        found["name"] = name
    bbox = _value(graph, place, DCAT.bbox)
    numbers = [float(n) for n in re.findall(_NUMBER, bbox or "")]
    if len(numbers) >= 4:
        lons, lats = numbers[0::2], numbers[1::2]
        box = f"{min(lats)} {min(lons)} {max(lats)} {max(lons)}"
        found["geo"] = {"@type": "GeoShape", "box": box}
    return found


def _download(graph: Graph, distribution: Node) -> dict[str, Any]:
    """A schema.org DataDownload for a distribution with a download URL."""
    media_type = _value(graph, distribution, DCAT.mediaType) or ""
    found: dict[str, Any] = {
        "@type": "DataDownload",
        "name": _text(graph, distribution, DCTERMS.title, "en"),
        "encodingFormat": media_type.removeprefix(str(IANA_MEDIA_TYPE)),
        "contentUrl": _value(graph, distribution, DCAT.downloadURL),
    }
    size = graph.value(distribution, DCAT.byteSize)
    if isinstance(size, Literal):
        found["contentSize"] = f"{size} B"
    for checksum in graph.objects(distribution, SPDX.checksum):
        if graph.value(checksum, SPDX.algorithm) == URIRef(SPDX.checksumAlgorithm_sha256):
            found["sha256"] = str(graph.value(checksum, SPDX.checksumValue))
    return {key: value for key, value in found.items() if value}
