"""The benchmarks' own bookkeeping (bench/): what is kept when docs/performance.md is written
again, where the endpoint table goes, and how Virtuoso's split groups are read back. The timing
itself is the benchmarks' business, never a test's."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO

BENCH = REPO / "bench"


def bench_module(name: str) -> ModuleType:
    """bench/NAME.py, imported as the benchmarks import each other (bench/ on the path)."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


REPORT = """# Performance

Measured by `python bench/run.py` …

## 9,673 triples

| step | mdq-graph |
|---|---|
| load | 1 s |

## The SPARQL endpoint

<!-- serve:begin -->
| old | table |
<!-- serve:end -->

## Why the endpoint is built as it is

Because we measured.

## What bounds validate

The store.

## What bounds each step

The writers.
"""


def test_the_sections_written_by_hand_are_kept_and_the_figures_are_not(tmp_path: Path) -> None:
    run = bench_module("run")
    report = tmp_path / "performance.md"
    report.write_text(REPORT, encoding="utf-8")
    kept = run.written_by_hand(report)
    assert [line for line in kept.splitlines() if line.startswith("## ")] == [
        "## Why the endpoint is built as it is",
        "## What bounds validate",
        "## What bounds each step",
    ]
    assert "Because we measured." in kept and "The writers." in kept
    assert "| load | 1 s |" not in kept and "serve:begin" not in kept


def test_a_report_not_yet_written_keeps_nothing(tmp_path: Path) -> None:
    assert bench_module("run").written_by_hand(tmp_path / "performance.md") == ""


def test_the_endpoint_table_replaces_only_what_stands_between_the_markers(tmp_path: Path) -> None:
    serve = bench_module("serve")
    report = tmp_path / "performance.md"
    report.write_text(REPORT, encoding="utf-8")
    serve.write_between_markers(report, "| new | table |")
    text = report.read_text(encoding="utf-8")
    assert "| new | table |" in text and "| old | table |" not in text
    assert text.replace("| new | table |", "| old | table |") == REPORT


def test_a_report_without_markers_is_refused(tmp_path: Path) -> None:
    report = tmp_path / "performance.md"
    report.write_text("# Performance\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        bench_module("serve").write_between_markers(report, "| table |")
    assert report.read_text(encoding="utf-8") == "# Performance\n"


#: Virtuoso splits a GROUP BY's group when it reads the same value in two forms: the rows agree
#: on every variable but the count, which adds up to the one count the other engines give.
SPLIT_GROUPS = [
    pytest.param(
        [
            (("country", "jp"), ("n", "2")),
            (("country", "jp"), ("n", "3")),
            (("country", "us"), ("n", "1")),
        ],
        [(("country", "jp"), ("n", "5")), (("country", "us"), ("n", "1"))],
        id="one-group-split-in-two",
    ),
    pytest.param(
        [(("country", "jp"), ("n", "2")), (("country", "us"), ("n", "2"))],
        [(("country", "jp"), ("n", "2")), (("country", "us"), ("n", "2"))],
        id="nothing-split",
    ),
]


@pytest.mark.parametrize(("rows", "merged"), SPLIT_GROUPS)
def test_virtuosos_split_groups_are_added_up(
    rows: list[tuple[tuple[str, str], ...]], merged: list[tuple[tuple[str, str], ...]]
) -> None:
    assert sorted(bench_module("serve").merge_split_groups(rows, "n")) == sorted(merged)


def test_a_small_command_started_by_a_large_harness_reads_its_own_peak_memory() -> None:
    """Linux starts a child's `ru_maxrss` at its parent's resident set: the harness must not
    report its own size as a small command's peak."""
    run = bench_module("run")
    if run.GNU_TIME is None:
        pytest.skip("GNU time (/usr/bin/time) is not installed: peaks are read from wait4")
    ballast = bytearray(400 * 1024**2)  # the harness, grown to 400 MB
    ballast[::4096] = b"x" * len(ballast[::4096])  # touched, so it is resident
    measured = run.measure([sys.executable, "-c", "pass"], limit=60)
    assert not measured.failed and measured.peak_kb is not None
    assert 1024 < measured.peak_kb < 200 * 1024, measured.peak_kb
    del ballast


@pytest.mark.parametrize(
    ("peak_kb", "failed", "verdict"),
    [
        (7_000_000, "", "✅ met"),
        (9_000_000, "", "❌ missed"),
        (1_000_000, "out of memory", "❌ missed"),
    ],
    ids=["under-8-gb", "over-8-gb", "a-step-failed"],
)
def test_ten_million_triples_meet_the_target_only_if_every_step_completes_under_8_gb(
    peak_kb: int, failed: str, verdict: str
) -> None:
    run = bench_module("run")
    fine = run.Measure(seconds=10.0, peak_kb=2_000_000)
    step = run.Measure(seconds=None if failed else 20.0, peak_kb=peak_kb, failed=failed)
    result = run.SizeResult(1e7, 300, 10_100_651, 2 << 30)
    result.rows = [("load", fine, fine, run.Measure(skipped=True))]
    result.rows.append(("validate", step, fine, run.Measure(skipped=True)))
    (line,) = [ln for ln in run._large_targets([result]) if ln.startswith("| load")]
    assert line.endswith(f"| {verdict} |")
