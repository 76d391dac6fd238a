import { expect, test, type Page } from "@playwright/test";
import { SANDBOX_URL } from "./playwright.config";
import { expectNoAxeViolations } from "./support/axe";
import { DEMO_KEY, Sandbox } from "./support/sandbox";
import { DonateWidget, holdWasm } from "./support/widget";

// The first view (issue #21): the loader paints the form Leptos rendered at build time
// (tools/first-view), a donor uses it before the wasm arrives, and the wasm takes over
// without losing anything the donor did.

let sandbox: Sandbox;

test.beforeEach(async ({ request }) => {
  sandbox = new Sandbox(request);
  await sandbox.reset();
});

/** Leaves the API's answers pending, so that both views show their state before any answer. */
async function holdApi(page: Page) {
  await page.route(`${SANDBOX_URL}/v1/**`, () => {});
  await page.route("https://api.sirgiving.org/**", () => {});
}

/** The widget's configurable page with these attributes. */
async function open(page: Page, attributes: Record<string, string>) {
  await page.goto(`/e2e/configurable.html?${new URLSearchParams({ key: DEMO_KEY, org: "water-org", ...attributes })}`);
}

/**
 * The widget's DOM as a donor's browser holds it: elements with every attribute, the
 * `checked` and `value` of inputs, and text (Leptos's comment markers dropped, adjacent text
 * merged). `selector` picks a part (the whole `.sd-root` by default).
 */
function serialize(page: Page, selector = ".sd-root") {
  return page.evaluate((selector) => {
    type Tree = { tag: string; attributes: string[][]; state: unknown; children: Array<Tree | string> } | string | null;
    const walk = (node: Node): Tree => {
      if (node.nodeType === Node.TEXT_NODE) return (node as Text).data;
      if (!(node instanceof Element)) return null;
      const children: Array<Tree | string> = [];
      for (const child of node.childNodes) {
        const tree = walk(child);
        if (tree === null) continue;
        const last = children[children.length - 1];
        if (typeof tree === "string" && typeof last === "string") children[children.length - 1] = last + tree;
        else children.push(tree);
      }
      return {
        tag: node.localName,
        attributes: Array.from(node.attributes, (a) => [a.name, a.value]).sort(),
        state: node instanceof HTMLInputElement ? { checked: node.checked, value: node.value } : null,
        children: children.filter((child) => child !== ""),
      };
    };
    const root = document.querySelector("sir-donate")!.shadowRoot!.querySelector(selector);
    return root ? walk(root) : null;
  }, selector);
}

/** Resolves once the wasm replaced the painted view with its own render. */
async function tookOver(page: Page, painted: string) {
  await expect
    .poll(() =>
      page.evaluate(() => (document.querySelector("sir-donate")!.shadowRoot!.firstChild as Element).outerHTML),
    )
    .not.toBe(painted);
  await page.waitForFunction(() => !(window as unknown as { __painted?: Node }).__painted?.isConnected);
}

async function markPainted(page: Page) {
  await page.waitForFunction(() => document.querySelector("sir-donate")?.shadowRoot?.querySelector(".sd-form"));
  return page.evaluate(() => {
    const root = document.querySelector("sir-donate")!.shadowRoot!.firstChild as Element;
    (window as unknown as { __painted?: Node }).__painted = root;
    return root.outerHTML;
  });
}

