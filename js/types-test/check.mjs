// `make test-types`: the public types, checked as partners use them. Plain TypeScript
// (consumer.ts), React 19 JSX (tsc), Vue 3 templates (vue-tsc, strictTemplates) and Svelte 5
// markup (svelte-check). Each consumer also holds mistakes that must stay errors: TypeScript and
// vue-tsc have `@ts-expect-error`/`@vue-expect-error`; for Svelte markup, which has neither, this
// script requires an error on each line after an `<!-- expect-error: … -->` comment, and no other.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const bin = (name) => join(here, "../../node_modules/.bin", name);
let failed = 0;

function run(label, command, args) {
  const result = spawnSync(command, args, { encoding: "utf8" });
  const output = `${result.stdout}${result.stderr}`.trim();
  return { ok: result.status === 0, output, label };
}

function report({ ok, output, label }) {
  console.log(`types: ${label}: ${ok ? "ok" : "FAILED"}`);
  if (!ok) {
    failed++;
    console.log(output);
  }
}

report(run("TypeScript (consumer.ts)", bin("tsc"), ["-p", join(here, "tsconfig.json")]));
report(run("React 19 JSX (react/consumer.tsx)", bin("tsc"), ["-p", join(here, "react/tsconfig.json")]));
report(run("Vue 3 templates (vue/Consumer.vue)", bin("vue-tsc"), ["-p", join(here, "vue/tsconfig.json")]));

// svelte-check's machine output: `<time> ERROR "<file>" <line>:<column> "<message>"`.
const svelte = join(here, "svelte");
const check = run("Svelte 5 markup (svelte/Consumer.svelte)", bin("svelte-check"), [
  "--workspace",
  svelte,
  "--tsconfig",
  join(svelte, "tsconfig.json"),
  "--output",
  "machine",
]);
const problems = check.output.split("\n").filter((line) => / (ERROR|WARNING) /.test(line));
const found = new Set(
  problems.filter((line) => / ERROR "Consumer\.svelte" /.test(line)).map((line) => Number(line.match(/" (\d+):/)[1])),
);
const expected = new Set();
readFileSync(join(svelte, "Consumer.svelte"), "utf8")
  .split("\n")
  .forEach((line, index) => {
    if (line.includes("<!-- expect-error:")) expected.add(index + 2);
  });
const missing = [...expected].filter((line) => !found.has(line));
const unexpected = problems.filter(
  (line) => !expected.has(Number((line.match(/" (\d+):/) ?? [])[1])) || !/Consumer\.svelte/.test(line),
);
check.ok = missing.length === 0 && unexpected.length === 0 && /COMPLETED/.test(check.output);
check.output = [
  ...missing.map((line) => `Consumer.svelte:${line}: expected an error here, got none`),
  ...unexpected,
  /COMPLETED/.test(check.output) ? "" : check.output,
].join("\n");
report(check);

process.exit(failed ? 1 : 0);
