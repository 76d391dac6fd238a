// Builds the JavaScript around the wasm, after scripts/build-wasm.sh (or `trunk build`,
// unsplit) wrote dist/wasm/:
//   dist/wasm/sir-donate.js   the glue, with wasm-split's chunk loaders bundled in (minified)
//   dist/wasm/*.wasm          the main module and its chunks (split_<function>.wasm, chunk_<n>.wasm)
//   dist/sir-donate.js   the script-tag loader (minified IIFE)
//   dist/index.html, dist/signin.js   the playground page (`make demo`)
//   dist/builder.*       the snippet builder (`make demo`, /builder.html)
//   dist/npm/            the npm package `sir-donate` (ESM, types, wasm as separate assets,
//                        the React component `sir-donate/react`, and types for React, Vue
//                        and Svelte templates)
//   dist/sir-donate-<version>.tgz   that package, packed with `npm pack`
//   dist/cdn/<version>/  the release tree for a CDN: the loader, the glue and the wasm under
//                        content-hashed names, and manifest.json (names, sizes, sha384 SRI)
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, transform } from "esbuild";
import { writeOptionFiles } from "./generate-options.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// The loader's option list, its types and the README's table, from js/options.json (rewritten only if stale).
for (const file of writeOptionFiles()) console.log(`js/build.mjs: wrote ${file} from js/options.json`);
const dist = join(root, "dist");
const wasmDir = join(dist, "wasm");
const version = readFileSync(join(root, "Cargo.toml"), "utf8").match(/^version = "([^"]+)"/m)[1];
// __SIR_DONATE_FILES__: the hashed files the loader fetches (dist/cdn/), or null (dist/wasm/);
// __SIR_DONATE_VERIFIED__: whether it checks them (js/src/files.js).
// __SIR_DONATE_FIRST_VIEW__: Leptos's render of the first view (tools/first-view), and
// __SIR_DONATE_STYLE__ the stylesheet it is painted with (js/src/first-view.js).
const define = {
  __SIR_DONATE_VERSION__: JSON.stringify(version),
  __SIR_DONATE_FILES__: "null",
  __SIR_DONATE_VERIFIED__: "false",
  // As a literal, not JSON text to parse: a string would escape every quote again (+0.9 KB gzip).
  __SIR_DONATE_FIRST_VIEW__: firstViewTemplates(),
  __SIR_DONATE_STYLE__: JSON.stringify(
    (
      await transform(readFileSync(join(root, "style/widget.css"), "utf8"), { loader: "css", minify: true })
    ).code.trim(),
  ),
};
// ES2022: the loader's classes keep their private fields; every browser of the baseline
// (docs/browser-support.md) has them.
const common = { define, minify: true, target: "es2022", legalComments: "inline", logLevel: "warning" };

/** Renders the first view with Leptos, natively (tools/first-view, its own workspace so that
 * leptos's `ssr` never meets the widget's `csr`). It fails the build if any composition the
 * loader can make differs from Leptos's own render. FIRST_VIEW_TEMPLATES=<file> inlines that
 * file instead, unchecked: only to show that e2e/first-view.spec.ts catches stale templates. */
function firstViewTemplates() {
  if (process.env.FIRST_VIEW_TEMPLATES) return readFileSync(process.env.FIRST_VIEW_TEMPLATES, "utf8").trim();
  const out = join(root, "target/first-view/templates.json");
  execFileSync(
    "cargo",
    ["run", "--quiet", "--manifest-path", join(root, "tools/first-view/Cargo.toml"), "--", "--templates", out],
    {
      stdio: "inherit",
      // Its own target directory, as make lint's (the Makefile's FIRST_VIEW_TARGET says why).
      env: { ...process.env, CARGO_TARGET_DIR: join(root, "target/tools") },
    },
  );
  return readFileSync(out, "utf8").trim();
}

// The glue (minified: 8.8 → 6.5 KB gzip), with the chunk loaders in the same file: the glue
// imports them, so a separate file would be one more round trip before the widget starts.
// A second run finds the glue bundled already (minified: no indented line) and leaves it,
// so that its bytes, and the CDN's hashes of them, are the same however often this runs.
const glue = join(wasmDir, "sir-donate.js");
const split = routeChunkLoads();
const bundled = !split && !/\n\s+\S/.test(readFileSync(glue, "utf8"));
const entry = split
  ? 'export * from "./sir-donate.js"; export { default } from "./sir-donate.js";\n' +
    `export { preloadChunks, setChunkUrls } from ${JSON.stringify(join(root, "js/src/chunks.js"))};\n`
  : 'export * from "./sir-donate.js"; export { default } from "./sir-donate.js";\n';
