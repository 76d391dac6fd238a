// Counts of every test tier, per engine, and the closing line of `make test`.
//   node scripts/tally.mjs run TIER ENGINE -- COMMAND...  runs cargo tests (or node --test), keeps their counts
//   node scripts/tally.mjs check TIER -- COMMAND...       a check with no tests of its own: one test
//   node scripts/tally.mjs summary TIER:ENGINE...         adds up the expected tiers, ends with
//                                                         `N passed, N failed`; exits 1 on any failure
// Counts (and seconds taken, builds included) go to target/test-counts/<tier>-<engine>.json; the Playwright reporter
// (e2e/support/summary-reporter.ts) writes the e2e ones itself, one per engine.
// A tier that fails without a failed test (a build error, a crashed driver) counts one
// failure, and so does an expected tier that left no counts: the closing line can't
// read green while something did not run.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";

const COUNTS = "target/test-counts";
const NO_ENGINE = "none";
const [mode, ...args] = process.argv.slice(2);

const started = Date.now();

function save(tier, engine, passed, failed, skipped = 0) {
  mkdirSync(COUNTS, { recursive: true });
  const seconds = Math.round((Date.now() - started) / 1000);
  writeFileSync(
    `${COUNTS}/${tier}-${engine}.json`,
    `${JSON.stringify({ tier, engine, passed, failed, skipped, seconds })}\n`,
  );
}

/** Runs the command after `--`, echoing its output; resolves to its exit code and output. */
function runCommand() {
  const command = args.slice(args.indexOf("--") + 1);
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { stdio: ["inherit", "pipe", "pipe"] });
    let output = "";
    for (const [stream, sink] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ]) {
      stream.on("data", (chunk) => {
        output += chunk;
        sink.write(chunk);
      });
    }
    child.on("error", (error) => resolve({ code: 127, output: String(error) }));
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

function line({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`;
}

if (mode === "run") {
  const [tier, engine] = args;
  const { code, output } = await runCommand();
  // cargo and wasm-bindgen-test-runner print one such line per test binary.
  let passed = 0,
    failed = 0,
    skipped = 0;
  for (const [, p, f, i] of output.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/g)) {
    passed += Number(p);
    failed += Number(f);
    skipped += Number(i);
  }
  // node:test's TAP summary (the loader's unit tests).
  for (const [, kind, count] of output.matchAll(/^# (pass|fail|skipped) (\d+)$/gm)) {
    if (kind === "pass") passed += Number(count);
    else if (kind === "fail") failed += Number(count);
    else skipped += Number(count);
  }
  if (code !== 0 && failed === 0) failed = 1;
  save(tier, engine, passed, failed, skipped);
  process.exit(code);
} else if (mode === "check") {
  const [tier] = args;
  const { code } = await runCommand();
  save(tier, NO_ENGINE, code === 0 ? 1 : 0, code === 0 ? 0 : 1);
  process.exit(code);
} else if (mode === "summary") {
  const byEngine = new Map();
  const total = { passed: 0, failed: 0, skipped: 0 };
  const rows = args.map((expected) => {
    const [tier, engine = NO_ENGINE] = expected.split(":");
    const file = `${COUNTS}/${tier}-${engine}.json`;
    const counts = existsSync(file)
      ? JSON.parse(readFileSync(file, "utf8"))
      : { passed: 0, failed: 1, skipped: 0, missing: true };
    const sum = byEngine.get(engine) ?? { passed: 0, failed: 0, skipped: 0 };
    for (const key of ["passed", "failed", "skipped"]) {
      sum[key] += counts[key];
      total[key] += counts[key];
    }
    byEngine.set(engine, sum);
    const name = engine === NO_ENGINE ? tier : `${tier} in ${engine}`;
    const time = counts.seconds === undefined ? "" : `${counts.seconds} s`;
    return `  ${name.padEnd(20)}${String(counts.passed).padStart(7)}${String(counts.failed).padStart(8)}${time.padStart(9)}${counts.missing ? "   (did not run)" : ""}`;
  });
  console.log(`\nTest summary${"passed".padStart(17)}${"failed".padStart(8)}${"time".padStart(9)}`);
  for (const row of rows) console.log(row);
  const engines = [...byEngine].map(([engine, sum]) => `${engine === NO_ENGINE ? "no browser" : engine} ${line(sum)}`);
  console.log(`By engine: ${engines.join(" · ")}`);
  console.log(line(total));
  process.exit(total.failed ? 1 : 0);
} else {
  console.error("usage: tally.mjs run TIER ENGINE -- CMD… | check TIER -- CMD… | summary TIER:ENGINE…");
  process.exit(2);
}
