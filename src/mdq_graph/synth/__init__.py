"""Generates a synthetic corpus shaped like the real data, for measuring the tools at scale.

The corpus is a TriG or N-Quads file of named graphs, as the bundled data is: a reference graph
(countries with ISO-like codes and Wikidata/GeoNames-like identifiers, organisations with their
parents, places), a vocabulary graph (topics, stakeholder groups) and, per meeting, the graph of an
English press release and, for about half of the meetings, of a Japanese one that places the meeting
a little differently (as the real releases do). Every release comes with its plain text, and its
quotes point into that text with offsets that `mdq_graph.validate.quotes` checks.

It is deterministic for a seed (same seed, same bytes) and streamed: written graph by graph, never
held in memory. Its IRIs live under `id/synth/` and `graph/synth/`, so a synthetic corpus never
merges with the real graph by accident.
"""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from mdq_graph.errors import InputError, UsageError
from mdq_graph.graph.rdf_formats import format_for_path
from mdq_graph.output import atomic_writer
from mdq_graph.synth.pages import page_graphs
from mdq_graph.synth.releases import ENGLISH, JAPANESE, make_series, plan_meeting, release_graph
from mdq_graph.synth.world import (
    CURIE_PREFIXES,
    SYNTH_GRAPH,
    SYNTH_ID,
    Block,
    Lit,
    Names,
    build_world,
    vocabulary_graph,
)

#: Formats the generator writes: quad formats only, since the corpus is a set of named graphs.
SYNTH_FORMATS = ("trig", "nq")
#: Triples per meeting (its releases) and per country (the reference graph), on average;
#: `tests/test_synth.py` checks `estimated_triples` against what the generator writes.
TRIPLES_PER_MEETING = 2585
TRIPLES_PER_COUNTRY = 240

__all__ = [
    "SYNTH_FORMATS",
    "SYNTH_GRAPH",
    "SYNTH_ID",
    "TRIPLES_PER_MEETING",
    "SynthResult",
    "default_texts_dir",
    "estimated_triples",
    "meetings_for_triples",
    "synthesize",
]


# --- Writers --------------------------------------------------------------------------------------

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r\t]')
_FULL_IRI = re.compile(r"^(?:https?|tel|urn):")
_LOCAL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


class _Writer:
    """Writes graphs of blocks as N-Quads lines or as TriG; counts the statements written."""

    def __init__(self, out: IO[str], trig: bool) -> None:
        self.out = out
        self.trig = trig
        self.count = 0
        self._iris: dict[str, str] = {}
        if trig:
            out.write("# A synthetic MDQ corpus written by `mdq-graph synth`: not real data.\n\n")
            out.write(f"@base <{SYNTH_ID}> .\n")
            out.writelines(
                f"@prefix {p}: <{ns}> .\n" for p, ns in CURIE_PREFIXES.items() if p != "s"
            )

    def term(self, term: str) -> str:
        """An IRI, given as a CURIE or in full, as written in the output format."""
        written = self._iris.get(term)
        if written is None:
            if _FULL_IRI.match(term):
                written = f"<{term}>"
            else:
                prefix, local = term.split(":", 1)
                if not self.trig:
                    written = f"<{CURIE_PREFIXES[prefix]}{local}>"
                elif prefix == "s":
                    written = f"<{local}>"  # relative to @base
                elif _LOCAL_NAME.fullmatch(local):
                    written = term
                else:
                    written = f"<{CURIE_PREFIXES[prefix]}{local}>"
            if len(self._iris) < 200_000:  # terms repeat across meetings; keep memory bounded
                self._iris[term] = written
        return written

    def literal(self, lit: Lit) -> str:
        """A literal in N-Triples/Turtle syntax."""
        text = '"' + _NEEDS_ESCAPE.sub(lambda m: _ESCAPES[m.group()], lit.value) + '"'
        if lit.lang:
            return f"{text}@{lit.lang}"
        return f"{text}^^{self.term(lit.datatype)}" if lit.datatype else text

    def graph(self, name: str, blocks: Sequence[Block]) -> None:
        """Write `blocks` as the named graph `name`."""
        g = self.term(name)
        parts = [f"\n{g} {{\n"] if self.trig else []
        for subject, pairs in blocks:
            s = self.term(subject)
            objects = [
                (
                    "a" if self.trig and p == "rdf:type" else self.term(p),
                    self.literal(o) if isinstance(o, Lit) else self.term(o),
                )
                for p, o in pairs
            ]
            if self.trig:
                joined = " ;\n        ".join(f"{p} {o}" for p, o in objects)
                parts.append(f"    {s} {joined} .\n")
            else:
                parts += [f"{s} {p} {o} {g} .\n" for p, o in objects]
            self.count += len(pairs)
        if self.trig:
            parts.append("}\n")
        self.out.write("".join(parts))


