"""HTTP content negotiation: Accept (RFC 9110 §12.5.1), Accept-Language (§12.5.4), file suffixes."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from mdq_graph.graph.rdf_formats import FORMATS, RdfFormat
from mdq_graph.query.results import RESULT_FORMATS

#: The media type of the HTML page a resource is also published as.
HTML_MEDIA_TYPE = "text/html"
HTML_SUFFIX = ".html"

#: Accepted types that SPARQL clients send for results, mapped to the results type to serve instead.
SPARQL_RESULTS_ALIASES: Mapping[str, str] = {
    "application/json": RESULT_FORMATS["json"].media_type,
    "application/xml": RESULT_FORMATS["xml"].media_type,
    "text/xml": RESULT_FORMATS["xml"].media_type,
}

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_QVALUE = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_LANGUAGE_RANGE = re.compile(r"\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_ESCAPE = re.compile(r"\\(.)")
# Parameter values compared case-insensitively (RFC 9110 §8.3.2: charset names are).
_CASELESS_PARAMS = frozenset({"charset"})
_SUFFIXES = {f.extension: f for f in FORMATS.values()}

Params = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header: `type/subtype`, its parameters (lower-case names) and q."""

    type: str
    subtype: str
    params: Params = ()
    q: float = 1.0

    @property
    def essence(self) -> str:
        """The range without parameters, e.g. `text/*`."""
        return f"{self.type}/{self.subtype}"

    @property
    def specificity(self) -> int:
        """0 for `*/*`, 1 for `type/*`, 2 for `type/subtype`, plus one per parameter."""
        return _wildcard_level(self) + len(self.params)


@dataclass(frozen=True)
class LanguageRange:
    """One element of an Accept-Language header: a lower-case language range (or `*`) and q."""

    range: str
    q: float = 1.0


@dataclass(frozen=True)
class SuffixSplit:
    """A resource path without its file suffix, and the representation the suffix asked for."""

    path: str
    format: RdfFormat | None = None
    html: bool = False

    @property
    def requested(self) -> bool:
        """Whether a suffix chose the representation (so the Accept header does not)."""
        return self.html or self.format is not None

    @property
    def media_type(self) -> str | None:
        """The media type the suffix asks for, or None without a suffix."""
        if self.html:
            return HTML_MEDIA_TYPE
        return self.format.media_type if self.format else None


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header, in header order, leaving out malformed elements."""
    ranges = []
    for value, params, q in _weighted_elements(header):
        essence = "*/*" if value == "*" else value.lower()  # a bare `*` is sent by old Java clients
        main, slash, sub = essence.partition("/")
        if not (slash and _TOKEN.fullmatch(main) and _TOKEN.fullmatch(sub)):
            continue
        if main == "*" and sub != "*":
            continue
        ranges.append(MediaRange(main, sub, params, q))
    return ranges


def parse_accept_language(header: str | None) -> list[LanguageRange]:
    """The ranges of an Accept-Language header, in header order, leaving out malformed ones."""
    return [
        LanguageRange(value.lower(), q)
        for value, _params, q in _weighted_elements(header)
        if _LANGUAGE_RANGE.fullmatch(value)
    ]


def choose_media_type(
    header: str | None,
    offered: Sequence[str],
    default: str | None = None,
    aliases: Mapping[str, str] | None = None,
) -> str | None:
    """The offered media type the Accept header prefers; None if it accepts none of them (406)."""
    # Clients send the same few headers again and again: the choice for a short one is remembered.
    alias_items = tuple(sorted(aliases.items())) if aliases else ()
    choose = _remembered_choice if header is None or len(header) <= 256 else _choose_media_type
    return choose(header, tuple(offered), default, alias_items)


def _choose_media_type(
    header: str | None,
    offered: tuple[str, ...],
    default: str | None,
    alias_items: tuple[tuple[str, str], ...],
) -> str | None:
    aliases = dict(alias_items)
    ranges = parse_accept(header)
    if not ranges:  # no header, or nothing usable in it: the client takes what it is given
        return default if default is not None else (offered[0] if offered else None)
    alias_of = {k.lower(): v.lower() for k, v in (aliases or {}).items()}
    best: tuple[float, int, int, int] | None = None
    choice = None
    for index, candidate in enumerate(offered):
        media = _parse_offered(candidate)
        found = _most_specific([(_match(r, media, alias_of), r.q) for r in ranges])
        if found is None:
            continue
        governing, q = found
        # Equal q goes to the type the client named (exact, then alias, then type/*), then ours.
        rank = (q, governing[0], governing[1], -index)
        if q > 0 and (best is None or rank > best):
            best, choice = rank, candidate
    return choice


_remembered_choice = functools.lru_cache(maxsize=512)(_choose_media_type)


def choose_language(header: str | None, available: Sequence[str], default: str = "en") -> str:
    """The available language the Accept-Language header prefers, else `default`."""
    ranges = parse_accept_language(header)
    best: tuple[float, int, int] | None = None
    choice = default
    for index, language in enumerate(available):
        found = _most_specific([(_language_match(r.range, language.lower()), r.q) for r in ranges])
        if found is None:
            continue
        governing, q = found
        # Equal q goes to a language the client named over one only `*` allows, then to ours.
        rank = (q, min(governing[0], 1), -index)
        if q > 0 and (best is None or rank > best):
            best, choice = rank, language
    return choice


def suffix_format(path: str) -> SuffixSplit:
    """Split a trailing RDF file suffix (`.ttl`, `.jsonld`, ...) or `.html` off a resource path."""
    head, slash, name = path.rpartition("/")
    stem, dot, extension = name.rpartition(".")
    if not (dot and stem):  # no suffix, or a name that is only a suffix (`/.ttl`)
        return SuffixSplit(path)
    suffix = f".{extension.lower()}"
    stripped = f"{head}{slash}{stem}"
    if suffix == HTML_SUFFIX:
        return SuffixSplit(stripped, html=True)
    rdf_format = _SUFFIXES.get(suffix)
    return SuffixSplit(stripped, rdf_format) if rdf_format else SuffixSplit(path)


def _most_specific(
    matches: Sequence[tuple[tuple[int, ...] | None, float]],
) -> tuple[tuple[int, ...], float] | None:
    """The closest fit among (fit, q) pairs and its q (the highest, if a range is repeated)."""
    fits = [(fit, q) for fit, q in matches if fit is not None]
    if not fits:
        return None
    closest = max(fit for fit, _q in fits)
    return closest, max(q for fit, q in fits if fit == closest)


def _weighted_elements(header: str | None) -> Iterator[tuple[str, Params, float]]:
    """Each `value;param=x;q=0.5` element of a header list, without those whose q is malformed."""
    for element in _split_unquoted(header or "", ","):
        value, *raw_params = _split_unquoted(element, ";")
        value = value.strip()
        if not value:
            continue
        params: list[tuple[str, str]] = []
        q: float | None = 1.0
        for raw in raw_params:
            name, equals, raw_value = raw.partition("=")
            name = name.strip().lower()
            if name == "q":
                q = _qvalue(raw_value) if equals else None
                break  # anything after the weight is an extension that we do not use
            param_value = _param_value(raw_value) if equals else None
            if _TOKEN.fullmatch(name) and param_value is not None:
                params.append((name, param_value))
        if q is not None:
            yield value, tuple(params), q


def _split_unquoted(text: str, separator: str) -> list[str]:
    """Split `text` at `separator`, except inside double-quoted strings."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _qvalue(text: str) -> float | None:
    """The weight in `q=<text>`, or None unless it is a number from 0 to 1."""
    text = text.strip()
    if not _QVALUE.fullmatch(text):
        return None
    q = float(text)
    return q if math.isfinite(q) and 0 <= q <= 1 else None


