// A page as small as the loader needs (js/src/element.js), for its unit tests under
// `node --test`: elements are EventTargets, and each trigger the loader waits on (the
// viewport observer, the idle callback) is captured, for a test to fire.

/** The smallest valid wasm module: the loader compiles what it fetches. */
const EMPTY_WASM = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

export class FakeNode extends EventTarget {
  constructor(tag = "") {
    super();
    this.tagName = tag.toUpperCase();
    this.childNodes = [];
    this.attributes = new Map();
    this.isConnected = true;
    this.shadowRoot = null;
    this.activeElement = null;
    /** Far below the fold unless a test moves it. */
    this.box = { top: 5000, bottom: 5100, left: 0, right: 300, width: 300, height: 100 };
  }
  getAttribute(name) {
    return this.attributes.has(name) ? this.attributes.get(name) : null;
  }
  hasAttribute(name) {
    return this.attributes.has(name);
  }
  setAttribute(name, value) {
    this.attributes.set(name, String(value));
  }
  appendChild(child) {
    this.childNodes.push(child);
    return child;
  }
  replaceChildren(...children) {
    this.childNodes = children;
  }
  attachShadow() {
    this.shadowRoot = new FakeNode("#shadow-root");
    return this.shadowRoot;
  }
  querySelector() {
    return null;
  }
  getBoundingClientRect() {
    return this.box;
  }
}

/**
 * Installs a fresh fake page on `globalThis` and returns its handles: `idle()` and
 * `intersect()` fire the loader's triggers, `glue` is what the loader imports, and
 * `calls` records each glue import and wasm fetch. `failLoads` loads fail first.
 */
export function fakePage({ failLoads = 0 } = {}) {
  const page = {
    calls: { imports: 0, fetches: 0, mounts: [] },
    idleCallbacks: [],
    observers: [],
    defined: new Map(),
    failLoads,
    idle() {
      for (const callback of page.idleCallbacks.splice(0)) callback();
    },
    intersect(element) {
      page.observers.forEach((observer) => {
        if (observer.targets.includes(element)) observer.callback([{ isIntersecting: true, target: element }]);
      });
    },
    /** A `<sir-donate>` element as the page's HTML would create it. */
    element(attributes = {}) {
      const Element = page.defined.get("sir-donate");
      const element = new Element();
      for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
      return element;
    },
    /** What the loader imports: the wasm-bindgen glue, with a `mount` that records its calls.
     * `onMount(element)` runs inside it (a widget that dispatches an event at once). */
    onMount: () => {},
    importGlue() {
      page.calls.imports += 1;
      if (page.failLoads > 0) {
        page.failLoads -= 1;
        return Promise.reject(new Error("offline"));
      }
      return Promise.resolve({
        default: async () => {},
        mount(element, options) {
          // As the wasm does: the widget replaces what the shadow root held, and ending it
          // (free) empties the shadow root; a freed handle's methods throw.
          const root = element.shadowRoot || element.attachShadow();
          const widget = new FakeNode("div");
          root.childNodes = [widget];
          const native = {
            widget,
            updates: [],
            frees: 0,
            update(change) {
              if (native.frees) throw new Error("null pointer passed to rust");
              native.updates.push(change);
            },
            free() {
              if (native.frees++) throw new Error("null pointer passed to rust");
              root.childNodes = [];
            },
          };
          page.calls.mounts.push({ element, options, native });
          page.onMount(element);
          return native;
        },
      });
    },
  };
  const document = Object.assign(new FakeNode("#document"), {
    documentElement: new FakeNode("html"),
    createElement: (tag) => new FakeNode(tag),
    querySelector: () => null,
    querySelectorAll: () => [],
  });
  Object.assign(globalThis, {
    window: globalThis,
    document,
    HTMLElement: FakeNode,
    ShadowRoot: class {
      get adoptedStyleSheets() {
        return [];
      }
    },
    HTMLDialogElement: class {
      showModal() {}
    },
    customElements: {
      get: (name) => page.defined.get(name),
      define: (name, elementClass) => page.defined.set(name, elementClass),
    },
    IntersectionObserver: class {
      constructor(callback) {
        this.callback = callback;
        this.targets = [];
        page.observers.push(this);
      }
      observe(element) {
        this.targets.push(element);
      }
      disconnect() {
        this.targets = [];
      }
    },
    requestIdleCallback: (callback) => page.idleCallbacks.push(callback),
    requestAnimationFrame: () => 0,
    innerWidth: 1024,
    innerHeight: 768,
    fetch: async () => {
      page.calls.fetches += 1;
      return new Response(EMPTY_WASM, { headers: { "content-type": "application/wasm" } });
    },
    __SIR_DONATE_VERSION__: "0.0.0-test",
  });
  return page;
}

/** Lets every pending promise callback (and the timers due now) run. */
export function settle() {
  return new Promise((resolve) => setTimeout(resolve, 0)).then(() => new Promise((resolve) => setTimeout(resolve, 0)));
}

/** Moves an element into the viewport. */
export function onScreen(element) {
  element.box = { top: 10, bottom: 110, left: 0, right: 300, width: 300, height: 100 };
}