// Each a set of attributes of <sir-donate>: presets given and defaulted, the custom amount
// allowed or not (a locked amount), frequency open and locked, each language's copy and a
// right-to-left locale, inline and button mode, test and live keys, and currencies of 0 and 2
// decimals. The tip is offered by the partner's config, so both views hide it until it comes.
const MATRIX: Array<Record<string, string>> = [
  {},
  { amounts: "5,15", amount: "15" },
  { amounts: "1,2,3,4,5,6,7,8", amount: "3" },
  { "lock-amount": "", amount: "30" },
  { frequency: "monthly" },
  { "lock-frequency": "", frequency: "monthly" },
  { "required-fields": "email,name" },
  { locale: "fr" },
  { locale: "fr-CA", currency: "EUR", amounts: "10.50,20" },
  { locale: "ar" },
  { currency: "JPY", amounts: "500,1000,5000" },
  { mode: "button", label: 'Give <b>now</b> & "then"' },
  { mode: "button", locale: "fr", "required-fields": "email" },
  { key: "pk_live_0123456789abcdef", "api-base": "https://api.sirgiving.org", theme: "dark" },
];

for (const attributes of MATRIX) {
  test(`the painted first view is the wasm's own render: ${JSON.stringify(attributes)}`, async ({ page }) => {
    await holdApi(page);
    const release = await holdWasm(page);
    await open(page, attributes);
    const painted = await markPainted(page);
    const first = await serialize(page);
    release();
    await tookOver(page, painted);
    expect(first).toEqual(await serialize(page));
  });
}

for (const locale of ["en", "fr"]) {
  test(`the nonprofit and the config's tip show before the wasm, as the wasm shows them (${locale})`, async ({
    page,
  }) => {
    const release = await holdWasm(page);
    await open(page, { locale });
    await expect(page.locator("sir-donate .sd-org__name")).toHaveText("Water.org");
    await expect(page.locator("sir-donate [part=tip]")).toBeVisible();
    const painted = await markPainted(page);
    const named = [await serialize(page, ".sd-org"), await serialize(page, "[part=tip]")];
    release();
    await tookOver(page, painted);
    expect(named).toEqual([await serialize(page, ".sd-org"), await serialize(page, "[part=tip]")]);
  });
}

test("a donor's choices, typing, focus and caret before the takeover are all there after it", async ({ page }) => {
  const release = await holdWasm(page);
  await open(page, {});
  const painted = await markPainted(page);
  const widget = page.locator("sir-donate");
  await widget.getByRole("radio", { name: "$50" }).check();
  await widget.getByRole("radio", { name: "Monthly" }).check();
  await widget.getByLabel("Email").fill("ada@example.org");
  await widget.getByLabel("First name").fill("Ada");
  await widget.getByLabel("Last name").fill("Lovelace");
  await widget.getByLabel("Last name").press("ArrowLeft");
  await widget.getByLabel("Last name").press("ArrowLeft");
  const before = await widget.boundingBox();
  release();
  await tookOver(page, painted);
  await expect(widget.getByRole("radio", { name: "$50" })).toBeChecked();
  await expect(widget.getByRole("radio", { name: "Monthly" })).toBeChecked();
  await expect(widget.getByLabel("Email")).toHaveValue("ada@example.org");
  await expect(widget.getByLabel("First name")).toHaveValue("Ada");
  await expect(widget.getByLabel("Last name")).toHaveValue("Lovelace");
  await expect(widget.getByLabel("Last name")).toBeFocused();
  expect(await widget.getByLabel("Last name").evaluate((input: HTMLInputElement) => input.selectionStart)).toBe(6);
  // The wasm's own form answers: the Donate label follows the restored choice.
  await expect(widget.getByRole("button", { name: /Donate \$50 monthly/ })).toBeVisible();
  const after = await widget.boundingBox();
  expect(Math.abs(after!.y - before!.y)).toBeLessThanOrEqual(1);
  expect(Math.abs(after!.height - before!.height)).toBeLessThanOrEqual(1);
});

test("a typed custom amount and its caret survive the takeover", async ({ page }) => {
  const release = await holdWasm(page);
  await open(page, {});
  const painted = await markPainted(page);
  const widget = page.locator("sir-donate");
  const custom = widget.getByLabel(/Other amount/);
  await custom.fill("42");
  await custom.press("ArrowLeft");
  await expect(widget.getByRole("radio", { name: "$25" })).not.toBeChecked();
  release();
  await tookOver(page, painted);
  await expect(custom).toHaveValue("42");
  await expect(custom).toBeFocused();
  expect(await custom.evaluate((input: HTMLInputElement) => input.selectionStart)).toBe(1);
  await expect(widget.getByRole("button", { name: /Donate \$42/ })).toBeVisible();
});

