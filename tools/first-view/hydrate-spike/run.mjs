// node run.mjs <port>: loads the spike page in Debian's Chromium, clicks the $50 chip on the
// hydrated nodes and reports whether the Leptos handlers and text took over.
import { createRequire } from "node:module";
const require = createRequire("/work/main/package.json");
const { chromium } = require("playwright");
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
const page = await browser.newPage();
const problems = [];
page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
page.on("console", (m) => {
  if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
});
await page.goto(`http://127.0.0.1:${process.argv[2]}/index.html${process.argv[3] ?? ""}`);
await page
  .waitForFunction(() => window.hydrated === true, null, { timeout: 20000 })
  .catch((e) => problems.push(String(e)));
const report = await page.evaluate(() => window.report);
await page.locator("sir-donate, #host").locator("label.sd-chip >> nth=2").click();
await page.locator("#host").locator("[part=email], #sd-email").fill("after@takeover.example");
const after = await page.evaluate(() => {
  const root = document.getElementById("host").shadowRoot;
  return {
    submitAfterClick: root.querySelector("[part=submit]").textContent,
    checked: [...root.querySelectorAll("input[name=sd-amount]")].map((i) => i.checked),
  };
});
console.log(JSON.stringify({ report, after, problems }, null, 2));
await browser.close();