if (!bundled)
  await build({
    ...common,
    // wasm-bindgen names the chunk-loader module once per import; the keys are the same module.
    logOverride: { "duplicate-object-key": "silent" },
    stdin: { contents: entry, resolveDir: wasmDir, sourcefile: "glue-entry.js" },
    bundle: true,
    format: "esm",
    outfile: glue,
    allowOverwrite: true,
  });
rmSync(join(wasmDir, "__wasm_split.js"), { force: true });
const chunks = readdirSync(wasmDir)
  .filter((file) => file.endsWith(".wasm") && file !== "sir-donate_bg.wasm")
  .sort();

await build({
  ...common,
  entryPoints: [join(root, "js/src/script.js")],
  bundle: true,
  format: "iife",
  outfile: join(dist, "sir-donate.js"),
});

const npm = join(dist, "npm");
rmSync(npm, { recursive: true, force: true });
mkdirSync(npm, { recursive: true });
// Two modules, so that importing the package loads nothing but the tiny entry.
await build({ ...common, entryPoints: [join(root, "js/src/npm.js")], format: "esm", outfile: join(npm, "index.js") });
await build({
  ...common,
  entryPoints: [join(root, "js/src/element.js")],
  bundle: true,
  format: "esm",
  outfile: join(npm, "element.js"),
});
// `sir-donate/react`: the client component ("use client" stays first), on the package's own
// entry (one loader per page, whichever import reaches it) and the app's React.
await build({
  ...common,
  entryPoints: [join(root, "js/src/react.js")],
  bundle: true,
  format: "esm",
  outfile: join(npm, "react.js"),
  external: ["react"],
  plugins: [
    {
      name: "package-entry",
      setup: (on) => on.onResolve({ filter: /^\.\/npm\.js$/ }, () => ({ path: "./index.js", external: true })),
    },
  ],
});
if (!readFileSync(join(npm, "react.js"), "utf8").startsWith('"use client";'))
  throw new Error('js/build.mjs: react.js lost its "use client"');
// Each chunk as `new URL("./wasm/<file>", import.meta.url)`, which bundlers (Vite) rewrite
// and copy like the main module: the glue then fetches them from where they went.
const chunkUrls = chunks.length
  ? `{${chunks.map((file) => `${JSON.stringify(file)}:new URL(${JSON.stringify(`./wasm/${file}`)},import.meta.url)`).join(",")}}`
  : "undefined";
const index = join(npm, "index.js");
writeFileSync(index, readFileSync(index, "utf8").replace("__SIR_DONATE_CHUNK_URLS__", chunkUrls));
cpSync(join(dist, "wasm"), join(npm, "wasm"), { recursive: true });
cpSync(join(root, "js/sir-donate.d.ts"), join(npm, "index.d.ts"));
// Types for templates: `/// <reference types="sir-donate/react" />` (or vue, svelte); react.d.ts
// also types the component.
for (const framework of ["react", "vue", "svelte"])
  cpSync(join(root, `js/${framework}.d.ts`), join(npm, `${framework}.d.ts`));
cpSync(join(root, "js/npm/README.md"), join(npm, "README.md"));
const manifest = JSON.parse(readFileSync(join(root, "js/npm/package.json"), "utf8"));
writeFileSync(join(npm, "package.json"), `${JSON.stringify({ ...manifest, version }, null, 2)}\n`);
execFileSync("npm", ["pack", "--silent", "--pack-destination", dist], {
  cwd: npm,
  stdio: ["ignore", "ignore", "inherit"],
});
await writeCdn();
writePlayground();
console.log(
  `js/build.mjs: dist/sir-donate.js, dist/wasm/ (${chunks.length} chunks), dist/npm/, dist/sir-donate-${version}.tgz, dist/cdn/${version}/`,
);

/**
 * dist/cdn/<version>/: what a CDN serves. The glue and the wasm files take a content hash in
 * their names (cached forever: a new build is new names); the loader keeps its name (cached
 * briefly) and carries every file's SRI hash, which it fetches them with. manifest.json lists
 * them all, the loader's own SRI hash first (for the script tag's `integrity`).
 */