# --- The corpus -----------------------------------------------------------------------------------


def _graphs(meetings: int, seed: int) -> Iterator[tuple[str, list[Block], str, str]]:
    """Every graph of the corpus as (CURIE, blocks, text file name or "", text)."""
    rng = random.Random(seed)
    names = Names(rng)
    world = build_world(rng, names, _countries(meetings))
    yield "sg:reference", world.reference, "", ""
    yield "sg:vocabulary", vocabulary_graph(), "", ""
    series = make_series(rng, names, max(1, meetings // 12))
    for k in range(meetings):
        meeting = plan_meeting(rng, world, series[k % len(series)], k // len(series) + 1)
        yield release_graph(meeting, ENGLISH)
        if rng.random() < 0.5:
            yield release_graph(meeting, JAPANESE)
        for graph, blocks in page_graphs(rng, meeting, world):
            yield graph, blocks, "", ""


@dataclass(frozen=True)
class SynthResult:
    """What `synthesize` wrote: the corpus file, its statements and graphs, and the texts."""

    path: Path
    meetings: int
    statements: int
    graphs: int
    texts_dir: Path | None
    texts: int


def _countries(meetings: int) -> int:
    """How many countries a corpus of `meetings` meetings has (at most the world's 193)."""
    return min(193, max(13, meetings // 4))


def estimated_triples(meetings: int) -> int:
    """About how many triples a corpus of `meetings` meetings holds."""
    return TRIPLES_PER_MEETING * meetings + TRIPLES_PER_COUNTRY * _countries(meetings)


def meetings_for_triples(triples: float) -> int:
    """About how many meetings give a corpus of `triples` triples."""
    meetings = 1
    for _ in range(5):  # the country count depends on the meetings: settles in two or three rounds
        reference = TRIPLES_PER_COUNTRY * _countries(meetings)
        meetings = max(1, round((triples - reference) / TRIPLES_PER_MEETING))
    return meetings


def default_texts_dir(output: Path) -> Path:
    """Where the release texts go by default: `NAME.sources/` beside the corpus `NAME.trig`, its
    own (two corpora in one folder do not share texts), where `validate` looks for them."""
    return output.parent / f"{output.stem}.sources"


def synthesize(
    output: Path, meetings: int, *, seed: int = 0, texts_dir: Path | None = None
) -> SynthResult:
    """Write a corpus of `meetings` meetings to `output` (.trig or .nq), and the texts of its
    releases to `texts_dir` (None: no texts). The same arguments always give the same bytes."""
    if meetings < 1:
        raise UsageError(f"the corpus needs at least one meeting, not {meetings}")
    fmt = format_for_path(output)
    if fmt.name not in SYNTH_FORMATS:
        raise UsageError(
            f"{output}: synth writes named graphs, so the file must be TriG (.trig) or "
            f"N-Quads (.nq), not {fmt.name}"
        )
    if not (output.parent if str(output.parent) else Path()).is_dir():
        raise InputError(output, f"cannot write: the folder {output.parent} does not exist")
    created = texts_dir is not None and not texts_dir.exists()
    if texts_dir is not None:
        if not texts_dir.parent.is_dir():
            raise InputError(
                texts_dir, f"cannot write: the folder {texts_dir.parent} does not exist"
            )
        texts_dir.mkdir(exist_ok=True)
    graphs = texts = 0
    try:
        with atomic_writer(output, text=True) as out:
            writer = _Writer(out, trig=fmt.name == "trig")
            for graph, blocks, file_name, text in _graphs(meetings, seed):
                writer.graph(graph, blocks)
                graphs += 1
                if texts_dir is not None and file_name:
                    (texts_dir / file_name).write_text(text, encoding="utf-8")
                    texts += 1
    except BaseException:
        if created and texts_dir is not None:
            shutil.rmtree(texts_dir, ignore_errors=True)  # no texts without their corpus
        raise
    return SynthResult(output, meetings, writer.count, graphs, texts_dir, texts)