test("Donate pressed before the takeover is busy, then creates exactly one link", async ({ page }) => {
  const release = await holdWasm(page);
  await open(page, {});
  await markPainted(page);
  const widget = page.locator("sir-donate");
  await widget.getByRole("radio", { name: "$10", exact: true }).check();
  await widget.getByRole("button", { name: /Donate/ }).click();
  await expect(widget.locator("form")).toHaveAttribute("aria-busy", "true");
  await expect(widget.getByRole("button", { name: /Donate/ })).toHaveAttribute("aria-disabled", "true");
  expect((await sandbox.stats()).donations).toBe(0);
  release();
  // To the checkout, in this tab.
  await page.waitForURL(/checkout/);
  expect((await sandbox.stats()).donations).toBe(1);
});

test("Donate pressed while the wasm fails ends in load_failed with the fallback shown", async ({ page }) => {
  let fail!: () => void;
  const failing = new Promise<void>((resolve) => (fail = resolve));
  await page.route("**/wasm/sir-donate_bg.wasm", async (route) => {
    await failing;
    await route.fulfill({ status: 503, body: "" });
  });
  const widget = new DonateWidget(page);
  await widget.recordEvents();
  await page.goto("/e2e/fallback.html");
  await widget.root.getByRole("button", { name: /Donate/ }).click();
  await expect(widget.root.locator("form")).toHaveAttribute("aria-busy", "true");
  fail();
  await expect.poll(() => widget.events("error")).toContainEqual(expect.objectContaining({ code: "load_failed" }));
  await expect(page.getByRole("link", { name: "Donate to Water.org" })).toBeVisible();
});

test("the first view of an element without a fallback keeps a working Donate button when the wasm fails", async ({
  page,
}) => {
  let fail = true;
  await page.route("**/wasm/sir-donate_bg.wasm", (route) =>
    fail ? route.fulfill({ status: 503, body: "" }) : route.continue(),
  );
  const donate = new DonateWidget(page);
  await donate.recordEvents();
  await open(page, {});
  await markPainted(page);
  await expect.poll(() => donate.events("error")).toContainEqual(expect.objectContaining({ code: "load_failed" }));
  const widget = donate.root;
  await expect(widget.locator("form")).not.toHaveAttribute("aria-busy", "true");
  // The next press tries the load again, and this time it comes.
  fail = false;
  await widget.getByRole("button", { name: /Donate/ }).click();
  await page.waitForURL(/checkout/);
  expect((await sandbox.stats()).donations).toBe(1);
});

test("button mode: the dialog opens before the wasm and stays open across the takeover", async ({ page }) => {
  const release = await holdWasm(page);
  await open(page, { mode: "button" });
  await page.waitForFunction(() => document.querySelector("sir-donate")?.shadowRoot?.querySelector(".sd-open"));
  const painted = await markPainted(page);
  const widget = page.locator("sir-donate");
  await widget.getByRole("button", { name: "Donate" }).click();
  await expect(widget.getByRole("dialog")).toBeVisible();
  await widget.getByLabel("Email").fill("ada@example.org");
  release();
  await tookOver(page, painted);
  await expect(widget.getByRole("dialog")).toBeVisible();
  await expect(widget.getByLabel("Email")).toHaveValue("ada@example.org");
  await expect(widget.getByLabel("Email")).toBeFocused();
});

test("axe finds nothing on the first view", async ({ page }) => {
  await holdWasm(page);
  await open(page, {});
  await expect(page.locator("sir-donate .sd-org__name")).toHaveText("Water.org");
  await expectNoAxeViolations(page);
});
