// What the wasm is made of, by crate and by function (twiggy 0.8.0).
//   node bench/wasm-report.mjs          print the report (Markdown)
//   node bench/wasm-report.mjs --json   print it as JSON (run.mjs puts it in results.json)
//
// The shipped dist/wasm/sir-donate_bg.wasm (the main module) has no names (wasm-opt strips
// them), so this rebuilds a named twin from the splitter's output, the way
// scripts/build-wasm.sh builds the shipped one:
//   target/wasm-split/sir-donate.wasm   (wasm-split-cli's main module, with names)
//     → wasm-bindgen --target web --keep-lld-exports   (keeps the name section)
//     → wasm-opt -Oz -g             (the build runs -Oz; -g keeps the names, not the code)
// and reports the twin's size, less its name section, beside the shipped file's (they match).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, "..");
const ARTIFACT = join(ROOT, "target/wasm-split/sir-donate.wasm");
const SHIPPED = join(ROOT, "dist/wasm/sir-donate_bg.wasm");
const OUT = join(here, ".out/named");
const NAMED = join(OUT, "sir-donate_bg.named.wasm");
export const TWIGGY_VERSION = "0.8.0";

/** First of `candidates` that exists, else the bare name (found on PATH). */
function tool(name, candidates) {
  return candidates.find((path) => existsSync(path)) ?? name;
}
const TWIGGY = tool("twiggy", [join(homedir(), ".cargo/bin/twiggy")]);
const WASM_BINDGEN = tool("wasm-bindgen", [join(homedir(), ".cargo/bin/wasm-bindgen")]);
const WASM_OPT = tool("wasm-opt", [join(ROOT, "node_modules/.bin/wasm-opt")]);

const run = (command, args) => execFileSync(command, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });

/** Builds the named twin, unless one newer than the release artifact is already there. */
function namedTwin() {
  if (!existsSync(ARTIFACT)) throw new Error(`bench/wasm-report.mjs: ${ARTIFACT} is missing; run \`make build\` first`);
  if (existsSync(NAMED) && statSync(NAMED).mtimeMs >= statSync(ARTIFACT).mtimeMs) return NAMED;
  mkdirSync(OUT, { recursive: true });
  run(WASM_BINDGEN, ["--target", "web", "--keep-lld-exports", "--out-dir", OUT, "--out-name", "sir-donate", ARTIFACT]);
  run(WASM_OPT, ["-Oz", "-g", join(OUT, "sir-donate_bg.wasm"), "-o", NAMED]);
  return NAMED;
}

// Crates grouped the way a size decision is made: what would go if we dropped the thing.
const FAMILIES = [
  [
    "leptos (tachys, reactive_graph, …)",
    /^(leptos\w*|tachys|reactive_graph|reactive_stores|either_of|any_spawner|send_wrapper|slotmap|throw_error|oco_ref|next_tuple|hydration_context|server_fn\w*|guardian|or_poisoned|futures\w*|pin_project\w*|async_lock|event_listener\w*|concurrent_queue|indexmap|hashbrown|rustc_hash|paste|typed_builder\w*|const_str_slice_concat|wasm_streams|drain_filter_polyfill|linear_map)$/,
  ],
  ["serde + serde_json", /^(serde|serde_core|serde_json|serde_wasm_bindgen|itoa|ryu|zmij|memchr)$/],
  ["Rust std (core, alloc, dlmalloc)", /^(core|alloc|std|dlmalloc|compiler_builtins|panic_\w+|__rustc)$/],
  ["wasm-bindgen, js-sys, web-sys", /^(wasm_bindgen\w*|js_sys|web_sys)$/],
  ["gloo (net, timers)", /^(gloo\w*|http)$/],
  ["sir_donate (our code)", /^sir_donate$/],
  ["thiserror", /^thiserror\w*$/],
];

