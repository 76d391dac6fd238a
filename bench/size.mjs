// The size budget: gzip -9 (and brotli) sizes of what dist/ ships to partners.
//   node bench/size.mjs            print the sizes; exit 1 if any file or the total grew
//                                  more than 5% over bench/size-budget.json (the CI check)
//   node bench/size.mjs --update   write the current sizes as the new budget (a decision:
//                                  commit it with the change that made the bundle grow)
//   node bench/size.mjs --json     print the measurement as JSON (for run.mjs)
import { readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, "..");
export const BUDGET_FILE = join(here, "size-budget.json");
/** What a partner's page downloads from dist/: the loader, the glue, the main wasm module,
 * and each chunk the main module loads on demand (wasm/split_*.wasm, wasm/chunk_*.wasm). Not
 * the playground page, nor dist/npm/ and its tarball (a copy of the same files). */
export const SHIPPED = ["sir-donate.js", "wasm/sir-donate.js", "wasm/sir-donate_bg.wasm"];

/** The shipped files of `dist`: SHIPPED and the chunks beside the main module. */
export function shippedFiles(dist = join(ROOT, "dist")) {
  const wasm = join(dist, "wasm");
  const chunks = existsSync(wasm)
    ? readdirSync(wasm)
        .filter((file) => file.endsWith(".wasm") && file !== "sir-donate_bg.wasm")
        .sort()
        .map((file) => `wasm/${file}`)
    : [];
  return [...SHIPPED, ...chunks];
}
export const TOLERANCE = 0.05;

/** Raw, gzip -9 and brotli (quality 11) sizes of one buffer. */
export function compressedSizes(buffer) {
  return {
    raw: buffer.length,
    gzip: gzipSync(buffer, { level: 9 }).length,
    brotli: brotliCompressSync(buffer, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: buffer.length,
      },
    }).length,
  };
}

/** Sizes of every shipped file in `dist` and their total. */
export function measureDist(dist = join(ROOT, "dist")) {
  const files = {};
  for (const file of shippedFiles(dist)) {
    const path = join(dist, file);
    if (!existsSync(path)) throw new Error(`bench/size.mjs: ${path} is missing; run \`make build\` first`);
    files[file] = compressedSizes(readFileSync(path));
  }
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const sizes of Object.values(files)) for (const key of Object.keys(total)) total[key] += sizes[key];
  return { files, total };
}

/** Compares a measurement with the budget: one row per file and one for the total. */
export function checkBudget(measured, budget) {
  const rows = [];
  const limitOf = (gzip) => Math.floor(gzip * (1 + (budget.tolerance ?? TOLERANCE)));
  // A chunk that no longer exists just leaves the budget (`--update` drops it).
  for (const [file, sizes] of [...Object.entries(measured.files), ["total", measured.total]]) {
    const planned = file === "total" ? budget.total?.gzip : budget.files?.[file]?.gzip;
    if (planned === undefined) {
      rows.push({
        file,
        gzip: sizes.gzip,
        budget: null,
        limit: null,
        change: null,
        ok: false,
        why: "not in the budget file",
      });
      continue;
    }
    const limit = limitOf(planned);
    rows.push({
      file,
      gzip: sizes.gzip,
      budget: planned,
      limit,
      change: sizes.gzip / planned - 1,
      ok: sizes.gzip <= limit,
    });
  }
  return rows;
}

export function readBudget() {
  return JSON.parse(readFileSync(BUDGET_FILE, "utf8"));
}

const kb = (bytes) => (bytes / 1000).toFixed(1);
const pct = (x) => (x === null ? "—" : `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`);

function main(argv) {
  const measured = measureDist();
  if (argv.includes("--json")) {
    console.log(JSON.stringify(measured, null, 2));
    return 0;
  }
  if (argv.includes("--update")) {
    const previous = existsSync(BUDGET_FILE) ? readBudget() : {};
    const budget = {
      note:
        "Gzip -9 budget of what dist/ ships to partners: the loader, the glue, the main wasm module and each " +
        "lazily loaded chunk, and their total. `make test-size` fails when a file or the total " +
        "grows more than `tolerance` over these numbers. Growth is a decision: run `node bench/size.mjs --update` " +
        "and commit this file with the change, saying why in the commit message.",
      tolerance: previous.tolerance ?? TOLERANCE,
      measured: new Date().toISOString().slice(0, 10),
      files: Object.fromEntries(
        Object.entries(measured.files).map(([f, s]) => [f, { gzip: s.gzip, brotli: s.brotli, raw: s.raw }]),
      ),
      total: measured.total,
    };
    writeFileSync(BUDGET_FILE, `${JSON.stringify(budget, null, 2)}\n`);
    console.log(`bench/size.mjs: wrote ${BUDGET_FILE} (total ${kb(measured.total.gzip)} KB gzip)`);
    return 0;
  }
  const budget = readBudget();
  const rows = checkBudget(measured, budget);
  console.log(
    `Size budget (gzip -9, KB = 1000 bytes; limit = budget + ${((budget.tolerance ?? TOLERANCE) * 100).toFixed(0)}%, budget of ${budget.measured})`,
  );
  console.log("");
  console.log("| file | raw | gzip | brotli | budget gzip | change | |");
  console.log("|---|---:|---:|---:|---:|---:|---|");
  for (const row of rows) {
    const sizes = row.file === "total" ? measured.total : measured.files[row.file];
    const name = row.file === "total" ? "**total**" : `\`${row.file}\``;
    console.log(
      `| ${name} | ${kb(sizes.raw)} | ${kb(sizes.gzip)} | ${kb(sizes.brotli)} | ${row.budget === null ? "—" : kb(row.budget)} | ${pct(row.change)} | ${row.ok ? "ok" : "**over**"} |`,
    );
  }
  const over = rows.filter((row) => !row.ok);
  if (over.length) {
    console.error("");
    for (const row of over) {
      console.error(
        row.why
          ? `bench/size.mjs: ${row.file} is ${row.why}`
          : `bench/size.mjs: ${row.file} is ${row.gzip} bytes gzip, over its limit of ${row.limit} (budget ${row.budget}, ${pct(row.change)})`,
      );
    }
    console.error(
      "If the growth is intended, run `node bench/size.mjs --update` and commit bench/size-budget.json with the change.",
    );
    return 1;
  }
  console.log("");
  console.log("bench/size.mjs: within budget");
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exit(main(process.argv.slice(2)));
