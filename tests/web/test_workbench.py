"""The query workbench without a browser: its model (what the editor completes from), the label
search (in Python on the server, and the same rules in static/search.js, run with node), the
server's routes, and what `publish` ships for it (the graph the browser's engine answers from)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import SH
from starlette.testclient import TestClient

from mdq_graph.cli import main
from mdq_graph.graph.resources import shapes_dir
from mdq_graph.query.curated import curated_queries
from mdq_graph.web import site
from mdq_graph.web import workbench as wb
from mdq_graph.web.publication import Publication
from mdq_graph.web.server import STATIC_DIR, ServerSettings, create_app
from tests.conftest import TEST_DATA
from tests.support.serving import client as client
from tests.support.serving import publication as publication
from tests.support.site import StaticSite

CASES_FILE = TEST_DATA / "workbench" / "search.tsv"
CASES = [
    line.rstrip("\n").split("\t")
    for line in CASES_FILE.read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]
DCAT_CENTROID = "http://www.w3.org/ns/dcat#centroid"


def test_the_search_cases_are_all_collected() -> None:
    assert len(CASES) == 18


@pytest.fixture(scope="module")
def model(publication: Publication) -> dict[str, Any]:
    return wb.workbench_model(
        publication.engine,
        publication.base,
        publication.prefixes,
        publication.queries,
        publication.describer.labels,
    )


def test_the_model_has_our_prefixes_and_templates(
    model: dict[str, Any], publication: Publication
) -> None:
    assert model["prefixes"] == publication.prefixes
    assert [q["name"] for q in model["queries"]] == [q.name for q in publication.queries]
    assert all(q["text"] and q["title"] for q in model["queries"])


def test_every_class_and_property_the_graph_uses_is_offered(
    model: dict[str, Any], publication: Publication
) -> None:
    store = publication.engine.store
    used_classes = {
        q.object.value
        for q in store.quads_for_pattern(
            None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), None, None
        )
        if isinstance(q.object, ox.NamedNode)
    }
    used_properties = {q.predicate.value for q in store}
    assert used_classes <= {c["iri"] for c in model["classes"]}
    assert used_properties <= {p["iri"] for p in model["properties"]}
    country = next(c for c in model["classes"] if c["iri"].endswith("ontology#Country"))
    assert set(country["labels"]) == {"en", "ja"}


def test_the_properties_of_a_class_come_from_the_shapes(model: dict[str, Any]) -> None:
    shapes = Graph()
    for path in sorted(shapes_dir().glob("*.ttl")):
        shapes.parse(path, format="turtle")
    pairs = {
        (str(cls), str(path))
        for shape, cls in shapes.subject_objects(SH.targetClass)
        for prop in shapes.objects(shape, SH.property)
        for path in shapes.objects(prop, SH.path)
        if isinstance(path, URIRef)
    }
    assert pairs, "the shapes target classes"
    for cls, path in pairs:
        assert path in model["classProperties"][cls], (cls, path)


def test_every_resource_with_a_centroid_is_a_place_on_the_map(
    model: dict[str, Any], publication: Publication
) -> None:
    store = publication.engine.store
    centroids = {
        q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(DCAT_CENTROID), None)
    }
    assert set(model["places"]) == centroids
    for place in model["places"].values():
        lon, lat = place["point"]
        west, south, east, north = place["bbox"]
        assert west <= lon <= east and south <= lat <= north


def test_every_name_of_the_graph_is_searchable(
    model: dict[str, Any], publication: Publication
) -> None:
    store = publication.engine.store
    # Each name once, with every resource that bears it (a name stated in several graphs, or
    # by several properties, is one search: the same words give the same hits).
    named: dict[str, set[str]] = {}
    for prop in (*wb.NAME_PROPERTIES, *wb.ALT_PROPERTIES):
        for quad in store.quads_for_pattern(None, ox.NamedNode(prop), None):
            if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal):
                named.setdefault(quad.object.value, set()).add(quad.subject.value)
    assert len(named) > 100
    for name, resources in named.items():
        found = {hit.iri for hit in wb.search(model, name, "en", wb.MAX_HITS)}
        assert resources <= found, (name, resources - found)


@pytest.mark.parametrize(("query", "lang", "first"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_label_search(model: dict[str, Any], query: str, lang: str, first: str) -> None:
    hits = wb.search(model, query, lang)
    assert hits, f"nothing found for {query!r}"
    assert hits[0].iri == model["base"] + first, [h.iri for h in hits[:3]]


def test_search_normalises_width_case_and_kana() -> None:
    assert wb.normalise("ＪＡＰＡＮ") == wb.normalise("japan")
    assert wb.normalise("ツクバ") == wb.normalise("つくば")
    assert wb.score(wb.normalise("Japn"), wb.normalise("Japan")) == 60
    assert wb.score("abc", "xyz") == 0
    assert wb.search({"resources": [], "base": ""}, "   ", "en") == []


def node() -> str | None:
    path = shutil.which("node")
    if path is None:
        if os.environ.get("MDQ_REQUIRE_BROWSER") == "1":
            pytest.fail("MDQ_REQUIRE_BROWSER=1, but node is not installed")
        pytest.skip("node is not installed (it runs static/search.js)")
    return path


def test_the_browser_search_finds_what_the_server_finds(
    model: dict[str, Any], tmp_path: Path
) -> None:
    """static/search.js (the static site's search) against workbench.py, hit for hit."""
    executable = node()
    queries = [(q, lang) for q, lang, _ in CASES] + [
        ("quantum", "en"),
        ("量子", "ja"),
        ("Multilateral Dialogue on Quantun", "en"),  # longer than fuzzy matching goes
        ("x" * 300, "en"),
    ]
    (tmp_path / "model.json").write_text(json.dumps(model, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "queries.json").write_text(
        json.dumps(queries, ensure_ascii=False), encoding="utf-8"
    )
    script = tmp_path / "run.mjs"
    script.write_text(
        f'import {{ search }} from "{(STATIC_DIR / "search.js").as_uri()}";\n'
        'import { readFileSync } from "node:fs";\n'
        'const model = JSON.parse(readFileSync(process.argv[2], "utf8"));\n'
        'const queries = JSON.parse(readFileSync(process.argv[3], "utf8"));\n'
        "console.log(JSON.stringify(queries.map(([q, lang]) => search(model, q, lang, 50))));\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [executable, str(script), str(tmp_path / "model.json"), str(tmp_path / "queries.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    in_browser = json.loads(done.stdout)
    for (query, lang), hits in zip(queries, in_browser, strict=True):
        expected = [h.__dict__ for h in wb.search(model, query, lang, 50)]
        assert hits == expected, query


# --- the server ---------------------------------------------------------------------------------


def test_the_search_endpoint(client: TestClient) -> None:
    response = client.get("/search", params={"q": "日本", "lang": "ja"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    assert document["query"] == "日本"
    first = document["hits"][0]
    assert first["iri"].endswith("/id/country/jp")
    assert first["label"] == "日本"
    assert first["href"] == "/id/country/jp?lang=ja"
    english = client.get("/search", params={"q": "Japan"}).json()["hits"][0]
    assert (english["label"], english["href"]) == ("Japan", "/id/country/jp")
    assert client.get("/search", params={"q": ""}).json()["hits"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x", "limit": "0"},
        {"q": "x", "limit": "51"},
        {"q": "x", "limit": "many"},
        {"q": "x", "lang": "fr"},
    ],
    ids=["limit-0", "limit-51", "limit-text", "unknown-language"],
)
def test_the_search_endpoint_refuses_bad_parameters(
    client: TestClient, params: dict[str, str]
) -> None:
    response = client.get("/search", params=params, headers={"Accept": "application/json"})
    assert response.status_code == 400


def test_the_model_endpoint(client: TestClient, model: dict[str, Any]) -> None:
    response = client.get("/workbench.json")
    assert response.status_code == 200
    assert response.json() == model


def test_the_query_page_has_the_workbench_when_it_is_built(client: TestClient) -> None:
    page = client.get("/sparql", headers={"Accept": "text/html"}).text
    if wb.vendor_manifest() is None:
        assert "wb-not-built" in page and 'id="workbench"' not in page
        return
    assert 'id="workbench"' in page and 'data-mode="server"' in page
    assert 'type="module"' in page and "wb-not-built" not in page
    # The plain form stays for browsers without JavaScript.
    assert 'id="wb-fallback"' in page and 'name="query"' in page
    for name in ["yasqe.esm.js", "yasqe.css", "oxigraph/web.js", "oxigraph/web_bg.wasm"]:
        response = client.get(f"/static/vendor/{name}")
        assert response.status_code == 200, name
    assert client.get("/static/vendor/oxigraph/web_bg.wasm").headers["content-type"] == (
        "application/wasm"
    )


def test_without_the_built_files_the_page_says_so(
    publication: Publication, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wb, "VENDOR_DIR", Path("/nonexistent/vendor"))
    app = create_app(publication, settings=ServerSettings(workers=1))
    with TestClient(app) as fresh:
        page = fresh.get("/sparql", headers={"Accept": "text/html"}).text
        assert "wb-not-built" in page and "npm ci" in page
        assert 'id="workbench"' not in page and 'name="query"' in page
        assert fresh.get("/static/vendor/yasqe.esm.js").status_code == 404
        assert fresh.get("/search", params={"q": "Japan"}).status_code == 200


# --- the static site ------------------------------------------------------------------------------


def built() -> None:
    if wb.vendor_manifest() is None:
        if os.environ.get("MDQ_REQUIRE_BROWSER") == "1":
            pytest.fail(
                "MDQ_REQUIRE_BROWSER=1, but the workbench is not built (npm ci && npm run build)"
            )
        pytest.skip("the workbench is not built (npm ci && npm run build)")


def test_the_site_ships_the_workbench(static_site: StaticSite) -> None:
    built()
    folder = static_site.folder
    for name in ["query.html", "query.ja.html", "workbench.json", "workbench.nq"]:
        assert (folder / name).is_file(), name
    manifest = json.loads((folder / "static/vendor/manifest.json").read_text(encoding="utf-8"))
    for name in manifest["files"]:
        assert (folder / "static/vendor" / name).is_file(), name
    page = (folder / "query.html").read_text(encoding="utf-8")
    assert 'data-mode="static"' in page and 'data-data="workbench.nq"' in page
    # The navigation links the workbench where the server links its endpoint.
    assert 'href="query.html"' in (folder / "index.html").read_text(encoding="utf-8")


def test_the_shipped_graph_answers_as_the_server_does(static_site: StaticSite) -> None:
    """workbench.nq, loaded as the page loads it (named graphs, their union as the default
    graph), gives every offline curated query the answer of the server's engine."""
    built()
    store = ox.Store()
    store.load(path=str(static_site.folder / "workbench.nq"), format=ox.RdfFormat.N_QUADS)
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    engine = static_site.publication.engine
    checked = 0
    for query in curated_queries():
        if query.network:
            continue
        mine, theirs = store.query(query.text), engine.query(query.text)
        if isinstance(mine, ox.QuerySolutions):
            assert isinstance(theirs, ox.QuerySolutions)
            assert sorted(map(str, mine)) == sorted(map(str, theirs)), query.name
        elif isinstance(mine, ox.QueryBoolean):
            assert bool(mine) == bool(theirs), query.name
        else:
            assert sorted(map(str, mine)) == sorted(map(str, theirs)), query.name  # type: ignore[arg-type]
        checked += 1
    assert checked == len([q for q in curated_queries() if not q.network])


@pytest.mark.parametrize("with_vendor", [True, False], ids=["built", "not-built"])
def test_publish_ships_the_workbench_only_where_it_is_built(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_vendor: bool
) -> None:
    if with_vendor:
        built()
    else:
        monkeypatch.setattr(site, "vendor_files", dict)
    out = tmp_path / "site"
    data = TEST_DATA / "workbench" / "two-places.trig"
    result = runner.invoke(main, ["--data", str(data), "publish", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "query.html").is_file() is with_vendor
    assert (out / "workbench.json").is_file() is with_vendor
    assert (out / "static" / "vendor").is_dir() is with_vendor
    home = (out / "index.html").read_text(encoding="utf-8")
    assert ('href="query.html"' in home) is with_vendor
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert ("query.html" in sitemap) is with_vendor
    if with_vendor:
        model = json.loads((out / "workbench.json").read_text(encoding="utf-8"))
        tsukuba = next(r for r in model["resources"] if r["iri"].endswith("place/tsukuba"))
        assert ["ja", "茨城県つくば市"] in tsukuba["alt"]
        assert model["places"] == {"https://w3id.org/mdq/id/country/jp": {"point": [138.06, 37.66]}}
