"""The `mdq-graph` command line: parse options, call the core, render the result."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import click
from rdflib import Dataset

from mdq_graph import __version__
from mdq_graph.dataset import load_dataset
from mdq_graph.errors import MdqError
from mdq_graph.export import UNION, serialize
from mdq_graph.formats import FORMAT_NAMES, get_format
from mdq_graph.info import DatasetInfo, dataset_info
from mdq_graph.output import write_atomic

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """What the group's options give every command: the data paths, and the dataset once loaded."""

    def __init__(self, data: tuple[Path, ...]) -> None:
        self.data = data
        self._dataset: Dataset | None = None

    def dataset(self, *, inferred: bool = True) -> Dataset:
        """The dataset (bundled, or `--data` instead), loaded once."""
        if self._dataset is None or not inferred:
            self._dataset = load_dataset(list(self.data) or None, inferred=inferred)
        return self._dataset


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
@click.pass_context
def main(ctx: click.Context, data: tuple[Path, ...]) -> None:
    """The 7th Multilateral Dialogue on Quantum (MDQ) as a linked-data knowledge graph.

    \b
    Examples:
      mdq-graph info
      mdq-graph export --format json-ld -o mdq.jsonld
      mdq-graph --data my-data/ info
    """
    ctx.obj = Context(data)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_obj
@reports_errors
def info(obj: Context, as_json: bool) -> None:
    """Summarise the graph: triples per named graph, resources per class, sources.

    Example: mdq-graph info --json
    """
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
@click.pass_obj
@reports_errors
def export(obj: Context, fmt: str, output: Path | None, graph: str, no_inferred: bool) -> None:
    """Export the graph in an RDF format; quad formats (nq, trig) keep the named graphs.

    Example: mdq-graph export --format json-ld -o mdq.jsonld
    """
    dataset = obj.dataset(inferred=not no_inferred)
    emit(serialize(dataset, get_format(fmt), graph), output)
