"""The query workbench: what the browser's SPARQL editor knows about the MDQ model, and label search.

`workbench_model` gathers, from the served store and the bundled shapes, everything the editor
completes from and the result views draw with: our prefixes, the classes and properties (with their
English and Japanese labels), which properties the shapes (then the data) give a class of subject,
every resource's labels and alternative names, the coordinates of the places that have them (the
geography graph), and the curated queries as named templates. `serve` answers it at
`/workbench.json`, `publish` writes it as `workbench.json`; the same document is the index of the
label search, which `search` runs on the server and `static/workbench.js` in the browser, with the
same rules (`normalise`, `score`).

The editor and Oxigraph's WebAssembly build come from the npm registry (`package.json`); `npm run
build` copies them into `static/vendor/`, which the wheel carries. Without them the pages keep the
plain query form and say that the workbench is not built (`vendor_manifest` is None).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from mdq_graph.graph.engine import Engine
from mdq_graph.graph.rebase import rebase_iri
from mdq_graph.graph.resources import shapes_dir
from mdq_graph.query.curated import CuratedQuery
from mdq_graph.web.settings import ServerSettings
from mdq_graph.web.views import Labels

#: The copied npm packages (git-ignored; made by `npm run build`).
VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"
#: Where `serve` answers the model and the label search, and `publish` writes the model.
MODEL_PATH = "workbench.json"
SEARCH_PATH = "search"
#: The most hits a search returns, and the longest text it takes.
MAX_HITS = 50
MAX_QUERY = 200
#: The longest query the search also matches within an edit or two of a name (fuzzy).
MAX_FUZZY = 32

_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_SCHEMA = "https://schema.org/"
_SH = "http://www.w3.org/ns/shacl#"
#: Names (first) and alternative names of a resource, as the search indexes them.
NAME_PROPERTIES = (_RDFS + "label", _SKOS + "prefLabel", _SCHEMA + "name")
ALT_PROPERTIES = (_SKOS + "altLabel", _SCHEMA + "alternateName")
_POINT = re.compile(r"^\s*POINT\s*\(\s*(-?[0-9.]+)\s+(-?[0-9.]+)\s*\)\s*$", re.IGNORECASE)
_NUMBER = r"(-?[0-9.]+)"
_POLYGON_POINT = re.compile(_NUMBER + r"\s+" + _NUMBER)


def vendor_manifest() -> dict[str, Any] | None:
    """What `npm run build` copied (package versions and files), or None if it has not run."""
    manifest = VENDOR_DIR / "manifest.json"
    if not manifest.is_file():
        return None
    data: dict[str, Any] = json.loads(manifest.read_text(encoding="utf-8"))
    if not all((VENDOR_DIR / name).is_file() for name in data.get("files", {})):
        return None
    return data


def vendor_files() -> dict[str, bytes]:
    """The built vendor files by path under `static/` (empty if they are not built)."""
    manifest = vendor_manifest()
    if manifest is None:
        return {}
    names = ["manifest.json", "NOTICE.txt", *manifest["files"]]
    return {f"vendor/{n}": (VENDOR_DIR / n).read_bytes() for n in names}


@dataclass(frozen=True)
class Term:
    """A class or a property, with its labels."""

    iri: str
    labels: Labels


def workbench_model(
    engine: Engine,
    base: str,
    prefixes: Mapping[str, str],
    queries: Sequence[CuratedQuery],
    labels: Any,
) -> dict[str, Any]:
    """The document the workbench loads (see the module's description); `labels(iri)` gives the
    labels of a term (the describer's, which knows the standard terms too)."""
    store = engine.store
    classes = _column(store, "SELECT DISTINCT ?t WHERE { { ?t a owl:Class } UNION { ?x a ?t } }")
    properties = _column(
        store,
        "SELECT DISTINCT ?t WHERE { { ?t a owl:ObjectProperty } UNION { ?t a owl:DatatypeProperty }"
        " UNION { ?t a owl:AnnotationProperty } UNION { ?x ?t ?y } }",
    )
    shaped = _shape_properties(base)
    used = _pairs(store, "SELECT DISTINCT ?c ?p WHERE { ?s a ?c ; ?p ?o FILTER(isIRI(?c)) }")
    by_class: dict[str, list[str]] = {}
    for cls, prop in [*shaped, *used]:
        listed = by_class.setdefault(cls, [])
        if prop not in listed:
            listed.append(prop)
    return {
        "version": 1,
        "base": base,
        "prefixes": dict(prefixes),
        "classes": [_term(iri, labels(iri)) for iri in sorted(classes)],
        "properties": [_term(iri, labels(iri)) for iri in sorted(properties)],
        "classProperties": {c: by_class[c] for c in sorted(by_class)},
        "resources": _resources(store, base),
        "places": _places(store),
        "queries": [
            {"name": q.name, "title": q.title, "question": q.question, "text": q.text}
            for q in queries
        ],
    }


def _term(iri: str, labels: Labels) -> dict[str, Any]:
    return {"iri": iri, "labels": dict(labels)}


def _solutions(store: ox.Store, query: str) -> ox.QuerySolutions:
    """The solutions of a SELECT query of ours."""
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    return result


def _column(store: ox.Store, query: str) -> set[str]:
    prefixed = "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n" + query
    return {row[0].value for row in _solutions(store, prefixed) if isinstance(row[0], ox.NamedNode)}


def _pairs(store: ox.Store, query: str) -> list[tuple[str, str]]:
    out = []
    for row in _solutions(store, query):
        first, second = row[0], row[1]
        if isinstance(first, ox.NamedNode) and isinstance(second, ox.NamedNode):
            out.append((first.value, second.value))
    return sorted(out)


def _shape_properties(base: str) -> list[tuple[str, str]]:
    """(class, property) for every property shape of a shape that targets a class."""
    shapes = ox.Store()
    for path in sorted(shapes_dir().glob("*.ttl")):
        shapes.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    pairs = _pairs(
        shapes,
        f"SELECT DISTINCT ?c ?p WHERE {{ ?shape <{_SH}targetClass> ?c ; <{_SH}property> ?ps . "
        f"?ps <{_SH}path> ?p }}",
    )
    return [(rebase_iri(c, base), rebase_iri(p, base)) for c, p in pairs]


def _resources(store: ox.Store, base: str) -> list[dict[str, Any]]:
    """Every IRI with a name: its names and alternative names by language."""
    names: dict[str, dict[str, list[list[str]]]] = {}
    kinds = dict.fromkeys(NAME_PROPERTIES, "name") | dict.fromkeys(ALT_PROPERTIES, "alt")
    values = " ".join(f"<{p}>" for p in kinds)
    query = f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o FILTER(isIRI(?s)) }}"
    for s, p, o in _solutions(store, query):
        if not isinstance(o, ox.Literal):
            continue
        entry = names.setdefault(s.value, {"name": [], "alt": []})
        pair = [o.language or "", o.value]
        if pair not in entry[kinds[p.value]]:
            entry[kinds[p.value]].append(pair)
    out = []
    for iri in sorted(names):
        entry = names[iri]
        alt = [pair for pair in sorted(entry["alt"]) if pair not in entry["name"]]
        out.append({"iri": iri, "names": sorted(entry["name"]), "alt": alt})
    return out


