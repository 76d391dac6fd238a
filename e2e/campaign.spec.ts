import { expect, test, type Page } from "@playwright/test";
import { PARTNER_METRICS_URL, PARTNER_URL, SANDBOX_URL } from "./playwright.config";
import { DEMO_KEY, Sandbox } from "./support/sandbox";
import { DonateWidget } from "./support/widget";

// What a campaign asks of the widget (issue #23), through the public surface against the
// sandbox and the real partner server: attribution on the donation record, the page's tag
// manager hearing the events, impact lines, deep links and the goal meter.

let sandbox: Sandbox;
let widget: DonateWidget;

test.beforeEach(async ({ page, request }) => {
  sandbox = new Sandbox(request);
  await sandbox.reset();
  widget = new DonateWidget(page);
  await widget.recordEvents();
});

/** configurable.html makes each query parameter an attribute (unknown ones do nothing), so the
 * landing URL's utm_* and sd_* ride along with the widget's options. */
const url = (params: Record<string, string>, hash = "") =>
  `/e2e/configurable.html?${new URLSearchParams({ key: DEMO_KEY, org: "water-org", ...params })}${hash}`;

/** A partner server call from the page, with the page's cookies. */
// biome-ignore lint/suspicious/noExplicitAny: the partner server's JSON, each test reads the fields it checks.
async function partnerCall(page: Page, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  return page.evaluate(
    async ({ partner, path, body }) => {
      const response = await fetch(`${partner}${path}`, {
        method: body === undefined ? "GET" : "POST",
        credentials: "include",
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, json: await response.json() };
    },
    { partner: PARTNER_URL, path, body },
  );
}

/** The JSON bodies the page POSTed to URLs ending in `path`. */
function recordPosts(page: Page, path: string): Array<Record<string, unknown>> {
  const bodies: Array<Record<string, unknown>> = [];
  page.on("request", (request) => {
    if (request.method() === "POST" && request.url().endsWith(path)) bodies.push(request.postDataJSON());
  });
  return bodies;
}

/** The page's tag manager, as the widget sees it, and a gtag() that records its calls. */
type TagWindow = Window & {
  dataLayer?: Array<Record<string, unknown>>;
  gtag?: (...args: unknown[]) => void;
  gtagCalls: unknown[][];
};

const ATTRIBUTION = {
  utm_source: "newsletter",
  utm_medium: "email",
  utm_campaign: "spring-appeal",
  utm_term: "clean_water",
  utm_content: "hero-button",
  gclid: "Cj0KCQiA-abc_123",
  fbclid: "IwAR2xyz",
};

test.describe("attribution", () => {
  test("the landing URL's utm_* and click ids reach the partner server's record and CSV; a value it would refuse is left out", async ({
    page,
    request,
  }) => {
    const email = `attributed-${Date.now()}@example.com`;
    const campaign = `attr${Date.now()}`;
    // A formula-like utm_content: the partner server would refuse the whole donation with it.
    const { utm_content: _left, ...kept } = ATTRIBUTION;
    const landing = `${url({ "partner-endpoint": PARTNER_URL, campaign, ...ATTRIBUTION, utm_content: "=SUM(1+1)" })}&utm_term=second`;
    const posts = recordPosts(page, "/sir/donations");
    await page.goto(landing);
    expect((await partnerCall(page, "/sir/session", { email })).status).toBe(200);
    await widget.seeNonprofit("Water.org");
    await widget.pickAmount("$25");
    await widget.donateButton("Donate $25").click();
    await page.waitForURL(/\/checkout\//);
    const id = page.url().split("/").pop()!;
    await page.getByRole("button", { name: "Complete donation" }).click();

    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ nonprofitSlug: "water-org", amount: 2500, campaign });
    expect(posts[0].attribution).toEqual(kept);
    // SIR was asked by the partner server, never by the widget with these fields.
    expect((await sandbox.stats()).requests.createLink).toBe(1);

    await page.goto(url({ "partner-endpoint": PARTNER_URL }));
    const view = await partnerCall(page, `/sir/donations/${id}`);
    expect(view.json).toMatchObject({ status: "completed", campaign });
    expect(view.json.attribution).toEqual(kept);

    // The partner's export of confirmed donations, by source.
    await expect
      .poll(async () => (await (await request.get(`${PARTNER_METRICS_URL}/donations.csv`)).text()).includes(id))
      .toBe(true);
    const csv = await (await request.get(`${PARTNER_METRICS_URL}/donations.csv`)).text();
    const [header, ...rows] = csv.trim().split("\r\n");
    const row = rows.find((line) => line.includes(id))!;
    const cells = Object.fromEntries(header.split(",").map((name, i) => [name, row.split(",")[i].replaceAll('"', "")]));
    expect(cells).toMatchObject({ partnerDonationId: id, campaign, amount: "25.00", ...kept, utm_content: "" });
  });

  test('attribution="false" sends none to the partner server', async ({ page }) => {
    const toPartner = recordPosts(page, "/sir/donations");
    await page.goto(url({ "partner-endpoint": PARTNER_URL, attribution: "false", ...ATTRIBUTION }));
    await widget.seeNonprofit("Water.org");
    await widget.donateButton().click();
    await page.waitForURL(/\/checkout\//);
    // Nobody signed in: the partner server answered 401 (and the widget asked SIR itself).
    expect(toPartner).toHaveLength(1);
    expect(toPartner[0]).not.toHaveProperty("attribution");
  });

  test("without a partner endpoint nothing of it goes to SIR", async ({ page }) => {
    const toSir = recordPosts(page, "/v1/partner/donations/create-link");
    await page.goto(url({ campaign: "spring", ...ATTRIBUTION }));
    await widget.seeNonprofit("Water.org");
    await widget.donateButton().click();
    await page.waitForURL(/\/checkout\//);
    expect(toSir).toHaveLength(1);
    expect(toSir[0]).toMatchObject({ nonprofitSlug: "water-org", amount: 2500 });
    expect(JSON.stringify(toSir[0])).not.toMatch(/utm_|gclid|fbclid|attribution|campaign|newsletter/);
  });
});

test.describe("analytics", () => {
  test("dataLayer hears view, start, link created and completed with value and currency, never the donor's email or name", async ({
    page,
    context,
  }) => {
    await page.goto(url({ analytics: "datalayer", target: "new-tab", amounts: "10,25,50.50" }));
    await widget.seeNonprofit("Water.org");
    await widget.fillEmail("jane.donor@example.com");
    await widget.root.getByLabel(/First name/).fill("Janedonor");
    await widget.pickAmount("$50.50");
    await widget.root.getByRole("radio", { name: "Monthly" }).check();
    const [checkout] = await Promise.all([context.waitForEvent("page"), widget.donateButton().click()]);
    await checkout.waitForURL(/\/checkout\//);
    const id = checkout.url().split("/").pop()!;
    await checkout.getByRole("button", { name: "Complete donation" }).click();
    await widget.seeStatus("Thank you! Your donation is complete");

    const layer: Array<Record<string, unknown>> = await page.evaluate(() => (window as unknown as TagWindow).dataLayer);
    expect(layer.map((entry) => entry.event)).toEqual([
      "sir_donate_view",
      "sir_donate_start",
      "sir_donate_link_created",
      "sir_donate_completed",
    ]);
    const fields = { currency: "USD", nonprofit: "water-org", error_code: null };
    expect(layer[0]).toEqual({
      event: "sir_donate_view",
      value: 25,
      frequency: "once",
      transaction_id: null,
      ...fields,
    });
    // The first change was the amount: the frequency was still once.
    expect(layer[1]).toMatchObject({ event: "sir_donate_start", value: 50.5, frequency: "once", ...fields });
    for (const entry of layer.slice(2)) {
      expect(entry).toEqual({ event: entry.event, value: 50.5, frequency: "monthly", transaction_id: id, ...fields });
    }
    const text = JSON.stringify(layer);
    expect(text).not.toContain("jane.donor");
    expect(text).not.toContain("Janedonor");
  });

  test("gtag hears the same events; analytics is off by default", async ({ page }) => {
    await page.addInitScript(() => {
      (window as unknown as TagWindow).gtagCalls = [];
      (window as unknown as TagWindow).gtag = (...args: unknown[]) =>
        (window as unknown as TagWindow).gtagCalls.push(args);
    });
    await page.goto(url({ analytics: "gtag" }));
    await widget.seeNonprofit("Water.org");
    await widget.pickAmount("$50");
    await expect.poll(() => page.evaluate(() => (window as unknown as TagWindow).gtagCalls.length)).toBe(2);
    const calls = await page.evaluate(() => (window as unknown as TagWindow).gtagCalls);
    expect(calls[0].slice(0, 2)).toEqual(["event", "sir_donate_view"]);
    expect(calls[1]).toEqual([
      "event",
      "sir_donate_start",
      { value: 50, currency: "USD", nonprofit: "water-org", frequency: "once", transaction_id: null, error_code: null },
    ]);

    // Off: the same events reach the page as DOM events, and nothing else hears them.
    await page.goto(url({}));
    await widget.seeNonprofit("Water.org");
    await widget.pickAmount("$50");
    await expect.poll(async () => (await widget.events("change")).length).toBeGreaterThan(1);
    expect(await page.evaluate(() => (window as unknown as TagWindow).gtagCalls.length)).toBe(0);
    expect(await page.evaluate(() => (window as unknown as TagWindow).dataLayer)).toBeUndefined();
  });
});

test.describe("impact lines", () => {
  const IMPACT = "25: A week of clean water | 50: A month of school meals | 10: <img src=x onerror=alert(1)>";

  test("the chosen amount's line shows under the amounts, and describes the amount for screen readers", async ({
    page,
  }) => {
    await page.goto(url({ amounts: "10,25,50,100", impact: IMPACT }));
    await widget.seeNonprofit("Water.org");
    const radio = (name: string) => widget.root.getByRole("radio", { name, exact: true });
    // $25 is preselected.
    await expect(widget.root.getByText("A week of clean water")).toBeVisible();
    await expect(widget.root.getByText("A month of school meals")).toBeHidden();
    await expect(radio("$25")).toHaveAccessibleDescription("A week of clean water");
    // Choosing is landing on an amount: the one landed on is described by its own line.
    await radio("$25").focus();
    await page.keyboard.press("ArrowRight");
    await expect(radio("$50")).toBeFocused();
    await expect(radio("$50")).toBeChecked();
    await expect(radio("$50")).toHaveAccessibleDescription("A month of school meals");
    await expect(widget.root.getByText("A month of school meals")).toBeVisible();
    await expect(widget.root.getByText("A week of clean water")).toBeHidden();
    // No line for $100; a typed amount with a line shows it too.
    await widget.pickAmount("$100");
    await expect(widget.root.locator('[part~="impact"]')).toBeHidden();
    await expect(radio("$100")).toHaveAccessibleDescription("");
    await widget.typeOtherAmount("25");
    await expect(widget.root.getByText("A week of clean water")).toBeVisible();
    await expect(widget.root.getByLabel(/Other amount/)).toHaveAccessibleDescription("A week of clean water");
    // Text, never markup.
    await widget.pickAmount("$10");
    await expect(widget.root.getByText("<img src=x onerror=alert(1)>")).toBeVisible();
    await expect(widget.root.locator("img[src=x]")).toHaveCount(0);
  });

  test("mount() takes them as an object, and a line too long is refused by name", async ({ page }) => {
    await page.goto("/e2e/blank.html");
    const result = await page.evaluate(
      async ({ key, api }) => {
        const handle = await window.SirDonate!.mount("#donate", {
          key,
          org: "water-org",
          apiBase: api,
          impact: { 25: "A week of clean water", "50.50": "A month of meals" },
        });
        let refused = "";
        try {
          handle.update({ impact: { 25: "x".repeat(121) } });
        } catch (error) {
          refused = (error as { option: string }).option;
        }
        return refused;
      },
      { key: DEMO_KEY, api: SANDBOX_URL },
    );
    expect(result).toBe("impact");
    await expect(page.locator("#donate").getByText("A week of clean water")).toBeVisible();
  });
});

test.describe("deep links", () => {
  const warnings = (page: Page) => {
    const seen: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "warning" && message.text().startsWith("sir-donate: ignored")) seen.push(message.text());
    });
    return seen;
  };

  test("button mode: a campaign link opens the dialog with the amount and frequency chosen", async ({ page }) => {
    await page.goto(url({ mode: "button", "url-prefill": "", sd_amount: "50", sd_frequency: "monthly" }, "#donate"));
    const dialog = widget.root.getByRole("dialog");
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole("radio", { name: "$50", exact: true })).toBeChecked();
    await expect(dialog.getByRole("radio", { name: "Monthly" })).toBeChecked();
    await expect(widget.donateButton("Donate $50 monthly")).toBeVisible();
    // The page hears the prefilled choice as it hears a donor's.
    const changes = await widget.events("change");
    expect(changes.at(-1)).toMatchObject({ amount: 5000, frequency: "monthly", valid: true });
  });

  test("inline: #donate scrolls the form into view and focuses the amount; an amount no preset is typed in", async ({
    page,
  }) => {
    await page.addInitScript(() => {
      document.addEventListener("DOMContentLoaded", () => {
        const spacer = document.createElement("div");
        spacer.style.height = "3000px";
        document.body.prepend(spacer);
      });
    });
    await page.goto(url({ "url-prefill": "true", sd_amount: "30" }, "#donate"));
    await widget.seeNonprofit("Water.org");
    await expect(widget.root.getByLabel(/Other amount/)).toHaveValue("30");
    await expect(widget.root.getByLabel(/Other amount/)).toBeFocused();
    await expect(widget.root.getByLabel(/Other amount/)).toBeInViewport();
    await expect(widget.donateButton("Donate $30")).toBeVisible();
  });

  test("bad values are left out with a console warning, never an error; without url-prefill the URL is ignored", async ({
    page,
  }) => {
    const seen = warnings(page);
    await page.goto(
      url({ "url-prefill": "", max: "500", sd_amount: "9999", sd_frequency: "weekly", sd_org: "evil-org" }),
    );
    await widget.seeNonprofit("Water.org");
    await expect(widget.donateButton("Donate $25")).toBeVisible();
    await expect.poll(() => seen.length).toBe(3);
    expect(seen.join("\n")).toMatch(/sd_amount "9999".*\n.*sd_frequency "weekly".*\n.*sd_org "evil-org"/);
    expect(await widget.events("error")).toEqual([]);
    await expect(widget.root.getByRole("alert")).toHaveCount(0);

    await page.goto(url({ mode: "button", sd_amount: "50" }, "#donate"));
    await expect(widget.root.getByRole("button", { name: "Donate" })).toHaveAttribute("aria-haspopup", "dialog");
    await expect(widget.root.getByRole("dialog")).toBeHidden();
  });

  test("handle.open() prefills and opens from JS", async ({ page }) => {
    await page.goto("/e2e/blank.html");
    const seen = warnings(page);
    await page.evaluate(
      async ({ key, api }) => {
        const handle = await window.SirDonate!.mount("#donate", {
          key,
          org: "water-org",
          apiBase: api,
          mode: "button",
        });
        await new Promise((resolve) => handle.on("ready", resolve));
        handle.open({ amount: 100, frequency: "monthly", org: "not-mine" });
      },
      { key: DEMO_KEY, api: SANDBOX_URL },
    );
    const dialog = page.locator("#donate").getByRole("dialog");
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole("radio", { name: "$100", exact: true })).toBeChecked();
    await expect(dialog.getByRole("button", { name: "Donate $100 monthly" })).toBeVisible();
    expect(seen).toEqual(['sir-donate: ignored sd_org "not-mine": not one of this widget\'s nonprofits (org)']);
  });
});

