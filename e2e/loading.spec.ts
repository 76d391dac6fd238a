import { expect, test, type Request } from "@playwright/test";
import { SANDBOX_URL } from "./playwright.config";
import { Sandbox } from "./support/sandbox";
import { DonateWidget, holdWasm } from "./support/widget";

// How the widget loads (issue #13): a widget in view loads at once, its API reads travel
// while the wasm downloads and the wasm adopts them, and the chunks a Donate click needs
// are there before the click.

let sandbox: Sandbox;

test.beforeEach(async ({ request }) => {
  sandbox = new Sandbox(request);
  await sandbox.reset();
});

test("the config and nonprofit reads travel while the wasm downloads, and are adopted, not repeated", async ({
  page,
}) => {
  const release = await holdWasm(page);
  await page.goto("/e2e/fallback.html");
  // The wasm has not arrived, yet both reads have reached the API.
  await expect.poll(async () => (await sandbox.stats()).requests).toMatchObject({ config: 1, organization: 1 });
  release();
  await new DonateWidget(page).seeNonprofit("Water.org");
  await page.waitForLoadState("networkidle");
  expect((await sandbox.stats()).requests).toMatchObject({ config: 1, organization: 1 });
});

test("a widget removed before the wasm arrives cancels its reads", async ({ page }) => {
  const release = await holdWasm(page);
  // The nonprofit's answer is held too, so that its cancellation shows.
  let intercepted!: () => void;
  const reading = new Promise<void>((resolve) => (intercepted = resolve));
  await page.route(`${SANDBOX_URL}/v1/partner/organizations/**`, () => intercepted());
  const cancelled: string[] = [];
  page.on("requestfailed", (request) => {
    if (request.url().includes("/v1/partner/organizations/")) cancelled.push(request.failure()?.errorText ?? "");
  });
  await page.goto("/e2e/fallback.html");
  await reading;
  await page.evaluate(() => document.querySelector("sir-donate")!.remove());
  await expect.poll(() => cancelled).toEqual(["net::ERR_ABORTED"]);
  release();
});

test("reads sent with a key the widget no longer has are not adopted: it reads again with its own", async ({
  page,
}) => {
  const release = await holdWasm(page);
  await page.goto("/e2e/fallback.html");
  await expect.poll(async () => (await sandbox.stats()).requests).toMatchObject({ config: 1, organization: 1 });
  // Before the wasm arrives, the page switches to the paused partner's key.
  await page.evaluate(() =>
    document
      .querySelector("sir-donate")!
      .setAttribute("key", "pk_test_473d7cd0569b6d7d931c29cc8d0a7d17a1d3b9f1b5f263d8df546c8c552aee89"),
  );
  release();
  const widget = new DonateWidget(page);
  // Only the paused partner's own config says donations are off.
  await widget.seeAlert("Donations are turned off");
  await expect.poll(async () => (await sandbox.stats()).requests).toMatchObject({ config: 2, organization: 2 });
});

test("once the form is ready, a Donate click waits on no request but create-link", async ({ page }) => {
  const widget = new DonateWidget(page);
  await widget.recordEvents();
  await page.goto("/e2e/donate.html");
  await widget.seeNonprofit("American Red Cross");
  // The chunks a Donate click needs load after `ready`, in the background.
  await page.waitForLoadState("networkidle");
  // Everything the page requests from the click until it leaves for the checkout.
  const sent: string[] = [];
  let leaving = false;
  page.on("request", (request: Request) => {
    if (request.resourceType() === "document") leaving = true;
    if (!leaving) sent.push(`${request.method()} ${new URL(request.url()).pathname}`);
  });
  await widget.donateButton().click();
  await expect.poll(() => widget.events("link-created")).toHaveLength(1);
  const beforeLink = sent;
  expect(beforeLink.filter((request) => !request.endsWith("/v1/partner/donations/create-link"))).toEqual([]);
  expect(beforeLink).toContain("POST /v1/partner/donations/create-link");
});
