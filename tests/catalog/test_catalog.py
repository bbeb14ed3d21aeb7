"""The DCAT-AP description: it validates, it is computed from the graph, and it matches the exports."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SKOS, VOID, XSD
from rdflib.term import Node

from mdq_graph import __version__
from mdq_graph.catalog.authority import DCAT_VERSION, FORMAT_FACTS, THEMES
from mdq_graph.catalog.dcat import (
    CATALOG_GRAPH,
    build_catalog,
    dump_path,
    export_parts,
    schema_dataset_jsonld,
    serialize_catalog,
)
from mdq_graph.catalog.void import LINK_TARGETS
from mdq_graph.cli import main
from mdq_graph.export.exporter import from_dataset, published_catalog
from mdq_graph.graph.namespaces import BASE, MDQ, SPDX
from mdq_graph.graph.rdf_formats import FORMATS
from mdq_graph.graph.resources import sources_dir
from tests.conftest import REPO
from tests.support.description import as_graph

SH = Namespace("http://www.w3.org/ns/shacl#")
PREFIXES = """PREFIX mdq: <https://w3id.org/mdq/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""
DCAT_AP_DIR = REPO.parent / "shared" / "ref" / "dcat-ap-3.0.1"
needs_dcat_ap = pytest.mark.skipif(
    not DCAT_AP_DIR.is_dir(),
    reason=f"the official DCAT-AP 3.0.1 shapes are not at {DCAT_AP_DIR} (shared/ beside the clone)",
)
DATASET = URIRef(BASE + "dataset")


def union_triples(dataset: Dataset) -> set[tuple[Node, Node, Node]]:
    """The distinct triples of the named graphs of `dataset`, counted by rdflib: the oracle the
    counts computed inside the store are checked against."""
    return {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}


@pytest.fixture(scope="module")
def description(dataset: Dataset) -> ox.Dataset:
    """The full description (with sizes and checksums) of the bundled graph, as it is made."""
    described, _ = published_catalog(from_dataset(dataset))
    return described


@pytest.fixture(scope="module")
def catalog(description: ox.Dataset) -> Graph:
    """The full description as an rdflib graph, for pySHACL and rdflib's lookups."""
    return as_graph(description)


def dcat_ap_shapes(name: str) -> Graph:
    """An official shapes file, without the two property shapes the 3.0.1 release refers to but
    defines only in its ranges.ttl (pySHACL refuses a reference to an undefined shape)."""
    shapes = Graph().parse(DCAT_AP_DIR / name)
    dangling = [
        (node, shape)
        for node, shape in shapes.subject_objects(SH.property)
        if not any(shapes.predicate_objects(shape))
    ]
    assert all(str(node).endswith("#dcat:DataServiceShape") for node, _ in dangling), dangling
    for node, shape in dangling:
        shapes.remove((node, SH.property, shape))
    return shapes


def count(graph: Graph, subject: Node, predicate: Node) -> int:
    """The integer value of `predicate` for `subject`."""
    value = graph.value(subject, predicate)
    assert isinstance(value, Literal), (subject, predicate)
    return int(value)


def findings(data: Graph, shapes: Graph) -> list[str]:
    """Every result of validating `data` against `shapes`, violations and warnings alike."""
    from pyshacl import validate

    _, report, _ = validate(data, shacl_graph=shapes, allow_warnings=False)
    return sorted(
        f"{report.value(r, SH.resultSeverity)} {report.value(r, SH.focusNode)} "
        f"{report.value(r, SH.resultPath)} {report.value(r, SH.resultMessage)}"
        for r in report.subjects(RDF.type, SH.ValidationResult)
    )


# --- DCAT-AP 3.0.1 -----------------------------------------------------------------------------------


@needs_dcat_ap
@pytest.mark.parametrize("shapes_file", ["dcat-ap-SHACL.ttl", "shapes_recommended.ttl"])
def test_the_catalog_has_no_violation_and_no_warning(catalog: Graph, shapes_file: str) -> None:
    assert findings(catalog, dcat_ap_shapes(shapes_file)) == []


@needs_dcat_ap
def test_the_recommended_shapes_do_report_what_is_missing(catalog: Graph) -> None:
    degraded = Graph()
    for s, p, o in catalog:
        if p not in (DCAT.bbox, DCAT.centroid, DCAT.keyword):
            degraded.add((s, p, o))
    found = findings(degraded, dcat_ap_shapes("shapes_recommended.ttl"))
    assert len(found) == 13 * 2 + 2, found  # bbox and centroid of each country; keywords twice
    assert all(f.startswith(str(SH.Warning)) for f in found)


