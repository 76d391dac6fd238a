import { expect, test, type Page } from "@playwright/test";
import { PAGES_URL, PARTNER_URL, SANDBOX_URL } from "./playwright.config";
import { DEMO_KEY, Sandbox } from "./support/sandbox";
import { DonateWidget, rememberDonation } from "./support/widget";

// The delegation contract end to end: widget → partner server (donation tied to the
// signed-in donor) → sandbox checkout → signed webhook → partner server's reward outbox.

let sandbox: Sandbox;
let widget: DonateWidget;

test.beforeEach(async ({ page, request }) => {
  sandbox = new Sandbox(request);
  await sandbox.reset();
  widget = new DonateWidget(page);
  await widget.recordEvents();
});

const url = (partnerEndpoint: string, org = "water-org") =>
  `/e2e/configurable.html?${new URLSearchParams({ key: DEMO_KEY, org, "partner-endpoint": partnerEndpoint })}`;

/** A partner server call from the partner page, with the page's cookies. */
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

/** Signs the donor in with the partner server (the demo's any-email sign-in). */
async function signIn(page: Page, email: string) {
  expect((await partnerCall(page, "/sir/session", { email })).status).toBe(200);
}

async function balance(page: Page): Promise<number> {
  return (await partnerCall(page, "/sir/rewards")).json.balance ?? 0;
}

/** Donates $25 to Water.org through the widget and pays on the sandbox checkout. */
async function donateAndPay(page: Page, email: string): Promise<string> {
  await widget.seeNonprofit("Water.org");
  await widget.fillEmail(email);
  await widget.pickAmount("$25");
  await widget.donateButton("Donate $25").click();
  await page.waitForURL(/\/checkout\//);
  const id = page.url().split("/").pop()!;
  await page.getByRole("button", { name: "Complete donation" }).click();
  return id;
}

test("donate, pay, webhook, reward: the widget shows the paying donor's own balance", async ({ page, browser }) => {
  const email = `donor-${Date.now()}@example.com`;
  await page.goto(url(PARTNER_URL));
  await signIn(page, email);
  expect(await balance(page)).toBe(0);

  // Another donor on another browser, signed in too: the would-be thief.
  const other = await browser.newContext({ baseURL: PAGES_URL });
  const thief = await other.newPage();
  await thief.goto(url(PARTNER_URL));
  await signIn(thief, `thief-${Date.now()}@evil.example`);

  const id = await donateAndPay(page, email);
  // The thief knows the id (ids are public) and asks for its status and its reward.
  expect((await partnerCall(thief, `/sir/donations/${id}`)).status).toBe(404);
  const stolen = await partnerCall(thief, "/sir/rewards/donation", { partnerDonationId: id });
  expect([stolen.status, stolen.json.code]).toEqual([404, "DONATION_NOT_FOUND"]);

  await page.goto(url(PARTNER_URL));
  await widget.seeStatus("Thank you! Your donation is complete");
  await widget.seeStatus("You earned 25 SIR tokens for this donation.");
  await widget.seeStatus("Your SIR balance is now 25.");
  expect(await balance(page)).toBe(25);
  expect(await balance(thief)).toBe(0);
  // The partner server, not SIR, answered the status polls; the donation is the donor's.
  expect((await sandbox.stats()).requests.status ?? 0).toBe(0);
  const view = await partnerCall(page, `/sir/donations/${id}`);
  expect(view.json).toMatchObject({ status: "completed", source: "webhook", reward: { tokens: 25 } });
  await other.close();
});

test("a re-delivered webhook and a repeated reward request reward once", async ({ page, request }) => {
  const email = `again-${Date.now()}@example.com`;
  await page.goto(url(PARTNER_URL));
  await signIn(page, email);
  const id = await donateAndPay(page, email);
  await page.goto(url(PARTNER_URL));
  await widget.seeStatus("You earned 25 SIR tokens");

  const deliveries = await (await request.get(`${SANDBOX_URL}/__sandbox/webhooks/deliveries`)).json();
  const event = deliveries.find((d: { type: string }) => d.type === "transaction.completed");
  expect(event).toBeTruthy();
  expect((await request.post(`${SANDBOX_URL}/__sandbox/webhooks/redeliver/${event.eventId}`)).ok()).toBeTruthy();
  const again = await partnerCall(page, "/sir/rewards/donation", { partnerDonationId: id });
  expect(again.json).toMatchObject({ partnerDonationId: id, tokensDistributed: 25 });
  expect(["issued", "confirmed"]).toContain(again.json.state);
  expect(await balance(page)).toBe(25);
});

test("a reversed reward is shown as reversed", async ({ page, request }) => {
  const email = `reversed-${Date.now()}@example.com`;
  await page.goto(url(PARTNER_URL));
  await signIn(page, email);
  const id = await donateAndPay(page, email);
  await page.goto(url(PARTNER_URL));
  await widget.seeStatus("You earned 25 SIR tokens");
  const view = await partnerCall(page, `/sir/donations/${id}`);
  const reversed = await request.post(`${SANDBOX_URL}/__sandbox/actions/${view.json.reward.actionId}/reverse`, {
    data: { reason: "REFUND" },
  });
  expect(reversed.ok()).toBeTruthy();
  await expect.poll(async () => (await partnerCall(page, `/sir/donations/${id}`)).json.reward.state).toBe("reversed");
  await page.reload();
  await widget.seeStatus("The SIR tokens for this donation were reversed.");
  expect(await balance(page)).toBe(0);
});

test("a donor who isn't signed in still donates: SIR makes the link, and no reward is shown", async ({ page }) => {
  await page.goto(url(PARTNER_URL));
  const id = await donateAndPay(page, `anonymous-${Date.now()}@example.com`);
  expect((await sandbox.stats()).requests.createLink).toBe(1);
  await page.goto(url(PARTNER_URL));
  // The partner server answered 401 and asked SIR nothing; the widget made the link itself.
  expect((await partnerCall(page, `/sir/donations/${id}`)).status).toBe(401);
  await widget.seeStatus("Thank you! Your donation is complete");
  await expect(widget.root.getByText(/SIR tokens/)).toHaveCount(0);
});

test("with the partner server down, Donate says so and creates nothing", async ({ page }) => {
  await page.goto(url("http://127.0.0.1:8799")); // nothing listens there
  await widget.seeNonprofit("Water.org");
  await widget.donateButton().click();
  await widget.seeAlert("We couldn't reach the donation service");
  expect((await widget.events("error")).map((e) => e.code)).toContain("network");
  expect((await sandbox.stats()).requests.createLink ?? 0).toBe(0);
  await expect(widget.donateButton()).toBeEnabled();
});

test("a donation under way is still followed through SIR when the partner server is down", async ({ page }) => {
  // A donation the widget created earlier (its id is in sessionStorage), then the partner server went away.
  const partnerDonationId = await sandbox.createLink();
  await page.goto(url("http://127.0.0.1:8799"));
  // The widget loads lazily: let this first one mount before the donation is stored, or it
  // too follows it and a second `completed` is counted.
  await widget.seeNonprofit("Water.org");
  await rememberDonation(page, partnerDonationId, DEMO_KEY);
  await sandbox.scriptStatus(partnerDonationId, { status: "completed" });
  await page.reload();
  await widget.seeStatus("Thank you! Your donation is complete");
  await expect(widget.root.getByText(/SIR tokens/)).toHaveCount(0);
  expect(await widget.events("completed")).toHaveLength(1);
});
