// The loader's unit tests (`make test`, tier `loader`): when it loads the wasm, how it
// replays early events to `on()`, and that a failed load can be tried again.
import assert from "node:assert/strict";
import { test } from "node:test";

import "./defines.mjs";
import { fakePage, onScreen, settle } from "./fake-page.mjs";
import { install } from "../src/element.js";

/** A page with the loader installed, as script.js does. */
function loaded(options) {
  const page = fakePage(options);
  const api = install(() => page.importGlue(), "https://cdn.example/wasm/sir-donate_bg.wasm");
  return { page, api };
}

/** The `sir-donate:<type>` events an element dispatched, by their detail. */
function recordEvents(element, type) {
  const seen = [];
  element.addEventListener("sir-donate:" + type, (event) => seen.push(event.detail));
  return seen;
}

test("an element far below the fold fetches nothing until it is wanted", async () => {
  const { page } = loaded();
  const element = page.element({ org: "water-org" });
  element.connectedCallback();
  await settle();
  assert.equal(page.calls.imports, 0);
  assert.equal(page.calls.fetches, 0);
  assert.equal(element.shadowRoot.childNodes.length, 1, "the placeholder holds its place");
});

test("an element in or near the viewport loads at once", async () => {
  const { page } = loaded();
  const element = page.element({ org: "water-org" });
  onScreen(element);
  element.connectedCallback();
  await settle();
  assert.equal(page.calls.imports, 1);
  assert.equal(page.calls.fetches, 1);
  assert.deepEqual(page.calls.mounts.map((call) => call.element), [element]);
});

test("scrolling near the element loads it (viewport trigger)", async () => {
  const { page } = loaded();
  const element = page.element({ org: "water-org" });
  element.connectedCallback();
  await settle();
  page.intersect(element);
  await settle();
  assert.equal(page.calls.mounts.length, 1);
  assert.equal(page.observers[0].targets.length, 0, "the observer is disconnected once loaded");
});

test("an idle browser loads it (idle trigger)", async () => {
  const { page } = loaded();
  const element = page.element({ org: "water-org" });
  element.connectedCallback();
  await settle();
  page.idle();
  await settle();
  assert.equal(page.calls.mounts.length, 1);
});

for (const intent of ["pointerenter", "focusin", "touchstart", "click"]) {
  test(`a donor reaching for it loads it (intent trigger: ${intent})`, async () => {
    const { page } = loaded();
    const element = page.element({ org: "water-org" });
    element.connectedCallback();
    await settle();
    element.dispatchEvent(new Event(intent));
    await settle();
    assert.equal(page.calls.mounts.length, 1);
    // Every trigger is released: a second one loads nothing more.
    element.dispatchEvent(new Event("pointerenter"));
    page.idle();
    await settle();
    assert.equal(page.calls.imports, 1);
  });
}

test("the element's attributes become the mount's options", async () => {
  const { page } = loaded();
  const element = page.element({ org: "water-org", "lock-amount": "", "referral-code": "spring" });
  onScreen(element);
  element.connectedCallback();
  await settle();
  assert.deepEqual(page.calls.mounts[0].options, { org: "water-org", lockAmount: "", referralCode: "spring" });
});

test("the wasm loads once for every widget on the page", async () => {
  const { page, api } = loaded();
  await api.mount(page.element(), { key: "", org: "water-org" });
  await api.mount(page.element(), { key: "", org: "water-org" });
  assert.equal(page.calls.imports, 1);
  assert.equal(page.calls.fetches, 1);
  assert.equal(page.calls.mounts.length, 2);
});

test("events dispatched during mount() are replayed to on() in the same task", async () => {
  const { page, api } = loaded();
  const refused = { code: "secret_key_refused", message: "refused", retryable: false };
  page.onMount = (element) =>
    element.dispatchEvent(new CustomEvent("sir-donate:error", { detail: refused, bubbles: true }));
  const handle = await api.mount(page.element(), { key: "sk_test_x", org: "water-org" });
  const errors = [];
  const readies = [];
  handle.on("error", (detail) => errors.push(detail));
  handle.on("ready", (detail) => readies.push(detail));
  await settle();
  assert.deepEqual(errors, [refused]);
  assert.deepEqual(readies, [], "only the events of that type");

  // Once the task is over, a new listener hears new events only.
  const late = [];
  handle.on("error", (detail) => late.push(detail));
  handle.element.dispatchEvent(new CustomEvent("sir-donate:error", { detail: { code: "network" } }));
  assert.deepEqual(late, [{ code: "network" }]);
  assert.equal(errors.length, 2, "the first listener hears it live too");

  handle.destroy();
  handle.element.dispatchEvent(new CustomEvent("sir-donate:error", { detail: { code: "network" } }));
  assert.equal(errors.length, 2, "destroy() removes the listeners");
});

test("a failed load rejects mount(), and the next mount() loads again", async () => {
  const { page, api } = loaded({ failLoads: 1 });
  await assert.rejects(api.mount(page.element(), { key: "", org: "water-org" }), /offline/);
  const handle = await api.mount(page.element(), { key: "", org: "water-org" });
  assert.ok(handle.element);
  assert.equal(page.calls.imports, 2);
  assert.equal(page.calls.mounts.length, 1);
});

test("a failed load says load_failed, retryable, and a re-added element loads again", async () => {
  const { page } = loaded({ failLoads: 1 });
  const element = page.element({ org: "water-org" });
  const errors = recordEvents(element, "error");
  onScreen(element);
  element.connectedCallback();
  await settle();
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, "load_failed");
  assert.equal(errors[0].retryable, true);
  assert.match(errors[0].message, /offline/);

  element.disconnectedCallback();
  element.connectedCallback();
  await settle();
  assert.equal(page.calls.imports, 2);
  assert.deepEqual(page.calls.mounts.map((call) => call.element), [element]);
  assert.equal(errors.length, 1);
});

test("ready loads the widget, and after a failure loads it again", async () => {
  const { page, api } = loaded({ failLoads: 1 });
  await assert.rejects(api.ready, /offline/);
  assert.equal(await api.ready, api);
  assert.equal(page.calls.imports, 2);
});