/** The crate an item's code belongs to, from its demangled name (heuristic). */
export function crateOf(rawName) {
  const name = rawName.replace(/\[[0-9a-f]{16}\]/g, "").replace(/::h[0-9a-f]{16}$/, "");
  if (/^data segment /.test(name)) return "(data segments)";
  if (/^custom section |subsection"?$|^"[^"]*" subsection/.test(name)) return "(custom sections)";
  if (/^(type|table|elem|global|memory|import|export|start|code|func)\b|^wasm magic|section headers$/.test(name))
    return "(unnamed code, tables, types, headers)";
  // Exported classes from wasm-streams (a leptos dependency) and wasm-bindgen's ABI shims.
  if (/^intounderlying/.test(name)) return "wasm_streams";
  if (/^__wbg_|^__wbindgen|^__externref|^wbg::|^wasm_bindgen::__rt| shim$/.test(name)) return "wasm_bindgen";
  if (/^(__multi3|__[a-z]+[0-9]+|mem(cmp|cpy|set|move))$/.test(name)) return "compiler_builtins";
  return crateOfPath(name) ?? "(unattributed)";
}

/** `<A as B>::f` belongs to A's crate (B's when A is a primitive or a type parameter);
 * `core::ptr::drop_in_place<X>` to X's; anything else to its first path segment. */
function crateOfPath(path) {
  const text = path.trim().replace(/^(&(mut )?|\*(const|mut) |dyn |impl )+/, "");
  const dropGlue = text.match(/^core::ptr::drop_in_place<(.*)>$/);
  if (dropGlue) return crateOfPath(dropGlue[1]) ?? "core";
  if (text.startsWith("<")) {
    let depth = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === "<") depth++;
      else if (c === ">") {
        depth--;
        if (depth === 0) return crateOfPath(text.slice(1, i));
      } else if (depth === 1 && text.startsWith(" as ", i)) {
        const self = crateOfPath(text.slice(1, i));
        if (self) return self;
        let end = i + 4;
        for (let d = 1; end < text.length && d > 0; end++) {
          if (text[end] === "<") d++;
          else if (text[end] === ">") d--;
        }
        return crateOfPath(text.slice(i + 4, end - 1));
      }
    }
    return null;
  }
  if (text.startsWith("[") || text.startsWith("(")) return crateOfPath(text.slice(1));
  // Inherent methods of primitives (`<char>::escape_debug_ext`, `<[u8]>::starts_with`) live in core.
  if (/^(bool|char|str|[iu](8|16|32|64|128|size)|f(32|64))\b/.test(text)) return "core";
  const match = text.match(/^([A-Za-z_][A-Za-z0-9_]*)::/);
  return match ? match[1] : null;
}

export function familyOf(crate) {
  return FAMILIES.find(([, pattern]) => pattern.test(crate))?.[0] ?? (crate.startsWith("(") ? crate : "other crates");
}

