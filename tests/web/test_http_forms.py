"""The endpoint's reading of query strings and form bodies gives what `urllib.parse.parse_qsl`
gives (the reading Starlette and the SPARQL Protocol's examples rely on), only faster."""

from __future__ import annotations

import random
from urllib.parse import parse_qsl, quote

import pytest

from mdq_graph.web.http import form_pairs

#: Pieces that meet every branch: escapes whole, cut short and malformed, `+`, separators, a
#: backslash (the fast path's own escape character), NUL, bytes that are not UTF-8 or not ASCII.
PIECES = [
    b"%", b"%4", b"%41", b"%e3%81%82", b"%e3%81", b"%zz", b"+", b"&", b"=", b"a", b"\\",
    b"\\x41", b"%5C", b"%5c%78%34%31", b"%00", b";", b"%ff", b"\xc3\xa9", b" ", b"%2B", b"%26",
]  # fmt: skip
CASES = {
    "a curated query, percent-encoded": b"query="
    + quote("SELECT ?x WHERE { ?x a <urn:x> } # é\\n", safe="").encode(),
    "form encoding: plus for space": b"query=ASK+%7B%7D&default-graph-uri=urn%3Ag",
    "a name without a value, and an empty field": b"query&&format=json",
    "a backslash escape that is not percent-encoded": b"q=%5Cx41\\x41\\\\",
    "a malformed escape": b"q=100%25+%zz%4",
    "raw bytes that are not ASCII": b"q=caf\xc3\xa9%20%C3%A9",
}


@pytest.mark.parametrize("raw", list(CASES.values()), ids=list(CASES))
def test_reads_as_urllib_does(raw: bytes) -> None:
    assert form_pairs(raw) == parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
    if raw.isascii() or raw.decode("utf-8", "ignore").encode() == raw:
        assert form_pairs(raw, "utf-8") == parse_qsl(raw.decode("utf-8"), keep_blank_values=True)


def test_random_strings_read_as_urllib_reads_them() -> None:
    rng = random.Random(19)
    strings = [
        b"".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12))) for _ in range(20_000)
    ]
    differ = [
        raw
        for raw in strings
        if form_pairs(raw) != parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
    ]
    assert not differ, differ[:5]
    assert len(CASES) == 6
