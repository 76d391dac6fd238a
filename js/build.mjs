// Builds the JavaScript around the wasm, after `trunk build --release` wrote dist/wasm/:
//   dist/sir-donate.js   the script-tag loader (minified IIFE)
//   dist/npm/            the npm package `sir-donate` (ESM, types, wasm as a separate asset)
//   dist/sir-donate-<version>.tgz   that package, packed with `npm pack`
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const version = readFileSync(join(root, "Cargo.toml"), "utf8").match(/^version = "([^"]+)"/m)[1];
const define = { __SIR_DONATE_VERSION__: JSON.stringify(version) };
const common = { define, minify: true, target: "es2020", legalComments: "inline", logLevel: "warning" };

// trunk writes the wasm-bindgen glue unminified; minified it is 8.8 → 6.5 KB gzip.
const glue = join(dist, "wasm/sir-donate.js");
await build({ ...common, entryPoints: [glue], format: "esm", outfile: glue, allowOverwrite: true });

await build({ ...common, entryPoints: [join(root, "js/src/script.js")], bundle: true, format: "iife", outfile: join(dist, "sir-donate.js") });

const npm = join(dist, "npm");
rmSync(npm, { recursive: true, force: true });
mkdirSync(npm, { recursive: true });
// Two modules, so that importing the package loads nothing but the tiny entry.
await build({ ...common, entryPoints: [join(root, "js/src/npm.js")], format: "esm", outfile: join(npm, "index.js") });
await build({ ...common, entryPoints: [join(root, "js/src/element.js")], format: "esm", outfile: join(npm, "element.js") });
cpSync(join(dist, "wasm"), join(npm, "wasm"), { recursive: true });
cpSync(join(root, "js/sir-donate.d.ts"), join(npm, "index.d.ts"));
cpSync(join(root, "js/npm/README.md"), join(npm, "README.md"));
const manifest = JSON.parse(readFileSync(join(root, "js/npm/package.json"), "utf8"));
writeFileSync(join(npm, "package.json"), JSON.stringify({ ...manifest, version }, null, 2) + "\n");
execFileSync("npm", ["pack", "--silent", "--pack-destination", dist], { cwd: npm, stdio: ["ignore", "ignore", "inherit"] });
console.log(`js/build.mjs: dist/sir-donate.js, dist/npm/, dist/sir-donate-${version}.tgz`);
