import { expect, test, type CDPSession } from "@playwright/test";
import { SANDBOX_URL } from "./playwright.config";
import { DEMO_KEY, Sandbox } from "./support/sandbox";
import { DonateWidget, holdWasm } from "./support/widget";

// The embed surface as partners use it: script tag, custom element, JS API, events.

test.beforeEach(async ({ request }) => {
  await new Sandbox(request).reset();
});

// Two widgets with a doubled script tag, a missing wasm (load_failed) and the strict CSPs
// are journeys of every engine: journeys/journeys.ts.

test("elements added later, and attribute changes, update live", async ({ page }) => {
  await page.goto("/e2e/two-widgets.html");
  await new DonateWidget(page, "#first").seeNonprofit("Water.org");
  await page.evaluate((key) => {
    const late = document.createElement("sir-donate");
    late.id = "late";
    late.setAttribute("key", key);
    late.setAttribute("org", "st-jude");
    late.setAttribute("api-base", "http://127.0.0.1:8793");
    document.getElementById("later")!.append(late);
  }, DEMO_KEY);
  const late = new DonateWidget(page, "#late");
  await late.seeNonprofit("St. Jude Children's Research Hospital");
  await page.locator("#late").evaluate((el) => el.setAttribute("org", "american-red-cross"));
  await late.seeNonprofit("American Red Cross");
  await page.locator("#late").evaluate((el) => el.setAttribute("amounts", "7,70"));
  await expect(late.root.getByRole("radio", { name: "$70", exact: true })).toBeVisible();
});

test("the first view replaces the fallback content at once; the fallback is for a wasm that cannot load", async ({
  page,
}) => {
  const release = await holdWasm(page);
  await page.goto("/e2e/fallback.html");
  const widget = new DonateWidget(page);
  // The form Leptos rendered at build time, painted by the loader (e2e/first-view.spec.ts).
  await expect(widget.root.getByRole("radio", { name: "$25" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Donate to Water.org" })).toBeHidden();
  release();
  await widget.seeNonprofit("Water.org");
  await expect(page.getByRole("link", { name: "Donate to Water.org" })).toBeHidden();
});

test("a server sending the wasm with the wrong MIME type still works", async ({ page }) => {
  await page.route("**/wasm/sir-donate_bg.wasm", async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), "content-type": "application/octet-stream" } });
  });
  const widget = new DonateWidget(page);
  await page.goto("/e2e/fallback.html");
  await widget.seeNonprofit("Water.org");
});

test("the JS API mounts, updates, reports events and destroys", async ({ page }) => {
  await page.goto("/e2e/blank.html");
  const result = await page.evaluate(
    async ({ key, api }) => {
      const log: string[] = [];
      const handle = await window.SirDonate!.mount("#donate", {
        key,
        org: "water-org",
        apiBase: api,
        amounts: [5, 10],
      });
      const onOrganization = (detail: { name: string }) => log.push(`organization:${detail.name}`);
      handle.on("organization", onOrganization);
      handle.on("ready", () => log.push("ready"));
      await new Promise((r) => setTimeout(r, 1000));
      handle.off("organization", onOrganization);
      handle.update({ org: "st-jude" });
      await new Promise((r) => setTimeout(r, 1000));
      const shown = handle.element.shadowRoot!.textContent!;
      handle.destroy();
      return { log, shown, after: handle.element.shadowRoot!.childNodes.length, version: window.SirDonate!.version };
    },
    { key: DEMO_KEY, api: SANDBOX_URL },
  );
  expect(result.log).toContain("organization:Water.org");
  expect(result.log).not.toContain("organization:St. Jude Children's Research Hospital");
  expect(result.shown).toContain("St. Jude Children's Research Hospital");
  expect(result.after).toBe(0);
  expect(result.version).toMatch(/^\d+\.\d+\.\d+$/);
});

