// The donor's core journeys, described once and run in every engine: Chromium through
// Playwright (journeys.chromium.spec.ts), Firefox and WebKit through WebDriver
// (journeys.webdriver.spec.ts). Steps only use the `Tab` of tab.ts and the functions of
// page.ts, so no engine can run a different journey than another.
import { mkdirSync } from "node:fs";
import { expect, type APIRequestContext } from "@playwright/test";
import { PAGES_URL, PARTNER_URL, SANDBOX_URL } from "../playwright.config";
import { DEMO_KEY, Sandbox } from "../support/sandbox";
import {
  donorState,
  findControl,
  focusInDialog,
  focusedText,
  formLayout,
  pageLog,
  showsNonprofit,
  widgetPart,
  widgetText,
  type Find,
} from "./page";
import { PATIENCE_MS, type Tab } from "./tab";

/** What a journey gets: the tab, and the sandbox and pages server behind it. */
export interface Visit {
  tab: Tab;
  sandbox: Sandbox;
  /** Holds the main wasm module back at the pages server until `release()`. */
  holdWasm(): Promise<{ release(): Promise<void> }>;
  /** The paths the pages server served since the journey began. */
  served(): Promise<string[]>;
}

export interface Journey {
  title: string;
  run(visit: Visit): Promise<void>;
}

const WIDGET = "sir-donate";
const inDialog = (focus: { where: string; pageFocused: boolean }) => focus.where === "dialog" && focus.pageFocused;
const SCREENSHOTS = "e2e/artifacts/screenshots/engines";

/** Resets the sandbox and the pages server's log, then runs the journey. */
export async function runJourney(journey: Journey, tab: Tab, request: APIRequestContext) {
  const sandbox = new Sandbox(request);
  await sandbox.reset();
  expect((await request.post(`${PAGES_URL}/__requests`)).ok()).toBeTruthy();
  const served = async () => (await request.get(`${PAGES_URL}/__requests`)).json();
  const holdWasm = async () => {
    expect((await request.post(`${PAGES_URL}/__hold-wasm`)).ok()).toBeTruthy();
    return { release: async () => void (await request.post(`${PAGES_URL}/__release-wasm`)) };
  };
  await journey.run({ tab, sandbox, served, holdWasm });
}

// ---------------------------------------------------------------- steps

const configurable = (params: Record<string, string>) =>
  `/e2e/configurable.html?${new URLSearchParams({ key: DEMO_KEY, org: "american-red-cross", ...params })}`;

const wait = { timeout: PATIENCE_MS };
/** For polls: a page that is navigating answers nothing rather than failing the poll. */
const meanwhile = <T>(answer: Promise<T>) => answer.catch(() => undefined);

async function seeNonprofit(tab: Tab, name: string, host = WIDGET) {
  await expect
    .poll(() => meanwhile(tab.run(showsNonprofit, { host, name })), { ...wait, message: `${host} shows ${name}` })
    .toBe(true);
}

async function seeWidgetText(tab: Tab, text: string, host = WIDGET) {
  await expect.poll(() => meanwhile(tab.run(widgetText, { host })), wait).toContain(text);
}

async function seePageText(tab: Tab, text: string | RegExp) {
  // biome-ignore lint/performance/useDomNodeTextContent: the text the donor sees, as laid out.
  await expect.poll(() => meanwhile(tab.run(() => document.body.innerText, null)), wait).toMatch(text);
}

async function events(tab: Tab, type: string) {
  return (await tab.run(pageLog, null)).events.filter((event) => event.type === type);
}

async function reachCheckout(tab: Tab) {
  await expect.poll(() => meanwhile(tab.url()), wait).toMatch(/\/checkout\/[0-9a-f]+$/);
  return (await tab.url()).split("/").pop()!;
}

