// @ts-check
/* sir-donate · the first view's API reads, started by the loader while the wasm downloads. */

/**
 * The reads started for one widget, adopted by the wasm's client (src/embed/reads.rs).
 * @typedef {{ key: string, controller: AbortController, requests: { url: string, response: Promise<Response> }[] }} StartedReads
 */

// The hosts, timeout and answer size cap of the wasm's own client (src/domain/keys.rs,
// src/api/http.rs).
var API_HOSTS = { test: "https://devapi.sirgiving.org", live: "https://api.sirgiving.org" };
var REQUEST_TIMEOUT_MS = 15000;
var MAX_BODY_BYTES = 256 * 1024;

/**
 * Starts `GET /v1/partner/config` and `GET /v1/partner/organizations/:slug` exactly as the
 * wasm's client would send them, so their round trips overlap the wasm's download. Returns
 * the pending reads for `mount()`, whose client adopts each one whose URL and key match its
 * own request and still owns validation, error mapping and retries (src/api/http.rs).
 *
 * Nothing is sent unless the wasm would send it too: only for a publishable key, a valid
 * slug and a host that key may use (https, or http to loopback). Anything else is left to
 * the wasm, which reports it with nothing sent. `null` when there is nothing to read.
 * @param {{ key?: unknown, publishableKey?: unknown, org?: unknown, apiBase?: unknown }} options
 * @returns {StartedReads | null}
 */
export function startReads(options) {
  var key = keyOf(options);
  var environment = keyEnvironment(options);
  var slug = slugsOf(options)[0];
  if (!environment || !slug || !isSlug(slug) || typeof AbortSignal.any !== "function") return null;
  var base = (trim(String(options.apiBase == null ? "" : options.apiBase)) || API_HOSTS[environment]).replace(
    /\/+$/,
    "",
  );
  var live = environment === "live";
  if (!allowedBase(base) || live !== (base === API_HOSTS.live)) return null;

  var controller = new AbortController();
  var signal = AbortSignal.any([controller.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]);
  /** @param {string} path */
  function read(path) {
    var url = `${base}/v1/partner/${path}`;
    var response = fetch(url, { headers: { "X-Partner-Key": key }, signal: signal }).then(readAhead);
    // Read (or dropped) by the wasm; this only keeps an unadopted failure from going unhandled.
    response.catch(() => {});
    return { url: url, response: response };
  }
  return {
    key: key,
    controller: controller,
    requests: [read("config"), read(`organizations/${encodeURIComponent(slug)}`)],
  };
}

/**
 * The answer with its body read now, while the wasm downloads, into a Response of the same
 * status and headers: the wasm then reads it within the task that mounts the widget, not a
 * network task (and often a rendered frame) later. Only a small answer of declared length
 * is read ahead: anything else goes to the wasm as it came, which refuses an oversized one
 * unread.
 * @param {Response} answer
 * @returns {Response | Promise<Response>}
 */
function readAhead(answer) {
  var length = answer.headers.get("content-length");
  if (
    !/^\d+$/.test(length || "") ||
    Number(length) > MAX_BODY_BYTES ||
    answer.status < 200 ||
    [204, 205, 304].indexOf(answer.status) >= 0
  ) {
    return answer;
  }
  return answer
    .text()
    .then(
      (body) => new Response(body, { status: answer.status, statusText: answer.statusText, headers: answer.headers }),
    );
}

/** Cancels reads no widget adopted (it was removed, or its options were refused).
 * @param {StartedReads | false | null | undefined} reads */
export function dropReads(reads) {
  if (reads) reads.controller.abort();
}

/** The publishable key, under either of its names (`publishableKey` wins, as in the wasm's
 * src/domain/options.rs, which refuses two different ones); "" when there is none.
 * @param {{ key?: unknown, publishableKey?: unknown }} options */
export function keyOf(options) {
  var alias = String(options.publishableKey == null ? "" : options.publishableKey).trim();
  return alias || String(options.key == null ? "" : options.key).trim();
}

/** `test` or `live` for a publishable key (src/domain/keys.rs), null for anything else.
 * @param {{ key?: unknown, publishableKey?: unknown }} options
 * @returns {"test" | "live" | null} */
export function keyEnvironment(options) {
  var environment = /^pk_(test|live)_[A-Za-z0-9_]+$/.exec(keyOf(options));
  return environment ? /** @type {"test" | "live"} */ (environment[1]) : null;
}

/** The `org` option's slugs, split as src/domain/options.rs splits them.
 * @param {{ org?: unknown }} options */
export function slugsOf(options) {
  return String(options.org == null ? "" : options.org)
    .split(",")
    .map(trim)
    .filter(Boolean);
}

/** A slug the wasm would send (src/domain/options.rs: is_slug).
 * @param {string} slug */
export function isSlug(slug) {
  return /^[a-z0-9._-]{1,100}$/.test(slug);
}

/** @param {string} text */
function trim(text) {
  return text.trim();
}

/** https, or http to a loopback host (the local sandbox): narrower than the wasm's check.
 * @param {string} base */
function allowedBase(base) {
  return (
    /^https:\/\/[a-z0-9.-]+(:\d+)?(\/[\w.~%/-]*)?$/i.test(base) ||
    /^http:\/\/(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d+)?(\/[\w.~%/-]*)?$/i.test(base)
  );
}
