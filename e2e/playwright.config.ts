import { defineConfig } from "@playwright/test";

// Servers of their own, on ports apart from `make demo`'s, so both can run at once.
export const SANDBOX_URL = "http://127.0.0.1:8793";
export const PAGES_URL = "http://127.0.0.1:8794";

export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.ts",
  outputDir: "artifacts/results",
  // One sandbox is shared and reset per test, so specs run one at a time.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  reporter: [["list"], ["./support/summary-reporter.ts"]],
  use: {
    baseURL: PAGES_URL,
    // Debian's Chromium: Playwright can't download browsers here.
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    },
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
  },
  webServer: [
    {
      command: "../target/debug/sir-sandbox --port 8793 --log-format json",
      url: `${SANDBOX_URL}/healthz`,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "ignore",
    },
    {
      command: `node ../scripts/serve.mjs --dir ../dist --pages pages --port 8794 --api-base ${SANDBOX_URL}`,
      url: `${PAGES_URL}/sir-donate.js`,
      reuseExistingServer: false,
    },
  ],
});