def _places(store: ox.Store) -> dict[str, dict[str, list[float]]]:
    """The centroid (longitude, latitude) and bounding box of every resource that has them."""
    dcat = "http://www.w3.org/ns/dcat#"
    places: dict[str, dict[str, list[float]]] = {}
    query = (
        f"SELECT ?s ?c ?b WHERE {{ ?s <{dcat}centroid> ?c OPTIONAL {{ ?s <{dcat}bbox> ?b }} "
        "FILTER(isIRI(?s)) } ORDER BY ?s ?c ?b"
    )
    for s, centroid, bbox in _solutions(store, query):
        point = _POINT.match(centroid.value)
        if not point:
            continue
        place: dict[str, list[float]] = {"point": [float(point[1]), float(point[2])]}
        if bbox is not None:
            corners = [(float(x), float(y)) for x, y in _POLYGON_POINT.findall(bbox.value)]
            if corners:
                xs, ys = [c[0] for c in corners], [c[1] for c in corners]
                place["bbox"] = [min(xs), min(ys), max(xs), max(ys)]
        places[s.value] = place
    return places


# --- label search ---------------------------------------------------------------------------------

_KATAKANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


def normalise(text: str) -> str:
    """The form both sides of a search are compared in: NFKC (full-width Latin and half-width
    kana become ordinary), case-folded, katakana as hiragana, runs of space as one."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_KATAKANA)
    return " ".join(folded.split())


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of `a` and `b`, or `limit + 1` once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def score(query: str, name: str) -> int:
    """How well the normalised `name` matches the normalised `query`: 100 the same, 90 it starts
    with it, 80 a word does, 70 it holds it, 60/50 within one/two edits of the query (of its
    start, or of a word: fuzzy, for a query of 4 to `MAX_FUZZY` characters), 0 no match."""
    if not query or not name:
        return 0
    if name == query:
        return 100
    if name.startswith(query):
        return 90
    words = re.split(r"[\s\-/,.()・]+", name)
    if any(w.startswith(query) for w in words if w):
        return 80
    if query in name:
        return 70
    if not 4 <= len(query) <= MAX_FUZZY:
        return 0
    limit = 1 if len(query) < 8 else 2
    candidates = [name, name[: len(query)], *words, *(w[: len(query)] for w in words)]
    best = min(_distance(query, c, limit) for c in candidates if c)
    return 60 - 10 * (best - 1) if best <= limit else 0


@dataclass(frozen=True)
class Hit:
    """A search hit: the resource, its label in the asked language, the name that matched."""

    iri: str
    label: str
    matched: str
    score: int


class SearchIndex:
    """The names of a model's resources, normalised once, for many searches."""

    def __init__(self, model: Mapping[str, Any]) -> None:
        self.base: str = model["base"]
        self.entries = [
            (
                resource["iri"],
                resource["names"],
                [(name, normalise(name)) for _, name in [*resource["names"], *resource["alt"]]],
            )
            for resource in model["resources"]
        ]

    def search(self, text: str, lang: str, limit: int = 10) -> list[Hit]:
        """The resources whose names or alternative names best match `text` (see `score`): best
        first, then ours (under the base) before others', then the shorter name, then by IRI."""
        query = normalise(text[:MAX_QUERY])
        if not query:
            return []
        hits = []
        for iri, names, normalised in self.entries:
            best: tuple[int, str] = (0, "")
            for name, folded in normalised:
                value = score(query, folded)
                if value > best[0] or (value == best[0] and value and len(name) < len(best[1])):
                    best = (value, name)
            if best[0]:
                label = display_label(names, lang) or best[1]
                hits.append(Hit(iri, label, best[1], best[0]))
        base = self.base
        hits.sort(key=lambda h: (-h.score, not h.iri.startswith(base), len(h.matched), h.iri))
        return hits[: max(0, min(limit, MAX_HITS))]