def _param_value(text: str) -> str | None:
    """A parameter value, token or quoted string (unescaped), or None if it is neither."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return _ESCAPE.sub(r"\1", text[1:-1])
    return text if _TOKEN.fullmatch(text) else None


def _parse_offered(media_type: str) -> MediaRange:
    """An offered media type, parsed like an Accept element; ValueError if it is not one."""
    parsed = parse_accept(media_type)
    if len(parsed) != 1 or "*" in (parsed[0].type, parsed[0].subtype):
        raise ValueError(f"offered media type {media_type!r} is not a single concrete type")
    return parsed[0]


def _wildcard_level(media_range: MediaRange) -> int:
    """0 for `*/*`, 1 for `type/*`, 2 for `type/subtype`."""
    if media_range.type == "*":
        return 0
    return 1 if media_range.subtype == "*" else 2


def _match(
    media_range: MediaRange, media: MediaRange, alias_of: Mapping[str, str]
) -> tuple[int, int, int, int] | None:
    """How closely a range fits an offered type, comparable with `max`; None if it does not fit.

    The key is (wildcard level, named directly rather than through an alias, parameters the
    offered type shares, minus parameters it lacks): RFC 9110's most specific range applies.
    """
    level = _wildcard_level(media_range)
    if level == 2 and media_range.essence != media.essence:
        if alias_of.get(media_range.essence) != media.essence:
            return None
        direct = 0
    elif level == 1 and media_range.type != media.type:
        return None
    else:
        direct = 1
    offered = dict(media.params)
    shared = 0
    for name, value in media_range.params:
        if name not in offered:
            continue
        if not _same_param(name, value, offered[name]):
            return None
        shared += 1
    return level, direct, shared, shared - len(media_range.params)


def _same_param(name: str, left: str, right: str) -> bool:
    """Whether two values of parameter `name` are equal."""
    return left.lower() == right.lower() if name in _CASELESS_PARAMS else left == right


def _language_match(language_range: str, tag: str) -> tuple[int, int] | None:
    """How closely a language range fits a tag, comparable with `max`; None if it does not fit.

    `ja` fits `ja-JP` (RFC 4647 basic filtering); `ja-JP` also falls back to `ja` (lookup), less
    closely; `*` fits anything, least closely.
    """
    if language_range == "*":
        return 0, 0
    if tag == language_range or tag.startswith(f"{language_range}-"):
        return 2, language_range.count("-")
    if language_range.startswith(f"{tag}-"):
        return 1, -language_range.count("-")
    return None
