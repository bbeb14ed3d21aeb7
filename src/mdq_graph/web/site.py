"""`mdq-graph publish`: the knowledge graph as a static linked-data site for any web host.

Every IRI under the base is published as files beside where it lives: `id/country/jp` as
`id/country/jp.html` (English), `id/country/jp.ja.html` (Japanese) and `id/country/jp.ttl`,
`.jsonld`, `.nt`, `.nq`, `.trig`, `.rdf` (its description, as `serve` gives it); a named graph's
files hold its contents, the ontology's the ontology, the catalog's the whole DCAT-AP description.
The pages are those of `serve` (`pages.py`), with `SiteLinks` instead of the server's links: paths
relative to the page, so the site works on a plain static file server, from any folder. The
recipes of `hosting.py` make the IRIs themselves resolve where the host allows rewriting.

The site is built in a new folder beside OUTDIR and renamed into its place, so a failed build
never leaves half a site; a non-empty folder without the `.mdq-site` marker of an earlier build
is replaced only when asked to (`force`).
"""

from __future__ import annotations

import dataclasses
import json
import posixpath
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pyoxigraph as ox
from rdflib import Dataset

from mdq_graph.catalog import lookup
from mdq_graph.catalog.authority import FORMAT_FACTS
from mdq_graph.catalog.dcat import dump_path
from mdq_graph.catalog.void import void_description
from mdq_graph.errors import PublishError
from mdq_graph.export.exporter import Exportable
from mdq_graph.formats.rdf import write_rdf
from mdq_graph.graph.engine import Engine
from mdq_graph.graph.namespaces import BASE, DCAT, RDF
from mdq_graph.graph.rdf_formats import FORMATS, RdfFormat
from mdq_graph.graph.rebase import check_base
from mdq_graph.output import make_staging_folder, real_target, replace_folder
from mdq_graph.query.curated import CuratedQuery
from mdq_graph.query.results import RESULT_FORMATS, render
from mdq_graph.version import __version__
from mdq_graph.web.describe import Describer
from mdq_graph.web.hosting import OTHER_TYPES, apache_htaccess, nginx_conf, robots_txt, sitemaps
from mdq_graph.web.pages import (
    query_anchor,
    render_error_page,
    render_home_page,
    render_ontology_page,
    render_queries_page,
    render_query_page,
    render_resource_page,
)
from mdq_graph.web.publication import Publication, publish, site_license, site_title
from mdq_graph.web.server import STATIC_DIR
from mdq_graph.web.views import (
    PAGE_LANGUAGES,
    AnsweredQuery,
    Download,
    ErrorView,
    Labels,
    Node,
    Page,
    QueriesView,
    QueryView,
    ResultsView,
    Site,
)
from mdq_graph.web.workbench import MODEL_PATH, page_settings, vendor_files, workbench_model
from mdq_graph.web.writers import solution_rows

#: The file that marks a folder as written by `mdq-graph publish` (so it may be replaced).
MARKER = ".mdq-site"
#: The language of the pages without a language in their name (`jp.html`; `jp.ja.html`).
DEFAULT_LANGUAGE = PAGE_LANGUAGES[0]
QUERIES_STEM = "queries"
#: The workbench's page (`query.html`) and the graph it loads into the browser's SPARQL engine.
WORKBENCH_STEM = "query"
WORKBENCH_DATA = "workbench.nq"
#: The values of a property, and the links into a resource, that a page shows (the server's
#: pages show 100 and 300, and point to the endpoint for the rest).
PAGE_VALUES = 2_000
TURTLE = FORMATS["turtle"]


@dataclass(frozen=True)
class SiteReport:
    """What was written: the folder, how many resources, pages and files, and any IRI under the
    base that has no page (with the reason)."""

    path: Path
    base: str
    resources: int
    pages: int
    files: int
    size: int
    seconds: float
    skipped: tuple[str, ...] = ()


def stem_of(base: str, iri: str) -> str | None:
    """The path an IRI under `base` (without a fragment) is published at, without extension:
    `id/country/jp`, "" for the base, `x/` for a folder IRI; None when it cannot be a file's path
    (a query string, an empty, dot or hidden segment, an escape that is not UTF-8)."""
    rest = iri[len(base) :]
    if not iri.startswith(base) or "?" in rest or "#" in rest:
        return None
    try:
        path = unquote(rest, errors="strict")
    except UnicodeDecodeError:
        return None
    segments = path.split("/")
    if path.endswith("/"):
        segments.pop()
    if path and any(s == "" or s.startswith(".") or "\\" in s or "\x00" in s for s in segments):
        return None
    return path


