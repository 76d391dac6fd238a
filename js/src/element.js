// @ts-check
/*! sir-donate · the <sir-donate> element and the SirDonate API, shared by the
 * script-tag loader (script.js) and the npm package (npm.js). */
import { createCore } from "./core.js";
import { PREFIX, reportTo } from "./events.js";
import { FirstView, paintFirstView, restorePlace } from "./first-view.js";
import { firstViewShape } from "./first-view-shape.js";
import { mountHandle } from "./handle.js";
import { OPTION_ATTRIBUTES } from "./option-names.js";
import { paintPlaceholder } from "./placeholder.js";
import { dropReads, keyOf, startReads } from "./reads.js";
import { whenWanted } from "./triggers.js";
import { endWidgetIn, hold, widgetIn } from "./widgets.js";

/** @typedef {import("../sir-donate").SirDonateApi} SirDonateApi */
/** @typedef {import("../sir-donate").SirDonateHandle} SirDonateHandle */
/** @typedef {import("../sir-donate").SirDonateOptions} SirDonateOptions */
/** @typedef {import("./reads.js").StartedReads} StartedReads */
/** @typedef {import("./core.js").Core} Core */
/** @typedef {import("./core.js").Glue} Glue */

/** @param {string} name */
function camelCase(name) {
  return name.replace(/-([a-z])/g, (_, letter) => letter.toUpperCase());
}

/** @param {HTMLElement} element */
function optionsFromAttributes(element) {
  /** @type {Record<string, string>} */
  const options = {};
  for (const name of OPTION_ATTRIBUTES) {
    const value = element.getAttribute(name);
    if (value !== null) options[camelCase(name)] = value;
  }
  return options;
}

/** A widget without a key shows so on screen; the developer also hears it here, with the
 * usual cause, which the screen can't know.
 * @param {{ key?: unknown, publishableKey?: unknown }} options */
function warnIfKeyless(options) {
  if (keyOf(options)) return;
  console.warn(
    "sir-donate: no publishable key. Set publishable-key (publishableKey in mount()): React and Vue keep a key prop to themselves.",
  );
}

/**
 * A page's first `Intl.NumberFormat` loads the browser's number and currency data, tens of
 * ms of main thread. Where no first view was painted (which formats its amounts), that cost
 * is made after the placeholder's frame, while the wasm downloads.
 * @param {Partial<SirDonateOptions>} options
 */
function warmNumberFormat(options) {
  requestAnimationFrame(() => {
    setTimeout(() => {
      try {
        const locale = options.locale || document.documentElement.lang || undefined;
        new Intl.NumberFormat(locale, { style: "currency", currency: options.currency || "USD" }).format(0);
      } catch {
        // A bad locale or currency: the widget reports it; this was only a head start.
      }
    }, 0);
  });
}

/** Shows in the first view what the loader's own reads answer, before the wasm: the
 * partner config's tip and the nonprofit's name.
 * @param {FirstView} view
 * @param {StartedReads} reads */
function showReads(view, reads) {
  /** @param {number} index @param {(answer: Record<string, any>) => void} show */
  const read = (index, show) =>
    reads.requests[index]?.response
      .then((answer) => (answer.ok ? answer.clone().json() : null))
      .then((answer) => {
        if (answer && typeof answer === "object") show(answer);
      })
      .catch(() => {});
  read(0, (config) => view.offerTip(config));
  read(1, (organization) => view.name(organization));
}

/**
 * The Donate press made before the wasm, made once its form is ready (the nonprofit loaded):
 * exactly one link. An error instead (the wasm shows it) drops the press.
 * @param {HTMLElement} element
 * @param {ShadowRoot} root
 */
function submitWhenReady(element, root) {
  const settle = (/** @type {Event} */ event) => {
    element.removeEventListener(`${PREFIX}ready`, settle);
    element.removeEventListener(`${PREFIX}error`, settle);
    if (event.type === `${PREFIX}ready`) root.querySelector("form")?.requestSubmit();
  };
  element.addEventListener(`${PREFIX}ready`, settle);
  element.addEventListener(`${PREFIX}error`, settle);
}

/**
 * Paints what the element shows until the wasm takes over: the first view if the loader can
 * paint its options, else the placeholder (or its fallback children).
 * @param {HTMLElement} element
 * @param {ShadowRoot} root
 * @param {() => void} onPress a Donate press in the first view
 * @returns {{ view: FirstView | null, pressed: () => boolean }}
 */
