import { expect, test } from "@playwright/test";
import { PARTNER_URL, SANDBOX_URL } from "./playwright.config";
import { DEMO_KEY, Sandbox } from "./support/sandbox";
import { DonateWidget } from "./support/widget";

// The delegation contract end to end: sandbox → signed webhook → partner server → widget.

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

/** Signs the donor in with the partner server, from the partner page (cookie session). */
async function signIn(page: import("@playwright/test").Page, email: string) {
  const status = await page.evaluate(
    async ({ partner, email }) =>
      (
        await fetch(`${partner}/sir/session`, {
          method: "POST",
          credentials: "include",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email }),
        })
      ).status,
    { partner: PARTNER_URL, email },
  );
  expect(status).toBe(200);
}

async function balance(page: import("@playwright/test").Page): Promise<number> {
  return page.evaluate(async (partner) => {
    const rewards = await (await fetch(`${partner}/sir/rewards`, { credentials: "include" })).json();
    return rewards.balance ?? 0;
  }, PARTNER_URL);
}

test("donate, complete, webhook to the partner server, reward shown, balance grown", async ({ page, request }) => {
  const email = `donor-${Date.now()}@example.com`;
  await page.goto(url(PARTNER_URL));
  await signIn(page, email);
  const before = await balance(page);
  await widget.seeNonprofit("Water.org");
  await widget.fillEmail(email);
  await widget.pickAmount("$25.00");
  await widget.donateButton("Donate $25.00").click();
  await page.waitForURL(/\/checkout\//);
  const id = page.url().split("/").pop()!;
  await page.getByRole("button", { name: "Complete donation" }).click();

  // The signed webhook reached the partner server, which now knows the donation itself.
  await expect
    .poll(async () => (await (await request.get(`${PARTNER_URL}/sir/donations/${id}`)).json()).source, { timeout: 15_000 })
    .toBe("webhook");

  await page.goto(url(PARTNER_URL));
  await widget.seeStatus("Thank you! Your donation is complete");
  await widget.seeStatus("You earned 25 SIR tokens for this donation.");
  await widget.seeStatus(`Your SIR balance is now ${before + 25}.`);
  expect(await balance(page)).toBe(before + 25);
  // The partner server, not SIR, answered the status polls.
  expect((await sandbox.stats()).requests.status ?? 0).toBe(0);
});

test("a re-delivered webhook and a repeated reward request reward once", async ({ page, request }) => {
  const email = `again-${Date.now()}@example.com`;
  await page.goto(url(PARTNER_URL));
  await signIn(page, email);
  await widget.seeNonprofit("Water.org");
  await widget.fillEmail(email);
  await widget.donateButton().click();
  await page.waitForURL(/\/checkout\//);
  const id = page.url().split("/").pop()!;
  await page.getByRole("button", { name: "Complete donation" }).click();
  await page.goto(url(PARTNER_URL));
  await widget.seeStatus("You earned 25 SIR tokens");

  const deliveries = await (await request.get(`${SANDBOX_URL}/__sandbox/webhooks/deliveries`)).json();
  const event = deliveries.find((d: { eventType?: string; type?: string }) => (d.eventType ?? d.type) === "transaction.completed");
  expect(event).toBeTruthy();
  const redeliver = await request.post(`${SANDBOX_URL}/__sandbox/webhooks/redeliver/${event.eventId ?? event.id}`);
  expect(redeliver.ok()).toBeTruthy();
  const again = await page.evaluate(
    async ({ partner, id }) =>
      (
        await fetch(`${partner}/sir/rewards/donation`, {
          method: "POST",
          credentials: "include",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ partnerDonationId: id }),
        })
      ).json(),
    { partner: PARTNER_URL, id },
  );
  expect(again).toMatchObject({ partnerDonationId: id, tokensDistributed: 25, idempotent: true });
  expect(await balance(page)).toBe(25);
});

test("with the partner server down, the widget still completes through SIR", async ({ page }) => {
  await page.goto(url("http://127.0.0.1:8799")); // nothing listens there
  await widget.seeNonprofit("Water.org");
  await widget.donateButton().click();
  await page.waitForURL(/\/checkout\//);
  await page.getByRole("button", { name: "Complete donation" }).click();
  await page.goto(url("http://127.0.0.1:8799"));
  await widget.seeStatus("Thank you! Your donation is complete");
  await expect(widget.root.getByText(/SIR tokens/)).toHaveCount(0);
  expect(await widget.events("completed")).toHaveLength(1);
});
