// The query workbench: the SPARQL editor (YASQE, from the npm registry) with completion from the
// MDQ model, result views (table, chart, map, timeline, evidence), downloads, shareable links and
// label search. On `serve` queries go to the endpoint; on a static site they run in the browser in
// Oxigraph's WebAssembly build, over the graph `publish` ships. Everything it knows about the data
// comes from workbench.json (mdq_graph/web/workbench.py); without JavaScript, or where the vendor
// files are not built, the page keeps its plain form.
import Yasqe from "./vendor/yasqe.esm.js";
import { normalise, search } from "./search.js";

const XSD = "http://www.w3.org/2001/XMLSchema#";
const RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const NUMERIC = ["integer", "decimal", "double", "float", "int", "long", "short", "nonNegativeInteger", "positiveInteger"].map((t) => XSD + t);
const DATES = ["date", "dateTime", "gYear", "gYearMonth"].map((t) => XSD + t);
//: Variables whose values are a statement's evidence: the sentence, and where it comes from.
const SENTENCE_VARS = ["sentence", "quote", "exact", "evidence"];
const SOURCE_VARS = ["source_url", "source", "url"];
const STARTING_PREFIXES = ["mdq", "id", "rdfs", "skos", "schema", "xsd"];
const SVG = "http://www.w3.org/2000/svg";
const PN_LOCAL = /^[A-Za-z0-9_][A-Za-z0-9_.\-]*$/;

const root = document.getElementById("workbench");
if (root) {
  start(root).catch((error) => {
    const status = root.querySelector(".wb-status");
    if (status) {
      status.textContent = String(error && error.message ? error.message : error);
    }
  });
}

/** Where the page of an IRI is: under the base on this server or site, else the IRI itself
 * if it is a web address; null for any other scheme (a `javascript:` IRI in the data must not
 * become a link). */
function pageHref(iri, config, files) {
  const base = config.base;
  if (!iri.startsWith(base)) {
    return /^https?:\/\//i.test(iri) ? iri : null;
  }
  const [rest, fragment] = iri.slice(base.length).split("#");
  const hash = fragment ? "#" + fragment : "";
  if (config.mode === "static") {
    if (files.includes(rest)) {
      return config.root + rest + hash;
    }
    const suffix = !config.lang || config.lang === "en" ? ".html" : `.${config.lang}.html`;
    const stem = rest === "" || rest.endsWith("/") ? rest + "index" : rest;
    return config.root + stem.split("/").map(encodeURIComponent).join("/") + suffix + hash;
  }
  const query = config.explicitLang ? `?lang=${config.explicitLang}` : "";
  return config.root + rest + query + hash;
}

/** `text` cut to `length` characters, with an ellipsis where it was cut. */
function shorten(text, length) {
  const chars = Array.from(String(text));
  return chars.length > length ? chars.slice(0, length - 1).join("") + "…" : chars.join("");
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) {
      node.setAttribute(key, value);
    }
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) {
    node.setAttribute(key, String(value));
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

async function start(root) {
  const config = { ...root.dataset };
  delete config.text;
  const text = JSON.parse(root.dataset.text);
  const model = await (await fetch(config.model)).json();
  const wb = new Workbench(root, config, text, model);
  wb.build();
  // For the browser tests and the curious: the workbench, its editor and its engine.
  window.mdqWorkbench = wb;
}

// A query the workbench stopped: it outlived the time limit.
class Stopped extends Error {}

// The static site's engine, in a worker (static/workbench-engine.js): the page's thread never
// runs a query, and a query that outlives the time limit is stopped by terminating the worker.
class BrowserEngine {
  constructor(dataUrl) {
    this.worker = new Worker(new URL("./workbench-engine.js", import.meta.url), { type: "module" });
    this.pending = new Map();
    this.next = 0;
    this.ended = false;
    this.worker.onmessage = ({ data }) => {
      const call = this.pending.get(data.id);
      if (call) {
        this.pending.delete(data.id);
        clearTimeout(call.timer);
        data.ok ? call.resolve(data.text) : call.reject(new Error(data.error));
      }
    };
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.fail(new Error(event.message || "the SPARQL engine failed"));
    };
    this.ready = this.call({ kind: "load", url: dataUrl }, 0);
  }

  call(message, seconds) {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      const call = { resolve, reject, timer: null };
      if (seconds > 0) {
        call.timer = setTimeout(() => this.fail(new Stopped()), seconds * 1000);
      }
      this.pending.set(id, call);
      this.worker.postMessage({ ...message, id });
    });
  }

  query(query, format, seconds) {
    return this.call({ kind: "query", query, format }, seconds);
  }

  // Ends the worker and every call waiting on it.
  fail(error) {
    this.ended = true;
    this.worker.terminate();
    for (const call of this.pending.values()) {
      clearTimeout(call.timer);
      call.reject(error);
    }
    this.pending.clear();
  }
}

