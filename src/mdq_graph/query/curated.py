"""SPARQL over the knowledge graph: the curated queries in queries/, and running a query.

A curated query is a `.rq` file whose header comment says what it is for:

    # title: Participants of the 7th MDQ meeting with their Wikidata links
    # description: The countries that took part ..., continued on lines
    #   indented under it.
    # question: Who took part in the 7th MDQ meeting, and how do I link them to Wikidata?
    # network: optional; says that the query needs the network (a SERVICE) and why.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mdq_graph.errors import InputError, QueryError, UsageError
from mdq_graph.graph.engine import Engine
from mdq_graph.graph.iris import PREFIX_IRIS
from mdq_graph.graph.resources import queries_dir
from mdq_graph.graph.service import calls_service
from mdq_graph.query.guard import check_nesting
from mdq_graph.query.results import QUERY_BASE, QueryResult

_HEADER_FIELD = re.compile(r"#\s*([a-z]+):\s?(.*)")
_CONTINUATION = re.compile(r"#\s{2,}(\S.*)")
_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s+[^\s:]*:\s*|BASE\s*)<[^>]*>\s*)*", re.IGNORECASE)
_FORM = re.compile(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_UPDATE = re.compile(
    r"(?:WITH\s*<[^>]*>\s*)?(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD)\b", re.IGNORECASE
)
_SERVICE = re.compile(r"^\s*SERVICE\b", re.IGNORECASE | re.MULTILINE)
_ERROR_POSITION = re.compile(r"^error at \d+:\d+:\s*")
_UNKNOWN_PREFIX = "Prefix not found"

#: The prefixes every query may use without declaring them (as the Wikidata Query Service does):
#: those the table of results writes IRIs with, so that a value can be pasted back into a query.
#: A query's own PREFIX declarations take precedence.
QUERY_PREFIXES: dict[str, str] = dict(PREFIX_IRIS)
_LONG_EXPECTATION = 160


@dataclass(frozen=True)
class CuratedQuery:
    """A curated query: its name (the file's stem), header fields and text."""

    name: str
    path: Path
    text: str
    title: str
    description: str
    question: str
    network: str = ""

    @property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE."""
        return query_form(self.text)

    @property
    def needs_network(self) -> bool:
        """Whether the query calls a remote SERVICE (and so is not run offline)."""
        return bool(self.network) or bool(_SERVICE.search(self.text))


@dataclass(frozen=True)
class QuerySource:
    """A query's text and where it came from: a file (curated or `-f`) or the command line."""

    text: str
    path: Path | None = None


def curated_queries() -> list[CuratedQuery]:
    """Every curated query, by name."""
    return [read_curated_query(path) for path in sorted(queries_dir().glob("*.rq"))]


def curated_query(name: str) -> CuratedQuery:
    """The curated query called `name`; `UsageError` lists the known names."""
    path = queries_dir() / f"{name}.rq"
    if not path.is_file() or path.parent != queries_dir():
        known = ", ".join(q.name for q in curated_queries())
        raise UsageError(f"no curated query {name!r}; known queries: {known}")
    return read_curated_query(path)


def read_curated_query(path: Path) -> CuratedQuery:
    """A `.rq` file with its header fields; `InputError` when title, description or question
    is missing."""
    text = read_query_file(path)
    fields = parse_header(text)
    missing = [f for f in ("title", "description", "question") if not fields.get(f)]
    if missing:
        raise InputError(path, f"the header comment lacks {', '.join(f'# {m}:' for m in missing)}")
    return CuratedQuery(
        name=path.stem,
        path=path,
        text=text,
        title=fields["title"],
        description=fields["description"],
        question=fields["question"],
        network=fields.get("network", ""),
    )


def parse_header(text: str) -> dict[str, str]:
    """The `# field: value` lines at the top of a query; indented comment lines continue a value."""
    fields: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        continued = _CONTINUATION.fullmatch(line)
        field = _HEADER_FIELD.fullmatch(line)
        if continued and current:
            fields[current] += " " + continued.group(1).strip()
        elif field:
            current = field.group(1)
            fields[current] = field.group(2).strip()
    return fields


def query_form(text: str) -> str:
    """The form of a query (SELECT, ASK, CONSTRUCT, DESCRIBE); `UsageError` for an update."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    prologue = _PROLOGUE.match(body)
    start = prologue.end() if prologue else 0
    match = _FORM.match(body, start)
    if not match:
        check_not_update(text)
        raise UsageError("not a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE)")
    return match.group(1).upper()


def check_not_update(text: str) -> None:
    """`UsageError` for a SPARQL update (INSERT DATA, DELETE, LOAD, CLEAR, ...), which the
    graph, read-only, does not accept."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    prologue = _PROLOGUE.match(body)
    update = _UPDATE.match(body, prologue.end() if prologue else 0)
    if update:
        raise UsageError(
            f"SPARQL updates ({update.group(1).upper()} ...) are not accepted: mdq-graph only "
            "reads the graph; give a SELECT, ASK, CONSTRUCT or DESCRIBE query (to change the "
            "data, edit the files and load them again)"
        )


def read_query_file(path: Path) -> str:
    """The text of a query file; `InputError` when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise InputError(path, f"cannot read the query: {err.strerror}") from None


def query_source(
    text: str | None, path: Path | None, name: str | None, *, stdin: str | None = None
) -> QuerySource:
    """The one query the user gave: as text, as a file, by curated name, or read from standard
    input (`-f -`, whose text is `stdin`)."""
    given = [option for option, value in (("QUERY", text), ("-f", path), ("--name", name)) if value]
    if stdin is not None:
        given.append("-f -")
    if len(given) != 1:
        raise UsageError(
            "give one query: as an argument, with -f FILE.rq, or with --name NAME "
            f"({'none given' if not given else 'got ' + ' and '.join(given)}; "
            "`mdq-graph queries` lists the names)"
        )
    if name:
        curated = curated_query(name)
        return QuerySource(curated.text, curated.path)
    if path:
        return QuerySource(read_query_file(path), path)
    return QuerySource(stdin if stdin is not None else text or "")


def run_query(engine: Engine, source: QuerySource, *, allow_service: bool = False) -> QueryResult:
    """Run a query, with `QUERY_PREFIXES` predefined and `QUERY_BASE` as its base; a syntax error
    names its line and column (and its file, if it has one); an update is refused as such.

    A query deeper than the engine survives is refused first: it would crash this process. A
    federated query (SERVICE, which makes the engine open the URL it names) is refused unless
    `allow_service`: a query file must not make the program open a URL by itself."""
    check_not_update(source.text)
    try:
        check_nesting(source.text)
        if not allow_service and calls_service(
            source.text, prefixes=QUERY_PREFIXES, base_iri=QUERY_BASE
        ):
            raise ServiceRefused(
                "the query calls a remote endpoint (SERVICE), and mdq-graph opens no URL a query "
                "names unless told to: add --allow-service to run it"
            )
        return engine.query(source.text, prefixes=QUERY_PREFIXES, base_iri=QUERY_BASE)
    except ServiceRefused:
        raise
    except QueryError as err:
        detail, line, column = _located(source.text, err)
        if source.path is not None:
            raise InputError(source.path, f"SPARQL syntax error: {detail}", line, column) from None
        raise QueryError(detail, line, column) from None


class ServiceRefused(QueryError):
    """A federated query run without `allow_service`."""


@contextlib.contextmanager
def engine_failures_contained() -> Iterator[None]:
    """Turn a panic of the query engine (Oxigraph's Rust code failing, e.g. a sort whose
    comparison is not a total order) into a `QueryError`, so the CLI exits 2 with a message, not
    with a traceback. pyo3 raises it as `pyo3_runtime.PanicException`, a BaseException."""
    try:
        yield
    except BaseException as err:
        kind = type(err)
        if kind.__name__ != "PanicException" or kind.__module__ != "pyo3_runtime":
            raise
        raise QueryError(
            f"the query engine failed on this query ({' '.join(str(err).split())[:200]}); "
            "nothing was answered: try it without ORDER BY, or report it with the query"
        ) from None


def _located(text: str, err: QueryError) -> tuple[str, int | None, int | None]:
    """The message and position to report for a syntax error.

    Oxigraph's parser reports how far it got, which for some mistakes (a misspelt keyword, an
    empty FILTER) is the end of the query; there, rdflib's parser, which stops at the first token
    it cannot place, usually points at the mistake itself.
    """
    line, column = err.line, err.column
    if line is None or column is None or not _at_end(text, line, column):
        return _readable(err.detail), line, column
    earlier = _rdflib_position(text)
    if earlier is None or earlier >= (line, column):
        return _readable(err.detail), line, column
    token = _token_at(text, *earlier)
    return f"unexpected {token!r}" if token else "unexpected end of the query", *earlier


def _offset(text: str, line: int, column: int) -> int:
    """The character offset of a 1-based line and column."""
    lines = text.splitlines(keepends=True)
    return sum(len(previous) for previous in lines[: line - 1]) + column - 1


def _at_end(text: str, line: int, column: int) -> bool:
    """Whether only blanks follow the position."""
    return not text[_offset(text, line, column) :].strip()


def _token_at(text: str, line: int, column: int) -> str:
    """The word (or character) at a position."""
    rest = text[_offset(text, line, column) :]
    match = re.match(r"\w+|\S", rest)
    return match.group() if match else ""


def _rdflib_position(text: str) -> tuple[int, int] | None:
    """Where rdflib's SPARQL parser stops (line, column), or None if it reads the query."""
    from pyparsing import ParseException  # rdflib's parser: imported only on this error path
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepareQuery(text)
    except ParseException as err:
        return err.lineno, err.col
    except Exception:  # rdflib may fail later than parsing (e.g. an unknown prefix)
        return None
    return None


def _readable(message: str) -> str:
    """Oxigraph's message without the position (given separately) and its longest lists."""
    message = _ERROR_POSITION.sub("", " ".join(message.split()))
    if _UNKNOWN_PREFIX in message:
        return (
            "a prefixed name uses a prefix that the query does not declare and that is not "
            "predefined (add PREFIX ...; `mdq-graph query --help` lists the predefined ones)"
        )
    if len(message) > _LONG_EXPECTATION:
        message = message[:_LONG_EXPECTATION].rsplit(",", 1)[0] + ", ..."
    return message
