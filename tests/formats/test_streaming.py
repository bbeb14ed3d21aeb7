"""The streaming writers' line sorter writes what `sorted_lines` writes, whether it holds every
line or sorts them in runs spilled to temporary files, however the serialiser cuts its output."""

from __future__ import annotations

import io

import pytest

from mdq_graph.formats.rdf import sorted_lines
from mdq_graph.formats.streaming import LineSorter

#: Serialised lines with what sorting must handle: repeats (also across runs), blank lines,
#: lines that share a beginning, non-ASCII bytes, a last line without its line break.
DOCUMENTS: dict[str, bytes] = {
    "empty": b"",
    "repeated across runs": b"<b> <p> <o> .\n<a> <p> <o> .\n<c> <p> <o> .\n<b> <p> <o> .\n" * 3,
    "blank lines": b"\n<a> <p> <o> .\n   \n\t\n\n",
    "common beginnings": b'<a> <p> <o2> .\n<a> <p> <o> .\n<a> <p> <o1> .\n<a> <p> "\xc3\xa9" .\n',
    "no last line break": b"<z> <p> <o> .\n<y> <p> <o> .",
}
#: Run sizes: everything in memory, and a run spilled after every line or so.
RUN_SIZES = {"one run": None, "many runs": 1}


def test_every_case_is_collected() -> None:
    assert (len(DOCUMENTS), len(RUN_SIZES)) == (5, 2)


@pytest.mark.parametrize("run_bytes", RUN_SIZES.values(), ids=RUN_SIZES.keys())
@pytest.mark.parametrize("document", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_lines_however_cut_are_written_sorted_once_each(
    document: bytes, run_bytes: int | None
) -> None:
    expected = sorted_lines(document.splitlines())
    for cut in range(len(document) + 1):
        sorter = LineSorter(run_bytes)
        assert sorter.write(document[:cut]) == cut
        sorter.write(document[cut:])
        written = io.BytesIO()
        sorter.write_to(written)
        assert written.getvalue() == expected, f"cut at {cut}"


@pytest.mark.parametrize("run_bytes", RUN_SIZES.values(), ids=RUN_SIZES.keys())
@pytest.mark.parametrize("document", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_lines_known_distinct_are_written_sorted(document: bytes, run_bytes: int | None) -> None:
    lines = list(dict.fromkeys(document.splitlines()))  # each once, as the caller promises
    sorter = LineSorter(run_bytes, distinct=True)
    sorter.add(lines)
    written = io.BytesIO()
    sorter.write_to(written)
    assert written.getvalue() == sorted_lines(lines)


@pytest.mark.parametrize("run_bytes", RUN_SIZES.values(), ids=RUN_SIZES.keys())
def test_the_edit_sees_whole_lines_and_left_out_lines_are_dropped(run_bytes: int | None) -> None:
    document = b"<a> <p> <o> .\n<b> <p> <o> .\n<c> <p> <o> .\n"
    for cut in range(len(document) + 1):
        sorter = LineSorter(run_bytes, edit=lambda lines: lines.replace(b" .\n", b" <g> .\n"))
        sorter.left_out = {b"<b> <p> <o> <g> ."}
        sorter.write(document[:cut])
        sorter.write(document[cut:])
        written = io.BytesIO()
        sorter.write_to(written)
        assert written.getvalue() == b"<a> <p> <o> <g> .\n<c> <p> <o> <g> .\n", f"cut at {cut}"
