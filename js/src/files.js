// @ts-check
/* sir-donate · fetching the widget's own files: in the CDN's loader (dist/cdn/<version>/,
 * js/build.mjs), verified against the hashes it was built with; everywhere, when a fetch
 * fails, with an error that says why as far as a page can tell. __SIR_DONATE_VERIFIED__ is
 * true only in that loader: elsewhere the bundler drops what only it needs (+0.5 KB gzip). */

/**
 * `fetch(url)`, with `integrity` when verifying: the browser then refuses a file whose
 * sha384 differs (it checks the whole body before the response resolves).
 * @param {URL | string} url
 * @param {string} [integrity]
 * @returns {Promise<Response>}
 */
export function fetchFile(url, integrity) {
  return fetch(url, __SIR_DONATE_VERIFIED__ && integrity ? { integrity: integrity } : undefined).catch((error) => {
    if (__SIR_DONATE_VERIFIED__ && integrity && explain)
      return explain(url, error).then((reason) => {
        throw reason;
      });
    throw unreachable(url, error);
  });
}

/**
 * `import(url)`, verified like fetchFile: a modulepreload link with `integrity` puts the
 * checked module in the page's module map, where import() then finds it.
 * @param {URL} url
 * @param {string} [integrity]
 * @returns {Promise<any>}
 */
export function importFile(url, integrity) {
  if (!(__SIR_DONATE_VERIFIED__ && integrity)) return import(/* @vite-ignore */ String(url));
  return new Promise((resolve, reject) => {
    const link = document.createElement("link");
    link.rel = "modulepreload";
    link.crossOrigin = "anonymous";
    link.integrity = integrity;
    link.href = String(url);
    link.onload = resolve;
    link.onerror = (error) => {
      if (explain) explain(url, error).then(reject);
    };
    document.head.appendChild(link);
  }).then(() => import(/* @vite-ignore */ String(url)));
}

/**
 * Why a verified fetch of `url` failed. A browser reports a refused integrity check, a
 * missing CORS header and a network failure alike, so one more request, unverified, tells
 * them apart: when it gets the file, the file is not the one this loader knows.
 */
// A function expression, so that the bundler drops it where nothing verifies.
const explain =
  __SIR_DONATE_VERIFIED__ &&
  ((/** @type {URL | string} */ url, /** @type {unknown} */ error) =>
    fetch(url, { cache: "no-store" }).then(
      (response) =>
        new Error(
          url +
            (response.ok
              ? " failed its integrity check: it is not the file this loader was built with."
              : `: HTTP ${response.status}`),
        ),
      () => unreachable(url, error),
    ));

/** A file that could not be fetched: from another origin, most likely for want of CORS.
 * @param {URL | string} url
 * @param {unknown} error */
function unreachable(url, error) {
  return new URL(url, location.href).origin === location.origin
    ? error
    : new Error(
        `Could not fetch ${url}: its server, on another origin, must send Access-Control-Allow-Origin (CORS), unless the network failed.`,
      );
}
