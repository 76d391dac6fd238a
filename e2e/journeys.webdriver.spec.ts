import { test as base } from "@playwright/test";
import { journeys, runJourney } from "./journeys/journeys";
import { startWebDriver, WebDriverTab, type WebDriverServer } from "./journeys/tab";
import { PAGES_URL } from "./playwright.config";

// The donor's core journeys (journeys/journeys.ts) in Firefox and WebKit, through
// WebDriver: the `firefox` and `webkit` projects of playwright.config.ts run this file,
// with Playwright as the test runner only. One driver per worker, a fresh session per
// journey (a new browser profile: nothing remembered from the journey before).
const test = base.extend<{ tab: WebDriverTab }, { engine: "firefox" | "webkit"; server: WebDriverServer }>({
  engine: ["firefox", { option: true, scope: "worker" }],
  server: [
    async ({ engine }, use) => {
      const server = await startWebDriver(engine);
      await use(server);
      await server.stop();
    },
    { scope: "worker", timeout: 60_000 },
  ],
  tab: async ({ engine, server }, use, testInfo) => {
    const driver = await server.session();
    const tab = new WebDriverTab(engine, driver, PAGES_URL);
    try {
      await use(tab);
    } finally {
      if (testInfo.status !== testInfo.expectedStatus) {
        await tab.screenshot(testInfo.outputPath("failure.png")).catch(() => {});
      }
      await driver.quit();
    }
  },
});

for (const journey of journeys) {
  test(journey.title, async ({ tab, request }) => {
    await runJourney(journey, tab, request);
  });
}
