import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test, type Page } from "@playwright/test";
import { SANDBOX_URL } from "./playwright.config";
import { Sandbox } from "./support/sandbox";
import { DonateWidget } from "./support/widget";

// The release tree (dist/cdn/<version>/, `make build`) served from a CDN on another origin,
// with the headers the README asks a host to send, to a partner page with the README's
// integrity-pinned script tag.

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const version = readFileSync(join(repo, "Cargo.toml"), "utf8").match(/^version = "([^"]+)"/m)![1];
const release = join(repo, "dist/cdn", version);
type Manifest = {
  version: string;
  loader: { name: string; bytes: number; integrity: string };
  files: Array<{ name: string; source: string; bytes: number; integrity: string }>;
};
const manifest: Manifest = JSON.parse(readFileSync(join(release, "manifest.json"), "utf8"));
const KEY = "pk_test_f40ae06e2cfeb3cb6ce6bbcfa2617d6b8452aff0221c5281ba74b1183db4d378";
const PAGE_PORT = 8803;

type Cdn = { origin: string; served: string[]; close: () => void };

/** A CDN for the release tree on `port`: the README's headers (CORS unless `cors` is false),
 * `tamper` may change a file's bytes, and `served` lists every path it answered. */
function cdn(
  port: number,
  { cors = true, tamper }: { cors?: boolean; tamper?: (name: string, bytes: Buffer) => Buffer } = {},
): Promise<Cdn> {
  const served: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url!, "http://cdn").pathname;
    served.push(path);
    const name = path.slice(`/sir-donate/${version}/`.length);
    let bytes: Buffer;
    try {
      if (!path.startsWith(`/sir-donate/${version}/`) || name.includes("/")) throw new Error("outside");
      bytes = readFileSync(join(release, name));
    } catch {
      response.writeHead(404).end();
      return;
    }
    if (tamper) bytes = tamper(name, bytes);
    response.writeHead(200, {
      "content-type": name.endsWith(".wasm")
        ? "application/wasm"
        : name.endsWith(".json")
          ? "application/json"
          : "text/javascript",
      "cache-control": name === "sir-donate.js" ? "public, max-age=300" : "public, max-age=31536000, immutable",
      ...(cors ? { "access-control-allow-origin": "*" } : {}),
    });
    response.end(bytes);
  });
  return new Promise((ready) =>
    server.listen(port, "127.0.0.1", () =>
      ready({ origin: `http://127.0.0.1:${port}`, served, close: () => server.close() }),
    ),
  );
}

/** The partner's page, on its own origin: the script tag (pinned, as in the README, unless
 * `pinned` is false) and one widget with a fallback link. */
async function partnerPage(loader: string, pinned = true): Promise<() => void> {
  const pin = pinned ? ` integrity="${manifest.loader.integrity}" crossorigin="anonymous"` : "";
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Donate</title>
<script src="${loader}"${pin} async></script></head><body>
<sir-donate key="${KEY}" org="water-org" api-base="${SANDBOX_URL}" target="new-tab"><a href="https://example.org/donate">Donate to Water.org</a></sir-donate>
</body></html>`;
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html", "cache-control": "no-store" }).end(html);
  });
  await new Promise<void>((ready) => server.listen(PAGE_PORT, "127.0.0.1", ready));
  return () => server.close();
}

/** Loads the partner page from `server` and returns the one `error` event's detail, once the
 * widget has given up; the partner's fallback link is still there. */
async function loadFailure(page: Page, server: Cdn, pinned = true): Promise<Record<string, unknown>> {
  const closePage = await partnerPage(`${server.origin}/sir-donate/${version}/sir-donate.js`, pinned);
  try {
    const widget = new DonateWidget(page);
    await widget.recordEvents();
    await page.goto(`http://127.0.0.1:${PAGE_PORT}/`);
    await expect.poll(() => widget.events("error")).toHaveLength(1);
    await expect(page.getByRole("link", { name: "Donate to Water.org" })).toBeVisible();
    await expect(widget.root.locator('[part~="organization"]')).toHaveCount(0);
    return (await widget.events("error"))[0];
  } finally {
    server.close();
    closePage();
  }
}

