"""The `mdq-graph` command line: parse options, call the core, render the result."""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar, TypeVar, cast, overload

import click

# Only what the options and `--help` need is imported here (no rdflib, pySHACL or web server):
# each command imports its core when it runs.
from mdq_graph.errors import (
    EXIT_BAD_INPUT,
    EXIT_NONCONFORMANT,
    InputError,
    MdqError,
    UsageError,
)
from mdq_graph.graph.engine import Engine
from mdq_graph.graph.info import engine_info, files_without_statements
from mdq_graph.graph.iris import BASE
from mdq_graph.graph.rdf_formats import FORMAT_NAMES, UNION, get_format
from mdq_graph.graph.store import open_store, store_source_paths, store_summary
from mdq_graph.output import atomic_writer, discard_pending, write_atomic
from mdq_graph.push import AUTH_SCHEMES, AuthScheme, push_graphs, store_graphs
from mdq_graph.query.contained import run_contained, stop_children
from mdq_graph.query.curated import (
    QUERY_PREFIXES,
    curated_queries,
    curated_query,
    engine_failures_contained,
    query_source,
    run_query,
)
from mdq_graph.query.results import QUERY_FORMAT_NAMES, Written, write_result
from mdq_graph.validate import REPORT_FORMATS
from mdq_graph.version import __version__
from mdq_graph.web.settings import ServerSettings

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

    from mdq_graph.export.exporter import Exportable
    from mdq_graph.graph.info import DatasetInfo
    from mdq_graph.graph.store import StoreInfo

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


class Context:
    """What the group's options give every command: the data paths or the store, and the engine
    once loaded."""

    def __init__(
        self, data: tuple[Path, ...], store: Path | None = None, *, store_from_env: bool = False
    ) -> None:
        self.data = data
        self.store = store
        self.store_from_env = store_from_env
        self._engine: Engine | None = None

    def exportable(self, *, service: bool = True) -> Exportable:
        """What the exports, the catalog and the published downloads are written from: the
        bundled data, `--data` instead, or the `--store`."""
        from mdq_graph.export.exporter import from_files as exportable_from_files
        from mdq_graph.export.exporter import from_store as exportable_from_store

        store = self.store_dir()
        if store is not None:
            return exportable_from_store(store, service=service)
        return exportable_from_files(list(self.data) or None, service=service)

    def store_dir(self) -> Path | None:
        """The `--store` folder, if given; `UsageError` if `--data` is given too."""
        if self.store is not None and self.data:
            raise UsageError(
                "give --data or --store, not both: the store holds the data it was loaded "
                f"from (load new data with mdq-graph load --store {self.store} --data ...)"
            )
        return self.store

    def refuse_data(self, command: str) -> None:
        """`UsageError` when --data or --store is given to a command that reads no data (a store
        named only by $MDQ_STORE is for the commands that read one, and is left alone)."""
        if self.data or (self.store is not None and not self.store_from_env):
            raise UsageError(
                f"{command} does not read the graph: --data and --store do not apply to it"
            )

    def warn_empty(self, paths: Sequence[Path] = ()) -> None:
        """A warning on stderr for each given file (`paths`, or --data) that states nothing."""
        for path in files_without_statements(list(paths or self.data)):
            click.echo(f"mdq-graph: warning: {path} holds no RDF statement", err=True)

    def load_before_fork(self) -> None:
        """Parse `--data` (or the bundled data) now, so that a query's child process shares it;
        an on-disk store is opened by the child itself (a database handle does not survive a
        fork)."""
        if self.store_dir() is None:
            self.engine()

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


#: Exit codes beyond errors.py's: stopped by Ctrl-C (SIGINT), by SIGTERM, and the reader of the
#: output went away (a closed pipe), as a shell reports a process ended by that signal.
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_TERMINATED = 128 + signal.SIGTERM
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE


class Terminated(BaseException):
    """SIGTERM arrived: stop as on Ctrl-C."""