class Workbench {
  constructor(root, config, text, model) {
    this.root = root;
    this.config = config;
    this.text = text;
    this.model = model;
    this.lang = config.lang || "en";
    this.labels = new Map();
    for (const r of model.resources) {
      this.labels.set(r.iri, r.names);
    }
    for (const term of [...model.classes, ...model.properties]) {
      if (!this.labels.has(term.iri)) {
        this.labels.set(term.iri, Object.entries(term.labels));
      }
    }
    this.engine = null;
    this.result = null;
  }

  // --- building the page -----------------------------------------------------------------------

  build() {
    const t = this.text;
    const fallback = document.getElementById("wb-fallback");
    if (fallback) {
      fallback.hidden = true;
    }
    this.status = this.root.querySelector(".wb-status");
    this.status.textContent = "";
    const select = el("select", { id: "wb-template", "aria-label": t.templates });
    select.append(el("option", { value: "" }, t.choose));
    for (const q of this.model.queries) {
      select.append(el("option", { value: q.name }, q.title));
    }
    select.addEventListener("change", () => this.useTemplate(select.value));
    this.question = el("p", { class: "wb-question" });
    const editor = el("div", { id: "wb-editor" });
    const run = el("button", { type: "button", id: "wb-run", class: "wb-run" }, t.run);
    run.addEventListener("click", () => this.run());
    this.share = el("a", { id: "wb-share", class: "wb-share", href: "" }, t.share);
    this.share.addEventListener("click", (event) => {
      event.preventDefault();
      this.updateUrl();
      if (navigator.clipboard) {
        navigator.clipboard.writeText(this.share.href).catch(() => {});
      }
      this.status.textContent = t.shared;
    });
    this.views = el("div", { class: "wb-views" });
    this.root.append(
      el("p", { class: "wb-choose" }, el("label", { for: "wb-template" }, t.templates + " "), select),
      this.question,
      editor,
      el("p", { class: "wb-actions" }, run, " ", this.share, " ", el("span", { class: "wb-hint" }, t.hint)),
      this.views
    );
    this.registerCompleter();
    this.yasqe = new Yasqe(editor, {
      value: "",
      persistenceId: null,
      consumeShareLink: null,
      // Our own link (the query in the page's address), not YASQE's (#-parameters it would read).
      createShareableLink: null,
      showQueryButton: false,
      resizeable: false,
      editorHeight: "18em",
      autocompleters: ["mdq"],
      extraKeys: {
        "Ctrl-Space": (y) => y.autocomplete(),
        "Ctrl-Enter": () => this.run(),
        "Cmd-Enter": () => this.run(),
      },
    });
    this.yasqe.getWrapperElement().setAttribute("data-testid", "editor");
    const params = new URLSearchParams(window.location.search);
    const initial = params.get("query");
    const name = params.get("name");
    if (initial) {
      this.yasqe.setValue(initial);
      this.run();
    } else if (name && this.model.queries.some((q) => q.name === name)) {
      select.value = name;
      this.useTemplate(name);
    } else {
      const prefixes = this.prefixLines();
      this.yasqe.setValue(`${prefixes}\n\nSELECT * WHERE {\n  \n} LIMIT 100\n`);
      this.yasqe.setCursor({ line: prefixes.split("\n").length + 2, ch: 2 });
    }
    this.updateUrl(false);
  }

