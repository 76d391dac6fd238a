// Checks that the shipped wasm uses only the WebAssembly features of the README's
// "Browser support" table, so a toolchain update can't raise the browser baseline unseen.
//   node scripts/wasm-features.mjs [module.wasm …]   (default: every module in dist/wasm/, chunks included)
// rustc's target_features section lists what LLVM may use; binaryen would trust it, so
// it is dropped and the code itself is validated with the allowed features alone.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The features the baseline allows (docs/browser-support.md), as binaryen names them. */
const ALLOWED = [
  "sign-ext",
  "nontrapping-float-to-int",
  "bulk-memory",
  "bulk-memory-opt",
  "multivalue",
  "reference-types",
  "mutable-globals",
];

// The main module and the chunks the splitter made from it (scripts/build-wasm.sh).
const inputs =
  process.argv.length > 2
    ? process.argv.slice(2)
    : readdirSync("dist/wasm")
        .filter((file) => file.endsWith(".wasm"))
        .sort()
        .map((file) => join("dist/wasm", file));

function check(input) {
  const bytes = readFileSync(input);

  function leb(at) {
    let value = 0,
      shift = 0,
      byte;
    do {
      byte = bytes[at++];
      value |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    return [value, at];
  }

  // Every section but the custom sections that declare features.
  const kept = [bytes.subarray(0, 8)];
  for (let at = 8; at < bytes.length; ) {
    const start = at;
    const id = bytes[at++];
    const [size, body] = leb(at);
    at = body + size;
    if (id === 0) {
      const [length, name] = leb(body);
      if (bytes.subarray(name, name + length).toString() === "target_features") continue;
    }
    kept.push(bytes.subarray(start, at));
  }
  const stripped = join(mkdtempSync(join(tmpdir(), "wasm-features-")), "module.wasm");
  writeFileSync(stripped, Buffer.concat(kept));

  const flags = ["--mvp-features", ...ALLOWED.map((feature) => `--enable-${feature}`)];
  try {
    execFileSync("wasm-opt", [stripped, ...flags, "-o", "/dev/null"], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    const why =
      String(error.stderr)
        .split("\n")
        .find((line) => line.includes("require")) ?? String(error.stderr).slice(0, 400);
    console.error(`${input} needs a WebAssembly feature beyond the browser baseline:\n  ${why.trim()}`);
    console.error("Raise the baseline in docs/browser-support.md's table (and ALLOWED here), or keep the feature off.");
    process.exitCode = 1;
    return;
  }
  console.log(`${input}: WebAssembly features within the baseline (${ALLOWED.join(", ")})`);
}

inputs.forEach(check);
