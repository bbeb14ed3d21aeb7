"""The meetings of a synthetic corpus and their press releases: graphs, texts and quotes."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

import pyoxigraph as ox

from mdq_graph.graph.namespaces import XSD
from mdq_graph.synth.world import (
    GROUPS,
    TOPICS,
    Block,
    Country,
    Lit,
    Names,
    Term,
    Thing,
    World,
    continent,
    en_lit,
    ja_lit,
    slugify,
    source_graph,
    xsd_lit,
)
from mdq_graph.validate.evidence import value_in_words

_CONTEXT = 32  # characters of text before and after a quote, as in the real data


@dataclass
class Series:
    """A dialogue series and the continents it has met in so far."""

    slug: str
    names: tuple[str, str]
    acronym: str
    first_year: int
    continents: set[int] = field(default_factory=set)


@dataclass
class Meeting:
    """Everything the releases of one meeting say, decided before either is written."""

    series: Series
    ordinal: int
    host: Country
    countries: list[Country]
    start: date
    end: date
    published: date
    cities: list[Thing]
    first_in_continent: bool
    topics: list[int]
    outcomes: list[tuple[list[int], int]]  # (topic indexes, phrase variant) per outcome
    groups: list[int]
    designation: Thing | None
    related: list[tuple[str, Thing, date]]  # (class, organiser, day)

    @property
    def slug(self) -> str:
        return f"{self.series.slug}-{self.ordinal}"


def make_series(rng: random.Random, names: Names, count: int) -> list[Series]:
    """`count` dialogue series, each with its first year."""
    series = []
    for k in range(count):
        en, ja = names(2)
        acronym = f"{en[0]}DQ{k + 1}"
        names_ = (f"{en} Dialogue on Quantum", f"{ja}量子対話")
        series.append(Series(slugify(acronym), names_, acronym, rng.randint(2000, 2012)))
    return series


def plan_meeting(rng: random.Random, world: World, series: Series, ordinal: int) -> Meeting:
    """Decide a meeting's host, dates, places, participants, outcomes and related events."""
    countries = world.countries
    host = rng.choice(countries)
    guests = rng.sample([c for c in countries if c is not host], min(len(countries) - 1, rng.randint(4, 19)))  # fmt: skip
    start = date(series.first_year + ordinal - 1, rng.randint(1, 12), rng.randint(1, 26))
    end = start + timedelta(days=rng.randint(1, 3))
    first = host.continent not in series.continents
    series.continents.add(host.continent)
    related = []
    for k in range(rng.randint(0, 2)):
        organiser = rng.choice(world.alliances) if k else host.government
        related.append(("mdq:Symposium" if k else "mdq:Event", organiser, start - timedelta(days=k + 1)))  # fmt: skip
    return Meeting(
        series=series,
        ordinal=ordinal,
        host=host,
        countries=sorted([host, *guests], key=lambda c: c.thing.names[0]),
        start=start,
        end=end,
        published=end + timedelta(days=rng.randint(3, 14)),
        cities=rng.sample(host.cities, rng.randint(1, 2)),
        first_in_continent=first,
        topics=rng.sample(range(len(TOPICS)), 3),
        outcomes=[
            (rng.sample(range(len(TOPICS)), rng.randint(1, 3)), rng.randrange(3))
            for _ in range(rng.randint(2, 5))
        ],
        groups=rng.sample(range(1, len(GROUPS)), 3),
        designation=rng.choice(world.designations) if rng.random() < 0.3 else None,
        related=related,
    )


_MONTHS = "January February March April May June July August September October November December"


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _en_list(items: Sequence[str]) -> str:
    """A and B; A, B, and C."""
    return " and ".join(items) if len(items) <= 2 else ", ".join(items[:-1]) + ", and " + items[-1]


class _Lang(NamedTuple):
    """How a release in one language words things."""

    tag: str
    date_format: str  # with {y}, {m} (month name), {n} (month number), {d}
    separator: str  # between the items of a list; "" for English "A, B, and C"
    phrases: dict[str, str]
    outcome_titles: tuple[str, ...]
    outcome_statements: tuple[str, ...]

    def day(self, d: date) -> str:
        """A date as the release writes it."""
        month = _MONTHS.split()[d.month - 1]
        return self.date_format.format(y=d.year, m=month, n=d.month, d=d.day)

    def enumerate(self, items: Sequence[str]) -> str:
        """A list of names as the release writes it."""
        return self.separator.join(items) if self.separator else _en_list(items)