test("a refused key reported at mount still reaches handle.on('error')", async ({ page }) => {
  await page.goto("/e2e/blank.html");
  const codes = await page.evaluate(async () => {
    const handle = await window.SirDonate!.mount("#donate", { key: "sk_test_123", org: "water-org" });
    const codes: string[] = [];
    handle.on("error", (detail) => codes.push(detail.code));
    await new Promise((r) => setTimeout(r, 300));
    handle.destroy();
    return codes;
  });
  expect(codes).toEqual(["secret_key_refused"]);
});

test("bad options reject with a typed error naming the option", async ({ page }) => {
  await page.goto("/e2e/blank.html");
  const errors = await page.evaluate(async (key) => {
    const out: Array<{ name: string; code: string; option: string }> = [];
    for (const options of [
      { key, org: "water-org", colour: "red" },
      { key, org: "water-org", frequency: "weekly" },
      { key, org: "water-org", amounts: ["ten"] },
    ]) {
      try {
        await window.SirDonate!.mount("#donate", options as never);
      } catch (e) {
        const error = e as { name: string; code: string; option: string };
        out.push({ name: error.name, code: error.code, option: error.option });
      }
    }
    return out;
  }, DEMO_KEY);
  expect(errors).toEqual([
    { name: "SirDonateOptionError", code: "invalid_option", option: "colour" },
    { name: "SirDonateOptionError", code: "invalid_option", option: "frequency" },
    { name: "SirDonateOptionError", code: "invalid_option", option: "amounts" },
  ]);
});

async function domCounts(session: CDPSession) {
  // wasm-bindgen frees a Rust closure, and the DOM references it holds, from a
  // FinalizationRegistry callback that runs after a GC: collect, let it run, collect again.
  await session.send("HeapProfiler.collectGarbage");
  await new Promise((r) => setTimeout(r, 200));
  await session.send("HeapProfiler.collectGarbage");
  const { metrics } = await session.send("Performance.getMetrics");
  const value = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
  return { nodes: value("Nodes"), listeners: value("JSEventListeners") };
}

test("100 mount/destroy cycles leave no nodes or listeners behind", async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto("/e2e/blank.html");
  const session = await page.context().newCDPSession(page);
  await session.send("Performance.enable");
  const cycle = (times: number) =>
    page.evaluate(
      async ({ key, api, times }) => {
        for (let i = 0; i < times; i++) {
          const handle = await window.SirDonate!.mount("#donate", { key, org: "water-org", apiBase: api });
          handle.on("change", () => {});
          await new Promise((r) => setTimeout(r, 20));
          handle.destroy();
        }
      },
      { key: DEMO_KEY, api: SANDBOX_URL, times },
    );
  await cycle(5); // warm up: first-use allocations are not leaks
  const before = await domCounts(session);
  await cycle(100);
  // Requests aborted by destroy() settle asynchronously; what they hold is released then.
  await page.waitForTimeout(1500);
  const after = await domCounts(session);
  expect(after.nodes - before.nodes).toBeLessThanOrEqual(5);
  expect(after.listeners - before.listeners).toBeLessThanOrEqual(5);
});

test("global hostile CSS can't break the widget, and the widget's CSS stays inside", async ({ page }) => {
  const widget = new DonateWidget(page);
  await page.goto("/e2e/hostile.html");
  await widget.seeNonprofit("American Red Cross");
  const button = widget.donateButton("Donate $25");
  await expect(button).toBeVisible();
  const box = await button.boundingBox();
  expect(box!.height).toBeGreaterThanOrEqual(44);
  await expect(widget.root.getByLabel(/Email/)).toBeVisible();
  const fontSize = await widget.root
    .getByText("American Red Cross", { exact: true })
    .evaluate((el) => getComputedStyle(el).fontSize);
  expect(parseFloat(fontSize)).toBeGreaterThan(14);
  // The widget's own classes never style the page.
  expect(await page.locator("p.after").evaluate((el) => getComputedStyle(el).color)).not.toBe("rgb(11, 95, 255)");
  expect(await page.evaluate(() => document.head.querySelectorAll("style").length)).toBe(0);
  await button.click();
  await page.waitForURL(/\/checkout\//);
});
