/*! sir-donate loader · <script src=".../sir-donate.js" async></script>
 * Loads the widget's wasm from wasm/ beside this file once a widget is in or near the
 * viewport, the donor reaches for it, or the browser is idle.
 * Exposes window.SirDonate = { version, ready, mount }. */
import { install } from "./element.js";

// Loaded twice (two tags, SPA re-injection): the first copy stays in charge.
if (!(window.SirDonate && window.SirDonate.version)) {
  const script = document.currentScript;
  const base = new URL(".", (script && script.src) || location.href);
  window.SirDonate = install(() => {
    // The wasm downloads while the glue does, not after it: one round trip fewer before
    // the widget is interactive. The glue compiles the response as it streams in, falling
    // back to a plain compile when the server sends the wrong MIME type.
    const wasm = fetch(new URL("wasm/sir-donate_bg.wasm", base));
    // Handled by the glue; this only keeps a failed glue import from leaving it unhandled.
    wasm.catch(() => {});
    return import(/* @vite-ignore */ new URL("wasm/sir-donate.js", base).href).then((glue) =>
      glue.default({ module_or_path: wasm }).then(() => glue),
    );
  });
}
