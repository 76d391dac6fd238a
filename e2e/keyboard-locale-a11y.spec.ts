import { mkdirSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { focusedText } from "./journeys/page";
import { expectNoAxeViolations } from "./support/axe";
import { DEMO_KEY, Sandbox } from "./support/sandbox";
import { DonateWidget } from "./support/widget";

// The donor's experience: keyboard-only in both presentations, all three destinations,
// tips, several nonprofits, French, accessibility (axe) and screenshots of the states.

let sandbox: Sandbox;
let widget: DonateWidget;

test.beforeEach(async ({ page, request }) => {
  sandbox = new Sandbox(request);
  await sandbox.reset();
  widget = new DonateWidget(page);
});

const url = (params: Record<string, string>) =>
  `/e2e/configurable.html?${new URLSearchParams({ key: DEMO_KEY, org: "american-red-cross", ...params })}`;

/** Presses Tab until the focused element inside the widget has this accessible text. */
async function tabTo(page: Page, name: RegExp, limit = 30) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    if (name.test(await page.evaluate(focusedText))) return;
  }
  throw new Error(`never reached ${name} with Tab`);
}

// Keyboard-only donations inline and in button mode (focus trap, Escape, focus back to
// the opener) are journeys of every engine: journeys/journeys.ts. Here, axe in the dialog.
test("button mode: no axe violations in the open dialog", async ({ page }) => {
  await page.goto(url({ mode: "button", label: "Give now" }));
  const open = widget.root.getByRole("button", { name: "Give now" });
  await expect(open).toHaveAttribute("aria-haspopup", "dialog"); // the widget, not the loader's placeholder
  await open.click();
  const dialog = widget.root.getByRole("dialog", { name: "Give now" });
  await expect(dialog.getByText("American Red Cross", { exact: true })).toBeVisible();
  await expectNoAxeViolations(page);
});

