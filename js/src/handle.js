// @ts-check
/* sir-donate · the handle SirDonate.mount() resolves to: update, destroy, on, off, element.
 * Events the widget dispatched before the caller could call on() are replayed to it. */
import { EVENT_TYPES, PREFIX } from "./events.js";
import { endWidgetIn, hold, widgetIn } from "./widgets.js";

/** @typedef {import("../sir-donate").SirDonateHandle} SirDonateHandle */
/** @typedef {import("./core.js").NativeHandle} NativeHandle */

/**
 * Records the element's events from now until the end of this task, so that a listener
 * added in the same task (a refused key is reported at once) still hears them.
 * @param {HTMLElement} element
 */
function recordEarlyEvents(element) {
  /** @type {Event[]} */
  const early = [];
  let recording = true;
  const record = (/** @type {Event} */ event) => {
    if (recording) early.push(event);
  };
  for (const type of EVENT_TYPES) element.addEventListener(PREFIX + type, record);
  const stop = () => {
    recording = false;
    for (const type of EVENT_TYPES) element.removeEventListener(PREFIX + type, record);
  };
  setTimeout(stop, 0);
  return {
    stop,
    /** @param {string} type @param {(detail: any) => void} listener */
    replay(type, listener) {
      if (!recording) return;
      for (const event of early) {
        if (event.type === PREFIX + type) queueMicrotask(() => listener(/** @type {CustomEvent} */ (event).detail));
      }
    },
  };
}

/**
 * Mounts with `mountNative` into `element` and returns the handle. One widget per element:
 * mounting again takes it over (React's Strict Mode mounts twice), and the earlier handle
 * goes stale: its update(), on() and destroy() no longer touch the element.
 * @param {HTMLElement} element
 * @param {() => NativeHandle} mountNative
 * @returns {SirDonateHandle}
 */
export function mountHandle(element, mountNative) {
  // The earlier widget ends first: ending a widget empties the shadow root.
  endWidgetIn(element);
  const early = recordEarlyEvents(element);
  /** @type {{ type: string, listener: Function, wrapper: (event: Event) => void }[]} */
  let listeners = [];
  function release() {
    early.stop();
    for (const entry of listeners) element.removeEventListener(PREFIX + entry.type, entry.wrapper);
    listeners = [];
  }
  /** @type {NativeHandle} */
  let native;
  try {
    native = mountNative();
  } catch (error) {
    release();
    throw error;
  }
  hold(element, native, release);
  const owns = () => widgetIn(element) === native;
  return {
    element,
    update(change) {
      if (owns()) native.update(change || {});
    },
    open(choice) {
      if (owns()) native.open(choice || {});
    },
    destroy() {
      if (owns()) endWidgetIn(element);
      else release();
    },
    on(type, listener) {
      if (!owns()) return;
      const wrapper = (/** @type {Event} */ event) => listener(/** @type {CustomEvent} */ (event).detail);
      listeners.push({ type, listener, wrapper });
      element.addEventListener(PREFIX + type, wrapper);
      early.replay(type, listener);
    },
    off(type, listener) {
      listeners = listeners.filter((entry) => {
        if (entry.type !== type || entry.listener !== listener) return true;
        element.removeEventListener(PREFIX + type, entry.wrapper);
        return false;
      });
    },
  };
}