def search(model: Mapping[str, Any], text: str, lang: str, limit: int = 10) -> list[Hit]:
    """`SearchIndex(model).search(text, lang, limit)`, for one search."""
    return SearchIndex(model).search(text, lang, limit)


def display_label(names: Iterable[Sequence[str]], lang: str) -> str | None:
    """The first name in `lang`, else in English, else any."""
    pairs = list(names)
    for wanted in (lang, "en", ""):
        for language, text in pairs:
            if language == wanted:
                return text
    return pairs[0][1] if pairs else None


# --- the page -------------------------------------------------------------------------------------

#: Seconds a query may run in the static site's engine (in the browser) before the workbench stops
#: it: the server's own default time limit.
BROWSER_TIME_LIMIT = ServerSettings().timeout

#: The workbench's words, in the page languages (the script reads them from the page).
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "heading": "SPARQL workbench",
        "loading": "Loading the workbench…",
        "not_built": "The workbench (an editor that completes the MDQ model's terms and names, with charts, a map and a timeline of the results) is not built in this installation: install it from a checkout with `npm ci && npm run build` before `pip install .`. The plain form below works without it.",
        "static_fallback": "This site is static. With JavaScript and WebAssembly, the workbench runs any SPARQL query in your browser; without them, the curated queries and the answers they gave when the site was built are on the queries page.",
        "templates": "Curated query",
        "choose": "(choose one)",
        "run": "Run",
        "share": "Link to this query",
        "shared": "The link to this query is in the address bar (and copied).",
        "hint": "Ctrl-Space completes classes, properties and names (English or Japanese); Ctrl-Enter runs.",
        "running": "Running…",
        "done": "Done in {seconds} s.",
        "rows": "{count} rows in {seconds} s.",
        "stopped": "Stopped after {seconds} s: the query ran longer than the workbench allows a query in the browser.",
        "table": "Table",
        "chart": "Chart",
        "map": "Map",
        "map_note": "Centroids and bounding boxes of the places in the result (the geography graph; generalised, for orientation).",
        "timeline": "Timeline",
        "count": "rows",
        "evidence": "Evidence",
        "show_evidence": "Sentence",
        "source": "Source",
        "download": "Download",
        "search": "Search names",
        "search_placeholder": "Japan, 日本, Tsukuba…",
    },
    "ja": {
        "heading": "SPARQLワークベンチ",
        "loading": "ワークベンチを読み込んでいます…",
        "not_built": "このインストールにはワークベンチ(MDQモデルの用語と名前を補完するエディタ、結果のグラフ・地図・年表)が組み込まれていません。チェックアウトから `npm ci && npm run build` を実行してから `pip install .` してください。下の簡易フォームはそのまま使えます。",
        "static_fallback": "このサイトは静的サイトです。JavaScriptとWebAssemblyが使えれば、ワークベンチがブラウザ内で任意のSPARQLクエリを実行します。使えない場合は、クエリのページにサイト作成時の回答があります。",
        "templates": "定型クエリ",
        "choose": "(選択)",
        "run": "実行",
        "share": "このクエリへのリンク",
        "shared": "このクエリへのリンクをアドレス欄に表示しました(コピー済み)。",
        "hint": "Ctrl-Spaceでクラス・プロパティ・名前(英語・日本語)を補完、Ctrl-Enterで実行します。",
        "running": "実行中…",
        "done": "{seconds}秒で完了。",
        "rows": "{count}行({seconds}秒)。",
        "stopped": "{seconds}秒で停止しました。ブラウザ内のクエリに許される時間を超えました。",
        "table": "表",
        "chart": "グラフ",
        "map": "地図",
        "map_note": "結果に含まれる場所の重心と範囲(geographyグラフ。概略です)。",
        "timeline": "年表",
        "count": "行数",
        "evidence": "根拠",
        "show_evidence": "文",
        "source": "出典",
        "download": "ダウンロード",
        "search": "名前を検索",
        "search_placeholder": "日本、Japan、つくば…",
    },
}