const control = (tab: Tab, find: Find) => tab.find(findControl, { host: WIDGET, ...find });
const inPage = (tab: Tab, find: Omit<Find, "host">) => tab.find(findControl, find);
const gone = (tab: Tab, find: Find) =>
  expect.poll(() => tab.run(findControl, find).then((el) => el === null), wait).toBe(true);

/** Presses Tab until the focused control's text or label matches. */
async function tabTo(tab: Tab, name: RegExp, limit = 30) {
  for (let i = 0; i < limit; i++) {
    await tab.press("Tab");
    if (name.test(await tab.run(focusedText, null))) return;
  }
  throw new Error(`never reached ${name} with Tab`);
}

/** Completes the donation on the sandbox's hosted checkout, from the keyboard or a click. */
async function completeCheckout(tab: Tab, how: "click" | "keyboard") {
  const complete = await inPage(tab, { kind: "button", name: "Complete donation" });
  if (how === "click") await complete.click();
  else {
    await complete.focus();
    await tab.press("Enter");
  }
  await seePageText(tab, /your donation is complete/i);
}

/** The form's own spacing holds: no empty band between the donor fields and Donate. */
async function expectTightForm(tab: Tab) {
  const layout = await tab.run(formLayout, { host: WIDGET });
  expect(layout.fieldsetSlack, "empty space below the last field row").toBeLessThanOrEqual(1);
  expect(layout.fieldsetToSubmit, "from the fields to Donate").toBeLessThanOrEqual(layout.formGap + 1);
  return layout;
}

// ---------------------------------------------------------------- the journeys

/** The policies partners are told to use (docs/hosting.md, "Content-Security-Policy"). */
const STRICT_POLICIES = [
  [
    "nonce and strict-dynamic",
    `default-src 'none'; script-src 'nonce-r4nd0m' 'strict-dynamic' 'wasm-unsafe-eval'; connect-src 'self' ${SANDBOX_URL}; img-src ${SANDBOX_URL}; style-src 'none'; base-uri 'none'`,
  ],
  [
    "'self' only",
    `default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ${SANDBOX_URL}; img-src ${SANDBOX_URL}; style-src 'none'; base-uri 'none'`,
  ],
];

/** What a browser below the baseline lacks: the newest API the widget needs, and all of
 * WebAssembly (Safari's Lockdown Mode). */
const MISSING_APIS = ["AbortSignal.any", "WebAssembly"];

