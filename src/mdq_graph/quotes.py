"""Checks that every quote is verbatim in its source text, at its offsets and between its context."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset

from mdq_graph.namespaces import MDQ, OA

_QUOTES = """
SELECT ?quote ?file ?exact ?prefix ?suffix ?start ?end WHERE {
  ?quote a mdq:Quote ;
         oa:hasSource ?text ;
         oa:hasSelector ?q , ?p .
  ?text mdq:fileName ?file .
  ?q a oa:TextQuoteSelector ; oa:exact ?exact .
  OPTIONAL { ?q oa:prefix ?prefix }
  OPTIONAL { ?q oa:suffix ?suffix }
  ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
}
ORDER BY ?quote
"""


@dataclass(frozen=True)
class Quote:
    """A quote with its two selectors, as stated in the graph."""

    iri: str
    file: str
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


@dataclass(frozen=True)
class QuoteProblem:
    """A quote that is not where it says it is."""

    quote: str
    message: str


def quotes(dataset: Dataset) -> list[Quote]:
    """Every quote of the dataset with its selectors."""
    rows = dataset.query(_QUOTES, initNs={"mdq": MDQ, "oa": OA})
    return [
        Quote(
            str(r.quote),  # type: ignore[union-attr]
            str(r.file),  # type: ignore[union-attr]
            str(r.exact),  # type: ignore[union-attr]
            str(r.prefix or ""),  # type: ignore[union-attr]
            str(r.suffix or ""),  # type: ignore[union-attr]
            int(r.start),  # type: ignore[union-attr]
            int(r.end),  # type: ignore[union-attr]
        )
        for r in rows
    ]


def check_quote(quote: Quote, text: str) -> list[str]:
    """What is wrong with one quote against its source text (empty when it is verbatim in place)."""
    problems = []
    found = text[quote.start : quote.end]
    if found != quote.exact:
        where = text.find(quote.exact)
        hint = f"; the exact text is at {where}-{where + len(quote.exact)}" if where >= 0 else ""
        problems.append(
            f"text at {quote.start}-{quote.end} is {found[:60]!r}, not the quoted {quote.exact[:60]!r}{hint}"
        )
        return problems
    if quote.prefix and not text[: quote.start].endswith(quote.prefix):
        problems.append(f"the prefix {quote.prefix!r} does not come right before the quote")
    if quote.suffix and not text[quote.end :].startswith(quote.suffix):
        problems.append(f"the suffix {quote.suffix!r} does not come right after the quote")
    return problems


def check_quotes(dataset: Dataset, sources: Path) -> list[QuoteProblem]:
    """Every problem with the dataset's quotes, against the source texts in the folder `sources`."""
    texts: dict[str, str | None] = {}
    problems: list[QuoteProblem] = []
    for quote in quotes(dataset):
        if quote.file not in texts:
            path = sources / quote.file
            texts[quote.file] = path.read_text(encoding="utf-8") if path.is_file() else None
        text = texts[quote.file]
        if text is None:
            problems.append(
                QuoteProblem(quote.iri, f"its source text {quote.file} is not in {sources}")
            )
            continue
        problems += [QuoteProblem(quote.iri, m) for m in check_quote(quote, text)]
    return problems
