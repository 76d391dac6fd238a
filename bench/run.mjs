// make bench: what sir-donate costs a partner's page, side by side with a plain link and
// with @getchange/change-drop-in, in headless Chromium with the sandbox, over four profiles:
// loopback, emulated fast and slow 4G (CDP network emulation for the pages' files, the
// sandbox's --latency-ms for its API answers), and a phone (slow 4G with the CPU throttled 4×),
// files served compressed as a CDN would; then Lighthouse's mobile run of the same pages.
//   node bench/run.mjs       (after `make build sandbox`; BENCH_RUNS=11 page loads per scenario,
//                            BENCH_LIGHTHOUSE_RUNS=3 Lighthouse runs per page, 0 skips them)
// Prints a Markdown report on stdout (progress goes to stderr), writes bench/results.json and
// draws bench/chart.svg. bench/README.md says what each figure means.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { chartSvg } from "./chart.mjs";
import { BUDGET_FILE, checkBudget, compressedSizes, measureDist, readBudget } from "./size.mjs";
import { wasmMarkdown, wasmReport } from "./wasm-report.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 11);
const LIGHTHOUSE_RUNS = Number(process.env.BENCH_LIGHTHOUSE_RUNS ?? 3);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 100);
const TIMED_CYCLES = 20;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const RESULTS = join(here, "results.json");
const CHART = join(here, "chart.svg");
const SITE = join(here, ".out/site");
const CHANGE_DIST = join(here, "node_modules/@getchange/change-drop-in/dist");
const KEY = "pk_test_f40ae06e2cfeb3cb6ce6bbcfa2617d6b8452aff0221c5281ba74b1183db4d378";
const ORG = "american-red-cross";
// Its name as the sandbox sends it (servers/sandbox/src/seed.rs): "usable" waits for this text.
const ORG_NAME = "American Red Cross";
const CHANGE_ATTRIBUTES = {
  "public-key": "pk_live_d1acaf4c39ab38273133cb97649ddba0ecd5d76b81c8b1db7039f7ae937f9b33",
  "nonprofit-id": "n_B7e7Xu5RFvYHGLHDCSMQ5Yck",
};

// The anchors of issue #8, measured from their released files (KB = 1000 bytes).
const ANCHORS = {
  everyOrgGzip: 49300,
  changeGzip: 9500,
  stripePaypalLoaderGzip: 2000,
  leptosThrowawayGzip: 42000,
  leptosThrowawayBrotli: 35000,
};
const TARGETS = { loaderGzip: 5000, usableVsChange: 1.5, firstLoadGzip: 100000, nextFirstLoadGzip: 75000 };
// Issue #21's: bytes before usable, and interactive on fast 4G no later than usable was
// before the first view (450 ms, bench/README.md); Lighthouse's score, TBT and CLS.
const FIRST_VIEW_TARGETS = {
  bytesBeforeUsableGzip: 15000,
  interactiveFast4gMs: 450,
  scoreBelowPlain: 2,
  totalBlockingTimeMs: 50,
  cumulativeLayoutShift: 0.01,
};

/** The networks a donor loads the page over (issues #13 and #21). `rtt` is added to every
 * request by Chromium's emulation (the pages' own files) and by the sandbox (its API answers
 * and CORS preflights, which the emulation leaves alone); `mbps` caps the download, and the
 * upload too unless `upMbps` says otherwise. `cpu` slows the page's CPU down by that factor
 * (CDP Emulation.setCPUThrottlingRate, applied, not simulated). The phone is Lighthouse's
 * mobile profile: 150 ms, 1.6 Mbit/s down, 750 kbit/s up, the CPU 4× slower. */
const PROFILES = [
  { id: "loopback", label: "loopback", rtt: 0, mbps: null },
  { id: "fast4g", label: "fast 4G", rtt: 40, mbps: 9 },
  { id: "slow4g", label: "slow 4G", rtt: 150, mbps: 1.6 },
  { id: "phone", label: "phone", rtt: 150, mbps: 1.6, upMbps: 0.75, cpu: 4 },
];

const log = (...parts) => console.error("bench:", ...parts);
const started = Date.now();

// ---------------------------------------------------------------- servers

const children = [];
process.on("exit", () => {
  for (const child of children) child.kill();
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));