export const journeys: Journey[] = [
  {
    title: "inline: ready, $25, Donate, one link, checkout, complete, back to a completed status",
    async run({ tab, sandbox }) {
      await tab.goto("/e2e/donate.html");
      await seeNonprofit(tab, "American Red Cross");
      await expect.poll(() => events(tab, "ready"), wait).toHaveLength(1);
      await (await control(tab, { kind: "radio", name: "$25" })).click();
      await (await control(tab, { kind: "field", name: "Email" })).fill("jane@example.com");
      await (await control(tab, { kind: "field", name: "First name" })).fill("Jane");
      await (await control(tab, { kind: "field", name: "Last name" })).fill("Doe");
      expect((await tab.run(pageLog, null)).errors).toEqual([]);
      await (await control(tab, { kind: "button", name: "Donate $25" })).click();

      const partnerDonationId = await reachCheckout(tab);
      await seePageText(tab, "$25.00");
      await seePageText(tab, "American Red Cross");
      await completeCheckout(tab, "click");
      expect(await sandbox.donationStatus(partnerDonationId)).toBe("completed");
      expect((await sandbox.stats()).requests.createLink).toBe(1);

      await tab.goto("/e2e/donate.html");
      await seeWidgetText(tab, "Thank you! Your donation is complete");
      await seeWidgetText(tab, "$25 to American Red Cross");
      await expect
        .poll(async () => (await events(tab, "completed")).map((e) => e.detail), wait)
        .toEqual([{ partnerDonationId }]);
      expect((await tab.run(pageLog, null)).errors).toEqual([]);
    },
  },
  {
    title: "button mode, keyboard only: the dialog opens, keeps focus, closes on Escape, gives focus back",
    async run({ tab }) {
      await tab.goto(configurable({ mode: "button", label: "Give now" }));
      await expect.poll(() => events(tab, "ready"), wait).toHaveLength(1);
      await tabTo(tab, /Give now/);
      await tab.press("Enter");
      const dialog: Find = { host: WIDGET, kind: "dialog", name: "Give now" };
      await tab.find(findControl, dialog);
      await seeNonprofit(tab, "American Red Cross");
      await expectTightForm(tab);
      // A modal dialog: many Tabs never reach the page behind it. Firefox lets Tab leave it
      // for the browser's own toolbar ("body": the page has no focus then), as HTML allows.
      for (let i = 0; i < 25; i++) {
        await tab.press("Tab");
        expect(["dialog", "body"]).toContain((await tab.run(focusInDialog, { host: WIDGET })).where);
      }
      // Back in the dialog, with the page focused, before the donor presses Escape.
      for (let i = 0; i < 5 && !inDialog(await tab.run(focusInDialog, { host: WIDGET })); i++) await tab.press("Tab");
      await tab.press("Escape");
      await gone(tab, dialog);
      expect(await tab.run(focusInDialog, { host: WIDGET })).toEqual({ where: "opener", pageFocused: true });
      await tab.press("Enter");
      await tab.find(findControl, dialog);
      await tabTo(tab, /^Donate \$25$/);
      await tab.press("Enter");
      await reachCheckout(tab);
    },
  },
  {
    title: "keyboard only, inline: pick an amount, type an email, donate, complete",
    async run({ tab }) {
      await tab.goto(configurable({}));
      await seeNonprofit(tab, "American Red Cross");
      await tabTo(tab, /\$25(?![\d.])/);
      await tab.press("ArrowRight"); // the radio group moves to $50
      await tabTo(tab, /Email/);
      await tab.type("kb@example.com");
      await tabTo(tab, /^Donate \$50$/);
      await tab.press("Enter");
      await reachCheckout(tab);
      await seePageText(tab, "$50.00");
      await seePageText(tab, "kb@example.com");
      await completeCheckout(tab, "keyboard");
    },
  },
  {
    title: "deep link (url-prefill): a campaign link opens the dialog with its amount and frequency",
    async run({ tab }) {
      await tab.goto(
        `${configurable({ mode: "button", "url-prefill": "", sd_amount: "50", sd_frequency: "monthly" })}#donate`,
      );
      await tab.find(findControl, { host: WIDGET, kind: "dialog", name: "Donate" });
      const donate = await control(tab, { kind: "button", name: "Donate $50 monthly" });
      expect((await tab.run(pageLog, null)).errors).toEqual([]);
      await donate.click();
      await reachCheckout(tab);
      await seePageText(tab, "$50.00");
    },
  },
  {
    title: "goal meter: the partner server's confirmed totals, and this donor's donation counted after checkout",
    async run({ tab }) {
      const page = configurable({ "partner-endpoint": PARTNER_URL, goal: "100", campaign: `goal${Date.now()}` });
      await tab.goto(page);
      // The demo partner server's any-email sign-in, from the page, with its cookies.
      const signIn = ({ partner, email }: { partner: string; email: string }) =>
        fetch(`${partner}/sir/session`, {
          method: "POST",
          credentials: "include",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email }),
        }).then((response) => response.status);
      expect(await tab.run(signIn, { partner: PARTNER_URL, email: `goal-${Date.now()}@example.com` })).toBe(200);
      await seeWidgetText(tab, "$0 raised of $100 · 0 donors");
      await (await control(tab, { kind: "button", name: "Donate $25" })).click();
      await reachCheckout(tab);
      await completeCheckout(tab, "click");
      await tab.goto(page);
      await seeWidgetText(tab, "Thank you! Your donation is complete");
      await seeWidgetText(tab, "$25 raised of $100 · 1 donor");
    },
  },
  ...STRICT_POLICIES.map(([name, policy]) => ({
    title: `strict CSP (${name}): the widget works and nothing is refused`,
    async run({ tab }: Visit) {
      await tab.goto(`/e2e/csp.html?csp=${encodeURIComponent(policy)}`);
      await seeNonprofit(tab, "American Red Cross");
      const logo = () =>
        tab.run(
          ({ host }) => {
            const img = document.querySelector(host)?.shadowRoot?.querySelector("img");
            return !!img && img.complete && img.naturalWidth > 0;
          },
          { host: WIDGET },
        );
      await expect.poll(logo, wait).toBe(true);
      const { violations, errors } = await tab.run(pageLog, null);
      // MiniBrowser asks for the page's favicon: the browser's request, not the widget's.
      expect(violations.filter((violation) => !violation.endsWith("/favicon.ico"))).toEqual([]);
      expect(errors).toEqual([]);
      await (await control(tab, { kind: "button", name: "Donate $25" })).click();
      await reachCheckout(tab);
    },
  })),
  {
    title: "first view: chips, typing, focus and caret made before the wasm are all there after its takeover",
    async run({ tab, holdWasm }) {
      const wasm = await holdWasm();
      await tab.goto(configurable({}));
      // The form Leptos rendered at build time, painted by the loader, named from its own read.
      await seeNonprofit(tab, "American Red Cross");
      await (await control(tab, { kind: "radio", name: "$50" })).click();
      await (await control(tab, { kind: "radio", name: "Monthly" })).click();
      await (await control(tab, { kind: "field", name: "Email" })).fill("ada@example.org");
      await (await control(tab, { kind: "field", name: "First name" })).fill("Ada");
      const last = await control(tab, { kind: "field", name: "Last name" });
      await last.fill("Lovelace");
      await tab.press("ArrowLeft");
      await tab.press("ArrowLeft");
      const before = await tab.run(donorState, { host: WIDGET });
      expect(before).toMatchObject({ checked: ["$50", "Monthly"], focused: "sd-last-name", caret: 6 });
      expect(await events(tab, "ready")).toHaveLength(0);
      await wasm.release();
      await expect.poll(() => events(tab, "ready"), wait).toHaveLength(1);
      await seeWidgetText(tab, "Donate $50 monthly");
      const after = await tab.run(donorState, { host: WIDGET });
      expect(after).toMatchObject({
        checked: ["$50", "Monthly"],
        email: "ada@example.org",
        firstName: "Ada",
        lastName: "Lovelace",
        focused: "sd-last-name",
        caret: 6,
      });
      expect(Math.abs(after.top! - before.top!)).toBeLessThanOrEqual(1);
      expect(Math.abs(after.height! - before.height!)).toBeLessThanOrEqual(1);
      expect((await tab.run(pageLog, null)).errors).toEqual([]);
    },
  },
  {
    title: "first view: Donate pressed before the wasm creates exactly one link once it is in",
    async run({ tab, sandbox, holdWasm }) {
      const wasm = await holdWasm();
      await tab.goto(configurable({}));
      await seeNonprofit(tab, "American Red Cross");
      await (await control(tab, { kind: "radio", name: "$10" })).click();
      await (await control(tab, { kind: "button", name: "Donate $10" })).click();
      expect((await sandbox.stats()).donations).toBe(0);
      await wasm.release();
      await reachCheckout(tab);
      await seePageText(tab, "$10.00");
      expect((await sandbox.stats()).requests.createLink).toBe(1);
    },
  },
  {
    title: "a wasm that fails to load (404) keeps the partner's fallback link and reports load_failed",
    async run({ tab }) {
      await tab.goto("/e2e/missing-wasm.html");
      await expect.poll(() => events(tab, "error"), wait).toHaveLength(1);
      const [error] = await events(tab, "error");
      expect(error.detail).toMatchObject({ code: "load_failed", retryable: true });
      await inPage(tab, { kind: "link", name: "Donate to Water.org" });
      expect((await tab.run(pageLog, null)).errors).toEqual([]);
    },
  },
  {
    title: "two widgets on one page (loader included twice): each has its options and its own events",
    async run({ tab }) {
      await tab.goto("/e2e/two-widgets.html");
      await seeNonprofit(tab, "Water.org", "#first");
      await seeNonprofit(tab, "Feeding America", "#second");
      // The second widget has its own options: euro presets, German formatting.
      const fiveEuros = await tab.find(findControl, { host: "#second", kind: "radio", name: "5 €" });
      await tab.find(findControl, { host: "#second", kind: "button", name: "Donate 15 €" });
      const before = (await events(tab, "change")).length;
      await fiveEuros.click();
      await expect.poll(async () => (await events(tab, "change")).length, wait).toBeGreaterThan(before);
      const changes = (await events(tab, "change")).slice(before);
      expect(changes.map((e) => `${e.target}:${e.detail.amount}`)).toEqual(["second:500"]);
      await tab.find(findControl, { host: "#second", kind: "button", name: "Donate 5 €" });
      expect((await tab.run(pageLog, null)).errors).toEqual([]);
    },
  },
  ...MISSING_APIS.map((api) => ({
    title: `below the baseline (no ${api}): the fallback link stays, unsupported_browser, no wasm fetched`,
    async run({ tab, served }: Visit) {
      await tab.goto(`/e2e/fallback.html?remove=${api}`);
      await expect.poll(() => events(tab, "error"), wait).toHaveLength(1);
      const [error] = await events(tab, "error");
      expect(error.detail).toMatchObject({ code: "unsupported_browser", retryable: false });
      expect(String(error.detail.message)).toContain(api);
      await inPage(tab, { kind: "link", name: "Donate to Water.org" });
      // The JS API says the same, and asking it for the widget fetches nothing either.
      const ready = await tab.run(
        () =>
          window.SirDonate!.ready.then(
            () => "loaded",
            (e: { code: string }) => e.code,
          ),
        null,
      );
      expect(ready).toBe("unsupported_browser");
      expect((await served()).filter((path) => path.includes("/wasm/"))).toEqual([]);
      expect((await tab.run(pageLog, null)).errors).toEqual([]);
    },
  })),
  ...[320, 1280].map((width) => ({
    title: `screenshots at ${width} px: the inline form and the dialog fit, with no empty band`,
    async run({ tab }: Visit) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await tab.viewport(width, 1000); // the whole dialog in view, even at 320 px
      await tab.goto(configurable({}));
      await seeNonprofit(tab, "American Red Cross");
      await seeWidgetText(tab, "Add a 10% tip"); // the partner's config has arrived: the form is settled
      const inline = await expectTightForm(tab);
      expect(inline.scrollWidth, "nothing overflows sideways").toBeLessThanOrEqual(inline.viewport);
      expect(inline.submit!.right).toBeLessThanOrEqual(inline.viewport);
      expect(inline.submit!.height).toBeGreaterThanOrEqual(44);
      const form = await tab.find(widgetPart, { host: WIDGET, part: "widget" });
      await form.screenshot(`${SCREENSHOTS}/form-${tab.engine}-${width}.png`);

      await tab.goto(configurable({ mode: "button" }));
      await expect.poll(() => events(tab, "ready"), wait).toHaveLength(1);
      await (await control(tab, { kind: "button", name: "Donate" })).click();
      const dialog = await control(tab, { kind: "dialog", name: "Donate" });
      await seeNonprofit(tab, "American Red Cross");
      await seeWidgetText(tab, "Add a 10% tip");
      await expectTightForm(tab);
      await dialog.screenshot(`${SCREENSHOTS}/dialog-${tab.engine}-${width}.png`);
    },
  })),
];