@overload
def reports_errors(command: F) -> F: ...
@overload
def reports_errors(*, stoppable: bool) -> Callable[[F], F]: ...
def reports_errors(command: F | None = None, *, stoppable: bool = True) -> Any:
    """Turn our exceptions (and a file that cannot be written, a lack of memory, a closed pipe)
    into a one-line message on stderr and the exit code they carry.

    A `stoppable` command ends at once on Ctrl-C (exit 130) or SIGTERM (exit 143), even inside
    a long Oxigraph evaluation, removing the temporary files and staging folders it was writing
    (see `_run_stoppably`). On a terminal it shows the time it has been working, on stderr.
    """

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                if not stoppable:
                    return function(*args, **kwargs)
                status = StatusLine.for_command(function.__name__, kwargs.get("quiet", False))
                return _run_stoppably(functools.partial(function, *args, **kwargs), status)
            except MdqError as err:
                _fail(str(err), err.exit_code)
            except BrokenPipeError:
                _quiet_stdout()
                sys.exit(EXIT_BROKEN_PIPE)
            except OSError as err:
                _fail(_os_error_message(err), EXIT_BAD_INPUT)
            except MemoryError as err:
                detail = f" ({err})" if str(err) else ""
                _fail(
                    f"out of memory{detail}: the input or the result is too large to hold; "
                    "nothing was written",
                    EXIT_BAD_INPUT,
                )
            except RecursionError:
                _fail("the input is nested too deeply to be read; nothing was written", 2)

        return wrapper  # type: ignore[return-value]

    return decorate(command) if command is not None else decorate


def _fail(message: str, code: int) -> None:
    click.echo(f"mdq-graph: error: {message}", err=True)
    sys.exit(code)


def _os_error_message(err: OSError) -> str:
    """`path: cause` for a file or folder the system refused."""
    reason = err.strerror or str(err) or type(err).__name__
    if err.errno == errno.ENOSPC:
        reason = "no space left on the device"
    elif err.errno == errno.EROFS:
        reason = "the file system is read-only"
    where = err.filename if err.filename is not None else None
    return f"{where}: {reason}" if where is not None else reason


