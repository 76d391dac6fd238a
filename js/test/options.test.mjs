// The option names are written in four places: the element's attributes (js/src/element.js),
// the Rust options parser (src/domain/options.rs), the public types (js/sir-donate.d.ts) and
// the README's options table; the WordPress plugin splits them between its settings and its
// display options. This test holds them to one list.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import "./defines.mjs";
import { OPTION_ATTRIBUTES } from "../src/element.js";

const read = (path) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
const camelCase = (name) => name.replace(/-([a-z])/g, (_, letter) => letter.toUpperCase());
const sorted = (names) => [...new Set(names)].sort();

const fromElement = sorted(OPTION_ATTRIBUTES.map(camelCase));

test("the Rust options parser knows the same options", () => {
  const list = read("src/domain/options.rs").match(/pub const OPTION_NAMES: \[&str; \d+\] = \[([^\]]*)\]/);
  assert.ok(list, "OPTION_NAMES in src/domain/options.rs");
  assert.deepEqual(sorted([...list[1].matchAll(/"(\w+)"/g)].map((m) => m[1])), fromElement);
});

test("the public types declare the same options", () => {
  const body = read("js/sir-donate.d.ts").match(/export interface SirDonateOptions \{([\s\S]*?)\n\}/);
  assert.ok(body, "interface SirDonateOptions in js/sir-donate.d.ts");
  assert.deepEqual(sorted([...body[1].matchAll(/^\s+(\w+)\??:/gm)].map((m) => m[1])), fromElement);
});

test("the README documents the same options", () => {
  const section = read("README.md").match(/\n##+ Options\n([\s\S]*?)\n#/);
  assert.ok(section, "the README's Options section");
  // First cells such as `api-base` / `apiBase` or `min` / `max`.
  const names = [...section[1].matchAll(/^\| ([^|]+) \|/gm)].flatMap((row) =>
    [...row[1].matchAll(/`([\w-]+)`/g)].map((m) => camelCase(m[1])),
  );
  assert.deepEqual(sorted(names), fromElement);
});

test("the WordPress plugin's display and site options are the widget's options, and its block has each display option", () => {
  const render = read("integrations/wordpress/sir-donate/includes/render.php");
  const display = render.match(/function sir_donate_display_options\(\) \{\s*return array\(([^)]*)\);/);
  const site = render.match(/const SIR_DONATE_SITE_ATTRIBUTES = array\(([^)]*)\);/);
  assert.ok(display && site, "sir_donate_display_options and SIR_DONATE_SITE_ATTRIBUTES in render.php");
  const displayNames = [...display[1].matchAll(/'([\w-]+)'/g)].map((m) => m[1]);
  const siteNames = [...site[1].matchAll(/'([\w-]+)'\s*=>/g)].map((m) => m[1]);
  // `key`: the older name of `publishable-key`, which the plugin writes; never from Authors either.
  assert.deepEqual(sorted([...displayNames, ...siteNames, "key"].map(camelCase)), fromElement);
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
  for (const name of OPTION_ATTRIBUTES) assert.match(name, /^[a-z]+(-[a-z]+)*$/);
});