ENGLISH = _Lang(
    "en",
    "{m} {d}, {y}",
    "",
    {
        "meeting": "{nth} {series}",
        "alt": "{nth} {acronym} meeting",
        "title": "Strengthening International Collaboration: The {meeting} Held in {places}",
        "intro": "The {org}, in collaboration with relevant ministries and research institutions, hosted the {meeting} ({acronym}).",
        "purpose": "to deepen collaboration with like-minded countries on {topics}",
        "purpose_sentence": "This meeting was held {purpose}.",
        "overview": "From {start} to {end}, the {org} convened the {meeting} in {places}, with the {venue} serving as the main venue.",
        "participants": "The meeting brought together quantum policy representatives from {n} countries: {countries}.",
        "first": "This was the first time the {acronym} meeting was held in {continent}.",
        "next_step": "The {org} will continue to work in close collaboration with {groups} to further promote international cooperation in the quantum field.",
        "related": "On {day}, the {organiser} hosted a {noun} on quantum technology in {place}.",
        "contact": "{team}\nTel: {phone}",
        "participation": "Participation of {country} in the {meeting}",
        "next_label": "Next steps after the {meeting}",
        "h1": "\n\n1. Introduction\n\n",
        "h2": "\n\n2. Overview\n\n",
        "h3": "\n\n3. Key Outcomes\n",
        "h4": "\n\n4. Next Steps\n\n",
        "h5": "\n\n5. Additional Information\n",
        "h6": "\n\n6. Contact Information\n\n",
    },
    (
        "Sharing Latest Developments in {T}",
        "Deepening Cooperation on {T}",
        "Progress in Concrete Frameworks for {T}",
    ),
    (
        "Participants exchanged information on {topics}, fostering active dialogue and building mutual trust.",
        "The meeting saw tangible progress in strengthening cooperation on {topics}.",
        "Delegations agreed to share good practice on {topics} and to report on it at the next meeting.",
    ),
)
JAPANESE = _Lang(
    "ja",
    "{y}年{n}月{d}日",
    "、",
    {
        "meeting": "第{ordinal}回{series}",
        "alt": "第{ordinal}回{acronym}会合",
        "title": "国際連携強化に向けた{meeting}の開催",
        "intro": "{org}は、関係省庁及び研究機関と連携し、{meeting}({acronym})を開催しました。",
        "purpose": "有志国との{topics}に関する連携の深化",
        "purpose_sentence": "本会合は、{purpose}を目的として開催されました。",
        "overview": "{start}から{end}まで、{org}は{venue}を主会場として、{places}において{meeting}を開催しました。",
        "participants": "本会合には、{countries}の{n}か国の量子政策関係者が参加しました。",
        "first": "{acronym}会合が{continent}で開催されるのは初めてです。",
        "next_step": "{org}は、{groups}と緊密に連携し、量子分野における国際協力を一層推進してまいります。",
        "related": "",
        "contact": "{team}\n電話:{phone}",
        "participation": "{meeting}への{country}の参加",
        "next_label": "{meeting}後の取組",
        "h1": "\n\n1. はじめに\n\n",
        "h2": "\n\n2. 概要\n\n",
        "h3": "\n\n3. 主な成果\n",
        "h4": "\n\n4. 今後の取組\n\n",
        "h5": "",
        "h6": "\n\n6. 問合せ先\n\n",
    },
    ("{T}に関する最新動向の共有", "{T}に関する協力の深化", "{T}に関する具体的枠組みの進展"),
    (
        "{topics}に関する情報を交換し、信頼関係を構築した。",
        "{topics}に関する協力が具体的に進展した。",
        "{topics}に関する好事例を共有することで合意した。",
    ),
)


