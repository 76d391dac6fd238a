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
  element.addEventListener(`sir-donate:${type}`, (event) => seen.push(event.detail));
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
  assert.deepEqual(
    page.calls.mounts.map((call) => call.element),
    [element],
  );
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
  assert.deepEqual(
    page.calls.mounts.map((call) => call.element),
    [element],
  );
  assert.equal(errors.length, 1);
});

test("ready loads the widget, and after a failure loads it again", async () => {
  const { page, api } = loaded({ failLoads: 1 });
  await assert.rejects(api.ready, /offline/);
  assert.equal(await api.ready, api);
  assert.equal(page.calls.imports, 2);
});

/**
 * After two mount() calls on one target, in any order of resolution and with the first
 * handle destroyed: the second widget shows, is alive and answers its handle; the first
 * was ended exactly once, and its handle touches nothing any more.
 */
async function assertSecondOwns(page, target, [first, second], heard) {
  const [one, two] = page.calls.mounts.map((call) => call.native);
  assert.deepEqual(target.shadowRoot.childNodes, [two.widget], "the newer widget shows");
  assert.equal(one.frees, 1, "the first widget was ended, once");
  assert.equal(two.frees, 0, "the newer widget lives");
  first.update({ amount: 10 });
  first.destroy();
  second.update({ amount: 50 });
  assert.deepEqual(two.updates, [{ amount: 50 }], "only the newer handle reaches it");
  assert.deepEqual(target.shadowRoot.childNodes, [two.widget]);
  first.on("completed", (detail) => heard.push(["first", detail]));
  target.dispatchEvent(new CustomEvent("sir-donate:completed", { detail: { partnerDonationId: "d1" } }));
  await settle();
  assert.deepEqual(heard, [["second", { partnerDonationId: "d1" }]], "the stale handle's listeners are gone");
  second.destroy();
  assert.equal(two.frees, 1);
  assert.deepEqual(target.shadowRoot.childNodes, []);
}

/** Listens on a handle the way a component would, recording who heard what. */
function listen(handle, name, heard) {
  handle.on("completed", (detail) => heard.push([name, detail]));
  return handle;
}

const OPTIONS = { key: "", org: "water-org" };

test("mount, mount, destroy the first after the second resolved: the second stays", async (t) => {
  t.mock.method(console, "warn", () => {});
  const { page, api } = loaded();
  const target = page.element();
  const heard = [];
  const first = listen(await api.mount(target, OPTIONS), "first", heard);
  const second = listen(await api.mount(target, OPTIONS), "second", heard);
  first.destroy();
  await assertSecondOwns(page, target, [first, second], heard);
});

test("mount, mount, destroy the first before the second resolved: the second stays", async (t) => {
  t.mock.method(console, "warn", () => {});
  const { page, api } = loaded();
  const target = page.element();
  const heard = [];
  const first = listen(await api.mount(target, OPTIONS), "first", heard);
  const pending = api.mount(target, OPTIONS);
  first.destroy();
  const second = listen(await pending, "second", heard);
  await assertSecondOwns(page, target, [first, second], heard);
});

test("mount, destroy, mount as React's Strict Mode runs an effect: the cleanup's destroy leaves the second", async (t) => {
  t.mock.method(console, "warn", () => {});
  const { page, api } = loaded();
  const target = page.element();
  const heard = [];
  // Effect, cleanup (which destroys the handle once it arrives), effect again: both mounts
  // were asked for before either resolved, so the second resolves before the destroy runs.
  const firstMount = api.mount(target, OPTIONS);
  const destroyed = firstMount.then((handle) => {
    handle.destroy();
    return handle;
  });
  const second = listen(await api.mount(target, OPTIONS), "second", heard);
  const first = await destroyed;
  await assertSecondOwns(page, target, [first, second], heard);
});

test("mount, destroy, mount one after another: the second stays", async (t) => {
  t.mock.method(console, "warn", () => {});
  const { page, api } = loaded();
  const target = page.element();
  const heard = [];
  const first = listen(await api.mount(target, OPTIONS), "first", heard);
  first.destroy();
  const second = listen(await api.mount(target, OPTIONS), "second", heard);
  await assertSecondOwns(page, target, [first, second], heard);
});

test("a mount() that takes over a <sir-donate> element ends the element's own widget", async (t) => {
  t.mock.method(console, "warn", () => {});
  const { page, api } = loaded();
  const element = page.element({ org: "water-org" });
  onScreen(element);
  element.connectedCallback();
  await settle();
  const handle = await api.mount(element, OPTIONS);
  const [own, mounted] = page.calls.mounts.map((call) => call.native);
  assert.equal(own.frees, 1);
  assert.deepEqual(element.shadowRoot.childNodes, [mounted.widget]);
  // Removing the element ends the widget it holds, and the stale handle then frees nothing twice.
  element.disconnectedCallback();
  assert.equal(mounted.frees, 1);
  handle.destroy();
  handle.update({ amount: 10 });
  assert.equal(mounted.frees, 1);
});

test("a widget without a publishable key says so in the console", async (t) => {
  const warn = t.mock.method(console, "warn", () => {});
  const { page, api } = loaded();
  await api.mount(page.element(), { org: "water-org" });
  assert.equal(warn.mock.callCount(), 1);
  assert.match(warn.mock.calls[0].arguments[0], /no publishable key.*publishable-key.*publishableKey/);

  const element = page.element({ key: "", org: "water-org" });
  onScreen(element);
  element.connectedCallback();
  await settle();
  assert.equal(warn.mock.callCount(), 2, "an element without one too");
});

test("a key under either name is a key: no warning, and publishable-key reaches the mount", async (t) => {
  const warn = t.mock.method(console, "warn", () => {});
  const { page, api } = loaded();
  await api.mount(page.element(), { publishableKey: "pk_test_x", org: "water-org" });
  await api.mount(page.element(), { key: "pk_test_x", org: "water-org" });
  const element = page.element({ "publishable-key": "pk_test_x", org: "water-org" });
  onScreen(element);
  element.connectedCallback();
  await settle();
  assert.equal(warn.mock.callCount(), 0);
  assert.deepEqual(page.calls.mounts[2].options, { publishableKey: "pk_test_x", org: "water-org" });
});