  /** The prefixes a new query starts with (the others are offered after PREFIX, and added
   * when a completion inserts a term of theirs). */
  prefixLines() {
    return STARTING_PREFIXES.filter((p) => p in this.model.prefixes)
      .map((p) => `PREFIX ${p}: <${this.model.prefixes[p]}>`)
      .join("\n");
  }

  useTemplate(name) {
    const query = this.model.queries.find((q) => q.name === name);
    this.question.textContent = query ? query.question : "";
    if (query) {
      this.yasqe.setValue(query.text);
    }
  }

  updateUrl(push = true) {
    const params = new URLSearchParams(window.location.search);
    params.delete("name");
    params.delete("format");
    const query = this.yasqe.getValue();
    if (query.trim()) {
      params.set("query", query);
    }
    const url = `${window.location.pathname}?${params.toString()}`;
    this.share.href = url;
    if (push) {
      window.history.replaceState(null, "", url);
    }
  }

  // --- completion --------------------------------------------------------------------------------

  registerCompleter() {
    const wb = this;
    this.hintLabels = new Map();
    Yasqe.registerAutocompleter(
      {
        name: "mdq",
        bulk: false,
        autoShow: true,
        isValidCompletionPosition(yasqe) {
          return wb.context(yasqe) !== null;
        },
        preProcessToken(yasqe, token) {
          const context = wb.context(yasqe);
          if (!context) {
            return { ...token, string: "" };
          }
          const line = yasqe.getDoc().getCursor().line;
          return { ...token, string: context.word, from: { line, ch: context.start }, to: { line, ch: context.end } };
        },
        get(yasqe, token) {
          const context = wb.context(yasqe);
          return context ? wb.suggest(yasqe, context.word, context.where) : [];
        },
        postprocessHints(yasqe, hints) {
          return hints.map((hint) => {
            const info = wb.hintLabels.get(hint.text) || {};
            hint.displayText = info.label ? `${info.display || hint.text} — ${info.label}` : hint.text;
            hint.hint = (cm, data, completion) => {
              cm.replaceRange(completion.text, completion.from || data.from, completion.to || data.to, "complete");
              if (info.prefix && !(info.prefix in yasqe.getPrefixesFromQuery())) {
                yasqe.addPrefixes({ [info.prefix]: wb.model.prefixes[info.prefix] });
              }
            };
            return hint;
          });
        },
      },
      false
    );
  }

