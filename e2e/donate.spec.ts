import { expect, test } from "@playwright/test";
import { DEMO_SECRET_KEY, Sandbox } from "./support/sandbox";
import { DonateWidget } from "./support/widget";

let widget: DonateWidget;

test.beforeEach(async ({ page, request }) => {
  await new Sandbox(request).reset();
  widget = new DonateWidget(page);
  await widget.recordEvents();
});

// The $25 donation from the form to a completed status is a journey of every engine:
// journeys/journeys.ts.

test("the link-created event carries the donation before the donor leaves", async ({ page }) => {
  await page.goto("/e2e/donate.html");
  await widget.seeNonprofit("American Red Cross");
  await widget.typeOtherAmount("12.34");
  await widget.root.getByRole("radio", { name: "Monthly" }).check();
  await widget.donateButton("Donate $12.34 monthly").click();
  await expect.poll(() => widget.events("link-created")).toHaveLength(1);
  const [created] = await widget.events("link-created");
  expect(created).toMatchObject({
    amount: 1234,
    currency: "USD",
    frequency: "monthly",
    nonprofit: "american-red-cross",
  });
  expect(String(created.donationLink)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/checkout\//);
  expect(await widget.events("ready")).toHaveLength(1);
});

test("a double click on Donate creates exactly one donation link", async ({ page, request }) => {
  const sandbox = new Sandbox(request);
  await sandbox.fault({ endpoint: "create-link", kind: "delay", delayMs: 1500 });
  await page.goto("/e2e/donate.html");
  await widget.seeNonprofit("American Red Cross");
  await widget.donateButton().dblclick();
  // The button keeps focus: mash Enter while the slow request is in flight.
  for (let i = 0; i < 3; i++) await page.keyboard.press("Enter");
  await page.waitForURL(/\/checkout\//);
  expect((await sandbox.stats()).requests.createLink).toBe(1);
});

test("a secret key is refused in the widget and never sent", async ({ page, request }) => {
  const sandbox = new Sandbox(request);
  await page.goto(`/e2e/configurable.html?key=${DEMO_SECRET_KEY}&org=american-red-cross`);
  await widget.seeAlert(/secret key/);
  await expect(widget.donateButton()).toBeDisabled();
  expect((await widget.events("error")).map((e) => e.code)).toContain("secret_key_refused");
  expect(await sandbox.requests()).toEqual([]);
});

test("a key that is not a publishable key is refused and nothing is sent", async ({ page, request }) => {
  const sandbox = new Sandbox(request);
  await page.goto("/e2e/configurable.html?key=not-a-key&org=american-red-cross");
  await widget.seeAlert(/publishable/);
  expect((await widget.events("error")).map((e) => e.code)).toContain("invalid_key");
  expect(await sandbox.requests()).toEqual([]);
});

test("an unknown nonprofit shows a clear message", async ({ page }) => {
  await page.goto(
    "/e2e/configurable.html?key=pk_test_f40ae06e2cfeb3cb6ce6bbcfa2617d6b8452aff0221c5281ba74b1183db4d378&org=no-such-charity",
  );
  await widget.seeAlert("We couldn't find this nonprofit.");
  expect((await widget.events("error")).map((e) => e.code)).toContain("organization_not_found");
});

test("a nonprofit name with markup is shown as text, never as HTML", async ({ page }) => {
  await page.goto(
    "/e2e/configurable.html?key=pk_test_f40ae06e2cfeb3cb6ce6bbcfa2617d6b8452aff0221c5281ba74b1183db4d378&org=kids-arts-fund",
  );
  await widget.seeNonprofit(`Kids & Arts <Fund> "Create" 'Now'`);
  expect(await page.locator("sir-donate").evaluate((el) => el.shadowRoot!.querySelector("fund"))).toBeNull();
});
