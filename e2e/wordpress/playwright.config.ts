import { defineConfig } from "@playwright/test";
import baseConfig from "../playwright.config";

// The WordPress plugin's tests: run by `make test-wordpress` inside scripts/with-wordpress.sh,
// which starts the site (WORDPRESS_URL). Here: the sandbox as the API, and the widget's
// release tree (dist/cdn/) on a second origin with CORS, as a partner's CDN serves it.
// Ports of their own, apart from the main e2e suite's.
export const SANDBOX_URL = "http://127.0.0.1:8810";
export const CDN_URL = "http://127.0.0.1:8811";

export default defineConfig({
  testDir: ".",
  // *.test.ts, not *.spec.ts: the main suite (../playwright.config.ts) must not pick these up.
  testMatch: "*.test.ts",
  outputDir: "../artifacts/wordpress",
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 90_000,
  reporter: [["list"], ["../support/summary-reporter.ts", { tier: "wordpress" }]],
  projects: [{ name: "chromium" }],
  use: { ...baseConfig.use, baseURL: process.env.WORDPRESS_URL },
  webServer: [
    {
      command: "../../target/debug/sir-sandbox --port 8810",
      url: `${SANDBOX_URL}/healthz`,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "ignore",
    },
    {
      command: "node ../../scripts/serve.mjs --dir ../../dist --port 8811 --cors",
      url: `${CDN_URL}/sir-donate.js`,
      reuseExistingServer: false,
    },
  ],
});
