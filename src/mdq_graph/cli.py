"""The `mdq-graph` command line: parse options, call the core, render the result."""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rdflib import Dataset

from mdq_graph import __version__
from mdq_graph.catalog.dcat import build_catalog, serialize_catalog
from mdq_graph.errors import EXIT_NONCONFORMANT, MdqError, UsageError
from mdq_graph.export.exporter import export_graph
from mdq_graph.formats.jsonld import JsonLdOptions
from mdq_graph.formats.rdf import UNION
from mdq_graph.graph.dataset import load_dataset
from mdq_graph.graph.engine import Engine
from mdq_graph.graph.info import DatasetInfo, dataset_info
from mdq_graph.graph.namespaces import BASE
from mdq_graph.graph.rdf_formats import FORMAT_NAMES, get_format
from mdq_graph.graph.store import StoreInfo, build_store, open_store, store_dataset, store_summary
from mdq_graph.output import write_atomic
from mdq_graph.push import AUTH_SCHEMES, AuthScheme, push_graphs, store_graphs
from mdq_graph.query.curated import curated_queries, query_source, run_query
from mdq_graph.query.results import QUERY_FORMAT_NAMES, render
from mdq_graph.synth import default_texts_dir, meetings_for_triples, synthesize
from mdq_graph.validate.report import RENDERERS
from mdq_graph.validate.validation import validate_graph
from mdq_graph.web.views import PAGE_LANGUAGES

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """What the group's options give every command: the data paths or the store, and the dataset
    or the engine once loaded."""

    def __init__(self, data: tuple[Path, ...], store: Path | None = None) -> None:
        self.data = data
        self.store = store
        self._dataset: Dataset | None = None
        self._engine: Engine | None = None

    def dataset(self, *, inferred: bool = True) -> Dataset:
        """The dataset (bundled, or `--data` instead, or read from `--store`), loaded once."""
        if self._dataset is None or not inferred:
            store = self.store_dir()
            if store is not None:
                self._dataset = store_dataset(store, inferred=inferred)
            else:
                self._dataset = load_dataset(list(self.data) or None, inferred=inferred)
        return self._dataset

    def store_dir(self) -> Path | None:
        """The `--store` folder, if given; `UsageError` if `--data` is given too."""
        if self.store is not None and self.data:
            raise UsageError(
                "give --data or --store, not both: the store holds the data it was loaded "
                f"from (load new data with mdq-graph load --store {self.store} --data ...)"
            )
        return self.store

    def engine(self) -> Engine:
        """The SPARQL engine over the same graph, built once: every query command gets it here.

        With `--store DIR`, the on-disk store `mdq-graph load` built (opened in a moment, whatever
        its size); else the data, parsed now."""
        if self._engine is None:
            store = self.store_dir()
            if store is not None:
                self._engine = open_store(store)
            else:
                # pyoxigraph parses faster than rdflib
                from mdq_graph.graph.loader import load_store

                self._engine = Engine(load_store(list(self.data) or None))
        return self._engine