@needs_dcat_ap
@pytest.mark.parametrize(
    "shapes_file",
    # `validate` leaves out the two property shapes dcat-ap-SHACL.ttl refers to but does not define.
    ["dcat-ap-SHACL.ttl", "shapes_recommended.ttl"],
)
def test_validate_accepts_the_catalog_with_the_official_shapes(
    shapes_file: str, runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "catalog.ttl"
    assert runner.invoke(main, ["catalog", "-o", str(out)]).exit_code == 0
    shapes = str(DCAT_AP_DIR / shapes_file)
    result = runner.invoke(main, ["validate", str(out), "--shapes", shapes, "--strict"])
    assert result.exit_code == 0, result.output


# --- Distributions: one per export format, sizes and checksums of the exports ------------------------


def test_every_export_format_has_a_distribution(catalog: Graph) -> None:
    assert set(FORMAT_FACTS) == set(FORMATS)
    distributions = set(catalog.objects(DATASET, DCAT.distribution))
    assert len(distributions) == len(FORMATS)
    for fmt in FORMATS.values():
        (distribution,) = catalog.subjects(DCAT.downloadURL, URIRef(BASE + dump_path(fmt)))
        assert distribution in distributions
        media_type = catalog.value(distribution, DCAT.mediaType)
        assert media_type == URIRef(f"http://www.iana.org/assignments/media-types/{fmt.media_type}")
        assert catalog.value(distribution, DCTERMS.format) == FORMAT_FACTS[fmt.name][1]


def test_sizes_and_checksums_are_those_of_the_exports(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "catalog.ttl"
    result = runner.invoke(main, ["catalog", "-o", str(out)])
    assert result.exit_code == 0, result.output
    described = Graph().parse(out)
    for fmt in FORMATS.values():
        export = tmp_path / f"mdq{fmt.extension}"
        result = runner.invoke(main, ["export", "--format", fmt.name, "-o", str(export)])
        assert result.exit_code == 0, result.output
        data = export.read_bytes()
        (distribution,) = described.subjects(DCAT.downloadURL, URIRef(BASE + dump_path(fmt)))
        assert count(described, distribution, DCAT.byteSize) == len(data), fmt.name
        checksum = described.value(distribution, SPDX.checksum)
        assert described.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        value = described.value(checksum, SPDX.checksumValue)
        assert isinstance(value, Literal) and value.datatype == XSD.hexBinary
        assert str(value).lower() == hashlib.sha256(data).hexdigest(), fmt.name


def test_the_exports_carry_the_description_without_sizes_or_checksums(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "mdq.trig"
    assert runner.invoke(main, ["export", "--format", "trig", "-o", str(out)]).exit_code == 0
    back = Dataset()
    back.parse(out, format="trig")
    carried = back.graph(CATALOG_GRAPH)
    assert (DATASET, RDF.type, DCAT.Dataset) in carried
    assert not list(carried.triples((None, DCAT.byteSize, None)))
    assert not list(carried.triples((None, SPDX.checksum, None)))


def test_a_description_read_back_is_replaced_not_merged(dataset: Dataset) -> None:
    data, description = export_parts(dataset)
    carrying = Dataset()
    carrying.addN(
        (s, p, o, carrying.graph(getattr(g, "identifier", g))) for s, p, o, g in data.quads()
    )
    stale = carrying.graph(CATALOG_GRAPH)
    stale.add((DATASET, VOID.triples, Literal(1)))
    _, again = export_parts(carrying)
    assert set(again) == set(description)


def test_base_uri_moves_every_iri_of_the_description(dataset: Dataset) -> None:
    local = as_graph(build_catalog(dataset, base_uri="http://127.0.0.1:8000/"))
    terms = {str(t) for triple in local for t in triple}
    assert not [t for t in terms if t.startswith(BASE)]
    service = next(local.subjects(RDF.type, DCAT.DataService))
    assert local.value(service, DCAT.endpointURL) == URIRef("http://127.0.0.1:8000/sparql")
    assert Literal("http://127.0.0.1:8000/id/") in set(local.objects(None, VOID.uriSpace))


def test_the_catalog_command_writes_every_format(
    runner: CliRunner, description: ox.Dataset
) -> None:
    result = runner.invoke(main, ["catalog", "--format", "json-ld", "--base-uri", "nowhere"])
    assert result.exit_code == 2, result.output
    expected = serialize_catalog(description, FORMATS["nt"])
    result = runner.invoke(main, ["catalog", "--format", "nt"])
    assert result.exit_code == 0, result.output
    assert result.output.encode("utf-8") == expected


# --- Computed from the graph ---------------------------------------------------------------------------


def test_coverage_version_and_standards_come_from_the_graph(
    catalog: Graph, dataset: Dataset
) -> None:
    participants = set(dataset.objects(None, MDQ.participatingCountry))
    expected = {dataset.value(c, MDQ.euCountry) for c in participants}
    assert len(expected) == 13 and set(catalog.objects(DATASET, DCTERMS.spatial)) == expected
    for place in expected:
        assert (place, RDF.type, DCTERMS.Location) in catalog
        assert catalog.value(place, DCAT.bbox) is not None
    period = catalog.value(DATASET, DCTERMS.temporal)
    starts = [str(d) for d in dataset.objects(None, URIRef("https://schema.org/startDate"))]
    ends = [str(d) for d in dataset.objects(None, URIRef("https://schema.org/endDate"))]
    assert str(catalog.value(period, DCAT.startDate)) == min(starts)
    assert str(catalog.value(period, DCAT.endDate)) == max(ends)
    assert str(catalog.value(DATASET, DCAT_VERSION)) == __version__
    conforms = set(catalog.objects(DATASET, DCTERMS.conformsTo))
    assert {URIRef(BASE + "ontology"), URIRef(BASE + "shapes")} <= conforms
    assert set(catalog.objects(DATASET, DCAT.theme)) == set(THEMES)
    titles = {t.language for t in catalog.objects(DATASET, DCTERMS.title)}  # type: ignore[attr-defined]
    assert titles == {"en", "ja"}
    releases = set(dataset.subjects(RDF.type, MDQ.PressRelease))
    assert releases <= set(
        catalog.objects(DATASET, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
    )


def test_void_counts_are_those_of_the_graph(catalog: Graph, dataset: Dataset) -> None:
    triples = union_triples(dataset)
    assert count(catalog, DATASET, VOID.triples) == len(triples)
    entities = {s for s, _, _ in triples if str(s).startswith(BASE + "id/")}
    assert count(catalog, DATASET, VOID.entities) == len(entities)
    partitions = list(catalog.objects(DATASET, VOID.classPartition))
    assert len(partitions) == len({o for _, p, o in triples if p == RDF.type})
    for partition in partitions:
        cls = catalog.value(partition, VOID["class"])
        members = {s for s, p, o in triples if p == RDF.type and o == cls}
        assert count(catalog, partition, VOID.entities) == len(members), cls
    for partition in catalog.objects(DATASET, VOID.propertyPartition):
        prop = catalog.value(partition, VOID.property)
        uses = sum(1 for _, p, _ in triples if p == prop)
        assert count(catalog, partition, VOID.triples) == uses, prop
    assert (DATASET, VOID.exampleResource, URIRef(BASE + "id/meeting/mdq-7")) in catalog
    assert (DATASET, VOID.sparqlEndpoint, URIRef(BASE + "sparql")) in catalog


@pytest.mark.parametrize("target", ["wikidata", "geonames", "ror"])
def test_linksets_count_the_links(target: str, catalog: Graph, dataset: Dataset) -> None:
    space = next(t.uri_space for t in LINK_TARGETS if t.key == target)
    linksets = [
        ls
        for ls in catalog.subjects(RDF.type, VOID.Linkset)
        if str(catalog.value(ls, VOID.objectsTarget)).endswith(f"/target/{target}")
    ]
    assert linksets
    for linkset in linksets:
        predicate = catalog.value(linkset, VOID.linkPredicate)
        links = [
            (s, o)
            for s, p, o in union_triples(dataset)
            if p == predicate and str(o).startswith(space) and str(s).startswith(BASE + "id/")
        ]
        assert count(catalog, linkset, VOID.triples) == len(links) > 0
    predicates = {catalog.value(ls, VOID.linkPredicate) for ls in linksets}
    assert {"wikidata": MDQ.wikidata, "geonames": MDQ.geonames, "ror": MDQ.ror}[
        target
    ] in predicates


# --- schema.org for the landing page --------------------------------------------------------------------


def test_schema_org_dataset_for_the_landing_page(description: ox.Dataset) -> None:
    found = schema_dataset_jsonld(description)
    json.dumps(found)  # plain JSON, ready for <script type="application/ld+json">
    assert found["@type"] == "Dataset" and found["url"] == BASE
    assert 50 <= len(found["description"]) <= 5000  # what Google Dataset Search accepts
    assert found["license"] == "https://creativecommons.org/licenses/by/4.0/"
    # From the first day of the 4th meeting (Quantum Without Borders) to the last of the 7th.
    assert found["temporalCoverage"] == "2023-10-24/2025-09-12"
    assert found["isAccessibleForFree"] is True and found["inLanguage"] == ["en", "ja"]
    assert found["version"] == __version__ and found["dateModified"]
    assert len(found["spatialCoverage"]) == 13
    japan = next(p for p in found["spatialCoverage"] if p["name"] == "Japan")
    south, west, north, east = map(float, japan["geo"]["box"].split())
    assert south < 36 < north and west < 140 < east  # Tokyo is in Japan's box
    downloads = {d["encodingFormat"]: d for d in found["distribution"]}
    assert set(downloads) == {f.media_type for f in FORMATS.values()}
    turtle = downloads["text/turtle"]
    assert turtle["contentUrl"] == BASE + "download/mdq.ttl" and turtle["contentSize"].endswith(
        " B"
    )
    assert found["creator"][0]["name"] == "mdq-graph project"
    assert found["includedInDataCatalog"]["@id"] == BASE + "catalog"
    assert {"MDQ", "standardization", "標準化"} <= set(found["keywords"])


# --- The open data portals in the graph -------------------------------------------------------------------


def reference_portals() -> dict[str, list[str]]:
    """The portals of the reference table (data/sources/reference-identifiers.md), by country."""
    text = (sources_dir() / "reference-identifiers.md").read_text(encoding="utf-8")
    section = text.split("## National open government data portals", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:3] for line in section.splitlines() if line.startswith("| ")]
    return {
        name.strip(): re.findall(r"https://[^\s;)]+", cell)
        for name, cell in rows[1:]
        if cell.strip()
    }


def test_every_portal_of_the_reference_table_is_in_the_graph(dataset: Dataset) -> None:
    portals = reference_portals()
    assert len(portals) == 14  # the 13 countries and the European Union
    query = """SELECT ?name ?homepage WHERE {
      ?area mdq:openDataPortal|mdq:openDataPortalCandidate ?portal ; rdfs:label ?name .
      ?portal a dcat:Catalog ; foaf:homepage ?homepage ; dct:spatial ?area .
      FILTER(lang(?name) = "en") }"""
    found: dict[str, list[str]] = {}
    for name, homepage in dataset.query(PREFIXES + query):  # type: ignore[misc]
        found.setdefault(str(name), []).append(str(homepage))
    assert len(found) == len(portals)
    for country, homepages in portals.items():
        (name,) = [name for name in found if country.startswith(name)]  # "Korea (Republic of)"
        assert sorted(found[name]) == sorted(homepages), country


def test_countries_link_to_their_portal_and_denmark_to_both_candidates(dataset: Dataset) -> None:
    for country in set(dataset.objects(None, MDQ.participatingCountry)):
        asserted = set(dataset.objects(country, MDQ.openDataPortal))
        candidates = set(dataset.objects(country, MDQ.openDataPortalCandidate))
        if str(country).endswith("/dk"):
            assert not asserted and len(candidates) == 2
            assert dataset.value(country, SKOS.note) is not None  # says that the sources disagree
        else:
            assert len(asserted) == 1 and not candidates, country
        for portal in asserted | candidates:
            spatial = set(dataset.objects(portal, DCTERMS.spatial))
            assert spatial == {country, dataset.value(country, MDQ.euCountry)}
            assert (portal, RDF.type, DCAT.Catalog) in dataset


def test_every_participating_country_has_a_box_and_a_centroid_inside_it(dataset: Dataset) -> None:
    geography = dataset.graph(URIRef(BASE + "graph/geography"))
    assert geography.value(URIRef(BASE + "graph/geography"), DCTERMS.source) is not None
    countries = set(dataset.objects(None, MDQ.participatingCountry))
    assert len(countries) == 13
    for country in countries:
        box = [
            float(n) for n in re.findall(r"-?\d+\.\d+", str(geography.value(country, DCAT.bbox)))
        ]
        lon, lat = map(
            float, re.findall(r"-?\d+\.\d+", str(geography.value(country, DCAT.centroid)))
        )
        west, south, east, north = min(box[0::2]), min(box[1::2]), max(box[0::2]), max(box[1::2])
        assert west < lon < east and south < lat < north, country


def test_the_catalog_says_whose_terms_the_quoted_texts_keep(
    catalog: Graph, dataset: Dataset
) -> None:
    rights = URIRef(BASE + "dataset/rights")
    (text,) = [str(t) for t in catalog.objects(rights, RDFS.label) if t.language == "en"]  # type: ignore[attr-defined]
    assert "not under CC BY 4.0" in text
    stated = {
        (source, r)
        for source, r in dataset.subject_objects(DCTERMS.rights)
        if (None, MDQ.textOf, source) in dataset
    }
    assert len(stated) == 2
    for source, r in stated:
        assert (source, DCTERMS.rights, r) in catalog
        (label,) = [x for x in dataset.objects(r, RDFS.label) if x.language == "en"]  # type: ignore[attr-defined]
        assert str(label) in text
