import { expect, test } from "@playwright/test";
import { DEMO_KEY, Sandbox } from "./support/sandbox";
import { DonateWidget } from "./support/widget";

// Every failure the API can throw at the widget, provoked through the sandbox:
// each yields its documented `code`, a donor-readable message, and a widget that
// still works once the fault is gone.

let sandbox: Sandbox;
let widget: DonateWidget;

test.beforeEach(async ({ page, request }) => {
  sandbox = new Sandbox(request);
  await sandbox.reset();
  widget = new DonateWidget(page);
  await widget.recordEvents();
});

const page = (org = "american-red-cross", key = DEMO_KEY) => `/e2e/configurable.html?key=${key}&org=${org}`;

async function errorCodes() {
  return (await widget.events("error")).map((e) => e.code);
}

async function seeError(code: string) {
  await expect.poll(errorCodes, { timeout: 20_000 }).toContain(code);
}

test.describe("nonprofit lookup (GET, retried)", () => {
  test("one 503 is retried away", async ({ page: p }) => {
    await sandbox.fault({ endpoint: "organization", kind: "status", status: 503 });
    await p.goto(page());
    await widget.seeNonprofit("American Red Cross");
    expect((await sandbox.stats()).requests.organization).toBe(2);
    expect(await errorCodes()).toEqual([]);
  });

  test("a 429 waits for Retry-After in seconds, then succeeds", async ({ page: p }) => {
    await sandbox.fault({ endpoint: "organization", kind: "rate-limit", retryAfter: "1" });
    await p.goto(page());
    await widget.seeNonprofit("American Red Cross");
    expect((await sandbox.stats()).requests.organization).toBe(2);
  });

  test("a 429 with an HTTP-date Retry-After is honoured too", async ({ page: p }) => {
    const inOneSecond = new Date(Date.now() + 1000).toUTCString();
    await sandbox.fault({ endpoint: "organization", kind: "rate-limit", retryAfter: inOneSecond });
    await p.goto(page());
    await widget.seeNonprofit("American Red Cross");
  });

  test("a lasting outage shows server_error with a working Try again", async ({ page: p }) => {
    await sandbox.fault({ endpoint: "organization", kind: "status", status: 500, times: 4 });
    await p.goto(page());
    await seeError("server_error");
    await widget.seeAlert("The donation service is having trouble");
    await widget.root.getByRole("button", { name: "Try again" }).click();
    await widget.seeNonprofit("American Red Cross");
  });

  test("dropped connections are network errors, retried", async ({ page: p }) => {
    await sandbox.fault({ endpoint: "organization", kind: "drop", times: 4 });
    await p.goto(page());
    await seeError("network");
    await widget.seeAlert("couldn't reach the donation service");
    await widget.root.getByRole("button", { name: "Try again" }).click();
    await widget.seeNonprofit("American Red Cross");
  });

  test("malformed JSON is invalid_response", async ({ page: p }) => {
    await sandbox.fault({ endpoint: "organization", kind: "malformed" });
    await p.goto(page());
    await seeError("invalid_response");
    await widget.seeAlert("an answer we couldn't read");
  });

  test("an oversized answer is refused unread", async ({ page: p }) => {
    await sandbox.fault({ endpoint: "organization", kind: "oversized" });
    await p.goto(page());
    await seeError("invalid_response");
  });

  test("an unknown key is unauthorized", async ({ page: p }) => {
    await p.goto(page("american-red-cross", "pk_test_0000"));
    await seeError("unauthorized");
    await widget.seeAlert("isn't authorized");
  });

  test("an inactive nonprofit can't be given to", async ({ page: p }) => {
    await p.goto(page("defunct-relief-fund"));
    await seeError("organization_inactive");
    await expect(widget.donateButton()).toBeDisabled();
  });
});

test.describe("partner config", () => {
  for (const [name, key] of [
    ["an inactive partner", "pk_test_473d7cd0569b6d7d931c29cc8d0a7d17a1d3b9f1b5f263d8df546c8c552aee89"],
    ["a partner without DONATIONS", "pk_test_8babb4a144cb9f342b774cbf7667bce4f449f70c429996f6eb458730fb1ac6c7"],
  ]) {
    test(`${name} gets donations_disabled and no donate button`, async ({ page: p }) => {
      await p.goto(page("american-red-cross", key));
      await seeError("donations_disabled");
      await widget.seeAlert("Donations are turned off");
      await expect(widget.donateButton()).toBeDisabled();
    });
  }
});

