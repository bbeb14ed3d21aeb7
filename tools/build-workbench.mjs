// Copies the workbench's npm packages (installed by `npm ci` from package-lock.json) into the
// Python package's static folder, where `serve` and `publish` find them and the wheel carries
// them: the SPARQL editor (@zazuko/yasqe, its unminified ES module build and its stylesheet) and
// Oxigraph's WebAssembly build. Writes vendor/manifest.json (package versions, file sizes and
// SHA-256) and vendor/NOTICE.txt (the packages' licences). The folder is git-ignored: nothing
// third-party is committed.
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const target = join(root, "src", "mdq_graph", "web", "static", "vendor");

// package -> [file in the package, name in vendor/]
const FILES = {
  "@zazuko/yasqe": [
    ["build/yasqe.esm.js", "yasqe.esm.js"],
    ["build/yasqe.min.css", "yasqe.css"],
  ],
  oxigraph: [
    ["web.js", "oxigraph/web.js"],
    ["web_bg.wasm", "oxigraph/web_bg.wasm"],
  ],
};

rmSync(target, { recursive: true, force: true });
mkdirSync(join(target, "oxigraph"), { recursive: true });
const manifest = { packages: {}, files: {} };
const notice = [
  "Third-party packages copied here by `npm run build` (tools/build-workbench.mjs) from the npm",
  "registry, as package-lock.json pins them.",
  "",
];
for (const [name, files] of Object.entries(FILES)) {
  const folder = join(modules, name);
  if (!existsSync(folder)) {
    console.error(`${name} is not installed: run \`npm ci\` first`);
    process.exit(2);
  }
  const meta = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  manifest.packages[name] = { version: meta.version, license: meta.license };
  const homepage = meta.homepage || (meta.repository && meta.repository.url) || "";
  notice.push(`${name} ${meta.version}: ${meta.license} licence. ${homepage}`);
  for (const [from, to] of files) {
    copyFileSync(join(folder, from), join(target, to));
    const data = readFileSync(join(target, to));
    manifest.files[to] = {
      package: name,
      size: data.length,
      sha256: createHash("sha256").update(data).digest("hex"),
    };
  }
}
writeFileSync(join(target, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
writeFileSync(join(target, "NOTICE.txt"), notice.join("\n") + "\n");
console.log(`copied ${Object.keys(manifest.files).length} files to ${target}`);