test("keyboard only, target new-tab: checkout opens in a new tab and the widget follows it to completion", async ({
  page,
  context,
}) => {
  await page.goto(url({ target: "new-tab" }));
  await widget.seeNonprofit("American Red Cross");
  await tabTo(page, /^Donate \$25$/);
  const [checkout] = await Promise.all([context.waitForEvent("page"), page.keyboard.press("Enter")]);
  await checkout.waitForURL(/\/checkout\//);
  await widget.seeStatus("Finish your donation in the checkout window");
  expect(page.url()).toContain("/e2e/configurable.html");
  expect(await checkout.evaluate(() => window.opener)).toBeNull();
  await checkout.getByRole("button", { name: "Complete donation" }).click();
  await widget.seeStatus("Thank you! Your donation is complete");
});

test("keyboard only, button mode, target popup, in French: checkout opens in a popup", async ({ page, context }) => {
  await page.goto(url({ target: "popup", mode: "button", locale: "fr" }));
  await tabTo(page, /Faire un don/);
  await page.keyboard.press("Enter");
  await widget.seeNonprofit("American Red Cross");
  await tabTo(page, /^Donner/);
  const [popup] = await Promise.all([context.waitForEvent("page"), page.keyboard.press("Enter")]);
  await popup.waitForURL(/\/checkout\//);
  await popup.getByRole("button", { name: "Cancel" }).click();
  await widget.seeStatus("Le don a été annulé");
});

test("a blocked popup falls back to a link the donor can open", async ({ page, context }) => {
  await page.addInitScript(() => {
    window.open = () => null; // what a popup blocker does
  });
  await page.goto(url({ target: "popup" }));
  await widget.seeNonprofit("American Red Cross");
  await widget.donateButton().click();
  await widget.seeStatus("Your browser blocked the checkout window");
  const link = widget.root.getByRole("link", { name: "Open secure checkout" });
  await expect(link).toHaveAttribute("href", /^http:\/\/127\.0\.0\.1:\d+\/checkout\//);
  const [checkout] = await Promise.all([context.waitForEvent("page"), link.click()]);
  await checkout.waitForURL(/\/checkout\//);
});

test("the partner's tip is offered, not pre-selected, and the button says the total", async ({ page }) => {
  await page.goto(url({}));
  await widget.seeNonprofit("American Red Cross");
  const tip = widget.root.getByRole("checkbox", { name: /Add a 10% tip \(\$2\.50\)/ });
  await expect(tip).not.toBeChecked();
  await expect(widget.donateButton()).toHaveText("Donate $25");
  await tip.check();
  await expect(widget.donateButton()).toHaveText("Donate $27.50");
  await widget.pickAmount("$100");
  await expect(widget.root.getByRole("checkbox", { name: /\(\$10\)/ })).toBeChecked();
  await expect(widget.donateButton()).toHaveText("Donate $110");
  await widget.donateButton().click();
  await page.waitForURL(/\/checkout\//);
  await expect(page.getByText("$10.00").first()).toBeVisible(); // the tip line on the checkout
});

test("several nonprofits: the donor chooses one", async ({ page }) => {
  await page.goto(url({ org: "water-org,st-jude" }));
  await widget.seeNonprofit("Water.org");
  const chooser = widget.root.getByLabel("Nonprofit");
  await expect(chooser.locator("option")).toHaveText(["Water.org", "St. Jude Children's Research Hospital"]);
  await chooser.selectOption("st-jude");
  await widget.seeNonprofit("St. Jude Children's Research Hospital");
  await widget.donateButton().click();
  await page.waitForURL(/\/checkout\//);
  await expect(page.getByText("St. Jude Children's Research Hospital").first()).toBeVisible();
});

test("in French, from the keyboard, with French copy and formatting", async ({ page }) => {
  await page.goto(url({ locale: "fr-FR", currency: "EUR" }));
  await widget.seeNonprofit("American Red Cross");
  await expect(widget.root.getByText("Montant", { exact: true })).toBeVisible();
  await tabTo(page, /Autre montant/);
  await page.keyboard.type("12,5");
  await expect(widget.donateButton(/^Donner/)).toHaveText(/^Donner 12,50\s€$/);
  await tabTo(page, /^Donner 12,50/);
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/checkout\//);
  await expect(page.getByText("€12.50").first()).toBeVisible();
});

test("right-to-left locales lay the widget out right to left", async ({ page }) => {
  await page.goto(url({ locale: "ar" }));
  await widget.seeNonprofit("American Red Cross");
  expect(
    await page.locator("sir-donate").evaluate((el) => el.shadowRoot!.querySelector(".sd-root")!.getAttribute("dir")),
  ).toBe("rtl");
});

test("no axe violations in the form, error and status states", async ({ page }) => {
  await page.goto(url({}));
  await widget.seeNonprofit("American Red Cross");
  await expectNoAxeViolations(page);
  await widget.typeOtherAmount("0.001");
  await widget.fillEmail("nope");
  await widget.donateButton().click();
  await expect(widget.root.getByText("Enter an email address like name@example.com.")).toBeVisible();
  await expectNoAxeViolations(page);
  await page.goto(url({ org: "no-such-charity" }));
  await widget.seeAlert("We couldn't find this nonprofit.");
  await expectNoAxeViolations(page);
  await page.goto(url({ target: "new-tab" }));
  await widget.seeNonprofit("American Red Cross");
  await widget.donateButton().click();
  await widget.seeStatus("Finish your donation");
  await expectNoAxeViolations(page);
});

for (const theme of ["light", "dark"]) {
  for (const width of [320, 1280]) {
    test(`screenshots: ${theme} at ${width}px, with no axe violations`, async ({ page }) => {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(url({ theme, org: "water-org,st-jude" }));
      await widget.seeNonprofit("Water.org");
      const dir = "e2e/artifacts/screenshots";
      mkdirSync(dir, { recursive: true });
      await widget.root.screenshot({ path: `${dir}/form-${theme}-${width}.png` });
      const box = await widget.donateButton().boundingBox();
      expect(box!.width).toBeLessThanOrEqual(width);
      expect(box!.height).toBeGreaterThanOrEqual(44);
      await expectNoAxeViolations(page);
      await widget.donateButton().click();
      await page.waitForURL(/\/checkout\//);
      await page.goBack();
      await widget.seeStatus("Your donation is processing");
      await widget.root.screenshot({ path: `${dir}/status-${theme}-${width}.png` });
    });
  }
}

test("usable at 280 px wide: nothing overflows sideways", async ({ page }) => {
  await page.setViewportSize({ width: 280, height: 800 });
  await page.goto(url({}));
  await widget.seeNonprofit("American Red Cross");
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(280);
  const box = await widget.donateButton().boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(280);
});

test("a locked amount and required fields: nothing is sent until the fields are filled", async ({ page, request }) => {
  const sandbox = new Sandbox(request);
  await page.goto(url({ "lock-amount": "", amount: "50", "required-fields": "email,name" }));
  await widget.seeNonprofit("American Red Cross");
  await expect(widget.root.getByText("Your donation $50")).toBeVisible();
  await expect(widget.root.getByRole("radio", { name: "$25", exact: true })).toHaveCount(0);
  await expect(widget.root.getByText("(optional)")).toHaveCount(0);
  await widget.donateButton("Donate $50").click();
  for (const message of ["Enter your email address.", "Enter your first name.", "Enter your last name."]) {
    await expect(widget.root.getByText(message)).toBeVisible();
  }
  await expect(widget.root.getByLabel("First name")).toHaveAttribute("aria-invalid", "true");
  expect((await sandbox.stats()).requests.createLink).toBe(0);
  await widget.fillEmail("jo@example.com");
  await widget.root.getByLabel("First name").fill("Jo");
  await widget.root.getByLabel("Last name").fill("Doe");
  await widget.donateButton("Donate $50").click();
  await page.waitForURL(/\/checkout\//);
});