def reports_errors(command: F) -> F:
    """Turn our exceptions into a one-line message on stderr and the exit code they carry."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except MdqError as err:
            click.echo(f"mdq-graph: error: {err}", err=True)
            sys.exit(err.exit_code)

    return wrapper  # type: ignore[return-value]


def emit(data: bytes, output: Path | None) -> None:
    """Write to `output` atomically, or to stdout."""
    if output is None:
        click.echo(data.decode("utf-8"), nl=not data.endswith(b"\n"))
    else:
        write_atomic(output, data)


format_option = click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMAT_NAMES, case_sensitive=False),
    default="turtle",
    show_default=True,
    help="RDF format: turtle (ttl), json-ld (jsonld), nt, nq, trig, xml (rdfxml).",
)
output_option = click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (atomically) instead of standard output.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="mdq-graph")
@click.option(
    "--data",
    "-d",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="RDF file or folder to use instead of the bundled data (repeatable).",
)
@click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="MDQ_STORE",
    help="Query the on-disk store built by `mdq-graph load --store DIR` instead of parsing the "
    "data at start-up (also $MDQ_STORE).",
)
@click.pass_context
def main(ctx: click.Context, data: tuple[Path, ...], store: Path | None) -> None:
    """The 7th Multilateral Dialogue on Quantum (MDQ) as a linked-data knowledge graph.

    \b
    Examples:
      mdq-graph info
      mdq-graph export --format json-ld -o mdq.jsonld
      mdq-graph --data my-data/ info
      mdq-graph load --store ./store && mdq-graph --store ./store query --name participants
    """
    ctx.obj = Context(data, store)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_obj
@reports_errors
def info(obj: Context, as_json: bool) -> None:
    """Summarise the graph: triples per named graph, resources per class, sources.

    With --store, also what the store was loaded from, when and by which version.

    \b
    Examples:
      mdq-graph info --json
      mdq-graph --store ./store info
    """
    store = obj.store_dir()
    if store is not None:
        loaded, report = store_summary(store)
        if as_json:
            document = {"store": asdict(loaded), **asdict(report)}
            click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        else:
            click.echo(render_store_info(store, loaded) + "\n\n" + render_info(report))
        return
    report = dataset_info(obj.dataset())
    click.echo(
        json.dumps(asdict(report), indent=2, ensure_ascii=False) if as_json else render_info(report)
    )


def render_info(report: DatasetInfo) -> str:
    """`mdq-graph info` as text for people."""
    lines = [f"{report.total_triples} triples (union of all named graphs)", "", "Named graphs:"]
    lines += [f"  {count:>7}  {name}" for name, count in report.graphs]
    lines += ["", "Resources per class:"]
    lines += [f"  {count:>7}  {name}" for name, count in report.classes]
    lines += ["", "Sources:"]
    for source in report.sources:
        lines.append(f"  [{source.language or '?'}] {source.title}")
        lines.append(f"       {source.url or source.iri}")
    return "\n".join(lines)


@main.command()
@format_option
@output_option
@click.option(
    "--graph",
    "-g",
    default=UNION,
    show_default=True,
    help="Which graph: 'union' (all), 'default', or a named graph (IRI or short name, e.g. release-en).",
)
@click.option("--no-inferred", is_flag=True, help="Leave out the inferred schema.org/PROV-O view.")
@click.option(
    "--embed-context",
    is_flag=True,
    help="JSON-LD: embed the part of our context the document uses, instead of referencing "
    "https://w3id.org/mdq/context.jsonld.",
)
@click.option(
    "--frame",
    metavar="NAME",
    help="JSON-LD: frame the graph with a bundled frame, e.g. 'meeting' (the meeting with its "
    "series, participants, outcomes, venue, places and sources, nested).",
)
@click.option(
    "--rdf12",
    is_flag=True,
    help="turtle, nt: write the statement nodes of the evidence as RDF 1.2 reifiers of triple "
    "terms (rdf:reifies <<( s p o )>>), the union of the source graphs (Turtle 1.2, N-Triples 1.2).",
)
@click.pass_obj
@reports_errors
def export(
    obj: Context,
    fmt: str,
    output: Path | None,
    graph: str,
    no_inferred: bool,
    embed_context: bool,
    frame: str | None,
    rdf12: bool,
) -> None:
    """Export the graph in an RDF format; quad formats (nq, trig) keep the named graphs.

    The output is deterministic: the same graph always gives the same bytes.

    \b
    Examples:
      mdq-graph export --format json-ld -o mdq.jsonld
      mdq-graph export --format trig --graph release-ja
      mdq-graph export --format json-ld --frame meeting --embed-context
    """
    rdf_format = get_format(fmt)
    if (embed_context or frame) and rdf_format.name != "json-ld":
        raise UsageError("--embed-context and --frame apply to --format json-ld")
    if rdf12:
        if rdf_format.name not in ("turtle", "nt") or graph != UNION or no_inferred:
            raise UsageError("--rdf12 writes --format turtle or nt of the union graph")
        from mdq_graph.formats.rdf12 import serialize_rdf12, source_quads

        emit(serialize_rdf12(source_quads(obj.engine().store), rdf_format.name), output)
        return
    # The export carries its own description (graph/catalog; see catalog.py), computed with the
    # data in an Oxigraph store (see storeexport.py): with --store, no file is parsed.
    options = JsonLdOptions(embed_context=embed_context, frame=frame)
    data = export_graph(
        rdf_format,
        graph,
        paths=list(obj.data) or None,
        store_dir=obj.store_dir(),
        inferred=not no_inferred,
        jsonld=options,
    )
    emit(data, output)


@main.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--shapes",
    "-s",
    "extra_shapes",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="More SHACL shapes to validate against, e.g. a portal's DCAT-AP shapes (repeatable).",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, not only violations.")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(sorted(RENDERERS), case_sensitive=False),
    default="text",
    show_default=True,
    help="text (grouped by resource), json (for machines) or turtle (the SHACL validation report).",
)
@output_option
@click.pass_obj
@reports_errors
def validate_command(
    obj: Context,
    paths: tuple[Path, ...],
    extra_shapes: tuple[Path, ...],
    strict: bool,
    fmt: str,
    output: Path | None,
) -> None:
    """Validate the graph against the SHACL shapes and its quotes against their source texts.

    PATHS (RDF files or folders) are validated instead of the bundled graph, with the bundled
    ontology and shapes. Exit 0: conforms (warnings allowed unless --strict); 1: it does not;
    2: a file cannot be read.

    \b
    Examples:
      mdq-graph validate
      mdq-graph validate my-data/ --format json
      mdq-graph validate catalog.ttl --shapes dcat-ap-SHACL.ttl --strict
    """
    report = validate_graph(
        list(paths or obj.data) or None, extra_shapes=extra_shapes, strict=strict
    )
    emit(RENDERERS[fmt.lower()](report).encode("utf-8"), output)
    if not report.conforms:
        sys.exit(EXIT_NONCONFORMANT)


@main.command("catalog")
@format_option
@output_option
@click.option(
    "--base-uri",
    default=BASE,
    show_default=True,
    help="The base the description's IRIs and download URLs live under (e.g. where the site is "
    "published); the sizes and checksums are those of the exports moved to this base.",
)
@click.pass_obj
@reports_errors
def catalog_command(obj: Context, fmt: str, output: Path | None, base_uri: str) -> None:
    """Describe the dataset for open data portals: DCAT-AP 3.0.1 with VoID statistics.

    A dcat:Catalog with the dataset, a distribution per export format (with the byte size and
    SHA-256 of what `mdq-graph export` writes), the SPARQL endpoint as a data service, and the
    VoID counts, all computed from the graph. Portals harvest it as <base>catalog.ttl.

    \b
    Examples:
      mdq-graph catalog -o catalog.ttl
      mdq-graph catalog --format json-ld --base-uri http://localhost:8000/
    """
    rdf_format = get_format(fmt)
    emit(serialize_catalog(build_catalog(obj.dataset(), base_uri=base_uri), rdf_format), output)


@main.command("query")
@click.argument("query_text", metavar="[QUERY]", required=False)
@click.option(
    "--file",
    "-f",
    "query_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the query from this .rq file.",
)
@click.option("--name", "-n", help="Run a curated query (`mdq-graph queries` lists them).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(QUERY_FORMAT_NAMES, case_sensitive=False),
    metavar="FORMAT",
    help="SELECT/ASK: table (default), csv, tsv, json, xml (the W3C SPARQL 1.1 result formats). "
    "CONSTRUCT/DESCRIBE: an RDF format, turtle (default), json-ld, nt, nq, trig, xml.",
)
@output_option
@click.pass_obj
@reports_errors
def query_command(
    obj: Context,
    query_text: str | None,
    query_file: Path | None,
    name: str | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Run a SPARQL 1.1 query on the graph.

    The default graph is the union of the named graphs; each source's statements are also in
    a named graph of their own (GRAPH <https://w3id.org/mdq/graph/release-ja> { ... }).

    \b
    Examples:
      mdq-graph query --name participants
      mdq-graph query -f my-query.rq --format csv -o answers.csv
      mdq-graph query 'SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g'
    """
    source = query_source(query_text, query_file, name)
    emit(render(run_query(obj.engine(), source), fmt), output)


