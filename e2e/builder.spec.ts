import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { PAGES_URL, SANDBOX_URL } from "./playwright.config";
import { Sandbox } from "./support/sandbox";
import { DonateWidget } from "./support/widget";

// The snippet builder (dist/builder.html): controls change the live preview, and the copied
// snippet, pasted into a blank page, renders the same widget.

test.beforeEach(async ({ request }) => {
  await new Sandbox(request).reset();
});

/** Pastes a snippet into a blank page of the test server, whose parser runs its script tag as
 * it would in a partner's page. (A page made up by the test itself would count as a public
 * address for Chromium's local network access, which then blocks the loopback sandbox.) */
async function paste(page: Page, snippet: string) {
  await page.goto("/e2e/empty.html");
  await page.evaluate((html) => {
    document.open();
    document.write(`<!doctype html><html lang="en"><body>${html}</body></html>`);
    document.close();
  }, snippet);
}

/** What a donor sees of a widget: its nonprofit, amounts, button, theme and accent colour. */
async function looks(page: Page) {
  const widget = new DonateWidget(page);
  await widget.seeNonprofit("Water.org");
  const root = widget.root;
  return {
    amounts: await root
      .locator('label[part~="amount"]')
      .evaluateAll((labels) => labels.map((l) => l.textContent?.trim())),
    button: (await widget.donateButton().textContent())?.trim(),
    theme: await root.evaluate((el) => el.shadowRoot!.querySelector(".sd-root")!.getAttribute("data-theme")),
    accent: await widget.donateButton().evaluate((el) => getComputedStyle(el).backgroundColor),
    frequencyLocked: (await root.locator('label[part~="frequency"]').count()) === 0,
    badge: await root.locator('[part~="test-badge"]').count(),
  };
}

test("every control updates the preview, and the copied snippet renders the same widget in a blank page", async ({
  page,
  context,
}) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: PAGES_URL });
  await page.goto(`/builder.html?api-base=${encodeURIComponent(SANDBOX_URL)}`);
  const preview = new DonateWidget(page, "#preview sir-donate");
  await preview.seeNonprofit("American Red Cross");

  await page.getByLabel(/Nonprofit slugs/).fill("water-org");
  await page.getByLabel("Preset amounts").fill("5,15,40");
  await page.getByLabel("Preselected amount").fill("15");
  await page.locator('#controls select[name="theme"]').selectOption("dark");
  await page.getByLabel("Lock the frequency").check();
  await page.getByLabel("Accent colour").first().check();
  await page.locator('input[name="--sd-color-accent"]').fill("#aa3300");
  await preview.seeNonprofit("Water.org");
  await expect(preview.donateButton()).toHaveText("Donate $15");

  const previewLooks = await looks(page);
  const snippet = await page.locator("#snippet").inputValue();
  expect(snippet).toContain('org="water-org"');
  expect(snippet).toContain('amounts="5,15,40"');
  expect(snippet).toContain('theme="dark"');
  expect(snippet).toContain("--sd-color-accent: #aa3300;");
  expect(snippet).not.toContain('mode="'); // inline is the default: left out

  // The script tag pins the version with the loader's real hash.
  const release = JSON.parse((await page.locator("#release").textContent()) ?? "{}");
  const loader = readFileSync(new URL(`../dist/${release.loader}`, import.meta.url));
  const integrity = `sha384-${createHash("sha384").update(loader).digest("base64")}`;
  expect(snippet).toContain(`integrity="${integrity}" crossorigin="anonymous"`);

  await page.getByRole("button", { name: "Copy snippet" }).click();
  await expect(page.getByText("Copied.")).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(snippet);

  // Pasted into a blank page of another path, as a partner would.
  const pasted = await context.newPage();
  const errors: string[] = [];
  pasted.on("pageerror", (error) => errors.push(error.message));
  await paste(pasted, copied);
  const pastedLooks = await looks(pasted);
  expect(pastedLooks).toEqual(previewLooks);
  expect(pastedLooks).toMatchObject({
    amounts: ["$5", "$15", "$40"],
    button: "Donate $15",
    theme: "dark",
    accent: "rgb(170, 51, 0)",
    frequencyLocked: true,
    badge: 1,
  });
  expect(errors).toEqual([]);

  // Button mode: a new element in the preview, and the snippet says so.
  await page.locator('#controls select[name="mode"]').selectOption("button");
  await page.getByLabel(/Button label/).fill("Give to Water.org");
  await expect(preview.root.getByRole("button", { name: "Give to Water.org" })).toHaveAttribute(
    "aria-haspopup",
    "dialog",
  );
  await expect(page.locator("#snippet")).toHaveValue(/mode="button"\n {2}label="Give to Water.org"/);
});

test("a tampered loader does not run from the snippet: the fallback link stays", async ({ page, context }) => {
  await page.goto(`/builder.html?api-base=${encodeURIComponent(SANDBOX_URL)}&org=water-org`);
  const snippet = await page.locator("#snippet").inputValue();
  const release = JSON.parse((await page.locator("#release").textContent()) ?? "{}");
  const pasted = await context.newPage();
  await pasted.route(`${PAGES_URL}/${release.loader}`, async (route) => {
    const original = await route.fetch();
    route.fulfill({ response: original, body: `${await original.text()}\n/* changed on the way */` });
  });
  // The browser says why it refused the script (no timing involved).
  const messages: string[] = [];
  pasted.on("console", (message) => messages.push(message.text()));
  await paste(pasted, snippet);
  await expect.poll(() => messages.join("\n")).toMatch(/Failed to find a valid digest in the 'integrity' attribute/);
  expect(await pasted.evaluate(() => customElements.get("sir-donate") === undefined)).toBe(true);
  await expect(pasted.getByRole("link", { name: "Donate" })).toBeVisible();
});

test("campaign controls: impact lines show in the preview, and the snippet carries them with url-prefill and analytics", async ({
  page,
}) => {
  await page.goto(`/builder.html?api-base=${encodeURIComponent(SANDBOX_URL)}&org=water-org`);
  await page.getByLabel(/Impact lines/).fill("25: A week of clean water");
  await page.getByLabel(/Open from links/).check();
  await page.locator('#controls select[name="analytics"]').selectOption("datalayer");
  const preview = new DonateWidget(page, "#preview sir-donate");
  await expect(preview.root.getByText("A week of clean water")).toBeVisible();
  await expect(page.locator("#snippet")).toHaveValue(
    /impact="25: A week of clean water"\n {2}url-prefill="true"\n {2}analytics="datalayer"/,
  );
});
