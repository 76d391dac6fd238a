// @ts-check
/* sir-donate · fetching the wasm's lazily loaded chunks. js/build.mjs bundles this with the
 * wasm-bindgen glue and wasm-split's __wasm_split.js, whose loaders it routes through here. */

/** The splits a Donate click runs (`#[lazy]` functions in src/): the create-link step, and
 * for a checkout in another tab or a popup the status view and its polling. Loaded ahead of
 * the click. */
var DONATE_SPLITS = ["create_link_step", "follow_status", "status_view"];
var RETRIES = 2;
var RETRY_DELAY_MS = 300;

/** @type {Record<string, URL | string> | null} */
var urls = null;
/** @type {Record<string, string> | null} */
var hashes = null;
/** @type {Record<string, () => Promise<unknown>>} */
var loads = {};

/** Where a bundler (the npm package) or the CDN layout put the chunks: file name → URL, and
 * for the CDN, file name → the SRI hash it must match (the browser refuses another file).
 * By default they sit beside this module, unverified.
 * @param {Record<string, URL | string>} map
 * @param {Record<string, string>} [integrity] */
export function setChunkUrls(map, integrity) {
  urls = map;
  hashes = integrity || null;
}

/** Keeps a split's loader under its function's name, for `preloadChunks`.
 * @template {() => Promise<unknown>} L
 * @param {string} name
 * @param {L} load
 * @returns {L} */
export function registerLoad(name, load) {
  loads[name] = load;
  return load;
}

/** Loads, without running them, the splits a Donate click needs. Loaders keep what loaded, so
 * the click then waits on nothing but create-link. */
export function preloadChunks() {
  return Promise.all(DONATE_SPLITS.filter((name) => loads[name]).map((name) => loads[name]()));
}

/**
 * A chunk's response, as `WebAssembly.instantiateStreaming` needs it: fetched again after a
 * network failure or a 5xx (a chunk that can't load stops the widget), and relabelled when the
 * server sends the wrong MIME type (as the loader does for the main module).
 * @param {URL | string} url
 * @returns {Promise<Response>}
 */
export function fetchChunk(url) {
  var name = String(url).split("/").pop() || "";
  var target = urls?.[name] || url;
  var integrity = hashes?.[name];
  var attempt = 0;
  /** @returns {Promise<Response>} */
  function once() {
    return fetch(target, integrity ? { integrity: integrity } : undefined).then(
      (response) => {
        if (response.status >= 500 && attempt < RETRIES) return again();
        if (!response.ok || /^application\/wasm\b/.test(response.headers.get("content-type") || "")) return response;
        return response
          .arrayBuffer()
          .then((bytes) => new Response(bytes, { headers: { "content-type": "application/wasm" } }));
      },
      (error) => {
        if (attempt < RETRIES) return again();
        throw error; // the browser's console says whether an integrity check refused it
      },
    );
  }
  /** @returns {Promise<Response>} */
  function again() {
    attempt += 1;
    return new Promise((resolve) => {
      setTimeout(resolve, RETRY_DELAY_MS * attempt);
    }).then(once);
  }
  return once();
}
