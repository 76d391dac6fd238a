// @ts-check
/*! sir-donate loader · <script src=".../sir-donate.js" async></script>
 * Loads the widget's wasm from wasm/ beside this file once a widget is in or near the
 * viewport, the donor reaches for it, or the browser is idle.
 * Exposes window.SirDonate = { version, ready, mount }. */
import { install } from "./element.js";
import { importFile } from "./files.js";

// Loaded twice (two tags, SPA re-injection): the first copy stays in charge.
if (!window.SirDonate?.version) {
  const script = /** @type {HTMLScriptElement | null} */ (document.currentScript);
  const base = new URL(".", script?.src || location.href);
  // dist/: the files under wasm/ by their names. dist/cdn/<version>/: file name → [its
  // content-hashed name beside this loader, its SRI hash] (js/build.mjs).
  const files = /** @type {Record<string, [string, string]>} */ (__SIR_DONATE_VERIFIED__ && __SIR_DONATE_FILES__);
  const url = (/** @type {string} */ name) => new URL(__SIR_DONATE_VERIFIED__ ? files[name][0] : `wasm/${name}`, base);
  /** @type {Record<string, URL> | undefined} */
  let urls;
  /** @type {Record<string, string> | undefined} */
  let integrity;
  if (__SIR_DONATE_VERIFIED__) {
    urls = {};
    integrity = {};
    for (const name in files) {
      urls[name] = url(name);
      integrity[name] = files[name][1];
    }
  }
  window.SirDonate = install(
    () => importFile(url("sir-donate.js"), integrity?.["sir-donate.js"]),
    url("sir-donate_bg.wasm"),
    urls,
    integrity,
  );
}
