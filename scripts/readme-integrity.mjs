// Writes this build's loader integrity (dist/cdn/<version>/manifest.json, `make build`) into
// the README's pinned script tags. The build never edits the README: e2e/cdn.spec.ts fails
// when the two differ, and this is the fix, committed with the change that made them differ.
//   node scripts/readme-integrity.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const version = readFileSync(join(root, "Cargo.toml"), "utf8").match(/^version = "([^"]+)"/m)[1];
const manifest = JSON.parse(readFileSync(join(root, "dist/cdn", version, "manifest.json"), "utf8"));
const readme = join(root, "README.md");
const before = readFileSync(readme, "utf8");
const after = before.replace(
  /(<script src="[^"]*\/sir-donate\/)[^/"]+(\/sir-donate\.js" integrity=")[^"]+(" crossorigin="anonymous")/g,
  `$1${version}$2${manifest.loader.integrity}$3`,
);
writeFileSync(readme, after);
console.log(
  before === after
    ? "README.md: already pinned to this build"
    : `README.md: pinned to ${version}, ${manifest.loader.integrity}`,
);
