/*! sir-donate loader · <script src=".../sir-donate.js" async></script>
 * Loads the widget's wasm from wasm/ beside this file once a widget is in or near the
 * viewport, the donor reaches for it, or the browser is idle.
 * Exposes window.SirDonate = { version, ready, mount }. */
import { install } from "./element.js";

// Loaded twice (two tags, SPA re-injection): the first copy stays in charge.
if (!(window.SirDonate && window.SirDonate.version)) {
  const script = document.currentScript;
  const base = new URL(".", (script && script.src) || location.href);
  window.SirDonate = install(
    () => import(/* @vite-ignore */ new URL("wasm/sir-donate.js", base).href),
    new URL("wasm/sir-donate_bg.wasm", base),
  );
}