@main.command("why")
@click.argument("subject")
@click.argument("predicate", required=False)
@click.argument("object_", metavar="[OBJECT]", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"], case_sensitive=False),
    default="text",
    show_default=True,
    help="text (for people) or json (an array, one object per statement).",
)
@click.pass_obj
@reports_errors
def why_command(
    obj: Context, subject: str, predicate: str | None, object_: str | None, fmt: str
) -> None:
    """Show each statement that matches, with its graph and its evidence: the quoted words of
    the source (where they are, the source's address), an interpretation of quoted words, a cited
    document, or the reference table.

    SUBJECT, PREDICATE and OBJECT are full IRIs, IRIs relative to the id/ base (meeting/mdq-7) or
    prefixed names (schema:startDate); OBJECT may be a literal in Turtle syntax. Exit 0 with
    evidence; 1: a matching statement has none; 2: an unknown term or bad syntax.

    \b
    Examples:
      mdq-graph why meeting/mdq-7 schema:startDate
      mdq-graph why meeting/mdq-7 mdq:heldIn place/tsukuba --format json
      mdq-graph why country/jp rdfs:label '"日本"@ja'
    """
    from mdq_graph.query.why import has_unevidenced, render_json, render_text, why

    explained = why(obj.engine().store, subject, predicate, object_)
    emit((render_json if fmt.lower() == "json" else render_text)(explained).encode("utf-8"), None)
    if has_unevidenced(explained):
        sys.exit(EXIT_NONCONFORMANT)