def page_settings(
    *,
    mode: str,
    base: str,
    root: str,
    model: str,
    endpoint: str = "",
    search: str = "",
    data: str = "",
    lang: str,
    explicit_lang: str | None = None,
    time_limit: float = BROWSER_TIME_LIMIT,
) -> dict[str, Any]:
    """What the query page needs to show the workbench (or to say why it cannot). `time_limit`:
    the seconds a query may run in the browser (the static site's engine) before it is stopped."""
    words = TEXT.get(lang, TEXT["en"])
    return {
        "built": vendor_manifest() is not None,
        "mode": mode,
        "text": words,
        "text_json": json.dumps(words, ensure_ascii=False),
        "data": {
            "mode": mode,
            "base": base,
            "root": root,
            "model": model,
            "endpoint": endpoint,
            "search": search,
            "data": data,
            "lang": lang,
            "explicit-lang": explicit_lang or "",
            "time-limit": f"{time_limit:g}",
        },
    }


def search_document(hits: Sequence[Hit], query: str, hrefs: Mapping[str, str]) -> bytes:
    """The label search's answer as JSON: the query and the hits with the href of their pages."""
    document = {
        "query": query,
        "hits": [
            {
                "iri": h.iri,
                "label": h.label,
                "matched": h.matched,
                "score": h.score,
                "href": hrefs.get(h.iri, h.iri),
            }
            for h in hits
        ],
    }
    return json.dumps(document, ensure_ascii=False).encode("utf-8")