def _quiet_stdout() -> None:
    """After a closed pipe, send what Python flushes at exit nowhere (no second error)."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _run_stoppably(call: Callable[[], Any], status: StatusLine | None) -> Any:
    """Run `call`, ending the process at once on Ctrl-C or SIGTERM.

    The work runs here, in the main thread; Python runs signal handlers only between two of its
    instructions, which may be minutes away inside Oxigraph. So the signal also wakes a watcher
    thread (through `signal.set_wakeup_fd`, written by the C handler the moment it arrives), and
    the watcher ends the process, taking away what it was writing."""
    if threading.current_thread() is not threading.main_thread():
        return call()
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    previous_term = signal.signal(signal.SIGTERM, _on_sigterm)
    previous_int = signal.getsignal(signal.SIGINT)
    if previous_int is not signal.SIG_IGN:  # a SIGINT the parent ignores stays ignored
        signal.signal(signal.SIGINT, signal.default_int_handler)
    previous_wakeup = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    watcher = threading.Thread(
        target=_watch, args=(read_end, status), name="mdq-graph-signals", daemon=True
    )
    StatusLine.current = status
    watcher.start()
    try:
        return call()
    except KeyboardInterrupt:
        _stop(EXIT_INTERRUPTED, status)
    except Terminated:
        _stop(EXIT_TERMINATED, status)
    finally:
        signal.set_wakeup_fd(previous_wakeup)
        signal.signal(signal.SIGTERM, previous_term)
        if previous_int is not signal.SIG_IGN and previous_int is not None:
            signal.signal(signal.SIGINT, previous_int)
        os.close(write_end)  # the watcher reads the end of the pipe and stops
        watcher.join()
        StatusLine.current = None
        if status is not None:
            status.clear()


def _on_sigterm(_signum: int, _frame: object) -> None:
    raise Terminated


def _watch(read_end: int, status: StatusLine | None) -> None:
    """Wait for a signal's byte on the wake-up pipe (ticking the status line meanwhile) and stop
    the process when one comes; return when the pipe is closed."""
    import select

    try:
        while True:
            ready, _, _ = select.select([read_end], [], [], 0.2)
            if not ready:
                if status is not None:
                    status.tick()
                continue
            data = os.read(read_end, 64)
            if not data:
                return
            for signum in data:
                if signum == signal.SIGINT:
                    _stop(EXIT_INTERRUPTED, status)
                if signum == signal.SIGTERM:
                    _stop(EXIT_TERMINATED, status)
    finally:
        os.close(read_end)


_stopping = threading.Lock()


def _stop(code: int, status: StatusLine | None) -> None:
    """End the process now with `code`, removing the files and folders it had not finished
    (the work cannot be stopped from Python; it may be inside Oxigraph)."""
    if not _stopping.acquire(blocking=False):
        while True:  # the other thread is ending the process
            time.sleep(1)
    stop_children()
    discard_pending()
    if status is not None:
        status.clear()
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write("mdq-graph: interrupted\n")
        sys.stderr.flush()
    os._exit(code)


class StatusLine:
    """Progress on a terminal: the steps of the work and the time it has taken so far, on one
    line of stderr that is rewritten; nothing when stderr is not a terminal or with -q."""

    #: The status line of the command running now (the steps of `load` go through it).
    current: ClassVar[StatusLine | None] = None
    _VERBS: ClassVar[dict[str, str]] = {
        "validate_command": "validating",
        "export": "exporting",
        "load_command": "loading",
        "publish_command": "publishing",
        "catalog_command": "describing",
        "query_command": "querying",
        "push_command": "reading the graphs to push",
    }

    def __init__(self, label: str) -> None:
        self.label = label
        self.step = ""
        self.started = time.monotonic()
        self.shown = False
        self.done = False
        self._lock = threading.Lock()

    @classmethod
    def for_command(cls, name: str, quiet: bool) -> StatusLine | None:
        """A status line for the command called `name`, if it shows one here and now."""
        if quiet or name not in cls._VERBS or not _stderr_is_terminal():
            return None
        return cls(cls._VERBS[name])

    def tick(self) -> None:
        """Rewrite the line, once the work has taken half a second (a quick command shows none)."""
        elapsed = time.monotonic() - self.started
        if elapsed < 0.5 or self.done:
            return
        step = f": {self.step}" if self.step else ""
        with self._lock:
            sys.stderr.write(f"\r\x1b[Kmdq-graph: {self.label}{step} ({elapsed:.0f} s)")
            sys.stderr.flush()
            self.shown = True

    def note(self, step: str) -> None:
        """A new step of the work."""
        self.step = step

    def finish(self) -> None:
        """Take the line away for good: the command's output follows."""
        self.done = True
        self.clear()

    def clear(self) -> None:
        """Take the line away."""
        with self._lock:
            if self.shown:
                sys.stderr.write("\r\x1b[K")
                sys.stderr.flush()
                self.shown = False


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


quiet_option = click.option(
    "--quiet", "-q", is_flag=True, help="No progress on stderr (shown only on a terminal)."
)


def emit(data: bytes, output: Path | None) -> None:
    """Write to `output` atomically, or to stdout."""
    if StatusLine.current is not None:
        StatusLine.current.finish()
    if output is None:
        with _stdout_errors():
            click.echo(data.decode("utf-8"), nl=not data.endswith(b"\n"))
            sys.stdout.flush()
    else:
        write_atomic(output, data)


def stream(write: Callable[[IO[bytes]], T], output: Path | None) -> T:
    """Let `write` write to `output` (atomically: the file appears only once complete) or to
    stdout, as it goes."""
    if output is not None:
        with atomic_writer(output) as handle:
            return write(handle)
    if StatusLine.current is not None:
        StatusLine.current.finish()
    out = sys.stdout.buffer
    with _stdout_errors():
        written = write(out)
        out.flush()
    return written


def _line_ended(write: Callable[[IO[bytes]], None], out: IO[bytes]) -> None:
    """Let `write` write to `out`, then end the output with a line break if it does not."""
    last = b""

    class _Tail:
        def write(self, data: bytes) -> int:
            nonlocal last
            if data:
                last = data[-1:]
            return out.write(data)

        def flush(self) -> None:
            out.flush()

    write(cast(IO[bytes], _Tail()))
    if last != b"\n":
        out.write(b"\n")