@main.command("queries")
@reports_errors
def queries_command() -> None:
    """List the curated queries: one line each, its name, then its title.

    Example: mdq-graph queries
    """
    curated = curated_queries()
    width = max((len(q.name) for q in curated), default=0)
    for item in curated:
        note = "  (needs the network)" if item.needs_network else ""
        click.echo(f"{item.name:<{width}}  {item.title}{note}")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port."
)
@click.option(
    "--base-uri",
    default=BASE,
    show_default=True,
    help="Serve every IRI under this base instead, e.g. http://127.0.0.1:8000/ so that the "
    "links of a local server work.",
)
@click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    help="Serve an on-disk store (built by `mdq-graph load --store DIR`) instead of the data.",
)
@click.option(
    "--timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds a query may run before it is stopped (its worker process is killed).",
)
@click.option(
    "--max-results",
    default=10_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Rows (or triples) a result may hold; longer results are cut and flagged.",
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Query worker processes (queries that run at the same time).",
)
@click.pass_obj
@reports_errors
def serve_command(
    obj: Context,
    host: str,
    port: int,
    base_uri: str,
    store: Path | None,
    timeout: float,
    max_results: int,
    workers: int,
) -> None:
    """Serve the SPARQL endpoint (/sparql) and every IRI's page and data until interrupted.

    Read-only: updates and SERVICE are refused; each query has a time and a result-size limit.

    \b
    Examples:
      mdq-graph serve
      mdq-graph serve --base-uri http://127.0.0.1:8000/
      mdq-graph serve --store ./store --host 0.0.0.0 --port 8080 --timeout 30
    """
    from mdq_graph.graph.store import open_store
    from mdq_graph.web.server import ServerSettings, serve

    settings = ServerSettings(timeout=timeout, max_results=max_results, workers=workers)
    folder = store if store is not None else obj.store_dir()  # serve's --store, or the global one
    source = open_store(folder) if folder is not None else obj.dataset()
    serve(source, host=host, port=port, base_uri=base_uri, settings=settings)


# --- The store, pushing to a triple store, the synthetic corpus -----------------------------------


@main.command("load")
@click.option(
    "--store",
    "store_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The store folder to build (or replace); also the global --store or $MDQ_STORE.",
)
@click.option(
    "--data",
    "-d",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="RDF file or folder to load instead of the bundled data (repeatable; like the global "
    "--data).",
)
@click.option("--no-inferred", is_flag=True, help="Leave out the inferred schema.org/PROV-O view.")
@click.option("--quiet", "-q", is_flag=True, help="Do not report the steps on stderr.")
@click.pass_obj
@reports_errors
def load_command(
    obj: Context, store_dir: Path | None, data: tuple[Path, ...], no_inferred: bool, quiet: bool
) -> None:
    """Build an on-disk store that `query` and `serve` open in a moment with --store.

    The ontology, the data (bundled, or --data) and the inferred view go into an Oxigraph
    database, every named graph kept and their union in the default graph. Loading is
    transactional: the store is built beside DIR and swapped in when complete, so a load that
    fails leaves the previous store as it was. DIR must be new, empty, or an earlier store.

    \b
    Examples:
      mdq-graph load --store ./store
      mdq-graph load --store ./store --data corpus.nq
      mdq-graph --store ./store query --name participants
    """
    target = store_dir or obj.store
    if target is None:
        raise UsageError("give the folder to build the store in: mdq-graph load --store DIR")
    progress = None if quiet else (lambda step: click.echo(f"mdq-graph: {step}", err=True))
    loaded = build_store(
        target, list(obj.data + data) or None, inferred=not no_inferred, progress=progress
    )
    click.echo(render_store_info(target, loaded))


