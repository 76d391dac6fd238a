// @ts-check
/*! sir-donate for bundlers · `import { loadSirDonate } from "sir-donate"`.
 * Importing has no side effects and is safe under SSR: nothing touches `window`
 * until loadSirDonate() runs, in a browser. */

/** @type {Promise<import("../sir-donate").SirDonateApi> | undefined} */
let loading;

/**
 * Loads the widget (once) and resolves to the SirDonate API; resolves to `null` where
 * there is no DOM (server-side rendering), like `@stripe/stripe-js`.
 * @type {typeof import("../sir-donate").loadSirDonate}
 */
export function loadSirDonate() {
  if (typeof window === "undefined" || typeof document === "undefined") return Promise.resolve(null);
  if (!loading) {
    loading = import("./element.js").then(({ install }) => {
      // Another copy (a script tag) may already run the page's widgets.
      if (window.SirDonate?.version) return window.SirDonate;
      const api = install(
        // @ts-expect-error: dist/npm/wasm/ exists only in the built package.
        () => import("./wasm/sir-donate.js"),
        // A separate asset: bundlers copy it and rewrite this URL.
        new URL("./wasm/sir-donate_bg.wasm", import.meta.url),
        // Its lazily loaded chunks, likewise: js/build.mjs writes one `new URL(...)` per chunk.
        __SIR_DONATE_CHUNK_URLS__,
      );
      window.SirDonate = api;
      return api;
    });
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}