@contextlib.contextmanager
def _stdout_errors() -> Iterator[None]:
    """A failure to write standard output (a full disk behind `>`), named as such; a closed pipe
    goes on to end the command quietly."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as err:
        if err.filename is not None:
            raise
        raise InputError("standard output", f"cannot write: {_os_error_message(err)}") from None


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
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    callback=lambda _ctx, _param, value: None if value == Path("-") else value,
    help="Write to this file (atomically) instead of standard output ('-': standard output).",
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
    _quiet_libraries()
    from_env = ctx.get_parameter_source("store") is click.core.ParameterSource.ENVIRONMENT
    ctx.obj = Context(data, store, store_from_env=from_env)
    if data and ctx.invoked_subcommand not in ("synth", "queries"):
        with contextlib.suppress(MdqError):  # the command reports a path it cannot read
            ctx.obj.warn_empty()


class _OneLine(logging.Handler):
    """A library's warning as one line on stderr, without its traceback."""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().strip().splitlines()
        click.echo(f"mdq-graph: warning: {message[0] if message else record.name}", err=True)


def _quiet_libraries() -> None:
    """rdflib logs a warning with a traceback for each ill-typed literal it reads (validation
    reports those as findings): only its errors are shown, each in one line."""
    logger = logging.getLogger("rdflib")
    if not any(isinstance(h, _OneLine) for h in logger.handlers):
        logger.addHandler(_OneLine(logging.ERROR))
    logger.setLevel(logging.ERROR)
    logger.propagate = False


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
    report = engine_info(obj.engine())
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
    "--context-url",
    metavar="URL",
    help="JSON-LD: reference our context at URL, where you publish ontology/context.jsonld (e.g. "
    "https://w3id.org/mdq/context.jsonld once it resolves), instead of embedding the part of it "
    "the document uses (the default, which any processor reads offline).",
)
@click.option("--embed-context", is_flag=True, hidden=True, help="The default; kept for scripts.")
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
@quiet_option
@click.pass_obj
@reports_errors
def export(
    obj: Context,
    fmt: str,
    output: Path | None,
    graph: str,
    no_inferred: bool,
    context_url: str | None,
    embed_context: bool,
    frame: str | None,
    rdf12: bool,
    quiet: bool,
) -> None:
    """Export the graph in an RDF format; quad formats (nq, trig) keep the named graphs.

    The output is deterministic: the same graph always gives the same bytes.

    \b
    Examples:
      mdq-graph export --format json-ld -o mdq.jsonld
      mdq-graph export --format trig --graph release-ja
      mdq-graph export --format json-ld --frame meeting
      mdq-graph export --format json-ld --context-url https://example.org/mdq/context.jsonld
    """
    from mdq_graph.export.exporter import export_graph_to
    from mdq_graph.formats.jsonld import JsonLdOptions

    rdf_format = get_format(fmt)
    if (context_url or embed_context or frame) and rdf_format.name != "json-ld":
        raise UsageError("--context-url and --frame apply to --format json-ld")
    if context_url and embed_context:
        raise UsageError("--context-url references the context; --embed-context embeds it")
    if rdf12:
        if rdf_format.name not in ("turtle", "nt") or graph != UNION or no_inferred:
            raise UsageError("--rdf12 writes --format turtle or nt of the union graph")
        from mdq_graph.formats.rdf12 import serialize_rdf12, source_quads

        emit(serialize_rdf12(source_quads(obj.engine().store), rdf_format.name), output)
        return
    # The export carries its own description (graph/catalog; see catalog/dcat.py), computed with
    # the data in an Oxigraph store (see export/exporter.py): with --store, no file is parsed.
    options = JsonLdOptions(context_url=context_url, frame=frame)
    store_dir = obj.store_dir()

    def write(out: IO[bytes]) -> None:
        export_graph_to(
            out,
            rdf_format,
            graph,
            paths=list(obj.data) or None,
            store_dir=store_dir,
            inferred=not no_inferred,
            jsonld=options,
        )

    # Written as it goes (an export of 10^7 triples is not held whole); on standard output,
    # ended by a line break as `emit` ends what it writes.
    if output is None:
        stream(lambda out: _line_ended(write, out), None)
    else:
        stream(write, output)
    if store_dir is not None:
        from mdq_graph.graph.store import read_store_info

        if changed := read_store_info(store_dir).changed_literals:
            click.echo(f"mdq-graph: warning: {_changed_literals(changed)}", err=True)


