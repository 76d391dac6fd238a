import { execFileSync, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";
import { SANDBOX_URL } from "./playwright.config";
import { serveStatic } from "./support/static-server";

// The packed npm tarball, installed into a scratch project like a partner's, bundled
// with esbuild and with Vite, and run in Chromium against the sandbox.

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..");
const bin = (name: string) => join(repo, "node_modules/.bin", name);
let scratch: string;
let servers: ChildProcess[] = [];

test.beforeAll(async () => {
  test.setTimeout(120_000);
  scratch = mkdtempSync(join(tmpdir(), "sir-donate-consumer-"));
  const tarball = readdirSync(join(repo, "dist")).find((f) => /^sir-donate-.*\.tgz$/.test(f))!;
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", join(repo, "dist", tarball)], {
    cwd: scratch,
  });
  cpSync(join(here, "npm-consumer"), scratch, { recursive: true });

  // esbuild: the wasm is a separate asset the app copies beside its bundle.
  execFileSync(
    bin("esbuild"),
    ["app.js", "--bundle", "--format=esm", "--splitting", "--outdir=out-esbuild", "--log-level=warning"],
    { cwd: scratch },
  );
  cpSync(join(scratch, "index.html"), join(scratch, "out-esbuild/index.html"));
  cpSync(join(scratch, "node_modules/sir-donate/wasm"), join(scratch, "out-esbuild/wasm"), { recursive: true });
  // Vite copies the wasm by itself (new URL(..., import.meta.url)).
  execFileSync(bin("vite"), ["build", "--outDir", "out-vite", "--logLevel", "warn"], { cwd: scratch });
  servers = await Promise.all([
    serveStatic(join(scratch, "out-esbuild"), 8795),
    serveStatic(join(scratch, "out-vite"), 8796),
  ]);
});

test.afterAll(() => {
  for (const server of servers) server.kill();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test("importing the package under Node (SSR) has no side effects and loads nothing", () => {
  const out = execFileSync(
    "node",
    [
      "--input-type=module",
      "-e",
      "const m = await import('sir-donate'); console.log(JSON.stringify([typeof globalThis.window, await m.loadSirDonate()]));",
    ],
    { cwd: scratch, encoding: "utf8" },
  );
  expect(JSON.parse(out.trim().split("\n").pop()!)).toEqual(["undefined", null]);
});

for (const [bundler, port] of [
  ["esbuild", 8795],
  ["Vite", 8796],
] as const) {
  test(`an app bundled with ${bundler} mounts the widget`, async ({ page }) => {
    const failures: string[] = [];
    page.on("pageerror", (error) => failures.push(error.message));
    await page.goto(`http://127.0.0.1:${port}/index.html?api=${encodeURIComponent(SANDBOX_URL)}`);
    await expect(page.locator("#donate").getByText("Water.org", { exact: true })).toBeVisible();
    await expect(page.locator("body")).toHaveAttribute("data-ready", /^\d+\.\d+\.\d+$/);
    await expect(page.locator("#donate").getByRole("radio", { name: "$10", exact: true })).toBeVisible();
    expect(failures).toEqual([]);
  });
}