def file_iri(base: str, path: str) -> str:
    """The IRI a file of the site is published at."""
    return base + quote(path)


@dataclass(frozen=True)
class Layout:
    """Where everything is published, as paths relative to the site's folder."""

    base: str
    #: The IRIs that have pages, with their stems.
    pages: Mapping[str, str]
    #: The files that are resources themselves (downloads, the context, the catalog, queries).
    files: frozenset[str]
    ontology_stem: str
    #: Whether the site has the workbench (its vendor files are built).
    workbench: bool = False

    def page_path(self, stem: str, lang: str) -> str:
        """The HTML file of the page `stem` in `lang`: `x.html`, `x.ja.html`, `x/index.html`."""
        name = "index" if stem == "" or stem.endswith("/") else ""
        suffix = ".html" if lang == DEFAULT_LANGUAGE else f".{lang}.html"
        return f"{stem}{name}{suffix}"


@dataclass(frozen=True)
class SiteLinks:
    """The links of one page of a static site: relative to the page's file, so the site works
    from any folder of any host; with `root`, path-absolute instead (for the 404 page, which a
    host serves at any address)."""

    layout: Layout
    stem: str
    lang: str
    root: str | None = None

    def href(self, path: str, fragment: str = "") -> str:
        """A link to the file `path` of the site."""
        if self.root is not None:
            url = self.root + quote(path)
        else:
            here = posixpath.dirname(self.layout.page_path(self.stem, self.lang))
            url = quote(posixpath.relpath(path, here or "."))
        return f"{url}#{fragment}" if fragment else url

    def resource(self, iri: str) -> str | None:
        """The page of an IRI published here (in this page's language), or the file it names."""
        base = self.layout.base
        if not iri.startswith(base):
            return None
        rest, _, fragment = iri[len(base) :].partition("#")
        if rest in self.layout.files:
            return self.href(rest, fragment)
        stem = self.layout.pages.get(base + rest)
        if stem is None:
            return None
        return self.href(self.layout.page_path(stem, self.lang), fragment)

    def representation(self, iri: str, extension: str) -> str | None:
        """The file of an IRI's description in a format (`id/country/jp.ttl`)."""
        base = self.layout.base
        stem = self.layout.pages.get(iri.partition("#")[0]) if iri.startswith(base) else None
        if not stem or stem.endswith("/"):
            return None
        return self.href(stem + extension)

    def language(self, lang: str) -> str:
        """This page in another language."""
        return replace(self, lang=lang).href(self.layout.page_path(self.stem, lang))

    def page(self, name: str, params: Mapping[str, str] | None = None) -> str | None:
        """The home page, the ontology, the queries (no SPARQL endpoint), an asset."""
        stems = {"home": "", "ontology": self.layout.ontology_stem, "queries": QUERIES_STEM}
        if name in stems:
            return self.href(self.layout.page_path(stems[name], self.lang))
        if name == "query" and params and "name" in params:
            path = self.layout.page_path(QUERIES_STEM, self.lang)
            return self.href(path, query_anchor(params["name"]))
        if name == "sparql" and self.layout.workbench:
            return self.href(self.layout.page_path(WORKBENCH_STEM, self.lang))
        if name.startswith("asset/"):
            return self.href("static/" + name[len("asset/") :])
        return None