def render_store_info(path: Path, loaded: StoreInfo) -> str:
    """What a store holds, in a few lines for people."""
    inferred = "with" if loaded.inferred else "without"
    lines = [
        f"Store {path}: {loaded.union_triples} triples (union) in {len(loaded.graphs)} named "
        f"graphs ({loaded.quads} quads), {inferred} the inferred view",
        f"  loaded {loaded.created} by mdq-graph {loaded.mdq_graph_version} in "
        f"{loaded.seconds.get('total', 0):.1f} s from {len(loaded.sources)} file(s):",
    ]
    lines += [
        f"    {source.path} ({source.format}, {source.size} bytes)" for source in loaded.sources
    ]
    return "\n".join(lines)


@main.command("push")
@click.option(
    "--endpoint",
    "-e",
    required=True,
    metavar="URL",
    help="The store's SPARQL 1.1 Graph Store Protocol endpoint, e.g. "
    "http://localhost:8890/sparql-graph-crud-auth (Virtuoso).",
)
@click.option("--user", "-u", help="User name for HTTP Basic or Digest authentication.")
@click.option(
    "--password",
    "-p",
    envvar="MDQ_PUSH_PASSWORD",
    help="Password (better: $MDQ_PUSH_PASSWORD; asked for when --user is given without it).",
)
@click.option(
    "--auth",
    type=click.Choice(AUTH_SCHEMES),
    default="auto",
    show_default=True,
    help="Authentication scheme; 'auto' answers whichever the server asks for.",
)
@click.option(
    "--graph",
    "-g",
    "graphs",
    multiple=True,
    metavar="IRI",
    help="Push only this named graph (IRI or short name, e.g. release-en); repeatable. "
    "Default: every graph.",
)
@click.option(
    "--retries",
    default=3,
    show_default=True,
    type=click.IntRange(0, 20),
    help="Times to retry a graph on a transient failure (busy store, dropped connection).",
)
@click.option(
    "--timeout",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=1),
    help="Seconds to wait for the store to answer one graph.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.pass_obj
@reports_errors
def push_command(
    obj: Context,
    endpoint: str,
    user: str | None,
    password: str | None,
    auth: AuthScheme,
    graphs: tuple[str, ...],
    retries: int,
    timeout: float,
    quiet: bool,
) -> None:
    """Write every named graph to a triple store (SPARQL 1.1 Graph Store HTTP Protocol).

    Each graph is PUT to ENDPOINT?graph=IRI, replacing what the store held under that name, so
    pushing again changes nothing. Works with any compliant store.

    \b
    Examples:
      MDQ_PUSH_PASSWORD=... mdq-graph push -e http://localhost:8890/sparql-graph-crud-auth -u dba
      mdq-graph push -e http://localhost:3030/mdq/data -u admin --auth basic      (Fuseki)
      mdq-graph push -e http://localhost:7200/repositories/mdq/rdf-graphs/service  (GraphDB)
      mdq-graph push -e http://localhost:7878/store -g release-en -g release-ja    (Oxigraph)
      mdq-graph --store ./store push -e http://localhost:8890/sparql-graph-crud-auth -u dba
    """
    if user is not None and password is None:
        password = click.prompt(f"Password for {user}", hide_input=True, err=True)
    bodies = store_graphs(obj.engine().store, list(graphs) or None)
    total = sum(len(body) for _, body in bodies)
    bar = None
    if not quiet and total >= _PROGRESS_BAR_BYTES:
        bar = click.progressbar(length=total, label="Pushing graphs", file=sys.stderr)
    with bar or contextlib.nullcontext():
        result = push_graphs(
            bodies,
            endpoint,
            user=user,
            password=password,
            auth=auth,
            retries=retries,
            timeout=timeout,
            progress=_advancing(bar) if bar else None,
        )
    for pushed in result.graphs:
        retried = f", {pushed.attempts} attempts" if pushed.attempts > 1 else ""
        click.echo(f"{pushed.status}  {pushed.size:>10} bytes  {pushed.iri}{retried}")
    click.echo(
        f"pushed {len(result.graphs)} graph(s), {result.size} bytes, to {result.endpoint} "
        f"in {result.seconds:.1f} s"
    )


