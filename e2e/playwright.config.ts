import { defineConfig } from "@playwright/test";

/** The option the WebDriver projects set (journeys.webdriver.spec.ts). */
type EngineOption = { engine: "firefox" | "webkit" };

// Servers of their own, on ports apart from `make demo`'s, so both can run at once.
export const SANDBOX_URL = "http://127.0.0.1:8793";
export const PAGES_URL = "http://127.0.0.1:8794";
export const PARTNER_URL = "http://127.0.0.1:8798";
/** The partner server's private listener (metrics, the donations CSV). */
export const PARTNER_METRICS_URL = "http://127.0.0.1:8807";
/** The sandbox signs its webhooks to the partner server with this secret. */
const WEBHOOK_SECRET = "whsec_78fa7c67cb3171ebea2a41e9da818cf05dd7d48d972e0b4410f002554656a0e1";

export default defineConfig<EngineOption>({
  testDir: ".",
  testMatch: "*.spec.ts",
  outputDir: "artifacts/results",
  // One sandbox is shared and reset per test, so specs run one at a time.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  reporter: [["list"], ["./support/summary-reporter.ts"]],
  // Chromium runs every spec through Playwright. Firefox and WebKit run the donor's core
  // journeys (journeys/journeys.ts) through WebDriver: Playwright can't drive Debian's
  // builds of them, so it serves only as their test runner.
  projects: [
    { name: "chromium", testIgnore: "journeys.webdriver.spec.ts" },
    { name: "firefox", testMatch: "journeys.webdriver.spec.ts", use: { engine: "firefox" } },
    { name: "webkit", testMatch: "journeys.webdriver.spec.ts", use: { engine: "webkit" } },
  ],
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
      command: `../target/debug/sir-sandbox --port 8793 --log-format json --webhook-url ${PARTNER_URL}/webhooks/sir --webhook-secret ${WEBHOOK_SECRET} --webhook-retry-base-ms 200`,
      url: `${SANDBOX_URL}/healthz`,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "ignore",
    },
    {
      // The reference partner server, as a partner would deploy it beside their page.
      command: "../target/debug/sir-partner-server",
      url: `${PARTNER_URL}/healthz`,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "ignore",
      env: {
        SIR_API_BASE: SANDBOX_URL,
        SIR_SECRET_KEY: "sk_test_c324ca5be4ee54c387386da622872f2a9eb5d1ed549a534a0c77236730a939b7",
        SIR_HMAC_SECRET: "d2dd24eac6bcec3d55c01a49af7948725fb96acd329e06655a2a59bd2a1706c3",
        SIR_WEBHOOK_SECRET: WEBHOOK_SECRET,
        SIR_PUBLISHABLE_KEY: "pk_test_f40ae06e2cfeb3cb6ce6bbcfa2617d6b8452aff0221c5281ba74b1183db4d378",
        PARTNER_LISTEN: "127.0.0.1:8798",
        PARTNER_METRICS_LISTEN: "127.0.0.1:8807",
        PARTNER_ALLOWED_ORIGINS: "http://127.0.0.1:8794",
        PARTNER_DB: ":memory:",
        // The demo's "any email" sign-in: the specs play several donors. All of them
        // come from 127.0.0.1, so the per-IP limits are raised for the run.
        PARTNER_IDENTITY: "demo",
        PARTNER_SIGN_INS_PER_IP: "600",
        PARTNER_RATE_PER_IP: "6000",
        PARTNER_OUTBOX_RETRY_BASE_MS: "200",
      },
    },
    {
      command: `node ../scripts/serve.mjs --dir ../dist --pages pages --port 8794 --api-base ${SANDBOX_URL}`,
      url: `${PAGES_URL}/sir-donate.js`,
      reuseExistingServer: false,
    },
  ],
});