async function writeCdn() {
  const out = join(dist, "cdn", version);
  rmSync(join(dist, "cdn"), { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const files = {};
  const listed = [];
  for (const name of ["sir-donate.js", "sir-donate_bg.wasm", ...chunks]) {
    const bytes = readFileSync(join(wasmDir, name));
    const digest = createHash("sha384").update(bytes).digest();
    const hashed = name.replace(/\.(js|wasm)$/, `.${digest.toString("hex").slice(0, 16)}.$1`);
    writeFileSync(join(out, hashed), bytes);
    files[name] = [hashed, sri(bytes)];
    listed.push({ name: hashed, source: name, bytes: bytes.length, integrity: files[name][1] });
  }
  const loader = join(out, "sir-donate.js");
  await build({
    ...common,
    define: { ...define, __SIR_DONATE_FILES__: JSON.stringify(files), __SIR_DONATE_VERIFIED__: "true" },
    entryPoints: [join(root, "js/src/script.js")],
    bundle: true,
    format: "iife",
    outfile: loader,
  });
  const bytes = readFileSync(loader);
  const manifest = {
    version,
    loader: { name: "sir-donate.js", bytes: bytes.length, integrity: sri(bytes) },
    files: listed,
  };
  writeFileSync(join(out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

function sri(bytes) {
  return `sha384-${createHash("sha384").update(bytes).digest("base64")}`;
}

/**
 * Routes wasm-split's chunk loads (dist/wasm/__wasm_split.js, from wasm_split_cli_support
 * 0.2.4) through js/src/chunks.js: fetched with retries and where a bundler put them, and
 * registered by name for preloading. Split chunks lose the location hash in their file
 * names (`split_status_view_8317….wasm` → `split_status_view.wasm`), so that the size budget
 * and the preload list can name them. False when there is nothing to route (an unsplit
 * build, or one routed already).
 */
function routeChunkLoads() {
  const path = join(wasmDir, "__wasm_split.js");
  if (!existsSync(path)) return false;
  let js = readFileSync(path, "utf8");
  const expect = (pattern, what) => {
    if (!pattern.test(js))
      throw new Error(`js/build.mjs: __wasm_split.js has no ${what}; was wasm-split-cli upgraded?`);
  };
  expect(/fetch\(new URL\("\.\/[\w.]+\.wasm", import\.meta\.url\)\)/, "chunk fetch");
  expect(/^function makeLoad\(fetcher, deps\) \{$/m, "makeLoad");
  const renames = new Map();
  for (const file of readdirSync(wasmDir)) {
    const stable = file.match(/^(split_[a-z0-9_]+?)_\d+\.wasm$/);
    if (stable) renames.set(file, `${stable[1]}.wasm`);
  }
  for (const [from, to] of renames) {
    renameSync(join(wasmDir, from), join(wasmDir, to));
    js = js.replaceAll(`"./${from}"`, `"./${to}"`);
  }
  js = js.replace(/fetch\(new URL\(/g, "fetchChunk(new URL(");
  js = js.replace(
    /export const (__wasm_split_load_([a-z0-9_]+?)_\d+) = wrapAsyncCb\(makeLoad\(([\s\S]*?)\n, \[([^\]]*)\]\)\);/g,
    (_, name, fn, fetcher, deps) =>
      `export const ${name} = wrapAsyncCb(registerLoad(${JSON.stringify(fn)}, makeLoad(${fetcher}\n, [${deps}])));`,
  );
  expect(/registerLoad\(/, "split loader");
  js = `import { fetchChunk, registerLoad } from ${JSON.stringify(join(root, "js/src/chunks.js"))};\n${js}`;
  writeFileSync(path, js);
  return true;
}

/**
 * The playground page (`make demo`): index.html without trunk's build directives, and the
 * snippet builder, told which loader its snippets pin: the versioned CDN copy, with its SRI
 * hash from the manifest.
 */
function writePlayground() {
  const html = readFileSync(join(root, "index.html"), "utf8").replace(/^\s*<link data-trunk [^>]*>\n/gm, "");
  writeFileSync(join(dist, "index.html"), html);
  cpSync(join(root, "demo/signin.js"), join(dist, "signin.js"));
  const manifest = JSON.parse(readFileSync(join(dist, "cdn", version, "manifest.json"), "utf8"));
  const loader = `cdn/${version}/${manifest.loader.name}`;
  const integrity = manifest.loader.integrity;
  const release = JSON.stringify({ version, loader, integrity }).replace(/</g, "\\u003c");
  writeFileSync(
    join(dist, "builder.html"),
    readFileSync(join(root, "demo/builder.html"), "utf8").replace("__SIR_DONATE_RELEASE__", release),
  );
  for (const file of ["builder.js", "builder.css"]) cpSync(join(root, "demo", file), join(dist, file));
}
