import { execFileSync, type ChildProcess } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";
import { SANDBOX_URL } from "./playwright.config";
import { Sandbox } from "./support/sandbox";
import { serveStatic } from "./support/static-server";
import { DonateWidget } from "./support/widget";

// The React and Vue examples (examples/*), built as a partner builds them: `npm run build`
// type-checks and bundles each against the packed tarball (`make examples` installed it),
// then Chromium drives the app to a created donation link.

const examples = resolve(dirname(fileURLToPath(import.meta.url)), "../examples");
const APPS = [
  { name: "React", dir: "react", port: 8801 },
  { name: "Vue", dir: "vue", port: 8802 },
];
let servers: ChildProcess[] = [];

test.beforeAll(async () => {
  test.setTimeout(240_000);
  for (const { dir } of APPS) {
    // The example's .env points at `make demo`'s sandbox; this run has its own.
    execFileSync("npm", ["run", "build", "--", "--logLevel", "warn"], {
      cwd: join(examples, dir),
      env: { ...process.env, VITE_SIR_API_BASE: SANDBOX_URL },
      stdio: ["ignore", "inherit", "inherit"],
    });
  }
  servers = await Promise.all(APPS.map(({ dir, port }) => serveStatic(join(examples, dir, "dist"), port)));
});

test.afterAll(() => {
  for (const server of servers) server.kill();
});

for (const { name, port } of APPS) {
  test(`the ${name} example mounts the widget, changes an option and hears link-created`, async ({
    page,
    context,
    request,
  }) => {
    const sandbox = new Sandbox(request);
    await sandbox.reset();
    const failures: string[] = [];
    page.on("pageerror", (error) => failures.push(error.message));
    page.on("console", (message) => {
      // Failed requests are checked below, where the favicon the examples don't ship can be told apart.
      if (["error", "warning"].includes(message.type()) && !message.text().startsWith("Failed to load resource")) {
        failures.push(message.text());
      }
    });
    page.on("response", (response) => {
      if (response.status() >= 400 && !response.url().endsWith("/favicon.ico"))
        failures.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`http://127.0.0.1:${port}/`);

    // The publishable key went in as publishableKey (React) or publishable-key (Vue): the nonprofit loads.
    const widget = new DonateWidget(page);
    await widget.seeNonprofit("Water.org");
    await expect(widget.root.getByRole("radio", { name: /^\$25(\.00)?$/ })).toBeChecked();

    // The app changes an option; the widget follows without remounting.
    await page.getByLabel("Give monthly").check();
    await expect(widget.root.getByRole("radio", { name: "Monthly" })).toBeChecked();

    const [checkout] = await Promise.all([
      context.waitForEvent("page"),
      widget.donateButton(/^Donate \$25(\.00)? monthly$/).click(),
    ]);
    await checkout.waitForURL(/\/checkout\/[0-9a-f]+$/);
    const partnerDonationId = checkout.url().split("/").pop()!;

    // The app's own listener got the link-created detail.
    await expect(page.getByText("Thank you! Your monthly donation")).toContainText(partnerDonationId);
    expect((await sandbox.stats()).requests.createLink).toBe(1);
    expect(failures).toEqual([]);
  });
}