function paint(element, root, onPress) {
  const shape = firstViewShape(optionsFromAttributes(element));
  try {
    if (shape) return { view: paintFirstView(root, shape, onPress), pressed: () => false };
  } catch {
    // A page enforcing Trusted Types refuses the template's HTML: the placeholder, then the wasm.
  }
  return { view: null, pressed: paintPlaceholder(root, element) };
}

/**
 * Where the donor is in what the loader painted, read just before the wasm replaces it.
 * @param {ShadowRoot} root
 * @param {FirstView | null} view
 * @param {() => boolean} placeholderPressed
 */
function donorPlace(root, view, placeholderPressed) {
  return {
    view,
    place: view?.place(),
    focused: root.activeElement,
    pressed: view ? view.pressed : placeholderPressed(),
  };
}

/**
 * Puts the donor back in the wasm's form: the focus, the caret and an open dialog, and a
 * Donate press made before it.
 * @param {HTMLElement} element
 * @param {ShadowRoot} root
 * @param {ReturnType<typeof donorPlace>} before
 */
function resume(element, root, before) {
  if (before.place) restorePlace(root, before.place);
  const control = /** @type {HTMLElement | null} */ (root.querySelector("button, input, select"));
  if (!before.place && control && before.focused) control.focus();
  if (!before.pressed) return;
  if (before.view) submitWhenReady(element, root);
  else if (control?.getAttribute("aria-haspopup") === "dialog") control.click();
}

/** Where there is no DOM (server-side rendering imports the npm package's modules), a stand-in
 * that is never constructed. */
const ElementBase = typeof HTMLElement === "undefined" ? /** @type {typeof HTMLElement} */ (Object) : HTMLElement;

/** The <sir-donate> element. Each install() defines a subclass that carries its wasm loader. */
class SirDonateElement extends ElementBase {
  /** The page's wasm loader (set on install()'s subclass).
   * @type {Core} */
  static core;
  static get observedAttributes() {
    return OPTION_ATTRIBUTES;
  }

  /** The API reads started for a takeover under way (`false`: none could be). */
  /** @type {StartedReads | false | null} */
  #reads = null;
  /** @type {FirstView | null} */
  #view = null;
  #placeholderPressed = () => false;
  #unsupported = false;

