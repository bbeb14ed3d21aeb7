"""The schema.org `Dataset` for the landing page (what Google Dataset Search reads), from the catalog.

The server and the static site embed it as `<script type="application/ld+json">`. It is derived from
the DCAT-AP description (`catalog.build_catalog`), so the two never say different things.
"""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox

from mdq_graph.catalog.authority import DCAT_VERSION, EU_ACCESS_RIGHT, EU_LANGUAGES, IANA_MEDIA_TYPE
from mdq_graph.catalog.lookup import Term, objects, subjects, text, value
from mdq_graph.errors import MdqError
from mdq_graph.graph.namespaces import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SPDX

_BCP47 = {str(iri): tag for tag, iri in EU_LANGUAGES.items()}
_NUMBER = r"(-?\d+(?:\.\d+)?)"


def schema_dataset_jsonld(catalog: ox.Dataset) -> dict[str, Any]:
    """The schema.org `Dataset` (JSON-LD, as a dict) of the one `dcat:Dataset` in `catalog`."""
    datasets = subjects(catalog, RDF.type, DCAT.Dataset)
    if len(datasets) != 1:
        raise MdqError(f"the catalog must describe one dcat:Dataset, not {len(datasets)}")
    dataset = datasets[0]
    out: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": text(dataset),
        "name": _text(catalog, dataset, DCTERMS.title, "en"),
        "alternateName": _text(catalog, dataset, DCTERMS.title, "ja"),
        "description": _text(catalog, dataset, DCTERMS.description, "en"),
        "url": _value(catalog, dataset, DCAT.landingPage),
        "identifier": _value(catalog, dataset, DCTERMS.identifier),
        "keywords": sorted({text(k) for k in objects(catalog, dataset, DCAT.keyword)}),
        "license": _value(catalog, dataset, DCTERMS.license),
        "isAccessibleForFree": ox.NamedNode(EU_ACCESS_RIGHT.PUBLIC)
        in objects(catalog, dataset, DCTERMS.accessRights),
        "inLanguage": sorted(
            _BCP47[text(lang)]
            for lang in objects(catalog, dataset, DCTERMS.language)
            if text(lang) in _BCP47
        ),
        "version": _value(catalog, dataset, DCAT_VERSION),
        "datePublished": _value(catalog, dataset, DCTERMS.issued),
        "dateModified": _value(catalog, dataset, DCTERMS.modified),
        "creator": [_organisation(catalog, a) for a in _sorted(catalog, dataset, DCTERMS.creator)],
        "publisher": [
            _organisation(catalog, a) for a in _sorted(catalog, dataset, DCTERMS.publisher)
        ],
        "isBasedOn": [
            text(page)
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
    for period in _sorted(catalog, dataset, DCTERMS.temporal):
        start, end = _value(catalog, period, DCAT.startDate), _value(catalog, period, DCAT.endDate)
        if start is not None and end is not None:
            out["temporalCoverage"] = f"{start}/{end}"
    for catalogue in subjects(catalog, DCAT.dataset, dataset):
        out["includedInDataCatalog"] = {
            "@type": "DataCatalog",
            "@id": text(catalogue),
            "name": _text(catalog, catalogue, DCTERMS.title, "en"),
            "url": _value(catalog, catalogue, FOAF.homepage),
        }
    return {key: value for key, value in out.items() if value not in (None, [], "")}


def _sorted(graph: ox.Dataset, subject: Term, predicate: str) -> list[Term]:
    return objects(graph, subject, predicate)


def _value(graph: ox.Dataset, subject: Term, predicate: str) -> str | None:
    found = value(graph, subject, predicate)
    return None if found is None else text(found)


def _text(graph: ox.Dataset, subject: Term, predicate: str, lang: str) -> str | None:
    texts = [
        v.value
        for v in objects(graph, subject, predicate)
        if isinstance(v, ox.Literal) and v.language == lang
    ]
    return texts[0] if texts else None


def _organisation(graph: ox.Dataset, agent: Term) -> dict[str, Any]:
    name = _text(graph, agent, FOAF.name, "en") or _text(graph, agent, RDFS.label, "en")
    found = {"@type": "Organization", "@id": text(agent), "name": name}
    return found | ({"url": url} if (url := _value(graph, agent, FOAF.homepage)) else {})


def _place(graph: ox.Dataset, place: Term) -> dict[str, Any]:
    """A schema.org Place; its box ("south west north east") from the WKT dcat:bbox."""
    found: dict[str, Any] = {"@type": "Place", "@id": text(place)}
    if name := _text(graph, place, RDFS.label, "en"):
        found["name"] = name
    bbox = _value(graph, place, DCAT.bbox)
    numbers = [float(n) for n in re.findall(_NUMBER, bbox or "")]
    if len(numbers) >= 4:
        lons, lats = numbers[0::2], numbers[1::2]
        box = f"{min(lats)} {min(lons)} {max(lats)} {max(lons)}"
        found["geo"] = {"@type": "GeoShape", "box": box}
    return found


def _download(graph: ox.Dataset, distribution: Term) -> dict[str, Any]:
    """A schema.org DataDownload for a distribution with a download URL."""
    media_type = _value(graph, distribution, DCAT.mediaType) or ""
    found: dict[str, Any] = {
        "@type": "DataDownload",
        "name": _text(graph, distribution, DCTERMS.title, "en"),
        "encodingFormat": media_type.removeprefix(str(IANA_MEDIA_TYPE)),
        "contentUrl": _value(graph, distribution, DCAT.downloadURL),
    }
    size = value(graph, distribution, DCAT.byteSize)
    if isinstance(size, ox.Literal):
        found["contentSize"] = f"{size.value} B"
    for checksum in _sorted(graph, distribution, SPDX.checksum):
        if value(graph, checksum, SPDX.algorithm) == ox.NamedNode(SPDX.checksumAlgorithm_sha256):
            found["sha256"] = _value(graph, checksum, SPDX.checksumValue)
    return {key: value for key, value in found.items() if value}
