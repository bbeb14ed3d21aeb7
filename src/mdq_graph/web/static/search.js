// Label search over the workbench model (workbench.json): the rules of mdq_graph/web/workbench.py
// (`normalise`, `score`, `search`), so that a static site finds what the server's /search finds.
// An ES module with no dependencies; tests run it with node and compare it with the Python.

const SEPARATORS = /[\s\-/,.()・]+/;
const MAX_QUERY = 200;
const MAX_HITS = 50;
const MAX_FUZZY = 32;

/** NFKC, lower case, katakana as hiragana, runs of space as one. */
export function normalise(text) {
  let folded = text.normalize("NFKC").toLowerCase();
  folded = folded.replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
  return folded.split(/\s+/).filter(Boolean).join(" ");
}

function distance(a, b, limit) {
  const x = Array.from(a);
  const y = Array.from(b);
  if (Math.abs(x.length - y.length) > limit) {
    return limit + 1;
  }
  let previous = y.map((_, j) => j);
  previous.push(y.length);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current.push(
        Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1))
      );
    }
    if (Math.min(...current) > limit) {
      return limit + 1;
    }
    previous = current;
  }
  return previous[previous.length - 1];
}

/** 100 the same, 90 starts with, 80 a word starts with, 70 holds, 60/50 fuzzy, 0 no match. */
export function score(query, name) {
  if (!query || !name) {
    return 0;
  }
  if (name === query) {
    return 100;
  }
  if (name.startsWith(query)) {
    return 90;
  }
  const words = name.split(SEPARATORS).filter(Boolean);
  if (words.some((w) => w.startsWith(query))) {
    return 80;
  }
  if (name.includes(query)) {
    return 70;
  }
  const length = Array.from(query).length;
  if (length < 4 || length > MAX_FUZZY) {
    return 0;
  }
  const limit = length < 8 ? 1 : 2;
  const start = (s) => Array.from(s).slice(0, length).join("");
  const candidates = [name, start(name), ...words, ...words.map(start)].filter(Boolean);
  const best = Math.min(...candidates.map((c) => distance(query, c, limit)));
  return best <= limit ? 60 - 10 * (best - 1) : 0;
}

/** The first name in `lang`, else English, else without a language, else any. */
export function displayLabel(names, lang) {
  for (const wanted of [lang, "en", ""]) {
    const found = names.find((pair) => pair[0] === wanted);
    if (found) {
      return found[1];
    }
  }
  return names.length ? names[0][1] : null;
}

/** The resources of `model` whose names best match `text`, best first (see workbench.py). */
export function search(model, text, lang, limit = 10) {
  const query = normalise(text.slice(0, MAX_QUERY));
  if (!query) {
    return [];
  }
  const hits = [];
  for (const resource of model.resources) {
    let best = [0, ""];
    for (const [, name] of [...resource.names, ...resource.alt]) {
      const value = score(query, normalise(name));
      if (value > best[0] || (value === best[0] && value && name.length < best[1].length)) {
        best = [value, name];
      }
    }
    if (best[0]) {
      const label = displayLabel(resource.names, lang) || best[1];
      hits.push({ iri: resource.iri, label, matched: best[1], score: best[0] });
    }
  }
  const base = model.base;
  const compare = (a, b) =>
    b.score - a.score ||
    Number(!a.iri.startsWith(base)) - Number(!b.iri.startsWith(base)) ||
    a.matched.length - b.matched.length ||
    (a.iri < b.iri ? -1 : a.iri > b.iri ? 1 : 0);
  hits.sort(compare);
  return hits.slice(0, Math.max(0, Math.min(limit, MAX_HITS)));
}