  get #core() {
    return /** @type {typeof SirDonateElement} */ (this.constructor).core;
  }

  connectedCallback() {
    // Below the baseline the element stays as the partner wrote it, fallback and all.
    if (this.#core.missing.length) {
      if (!this.#unsupported) this.#core.load().catch(reportTo(this));
      this.#unsupported = true;
      return;
    }
    const root = this.shadowRoot || this.attachShadow({ mode: "open" });
    // Asked before the paint: a widget on screen then sends its reads before its form's first layout.
    const wanted = whenWanted(this, this.#core.started());
    if (!root.childNodes.length) this.#paint(root);
    wanted.then(() => this.#takeOver(root)).catch(reportTo(this));
  }

  disconnectedCallback() {
    // Reads started for a widget that never mounted are cancelled with it.
    dropReads(this.#reads);
    this.#reads = null;
    if (widgetIn(this)) this.#view = null;
    endWidgetIn(this);
  }

  /**
   * @param {string} name
   * @param {string | null} previous
   * @param {string | null} value
   */
  attributeChangedCallback(name, previous, value) {
    if (previous === value) return;
    const native = widgetIn(this);
    if (!native) {
      // Not taken over yet: what is painted follows the attributes.
      if (this.shadowRoot && !this.#reads) this.#paint(this.shadowRoot);
      return;
    }
    try {
      native.update({ [camelCase(name)]: value === null ? "" : value });
    } catch (/** @type {any} */ error) {
      reportTo(this)(error);
    }
  }

  /** @param {ShadowRoot} root */
  #paint(root) {
    const painted = paint(this, root, () => this.#takeOver(root).catch(reportTo(this)));
    this.#view = painted.view;
    this.#placeholderPressed = painted.pressed;
  }

  /** Loads the wasm (the API reads travel meanwhile) and mounts the widget over what is painted.
   * @param {ShadowRoot} root */
  #takeOver(root) {
    if (!this.isConnected || widgetIn(this) || this.#reads) return Promise.resolve();
    const options = optionsFromAttributes(this);
    const reads = startReads(options) || false;
    this.#reads = reads;
    if (this.#view && reads) showReads(this.#view, reads);
    else if (!this.#view) warmNumberFormat(options);
    return this.#core.load().then(
      (glue) => {
        if (this.#reads !== reads) return; // removed meanwhile: its reads are dropped
        this.#reads = null;
        if (!this.isConnected || widgetIn(this)) return dropReads(reads);
        this.#mount(glue, root, reads || null);
      },
      (error) => {
        if (this.#reads === reads) this.#reads = null;
        dropReads(reads);
        if (this.#view?.failed(this)) this.#view = null;
        throw error;
      },
    );
  }

  /** @param {Glue} glue @param {ShadowRoot} root @param {StartedReads | null} reads */
  #mount(glue, root, reads) {
    const before = donorPlace(root, this.#view, this.#placeholderPressed);
    this.#view = null;
    const attributes = optionsFromAttributes(this);
    warnIfKeyless(attributes);
    try {
      hold(this, glue.mount(this, attributes, reads, before.view?.typed()), null);
    } catch (error) {
      dropReads(reads);
      // Options the wasm refused: the first view goes, the fallback (or placeholder) shows.
      if (before.view) this.#placeholderPressed = paintPlaceholder(root, this);
      throw error;
    }
    resume(this, root, before);
  }
}

/** @param {Core} core */
function elementClass(core) {
  return class extends SirDonateElement {
    static core = core;
  };
}

/**
 * SirDonate.mount(targetOrSelector, options) → Promise<handle>.
 * @param {Core} core
 * @param {HTMLElement | string} target
 * @param {SirDonateOptions} options
 * @returns {Promise<SirDonateHandle>}
 */
function mount(core, target, options) {
  // Below the baseline nothing is fetched (load() rejects).
  const reads = core.missing.length ? null : startReads(options || {});
  if (!core.missing.length) warmNumberFormat(options || {});
  return core
    .load()
    .then((glue) => {
      const element = typeof target === "string" ? document.querySelector(target) : target;
      if (!(element instanceof HTMLElement)) {
        throw Object.assign(new Error(`sir-donate: mount target not found: ${target}`), {
          name: "SirDonateOptionError",
          code: "invalid_option",
          option: "target",
        });
      }
      warnIfKeyless(options || {});
      return mountHandle(element, () => glue.mount(element, options || {}, reads));
    })
    .catch((error) => {
      dropReads(reads);
      throw error;
    });
}

/**
 * Defines <sir-donate> (once per page) and returns the SirDonate API.
 * `importGlue()` resolves to the wasm-bindgen glue module (not yet initialized), and
 * `wasmUrl` is where its wasm lives. `chunkUrls` maps the lazily loaded chunks' file names
 * to their URLs where a bundler moved them (npm); by default they sit beside the glue.
 * `integrity` maps file names to the SRI hashes they must match (the CDN's loader), or is
 * absent.
 * @param {() => Promise<Glue>} importGlue
 * @param {URL | string} wasmUrl
 * @param {Record<string, URL>} [chunkUrls]
 * @param {Record<string, string>} [integrity]
 * @returns {SirDonateApi}
 */
export function install(importGlue, wasmUrl, chunkUrls, integrity) {
  const core = createCore(importGlue, wasmUrl, chunkUrls, integrity);
  // Once a form is ready, the chunks a Donate click needs load ahead, so that the click
  // waits on no request but create-link (js/build.mjs lists them).
  document.addEventListener(
    `${PREFIX}ready`,
    () => {
      core
        .load()
        .then((glue) => glue.preloadChunks?.())
        .catch(() => {});
    },
    { once: true },
  );
  /** @type {SirDonateApi} */
  const api = /** @type {any} */ ({ version: __SIR_DONATE_VERSION__, mount: mount.bind(null, core) });
  // Reading `ready` starts loading: a page that waits for the widget wants it now.
  Object.defineProperty(api, "ready", { enumerable: true, get: () => core.load().then(() => api) });
  if (!window.customElements) {
    // No custom elements (so `missing` names them): the elements keep their fallback, and
    // each is told why.
    for (const element of document.querySelectorAll("sir-donate"))
      core.load().catch(reportTo(/** @type {HTMLElement} */ (element)));
  } else if (!customElements.get("sir-donate")) customElements.define("sir-donate", elementClass(core));
  return api;
}
