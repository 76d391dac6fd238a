/*! sir-donate loader · <script src=".../sir-donate.js" async></script>
 * Loads the widget's wasm from wasm/ beside this file when the browser is idle or the
 * donor reaches for it. Exposes window.SirDonate = { version, ready, mount }. */
import { install } from "./element.js";

// Loaded twice (two tags, SPA re-injection): the first copy stays in charge.
if (!(window.SirDonate && window.SirDonate.version)) {
  const script = document.currentScript;
  const base = new URL(".", (script && script.src) || location.href);
  window.SirDonate = install(() =>
    // The glue streams the wasm, falling back to a plain fetch when the server sends
    // the wrong MIME type.
    import(/* @vite-ignore */ new URL("wasm/sir-donate.js", base).href).then((glue) =>
      glue.default({ module_or_path: new URL("wasm/sir-donate_bg.wasm", base) }).then(() => glue),
    ),
  );
}
