// @ts-check
/* sir-donate · which widget holds which element, for both ways of mounting (the element,
 * mount()): one widget per element, and a stale handle never touches a newer widget. */

/** @typedef {import("./core.js").NativeHandle} NativeHandle */

/** element → its widget, and what detaches the listeners of the mount() handle that made it.
 * @type {WeakMap<HTMLElement, { native: NativeHandle, release: (() => void) | null }>} */
const held = new WeakMap();

/** @param {HTMLElement} element */
export function widgetIn(element) {
  return held.get(element)?.native ?? null;
}

/** @param {HTMLElement} element @param {NativeHandle} native @param {(() => void) | null} release */
export function hold(element, native, release) {
  held.set(element, { native, release });
}

/** Ends the widget that holds `element`: its mount() handle, if it had one, goes stale and
 * loses its listeners. The element's shadow root is left empty.
 * @param {HTMLElement} element */
export function endWidgetIn(element) {
  const widget = held.get(element);
  held.delete(element);
  widget?.release?.();
  // free() drops the Rust handle, which unmounts and cancels timers and requests.
  widget?.native.free();
}
