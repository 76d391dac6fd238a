import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { SANDBOX_URL } from "./playwright.config";
import { Sandbox } from "./support/sandbox";
import { DonateWidget } from "./support/widget";

// The Next.js example (examples/next), as a partner runs it: `next build` against the packed
// tarball (`make examples` installed it) and `next start`; then `next dev`, whose Strict Mode
// runs every effect twice. The App Router pages: `/` (a server page with the SirDonate
// component), `/client` (the JS API in a client component) and `/element` (the bare element in
// a server component).

const app = resolve(dirname(fileURLToPath(import.meta.url)), "../examples/next");
const next = join(app, "node_modules/.bin/next");
const START_PORT = 8811;
const DEV_PORT = 8812;
// The example's .env points at `make demo`'s sandbox; this run has its own.
const env = { ...process.env, NEXT_PUBLIC_SIR_API_BASE: SANDBOX_URL, NEXT_TELEMETRY_DISABLED: "1" };
const servers: ChildProcess[] = [];

/** Starts `next <command>` in its own process group (next dev forks) and waits until it answers. */
async function serve(command: "start" | "dev", port: number): Promise<string> {
  const server = spawn(next, [command, "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: app,
    env: { ...env, NODE_ENV: command === "dev" ? "development" : "production" },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  servers.push(server);
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`next ${command} exited with ${server.exitCode}`);
    try {
      if ((await fetch(url)).ok) return url;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test.afterAll(() => {
  for (const server of servers) if (server.pid) process.kill(-server.pid);
});

/** Console errors and warnings (hydration mismatches among them), page errors and failed requests. */
function watchForFailures(page: Page): string[] {
  const failures: string[] = [];
  page.on("pageerror", (error) => failures.push(error.message));
  page.on("console", (message) => {
    // Failed requests are checked below, where the favicon the example doesn't ship can be told apart.
    if (["error", "warning"].includes(message.type()) && !message.text().startsWith("Failed to load resource")) {
      failures.push(message.text());
    }
  });
  page.on("response", (response) => {
    if (response.status() >= 400 && !response.url().endsWith("/favicon.ico"))
      failures.push(`${response.status()} ${response.url()}`);
  });
  return failures;
}

/**
 * The donor sees one widget with the partner's presets and the nonprofit's name, gives $25 and
 * reaches the sandbox checkout in a new tab; the page's callback (or on() listener) heard that
 * one link, once: the page lists the links it heard, `earlier` ones (kept by a hidden route) and
 * this one. Returns the page's list, with the widget back at its form.
 */
async function donate(
  page: Page,
  context: BrowserContext,
  selector: string,
  earlier: string[] = [],
): Promise<string[]> {
  const widget = new DonateWidget(page, selector);
  await expect(page.locator(selector)).toHaveCount(1);
  await widget.seeNonprofit("Water.org");
  await expect(widget.root.locator('[part~="form"]')).toHaveCount(1);
  // amounts={[10, 25, 50]}, not the default 10, 25, 50, 100: the list reached the widget.
  await expect(widget.root.getByRole("radio", { name: /^\$50(\.00)?$/ })).toBeVisible();
  await expect(widget.root.getByRole("radio", { name: /^\$100(\.00)?$/ })).toHaveCount(0);
  const [checkout] = await Promise.all([
    context.waitForEvent("page"),
    widget.donateButton(/^Donate \$25(\.00)?$/).click(),
  ]);
  await checkout.waitForURL(/\/checkout\/[0-9a-f]+$/);
  const partnerDonationId = checkout.url().split("/").pop()!;
  await checkout.close();
  const started = page.getByRole("list", { name: "Donations started" }).getByRole("listitem");
  await expect(started).toHaveText([...earlier, partnerDonationId]);
  // The widget follows the donation it started, as would the next one on this origin: the donor
  // starts over, which forgets it.
  await widget.root.getByRole("button", { name: "Make another donation" }).click();
  await expect(widget.root.locator('[part~="form"]')).toHaveCount(1);
  return [...earlier, partnerDonationId];
}

test.describe("the Next.js example", () => {
  let url: string;

  test.beforeAll(async () => {
    test.setTimeout(300_000);
    const started = Date.now();
    execFileSync(next, ["build"], {
      cwd: app,
      env: { ...env, NODE_ENV: "production" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    console.log(`next build: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    url = await serve("start", START_PORT);
  });

  test("the server page's SirDonate reaches the checkout on a full load and after navigating away and back", async ({
    page,
    context,
    request,
  }) => {
    const sandbox = new Sandbox(request);
    await sandbox.reset();
    const failures = watchForFailures(page);
    await page.goto(`${url}/`);
    // The server's HTML already holds the element with its attributes, the list as text.
    const html = await (await request.get(`${url}/`)).text();
    expect(html).toMatch(/<sir-donate publishable-key="pk_test_[0-9a-f]+" org="water-org" amounts="10,25,50"/);

    const links = await donate(page, context, "sir-donate");
    await page.locator("sir-donate").evaluate((element) => element.setAttribute("data-first-visit", ""));
    await page.getByRole("link", { name: "The JS API" }).click();
    await expect(page).toHaveURL(`${url}/client`);
    await expect(new DonateWidget(page, "#donate").root.locator('[part~="form"]')).toHaveCount(1);
    await page.getByRole("link", { name: "The component" }).click();
    await expect(page).toHaveURL(`${url}/`);
    // cacheComponents kept the route, hidden, with its widget (and the page's state): the same
    // element is back, and its callback still hears each link once.
    await expect(page.locator("sir-donate[data-first-visit]")).toHaveCount(1);
    await donate(page, context, "sir-donate", links);

    expect((await sandbox.stats()).requests.createLink).toBe(2);
    expect(failures).toEqual([]);
  });

  test("the JS API page reaches the checkout on a full load and after client-side navigation", async ({
    page,
    context,
    request,
  }) => {
    const sandbox = new Sandbox(request);
    await sandbox.reset();
    const failures = watchForFailures(page);
    await page.goto(`${url}/client`);
    const links = await donate(page, context, "#donate");
    await page.getByRole("link", { name: "The component" }).click();
    await expect(page).toHaveURL(`${url}/`);
    await donate(page, context, "sir-donate");
    // Hidden, the route's effect was cleaned up (destroy()); shown again, it mounted anew.
    await page.getByRole("link", { name: "The JS API" }).click();
    await expect(page).toHaveURL(`${url}/client`);
    await donate(page, context, "#donate", links);

    expect((await sandbox.stats()).requests.createLink).toBe(3);
    expect(failures).toEqual([]);
  });

  test("a bare <sir-donate publishable-key> in a server component works", async ({ page, context, request }) => {
    const sandbox = new Sandbox(request);
    await sandbox.reset();
    const failures = watchForFailures(page);
    await page.goto(`${url}/element`);
    const widget = new DonateWidget(page);
    await widget.seeNonprofit("Water.org");
    await expect(widget.root.getByRole("radio", { name: /^\$100(\.00)?$/ })).toHaveCount(0);
    const [checkout] = await Promise.all([
      context.waitForEvent("page"),
      widget.donateButton(/^Donate \$25(\.00)?$/).click(),
    ]);
    await checkout.waitForURL(/\/checkout\/[0-9a-f]+$/);
    expect((await sandbox.stats()).requests.createLink).toBe(1);
    expect(failures).toEqual([]);
  });
});

test("the Next.js example under next dev (Strict Mode) shows one working widget per page", async ({
  page,
  context,
  request,
}) => {
  test.setTimeout(240_000);
  const sandbox = new Sandbox(request);
  await sandbox.reset();
  const url = await serve("dev", DEV_PORT);
  const failures = watchForFailures(page);
  // The first request of a page compiles it.
  await page.goto(`${url}/client`, { timeout: 120_000 });
  await donate(page, context, "#donate");
  await page.goto(`${url}/`, { timeout: 120_000 });
  await donate(page, context, "sir-donate");
  expect((await sandbox.stats()).requests.createLink).toBe(2);
  expect(failures).toEqual([]);
});
