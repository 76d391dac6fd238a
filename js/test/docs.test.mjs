// Every relative link in the README and in docs/ resolves: the file (or folder) exists, and
// a `#fragment` into a Markdown file names one of its headings (GitHub's anchors).
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The Markdown files the links are checked in. */
function documents() {
  const inDocs = (dir) =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? inDocs(path) : name.endsWith(".md") ? [path] : [];
    });
  return [join(root, "README.md"), ...inDocs(join(root, "docs"))];
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, "")
    .replace(/ /g, "-");

const anchorsOf = (file) => {
  const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1])));
};

test("every relative link in the README and docs/ resolves", () => {
  const broken = [];
  for (const file of documents()) {
    const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [path, fragment] = target.split("#");
      const dest = path === "" ? file : resolve(dirname(file), path);
      // Outside the repository (the API reference beside it): not this test's to check.
      if (relative(root, dest).startsWith("..")) continue;
      if (!existsSync(dest)) {
        broken.push(`${relative(root, file)}: ${target} (no such file)`);
      } else if (fragment && dest.endsWith(".md") && !anchorsOf(dest).has(fragment)) {
        broken.push(`${relative(root, file)}: ${target} (no such heading)`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

test("the README is a front page: at most 200 lines, the commands, the snippet and the map first", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  assert.ok(readme.split("\n").length <= 200, `${readme.split("\n").length} lines`);
  const firstScreen = readme.split("\n").slice(0, 80).join("\n");
  for (const expected of ["make demo", "make test", "<sir-donate", "## Where things are"]) {
    assert.ok(firstScreen.includes(expected), expected);
  }
});
