// The loader's JavaScript is `// @ts-check`ed: its JSDoc types against the public ones in
// js/sir-donate.d.ts (js/src/tsconfig.json), so the two can't drift apart.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

test("the loader type-checks against js/sir-donate.d.ts", () => {
  const tsc = fileURLToPath(new URL("../../node_modules/.bin/tsc", import.meta.url));
  const project = fileURLToPath(new URL("../src/tsconfig.json", import.meta.url));
  const result = spawnSync(tsc, ["-p", project], { encoding: "utf8" });
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
});
