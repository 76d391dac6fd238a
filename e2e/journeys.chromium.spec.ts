import { test } from "@playwright/test";
import { journeys, runJourney } from "./journeys/journeys";
import { PlaywrightTab } from "./journeys/tab";

// The donor's core journeys (journeys/journeys.ts) in Chromium, through Playwright. The
// same journeys run in Firefox and WebKit through WebDriver (journeys.webdriver.spec.ts).
for (const journey of journeys) {
  test(journey.title, async ({ page, request }) => {
    await runJourney(journey, new PlaywrightTab(page), request);
  });
}
