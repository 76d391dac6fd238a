import { mkdirSync, writeFileSync } from "node:fs";
import type { FullResult, Reporter, TestCase, TestResult } from "@playwright/test/reporter";

/** Where each tier leaves its counts for the closing summary of `make test` (scripts/tally.mjs). */
const COUNTS = new URL("../../target/test-counts/", import.meta.url);

type Counts = { passed: number; failed: number; skipped: number; seconds: number };

/**
 * Counts each engine's tests (an engine is a project of playwright.config.ts), prints
 * them, and leaves them in target/test-counts/<tier>-<engine>.json. Its own last line is the
 * plain `N passed, N failed[, N skipped]` of this run.
 */
export default class SummaryReporter implements Reporter {
  private readonly engines = new Map<string, Counts>();
  /** The tier these tests count in: `e2e`, or one of its own (e2e/wordpress). */
  private readonly tier: string;

  constructor({ tier = "e2e" }: { tier?: string } = {}) {
    this.tier = tier;
  }

  onTestEnd(test: TestCase, result: TestResult) {
    // Count each test once, by its final outcome.
    if (result.retry < test.retries && result.status !== "passed" && result.status !== "skipped") return;
    const engine = test.parent.project()?.name ?? "chromium";
    const counts = this.engines.get(engine) ?? { passed: 0, failed: 0, skipped: 0, seconds: 0 };
    // The engine's share of the run: its tests' time, browser and driver start-up included.
    counts.seconds += result.duration / 1000;
    if (result.status === "passed") counts.passed++;
    else if (result.status === "skipped") counts.skipped++;
    else counts.failed++;
    this.engines.set(engine, counts);
  }

  onEnd(_result: FullResult) {
    mkdirSync(COUNTS, { recursive: true });
    const total: Counts = { passed: 0, failed: 0, skipped: 0, seconds: 0 };
    for (const [engine, counts] of this.engines) {
      const seconds = Math.round(counts.seconds);
      writeFileSync(
        new URL(`${this.tier}-${engine}.json`, COUNTS),
        `${JSON.stringify({ tier: this.tier, engine, ...counts, seconds })}\n`,
      );
      console.log(`${this.tier} in ${engine}: ${line(counts)}`);
      total.passed += counts.passed;
      total.failed += counts.failed;
      total.skipped += counts.skipped;
    }
    console.log(line(total));
  }

  printsToStdio() {
    return false;
  }
}

function line({ passed, failed, skipped }: Counts) {
  return `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`;
}