def write_site(
    source: Exportable | Engine | Dataset | Publication,
    outdir: Path,
    *,
    base: str = BASE,
    force: bool = False,
) -> SiteReport:
    """Write the static site of `source` (a dataset, an engine, or a publication prepared with
    `publish(..., service=False)`, whose base is used) for `base` into `outdir`, replacing it
    whole; `PublishError` when `outdir` is not ours to replace (see the module's description) or
    two resources would share a file, `UsageError` for a bad base."""
    started = time.monotonic()
    base = source.base if isinstance(source, Publication) else check_base(base)
    target = real_target(outdir)
    _check_target(target, force)
    publication = (
        source if isinstance(source, Publication) else publish(source, base, service=False)
    )
    staging = make_staging_folder(target, "building")
    try:
        built = build_site(publication, staging)
        _check_target(target, force)  # again: the folder may have changed during the build
        replace_folder(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return SiteReport(
        path=target,
        base=base,
        resources=built.resources,
        pages=sum(1 for path in built.files.owners if path.endswith(".html")),
        files=len(built.files.owners),
        size=built.files.size,
        seconds=time.monotonic() - started,
        skipped=built.skipped,
    )


def _check_target(target: Path, force: bool) -> None:
    """Refuse a file, the current folder (or one holding it), and a non-empty folder that no
    earlier build wrote (unless `force`)."""
    if target.exists() and not target.is_dir():
        raise PublishError(f"{target} is a file, not a folder; choose another OUTDIR")
    if not target.is_dir():
        return
    if Path.cwd().resolve().is_relative_to(target.resolve()):
        raise PublishError(
            f"refusing to replace {target}: it is, or holds, the current folder; "
            "run the command from elsewhere or choose another OUTDIR"
        )
    if force or (target / MARKER).is_file() or not any(target.iterdir()):
        return
    raise PublishError(
        f"{target} is not empty and was not written by mdq-graph publish (it has no {MARKER} "
        "file); choose a new or empty folder, or give --force to replace it and everything in it"
    )


class SiteFiles:
    """Writes the files of a site, each once: two things published as one file is an error."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.owners: dict[str, str] = {}
        self.size = 0

    def write(self, path: str, data: bytes | str, owner: str) -> None:
        """Write `data` to `path` (relative to the site's folder) for `owner`."""
        if path in self.owners:
            raise PublishError(
                f"{owner} and {self.owners[path]} would both be published as {path}; "
                "give one of them another IRI"
            )
        body = data.encode("utf-8") if isinstance(data, str) else data
        file = self.folder / path
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise PublishError(
                f"cannot write {path} for {owner}: {err.strerror} ({err.filename}: a file of the "
                "site would have the name of a folder)"
            ) from None
        try:
            with file.open("xb") as handle:  # "x": a clash on a case-insensitive file system
                handle.write(body)
        except FileExistsError:
            same = next((p for p in self.owners if p.casefold() == path.casefold()), "another file")
            raise PublishError(
                f"{owner} would be published as {path}, which this file system does not tell "
                f"apart from {same} ({self.owners.get(same, 'unknown')})"
            ) from None
        except OSError as err:
            raise PublishError(f"cannot write {file} for {owner}: {err.strerror}") from None
        self.owners[path] = owner
        self.size += len(body)


@dataclass(frozen=True)
class BuiltSite:
    """The files of a built site, how many resources have pages, and which have none (why)."""

    files: SiteFiles
    resources: int
    skipped: tuple[str, ...]


def build_site(publication: Publication, folder: Path) -> BuiltSite:
    """Write every file of the site of `publication` into the empty `folder`."""
    base = publication.base
    files = SiteFiles(folder)
    answers, own = _answer_queries(publication)
    for fmt in FORMATS.values():
        own[dump_path(fmt)] = publication.download(fmt)
    own[publication.context_iri[len(base) :]] = publication.context_document()
    own["void.ttl"] = publication.triples_bytes(void_description(publication.catalog), TURTLE)
    pages, skipped = _pages(publication, frozenset(own))
    catalog_iri = _catalog_iri(publication)
    catalog_stem = pages.get(catalog_iri or "")
    metadata = {
        f"{catalog_stem}{fmt.extension}": f"DCAT-AP 3.0.1 + VoID · {FORMAT_FACTS[fmt.name][0]}"
        for fmt in FORMATS.values()
        if catalog_stem
    } | {"void.ttl": f"VoID · {FORMAT_FACTS[TURTLE.name][0]}"}
    vendor = vendor_files()
    layout = Layout(
        base,
        pages,
        frozenset([*own, *metadata]),
        pages[publication.ontology_iri],
        workbench=bool(vendor),
    )

    for path, data in own.items():
        files.write(path, data, path)
    for asset in sorted(STATIC_DIR.iterdir()):
        if asset.is_file():
            files.write(f"static/{asset.name}", asset.read_bytes(), "the pages' assets")
    for path, data in vendor.items():
        files.write(f"static/{path}", data, "the workbench's npm packages")
    home = replace(
        publication.home_view(),
        metadata=tuple(
            Download(label, _media_type(path), file_iri(base, path), posixpath.splitext(path)[1])
            for path, label in metadata.items()
        ),
    )
    title, licence = site_title(publication), site_license(publication)

    def write_page(
        stem: str, owner: str, render: Callable[[Page[Any], str], str], view: Any
    ) -> None:
        for lang in PAGE_LANGUAGES:
            site = Site(title, SiteLinks(layout, stem, lang), licence)
            files.write(layout.page_path(stem, lang), render(Page(site, view), lang), owner)

    # A static site has no endpoint to list what a page leaves out: its pages show far more.
    describer = Describer(
        publication.engine, base, max_values=PAGE_VALUES, max_incoming=PAGE_VALUES
    )
    for iri, stem in pages.items():
        if iri == base:
            write_page(stem, iri, render_home_page, home)
            continue
        if publication.is_ontology(iri):
            # The version's page is the ontology's, its alternates the version's own files.
            view = describer.ontology_view()
            view = dataclasses.replace(view, ontology=dataclasses.replace(view.ontology, iri=iri))
            write_page(stem, iri, render_ontology_page, view)
        else:
            write_page(stem, iri, render_resource_page, describer.resource_view(iri))
        if not stem.endswith("/"):
            for fmt in FORMATS.values():
                data = _description(publication, iri, iri == catalog_iri, fmt)
                files.write(stem + fmt.extension, data, iri)
    write_page(QUERIES_STEM, "the curated queries", render_queries_page, QueriesView(answers))
    stems = [*pages.values(), QUERIES_STEM]
    if vendor:
        _write_workbench(files, layout, publication, title, licence)
        stems.append(WORKBENCH_STEM)
    _write_hosting(files, layout, home.modified, stems, title, licence)
    return BuiltSite(files, len(pages), tuple(skipped))


def _write_workbench(
    files: SiteFiles,
    layout: Layout,
    publication: Publication,
    title: Labels,
    licence: Node | None,
) -> None:
    """The workbench (`query.html`): its model, and the graph it queries in the browser (the
    named graphs of the store `serve` queries, whose union the page makes its default graph)."""
    model = workbench_model(
        publication.engine,
        layout.base,
        publication.prefixes,
        publication.queries,
        publication.describer.labels,
    )
    model["files"] = sorted(layout.files)
    files.write(MODEL_PATH, json.dumps(model, ensure_ascii=False), "the workbench")
    # Canonical blank-node labels, sorted: the same graph gives the same bytes (as every export).
    quads = (q for q in publication.engine.store if isinstance(q.graph_name, ox.NamedNode))
    graph = write_rdf(quads, FORMATS["nq"])
    files.write(WORKBENCH_DATA, graph, "the workbench")
    view = QueryView(queries=publication.queries)
    for lang in PAGE_LANGUAGES:
        links = SiteLinks(layout, WORKBENCH_STEM, lang)
        settings = page_settings(
            mode="static",
            base=layout.base,
            root="",
            model=MODEL_PATH,
            data=WORKBENCH_DATA,
            lang=lang,
        )
        page = render_query_page(Page(Site(title, links, licence), view), lang, settings)
        files.write(layout.page_path(WORKBENCH_STEM, lang), page, "the workbench")


def _pages(publication: Publication, files: frozenset[str]) -> tuple[dict[str, str], list[str]]:
    """The IRIs under the base that get pages (every one the store names, fragments aside), by
    stem, and the reasons of those that cannot."""
    base, describer = publication.base, publication.describer
    named: set[str] = set()
    for quad in publication.engine.store:
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            if isinstance(term, ox.NamedNode) and term.value.startswith(base):
                named.add(term.value)
    pages = {
        base: "",
        **{
            iri: stem_of(base, iri) or ""
            for iri in (publication.ontology_iri, publication.ontology_version_iri)
        },
    }
    skipped = []
    for iri in sorted(named):
        rest, fragment, _ = iri[len(base) :].partition("#")
        document = base + rest
        if rest in files or document in pages:
            continue
        stem = stem_of(base, document)
        if stem is None:
            why = (
                "it has a query string"
                if "?" in rest
                else "a segment of its path is empty, '.', '..', hidden or not UTF-8"
            )
            skipped.append(f"{iri}: {why}, so it cannot be a file's name")
        elif fragment and not describer.exists(document):
            skipped.append(
                f"{iri}: nothing is said about {document}, whose page it would be part of"
            )
        else:
            pages[document] = stem
    return pages, skipped


def _catalog_iri(publication: Publication) -> str | None:
    """The IRI of the DCAT catalog, whose files hold the whole published description."""
    catalogs = [
        lookup.text(s) for s in lookup.subjects(publication.catalog, RDF.type, DCAT.Catalog)
    ]
    return catalogs[0] if catalogs else None


def _description(publication: Publication, iri: str, catalog: bool, fmt: RdfFormat) -> bytes:
    """What the files of `iri` hold: a graph's contents (the ontology's for the ontology), the
    whole description for the catalog (what portals harvest), else its description as `serve`
    gives it."""
    describer = publication.describer
    if catalog:
        return publication.catalog_rdf(fmt)
    if publication.is_ontology(iri):
        return publication.graph_rdf(describer.ontology_graph, fmt)
    if describer.is_graph(iri):
        return publication.graph_rdf(iri, fmt)
    return publication.resource_rdf(iri, fmt)


def _media_type(path: str) -> str:
    extension = posixpath.splitext(path)[1]
    return next(
        (f.media_type for f in FORMATS.values() if f.extension == extension),
        OTHER_TYPES.get(extension, "application/octet-stream"),
    )


def _answer_queries(publication: Publication) -> tuple[tuple[AnsweredQuery, ...], dict[str, bytes]]:
    """Each curated query run on the publication, and its files: the query (`.rq`) and its
    answer (`.csv` for SELECT, `.srj` for ASK, `.ttl` for CONSTRUCT and DESCRIBE)."""
    answers, files = [], {}
    for query in publication.queries:
        answer, written = _answer(publication, query)
        answers.append(
            replace(
                answer,
                files=tuple(
                    Download(path, _media_type(path), file_iri(publication.base, path))
                    for path in written
                ),
            )
        )
        files.update(written)
    return tuple(answers), files


def _answer(
    publication: Publication, query: CuratedQuery
) -> tuple[AnsweredQuery, dict[str, bytes]]:
    stem = f"{QUERIES_STEM}/{query.name}"
    files = {f"{stem}.rq": query.text.encode("utf-8")}
    engine, describer = publication.engine, publication.describer
    result = engine.query(query.text)
    if isinstance(result, ox.QueryTriples):
        triples = list(result)
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
        files[f"{stem}{TURTLE.extension}"] = publication.write(quads, TURTLE)
        return AnsweredQuery(query, triples=len(triples)), files
    fmt = RESULT_FORMATS["json" if isinstance(result, ox.QueryBoolean) else "csv"]
    files[f"{stem}{fmt.extension}"] = render(engine.query(query.text), fmt.name)
    if isinstance(result, ox.QueryBoolean):
        return AnsweredQuery(query, ResultsView(boolean=bool(result))), files
    variables = tuple(v.value for v in result.variables)
    rows = tuple(
        tuple(None if term is None else describer.node(term) for term in row)
        for row in solution_rows(result)
    )
    return AnsweredQuery(query, ResultsView(variables, rows)), files


def _write_hosting(
    files: SiteFiles,
    layout: Layout,
    modified: str | None,
    stems: list[str],
    title: Labels,
    licence: Node | None,
) -> None:
    """The 404 page, the sitemap, robots.txt, the recipes for Apache and nginx, the marker."""
    base = layout.base
    not_found = ErrorView(
        404, "Not found", "Nothing is published at this address; the home page lists what is."
    )
    # A host serves the 404 page at any address: its links are absolute paths.
    links = SiteLinks(layout, "", DEFAULT_LANGUAGE, root=urlsplit(base).path or "/")
    page = render_error_page(Page(Site(title, links, licence), not_found), DEFAULT_LANGUAGE)
    files.write("404.html", page, "the 404 page")
    variants = [{lang: layout.page_path(stem, lang) for lang in PAGE_LANGUAGES} for stem in stems]
    for name, text in sitemaps(base, variants, modified).items():
        files.write(name, text, "the sitemap")
    files.write("robots.txt", robots_txt(base), "robots.txt")
    files.write(".htaccess", apache_htaccess(base, PAGE_LANGUAGES), "the Apache recipe")
    files.write("nginx.conf", nginx_conf(base, PAGE_LANGUAGES), "the nginx recipe")
    # GitHub Pages: publish the files as they are (without, Jekyll leaves out .htaccess).
    files.write(".nojekyll", b"", "GitHub Pages")
    marker = {"generator": "mdq-graph publish", "version": __version__, "base": base}
    files.write(MARKER, json.dumps(marker, indent=2) + "\n", "the marker")
