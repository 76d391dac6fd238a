// @ts-check
/* sir-donate · loading the wasm: once per page, compiled while the glue downloads, and
 * forgotten when it fails so that the next widget tries again (as @stripe/stripe-js does). */
import { fetchFile } from "./files.js";

/**
 * The wasm-bindgen glue (dist/wasm/sir-donate.js), as the loader uses it.
 * @typedef {{
 *   default: (init: { module_or_path: WebAssembly.Module }) => Promise<unknown>,
 *   mount: (element: HTMLElement, options: object, reads: import("./reads.js").StartedReads | null, typed?: import("./first-view.js").Typed) => NativeHandle,
 *   setChunkUrls?: (urls: Record<string, URL>, integrity?: Record<string, string>) => void,
 *   preloadChunks?: () => Promise<unknown>,
 * }} Glue
 */
/** @typedef {{ update(options: object): void, open(choice: object): void, free(): void }} NativeHandle */
/** @typedef {{ load: () => Promise<Glue>, started: () => boolean, missing: string[] }} Core */

/**
 * What the widget needs of a browser, checked before anything is fetched: the ones this
 * browser lacks, or none (docs/browser-support.md). AbortSignal.any is the newest (Chrome
 * 116, Firefox 124, Safari 17.4).
 * @returns {string[]}
 */
export function missingFeatures() {
  return [
    "WebAssembly.instantiate", // absent, for one, in Safari's Lockdown Mode
    "customElements",
    "AbortSignal.any",
    "AbortSignal.timeout",
    "ShadowRoot.prototype.adoptedStyleSheets",
    "HTMLDialogElement.prototype.showModal",
  ].filter((path) => {
    const names = path.split(".");
    const last = /** @type {string} */ (names.pop());
    /** @type {any} */
    const owner = names.reduce((/** @type {any} */ object, name) => object?.[name], window);
    // `in`, not a read: a prototype's getter throws when read off the prototype.
    return !(owner && last in Object(owner));
  });
}

/** The error for a browser below the baseline: the partner's fallback content stays.
 * @param {string[]} missing
 * @returns {import("../sir-donate").SirDonateUnsupportedError} */
function unsupportedBrowser(missing) {
  return Object.assign(new Error(`This browser can't show the donation form: it lacks ${missing.join(", ")}.`), {
    name: /** @type {const} */ ("SirDonateError"),
    code: /** @type {const} */ ("unsupported_browser"),
    retryable: /** @type {const} */ (false),
  });
}

/** Streaming compilation; a server sending the wrong MIME type gets the slower compile
 * of the whole body instead, as wasm-bindgen's glue does.
 * @param {Promise<Response>} response
 * @returns {Promise<WebAssembly.Module>} */
function compileWasm(response) {
  return response.then((wasm) => {
    if (!wasm.ok) throw new Error(`HTTP ${wasm.status} for ${wasm.url}`);
    const whole = () => wasm.arrayBuffer().then((bytes) => WebAssembly.compile(bytes));
    if (typeof WebAssembly.compileStreaming !== "function") return whole();
    return WebAssembly.compileStreaming(wasm).catch((error) => {
      if (/^application\/wasm\b/.test(wasm.headers.get("content-type") || "")) throw error;
      return whole();
    });
  });
}

/**
 * The page's wasm loader. `importGlue()` resolves to the wasm-bindgen glue (not yet
 * initialized) and `wasmUrl` is its wasm; `chunkUrls` maps the lazily loaded chunks' names
 * to where a bundler moved them; `integrity` maps file names to their SRI hashes (the CDN).
 * @param {() => Promise<Glue>} importGlue
 * @param {URL | string} wasmUrl
 * @param {Record<string, URL>} [chunkUrls]
 * @param {Record<string, string>} [integrity]
 * @returns {Core}
 */
export function createCore(importGlue, wasmUrl, chunkUrls, integrity) {
  const missing = missingFeatures();
  /** @type {Promise<Glue> | null} */
  let core = null;
  function load() {
    // Below the baseline nothing is fetched: the wasm could not run anyway.
    if (missing.length) return Promise.reject(unsupportedBrowser(missing));
    if (core) return core;
    // Compiled as it streams in, while the glue downloads: the glue then only instantiates it.
    const module = compileWasm(fetchFile(wasmUrl, integrity?.["sir-donate_bg.wasm"]));
    // Handled below; this only keeps a failed glue import from leaving it unhandled.
    module.catch(() => {});
    const loading = importGlue().then((glue) => {
      if (chunkUrls && glue.setChunkUrls) glue.setChunkUrls(chunkUrls, integrity);
      return module.then((compiled) => glue.default({ module_or_path: compiled })).then(() => glue);
    });
    core = loading;
    // Runs before any caller's handler: a listener of the failure already finds it forgotten.
    loading.catch(() => {
      if (core === loading) core = null;
    });
    return loading;
  }
  return { load, started: () => core !== null, missing };
}
