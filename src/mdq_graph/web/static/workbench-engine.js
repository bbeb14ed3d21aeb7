// The static site's SPARQL engine (Oxigraph's WebAssembly build) in a worker of its own.
//
// A query runs here, off the page's thread, so the page stays alive while it runs, and a query
// that outlives the workbench's time limit is stopped: the page terminates this worker (the only
// way to stop a WebAssembly call) and starts a new one for the next query.
//
// Messages in: {id, kind: "load", url} loads the graph (N-Quads) and puts the set union of its
// named graphs in the default graph, as the server does; {id, kind: "query", query, format} runs a
// query and answers its results in that media type. Messages out: {id, ok: true, text} or
// {id, ok: false, error}.

let store = null;

async function load(url) {
  const oxigraph = await import("./vendor/oxigraph/web.js");
  await oxigraph.default();
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`${url}: ${response.status} ${response.statusText}`);
  }
  const data = await response.text();
  store = new oxigraph.Store();
  store.load(data, { format: "application/n-quads" });
  store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }");
}

self.onmessage = async ({ data: message }) => {
  try {
    if (message.kind === "load") {
      await load(message.url);
      self.postMessage({ id: message.id, ok: true, text: "" });
    } else {
      const text = store.query(message.query, { results_format: message.format });
      self.postMessage({ id: message.id, ok: true, text });
    }
  } catch (error) {
    self.postMessage({ id: message.id, ok: false, error: String(error && error.message ? error.message : error) });
  }
};
