"""A data file cannot make `validate` open (or quote) a file outside the sources folder."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from mdq_graph.validate.quotes import check_quotes, source_path
from tests.support.probes import canary, opened_files

_QUOTE = """
@prefix mdq: <https://w3id.org/mdq/ontology#> .
@prefix oa:  <http://www.w3.org/ns/oa#> .
<urn:q> a mdq:Quote ; oa:hasSource <urn:text> ; oa:hasSelector <urn:tq> , <urn:tp> .
<urn:text> mdq:fileName "{name}" .
<urn:tq> a oa:TextQuoteSelector ; oa:exact "nothing like it" .
<urn:tp> a oa:TextPositionSelector ; oa:start 0 ; oa:end 15 .
"""

#: Names a hostile data file could give, each leading out of the sources folder.
ESCAPES = {
    "parent": "../canary.txt",
    "deep-parent": "../../../../../../../../canary.txt",
    "absolute": "{outside}/canary.txt",
    "proc-environ": "/proc/self/environ",
    "dot-dot-inside": "sub/../../canary.txt",
    "link-out": "link.txt",
    "link-to-folder-out": "linked/canary.txt",
    "backslashes": "..\\\\canary.txt",
    "nul": "canary.txt\\u0000",
    "empty": "",
    "the-folder-itself": ".",
}


def test_every_kind_of_escape_is_collected() -> None:
    assert len(ESCAPES) == 11


@pytest.fixture()
def folders(tmp_path: Path) -> tuple[Path, Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    canary(outside)
    sources = tmp_path / "sources"
    (sources / "sub").mkdir(parents=True)
    (sources / "inside.txt").write_text("nothing like it at all", encoding="utf-8")
    (sources / "link.txt").symlink_to(outside / "canary.txt")
    (sources / "linked").symlink_to(outside)
    return sources, outside


@pytest.mark.parametrize("name", ESCAPES.values(), ids=ESCAPES.keys())
def test_a_source_name_leading_out_is_refused_before_opening(
    folders: tuple[Path, Path], name: str
) -> None:
    sources, outside = folders
    store = ox.Store()
    text = _QUOTE.replace("{name}", name.replace("{outside}", str(outside)))
    store.load(text, format=ox.RdfFormat.TURTLE)
    with opened_files() as opened:
        problems = check_quotes(store, sources)
    assert not [p for p in opened if "canary" in p or p.startswith("/proc")], opened
    assert len(problems) == 1 and "is not a file in" in problems[0].message
    assert "CANARY" not in problems[0].message


def test_a_name_inside_the_folder_is_read(folders: tuple[Path, Path]) -> None:
    sources, _ = folders
    store = ox.Store()
    store.load(_QUOTE.replace("{name}", "inside.txt"), format=ox.RdfFormat.TURTLE)
    assert source_path(sources, "inside.txt") == (sources / "inside.txt").resolve()
    assert check_quotes(store, sources) == []
    assert source_path(sources, "sub/../inside.txt") is None