  /** What is being typed at the cursor (the editor's tokenizer cuts a Japanese word into one
   * token a character) and where: "prefix" after PREFIX, "class" after `a`/rdf:type, "property"
   * where a predicate goes, else "resource" (from two characters); null for nothing to complete. */
  context(yasqe) {
    const doc = yasqe.getDoc();
    const cursor = doc.getCursor();
    const before = doc.getLine(cursor.line).slice(0, cursor.ch);
    const match = before.match(/[^\s{}()[\];,<>"'=!|&+*^/]+$/);
    if (!match || /^[?$@"'0-9]/.test(match[0])) {
      return null;
    }
    const word = match[0];
    const start = cursor.ch - word.length;
    const first = yasqe.getTokenAt({ line: cursor.line, ch: start + 1 });
    if (first.type === "string" || first.type === "comment") {
      return null;
    }
    const previous = yasqe.getPreviousNonWsToken(cursor.line, first);
    const keyword = previous && previous.string ? previous.string.toUpperCase() : "";
    let where = "resource";
    if (keyword === "PREFIX") {
      where = "prefix";
    } else if (previous && (previous.string === "a" || ["a", "rdf:type"].includes(previous.state && previous.state.lastProperty) && /^(a|rdf:type)$/.test(previous.string))) {
      where = "class";
    } else if (((first.state && first.state.possibleCurrent) || []).includes("a")) {
      where = "property";
    } else if (Array.from(word).length < 2) {
      return null;
    }
    return { word, start, end: cursor.ch, where };
  }

  curie(iri) {
    for (const [prefix, ns] of Object.entries(this.model.prefixes)) {
      if (iri.startsWith(ns)) {
        const local = iri.slice(ns.length);
        if (PN_LOCAL.test(local)) {
          return [prefix, `${prefix}:${local}`, `${prefix}:${local}`];
        }
        if (/^[A-Za-z0-9_][A-Za-z0-9_\-/]*$/.test(local)) {
          // A '/' is escaped in a prefixed name (SPARQL 1.1 PN_LOCAL_ESC): id:country\/jp.
          return [prefix, `${prefix}:${local.replace(/\//g, "\\/")}`, `${prefix}:${local}`];
        }
      }
    }
    return [null, `<${iri}>`, `<${iri}>`];
  }

  label(iri, lang = this.lang) {
    const names = this.labels.get(iri);
    if (!names || !names.length) {
      return null;
    }
    for (const wanted of [lang, "en", ""]) {
      const found = names.find((pair) => pair[0] === wanted);
      if (found) {
        return found[1];
      }
    }
    return names[0][1];
  }

  /** The classes the query gives the subject of the triple being written. */
  subjectClasses(yasqe) {
    const doc = yasqe.getDoc();
    const before = doc.getRange({ line: 0, ch: 0 }, doc.getCursor());
    const subject = before.match(/(?:^|[{.}])\s*(\?\w+)[^{.}]*$/);
    if (!subject) {
      return [];
    }
    const prefixes = { ...this.model.prefixes, ...yasqe.getPrefixesFromQuery() };
    const variable = subject[1].replace("?", "\\?");
    const pattern = new RegExp(`${variable}\\s+(?:a|rdf:type)\\s+([^\\s;.]+)`, "g");
    const classes = [];
    for (const match of yasqe.getValue().matchAll(pattern)) {
      const name = match[1];
      if (name.startsWith("<")) {
        classes.push(name.slice(1, -1));
      } else if (name.includes(":")) {
        const [prefix, local] = [name.slice(0, name.indexOf(":")), name.slice(name.indexOf(":") + 1)];
        if (prefixes[prefix]) {
          classes.push(prefixes[prefix] + local.replace(/\\/g, ""));
        }
      }
    }
    return classes;
  }

  suggest(yasqe, typed, where) {
    const wanted = normalise(typed);
    const out = [];
    const offer = (iri, kind) => {
      const [prefix, inserted, display] = this.curie(iri);
      const label = this.label(iri) || "";
      const names = [display, label, this.label(iri, "ja") || "", this.label(iri, "en") || ""].map(normalise);
      const local = display.slice(display.indexOf(":") + 1).toLowerCase();
      if (!wanted || names.some((n) => n.startsWith(wanted) || n.includes(wanted)) || local.startsWith(wanted)) {
        this.hintLabels.set(inserted, { label, prefix, display, kind });
        out.push(inserted);
      }
    };
    if (where === "prefix") {
      for (const [prefix, ns] of Object.entries(this.model.prefixes)) {
        if (prefix.startsWith(typed.replace(/:$/, ""))) {
          const line = `${prefix}: <${ns}>`;
          this.hintLabels.set(line, {});
          out.push(line);
        }
      }
      return out;
    }
    if (where === "class") {
      this.model.classes.forEach((c) => offer(c.iri, "class"));
    } else if (where === "property") {
      const preferred = new Set();
      for (const cls of this.subjectClasses(yasqe)) {
        for (const p of this.model.classProperties[cls] || []) {
          if (!preferred.has(p)) {
            preferred.add(p);
            offer(p, "property");
          }
        }
      }
      this.model.properties.filter((p) => !preferred.has(p.iri)).forEach((p) => offer(p.iri, "property"));
    } else {
      for (const hit of search(this.model, typed, this.lang, 15)) {
        const [prefix, inserted, display] = this.curie(hit.iri);
        this.hintLabels.set(inserted, { label: hit.label, prefix, display, kind: "resource" });
        out.push(inserted);
      }
    }
    return out.slice(0, 60);
  }

  // --- running -----------------------------------------------------------------------------------

  async run() {
    const t = this.text;
    const query = this.yasqe.getValue();
    this.updateUrl();
    this.status.textContent = t.running;
    this.views.replaceChildren();
    const started = performance.now();
    try {
      const result = this.config.mode === "static" ? await this.runInBrowser(query) : await this.runOnServer(query);
      this.result = result;
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      const count = result.kind === "solutions" ? result.json.results.bindings.length : null;
      this.status.textContent = count === null ? t.done.replace("{seconds}", seconds) : t.rows.replace("{count}", count).replace("{seconds}", seconds);
      this.show(result);
    } catch (error) {
      this.status.textContent = "";
      this.views.replaceChildren(el("pre", { class: "wb-error", role: "alert" }, String(error && error.message ? error.message : error)));
    }
  }

  async runOnServer(query) {
    const body = new URLSearchParams({ query });
    const response = await fetch(this.config.endpoint, {
      method: "POST",
      headers: { Accept: "application/sparql-results+json, text/turtle;q=0.9", "Content-Type": "application/x-www-form-urlencoded" },
      body,
    });
    const content = await response.text();
    if (!response.ok) {
      throw new Error(content);
    }
    const type = response.headers.get("content-type") || "";
    if (type.includes("json")) {
      const json = JSON.parse(content);
      return "boolean" in json ? { kind: "boolean", json, query } : { kind: "solutions", json, query };
    }
    return { kind: "graph", text: content, query };
  }

  async loadEngine() {
    if (!this.engine || this.engine.ended) {
      this.status.textContent = this.text.loading;
      const engine = new BrowserEngine(new URL(this.config.data, document.baseURI).href);
      await engine.ready;
      this.engine = engine;
    }
    return this.engine;
  }

  // Runs `query` in the browser's engine, answering `format`; a query that outlives the time limit
  // is stopped (its worker terminated: the next query starts a new one).
  async inBrowser(query, format) {
    const engine = await this.loadEngine();
    const seconds = Number(this.config.timeLimit) || 0;
    try {
      return await engine.query(query, format, seconds);
    } catch (error) {
      if (error instanceof Stopped) {
        throw new Error(this.text.stopped.replace("{seconds}", String(seconds)));
      }
      throw error;
    }
  }

  async runInBrowser(query) {
    await this.loadEngine();
    this.status.textContent = this.text.running;
    if (["CONSTRUCT", "DESCRIBE"].includes(this.yasqe.getQueryType())) {
      return { kind: "graph", text: await this.inBrowser(query, "text/turtle"), query };
    }
    const json = JSON.parse(await this.inBrowser(query, "application/sparql-results+json"));
    return "boolean" in json ? { kind: "boolean", json, query } : { kind: "solutions", json, query };
  }

  // --- result views ------------------------------------------------------------------------------

  show(result) {
    const t = this.text;
    if (result.kind === "boolean") {
      this.views.append(el("p", { class: "wb-boolean" }, result.json.boolean ? "true" : "false"));
      this.views.append(this.downloads(result));
      return;
    }
    if (result.kind === "graph") {
      this.views.append(el("pre", { class: "wb-graph" }, result.text));
      this.views.append(this.downloads(result));
      return;
    }
    const vars = result.json.head.vars;
    const rows = result.json.results.bindings;
    const views = [["table", t.table, () => this.table(vars, rows)]];
    const chart = this.chartData(vars, rows);
    if (chart) views.push(["chart", t.chart, () => this.chart(chart)]);
    const map = this.mapData(vars, rows);
    if (map.length) views.push(["map", t.map, () => this.map(map)]);
    const timeline = this.timelineData(vars, rows);
    if (timeline.length) views.push(["timeline", t.timeline, () => this.timeline(timeline)]);
    const tabs = el("div", { class: "wb-tabs", role: "tablist" });
    const panel = el("div", { class: "wb-panel", role: "tabpanel" });
    const select = (name) => {
      for (const button of tabs.children) {
        button.setAttribute("aria-selected", String(button.dataset.view === name));
      }
      const view = views.find((v) => v[0] === name);
      panel.replaceChildren(view[2]());
      panel.dataset.view = name;
    };
    for (const [name, title] of views) {
      const button = el("button", { type: "button", role: "tab", "data-view": name }, title);
      button.addEventListener("click", () => select(name));
      tabs.append(button);
    }
    this.views.append(tabs, panel, this.downloads(result));
    select("table");
  }

  href(iri) {
    return pageHref(iri, this.config, this.model.files || []);
  }

  cell(term) {
    if (!term) {
      return "";
    }
    if (term.type === "uri") {
      const label = this.label(term.value);
      const href = this.href(term.value);
      return el(href ? "a" : "span", { href, title: term.value }, label || this.curie(term.value)[2]);
    }
    if (term.type === "bnode") {
      return `_:${term.value}`;
    }
    const span = el("span", { lang: term["xml:lang"] || undefined }, term.value);
    return span;
  }

  evidence(vars) {
    const sentence = SENTENCE_VARS.find((v) => vars.includes(v));
    const source = SOURCE_VARS.find((v) => vars.includes(v));
    return sentence ? { sentence, source } : null;
  }

  table(vars, rows) {
    const t = this.text;
    const evidence = this.evidence(vars);
    const table = el("table", { class: "results wb-table" });
    const head = el("tr");
    vars.forEach((v) => head.append(el("th", { scope: "col" }, v)));
    if (evidence) head.append(el("th", { scope: "col" }, t.evidence));
    table.append(el("thead", {}, head));
    const body = el("tbody");
    const width = vars.length + (evidence ? 1 : 0);
    for (const row of rows) {
      const tr = el("tr");
      vars.forEach((v) => tr.append(el("td", {}, this.cell(row[v]))));
      body.append(tr);
      if (evidence) {
        const sentence = row[evidence.sentence];
        const source = evidence.source ? row[evidence.source] : null;
        const detail = el("tr", { class: "wb-evidence", hidden: "" });
        const quote = el("blockquote", { lang: sentence && sentence["xml:lang"] ? sentence["xml:lang"] : undefined }, sentence ? sentence.value : "");
        const cite = el("p", { class: "wb-source" });
        if (source) {
          cite.append(t.source + ": ", this.cell(source));
        }
        detail.append(el("td", { colspan: String(width) }, quote, cite));
        const button = el("button", { type: "button", class: "wb-show-evidence", "aria-expanded": "false" }, t.show_evidence);
        button.disabled = !sentence;
        button.addEventListener("click", () => {
          detail.hidden = !detail.hidden;
          button.setAttribute("aria-expanded", String(!detail.hidden));
        });
        tr.append(el("td", {}, button));
        body.append(detail);
      }
    }
    table.append(body);
    return table;
  }

  value(term) {
    return term ? (term.type === "uri" ? this.label(term.value) || this.curie(term.value)[2] : term.value) : "";
  }

  /** Bars: a numeric column by the first other column; else the rows counted by a repeated value. */
  chartData(vars, rows) {
    if (!rows.length) return null;
    const numeric = vars.find((v) => rows.every((r) => !r[v] || (r[v].type === "literal" && NUMERIC.includes(r[v].datatype))) && rows.some((r) => r[v]));
    if (numeric) {
      const key = vars.find((v) => v !== numeric) || numeric;
      return { title: `${numeric} / ${key}`, bars: rows.map((r) => [this.value(r[key]), Number(r[numeric] ? r[numeric].value : 0)]) };
    }
    for (const v of vars) {
      const counts = new Map();
      rows.forEach((r) => counts.set(this.value(r[v]), (counts.get(this.value(r[v])) || 0) + 1));
      if (counts.size > 1 && counts.size < rows.length) {
        return { title: `${this.text.count} / ${v}`, bars: [...counts.entries()] };
      }
    }
    return null;
  }

  chart(data) {
    const bars = data.bars.slice(0, 60);
    const max = Math.max(1, ...bars.map((b) => b[1]));
    const height = 22 * bars.length + 30;
    const image = svg("svg", { class: "wb-chart", viewBox: `0 0 720 ${height}`, role: "img", "aria-label": data.title });
    image.append(svg("text", { x: 0, y: 14, class: "wb-axis" }, data.title));
    bars.forEach(([label, value], i) => {
      const y = 26 + i * 22;
      image.append(svg("text", { x: 236, y: y + 14, "text-anchor": "end" }, shorten(label, 38)));
      image.append(svg("rect", { x: 242, y, width: Math.max(1, (value / max) * 420), height: 16, class: "wb-bar" }));
      image.append(svg("text", { x: 248 + (value / max) * 420, y: y + 13 }, String(value)));
    });
    return image;
  }

  /** Cells that are places with coordinates (the geography graph). */
  mapData(vars, rows) {
    const seen = new Map();
    for (const row of rows) {
      for (const v of vars) {
        const term = row[v];
        if (term && term.type === "uri" && this.model.places[term.value] && !seen.has(term.value)) {
          seen.set(term.value, { iri: term.value, label: this.value(term), ...this.model.places[term.value] });
        }
      }
    }
    return [...seen.values()];
  }

  map(places) {
    // Longitude/latitude as a plate carrée, framed on the places (with a margin), 2:1.
    const lons = places.flatMap((p) => (p.bbox ? [p.bbox[0], p.bbox[2]] : [p.point[0]]));
    const lats = places.flatMap((p) => (p.bbox ? [p.bbox[1], p.bbox[3]] : [p.point[1]]));
    let [west, east, south, north] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
    const margin = Math.max(5, (east - west) * 0.08, (north - south) * 0.08);
    [west, east, south, north] = [west - margin, east + margin, south - margin, north + margin];
    const grow = (low, high, span) => [(low + high) / 2 - span / 2, (low + high) / 2 + span / 2];
    if (east - west < 2 * (north - south)) [west, east] = grow(west, east, 2 * (north - south));
    else [south, north] = grow(south, north, (east - west) / 2);
    const x = (lon) => ((lon - west) / (east - west)) * 720;
    const y = (lat) => ((north - lat) / (north - south)) * 360;
    const step = east - west > 120 ? 30 : 10;
    const image = svg("svg", { class: "wb-map", viewBox: "0 0 720 360", role: "img", "aria-label": this.text.map });
    image.append(svg("rect", { x: 0, y: 0, width: 720, height: 360, class: "wb-sea" }));
    for (let lon = Math.ceil(west / step) * step; lon <= east; lon += step) image.append(svg("line", { x1: x(lon), y1: 0, x2: x(lon), y2: 360, class: "wb-grid" }));
    for (let lat = Math.ceil(south / step) * step; lat <= north; lat += step) image.append(svg("line", { x1: 0, y1: y(lat), x2: 720, y2: y(lat), class: "wb-grid" }));
    for (const place of places) {
      if (place.bbox) {
        const [w, s, e, n] = place.bbox;
        image.append(svg("rect", { x: x(w), y: y(n), width: Math.max(1, x(e) - x(w)), height: Math.max(1, y(s) - y(n)), class: "wb-area" }));
      }
    }
    for (const place of places) {
      const [lon, lat] = place.point;
      const link = svg("a", { href: this.href(place.iri) || "#" });
      link.append(svg("circle", { cx: x(lon), cy: y(lat), r: 4, class: "wb-point" }));
      link.append(svg("text", { x: x(lon) + 6, y: y(lat) - 4, class: "wb-place" }, place.label));
      image.append(link);
    }
    return el("figure", { class: "wb-figure" }, image, el("figcaption", {}, this.text.map_note));
  }

  /** Rows with dates: a start (and an end) and what they are. */
  timelineData(vars, rows) {
    const dated = vars.filter((v) => rows.some((r) => r[v] && DATES.includes(r[v].datatype)));
    if (!dated.length) return [];
    const label = vars.find((v) => !dated.includes(v));
    return rows
      .filter((r) => r[dated[0]])
      .map((r) => ({
        start: r[dated[0]].value.slice(0, 10),
        end: (dated[1] && r[dated[1]] ? r[dated[1]].value : r[dated[0]].value).slice(0, 10),
        label: label ? this.value(r[label]) : r[dated[0]].value,
      }));
  }

  timeline(items) {
    const day = (s) => Date.parse(s.length === 4 ? `${s}-01-01` : s.length === 7 ? `${s}-01` : s);
    const first = Math.min(...items.map((i) => day(i.start)));
    const last = Math.max(...items.map((i) => day(i.end)));
    const span = Math.max(86400000, last - first + 86400000);
    const x = (d) => 240 + ((d - first) / span) * 460;
    const shown = items.slice(0, 60);
    const image = svg("svg", { class: "wb-timeline", viewBox: `0 0 720 ${40 + shown.length * 22}`, role: "img", "aria-label": this.text.timeline });
    image.append(svg("text", { x: 240, y: 14, class: "wb-axis" }, new Date(first).toISOString().slice(0, 10)));
    image.append(svg("text", { x: 700, y: 14, "text-anchor": "end", class: "wb-axis" }, new Date(last).toISOString().slice(0, 10)));
    shown.forEach((item, i) => {
      const top = 26 + i * 22;
      const left = x(day(item.start));
      const right = x(day(item.end) + 86400000);
      image.append(svg("text", { x: 234, y: top + 13, "text-anchor": "end" }, shorten(item.label, 36)));
      image.append(svg("rect", { x: left, y: top, width: Math.max(4, right - left), height: 16, class: "wb-span" }));
      image.append(svg("title", {}, `${item.start} – ${item.end}`));
    });
    return image;
  }

  // --- downloads ---------------------------------------------------------------------------------

  downloads(result) {
    const formats = result.kind === "graph"
      ? [["turtle", "text/turtle", "ttl"], ["nt", "application/n-triples", "nt"], ["xml", "application/rdf+xml", "rdf"]]
      : [["json", "application/sparql-results+json", "srj"], ["xml", "application/sparql-results+xml", "srx"], ["csv", "text/csv", "csv"], ["tsv", "text/tab-separated-values", "tsv"]];
    const list = el("p", { class: "wb-downloads" }, this.text.download + ": ");
    formats.forEach(([name, media, extension], i) => {
      const link = el("a", { download: `result.${extension}`, type: media, href: "#" }, name.toUpperCase());
      if (this.config.mode === "static") {
        // The results are written by the engine (in its worker) on the first click, then the
        // link is followed as any download link.
        link.addEventListener("click", async (event) => {
          if (link.getAttribute("href") !== "#") {
            return;
          }
          event.preventDefault();
          try {
            const data = await this.inBrowser(result.query, media);
            link.href = URL.createObjectURL(new Blob([data], { type: media }));
            link.click();
          } catch (error) {
            this.status.textContent = String(error && error.message ? error.message : error);
          }
        });
      } else {
        link.href = `${this.config.endpoint}?${new URLSearchParams({ query: result.query, format: name })}`;
      }
      list.append(link);
      if (i < formats.length - 1) list.append(" · ");
    });
    return list;
  }
}

// --- label search (on the workbench page and wherever a search box is) ----------------------------

for (const form of document.querySelectorAll("form.wb-search")) {
  const input = form.querySelector("input[type=search]");
  const list = form.querySelector(".wb-hits");
  let timer = null;
  let model = null;
  const lang = form.dataset.lang || "en";
  const hits = async (q) => {
    if (form.dataset.mode === "server") {
      const url = `${form.dataset.search}?${new URLSearchParams({ q, lang, limit: "10" })}`;
      return (await (await fetch(url, { headers: { Accept: "application/json" } })).json()).hits;
    }
    model = model || (await (await fetch(form.dataset.model)).json());
    return search(model, q, lang, 10).map((h) => ({ ...h, href: pageHref(h.iri, form.dataset, model.files || []) }));
  };
  const update = async () => {
    const q = input.value.trim();
    list.replaceChildren();
    if (!q) return;
    for (const hit of await hits(q)) {
      const safe = /^(https?:\/\/|\/)/i.test(hit.href) || !/^[a-z][a-z0-9+.-]*:/i.test(hit.href);
      const item = el("li", {}, el(safe ? "a" : "span", { href: safe ? hit.href : null, title: hit.iri }, hit.label));
      if (hit.matched !== hit.label) item.append(el("span", { class: "wb-matched" }, ` (${hit.matched})`));
      list.append(item);
    }
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, 120);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await update();
    const first = list.querySelector("a");
    if (first) window.location.href = first.href;
  });
}