class _Text:
    """A source text built piece by piece, remembering where each quoted sentence is."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.quotes: list[
            tuple[int, int, list[str], list[str]]
        ] = []  # start, end, describes, props

    def add(self, text: str) -> str:
        self.parts.append(text)
        self.length += len(text)
        return text

    def quote(self, text: str, describes: list[str], *properties: str) -> str:
        """Add `text` as a sentence that a quote points at; return it."""
        self.quotes.append((self.length, self.length + len(text), describes, list(properties)))
        return self.add(text)


def release_graph(m: Meeting, lang: _Lang) -> tuple[str, list[Block], str, str]:
    """One release of meeting `m`: (graph CURIE, blocks, text file name, text)."""
    i = 0 if lang.tag == "en" else 1
    ph = lang.phrases
    rel = f"release-{m.slug}-{lang.tag}"
    graph, source, text_iri = f"sg:{rel}", f"s:source/{rel}", f"s:text/{rel}"
    meeting, series, time_iri = f"s:meeting/{m.slug}", f"s:series/{m.series.slug}", f"s:time/{m.slug}"  # fmt: skip
    host, org, unit, venue, team = m.host, m.host.ministry, m.host.secretariat, m.host.centre, m.host.team  # fmt: skip
    contact = f"s:contact/{host.code}-quantum-policy-team"
    label = en_lit if i == 0 else ja_lit
    # The Japanese release names only the first city: the sources disagree, as the real ones do.
    cities = m.cities if i == 0 else m.cities[:1]
    places = "/".join(c.names[0] for c in cities) if i == 0 else cities[0].names[1]
    nth = _ordinal(m.ordinal)
    fields = {"nth": nth, "ordinal": m.ordinal, "series": m.series.names[i], "acronym": m.series.acronym}  # fmt: skip
    meeting_name = ph["meeting"].format(**fields)
    fields |= {"meeting": meeting_name, "places": places, "org": org.names[i]}
    topic_names = [TOPICS[t][1 + i] or TOPICS[t][1] for t in m.topics]
    purpose = ph["purpose"].format(topics=lang.enumerate(topic_names))

    t = _Text()
    title = t.quote(ph["title"].format(**fields), [source], "dct:title", "schema:headline")
    t.add("\n\n")
    t.quote(lang.day(m.published), [source], "schema:datePublished")
    t.add("\n")
    t.quote(f"{org.names[i]}\n{unit.names[i]}", [source, unit.iri], "schema:publisher", "mdq:publishingUnit", "mdq:unitOf")  # fmt: skip
    t.add(ph["h1"])
    t.quote(ph["intro"].format(**fields), [meeting, series, org.iri], "mdq:organiser", "mdq:inCollaborationWith", "mdq:ordinal", "mdq:meetingOf", "rdfs:label")  # fmt: skip
    t.add(" ")
    t.quote(ph["purpose_sentence"].format(purpose=purpose), [meeting], "mdq:purpose", "mdq:topic")
    t.add(ph["h2"])
    overview = ph["overview"].format(start=lang.day(m.start), end=lang.day(m.end), venue=venue.names[i], **fields)  # fmt: skip
    t.quote(overview, [meeting, venue.iri, host.venue.iri], "schema:startDate", "schema:endDate", "time:hasTime", "mdq:heldIn", "mdq:placeAsStated", "mdq:mainVenue", "mdq:facilityOf")  # fmt: skip
    t.add(" ")
    countries = lang.enumerate([c.thing.names[i] for c in m.countries])
    t.quote(ph["participants"].format(n=len(m.countries), countries=countries), [meeting], "mdq:participatingCountry", "mdq:hasParticipation", "mdq:numberOfCountries")  # fmt: skip
    where = continent(host.continent)
    if m.first_in_continent:
        t.add("\n")
        t.quote(ph["first"].format(continent=where.names[i], **fields), [meeting], "mdq:firstHeldIn")  # fmt: skip
    t.add(ph["h3"])
    outcomes: list[Block] = []
    for position, (topics, variant) in enumerate(m.outcomes, start=1):
        outcome = f"s:outcome/{m.slug}/{position}"
        names = [TOPICS[k][1 + i] or TOPICS[k][1] for k in topics]
        t.add("\n  • ")
        o_title = t.quote(lang.outcome_titles[variant].format(T=names[0].title() if i == 0 else names[0]), [outcome], "rdfs:label", "mdq:position", "mdq:outcomeOf")  # fmt: skip
        t.add("\n    ")
        statement = t.quote(lang.outcome_statements[variant].format(topics=lang.enumerate(names)), [outcome], "mdq:statement", "mdq:topic")  # fmt: skip
        outcomes.append((outcome, [
            ("rdf:type", "mdq:KeyOutcome"), ("rdfs:label", label(o_title)),
            ("mdq:position", xsd_lit(position, "integer")), ("mdq:outcomeOf", meeting),
            ("mdq:statement", label(statement)), *[("mdq:topic", f"s:topic/{TOPICS[k][0]}") for k in topics],
        ]))  # fmt: skip
    step = f"s:next-step/{m.slug}"
    groups = [GROUPS[g] for g in m.groups]
    t.add(ph["h4"])
    step_text = t.quote(ph["next_step"].format(groups=lang.enumerate([g[1 + i] or g[1] for g in groups]), **fields), [step, meeting], "mdq:statement", "mdq:actor", "mdq:collaborator", "mdq:nextStep")  # fmt: skip
    related: list[Block] = []
    events: list[str] = []
    if m.related and ph["related"]:
        t.add(ph["h5"])
        for kind, organiser, day in m.related:
            event = f"s:event/{m.slug}-{kind.split(':')[1].lower()}"
            events.append(event)
            noun = "symposium" if kind == "mdq:Symposium" else "meeting"
            t.add("\n")
            sentence = t.quote(ph["related"].format(day=lang.day(day), organiser=organiser.names[0], noun=noun, place=m.cities[0].names[0]), [event], "mdq:organiser", "schema:startDate", "schema:endDate", "mdq:heldIn", "mdq:placeAsStated")  # fmt: skip
            related += [(event, [
                ("rdf:type", kind), ("rdfs:label", en_lit(sentence)), ("mdq:organiser", organiser.iri),
                ("schema:startDate", xsd_lit(day, "date")), ("schema:endDate", xsd_lit(day, "date")),
                ("time:hasTime", f"s:time/{day}"), ("mdq:placeAsStated", en_lit(m.cities[0].names[0])),
                ("mdq:heldIn", m.cities[0].iri), ("mdq:relatedEvent", meeting),
                ("mdq:topic", f"s:topic/{TOPICS[m.topics[0]][0]}"),
            ]), organiser.block(i), _instant(day)]  # fmt: skip
    t.add(ph["h6"])
    t.quote(ph["contact"].format(team=team.names[i], phone=host.phone), [contact, team.iri, source], "schema:telephone", "mdq:unitOf", "mdq:contactPoint", "rdfs:label")  # fmt: skip
    t.add("\n")
    text = "".join(t.parts)

    file_name = f"synth-{m.slug}.{lang.tag}.txt"
    blocks: list[Block] = [
        source_graph(graph, source, f"Statements of the synthetic {('English', 'Japanese')[i]} release {rel}", f"合成{('英語', '日本語')[i]}報道発表 {rel} の記述", evidenced=True),
        (source, [
            ("rdf:type", "mdq:PressRelease"), ("rdfs:label", label(title)), ("dct:title", label(title)),
            *([("rdfs:label", en_lit(f"Japanese release on the {nth} {m.series.names[0]}"))] if i else []),
            ("schema:headline", label(title)), ("schema:datePublished", xsd_lit(m.published, "date")),
            ("schema:publisher", org.iri), ("mdq:publishingUnit", unit.iri), ("schema:inLanguage", Lit(lang.tag)),
            ("schema:url", f"https://releases.example.org/{m.series.slug}/{m.ordinal}/{lang.tag}.html"),
            ("schema:about", meeting), ("mdq:contactPoint", contact), ("dct:rights", f"{source}/rights"),
        ]),
        (f"{source}/rights", [
            ("rdf:type", "dct:RightsStatement"),
            ("rdfs:label", en_lit(f"Terms of use of the synthetic release {rel}: its publisher's, not stated")),
        ]),
        (text_iri, [
            ("rdf:type", "mdq:SourceText"), ("rdfs:label", en_lit(f"Plain text of the synthetic release {rel}")), ("rdfs:label", ja_lit(f"合成報道発表 {rel} のテキスト")),
            ("mdq:textOf", source), ("mdq:fileName", Lit(file_name)), ("dct:rights", f"{source}/rights"),
            ("schema:encodingFormat", Lit("text/plain")), ("mdq:partial", xsd_lit("false", "boolean")),
        ]),
        (series, [("rdf:type", "mdq:DialogueSeries"), ("rdfs:label", label(m.series.names[i])),
                  ("skos:altLabel", label(m.series.acronym)), ("mdq:hasMeeting", meeting)]),
        (meeting, [
            ("rdf:type", "mdq:Meeting"), ("rdfs:label", label(meeting_name)),
            ("skos:altLabel", label(ph["alt"].format(**fields))), ("mdq:meetingOf", series),
            ("mdq:ordinal", xsd_lit(m.ordinal, "integer")), ("mdq:organiser", org.iri),
            ("mdq:inCollaborationWith", "s:group/relevant-ministries-and-agencies"),
            ("mdq:inCollaborationWith", "s:group/research-institutions"), ("mdq:purpose", label(purpose)),
            *[("mdq:topic", f"s:topic/{TOPICS[k][0]}") for k in m.topics],
            ("schema:startDate", xsd_lit(m.start, "date")), ("schema:endDate", xsd_lit(m.end, "date")),
            ("time:hasTime", time_iri), ("mdq:placeAsStated", label(places)),
            *[("mdq:heldIn", c.iri) for c in cities], ("mdq:mainVenue", host.venue.iri),
            *([("mdq:firstHeldIn", where.iri)] if m.first_in_continent else []),
            *([("mdq:heldDuring", m.designation.iri)] if m.designation else []),
            ("mdq:numberOfCountries", xsd_lit(len(m.countries), "integer")),
            *[("mdq:participatingCountry", c.thing.iri) for c in m.countries],
            *[("mdq:hasParticipation", f"s:participation/{m.slug}/{c.code}") for c in m.countries],
            *[("mdq:hasOutcome", o) for o, _ in outcomes], ("mdq:nextStep", step),
            *[("mdq:relatedEvent", e) for e in events],
        ]),
        (time_iri, [("rdf:type", "time:ProperInterval"), ("time:hasBeginning", f"s:time/{m.start}"), ("time:hasEnd", f"s:time/{m.end}")]),
        _instant(m.start),
        _instant(m.end),
    ]  # fmt: skip
    for c in m.countries:
        blocks.append((f"s:participation/{m.slug}/{c.code}", [
            ("rdf:type", "mdq:Participation"),
            ("rdfs:label", label(ph["participation"].format(country=c.thing.names[i], meeting=meeting_name))),
            ("mdq:participant", c.thing.iri), ("mdq:participationIn", meeting),
            ("mdq:representedBy", "s:group/quantum-policy-representatives"),
        ]))  # fmt: skip
        blocks.append(c.thing.block(i))
    blocks += [x.block(i) for x in (org, unit, team, venue, host.venue, *cities)]
    if m.first_in_continent:
        blocks.append(where.block(i))
    if m.designation is not None:
        blocks.append(m.designation.block(i))
    blocks += outcomes
    blocks.append((step, [
        ("rdf:type", "mdq:NextStep"), ("rdfs:label", label(ph["next_label"].format(meeting=meeting_name))),
        ("mdq:actor", org.iri), ("mdq:statement", label(step_text)),
        *[("mdq:collaborator", f"s:group/{g[0]}") for g in groups], ("mdq:topic", "s:topic/international-collaboration"),
    ]))  # fmt: skip
    blocks += related
    blocks.append((contact, [
        ("rdf:type", "mdq:ContactPoint"), ("rdfs:label", label(team.names[i])), ("vcard:fn", Lit(team.names[0])),
        ("schema:telephone", Lit(host.phone)), ("vcard:hasTelephone", f"tel:{host.phone}"),
    ]))  # fmt: skip
    blocks.append((team.iri, [("schema:contactPoint", contact)]))
    blocks += _quotes(t, text, text_iri, rel)
    blocks += _evidence(blocks, t, text, lang.tag, rel)
    return graph, blocks, file_name, text


def _instant(day: date) -> Block:
    """An OWL-Time instant for a day."""
    return f"s:time/{day}", [("rdf:type", "time:Instant"), ("time:inXSDDate", xsd_lit(day, "date"))]


def _quotes(t: _Text, text: str, text_iri: str, release: str) -> list[Block]:
    """A quote with a text-quote and a text-position selector for each quoted sentence."""
    blocks: list[Block] = []
    for n, (start, end, describes, _properties) in enumerate(t.quotes, start=1):
        quote = f"s:quote/{release}/{n:02d}"
        exact: list[tuple[str, Term]] = [("rdf:type", "oa:TextQuoteSelector"), ("oa:exact", Lit(text[start:end]))]  # fmt: skip
        exact += [("oa:prefix", Lit(text[max(0, start - _CONTEXT) : start]))] if start else []
        exact += [("oa:suffix", Lit(text[end : end + _CONTEXT]))]
        blocks += [
            (quote, [
                ("rdf:type", "mdq:Quote"), ("oa:hasSource", text_iri),
                ("oa:hasSelector", f"{quote}/text-quote"), ("oa:hasSelector", f"{quote}/text-position"),
                *[("mdq:describes", d) for d in describes],
            ]),
            (f"{quote}/text-quote", exact),
            (f"{quote}/text-position", [
                ("rdf:type", "oa:TextPositionSelector"),
                ("oa:start", xsd_lit(start, "integer")), ("oa:end", xsd_lit(end, "integer")),
            ]),
        ]  # fmt: skip
    return blocks


#: Subjects of these types are the graph's own structure: their statements need no evidence.
_STRUCTURAL = {"mdq:SourceGraph", "mdq:SourceText", "mdq:Quote", "oa:TextQuoteSelector", "oa:TextPositionSelector", "dct:RightsStatement"}  # fmt: skip


def _evidence(blocks: list[Block], t: _Text, text: str, tag: str, release: str) -> list[Block]:
    """A statement node for every statement of the release, as the real releases have
    (docs/evidence.md): a quote of the release whose words state a literal, else an interpretation
    of the sentence about the subject (one per quote), which names its words and how it reads them."""
    quotes = [
        (f"s:quote/{release}/{n:02d}", text[start:end], describes)
        for n, (start, end, describes, _) in enumerate(t.quotes, start=1)
    ]
    structural = {
        s for s, pairs in blocks if any(p == "rdf:type" and o in _STRUCTURAL for p, o in pairs)
    }
    readings: dict[str, str] = {}
    statements: list[Block] = []
    seen: set[tuple[str, str, Term]] = set()
    for subject, pairs in blocks:
        if subject in structural:
            continue
        about = [q for q in quotes if subject in q[2]] or quotes[:1]
        for predicate, obj in pairs:
            if (subject, predicate, obj) in seen:
                continue
            seen.add((subject, predicate, obj))
            evidence = next(
                (
                    q
                    for q, words, _ in (*about, *quotes)
                    if isinstance(obj, Lit) and _states(words, tag, obj)
                ),
                None,
            )
            if evidence is None:
                quote = about[0][0]
                evidence = readings.setdefault(quote, f"{quote}/reading")
            statements.append((f"s:statement/{release}/{len(statements) + 1}", [
                ("rdf:type", "rdf:Statement"), ("rdf:subject", subject), ("rdf:predicate", predicate),
                ("rdf:object", obj), ("mdq:evidence", evidence),
            ]))  # fmt: skip
    words = {q: w for q, w, _ in quotes}
    interpretations: list[Block] = [
        (reading, [
            ("rdf:type", "mdq:Interpretation"), ("mdq:reads", quote),
            ("mdq:words", Lit(words[quote])),
            ("mdq:reading", en_lit("the sentence read as stating the facts of the resource it is about")),
        ])
        for quote, reading in readings.items()
    ]  # fmt: skip
    return interpretations + statements


def _states(words: str, tag: str, lit: Lit) -> bool:
    """Whether the quoted words state the literal, as `validate` reads them."""
    if lit.lang:
        value = ox.Literal(lit.value, language=lit.lang)
    else:
        datatype = lit.datatype.replace("xsd:", str(XSD)) or str(XSD) + "string"
        value = ox.Literal(lit.value, datatype=ox.NamedNode(datatype))
    return value_in_words(words, tag, value, ())