test.describe("goal meter", () => {
  test("shows what the partner server counted, and counts this donor's donation once it completes", async ({
    page,
    context,
  }) => {
    const campaign = `goal${Date.now()}`;
    const chunks: string[] = [];
    page.on("request", (request) => {
      if (request.url().endsWith(".wasm")) chunks.push(request.url().split("/").pop()!);
    });
    await page.goto(url({ "partner-endpoint": PARTNER_URL, goal: "100", campaign, target: "new-tab" }));
    expect((await partnerCall(page, "/sir/session", { email: `goal-${Date.now()}@example.com` })).status).toBe(200);
    const meter = widget.root.getByRole("progressbar", { name: "Fundraising goal" });
    await expect(meter).toHaveAttribute("aria-valuenow", "0");
    await expect(meter).toHaveAttribute("aria-valuemax", "100");
    await expect(widget.root.getByText("$0 raised of $100 · 0 donors")).toBeVisible();
    expect(chunks.some((name) => name.includes("goal_meter"))).toBe(true);

    const [checkout] = await Promise.all([context.waitForEvent("page"), widget.donateButton("Donate $25").click()]);
    await checkout.waitForURL(/\/checkout\//);
    await checkout.getByRole("button", { name: "Complete donation" }).click();
    await widget.seeStatus("Thank you! Your donation is complete");
    await expect(widget.root.getByText("$25 raised of $100 · 1 donor")).toBeVisible({ timeout: 20_000 });
    await expect(meter).toHaveAttribute("aria-valuenow", "25");
    await expect(meter).toHaveAttribute("aria-valuetext", "$25 raised of $100 · 1 donor");
  });

  test("no goal, no meter and no chunk for it; a goal without a partner endpoint is refused by name", async ({
    page,
  }) => {
    const chunks: string[] = [];
    page.on("request", (request) => {
      if (request.url().endsWith(".wasm")) chunks.push(request.url());
    });
    await page.goto(url({ "partner-endpoint": PARTNER_URL }));
    await widget.seeNonprofit("Water.org");
    await expect(widget.root.getByRole("progressbar")).toHaveCount(0);
    expect(chunks.some((name) => name.includes("goal_meter"))).toBe(false);

    await page.goto(url({ goal: "100" }));
    await expect.poll(async () => (await widget.events("error")).map((e) => e.option)).toContain("goal");
  });
});
