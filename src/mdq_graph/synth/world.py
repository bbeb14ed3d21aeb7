"""The world a synthetic corpus describes: countries, organisations, places, topics and groups.

Terms are written as CURIEs ("mdq:Meeting", "s:meeting/ldq1-7") or full IRIs, so that the graphs read
like the Turtle they become; `CURIE_PREFIXES` expands them.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from mdq_graph.graph.namespaces import GRAPH, ID, PREFIXES

#: Where the synthetic resources and graphs live (never the real data's IRIs).
SYNTH_ID = str(ID["synth/"])
SYNTH_GRAPH = str(GRAPH["synth/"])
CURIE_PREFIXES = {
    **{prefix: str(ns) for prefix, ns in PREFIXES.items()},
    "s": SYNTH_ID,  # synthetic things: s:meeting/ldq1-7
    "sg": SYNTH_GRAPH,  # synthetic graphs: sg:release-ldq1-7-en
    "eucountry": "http://publications.europa.eu/resource/authority/country/",
}


class Lit(NamedTuple):
    """A literal: its lexical form and a language tag or a datatype CURIE (neither: xsd:string)."""

    value: str
    lang: str = ""
    datatype: str = ""


#: An object: a CURIE ("mdq:Meeting", "s:meeting/x"), a full IRI ("https://…", "tel:…"), or a Lit.
Term = str | Lit
#: A subject (CURIE or IRI) and its (predicate CURIE, object) pairs.
Block = tuple[str, list[tuple[str, Term]]]


def en_lit(text: str) -> Lit:
    """An English literal."""
    return Lit(text, "en")


def ja_lit(text: str) -> Lit:
    """A Japanese literal."""
    return Lit(text, "ja")


def xsd_lit(value: object, datatype: str) -> Lit:
    """A literal of an XML Schema datatype, e.g. xsd_lit(7, "integer")."""
    return Lit(str(value), datatype=f"xsd:{datatype}")


# --- The world: names, countries, organisations, places, topics -----------------------------------

_SYLLABLES = [
    ("ka", "カ"), ("ri", "リ"), ("to", "ト"), ("na", "ナ"), ("so", "ソ"), ("mi", "ミ"), ("ra", "ラ"),
    ("ve", "ヴェ"), ("lo", "ロ"), ("ne", "ネ"), ("sa", "サ"), ("ta", "タ"), ("ko", "コ"), ("ru", "ル"),
    ("me", "メ"), ("ni", "ニ"), ("da", "ダ"), ("ho", "ホ"), ("ki", "キ"), ("po", "ポ"), ("bu", "ブ"),
    ("te", "テ"), ("mo", "モ"), ("si", "シ"), ("ga", "ガ"), ("fe", "フェ"), ("lu", "ル"), ("wa", "ワ"),
]  # fmt: skip
_ENDINGS = [
    ("ria", "リア"),
    ("land", "ランド"),
    ("nia", "ニア"),
    ("stan", "スタン"),
    ("va", "ヴァ"),
]
CONTINENTS = [
    ("asia", "Asia", "アジア"), ("europe", "Europe", "ヨーロッパ"), ("africa", "Africa", "アフリカ"),
    ("north-america", "North America", "北アメリカ"), ("south-america", "South America", "南アメリカ"),
    ("oceania", "Oceania", "オセアニア"),
]  # fmt: skip
#: (slug, English, Japanese or "" where a release would not give one), as in data/vocabulary.trig.
TOPICS = [
    ("international-collaboration", "international collaboration", "国際連携"),
    ("national-strategies-and-policies", "national strategies and policies", "各国の戦略・政策"),
    ("workforce-skills-development", "workforce/skills development", "人材育成"),
    ("standardization", "standardization", "標準化"),
    ("infrastructure-information", "infrastructure information", ""),
    ("use-case-development", "use case development", ""),
    ("social-implementation", "social implementation of quantum technology", "量子技術の社会実装"),
    ("industrialization", "industrialization of quantum technology", "産業化"),
    ("business-opportunities", "business opportunities", ""),
    ("quantum-ecosystem", "quantum ecosystem", "量子エコシステム"),
    ("policy-discussion", "policy discussions", "政策議論"),
    ("quantum-computing", "quantum computing", "量子コンピュータ"),
    ("quantum-communication", "quantum communication", "量子通信"),
    ("quantum-sensing", "quantum sensing", "量子センシング"),
    ("post-quantum-cryptography", "post-quantum cryptography", "耐量子計算機暗号"),
    ("research-security", "research security", "研究セキュリティ"),
    ("supply-chains", "supply chains", "サプライチェーン"),
    ("testbeds", "shared testbeds", "テストベッド"),
    ("intellectual-property", "intellectual property", "知的財産"),
    ("quantum-networks", "quantum networks", "量子ネットワーク"),
    ("materials", "quantum materials", "量子マテリアル"),
    ("public-engagement", "public engagement", ""),
]
GROUPS = [
    ("quantum-policy-representatives", "quantum policy representatives", "量子政策関係者"),
    ("relevant-ministries-and-agencies", "relevant ministries and agencies", "関連省庁"),
    ("research-institutions", "research institutions", "研究機関"),
    ("government-officials", "government officials", ""),
    ("industry", "industry", "産業界"),
    ("academia", "academia", "学術界"),
    ("like-minded-governments", "like-minded governments", ""),
    ("start-ups", "start-ups", ""),
]


def continent(index: int) -> Thing:
    """One of the six continents."""
    slug, en, ja = CONTINENTS[index]
    return Thing(f"s:place/{slug}", "mdq:Place schema:Continent", (en, ja))


def slugify(text: str) -> str:
    """A lower-case IRI path segment."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Names:
    """Unique pronounceable names with a katakana reading, drawn from the seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[str] = set()

    def __call__(self, syllables: int, ending: bool = False) -> tuple[str, str]:
        """A new (roman, katakana) name."""
        while True:
            parts = [self.rng.choice(_SYLLABLES) for _ in range(syllables)]
            parts += [self.rng.choice(_ENDINGS)] if ending else []
            roman = "".join(p[0] for p in parts).capitalize()
            if roman not in self.seen:
                self.seen.add(roman)
                return roman, "".join(p[1] for p in parts)


#: What a release states about a thing besides its type, label and parent (the rest is reference).
_STATED_IN_RELEASES = {"mdq:governmentOf", "mdq:designatedBy", "mdq:designatedYear"}


@dataclass
class Thing:
    """A resource with an English and a Japanese name, a class, and its reference statements."""

    iri: str
    kind: str
    names: tuple[str, str]
    parent: tuple[str, str] | None = None  # (property, parent IRI)
    extra: list[tuple[str, Term]] = field(default_factory=list)  # identifiers, homepages, ...

    def block(self, lang: int | None, *, full: bool = False) -> Block:
        """How a release in language 0 (en) or 1 (ja) states it, or the reference does (`full`)."""
        kinds = self.kind.split()
        pairs: list[tuple[str, Term]] = [("rdf:type", k) for k in kinds]
        pairs += [
            ("rdfs:label", Lit(self.names[i], ("en", "ja")[i]))
            for i in (0, 1)
            if (full or i == lang) and self.names[i]  # "": no name in that language
        ]
        pairs += [self.parent] if self.parent else []
        pairs += [(p, o) for p, o in self.extra if full or p in _STATED_IN_RELEASES]
        return self.iri, pairs


@dataclass
class Country:
    """A country, its government, science ministry and research institute, and its cities."""

    thing: Thing
    code: str
    continent: int
    government: Thing
    ministry: Thing
    secretariat: Thing
    team: Thing
    centre: Thing
    venue: Thing
    cities: list[Thing]
    phone: str
    reference: list[Block]  # everything the reference graph says about the country


def _ror_id(rng: random.Random) -> str:
    """The eight characters of a ROR identifier after its leading 0 (its alphabet; made-up check)."""
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    return "".join(rng.choice(alphabet) for _ in range(6)) + f"{rng.randrange(100):02d}"


def _codes(rng: random.Random, count: int, length: int) -> list[str]:
    """`count` distinct upper-case codes of `length` letters, in a seeded order."""
    codes: dict[str, None] = {}  # a dict keeps the order the codes were drawn in
    while len(codes) < count:
        codes["".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(length))] = None
    return list(codes)


def _country(rng: random.Random, names: Names, alpha2: str, alpha3: str, qid: int) -> Country:
    """A country with its organisations (parents stated as the real data does) and places."""
    en, ja = names(2, ending=True)
    c = alpha2.lower()
    country = Thing(f"s:country/{c}", "mdq:Country", (en, ja))
    country.extra = [
        ("mdq:isoAlpha2", Lit(alpha2)),
        ("mdq:isoAlpha3", Lit(alpha3)),
        ("mdq:wikidata", f"wd:Q{qid}"),
        ("mdq:geonames", f"https://sws.geonames.org/{rng.randrange(100_000, 9_999_999)}/"),
        ("mdq:euCountry", f"eucountry:{alpha3}"),
        ("mdq:openDataPortal", f"s:portal/{c}"),
    ]
    host = f"data.{c}.example.org"
    portal = Thing(f"s:portal/{c}", "dcat:Catalog", (host, ""))
    portal.extra = [
        ("dct:title", en_lit(host)),
        ("foaf:homepage", f"https://{host}/"),
        ("dct:spatial", country.iri),
        ("dct:spatial", f"eucountry:{alpha3}"),
    ]
    of = ("mdq:governmentOf", country.iri)
    gov = Thing(f"s:org/government-of-{c}", "mdq:GovernmentBody", (f"Government of {en}", f"{ja}政府"), extra=[of])  # fmt: skip
    ministry = Thing(
        f"s:org/{c}-ministry-of-science",
        "mdq:GovernmentBody",
        (f"Ministry of Science and Technology of {en}", f"{ja}科学技術省"),
        ("mdq:parentOrganisation", gov.iri),
        [of, ("foaf:homepage", f"https://science.{c}.example.org/")],
    )
    secretariat = Thing(
        f"s:org/{c}-quantum-secretariat",
        "mdq:GovernmentUnit",
        (f"Secretariat for Quantum Strategy of {en}", f"{ja}量子戦略推進事務局"),
        ("mdq:unitOf", ministry.iri),
    )
    team = Thing(
        f"s:org/{c}-quantum-policy-team",
        "mdq:GovernmentUnit",
        (f"Quantum Policy Team of {en}", f"{ja}量子政策チーム"),
        ("mdq:unitOf", secretariat.iri),
    )
    i_en, i_ja = names(2)
    institute = Thing(
        f"s:org/{c}-{slugify(i_en)}-institute",
        "mdq:ResearchInstitute",
        (f"{i_en} Institute for Quantum Science", f"{i_ja}量子科学研究所"),
        extra=[
            ("mdq:ror", f"https://ror.org/0{_ror_id(rng)}"),
            ("foaf:homepage", f"https://{slugify(i_en)}.example.org/"),
        ],
    )
    centre = Thing(
        f"s:org/{c}-{slugify(i_en)}-quantum-centre",
        "mdq:ResearchCentre",
        (f"{i_en} Centre for Quantum Computing", f"{i_ja}量子コンピューティングセンター"),
        ("mdq:unitOf", institute.iri),
    )
    venue = Thing(
        f"s:venue/{c}-{slugify(i_en)}", "mdq:Venue", centre.names, ("mdq:facilityOf", centre.iri)
    )
    r_en, r_ja = names(3)
    region = Thing(f"s:place/{c}-{slugify(r_en)}", "mdq:Place schema:AdministrativeArea", (f"{r_en} Province", f"{r_ja}州"))  # fmt: skip
    cities = []
    for _ in range(rng.randint(2, 3)):
        city_en, city_ja = names(rng.randint(2, 3))
        cities.append(
            Thing(
                f"s:place/{c}-{slugify(city_en)}",
                "mdq:Place schema:City",
                (city_en, f"{city_ja}市"),
                ("mdq:withinPlace", region.iri),
            )
        )
    phone = f"+{rng.randint(1, 99)}-{rng.randint(1, 9)}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"  # fmt: skip
    things = [
        country,
        portal,
        gov,
        ministry,
        secretariat,
        team,
        institute,
        centre,
        venue,
        region,
        *cities,
    ]
    return Country(
        thing=country,
        code=c,
        continent=rng.randrange(len(CONTINENTS)),
        government=gov,
        ministry=ministry,
        secretariat=secretariat,
        team=team,
        centre=centre,
        venue=venue,
        cities=cities,
        phone=phone,
        reference=[t.block(None, full=True) for t in things],
    )


def source_graph(graph: str, source: str, en: str, ja: str, *, evidenced: bool = False) -> Block:
    """What every named graph says about itself: its labels and where it comes from (and, for a
    release, that each of its statements has its evidence)."""
    return graph, [
        ("rdf:type", "mdq:SourceGraph"),
        *([("rdf:type", "mdq:EvidencedGraph")] if evidenced else []),
        ("rdfs:label", en_lit(en)),
        ("rdfs:label", ja_lit(ja)),
        ("prov:wasDerivedFrom", source),
        ("dct:source", source),
        ("prov:wasAttributedTo", "id:org/mdq-graph-project"),
        ("dct:license", "https://creativecommons.org/licenses/by/4.0/"),
    ]


def vocabulary_graph() -> list[Block]:
    """The topic and stakeholder-group concept schemes."""
    blocks = [source_graph("sg:vocabulary", "s:source/reference-identifiers", "Synthetic topics and groups", "合成トピックと関係者区分")]  # fmt: skip
    for scheme, items, kind in (("topics", TOPICS, "Topic"), ("groups", GROUPS, "StakeholderGroup")):  # fmt: skip
        blocks.append(
            (
                f"s:{scheme}",
                [
                    ("rdf:type", "skos:ConceptScheme"),
                    ("rdf:type", "schema:DefinedTermSet"),
                    ("skos:prefLabel", en_lit(f"Synthetic MDQ {scheme}")),
                    ("dct:creator", "id:org/mdq-graph-project"),
                ],
            )
        )
        for slug, en, ja in items:
            pairs: list[tuple[str, Term]] = [
                ("rdf:type", f"mdq:{kind}"),
                ("skos:prefLabel", en_lit(en)),
            ]
            pairs += [("skos:prefLabel", ja_lit(ja))] if ja else []
            pairs += [("skos:inScheme", f"s:{scheme}"), ("skos:topConceptOf", f"s:{scheme}")]
            blocks.append((f"s:{scheme[:-1]}/{slug}", pairs))
    return blocks


@dataclass
class World:
    """Everything the meetings refer to, and the reference graph that identifies it."""

    countries: list[Country]
    alliances: list[Thing]
    designations: list[Thing]
    reference: list[Block]


def build_world(rng: random.Random, names: Names, country_count: int) -> World:
    """Countries, intergovernmental organisations, industry alliances and year designations."""
    alpha2, alpha3 = _codes(rng, country_count, 2), _codes(rng, country_count, 3)
    qids = rng.sample(range(1000, 9_000_000), country_count + 3)
    countries = [_country(rng, names, alpha2[k], alpha3[k], qids[k]) for k in range(country_count)]
    igos, alliances, designations = [], [], []
    for k in range(3):
        en, ja = names(2)
        igos.append(Thing(f"s:org/{slugify(en)}-union", "mdq:IntergovernmentalOrganisation", (f"{en} Union", f"{ja}連合"), extra=[("mdq:wikidata", f"wd:Q{qids[country_count + k]}")]))  # fmt: skip
        en, ja = names(2)
        alliances.append(Thing(f"s:org/{slugify(en)}-quantum-alliance", "mdq:IndustryAlliance", (f"{en} Quantum Industry Alliance", f"{ja}量子産業協議会")))  # fmt: skip
        en, ja = names(2)
        designations.append(Thing(f"s:designation/{slugify(en)}-year", "mdq:YearDesignation", (f"International Year of {en} Quantum Science", f"国際{ja}量子科学年"), extra=[("mdq:designatedBy", igos[k].iri), ("mdq:designatedYear", xsd_lit(2010 + 5 * k, "gYear"))]))  # fmt: skip
    source = "s:source/reference-identifiers"
    reference: list[Block] = [
        source_graph("sg:reference", source, "Synthetic reference identifiers", "合成参照識別子"),
        (source, [("rdf:type", "mdq:ReferenceTable"), ("rdfs:label", en_lit("Synthetic table of external identifiers")), ("dct:title", en_lit("Synthetic table of external identifiers")),
                  ("schema:inLanguage", Lit("en")), ("schema:publisher", "id:org/mdq-graph-project"),
                  ("mdq:termsOfUse", en_lit("Compiled by the mdq-graph project; CC BY 4.0."))]),
        *[continent(k).block(None, full=True) for k in range(len(CONTINENTS))],
        *[block for c in countries for block in c.reference],
        *[thing.block(None, full=True) for thing in igos + alliances + designations],
    ]  # fmt: skip
    return World(countries, alliances, designations, reference)
