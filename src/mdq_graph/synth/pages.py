"""Web pages about the meetings of a synthetic corpus, cited as documents, as the real series pages are.

Besides its releases, about half of the meetings get one to three pages from other publishers, each in
a named graph of its own. The project holds no text of them, so every statement of a page's graph
rests on the page itself (a mdq:DocumentCitation with its address, publisher and the day it was
read). The pages disagree as the real ones do: the first names the host and one co-host, all the
cities and the days; the second another co-host, the first city alone and how many days it lasted;
the third only the month.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from mdq_graph.synth.releases import Meeting
from mdq_graph.synth.world import Block, Lit, Term, World, en_lit, ja_lit, source_graph, xsd_lit

#: The day the pages were read (the real series pages were read on this day too).
RETRIEVED = date(2026, 12, 3)
#: Of the meetings, the share that some page other than the releases describes.
SHARE_WITH_PAGES = 0.5


def page_graphs(rng: random.Random, m: Meeting, world: World) -> list[tuple[str, list[Block]]]:
    """The graphs of the pages about meeting `m`: (graph CURIE, blocks) each."""
    if rng.random() >= SHARE_WITH_PAGES:
        return []
    guests = [c for c in m.countries if c is not m.host]
    cohosts = rng.sample(guests, min(len(guests), 2))
    graphs = []
    for n in range(1, rng.randint(1, 3) + 1):
        publisher = rng.choice(world.alliances)
        page = f"page-{m.slug}-{n}"
        graph, source, meeting = f"sg:{page}", f"s:source/{page}", f"s:meeting/{m.slug}"
        published = m.end + timedelta(days=rng.randint(1, 60))
        title = f"{m.series.acronym} meeting no. {m.ordinal}, as page {n} tells it"
        facts: list[tuple[str, Term]] = [
            ("rdf:type", "mdq:Meeting"),
            ("mdq:meetingOf", f"s:series/{m.series.slug}"),
            ("mdq:host", m.host.thing.iri),
        ]
        if n == 1:
            facts += [("mdq:ordinal", xsd_lit(m.ordinal, "integer"))]
            facts += [("mdq:host", cohosts[0].thing.iri)] if cohosts else []
            facts += [("mdq:heldIn", c.iri) for c in m.cities]
            facts += [("schema:startDate", xsd_lit(m.start, "date"))]
            facts += [("schema:endDate", xsd_lit(m.end, "date"))]
            facts += [("mdq:participatingCountry", c.thing.iri) for c in m.countries]
        elif n == 2:
            facts += [("mdq:ordinal", xsd_lit(m.ordinal, "integer"))]
            facts += [("mdq:host", cohosts[-1].thing.iri)] if cohosts else []
            facts += [("mdq:heldIn", m.cities[0].iri)]
            facts += [("schema:duration", xsd_lit(f"P{(m.end - m.start).days + 1}D", "duration"))]
        else:
            facts += [("mdq:heldIn", m.cities[0].iri)]
            facts += [("mdq:monthHeld", xsd_lit(m.start.strftime("%Y-%m"), "gYearMonth"))]
        stated: list[Block] = [
            (meeting, facts),
            (f"s:series/{m.series.slug}", [("mdq:hasMeeting", meeting)]),
        ]
        statements: list[Block] = [
            (f"s:statement/{page}/{k}", [
                ("rdf:type", "rdf:Statement"), ("rdf:subject", subject), ("rdf:predicate", p),
                ("rdf:object", o), ("mdq:evidence", source),
            ])
            for k, (subject, p, o) in enumerate(((s, p, o) for s, pairs in stated for p, o in pairs), start=1)
        ]  # fmt: skip
        blocks: list[Block] = [
            source_graph(
                graph,
                source,
                f"Statements of the synthetic page {page}",
                f"合成ページ {page} の記述",
                evidenced=True,
            ),
            (
                source,
                [
                    ("rdf:type", "mdq:WebPage"),
                    ("rdf:type", "mdq:DocumentCitation"),
                    ("rdfs:label", en_lit(title)),
                    ("rdfs:label", ja_lit(f"合成ページ {page}")),
                    ("dct:title", en_lit(title)),
                    ("schema:publisher", publisher.iri),
                    ("schema:inLanguage", Lit("en")),
                    (
                        "schema:url",
                        f"https://pages.example.org/{m.series.slug}/{m.ordinal}/{n}.html",
                    ),
                    ("schema:datePublished", xsd_lit(published, "date")),
                    ("mdq:dateRetrieved", xsd_lit(max(RETRIEVED, published), "date")),
                    ("mdq:locator", en_lit("the account of the meeting")),
                    ("schema:about", meeting),
                    ("dct:rights", f"{source}/rights"),
                ],
            ),
            (
                f"{source}/rights",
                [
                    ("rdf:type", "dct:RightsStatement"),
                    (
                        "rdfs:label",
                        en_lit(f"Terms of use of the synthetic page {page}: not stated"),
                    ),
                ],
            ),
            *stated,
            *statements,
        ]
        graphs.append((graph, blocks))
    return graphs