/** Spawns a server and resolves to the URL in the first stdout line matching `pattern`. */
function startServer(command, args, pattern, name) {
  const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const stderr = [];
  child.stderr.on("data", (chunk) => stderr.push(chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 15 s`)), 15000);
    child.on("exit", (code) =>
      reject(new Error(`${name} exited (${code}): ${Buffer.concat(stderr).toString().slice(-2000)}`)),
    );
    createInterface({ input: child.stdout }).on("line", (line) => {
      const match = line.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
}

/** The files the pages load, in one directory: the dist/ bundle and Change's package. */
function stageSite() {
  rmSync(SITE, { recursive: true, force: true });
  mkdirSync(SITE, { recursive: true });
  cpSync(join(ROOT, "dist/sir-donate.js"), join(SITE, "sir-donate.js"));
  cpSync(join(ROOT, "dist/wasm"), join(SITE, "wasm"), { recursive: true });
  cpSync(CHANGE_DIST, join(SITE, "change-drop-in"), { recursive: true });
}

/** The pages must differ only between their bench:widget markers (and in their titles). */
function checkTemplate() {
  const pages = readdirSync(join(here, "pages")).filter((file) => file.endsWith(".html"));
  const shell = (file) =>
    readFileSync(join(here, "pages", file), "utf8")
      .replace(/<title>.*<\/title>/, "")
      .replace(/<!-- bench:widget[\s\S]*<!-- \/bench:widget -->/, "");
  const reference = shell(pages[0]);
  for (const file of pages)
    if (shell(file) !== reference) throw new Error(`bench/pages/${file} strays from the shared template`);
  return pages;
}

// ---------------------------------------------------------------- measuring one page load

/** Change's page calls its API and CDN on the public internet, which this bench never
 * reaches: those requests are answered here with the smallest bodies the component accepts.
 * They are listed in the breakdown as stubbed and left out of the byte totals. */
const CHANGE_STUBS = [
  [/\/drop_in\/donation_form\/settings/, "application/json", "{}"],
  [/\/nonprofit_basics/, "application/json", JSON.stringify({ nonprofits: [{ crypto: { solana_address: "stub" } }] })],
  [/\.svg(\?|$)/, "image/svg+xml", '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'],
];

async function stubPublicRequests(cdp, rtt) {
  await cdp.send("Fetch.enable", { patterns: [{ urlPattern: "https://*", requestStage: "Request" }] });
  cdp.on("Fetch.requestPaused", async ({ requestId, request }) => {
    const stub = CHANGE_STUBS.find(([pattern]) => pattern.test(request.url));
    const [, type, body] = stub ?? [null, "text/plain", ""];
    // Its API is as far away as ours: the network's round trip, like the sandbox's.
    if (rtt) await sleep(rtt);
    cdp
      .send("Fetch.fulfillRequest", {
        requestId,
        responseCode: stub ? 200 : 404,
        responseHeaders: [
          { name: "content-type", value: type },
          { name: "access-control-allow-origin", value: "*" },
        ],
        body: Buffer.from(body).toString("base64"),
      })
      .catch(() => {});
  });
}

/** Records every request of the page from the CDP network log, with its body's sizes. */
function networkLog(cdp, origins) {
  const requests = new Map();
  const inflight = new Set();
  let lastActivity = Date.now();
  cdp.on("Network.requestWillBeSent", ({ requestId, request, type, frameId, loaderId, wallTime }) => {
    if (requests.has(requestId) && type !== "Preflight") return; // a redirect keeps its id
    inflight.add(requestId);
    lastActivity = Date.now();
    // wallTime (s since the epoch) against performance.timeOrigin: when it started in page time.
    requests.set(requestId, {
      requestId,
      url: request.url,
      method: request.method,
      type,
      frameId,
      loaderId,
      phase: recorder.phase,
      at: Date.now(),
      wallMs: wallTime * 1000,
    });
  });
  cdp.on("Network.responseReceived", ({ requestId, response, type }) => {
    const entry = requests.get(requestId);
    if (!entry) return;
    Object.assign(entry, { status: response.status, mime: response.mimeType, type: entry.type ?? type });
  });
  cdp.on("Network.loadingFinished", ({ requestId, encodedDataLength }) => {
    inflight.delete(requestId);
    lastActivity = Date.now();
    const entry = requests.get(requestId);
    if (!entry) return;
    entry.transfer = encodedDataLength;
    entry.body = cdp.send("Network.getResponseBody", { requestId }).then(
      ({ body, base64Encoded }) => Buffer.from(body, base64Encoded ? "base64" : "utf8"),
      () => null,
    );
  });
  cdp.on("Network.loadingFailed", ({ requestId, errorText, canceled }) => {
    inflight.delete(requestId);
    lastActivity = Date.now();
    const entry = requests.get(requestId);
    if (entry) Object.assign(entry, { failed: canceled ? "canceled" : errorText });
  });
  const recorder = {
    phase: "load",
    requests,
    /** Resolves once no request has been in flight for `quietMs` (at most `maxMs`). */
    async quiet(quietMs = 300, maxMs = 5000) {
      const until = Date.now() + maxMs;
      while (Date.now() < until && (inflight.size > 0 || Date.now() - lastActivity < quietMs)) await sleep(25);
    },
    /** The widget's requests so far: everything but the page itself, with sizes and their
     * start in ms from the page's time origin. */
    async widgetFiles(pageUrl, phases, timeOrigin = 0) {
      const files = [];
      // Requests of the page's own document: not those of the checkout it navigates to.
      const page = [...requests.values()].find((entry) => entry.url === pageUrl && entry.type === "Document");
      for (const entry of requests.values()) {
        if (!phases.includes(entry.phase)) continue;
        if (page && entry.loaderId && entry.loaderId !== page.loaderId) continue;
        if (entry.url === pageUrl || entry.url.startsWith("data:")) continue;
        if (entry.type === "Document") continue; // the page, or the checkout it navigates to
        const body = (await entry.body) ?? Buffer.alloc(0);
        const sizes = compressedSizes(body);
        const stubbed = entry.url.startsWith("https://");
        files.push({
          file: displayName(entry.url, origins),
          startMs: entry.wallMs - timeOrigin,
          kind: kindOf(entry),
          method: entry.method,
          status: entry.status ?? null,
          phase: entry.phase,
          transfer: entry.transfer ?? 0,
          ...sizes,
          stubbed,
          failed: entry.failed ?? null,
        });
      }
      return files;
    },
  };
  return recorder;
}

function displayName(url, origins) {
  const parsed = new URL(url);
  if (parsed.origin === origins.pages) return parsed.pathname;
  if (parsed.origin === origins.api) return `api ${parsed.pathname}`;
  return `${parsed.host}${parsed.pathname}`;
}

function kindOf(entry) {
  const mime = entry.mime ?? "";
  if (entry.type === "Preflight" || entry.method === "OPTIONS") return "api (CORS preflight)";
  if (mime === "application/wasm" || entry.url.endsWith(".wasm")) return "wasm";
  if (entry.type === "Script" || /javascript/.test(mime)) return "js";
  if (entry.type === "Stylesheet" || mime === "text/css") return "css";
  if (entry.type === "Image" || mime.startsWith("image/")) return "image";
  if (entry.type === "Font" || mime.startsWith("font/")) return "font";
  if (entry.type === "Fetch" || entry.type === "XHR" || /json/.test(mime)) return "api";
  return "other";
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** JS heap (V8, after a full GC) and wasm linear memory of the page, in bytes. */
async function memory(cdp, page) {
  await cdp.send("HeapProfiler.collectGarbage");
  await cdp.send("HeapProfiler.collectGarbage");
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  const wasm = await page.evaluate(() => window.__bench.wasmMemoryBytes());
  return { jsHeap: usedSize, wasmMemory: wasm };
}

/** A fresh browser context (cold cache) with the instrumentation and a CDP session, on the
 * profile's network. */
async function openPage(browser, origins, { stubs = false, reports = null, profile = PROFILES[0] } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript({ content: `window.__benchNonprofitName = ${JSON.stringify(ORG_NAME)};\n${INSTRUMENT}` });
  if (reports)
    await context.exposeBinding("__benchReport", (_source, name, value) => {
      reports[name] = value;
    });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable", { maxTotalBufferSize: 200e6, maxResourceBufferSize: 50e6 });
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  if (profile.mbps) {
    const bytesPerSecond = (mbps) => (mbps * 1e6) / 8;
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: profile.rtt,
      downloadThroughput: bytesPerSecond(profile.mbps),
      uploadThroughput: bytesPerSecond(profile.upMbps ?? profile.mbps),
    });
  }
  if (profile.cpu) await cdp.send("Emulation.setCPUThrottlingRate", { rate: profile.cpu });
  if (stubs) await stubPublicRequests(cdp, profile.rtt);
  const network = networkLog(cdp, origins);
  return { context, page, cdp, network };
}

/** One cold page load of a widget page: bytes, times, long tasks, memory, then a click. */
async function loadScenario(browser, profile, widget) {
  const { origins } = profile;
  const ours = widget === "ours" || widget === "oursHints";
  const reports = {};
  const { context, page, cdp, network } = await openPage(browser, origins, {
    stubs: widget === "change",
    reports: ours ? reports : null,
    profile,
  });
  try {
    const url = `${origins.pages}/e2e/${PAGES[widget]}`;
    await page.goto(url, { waitUntil: "load", timeout: 30000 });
    // Usable, and for ours the wasm's takeover too (the click below needs it).
    if (widget !== "plain") {
      await page.waitForFunction(
        (ours) =>
          window.__bench.marks.usable !== undefined && (!ours || window.__bench.marks.interactive !== undefined),
        ours,
        { timeout: 30000 },
      );
    }
    await network.quiet();
    await sleep(200);
    const timing = await page.evaluate(() => {
      const bench = window.__bench;
      bench.stopFrames = true;
      const navigation = performance.getEntriesByType("navigation")[0];
      return {
        marks: bench.marks,
        longTasks: bench.longTasks,
        placeholderFrameIndex: bench.placeholderFrameIndex ?? null,
        firstFrameAfterScriptIndex: bench.firstFrameAfterScriptIndex ?? null,
        readyInputs: bench.readyInputs ?? null,
        wasm: bench.wasm,
        resources: performance.getEntriesByType("resource").map((entry) => ({
          name: entry.name,
          initiator: entry.initiatorType,
          start: entry.startTime,
          end: entry.responseEnd,
        })),
        domContentLoaded: navigation.domContentLoadedEventEnd,
        load: navigation.loadEventStart,
        timeOrigin: performance.timeOrigin,
      };
    });
    // Usable: the form takes input and names the nonprofit (Change: its form rendered and
    // taking input); a plain link is usable once its page has loaded. Interactive: ours only.
    timing.takesInput = widget === "plain" ? timing.load : (timing.marks.takesInput ?? null);
    timing.usable = widget === "plain" ? timing.load : (timing.marks.usable ?? null);
    timing.interactive = ours ? (timing.marks.interactive ?? null) : null;
    const mem = await memory(cdp, page);
    const files = await network.widgetFiles(url, ["load"], timing.timeOrigin);

    let click = null;
    if (widget !== "plain") {
      network.phase = "click";
      await page.evaluate(() => {
        window.__bench.armed = true;
      });
      if (ours) {
        await page
          .locator("sir-donate")
          .getByRole("button", { name: /^Donate/ })
          .click();
        await waitFor(() => reports.click, 15000, "sir-donate:link-created after the click");
        click = reports.click.clickHandled - reports.click.click;
      } else {
        const form = page.locator("change-donation-form");
        await form.locator("input[name=custom-amount]").fill("25");
        await form.locator("input[name=first-name]").fill("Jane");
        await form.locator("input[name=last-name]").fill("Doe");
        await form.locator("a#coinbase").click();
        await page.waitForFunction(() => window.__bench.marks.clickHandled !== undefined);
        const marks = await page.evaluate(() => window.__bench.marks);
        click = marks.clickHandled - marks.click;
      }
      await network.quiet(200, 3000);
    }
    const clickFiles = ours ? await network.widgetFiles(url, ["click"], timing.timeOrigin) : [];
    // What the click waited on: the requests it started before its link was handled.
    const clickRequests = ours
      ? clickFiles.filter((f) => f.startMs <= reports.click.clickHandled).map((f) => `${f.method} ${f.file}`)
      : null;
    return { timing, memory: mem, files, clickFiles, clickRequests, click };
  } finally {
    await context.close();
  }
}

async function waitFor(read, ms, what) {
  const until = Date.now() + ms;
  while (!read()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Mount/destroy cycles on a page that loaded the widget's script but mounted nothing. */
async function cycleScenario(browser, origins, widget) {
  const { context, page, cdp, network } = await openPage(browser, origins, { stubs: widget === "change" });
  try {
    await page.goto(`${origins.pages}/e2e/${PAGES[`${widget}Cycles`]}`, { waitUntil: "load" });
    const setup = { key: KEY, org: ORG, apiBase: origins.api, attributes: CHANGE_ATTRIBUTES, widget };
    // Defines window.__cycle(waitReady) → { mount, toReady, destroy } in ms.
    await page.evaluate(async (setup) => {
      const slot = document.getElementById("widget-slot");
      const now = () => performance.now();
      if (setup.widget === "ours") {
        const api = await window.SirDonate.ready;
        window.__cycle = async (waitReady) => {
          const host = document.createElement("div");
          slot.append(host);
          const t0 = now();
          const handle = await api.mount(host, { key: setup.key, org: setup.org, apiBase: setup.apiBase });
          const t1 = now();
          if (waitReady) {
            await new Promise((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error("no ready event in 10 s")), 10000);
              handle.on("ready", () => {
                clearTimeout(timer);
                resolve();
              });
              handle.on("error", (detail) => {
                clearTimeout(timer);
                reject(new Error(detail.code));
              });
            });
          }
          const t2 = now();
          handle.destroy();
          const t3 = now();
          host.remove();
          return { mount: t1 - t0, toReady: t2 - t1, destroy: t3 - t2 };
        };
      } else {
        await customElements.whenDefined("change-donation-form");
        window.__cycle = async () => {
          const element = document.createElement("change-donation-form");
          for (const [name, value] of Object.entries(setup.attributes)) element.setAttribute(name, value);
          const t0 = now();
          slot.append(element);
          await element.updateComplete;
          const t1 = now();
          element.remove();
          const t2 = now();
          // Its form renders without a request: mounted is ready.
          return { mount: t1 - t0, toReady: 0, destroy: t2 - t1 };
        };
      }
      for (let i = 0; i < 3; i++) await window.__cycle(true);
    }, setup);
    const timed = await page.evaluate(async (n) => {
      const bare = [];
      const ready = [];
      for (let i = 0; i < n; i++) bare.push(await window.__cycle(false));
      for (let i = 0; i < n; i++) ready.push(await window.__cycle(true));
      return { bare, ready };
    }, TIMED_CYCLES);
    await network.quiet(200, 3000);
    const before = await memory(cdp, page);
    await page.evaluate(async (n) => {
      for (let i = 0; i < n; i++) await window.__cycle(true);
    }, CYCLES);
    await network.quiet(200, 3000);
    const after = await memory(cdp, page);
    return {
      mountDestroy: median(timed.bare.map((c) => c.mount + c.destroy)),
      mountReadyDestroy: median(timed.ready.map((c) => c.mount + c.toReady + c.destroy)),
      heapGrowth: after.jsHeap - before.jsHeap,
      wasmGrowth: after.wasmMemory === null ? null : after.wasmMemory - before.wasmMemory,
      before,
      after,
    };
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------- Lighthouse

/** Chromium flags of every browser the bench starts. Nothing leaves this machine: any host
 * but loopback fails to resolve at once. (Debian's Chromium still asks update.googleapis.com
 * and accounts.google.com at startup, whatever the flags; those fail here too.) */
const OFFLINE_FLAGS = [
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
];
/** Lighthouse's browser gets the flags its CLI gets from chrome-launcher (Playwright sets its
 * own for the other one: a second --disable-features would replace Playwright's list), and
 * no network time queries. */
const LIGHTHOUSE_FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,CalculateNativeWinOcclusion," +
    "InterestFeedContentSuggestions,CertificateTransparencyComponentUpdater,AutofillServerCommunication,PrivacySandboxSettings4," +
    "NetworkTimeServiceQuerying",
  "--disable-extensions",
  "--disable-component-extensions-with-background-pages",
  "--disable-client-side-phishing-detection",
  "--disable-sync",
  "--metrics-recording-only",
  "--disable-default-apps",
  "--mute-audio",
  "--no-default-browser-check",
  "--disable-backgrounding-occluded-windows",
  "--disable-renderer-backgrounding",
  "--disable-background-timer-throttling",
  "--disable-ipc-flooding-protection",
  "--password-store=basic",
  "--use-mock-keychain",
  "--disable-hang-monitor",
  "--disable-prompt-on-repost",
  "--disable-domain-reliability",
  ...OFFLINE_FLAGS,
];
/** The pages Lighthouse audits: the article with a plain link, with ours, with Change's. */
const LIGHTHOUSE_PAGES = ["plain", "ours", "change"];

/** A Chromium of its own (new profile directory, cold caches) for one Lighthouse run. */
async function chromiumForLighthouse() {
  const profileDir = mkdtempSync(join(tmpdir(), "bench-lighthouse-"));
  const child = spawn(
    CHROMIUM,
    [...LIGHTHOUSE_FLAGS, "--remote-debugging-port=0", `--user-data-dir=${profileDir}`, "about:blank"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  children.push(child);
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("Chromium for Lighthouse did not start in 15 s")), 15000);
    exited.then((code) => reject(new Error(`Chromium for Lighthouse exited (${code})`)));
    createInterface({ input: child.stderr }).on("line", (line) => {
      const match = line.match(/DevTools listening on ws:\/\/[^/]+:(\d+)\//);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  return {
    port,
    async close() {
      child.kill();
      await exited;
      // Its helper processes may still be writing the cache as the browser exits.
      try {
        rmSync(profileDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
      } catch (error) {
        log(`left ${profileDir}: ${error.message}`);
      }
    },
  };
}

/** One Lighthouse run with its default config, which is its mobile preset: a Moto G Power's
 * screen, slow 4G (150 ms, 1.6 Mbit/s down, 750 kbit/s up) and a 4× slower CPU, simulated
 * (the page loads unthrottled; Lighthouse computes the throttled times from the trace).
 * Through the Node API, so the CLI's error reporting (Sentry) is never set up. */
async function lighthouseRun(url, origins) {
  const { default: lighthouse } = await import("lighthouse");
  const chrome = await chromiumForLighthouse();
  try {
    const { lhr, artifacts } = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance"],
      disableFullPageScreenshot: true,
    });
    if (lhr.runtimeError) throw new Error(`Lighthouse on ${url}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    const value = (id) => lhr.audits[id]?.numericValue ?? null;
    const ours = Object.values(origins).map((origin) => `${origin}/`);
    const requests = lhr.audits["network-requests"]?.details?.items ?? [];
    return {
      score: lhr.categories.performance.score === null ? null : lhr.categories.performance.score * 100,
      totalBlockingTime: value("total-blocking-time"),
      cumulativeLayoutShift: value("cumulative-layout-shift"),
      mainThreadWork: value("mainthread-work-breakdown"),
      timeToInteractive: value("interactive"),
      firstContentfulPaint: value("first-contentful-paint"),
      largestContentfulPaint: value("largest-contentful-paint"),
      bytes: value("total-byte-weight"),
      requests: requests.length,
      layoutShifts: layoutShifts(artifacts.Trace.traceEvents),
      // Anything but the bench's two servers (Change's API and CDN): it failed to resolve.
      outsideRequests: requests
        .map((r) => r.url)
        .filter((u) => !u.startsWith("data:") && !ours.some((o) => u.startsWith(o))),
      warnings: lhr.runWarnings,
      lighthouseVersion: lhr.lighthouseVersion,
      settings: {
        formFactor: lhr.configSettings.formFactor,
        throttlingMethod: lhr.configSettings.throttlingMethod,
        throttling: lhr.configSettings.throttling,
        screenEmulation: lhr.configSettings.screenEmulation,
      },
    };
  } finally {
    await chrome.close();
  }
}

/** What moved, for the CLS figure, from the trace's LayoutShift events (Lighthouse's own
 * layout-shifts audit fails on this Chromium's trace): when, the score, and each moved box
 * as [x, y, width, height] before and after (CSS px of the emulated phone screen). */
function layoutShifts(events) {
  const navigation = events.find((e) => e.name === "navigationStart" && e.args?.data?.isLoadingMainFrame);
  return events
    .filter((e) => e.name === "LayoutShift" && e.args?.data)
    .map((e) => ({
      at: navigation ? (e.ts - navigation.ts) / 1000 : null,
      score: e.args.data.weighted_score_delta ?? e.args.data.score,
      moved: (e.args.data.impacted_nodes ?? []).map((node) => ({ from: node.old_rect, to: node.new_rect })),
    }));
}

/** LIGHTHOUSE_RUNS rounds over the pages (the order rotates), against the loopback servers. */
async function lighthouseRuns(origins) {
  const runs = Object.fromEntries(LIGHTHOUSE_PAGES.map((page) => [page, []]));
  for (let run = 0; run < LIGHTHOUSE_RUNS; run++) {
    for (let i = 0; i < LIGHTHOUSE_PAGES.length; i++) {
      const page = LIGHTHOUSE_PAGES[(run + i) % LIGHTHOUSE_PAGES.length];
      runs[page].push(await lighthouseRun(`${origins.pages}/e2e/${PAGES[page]}`, origins));
    }
    log(`lighthouse ${run + 1}/${LIGHTHOUSE_RUNS} done (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  const first = runs.plain[0];
  const numeric = [
    "score",
    "totalBlockingTime",
    "cumulativeLayoutShift",
    "mainThreadWork",
    "timeToInteractive",
    "firstContentfulPaint",
    "largestContentfulPaint",
    "bytes",
    "requests",
  ];
  return {
    runs: LIGHTHOUSE_RUNS,
    version: first.lighthouseVersion,
    settings: first.settings,
    pages: Object.fromEntries(
      LIGHTHOUSE_PAGES.map((page) => [
        page,
        {
          ...Object.fromEntries(numeric.map((key) => [key, stats(runs[page].map((r) => r[key]))])),
          outsideRequests: [...new Set(runs[page].flatMap((r) => r.outsideRequests))],
          warnings: [...new Set(runs[page].flatMap((r) => r.warnings))],
        },
      ]),
    ),
    raw: runs,
  };
}

function lighthouseSection(results, lines, row) {
  const lh = results.lighthouse;
  lines.push("### As partners see it: Lighthouse, mobile");
  lines.push("");
  if (!lh) {
    lines.push("Not run (BENCH_LIGHTHOUSE_RUNS=0).");
    lines.push("");
    return;
  }
  const t = lh.settings.throttling;
  lines.push(
    `Lighthouse ${lh.version} from npm, its default (mobile) config: ${lh.settings.formFactor} screen, ${lh.settings.throttlingMethod}d ` +
      `throttling (${t.rttMs} ms RTT, ${(t.throughputKbps / 1024).toFixed(1)} Mbit/s, CPU ${t.cpuSlowdownMultiplier}× slower), performance category only, ` +
      `against the bench's loopback servers; a new Chromium for each run; median of ${lh.runs} runs per page (min–max in brackets).`,
  );
  lines.push("");
  const pages = LIGHTHOUSE_PAGES.map((page) => lh.pages[page]);
  row("Lighthouse mobile", "plain `<a href>`", "sir-donate", "change-drop-in");
  row("---", "---:", "---:", "---:");
  const spread = (s, format) => (s.median === null ? "—" : `${format(s.median)} (${format(s.min)}–${format(s.max)})`);
  const line = (label, key, format) => row(label, ...pages.map((p) => spread(p[key], format)));
  line("performance score", "score", (v) => v.toFixed(0));
  line("total blocking time, ms", "totalBlockingTime", ms);
  line("time to interactive, ms", "timeToInteractive", ms);
  line("main-thread work, ms", "mainThreadWork", ms);
  line("cumulative layout shift", "cumulativeLayoutShift", (v) => v.toFixed(3));
  line("first contentful paint, ms", "firstContentfulPaint", ms);
  line("largest contentful paint, ms", "largestContentfulPaint", ms);
  line("bytes (total byte weight, as transferred), KB", "bytes", kb);
  line("requests", "requests", (v) => v.toFixed(0));
  row(
    "requests beyond the bench's servers (failed to resolve)",
    ...pages.map((p) =>
      p.outsideRequests.length
        ? p.outsideRequests.map((u) => `\`${new URL(u).host}${new URL(u).pathname}\``).join(", ")
        : "none",
    ),
  );
  lines.push("");
  // The shifts of the run whose CLS is the median, so that a CLS above 0 says what moved.
  const box = (rect) => (rect.every((v) => v === 0) ? "gone" : `[${rect.join(", ")}]`);
  for (const page of LIGHTHOUSE_PAGES) {
    const runs = [...lh.raw[page]].sort((a, b) => a.cumulativeLayoutShift - b.cumulativeLayoutShift);
    const shifts = runs[Math.floor((runs.length - 1) / 2)]?.layoutShifts ?? [];
    if (!shifts.length) continue;
    const described = shifts.map(
      (shift) =>
        `${shift.score.toFixed(3)} at ${ms(shift.at)} ms (${shift.moved
          .slice(0, 4)
          .map((m) => `${box(m.from)} → ${box(m.to)}`)
          .join("; ")})`,
    );
    lines.push(
      `Layout shifts on the ${PAGE_LABELS[page]} page (its median-CLS run; boxes as [x, y, width, height] in CSS px): ${described.join(", ")}.`,
      "",
    );
  }
  const warnings = [...new Set(pages.flatMap((p) => p.warnings))];
  if (warnings.length) lines.push(`Lighthouse warned: ${warnings.join(" ")}`, "");
}

// ---------------------------------------------------------------- statistics

function median(values) {
  return quantile(values, 0.5);
}

/** Nearest-rank quantile of the finite values (null when there are none). */
function quantile(values, q) {
  const sorted = values.filter((v) => typeof v === "number" && Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return null;
  if (q === 0.5 && sorted.length % 2 === 0) return (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const stats = (values) => ({
  median: median(values),
  p90: quantile(values, 0.9),
  min: quantile(values, 0),
  max: quantile(values, 1),
  n: values.filter((v) => v !== null && v !== undefined).length,
});

/** Byte totals of one load's widget files: all of them, and the code (JS, wasm, CSS) alone. */
function byteTotals(files) {
  const sum = (list) =>
    list.reduce(
      (total, f) => ({
        raw: total.raw + f.raw,
        gzip: total.gzip + f.gzip,
        brotli: total.brotli + f.brotli,
        transfer: total.transfer + f.transfer,
        requests: total.requests + 1,
      }),
      { raw: 0, gzip: 0, brotli: 0, transfer: 0, requests: 0 },
    );
  const counted = files.filter((f) => !f.stubbed);
  return { all: sum(counted), code: sum(counted.filter((f) => ["js", "wasm", "css"].includes(f.kind))) };
}

/** Per-file medians over the loads (a file seen in some loads only says so). */
function fileBreakdown(loads, key = "files") {
  const byFile = new Map();
  for (const load of loads) {
    for (const f of load[key]) {
      const id = `${f.method} ${f.file} ${f.kind}`;
      if (!byFile.has(id)) byFile.set(id, []);
      byFile.get(id).push(f);
    }
  }
  return [...byFile.values()]
    .map((seen) => ({
      file: seen[0].file,
      kind: seen[0].kind,
      method: seen[0].method,
      status: seen[0].status,
      stubbed: seen[0].stubbed,
      loads: seen.length,
      transfer: median(seen.map((f) => f.transfer)),
      raw: median(seen.map((f) => f.raw)),
      gzip: median(seen.map((f) => f.gzip)),
      brotli: median(seen.map((f) => f.brotli)),
    }))
    .sort((a, b) => b.gzip - a.gzip);
}

/** The files a load fetched until its page was usable (requests started by then). */
const firstLoadFiles = (load) =>
  load.timing.usable === null ? load.files : load.files.filter((f) => f.startMs <= load.timing.usable);

function summarize(loads) {
  const pick = (fn) => stats(loads.map(fn));
  const mark = (name) => pick((l) => l.timing.marks[name] ?? null);
  const totals = loads.map((l) => byteTotals(l.files));
  const firstTotals = loads.map((l) => byteTotals(firstLoadFiles(l)));
  const sums = (list, part) =>
    Object.fromEntries(
      ["raw", "gzip", "brotli", "transfer", "requests"].map((k) => [k, stats(list.map((t) => t[part][k]))]),
    );
  const longTasksUntilReady = (l) =>
    l.timing.longTasks.filter((t) => t.start < (l.timing.marks.ready ?? l.timing.load));
  return {
    bytes: {
      all: sums(totals, "all"),
      code: sums(totals, "code"),
      firstLoad: sums(firstTotals, "all"),
      files: fileBreakdown(loads),
      firstLoadFiles: fileBreakdown(loads.map((l) => ({ files: firstLoadFiles(l) }))),
      afterClick: fileBreakdown(loads, "clickFiles"),
    },
    times: {
      takesInput: pick((l) => l.timing.takesInput),
      usable: pick((l) => l.timing.usable),
      interactive: pick((l) => l.timing.interactive),
      firstContentfulPaint: mark("first-contentful-paint"),
      domContentLoaded: pick((l) => l.timing.domContentLoaded),
      load: pick((l) => l.timing.load),
      scriptRan: pick(
        (l) => l.timing.marks["defined:sir-donate"] ?? l.timing.marks["defined:change-donation-form"] ?? null,
      ),
      firstWidgetFrame: mark("placeholderFrame"),
      wasmInstantiated: mark("wasmInstantiated"),
      wasmStart: mark("wasmStart"),
      wasmStreamInstantiate: pick((l) =>
        l.timing.marks.wasmStart === undefined || l.timing.marks.wasmInstantiated === undefined
          ? null
          : l.timing.marks.wasmInstantiated - l.timing.marks.wasmStart,
      ),
      ready: mark("ready"),
      clickHandled: pick((l) => l.click),
      longTaskCount: pick((l) => longTasksUntilReady(l).length),
      longTaskTotal: pick((l) => longTasksUntilReady(l).reduce((sum, t) => sum + t.duration, 0)),
      totalBlockingTime: pick((l) => longTasksUntilReady(l).reduce((sum, t) => sum + Math.max(0, t.duration - 50), 0)),
    },
    firstFramePlaceholder: {
      loads: loads.length,
      inFirstFrame: loads.filter(
        (l) =>
          l.timing.placeholderFrameIndex !== null &&
          l.timing.placeholderFrameIndex === l.timing.firstFrameAfterScriptIndex,
      ).length,
    },
    readyInputs: stats(loads.map((l) => l.timing.readyInputs)),
    memory: { jsHeap: pick((l) => l.memory.jsHeap), wasmMemory: pick((l) => l.memory.wasmMemory) },
  };
}

function summarizeCycles(cycles) {
  const pick = (fn) => stats(cycles.map(fn));
  return {
    mountDestroy: pick((c) => c.mountDestroy),
    mountReadyDestroy: pick((c) => c.mountReadyDestroy),
    heapGrowth: pick((c) => c.heapGrowth),
    wasmGrowth: pick((c) => c.wasmGrowth),
  };
}

// ---------------------------------------------------------------- report

const PAGES = {
  plain: "plain-link.html",
  ours: "sir-donate.html",
  oursHints: "sir-donate-hints.html",
  change: "change-drop-in.html",
  oursCycles: "sir-donate-cycles.html",
  changeCycles: "change-drop-in-cycles.html",
};
/** The pages loaded on every network profile. */
const LOAD_PAGES = ["plain", "ours", "oursHints", "change"];
const PAGE_LABELS = {
  plain: "plain `<a href>`",
  ours: "sir-donate",
  oursHints: "sir-donate + partner's hints",
  change: "change-drop-in",
};
const INSTRUMENT = readFileSync(join(here, "instrument.js"), "utf8");

const kb = (bytes) => (bytes === null || bytes === undefined ? "—" : (bytes / 1000).toFixed(1));
const ms = (value) => (value === null || value === undefined ? "—" : value.toFixed(value < 10 ? 1 : 0));
const mib = (bytes) => (bytes === null || bytes === undefined ? "—" : (bytes / 1048576).toFixed(2));
const ratio = (a, b) =>
  a === null || b === null || a === undefined || b === undefined || b === 0
    ? "—"
    : `${(a / b).toFixed(a / b < 10 ? 2 : 1)}×`;
const both = (s, format) => (!s || s.median === null ? "—" : `${format(s.median)} (${format(s.p90)})`);

function markdown(results) {
  const { plain, ours, change } = results.pages;
  const { ours: oc, change: cc } = results.cycles;
  const lines = [];
  const row = (...cells) => lines.push(`| ${cells.join(" | ")} |`);
  lines.push(`## sir-donate bench — ${results.date}, ${results.runs} cold loads per page`);
  lines.push("");
  lines.push(
    `Chromium ${results.versions.chromium} (headless), Node ${results.versions.node}, playwright-core ${results.versions.playwright}, ` +
      `sir-donate ${results.versions.sirDonate} @ ${results.versions.git}, @getchange/change-drop-in ${results.versions.changeDropIn}. ` +
      `${results.machine.cpus} cores, load average ${results.machine.loadavgBefore.map((x) => x.toFixed(2)).join(" ")} at the start. ` +
      "Median (p90); KB = 1000 bytes; times in ms from navigation start.",
  );
  lines.push("");
  networkSection(results, lines, row);
  lighthouseSection(results, lines, row);
  lines.push("### Targets (issue #21, the first view; medians)");
  lines.push("");
  row("target", "measured", "status");
  row("---", "---", "---");
  for (const target of results.firstViewTargets ?? [])
    row(target.name, target.measured, target.met ? "met" : "**missed**");
  lines.push("");
  lines.push("### Side by side, loopback");
  lines.push("");
  const bytesRow = (label, get, format = kb) =>
    row(
      label,
      both(get(plain), format),
      both(get(ours), format),
      both(get(change), format),
      ratio(get(ours).median, get(change).median),
    );
  lines.push('Bytes of the whole load: with the chunks preloaded after `ready` ("first load" is what came before it).');
  lines.push("");
  row("figure", "plain `<a href>`", "sir-donate", "change-drop-in", "sir-donate ÷ change");
  row("---", "---:", "---:", "---:", "---:");
  bytesRow("JS + wasm + CSS, raw KB", (p) => p.bytes.code.raw);
  bytesRow("JS + wasm + CSS, gzip -9 KB", (p) => p.bytes.code.gzip);
  bytesRow("JS + wasm + CSS, brotli KB", (p) => p.bytes.code.brotli);
  bytesRow("everything the widget loads (with API, images), gzip KB", (p) => p.bytes.all.gzip);
  bytesRow("everything, brotli KB", (p) => p.bytes.all.brotli);
  bytesRow("everything, on the wire as served (compressed, with headers) KB", (p) => p.bytes.all.transfer);
  bytesRow("bytes before usable (first load), gzip KB", (p) => p.bytes.firstLoad.gzip);
  bytesRow(
    "requests",
    (p) => p.bytes.all.requests,
    (v) => String(Math.round(v)),
  );
  const timeRow = (label, get) =>
    row(
      label,
      both(get(plain), ms),
      both(get(ours), ms),
      both(get(change), ms),
      ratio(get(ours)?.median, get(change)?.median),
    );
  timeRow("first contentful paint (the page's h1)", (p) => p.times.firstContentfulPaint);
  timeRow("widget's script ran (element defined)", (p) => p.times.scriptRan);
  timeRow("widget first painted (our placeholder; Change's form)", (p) => p.times.firstWidgetFrame);
  timeRow("wasm instantiated", (p) => p.times.wasmInstantiated);
  timeRow("… of which fetch + compile + instantiate", (p) => p.times.wasmStreamInstantiate);
  timeRow("takes input (amount choices and email field enabled)", (p) => p.times.takesInput);
  timeRow("usable (takes input, names the nonprofit)", (p) => p.times.usable);
  timeRow("interactive (the wasm took over)", (p) => p.times.interactive);
  timeRow("load event", (p) => p.times.load);
  timeRow("click on Donate → handled ¹", (p) => p.times.clickHandled);
  row(
    "long tasks until ready (count)",
    ...[plain, ours, change].map((p) => both(p.times.longTaskCount, (v) => String(Math.round(v)))),
    "—",
  );
  timeRow("long tasks until ready (total ms)", (p) => p.times.longTaskTotal);
  timeRow("total blocking time until ready", (p) => p.times.totalBlockingTime);
  const cycleRow = (label, get, format) =>
    row(label, "—", both(get(oc), format), both(get(cc), format), ratio(get(oc).median, get(cc).median));
  cycleRow("mount + destroy, ms (nothing awaited) ²", (c) => c.mountDestroy, ms);
  cycleRow("mount → ready → destroy, ms ²", (c) => c.mountReadyDestroy, ms);
  const memRow = (label, get, format) =>
    row(
      label,
      both(get(plain), format),
      both(get(ours), format),
      both(get(change), format),
      ratio(get(ours).median, get(change).median),
    );
  memRow("JS heap after mount, page total MiB", (p) => p.memory.jsHeap, mib);
  const share = (p) => (p.memory.jsHeap.median === null ? null : p.memory.jsHeap.median - plain.memory.jsHeap.median);
  row("JS heap above the plain page, KB", "0", kb(share(ours)), kb(share(change)), ratio(share(ours), share(change)));
  memRow("wasm linear memory after mount, MiB", (p) => p.memory.wasmMemory, mib);
  cycleRow(`JS heap growth after ${results.cycleCount} mount/destroy cycles, KB`, (c) => c.heapGrowth, kb);
  cycleRow(`wasm memory growth after ${results.cycleCount} cycles, KB`, (c) => c.wasmGrowth, kb);
  lines.push("");
  lines.push(
    "¹ sir-donate: the click until `sir-donate:link-created` (the create-link response from the sandbox, handled). " +
      'Change builds its Coinbase link on the client and sends no request: its click is handled when it renders its "paying" state.',
  );
  lines.push(
    '² sir-donate: `SirDonate.mount(div)` and `handle.destroy()`; "ready" includes one loopback request for the nonprofit. ' +
      "Change: append `<change-donation-form>`, await its first render, remove it; its form needs no request.",
  );
  lines.push("");
  lines.push("### Reference lines (not run here)");
  lines.push("");
  row("reference", "gzip KB", "sir-donate's first load, gzip KB", "sir-donate ÷ reference");
  row("---", "---:", "---:", "---:");
  // What a page loads before our form is usable (its two API answers are 0.4 KB of it).
  const ourCode = ours.bytes.firstLoad.gzip.median;
  const loader = results.size.files["sir-donate.js"].gzip;
  row(
    "Every.org donate button (its JS, plus web fonts; not on npm)",
    kb(ANCHORS.everyOrgGzip),
    kb(ourCode),
    ratio(ourCode, ANCHORS.everyOrgGzip),
  );
  row(
    "Change's form as issue #8 measured it (measured here above)",
    kb(ANCHORS.changeGzip),
    kb(ourCode),
    ratio(ourCode, ANCHORS.changeGzip),
  );
  row(
    "Stripe / PayPal npm loaders, vs our loader alone",
    kb(ANCHORS.stripePaypalLoaderGzip),
    kb(loader),
    ratio(loader, ANCHORS.stripePaypalLoaderGzip),
  );
  row(
    "a size-tuned throwaway Leptos form (35 KB brotli)",
    kb(ANCHORS.leptosThrowawayGzip),
    kb(ourCode),
    ratio(ourCode, ANCHORS.leptosThrowawayGzip),
  );
  lines.push("");
  lines.push(`### Timeline of the median sir-donate load, loopback (usable at ${ms(results.timeline.usable)} ms)`);
  lines.push("");
  row("ms", "event");
  row("---:", "---");
  for (const event of results.timeline.events) row(ms(event.at), event.what);
  lines.push("");
  lines.push("### Bytes per file, sir-donate, loopback (median of the loads)");
  lines.push("");
  const fileTable = (files) => {
    row("file", "kind", "on the wire", "raw", "gzip -9", "brotli", "loads");
    row("---", "---", "---:", "---:", "---:", "---:", "---:");
    for (const f of files) {
      row(
        `\`${f.method === "GET" ? "" : `${f.method} `}${f.file}\`${f.stubbed ? " (stubbed)" : ""}`,
        f.kind,
        kb(f.transfer),
        kb(f.raw),
        kb(f.gzip),
        kb(f.brotli),
        `${f.loads}/${results.runs}`,
      );
    }
  };
  fileTable(ours.bytes.files);
  if (ours.bytes.afterClick.length) {
    lines.push("");
    lines.push("After the click on Donate:");
    lines.push("");
    fileTable(ours.bytes.afterClick);
  }
  lines.push("");
  lines.push("### Bytes per file, change-drop-in");
  lines.push("");
  fileTable(change.bytes.files);
  lines.push("");
  lines.push(
    "Stubbed: Change's page calls `api.getchange.io` and a CloudFront logo, which this offline bench answers itself " +
      "(CDP Fetch, smallest bodies the component accepts); they are left out of its totals, so its real page weighs a little more.",
  );
  lines.push("");
  lines.push("### Size budget (`make test-size`)");
  lines.push("");
  row("file", "raw KB", "gzip KB", "brotli KB", "budget gzip KB", "change", "");
  row("---", "---:", "---:", "---:", "---:", "---:", "---");
  for (const r of results.budget.rows) {
    const sizes = r.file === "total" ? results.size.total : results.size.files[r.file];
    row(
      r.file === "total" ? "**total**" : `\`${r.file}\``,
      kb(sizes.raw),
      kb(sizes.gzip),
      kb(sizes.brotli),
      kb(r.budget),
      r.change === null ? "—" : `${r.change >= 0 ? "+" : ""}${(r.change * 100).toFixed(1)}%`,
      r.ok ? "ok" : "**over**",
    );
  }
  lines.push("");
  lines.push(
    results.wasm.error
      ? `### What the wasm is made of\n\nnot measured: ${results.wasm.error}`
      : wasmMarkdown(results.wasm),
  );
  lines.push("");
  lines.push(`Written to bench/results.json; the bench took ${results.durationSeconds.toFixed(0)} s.`);
  return lines.join("\n");
}

/** The figures of issue #13: time until usable and first-load bytes on each network, the
 * targets, and what parity and the next size step would take, from the measured numbers. */
function networkSection(results, lines, row) {
  const profiles = Object.entries(results.profiles).map(([id, profile]) => ({ id, ...profile }));
  lines.push("### As donors load it: takes input, usable, interactive, and the bytes before usable");
  lines.push("");
  lines.push(
    "Each network profile loads every page cold, files served compressed (brotli) as a CDN sends them. Fast 4G: " +
      "40 ms RTT and 9 Mbit/s; slow 4G: 150 ms RTT and 1.6 Mbit/s; phone: 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up and " +
      "the CPU throttled 4× (CDP `Emulation.setCPUThrottlingRate`, applied, not simulated). CDP network emulation for the " +
      "page's files; the sandbox adds the RTT to its API answers and CORS preflights itself. **Takes input**: the amount " +
      "choices and the email field are in the widget's shadow root, rendered and enabled (Change: its amount buttons, " +
      "custom amount and first name), whoever painted them. **Usable**: takes input and names the nonprofit (Change: " +
      "takes input, its first render committed); the plain link: the load event for both. **Interactive**: sir-donate's " +
      "wasm has taken over (`sir-donate:ready`). **Bytes before usable**: every request the page started until usable, " +
      "loader, glue, wasm and API answers included, as gzip -9 of each body. *+ partner's hints*: the same page with the " +
      "`preconnect`, `modulepreload` and `preload` links README.md suggests.",
  );
  lines.push("");
  row("network, page", "takes input, ms", "usable, ms", "interactive, ms", "bytes before usable, gzip KB");
  row("---", "---:", "---:", "---:", "---:");
  for (const p of profiles) {
    for (const page of LOAD_PAGES) {
      const { times, bytes } = p.pages[page];
      row(
        `${p.label}: ${PAGE_LABELS[page]}`,
        both(times.takesInput, ms),
        both(times.usable, ms),
        both(times.interactive, ms),
        kb(bytes.firstLoad.gzip.median),
      );
    }
    const ours = p.pages.ours.times;
    const change = p.pages.change.times;
    row(
      `${p.label}: *sir-donate ÷ change-drop-in*`,
      ratio(ours.takesInput?.median, change.takesInput?.median),
      ratio(ours.usable.median, change.usable.median),
      `${ratio(ours.interactive?.median, change.usable.median)} of its usable`,
      ratio(p.pages.ours.bytes.firstLoad.gzip.median, p.pages.change.bytes.firstLoad.gzip.median),
    );
  }
  lines.push("");
  row("bytes before usable, gzip -9 KB (on the wire KB; requests)", ...profiles.map((p) => p.label));
  row("---", ...profiles.map(() => "---:"));
  for (const page of LOAD_PAGES) {
    row(
      PAGE_LABELS[page],
      ...profiles.map((p) => {
        const first = p.pages[page].bytes.firstLoad;
        return `${kb(first.gzip.median)} (${kb(first.transfer.median)}; ${Math.round(first.requests.median ?? 0)})`;
      }),
    );
  }
  lines.push("");
  lines.push(
    "![time until usable and until interactive, and the bytes before usable, per page and network](chart.svg)",
  );
  lines.push("");
  lines.push("### Targets (issue #13; medians on fast 4G unless said)");
  lines.push("");
  row("target", "measured", "status");
  row("---", "---", "---");
  for (const target of results.targets) row(target.name, target.measured, target.met ? "met" : "**missed**");
  lines.push("");
  const fast = results.profiles.fast4g.pages;
  lines.push(`**What parity with Change would take.** ${parityText(results)}`);
  lines.push("");
  lines.push(`**What the next step to 75 KB would take.** ${nextStepText(results)}`);
  lines.push("");
  lines.push(
    `### Timeline of the median sir-donate load on fast 4G (usable at ${ms(results.timelines.fast4g.usable)} ms)`,
  );
  lines.push("");
  row("ms", "event");
  row("---:", "---");
  for (const event of results.timelines.fast4g.events) row(ms(event.at), event.what);
  lines.push("");
  lines.push("### First load per file, sir-donate on fast 4G (median of the loads)");
  lines.push("");
  row("file", "kind", "on the wire", "raw", "gzip -9", "brotli", "loads");
  row("---", "---", "---:", "---:", "---:", "---:", "---:");
  for (const f of fast.ours.bytes.firstLoadFiles) {
    row(
      `\`${f.method === "GET" ? "" : `${f.method} `}${f.file}\``,
      f.kind,
      kb(f.transfer),
      kb(f.raw),
      kb(f.gzip),
      kb(f.brotli),
      `${f.loads}/${results.runs}`,
    );
  }
  lines.push("");
}

/** The critical path of the median fast-4G load, and what closing the gap to Change needs. */
function parityText(results) {
  const fast = results.profiles.fast4g.pages;
  const usable = fast.ours.times.usable.median;
  const change = fast.change.times.usable.median;
  const hints = fast.oursHints.times.usable.median;
  const { marks, resources } = results.timelines.fast4g;
  if (!marks || usable === null || change === null) return "not measured.";
  const find = (pattern) => resources.find((r) => pattern.test(new URL(r.name).pathname));
  const wasm = find(/\/wasm\/sir-donate_bg\.wasm$/);
  const mainBrotli = results.size.files["wasm/sir-donate_bg.wasm"].brotli;
  const perKbMs = 8 / 9; // 1 KB at 9 Mbit/s
  const loader = marks["define:sir-donate"];
  const longTask = results.timelines.fast4g.events.find(
    (e) => /^long task/.test(e.what) && e.at >= (wasm ? wasm.end - 5 : 0),
  );
  return [
    `The median load is usable at ${ms(usable)} ms and Change's at ${ms(change)} ms (1.5× is ${ms(1.5 * change)} ms).`,
    ` Our loader ran at ${ms(loader)} ms (Change's script at ${ms(fast.change.times.scriptRan.median)} ms),`,
    ` so parity means a usable form ${ms(change - loader)} ms after it runs.`,
    wasm
      ? ` The main module alone takes ${ms(wasm.end - wasm.start)} ms to arrive (requested at ${ms(wasm.start)} ms, in at ${ms(wasm.end)} ms;` +
        ` ${kb(mainBrotli)} KB brotli is ${ms((mainBrotli / 1000) * perKbMs)} ms of transfer at 9 Mbit/s plus the round trip),`
      : "",
    marks.wasmInstantiated !== undefined
      ? ` then instantiating and rendering it takes until ${ms(usable)} ms (instantiated at ${ms(marks.wasmInstantiated)} ms${longTask ? `, a ${longTask.what}` : ""}).`
      : "",
    ` With the partner's hints, which start the download with the page instead of after the loader, the median is ${ms(hints)} ms` +
      ` (${ratio(hints, change)} Change). Beyond that, each 10 KB brotli fewer in the main module saves about ${ms(10 * perKbMs)} ms here,` +
      " and the rest is main-thread work in the first render.",
  ].join("");
}

/** How far the first load is from 75 KB gzip, and where the bytes are. */
function nextStepText(results) {
  const first = results.profiles.fast4g.pages.ours.bytes.firstLoad.gzip.median;
  const main = results.size.files["wasm/sir-donate_bg.wasm"];
  const over = first - TARGETS.nextFirstLoadGzip;
  if (over <= 0) return `Already there: ${kb(first)} KB gzip.`;
  const rawPerGzip = main.raw / main.gzip;
  const families = results.wasm.families
    ? results.wasm.families
        .slice(0, 4)
        .map((f) => `${f.name} ${kb(f.bytes)}`)
        .join(", ")
    : "unknown";
  return (
    `${kb(first)} KB gzip today: ${kb(over)} KB gzip more to cut, about ${kb(over * rawPerGzip)} KB raw of the main module at its ` +
    `${rawPerGzip.toFixed(2)} raw/gzip ratio. Its largest parts (raw KB): ${families}. README.md, "Performance and size", lists the levers.`
  );
}

function targets(results) {
  const loader = results.size.files["sir-donate.js"].gzip;
  const fast = results.profiles.fast4g.pages;
  const usable = fast.ours.times.usable.median;
  const changeUsable = fast.change.times.usable.median;
  const firstLoad = fast.ours.bytes.firstLoad.gzip.median;
  const click = clickWaits(results);
  return [
    {
      name: "the loader ≤ 5 KB gzip",
      met: loader <= TARGETS.loaderGzip,
      measured: `${kb(loader)} KB gzip (dist/sir-donate.js)`,
      value: loader,
      limit: TARGETS.loaderGzip,
    },
    {
      name: "usable on fast 4G within 1.5× the Change form's time",
      met: usable !== null && usable <= TARGETS.usableVsChange * changeUsable,
      measured: `${ms(usable)} ms vs 1.5 × ${ms(changeUsable)} = ${ms(TARGETS.usableVsChange * changeUsable)} ms (${ratio(usable, changeUsable)} Change)`,
      value: usable,
      limit: TARGETS.usableVsChange * changeUsable,
    },
    {
      name: "first load ≤ 100 KB gzip (everything fetched before the form is usable, fast 4G)",
      met: firstLoad <= TARGETS.firstLoadGzip,
      measured: `${kb(firstLoad)} KB gzip`,
      value: firstLoad,
      limit: TARGETS.firstLoadGzip,
    },
    {
      name: "after the form is ready, a Donate click waits on no request but create-link",
      met: click.loads > 0 && click.clean === click.loads,
      measured: `${click.clean} of ${click.loads} clicks (all profiles)${click.others.length ? `; also requested: ${click.others.join(", ")}` : ""}`,
      value: click.clean,
      limit: click.loads,
    },
  ];
}

/** The lines of issue #21's "done when" that this bench measures, from the medians. */
function firstViewTargets(results) {
  const list = [];
  const target = (name, met, measured) => list.push({ name, met, measured });
  const known = (...values) => values.every((v) => typeof v === "number");
  for (const id of ["fast4g", "phone"]) {
    const profile = results.profiles[id];
    if (!profile) continue;
    const { ours, change } = profile.pages;
    const [takes, changeTakes] = [ours.times.takesInput?.median, change.times.takesInput?.median];
    target(
      `takes input no later than the Change form, ${profile.label}`,
      known(takes, changeTakes) && takes <= changeTakes,
      `${ms(takes)} vs ${ms(changeTakes)} ms`,
    );
    const [usable, changeUsable] = [ours.times.usable.median, change.times.usable.median];
    target(
      `names the nonprofit within 1.5× the Change form's time, ${profile.label}`,
      known(usable, changeUsable) && usable <= TARGETS.usableVsChange * changeUsable,
      `${ms(usable)} vs 1.5 × ${ms(changeUsable)} = ${ms(TARGETS.usableVsChange * changeUsable)} ms (${ratio(usable, changeUsable)})`,
    );
  }
  const fast = results.profiles.fast4g.pages.ours;
  const bytes = fast.bytes.firstLoad.gzip.median;
  target(
    `bytes before usable ≤ ${kb(FIRST_VIEW_TARGETS.bytesBeforeUsableGzip)} KB gzip, fast 4G`,
    bytes <= FIRST_VIEW_TARGETS.bytesBeforeUsableGzip,
    `${kb(bytes)} KB`,
  );
  const interactive = fast.times.interactive?.median;
  target(
    `interactive on fast 4G no later than ${FIRST_VIEW_TARGETS.interactiveFast4gMs} ms`,
    known(interactive) && interactive <= FIRST_VIEW_TARGETS.interactiveFast4gMs,
    `${ms(interactive)} ms`,
  );
  const lh = results.lighthouse;
  if (lh) {
    const [score, plainScore] = [lh.pages.ours.score.median, lh.pages.plain.score.median];
    target(
      `Lighthouse mobile: score within ${FIRST_VIEW_TARGETS.scoreBelowPlain} points of the plain page`,
      known(score, plainScore) && plainScore - score <= FIRST_VIEW_TARGETS.scoreBelowPlain,
      `${score} vs ${plainScore}`,
    );
    const tbt = lh.pages.ours.totalBlockingTime.median;
    target(
      `Lighthouse mobile: total blocking time ≤ ${FIRST_VIEW_TARGETS.totalBlockingTimeMs} ms`,
      known(tbt) && tbt <= FIRST_VIEW_TARGETS.totalBlockingTimeMs,
      `${ms(tbt)} ms`,
    );
    const cls = lh.pages.ours.cumulativeLayoutShift.median;
    target(
      `Lighthouse mobile: CLS ≤ ${FIRST_VIEW_TARGETS.cumulativeLayoutShift}`,
      known(cls) && cls <= FIRST_VIEW_TARGETS.cumulativeLayoutShift,
      known(cls) ? cls.toFixed(3) : "—",
    );
  }
  return list;
}

/** Clicks on Donate (every profile) that sent nothing but create-link and its preflight
 * before the link was handled. */
function clickWaits(results) {
  let loads = 0;
  let clean = 0;
  const others = new Set();
  for (const profile of Object.values(results.raw.clickRequests)) {
    for (const requests of profile) {
      loads += 1;
      const extra = requests.filter((file) => !file.endsWith("/v1/partner/donations/create-link"));
      for (const file of extra) others.add(file);
      if (!extra.length) clean += 1;
    }
  }
  return { loads, clean, others: [...others] };
}

/** The events of the load whose usable time is the median: where the time goes. */
function timeline(loads, origins) {
  const sorted = loads.filter((l) => l.timing.usable !== null).sort((a, b) => a.timing.usable - b.timing.usable);
  const load = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!load) return { usable: null, events: [] };
  const { marks, resources, load: loadEvent, domContentLoaded } = load.timing;
  const events = [
    [marks["first-contentful-paint"], "first contentful paint (the page's heading)"],
    [domContentLoaded, "DOMContentLoaded"],
    [marks["define:sir-donate"], "loader ran: <sir-donate> defined"],
    [marks.placeholderFrame, "frame with the placeholder (animation frame that paints it)"],
    [loadEvent, "load event"],
    [marks.wasmStart, "wasm compile started (streaming)"],
    [marks.wasmInstantiated, "wasm instantiated"],
    [marks.takesInput, "takes input: the amount choices and the email field enabled"],
    [marks.usable, "usable: takes input and names the nonprofit"],
    [marks.interactive, "interactive: the wasm took over (sir-donate:ready)"],
  ];
  for (const r of resources) {
    const url = new URL(r.name);
    const name = url.origin === origins.api ? `API ${url.pathname}` : url.pathname;
    events.push([r.start, `request start: ${name}`], [r.end, `response end: ${name}`]);
  }
  for (const task of load.timing.longTasks) events.push([task.start, `long task, ${task.duration.toFixed(0)} ms`]);
  return {
    usable: load.timing.usable,
    marks,
    resources,
    events: events
      .filter(([at]) => typeof at === "number")
      .sort((a, b) => a[0] - b[0])
      .map(([at, what]) => ({ at, what })),
  };
}

// ---------------------------------------------------------------- main

function git(args) {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}

async function main() {
  if (!(RUNS >= 1)) throw new Error(`BENCH_RUNS must be a positive number, not ${process.env.BENCH_RUNS}`);
  const pages = checkTemplate();
  const loadavgBefore = loadavg();
  stageSite();
  const size = measureDist();
  const budget = readBudget();
  log(`size: ${kb(size.total.gzip)} KB gzip shipped; twiggy…`);
  let wasm;
  try {
    wasm = wasmReport({ shipped: join(SITE, "wasm/sir-donate_bg.wasm") });
  } catch (error) {
    log(`wasm report failed: ${error.message}`);
    wasm = { error: error.message };
  }

  // Per network profile: a sandbox that adds the profile's round trip to its answers, and a
  // page server that sends the files compressed, as a CDN would.
  for (const profile of PROFILES) {
    const api = await startServer(
      join(ROOT, "target/debug/sir-sandbox"),
      ["--port", "0", "--log-format", "json", "--rate-limit", "1000000", "--latency-ms", String(profile.rtt)],
      /sir-sandbox listening on (http:\/\/\S+)/,
      "sir-sandbox",
    );
    const pagesUrl = await startServer(
      process.execPath,
      [
        join(ROOT, "scripts/serve.mjs"),
        "--dir",
        SITE,
        "--pages",
        join(here, "pages"),
        "--port",
        "0",
        "--api-base",
        api,
        "--compress",
      ],
      /serve listening on (http:\/\/\S+)/,
      "serve.mjs",
    );
    profile.origins = { pages: new URL(pagesUrl).origin, api: new URL(api).origin };
    log(`${profile.label}: sandbox ${profile.origins.api} (+${profile.rtt} ms), pages ${profile.origins.pages}`);
  }
  const loopback = PROFILES[0];

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", ...OFFLINE_FLAGS],
  });
  const loads = Object.fromEntries(
    PROFILES.map((profile) => [profile.id, Object.fromEntries(LOAD_PAGES.map((page) => [page, []]))]),
  );
  const cycles = { ours: [], change: [] };
  const scenarios = [
    ...PROFILES.flatMap((profile) =>
      LOAD_PAGES.map((page) => [
        `${page} (${profile.label})`,
        () => loadScenario(browser, profile, page),
        loads[profile.id][page],
      ]),
    ),
    ["ours cycles", () => cycleScenario(browser, loopback.origins, "ours"), cycles.ours],
    ["change cycles", () => cycleScenario(browser, loopback.origins, "change"), cycles.change],
  ];
  const chromiumVersion = browser.version();
  let lighthouse = null;
  try {
    // One warm-up round per profile (not kept): the first load pays the OS's file cache and
    // the page server's one-time compression of each file.
    for (const profile of PROFILES) {
      log(`warm-up ${profile.label}`);
      for (const page of LOAD_PAGES) await loadScenario(browser, profile, page);
    }
    for (let run = 0; run < RUNS; run++) {
      for (const profile of PROFILES) await fetch(`${profile.origins.api}/__sandbox/reset`, { method: "POST" });
      // Rotate the order so that no page always runs right after the same one.
      for (let i = 0; i < scenarios.length; i++) {
        const [_name, scenario, into] = scenarios[(run + i) % scenarios.length];
        into.push(await scenario());
      }
      log(`run ${run + 1}/${RUNS} done (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
  } finally {
    await browser.close().catch(() => {});
  }
  if (LIGHTHOUSE_RUNS > 0) lighthouse = await lighthouseRuns(loopback.origins);

  const results = {
    issue: 13,
    date: new Date().toISOString().slice(0, 10),
    finishedAt: new Date().toISOString(),
    runs: RUNS,
    cycleCount: CYCLES,
    timedCycles: TIMED_CYCLES,
    units: {
      bytes: "bytes (the report prints KB = 1000 bytes)",
      times: "ms from navigation start (performance.now())",
      memory: "bytes",
    },
    versions: {
      sirDonate: readFileSync(join(ROOT, "Cargo.toml"), "utf8").match(/^version = "([^"]+)"/m)[1],
      git:
        git(["rev-parse", "--short=12", "HEAD"]) +
        (git(["status", "--porcelain", "--untracked-files=no"]) ? " (with uncommitted changes)" : ""),
      chromium: chromiumVersion,
      chromiumPath: CHROMIUM,
      node: process.version,
      playwright: JSON.parse(readFileSync(join(here, "node_modules/playwright-core/package.json"), "utf8")).version,
      lighthouse: JSON.parse(readFileSync(join(here, "node_modules/lighthouse/package.json"), "utf8")).version,
      changeDropIn: JSON.parse(readFileSync(join(here, "node_modules/@getchange/change-drop-in/package.json"), "utf8"))
        .version,
      twiggy: wasm.tool ?? null,
    },
    machine: { cpus: cpus().length, totalMemory: totalmem(), loadavgBefore, loadavgAfter: loadavg() },
    pagesUsed: pages,
    anchors: ANCHORS,
    size,
    budget: {
      file: "bench/size-budget.json",
      measured: budget.measured,
      tolerance: budget.tolerance,
      rows: checkBudget(size, budget),
    },
    profiles: Object.fromEntries(
      PROFILES.map((profile) => [
        profile.id,
        {
          label: profile.label,
          rttMs: profile.rtt,
          mbps: profile.mbps,
          pages: Object.fromEntries(LOAD_PAGES.map((page) => [page, summarize(loads[profile.id][page])])),
        },
      ]),
    ),
    cycles: { ours: summarizeCycles(cycles.ours), change: summarizeCycles(cycles.change) },
    lighthouse,
    wasm,
    raw: {
      loads: stripBodies(loads),
      cycles,
      clickRequests: Object.fromEntries(
        PROFILES.map((profile) => [
          profile.id,
          [...loads[profile.id].ours, ...loads[profile.id].oursHints].map((load) => load.clickRequests),
        ]),
      ),
    },
  };
  // The detailed tables (memory, long tasks, clicks, per file) are the loopback run's.
  results.pages = results.profiles.loopback.pages;
  results.targets = targets(results);
  results.firstViewTargets = firstViewTargets(results);
  results.timelines = Object.fromEntries(
    PROFILES.map((profile) => [profile.id, timeline(loads[profile.id].ours, profile.origins)]),
  );
  results.timeline = results.timelines.loopback;
  const { plain, ours, change } = results.pages;
  results.ratios = {
    note: "sir-donate ÷ change-drop-in, of the medians",
    codeGzip: ours.bytes.code.gzip.median / change.bytes.code.gzip.median,
    codeBrotli: ours.bytes.code.brotli.median / change.bytes.code.brotli.median,
    allGzip: ours.bytes.all.gzip.median / change.bytes.all.gzip.median,
    usable: ours.times.usable.median / change.times.usable.median,
    firstWidgetFrame: ours.times.firstWidgetFrame.median / change.times.firstWidgetFrame.median,
    usableVsPlainLoad: ours.times.usable.median / plain.times.load.median,
    everyOrgGzip: ours.bytes.code.gzip.median / ANCHORS.everyOrgGzip,
    usableVsChange: Object.fromEntries(
      PROFILES.map((profile) => {
        const pages = results.profiles[profile.id].pages;
        return [profile.id, pages.ours.times.usable.median / pages.change.times.usable.median];
      }),
    ),
  };
  results.durationSeconds = (Date.now() - started) / 1000;
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(CHART, chartSvg(results));
  console.log(markdown(results));
  log(`wrote ${RESULTS} in ${results.durationSeconds.toFixed(0)} s (budget file ${BUDGET_FILE})`);
}

/** The raw per-load records, without the long per-file lists repeated N times. */
function stripBodies(loads) {
  return Object.fromEntries(
    Object.entries(loads).map(([profile, pages]) => [
      profile,
      Object.fromEntries(
        Object.entries(pages).map(([page, list]) => [
          page,
          list.map((load) => ({
            timing: load.timing,
            memory: load.memory,
            click: load.click,
            totals: byteTotals(load.files),
            firstLoad: byteTotals(firstLoadFiles(load)),
          })),
        ]),
      ),
    ]),
  );
}

/** `node bench/run.mjs --report`: the report and the chart again, from bench/results.json. */
function reportAgain() {
  const results = JSON.parse(readFileSync(RESULTS, "utf8"));
  results.firstViewTargets = firstViewTargets(results);
  writeFileSync(CHART, chartSvg(results));
  console.log(markdown(results));
}

(process.argv.includes("--report") ? Promise.resolve().then(reportAgain) : main()).then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