def _changed_literals(count: int) -> str:
    """What a store that holds typed literals in other forms than stated means for its exports."""
    return (
        f"the store holds {count} typed literal(s) as values, in another lexical form than the "
        'files state (e.g. "007"^^xsd:integer as "7"); export with --data to write them as stated'
    )


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
    type=click.Choice(sorted(REPORT_FORMATS), case_sensitive=False),
    default="text",
    show_default=True,
    help="text (grouped by resource), json (for machines) or turtle (the SHACL validation report).",
)
@output_option
@quiet_option
@click.pass_obj
@reports_errors
def validate_command(
    obj: Context,
    paths: tuple[Path, ...],
    extra_shapes: tuple[Path, ...],
    strict: bool,
    fmt: str,
    output: Path | None,
    quiet: bool,
) -> None:
    """Validate the graph against the SHACL shapes and its quotes against their source texts.

    PATHS (RDF files or folders) are validated instead of the bundled graph, with the bundled
    ontology and shapes; with the global --store, the files the store was loaded from. Exit 0: conforms (warnings allowed unless --strict); 1: it does not;
    2: a file cannot be read.

    \b
    Examples:
      mdq-graph validate
      mdq-graph validate my-data/ --format json
      mdq-graph validate catalog.ttl --shapes dcat-ap-SHACL.ttl --strict
    """
    from mdq_graph.validate.report import RENDERERS
    from mdq_graph.validate.validation import validate_graph

    given = list(paths or obj.data)
    store = obj.store_dir()
    if store is not None and paths:
        raise UsageError("give PATHS or --store, not both")
    if store is not None:  # what the store holds: the files it was loaded from, unchanged since
        given = store_source_paths(store)
    elif paths:
        obj.warn_empty(paths)
    report = validate_graph(given or None, extra_shapes=extra_shapes, strict=strict)
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
    from mdq_graph.catalog.dcat import serialize_catalog
    from mdq_graph.export.exporter import published_catalog

    rdf_format = get_format(fmt)
    catalog, _ = published_catalog(obj.exportable(), base=base_uri)
    emit(serialize_catalog(catalog, rdf_format), output)


def _prefixes_epilog() -> str:
    """The predefined prefixes, one a line, for `query --help`."""
    width = max(len(prefix) for prefix in QUERY_PREFIXES) + 1
    lines = [f"  {prefix + ':':<{width}} <{iri}>" for prefix, iri in QUERY_PREFIXES.items()]
    return "\b\nPredefined prefixes (a query's own PREFIX takes precedence):\n" + "\n".join(lines)


