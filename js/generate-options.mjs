// Writes the option list of js/options.json where it is needed, so that an option is added in one place:
//   js/src/option-names.js   OPTION_NAMES and OPTION_ATTRIBUTES, for the loader
//   js/sir-donate.d.ts       the members of SirDonateOptions, between its BEGIN/END options comments
//   README.md                the options table, between its BEGIN/END options comments
// `node js/generate-options.mjs` writes them (js/build.mjs runs it too); `--check` only says which are stale
// and fails (make lint, js/test/options.test.mjs). src/domain/options.rs is held to the list by that test.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE = "js/options.json";
const BEGIN = `BEGIN options: generated from ${SOURCE} by js/generate-options.mjs; edit there.`;
const END = "END options";

/** `apiBase` → `api-base`: an option's attribute name. */
export const kebabCase = (name) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** The options of js/options.json, checked for what the generated files need. */
export function readOptions() {
  const { options } = JSON.parse(readFileSync(join(root, SOURCE), "utf8"));
  const seen = new Set();
  for (const option of options) {
    const where = `${SOURCE}: option ${JSON.stringify(option.name)}`;
    if (!/^[a-z]+([A-Z][a-z]+)*$/.test(option.name ?? "")) throw new Error(`${where}: a name is camelCase letters`);
    if (seen.has(option.name)) throw new Error(`${where} is listed twice`);
    seen.add(option.name);
    for (const field of ["type", "default", "meaning"]) {
      if (typeof option[field] !== "string" || !option[field]) throw new Error(`${where} has no ${field}`);
    }
    if (/\||\n/.test(option.default + option.meaning)) throw new Error(`${where}: a table cell holds no | or newline`);
  }
  return options;
}

/** `text` as a JSDoc comment indented by `indent`, wrapped at 110 columns. */
function jsDoc(text, indent) {
  const lines = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    const room = 110 - indent.length - (lines.length ? 3 : 4);
    if (line && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  return `${indent}/** ${lines.join(`\n${indent} * `)} */`;
}

/** A string array as Biome formats it: on one line if it fits in 120 columns, else one item a line. */
function arrayLiteral(prefix, items) {
  const oneLine = `${prefix}[${items.map((item) => JSON.stringify(item)).join(", ")}];`;
  if (oneLine.length <= 120) return oneLine;
  return `${prefix}[\n${items.map((item) => `  ${JSON.stringify(item)},\n`).join("")}];`;
}

function optionNamesModule(options) {
  const names = options.map((option) => option.name);
  return [
    "// @ts-check",
    `// Generated from ${SOURCE} by js/generate-options.mjs (js/build.mjs runs it): edit there, not here.`,
    "",
    "/**",
    " * Every option of `SirDonateOptions`, by its JS name.",
    ' * @type {Array<keyof import("../sir-donate").SirDonateOptions>}',
    " */",
    arrayLiteral("export const OPTION_NAMES = ", names),
    "",
    "/**",
    " * The `<sir-donate>` attributes: the same options in kebab-case, in the same order.",
    ' * @type {Array<keyof import("../sir-donate").SirDonateElementAttributes>}',
    " */",
    arrayLiteral("export const OPTION_ATTRIBUTES = ", names.map(kebabCase)),
    "",
  ].join("\n");
}

function typeMembers(options) {
  return options
    .flatMap((option) => [
      ...(option.doc ? [jsDoc(option.doc, "  ")] : []),
      `  ${option.name}${option.required ? "" : "?"}: ${option.type};`,
    ])
    .join("\n");
}

function readmeTable(options) {
  const rows = options.map((option) => {
    const attribute = kebabCase(option.name);
    const names = attribute === option.name ? `\`${option.name}\`` : `\`${attribute}\` / \`${option.name}\``;
    return `| ${names} | ${option.default} | ${option.meaning} |`;
  });
  return ["| attribute / option | default | meaning |", "|---|---|---|", ...rows].join("\n");
}

/** `file`'s text with the lines between its `begin` and `end` marker lines replaced by `body`. */
function between(file, [begin, end], body) {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const first = lines.findIndex((line) => line.trim() === begin);
  const last = lines.findIndex((line) => line.trim() === end);
  if (first < 0 || last < first) throw new Error(`${file}: the marker lines "${begin}" and "${end}" are missing`);
  return [...lines.slice(0, first + 1), body, ...lines.slice(last)].join("\n");
}

/** Each generated file's path (from the repository root) and the text it should have. */
export function generatedFiles(options = readOptions()) {
  return {
    "js/src/option-names.js": optionNamesModule(options),
    "js/sir-donate.d.ts": between("js/sir-donate.d.ts", [`// ${BEGIN}`, `// ${END}`], typeMembers(options)),
    "README.md": between("README.md", [`<!-- ${BEGIN} -->`, `<!-- ${END} -->`], readmeTable(options)),
  };
}

/** The generated files whose text differs from what js/options.json gives. */
export function staleFiles() {
  return Object.entries(generatedFiles())
    .filter(([file, text]) => {
      try {
        return readFileSync(join(root, file), "utf8") !== text;
      } catch {
        return true;
      }
    })
    .map(([file]) => file);
}

/** Writes the generated files that are stale, and only those (their times stay put otherwise). */
export function writeOptionFiles() {
  const stale = staleFiles();
  const files = generatedFiles();
  for (const file of stale) writeFileSync(join(root, file), files[file]);
  return stale;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--check")) {
    const stale = staleFiles();
    if (stale.length) {
      console.error(`Stale, not as ${SOURCE} says: ${stale.join(", ")}. Run \`node js/generate-options.mjs\`.`);
      process.exit(1);
    }
  } else {
    for (const file of writeOptionFiles()) console.log(`wrote ${file}`);
  }
}
