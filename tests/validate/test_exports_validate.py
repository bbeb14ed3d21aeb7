"""Every export of the bundled data passes `mdq-graph validate`: what we publish (the site's
download/mdq.*) conforms to our own shapes, in every format, with or without the named graphs."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mdq_graph.cli import main
from mdq_graph.graph.rdf_formats import FORMATS


def test_every_format_is_checked() -> None:
    assert len(FORMATS) == 6


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_the_export_passes_validate(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"mdq{FORMATS[name].extension}"
    runner = CliRunner()
    exported = runner.invoke(main, ["export", "--format", name, "-o", str(path)])
    assert exported.exit_code == 0, exported.output
    validated = runner.invoke(main, ["validate", str(path)])
    assert validated.exit_code == 0, validated.output
    assert "Conforms" in validated.output
