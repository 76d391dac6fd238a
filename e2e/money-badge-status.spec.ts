import { expect, test, type Locator, type Page } from "@playwright/test";
import { expectNoAxeViolations } from "./support/axe";
import { DEMO_KEY, Sandbox } from "./support/sandbox";
import { DonateWidget, rememberDonation } from "./support/widget";

// What donors and partners notice next to peers' widgets: whole amounts without cents, a
// badge while a test key is live, and a status view whose state reads at a glance.

let sandbox: Sandbox;
let widget: DonateWidget;

test.beforeEach(async ({ page, request }) => {
  sandbox = new Sandbox(request);
  await sandbox.reset();
  widget = new DonateWidget(page);
});

const url = (params: Record<string, string>) =>
  `/e2e/configurable.html?${new URLSearchParams({ key: DEMO_KEY, org: "water-org", ...params })}`;

/** The amount chips' labels, with every kind of space (Intl uses narrow no-break ones) as " ". */
const chipLabels = (root: Locator) =>
  root
    .locator('label[part~="amount"]')
    .evaluateAll((labels) => labels.map((l) => (l.textContent ?? "").replace(/\s+/g, " ").trim()));

test("whole amounts show without cents, fractions keep theirs, in the donor's locale", async ({ page }) => {
  await page.goto(url({ amounts: "10,25,50.5" }));
  await widget.seeNonprofit("Water.org");
  expect(await chipLabels(widget.root)).toEqual(["$10", "$25", "$50.50"]);
  await expect(widget.donateButton()).toHaveText("Donate $25"); // the second preset is preselected
  await widget.pickAmount("$50.50");
  await expect(widget.donateButton()).toHaveText("Donate $50.50");

  await page.goto(url({ amounts: "10,25,50.5", currency: "EUR", locale: "fr-FR" }));
  await widget.seeNonprofit("Water.org");
  expect(await chipLabels(widget.root)).toEqual(["10 €", "25 €", "50,50 €"]);
});

test("a pk_test_ key shows a Test mode badge that ::part(test-badge) can restyle but not hide", async ({ page }) => {
  await page.goto(url({}));
  await widget.seeNonprofit("Water.org");
  await expectNoAxeViolations(page); // in its own colours (a partner's restyle is theirs to check)
  await page.addStyleTag({
    content: `sir-donate::part(test-badge) {
      display: none !important; visibility: hidden !important; opacity: 0 !important;
      position: absolute !important; transform: scale(0) !important; background-color: rgb(1, 2, 3);
    }`,
  });
  const badge = widget.root.locator('[part~="test-badge"]');
  await expect(badge).toHaveText("Test mode");
  await expect(badge).toBeVisible();
  const style = await badge.evaluate((el) => {
    const s = getComputedStyle(el);
    return {
      display: s.display,
      visibility: s.visibility,
      opacity: s.opacity,
      position: s.position,
      transform: s.transform,
      background: s.backgroundColor,
    };
  });
  expect(style).toEqual({
    display: "block",
    visibility: "visible",
    opacity: "1",
    position: "static",
    transform: "none",
    background: "rgb(1, 2, 3)",
  });
  const box = await badge.boundingBox();
  expect(box!.width).toBeGreaterThan(30);
  expect(box!.height).toBeGreaterThan(10);

  // In button mode it sits beside the opener too, where the partner sees it without a click.
  await page.goto(url({ mode: "button", label: "Give now" }));
  await expect(widget.root.getByRole("button", { name: "Give now" })).toHaveAttribute("aria-haspopup", "dialog");
  await expect(widget.root.locator('[part~="test-badge"]').first()).toBeVisible();
});

test("a pk_live_ key shows no badge", async ({ page }) => {
  await page.goto(url({ key: "pk_live_0123456789abcdef" }));
  await expect(widget.root.locator('[part~="form"]')).toBeVisible();
  await expect(widget.root.locator('[part~="test-badge"]')).toHaveCount(0);
});

/** WCAG's contrast ratio of two `rgb(…)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (rgb: string) => {
    const [r, g, bl] = rgb
      .match(/[\d.]+/g)!
      .slice(0, 3)
      .map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** A donation created with the public key and scripted to `status`, then followed by a widget
 * that finds it in sessionStorage, as after a return from the checkout. */
async function followDonation(page: Page, status: string, theme: string) {
  const partnerDonationId = await sandbox.createLink();
  await sandbox.scriptStatus(partnerDonationId, { status });
  await page.goto("/e2e/blank.html");
  await rememberDonation(page, partnerDonationId, DEMO_KEY);
  await page.goto(url({ theme }));
}

const states = [
  { status: "pending", tone: "progress", title: "Your donation is processing" },
  { status: "completed", tone: "success", title: "Thank you! Your donation is complete" },
  { status: "failed", tone: "failure", title: "The payment didn't go through" },
  { status: "expired", tone: "ended", title: "The checkout link expired" },
];

for (const theme of ["light", "dark"]) {
  test(`status states read at a glance (${theme}): an icon and a colour that meet WCAG AA, announced in words`, async ({
    page,
  }) => {
    const tones = new Set<string>();
    for (const { status, tone, title } of states) {
      await followDonation(page, status, theme);
      await widget.seeStatus(title);
      const view = widget.root.locator('[part~="status"]');
      await expect(view).toHaveAttribute("data-tone", tone);
      const icon = view.locator('[part~="status-icon"]');
      await expect(icon).toBeVisible();
      await expect(icon).toHaveAttribute("aria-hidden", "true");
      // The words are in the live region; the icon is decoration beside them.
      await expect(widget.root.getByRole("status")).toContainText(title);
      const colours = await view.evaluate((el) => ({
        background: getComputedStyle(el).backgroundColor,
        title: getComputedStyle(el.querySelector(".sd-status__title")!).color,
        icon: getComputedStyle(el.querySelector(".sd-status__icon")!).stroke,
      }));
      expect(contrast(colours.title, colours.background), `${status} title`).toBeGreaterThanOrEqual(4.5);
      expect(contrast(colours.icon, colours.background), `${status} icon`).toBeGreaterThanOrEqual(3);
      tones.add(colours.icon);
      await expectNoAxeViolations(page);
    }
    // Four states, four colours: the state shows before a word is read.
    expect(tones.size).toBe(4);
  });
}