test.describe("create-link (POST, never retried)", () => {
  async function ready(p: import("@playwright/test").Page) {
    await p.goto(page());
    await widget.seeNonprofit("American Red Cross");
  }

  test("a 500 is shown once, not retried, and the next click works", async ({ page: p }) => {
    await sandbox.fault({ endpoint: "create-link", kind: "status", status: 500 });
    await ready(p);
    await widget.donateButton().click();
    await seeError("server_error");
    expect((await sandbox.stats()).requests.createLink).toBe(1);
    await widget.donateButton("Donate $25").click();
    await p.waitForURL(/\/checkout\//);
    expect((await sandbox.stats()).requests.createLink).toBe(2);
  });

  test("a 429 says when to retry and is not retried by itself", async ({ page: p }) => {
    await sandbox.fault({ endpoint: "create-link", kind: "rate-limit", retryAfter: "2" });
    await ready(p);
    await widget.donateButton().click();
    await seeError("rate_limited");
    await widget.seeAlert("Please try again in 2 seconds");
    await p.waitForTimeout(2500);
    expect((await sandbox.stats()).requests.createLink).toBe(1);
    const [error] = await widget.events("error");
    expect(error).toMatchObject({ code: "rate_limited", retryable: true });
  });

  for (const [status, code, message] of [
    [400, "invalid_request", "The donation couldn't be created"],
    [401, "unauthorized", "isn't authorized"],
    [403, "forbidden", "isn't allowed"],
  ] as const) {
    test(`a ${status} is ${code}, with a message for the donor`, async ({ page: p }) => {
      await sandbox.fault({ endpoint: "create-link", kind: "status", status });
      await ready(p);
      await widget.donateButton().click();
      await seeError(code);
      await widget.seeAlert(message);
    });
  }

  test("a dropped connection is a network error and not retried", async ({ page: p }) => {
    await sandbox.fault({ endpoint: "create-link", kind: "drop" });
    await ready(p);
    await widget.donateButton().click();
    await seeError("network");
    expect((await sandbox.stats()).requests.createLink).toBe(1);
  });

  test("malformed JSON is invalid_response", async ({ page: p }) => {
    await sandbox.fault({ endpoint: "create-link", kind: "malformed" });
    await ready(p);
    await widget.donateButton().click();
    await seeError("invalid_response");
  });

  for (const link of ["http://evil.example/pay", "javascript:alert(document.domain)", "data:text/html,hi"]) {
    test(`an unsafe donationLink (${link.split(":")[0]}) is never followed`, async ({ page: p }) => {
      await sandbox.fault({ endpoint: "create-link", kind: "link", link });
      await ready(p);
      await widget.donateButton().click();
      await seeError("unsafe_link");
      await widget.seeAlert("isn't safe to open");
      expect(p.url()).toContain("/e2e/configurable.html");
      expect(await widget.events("link-created")).toEqual([]);
    });
  }

  test("a slow answer times out after 15 s, once", async ({ page: p }) => {
    test.setTimeout(60_000);
    await sandbox.fault({ endpoint: "create-link", kind: "delay", delayMs: 20_000 });
    await ready(p);
    await widget.donateButton().click();
    await seeError("timeout");
    await widget.seeAlert("took too long");
    expect((await sandbox.stats()).requests.createLink).toBe(1);
  });
});

test.describe("status following", () => {
  test("polling reaches completed through unknown states, then stops", async ({ page: p }) => {
    await p.goto(page());
    await widget.seeNonprofit("American Red Cross");
    await widget.donateButton().click();
    await p.waitForURL(/\/checkout\//);
    const id = p.url().split("/").pop()!;
    await sandbox.scriptStatus(id, { sequence: ["pending", "completed"] });
    await p.goto(page());
    await widget.seeStatus("Thank you! Your donation is complete");
    const statuses = (await widget.events("status")).map((e) => e.status);
    expect(statuses).toEqual(["pending", "completed"]);
    const polls = (await sandbox.stats()).requests.status;
    await p.waitForTimeout(3000);
    expect((await sandbox.stats()).requests.status).toBe(polls);
  });

  test("removing the widget stops polling and cancels its requests", async ({ page: p }) => {
    await p.goto(page());
    await widget.seeNonprofit("American Red Cross");
    await widget.donateButton().click();
    await p.waitForURL(/\/checkout\//);
    await p.goto(page());
    await widget.seeStatus("Your donation is processing");
    await expect.poll(async () => (await sandbox.stats()).requests.status).toBeGreaterThanOrEqual(2);
    await p.locator("sir-donate").evaluate((element) => element.remove());
    await p.waitForTimeout(500);
    const polls = (await sandbox.stats()).requests.status;
    await p.waitForTimeout(4000);
    expect((await sandbox.stats()).requests.status).toBe(polls);
  });

  test("a cancelled checkout reads as cancelled, with a way to give again", async ({ page: p }) => {
    await p.goto(page());
    await widget.seeNonprofit("American Red Cross");
    await widget.donateButton().click();
    await p.getByRole("button", { name: "Cancel" }).click();
    await p.goto(page());
    await widget.seeStatus("The donation was cancelled");
    await widget.root.getByRole("button", { name: "Make another donation" }).click();
    await expect(widget.donateButton("Donate $25")).toBeEnabled();
    await p.reload();
    await expect(widget.donateButton("Donate $25")).toBeEnabled();
  });
});