// Cross-cutting costs worth naming, whatever crate they sit in (they overlap the crates).
const THEMES = [
  [
    "float formatting (flt2dec, f64 Display/Debug)",
    /flt2dec|fmt::float|<f(32|64) as core::fmt::(Display|Debug)>|dragon|grisu/,
  ],
  ["core::fmt machinery (format!, Display/Debug impls)", /core::fmt|as core::fmt::(Display|Debug)>|alloc::fmt::format/],
  [
    "serde Deserialize/Serialize impls (any crate)",
    /serde_core::de|serde_core::ser|as serde_core::|serde_json::de|serde_json::ser|serde_wasm_bindgen/,
  ],
  ["panic and unwrap paths", /panic|unwrap_failed|expect_failed|core::result::unwrap|core::option::unwrap/],
  // Demanglers spell closures `{{closure}}` (legacy) or `{closure#0}` (v0 symbols).
  [
    "closures and futures (async state machines)",
    /\{\{closure\}\}|\{closure#\d+\}|as core::future::future::Future>::poll/,
  ],
];

const strip = (name) => name.replace(/\[[0-9a-f]{16}\]/g, "").replace(/::h[0-9a-f]{16}$/, "");

/** The report: top items, bytes per crate, per family, per theme, and monomorphization bloat. */
export function wasmReport({ top = 25, shipped = SHIPPED } = {}) {
  const twiggyVersion = run(TWIGGY, ["--version"]).trim();
  const named = namedTwin();
  const items = JSON.parse(run(TWIGGY, ["top", "-n", "1000000", "--format", "json", named]));
  const names = items.filter(
    (item) => crateOf(item.name) === "(custom sections)" && /function names|name/.test(item.name),
  );
  const namesBytes = names.reduce((sum, item) => sum + item.shallow_size, 0);
  const total = items.reduce((sum, item) => sum + item.shallow_size, 0);
  const code = items.filter((item) => !names.includes(item));
  const codeTotal = total - namesBytes;
  const shippedBytes = existsSync(shipped) ? statSync(shipped).size : null;

  const byCrate = new Map();
  const byFamily = new Map();
  for (const item of code) {
    const crate = crateOf(item.name);
    byCrate.set(crate, (byCrate.get(crate) ?? 0) + item.shallow_size);
    const family = familyOf(crate);
    byFamily.set(family, (byFamily.get(family) ?? 0) + item.shallow_size);
  }
  const share = (bytes) => bytes / codeTotal;
  const table = (map) =>
    [...map].sort((a, b) => b[1] - a[1]).map(([name, bytes]) => ({ name, bytes, share: share(bytes) }));
  const themes = THEMES.map(([name, pattern]) => {
    const bytes = code
      .filter((item) => pattern.test(strip(item.name)))
      .reduce((sum, item) => sum + item.shallow_size, 0);
    return { name, bytes, share: share(bytes) };
  });
  const monos = JSON.parse(run(TWIGGY, ["monos", "-m", "15", "-n", "0", "--format", "json", named]))
    .filter((entry) => !entry.generic.startsWith("Σ") && !entry.generic.startsWith("..."))
    .map((entry) => ({
      generic: strip(entry.generic),
      bloatBytes: entry.approximate_monomorphization_bloat_bytes,
      totalBytes: entry.total_size,
    }));
  return {
    tool: twiggyVersion,
    input:
      "wasm-bindgen --keep-lld-exports + wasm-opt -Oz -g of target/wasm-split/sir-donate.wasm (named twin of the main module, dist/wasm/sir-donate_bg.wasm)",
    note: "Raw (uncompressed) wasm bytes; the crate is read from each function's demangled path, so generic code counts for the crate that defines it, not the crate that instantiated it.",
    namedTwinBytesWithoutNames: codeTotal,
    shippedBytes,
    top: code.slice(0, top).map((item) => ({
      name: strip(item.name),
      crate: crateOf(item.name),
      bytes: item.shallow_size,
      share: share(item.shallow_size),
    })),
    crates: table(byCrate),
    families: table(byFamily),
    themes,
    monomorphizations: monos.slice(0, 12),
  };
}

const kb = (bytes) => (bytes / 1000).toFixed(1);
const pct = (x) => `${(x * 100).toFixed(1)}%`;
const cell = (text) => String(text).replaceAll("|", "\\|");

/** The report as Markdown. */
export function wasmMarkdown(report, { crates = 20 } = {}) {
  const lines = [];
  lines.push(`### What the wasm is made of (${report.tool}, raw bytes)`);
  lines.push("");
  lines.push(
    `Named twin: ${kb(report.namedTwinBytesWithoutNames)} KB without its name section; shipped file: ${report.shippedBytes === null ? "missing" : `${kb(report.shippedBytes)} KB`}.`,
  );
  if (report.shippedBytes !== null && Math.abs(report.namedTwinBytesWithoutNames / report.shippedBytes - 1) > 0.01) {
    lines.push("");
    lines.push(
      "**The twin differs from the shipped file by more than 1%: dist/ and target/ come from different builds; run `make build`.**",
    );
  }
  lines.push("");
  lines.push("| family | KB | share |", "|---|---:|---:|");
  for (const row of report.families) lines.push(`| ${cell(row.name)} | ${kb(row.bytes)} | ${pct(row.share)} |`);
  lines.push("");
  lines.push("| crate | KB | share |", "|---|---:|---:|");
  for (const row of report.crates.slice(0, crates))
    lines.push(`| \`${cell(row.name)}\` | ${kb(row.bytes)} | ${pct(row.share)} |`);
  lines.push("");
  lines.push("| cross-cutting cost (overlaps the crates) | KB | share |", "|---|---:|---:|");
  for (const row of report.themes) lines.push(`| ${cell(row.name)} | ${kb(row.bytes)} | ${pct(row.share)} |`);
  lines.push("");
  lines.push(`| top ${report.top.length} items | crate | bytes | share |`, "|---|---|---:|---:|");
  for (const row of report.top)
    lines.push(`| \`${cell(row.name)}\` | ${cell(row.crate)} | ${row.bytes} | ${pct(row.share)} |`);
  lines.push("");
  lines.push("| generic function (twiggy monos) | copies' bytes | approx. bloat |", "|---|---:|---:|");
  for (const row of report.monomorphizations)
    lines.push(`| \`${cell(row.generic)}\` | ${row.totalBytes} | ${row.bloatBytes} |`);
  return lines.join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const report = wasmReport();
  console.log(process.argv.includes("--json") ? JSON.stringify(report, null, 2) : wasmMarkdown(report));
}