test("the README pins this build's loader, and the manifest lists every hashed file", () => {
  const readme = readFileSync(join(repo, "README.md"), "utf8");
  const pinned = [
    ...readme.matchAll(
      /<script src="[^"]*\/sir-donate\/([^/"]+)\/sir-donate\.js" integrity="([^"]+)" crossorigin="anonymous"/g,
    ),
  ];
  expect(pinned.length, "the README's embed snippet").toBeGreaterThan(0);
  for (const [, pinnedVersion, integrity] of pinned) {
    // After a change to what ships: `make build && node scripts/readme-integrity.mjs`.
    expect({ version: pinnedVersion, integrity }).toEqual({ version, integrity: manifest.loader.integrity });
  }
  expect(manifest.files.map((file) => file.source)).toEqual(
    expect.arrayContaining(["sir-donate.js", "sir-donate_bg.wasm", "split_create_link_step.wasm"]),
  );
  for (const file of [manifest.loader, ...manifest.files]) {
    const bytes = readFileSync(join(release, file.name));
    expect(bytes.length).toBe(file.bytes);
    expect(file.integrity).toBe(`sha384-${createHash("sha384").update(bytes).digest("base64")}`);
  }
});

test("from a CDN on another origin, the verified files run, and a second load takes them from the cache", async ({
  page,
  context,
  request,
}) => {
  const sandbox = new Sandbox(request);
  await sandbox.reset();
  const server = await cdn(8804);
  const closePage = await partnerPage(`${server.origin}/sir-donate/${version}/sir-donate.js`);
  try {
    const widget = new DonateWidget(page);
    await page.goto(`http://127.0.0.1:${PAGE_PORT}/`);
    await widget.seeNonprofit("Water.org");
    // The chunks a Donate click needs load once the form is ready, verified too.
    const chunks = manifest.files.filter((file) =>
      /^split_(create_link_step|status_view|follow_status)\./.test(file.name),
    );
    await expect
      .poll(() => chunks.filter((file) => server.served.some((path) => path.endsWith(`/${file.name}`))).length)
      .toBe(chunks.length);
    const firstLoad = [...server.served];
    expect(new Set(firstLoad).size).toBe(firstLoad.length);

    await page.goto(`http://127.0.0.1:${PAGE_PORT}/`);
    await widget.seeNonprofit("Water.org");
    await page.waitForTimeout(500); // the chunk preload after ready, were it to ask again
    // Hashed files are immutable and the loader is fresh for 5 minutes: nothing is asked twice.
    expect(server.served.slice(firstLoad.length)).toEqual([]);

    // What came from the cache runs: the widget creates a donation link.
    const [checkout] = await Promise.all([context.waitForEvent("page"), widget.donateButton().click()]);
    await checkout.waitForURL(/\/checkout\/[0-9a-f]+$/);
    expect((await sandbox.stats()).requests.createLink).toBe(1);
  } finally {
    server.close();
    closePage();
  }
});

// One bit of the main module, or a comment added to the glue: either still runs, unchecked.
const TAMPERED = [
  {
    source: "sir-donate_bg.wasm",
    what: "wasm",
    tamper: (bytes: Buffer) => Buffer.from(bytes.map((byte, at) => (at === bytes.length - 1 ? byte ^ 1 : byte))),
  },
  {
    source: "sir-donate.js",
    what: "glue",
    tamper: (bytes: Buffer) => Buffer.concat([bytes, Buffer.from("\n// changed on the CDN\n")]),
  },
];
for (const { source, what, tamper } of TAMPERED) {
  test(`a tampered ${what} on the CDN is refused: the fallback stays and load_failed says why`, async ({ page }) => {
    const file = manifest.files.find((entry) => entry.source === source)!;
    const server = await cdn(8805, { tamper: (name, bytes) => (name === file.name ? tamper(bytes) : bytes) });
    const error = await loadFailure(page, server);
    expect(error).toMatchObject({ code: "load_failed", retryable: true });
    expect(error.message).toContain(`${file.name} failed its integrity check`);
  });
}

test("a CDN on another origin without CORS headers: load_failed names the missing Access-Control-Allow-Origin", async ({
  page,
}) => {
  // Unpinned: with `crossorigin`, the browser would refuse the loader itself, silently.
  const error = await loadFailure(page, await cdn(8806, { cors: false }), false);
  expect(error).toMatchObject({ code: "load_failed" });
  expect(error.message).toContain("must send Access-Control-Allow-Origin");
});
