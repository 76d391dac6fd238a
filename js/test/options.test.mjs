// The option names have one source, js/options.json: js/generate-options.mjs writes the loader's list
// (js/src/option-names.js), the members of SirDonateOptions (js/sir-donate.d.ts) and the README's table
// from it. These tests fail when one of those is stale, and hold what is still written by hand to the
// same list: the Rust options parser (src/domain/options.rs), the element's observed attributes and
// the WordPress plugin, which splits the options between its settings and its display options.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import "./defines.mjs";
import { fakePage } from "./fake-page.mjs";
import { kebabCase, readOptions, staleFiles } from "../generate-options.mjs";
import { install } from "../src/element.js";

const read = (path) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
const camelCase = (name) => name.replace(/-([a-z])/g, (_, letter) => letter.toUpperCase());
const sorted = (names) => [...new Set(names)].sort();

const listed = sorted(readOptions().map((option) => option.name));

test("the files generated from js/options.json are up to date", () => {
  assert.deepEqual(staleFiles(), [], "stale: run `node js/generate-options.mjs` and commit what it wrote");
});

test("<sir-donate> observes every listed option, as its attribute", () => {
  const page = fakePage();
  install(() => page.importGlue(), "https://cdn.example/wasm/sir-donate_bg.wasm");
  const observed = page.defined.get("sir-donate").observedAttributes;
  assert.deepEqual(sorted(observed), sorted(listed.map(kebabCase)));
});

test("the Rust options parser knows the same options", () => {
  const list = read("src/domain/options.rs").match(/pub const OPTION_NAMES: \[&str; \d+\] = \[([^\]]*)\]/);
  assert.ok(list, "OPTION_NAMES in src/domain/options.rs");
  assert.deepEqual(sorted([...list[1].matchAll(/"(\w+)"/g)].map((m) => m[1])), listed);
});

test("the public types declare the same options", () => {
  const body = read("js/sir-donate.d.ts").match(/export interface SirDonateOptions \{([\s\S]*?)\n\}/);
  assert.ok(body, "interface SirDonateOptions in js/sir-donate.d.ts");
  assert.deepEqual(sorted([...body[1].matchAll(/^\s+(\w+)\??:/gm)].map((m) => m[1])), listed);
});

test("the README documents the same options", () => {
  const section = read("README.md").match(/\n##+ Options\n([\s\S]*?)\n#/);
  assert.ok(section, "the README's Options section");
  // First cells such as `api-base` / `apiBase`.
  const names = [...section[1].matchAll(/^\| ([^|]+) \|/gm)].flatMap((row) =>
    [...row[1].matchAll(/`([\w-]+)`/g)].map((m) => camelCase(m[1])),
  );
  assert.deepEqual(sorted(names), listed);
});

test("the WordPress plugin's display and site options are the widget's options, and its block has each display option", () => {
  const render = read("integrations/wordpress/sir-donate/includes/render.php");
  const display = render.match(/function sir_donate_display_options\(\) \{\s*return array\(([^)]*)\);/);
  const site = render.match(/const SIR_DONATE_SITE_ATTRIBUTES = array\(([^)]*)\);/);
  assert.ok(display && site, "sir_donate_display_options and SIR_DONATE_SITE_ATTRIBUTES in render.php");
  const displayNames = [...display[1].matchAll(/'([\w-]+)'/g)].map((m) => m[1]);
  const siteNames = [...site[1].matchAll(/'([\w-]+)'\s*=>/g)].map((m) => m[1]);
  // `key`: the older name of `publishable-key`, which the plugin writes; never from Authors either.
  assert.deepEqual(sorted([...displayNames, ...siteNames, "key"].map(camelCase)), listed);
  assert.deepEqual(
    siteNames.filter((name) => displayNames.includes(name)),
    [],
  );
  const block = JSON.parse(read("integrations/wordpress/sir-donate/block/block.json"));
  assert.deepEqual(
    sorted(Object.keys(block.attributes).filter((name) => name !== "fallbackUrl")),
    sorted(displayNames.map(camelCase)),
  );
});

test("attributes are the kebab-case of the option names", () => {
  for (const name of listed) assert.match(kebabCase(name), /^[a-z]+(-[a-z]+)*$/);
});