@main.command("query", epilog=_prefixes_epilog())
@click.argument("query_text", metavar="[QUERY]", required=False)
@click.option(
    "--file",
    "-f",
    "query_file",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Read the query from this .rq file ('-': from standard input).",
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
@click.option(
    "--allow-service",
    is_flag=True,
    help="Run a federated query: let SERVICE open the remote endpoint it names (refused "
    "otherwise: a query opens no URL by itself).",
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
    allow_service: bool,
    output: Path | None,
) -> None:
    """Run a SPARQL 1.1 query on the graph (read-only: updates are refused).

    The default graph is the union of the named graphs; each source's statements are also in
    a named graph of their own (GRAPH graph:release-ja { ... }). CSV, TSV, JSON and XML
    results are written as they come; the table shows at most 10,000 rows. A CONSTRUCT or
    DESCRIBE graph is sorted like an export up to 100,000 triples, written as it comes past that.

    \b
    Examples:
      mdq-graph query --name participants
      mdq-graph query -f my-query.rq --format csv -o answers.csv
      mdq-graph query 'SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g'
      mdq-graph queries show participants | mdq-graph query -f -
      mdq-graph query --name wikidata-capitals --allow-service
    """
    stdin = sys.stdin.read() if query_file == Path("-") else None
    source = query_source(query_text, None if stdin is not None else query_file, name, stdin=stdin)
    obj.load_before_fork()

    def evaluate(out: IO[bytes]) -> Written:
        return write_result(run_query(obj.engine(), source, allow_service=allow_service), fmt, out)

    with engine_failures_contained():
        written = stream(functools.partial(run_contained, evaluate), output)
    if written.truncated:
        click.echo(
            f"mdq-graph: warning: the table stops at {written.rows} rows; the result has more "
            "(--format csv, tsv, json or xml writes them all)",
            err=True,
        )


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

    render = render_json if fmt.lower() == "json" else render_text
    obj.load_before_fork()

    def explain(out: IO[bytes]) -> bool:
        explained = why(obj.engine().store, subject, predicate, object_)
        text = render(explained)
        out.write((text if text.endswith("\n") else text + "\n").encode("utf-8"))
        return has_unevidenced(explained)

    if stream(functools.partial(run_contained, explain), None):
        sys.exit(EXIT_NONCONFORMANT)


@main.group("queries", invoke_without_command=True)
@click.pass_context
@reports_errors
def queries_command(ctx: click.Context) -> None:
    """List the curated queries: one line each, its name, then its title.

    \b
    Examples:
      mdq-graph queries
      mdq-graph queries show participants
    """
    ctx.find_object(Context).refuse_data("queries")  # type: ignore[union-attr]
    if ctx.invoked_subcommand is not None:
        return
    curated = curated_queries()
    width = max((len(q.name) for q in curated), default=0)
    for item in curated:
        note = "  (needs the network: --allow-service)" if item.needs_network else ""
        click.echo(f"{item.name:<{width}}  {item.title}{note}")


@queries_command.command("show")
@click.argument("name")
@reports_errors
def queries_show_command(name: str) -> None:
    """Print the SPARQL text of the curated query NAME (its header comment included).

    \b
    Examples:
      mdq-graph queries show participants
      mdq-graph queries show participants > mine.rq && mdq-graph query -f mine.rq
    """
    click.echo(curated_query(name).text, nl=False)


#: The server's own defaults, shown and used by `serve`'s options.
SERVER_DEFAULTS = ServerSettings()


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
    default=SERVER_DEFAULTS.timeout,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds a query may run before it is stopped (its worker process is killed).",
)
@click.option(
    "--max-results",
    default=SERVER_DEFAULTS.max_results,
    show_default=True,
    type=click.IntRange(min=1),
    help="Rows (or triples) a result may hold; longer results are cut and flagged.",
)
@click.option(
    "--workers",
    default=SERVER_DEFAULTS.workers,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Query worker processes (queries that run at the same time).",
)
@click.option(
    "--max-result-bytes",
    default=SERVER_DEFAULTS.max_result_bytes,
    show_default=True,
    type=click.IntRange(min=1024),
    help="Bytes a result may take; longer results are cut and flagged.",
)
@click.option(
    "--max-body",
    default=SERVER_DEFAULTS.max_body,
    show_default=True,
    type=click.IntRange(min=1024),
    help="Bytes a query (in the URL or a POST body) may take; a longer one is answered 413.",
)
@click.option(
    "--max-waiting",
    default=SERVER_DEFAULTS.max_waiting,
    show_default=True,
    type=click.IntRange(min=0),
    help="Queries that may wait for a free worker; beyond them the answer is 503 (busy).",
)
@click.option(
    "--queue-timeout",
    default=SERVER_DEFAULTS.queue_timeout,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds a query may wait for a free worker before the answer is 503 (busy).",
)
@click.option(
    "--max-connections",
    default=SERVER_DEFAULTS.max_connections,
    show_default=True,
    type=click.IntRange(min=1),
    help="Open connections at most; beyond them a request is answered 503 at once.",
)
@click.option(
    "--worker-memory",
    default=(SERVER_DEFAULTS.worker_memory or 0) // 1024**2,
    show_default=True,
    type=click.IntRange(min=0),
    help="Megabytes of memory each query worker may use (0: no limit).",
)
@click.pass_obj
@reports_errors(stoppable=False)  # the server handles its own signals
def serve_command(
    obj: Context,
    host: str,
    port: int,
    base_uri: str,
    store: Path | None,
    timeout: float,
    max_results: int,
    workers: int,
    max_result_bytes: int,
    max_body: int,
    max_waiting: int,
    queue_timeout: float,
    max_connections: int,
    worker_memory: int,
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
    from mdq_graph.web.workers import start_forker_early

    _check_port_free(host, port)
    start_forker_early()  # its interpreter starts while this one imports the server
    from mdq_graph.web.server import serve

    settings = ServerSettings(
        timeout=timeout,
        max_results=max_results,
        workers=workers,
        max_result_bytes=max_result_bytes,
        max_body=max_body,
        max_waiting=max_waiting,
        queue_timeout=queue_timeout,
        max_connections=max_connections,
        worker_memory=worker_memory * 1024**2 or None,
    )
    folder = store if store is not None else obj.store_dir()  # serve's --store, or the global one
    source = open_store(folder) if folder is not None else obj.exportable()
    serve(source, host=host, port=port, base_uri=base_uri, settings=settings)


def _check_port_free(host: str, port: int) -> None:
    """`UsageError` (exit 2) when the server could not listen on `host`:`port` (in use, not an
    address of this machine, not allowed), before anything is loaded."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as err:
        raise UsageError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind(address)
        except OSError as err:
            raise UsageError(
                f"cannot listen on {host}:{port}: {err.strerror or err} (choose another --port)"
            ) from None


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
@quiet_option
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
    from mdq_graph.graph.loader import build_store

    target = store_dir or obj.store
    if target is None:
        raise UsageError("give the folder to build the store in: mdq-graph load --store DIR")
    if data:
        obj.warn_empty(data)
    status = StatusLine.current
    progress = status.note if status is not None else None
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
    if loaded.changed_literals:
        lines.append(f"  note: {_changed_literals(loaded.changed_literals)}")
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
    started = time.monotonic()
    bodies = store_graphs(obj.engine().store, list(graphs) or None)
    total = sum(len(body) for _, body in bodies)
    bar = None
    if StatusLine.current is not None:
        StatusLine.current.finish()  # the bar (or the list of graphs) takes over
    if not quiet and total >= _PROGRESS_BAR_BYTES and _stderr_is_terminal():
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
        f"in {time.monotonic() - started:.1f} s"
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
    help="Folder for the release texts the quotes point into (default: NAME.sources/ beside "
    "the output NAME.trig, where validate looks for them).",
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
      mdq-graph synth --triples 1e6 -o corpus/mdq-1e6.nq   (the folder must exist)
      mdq-graph synth --meetings 20 --seed 7 -o small.trig  (texts in small.sources/)
      mdq-graph --data corpus/small.trig validate
    """
    from mdq_graph.synth import default_texts_dir, meetings_for_triples, synthesize

    obj.refuse_data("synth")
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
@quiet_option
@click.pass_obj
@reports_errors
def publish_command(obj: Context, outdir: Path, base_uri: str, force: bool, quiet: bool) -> None:
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
    from mdq_graph.web.views import PAGE_LANGUAGES

    report = write_site(obj.exportable(service=False), outdir, base=base_uri, force=force)
    for reason in report.skipped:
        click.echo(f"mdq-graph: warning: no page for {reason}", err=True)
    click.echo(
        f"wrote {report.path}: {report.resources} resources as {report.pages} pages "
        f"({len(PAGE_LANGUAGES)} languages), {report.files} files, "
        f"{report.size / 1e6:.1f} MB, in {report.seconds:.1f} s, for {report.base}"
    )