#: Bodies smaller than this go out without a progress bar.
_PROGRESS_BAR_BYTES = 1 << 20


def _advancing(bar: ProgressBar[int]) -> Callable[[int, int], None]:
    """A push progress callback (bytes sent so far, of total) that moves `bar`; a graph sent
    again after a transient failure moves it back."""
    shown = 0

    def advance(sent: int, _total: int) -> None:
        nonlocal shown
        bar.update(sent - shown)
        shown = sent

    return advance


@main.command("synth")
@click.option(
    "--meetings",
    "-m",
    type=click.IntRange(min=1),
    help="Meetings to generate (about 770 triples each).",
)
@click.option(
    "--triples",
    "-t",
    type=click.FloatRange(min=1),
    help="Generate about this many triples instead, e.g. 1e4, 1e5, 1e6.",
)
@click.option("--seed", default=0, show_default=True, help="The same seed gives the same bytes.")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The corpus file: .trig or .nq (named graphs).",
)
@click.option(
    "--texts",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the release texts the quotes point into (default: sources/ beside "
    "the output, as data/sources/ is beside the bundled data).",
)
@click.option("--no-texts", is_flag=True, help="Do not write the release texts.")
@click.pass_obj
@reports_errors
def synth_command(
    obj: Context,
    meetings: int | None,
    triples: float | None,
    seed: int,
    output: Path,
    texts: Path | None,
    no_texts: bool,
) -> None:
    """Generate a synthetic corpus shaped like the real data, to measure the tools at scale.

    Series, meetings, countries with ISO-like codes, organisations with parents, outcomes and
    topics, and press releases in named graphs with quotes into generated texts; valid against
    the shapes, deterministic for a seed. Its IRIs live under id/synth/ and graph/synth/.

    \b
    Examples:
      mdq-graph synth --triples 1e6 -o corpus/mdq-1e6.nq
      mdq-graph synth --meetings 20 --seed 7 -o corpus/small.trig
      mdq-graph --data corpus/small.trig validate
    """
    if (meetings is None) == (triples is None):
        raise UsageError("give either --meetings N or --triples T")
    count = meetings if meetings is not None else meetings_for_triples(triples or 0)
    folder = None if no_texts else (texts or default_texts_dir(output))
    result = synthesize(output, count, seed=seed, texts_dir=folder)
    texts_note = f", {result.texts} texts in {result.texts_dir}" if result.texts_dir else ""
    click.echo(
        f"wrote {result.path}: {result.statements} triples in {result.graphs} named graphs, "
        f"{result.meetings} meetings{texts_note}"
    )


# --- The static site -------------------------------------------------------------------------------


@main.command("publish")
@click.argument("outdir", type=click.Path(path_type=Path))
@click.option(
    "--base-uri",
    default=BASE,
    show_default=True,
    help="The base the site is published at: every IRI, download URL and sitemap entry is moved "
    "under it, e.g. https://example.github.io/mdq/.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace OUTDIR even if it is not empty and was not written by this command "
    "(everything in it is deleted).",
)
@click.pass_obj
@reports_errors
def publish_command(obj: Context, outdir: Path, base_uri: str, force: bool) -> None:
    """Write the graph as a static linked-data site to OUTDIR, for any web host.

    A page per resource in English and Japanese (id/country/jp.html, id/country/jp.ja.html),
    its description in every RDF format (id/country/jp.ttl, .jsonld, ...), the downloads, the
    DCAT-AP catalog and VoID, the ontology, the curated queries with their answers, sitemap.xml,
    robots.txt, and content-negotiation recipes for Apache (.htaccess) and nginx (nginx.conf).
    The site is built beside OUTDIR and then put in its place.

    \b
    Examples:
      mdq-graph publish site
      mdq-graph publish docs --base-uri https://example.github.io/mdq/ --force
      python -m http.server -d site 8000    # then open http://localhost:8000/
    """
    from mdq_graph.web.site import write_site

    report = write_site(obj.dataset(), outdir, base=base_uri, force=force)
    for reason in report.skipped:
        click.echo(f"mdq-graph: warning: no page for {reason}", err=True)
    click.echo(
        f"wrote {report.path}: {report.resources} resources as {report.pages} pages "
        f"({len(PAGE_LANGUAGES)} languages), {report.files} files, "
        f"{report.size / 1e6:.1f} MB, in {report.seconds:.1f} s, for {report.base}"
    )
