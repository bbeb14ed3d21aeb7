"""Every quote is verbatim in its shipped source text, at its offsets, between its prefix and suffix."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from mdq_graph.graph.loader import load_store
from mdq_graph.graph.resources import sources_dir
from mdq_graph.validate.quotes import Quote, check_quote, check_quotes, quotes

MIN_QUOTES = 20


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """The bundled graph in a pyoxigraph store (its default graph the union)."""
    return load_store()


def test_there_are_enough_quotes_in_both_languages(store: ox.Store) -> None:
    found = quotes(store)
    assert len(found) >= MIN_QUOTES
    files = {q.file for q in found}
    assert files == {"cao-2025-09-22-mdq7.en.txt", "cao-2025-09-22-mdq7.ja.partial.txt"}


def test_every_quote_is_verbatim_at_its_offsets(store: ox.Store) -> None:
    problems = check_quotes(store, sources_dir())
    assert problems == [], "\n".join(f"{p.quote}: {p.message}" for p in problems)


def test_offsets_count_code_points_in_the_japanese_text(store: ox.Store) -> None:
    ja = [q for q in quotes(store) if q.file.endswith(".ja.partial.txt")]
    text = (sources_dir() / ja[0].file).read_text(encoding="utf-8")
    for quote in ja:
        assert text[quote.start : quote.end] == quote.exact


@pytest.mark.parametrize(
    ("start", "end", "prefix", "suffix", "expected"),
    [
        pytest.param(4, 9, "The ", " brown", "", id="in-place"),
        pytest.param(5, 10, "The ", " brown", "text at 5-10", id="offsets-shifted"),
        pytest.param(4, 9, "A ", " brown", "prefix", id="wrong-prefix"),
        pytest.param(4, 9, "The ", " red", "suffix", id="wrong-suffix"),
    ],
)
def test_check_quote_finds_each_kind_of_mistake(
    start: int, end: int, prefix: str, suffix: str, expected: str
) -> None:
    quote = Quote("q", "f.txt", "quick", prefix, suffix, start, end)
    problems = check_quote(quote, "The quick brown fox")
    if expected:
        assert len(problems) == 1 and expected in problems[0]
    else:
        assert problems == []


def test_a_shifted_quote_says_where_the_text_really_is() -> None:
    quote = Quote("q", "f.txt", "quick", "", "", 0, 5)
    (problem,) = check_quote(quote, "The quick brown fox")
    assert "the exact text is at 4-9" in problem
