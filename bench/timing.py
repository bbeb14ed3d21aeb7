"""What the cold-process benchmarks share: the Markdown table of their timings."""

from __future__ import annotations

import statistics


def print_timing_table(times: dict[str, list[float]]) -> None:
    """Print median, min and max of each command's times (seconds) as a Markdown table in ms."""
    print("| command | median | min | max |")
    print("|---|---:|---:|---:|")
    for label, values in times.items():
        print(
            f"| {label} | {statistics.median(values) * 1000:.0f} ms "
            f"| {min(values) * 1000:.0f} ms | {max(values) * 1000:.0f} ms |"
        )
