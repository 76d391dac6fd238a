// @ts-check
/*! sir-donate · the <sir-donate> element and the SirDonate API, shared by the
 * script-tag loader (script.js) and the npm package (npm.js). */
import { fetchFile } from "./files.js";
import { dropReads, keyOf, startReads } from "./reads.js";

/** @typedef {import("../sir-donate").SirDonateApi} SirDonateApi */
/** @typedef {import("../sir-donate").SirDonateHandle} SirDonateHandle */
/** @typedef {import("../sir-donate").SirDonateOptions} SirDonateOptions */
/** @typedef {import("../sir-donate").SirDonateEventType} SirDonateEventType */
/** @typedef {import("../sir-donate").SirDonateEventDetails} SirDonateEventDetails */
/** @typedef {import("./reads.js").StartedReads} StartedReads */
/**
 * The wasm-bindgen glue (dist/wasm/sir-donate.js), as the loader uses it.
 * @typedef {{
 *   default: (init: { module_or_path: WebAssembly.Module }) => Promise<unknown>,
 *   mount: (element: HTMLElement, options: object, reads: StartedReads | null) => NativeHandle,
 *   setChunkUrls?: (urls: Record<string, URL>, integrity?: Record<string, string>) => void,
 *   preloadChunks?: () => Promise<unknown>,
 * }} Glue
 */
/** @typedef {{ update(options: object): void, open(choice: object): void, free(): void }} NativeHandle */
/**
 * A `<sir-donate>` element (or any mount() target), with what the loader keeps on it:
 * `_sirHandle` is the widget that holds it, and `_sirRelease` detaches the listeners of the
 * mount() handle that made that widget.
 * @typedef {HTMLElement & {
 *   _sirHandle?: NativeHandle | null,
 *   _sirRelease?: (() => void) | null,
 *   _sirReads?: StartedReads | false | null,
 *   _sirPressed?: boolean,
 *   _sirUnsupported?: boolean,
 * }} SirDonateElementState
 */

/**
 * The `<sir-donate>` attributes: every option of `SirDonateOptions` in kebab-case. The same
 * list is written in src/domain/options.rs, js/sir-donate.d.ts and the README's options
 * table; js/test/options.test.mjs checks that all four agree.
 */
export var OPTION_ATTRIBUTES = [
  "key", "publishable-key", "org", "api-base", "amounts", "amount", "min", "max", "currency", "locale", "frequency",
  "lock-frequency", "lock-amount", "required-fields", "mode", "target", "label", "theme", "partner-endpoint", "referral-code",
  // campaigns (#23)
  "attribution", "campaign", "analytics", "impact", "url-prefill", "goal",
];

/** The widget's event types, each dispatched as `sir-donate:<type>`.
 * @type {SirDonateEventType[]} */
export var EVENT_TYPES = ["ready", "organization", "change", "link-created", "status", "completed", "error"];

/**
 * What the widget needs of a browser, checked before anything is fetched: the ones this
 * browser lacks, or none. The README's "Browser support" says which versions have them
 * all; AbortSignal.any is the newest (Chrome 116, Firefox 124, Safari 17.4). The rest of
 * what it uses (shadow DOM, Intl, the wasm's features) came before WebAssembly or before
 * constructable stylesheets in every engine. Nothing here is newer than ES2015, so that
 * an old engine still gets this far.
 */
/** @returns {string[]} */
export function missingFeatures() {
  return [
    "WebAssembly.instantiate", // absent, for one, in Safari's Lockdown Mode
    "customElements",
    "AbortSignal.any",
    "AbortSignal.timeout",
    "ShadowRoot.prototype.adoptedStyleSheets",
    "HTMLDialogElement.prototype.showModal",
  ].filter(function (path) {
    var names = path.split(".");
    var last = /** @type {string} */ (names.pop());
    /** @type {any} */
    var owner = names.reduce(function (/** @type {any} */ object, name) { return object && object[name]; }, window);
    // `in`, not a read: a prototype's getter throws when read off the prototype.
    return !(owner && last in Object(owner));
  });
}

/** The error for a browser below the baseline: the partner's fallback content stays.
 * @param {string[]} missing
 * @returns {import("../sir-donate").SirDonateUnsupportedError} */
function unsupportedBrowser(missing) {
  return Object.assign(new Error("This browser can't show the donation form: it lacks " + missing.join(", ") + "."), {
    name: /** @type {const} */ ("SirDonateError"),
    code: /** @type {const} */ ("unsupported_browser"),
    retryable: /** @type {const} */ (false),
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
  // Replaced at build time with the crate version (js/build.mjs).
  var VERSION = __SIR_DONATE_VERSION__;
  var PREFIX = "sir-donate:";
  var ATTRIBUTES = OPTION_ATTRIBUTES;
  var EVENTS = EVENT_TYPES;

  /** @type {Promise<Glue> | null} */
  var core = null;
  var missing = missingFeatures();

  /** The initialized wasm-bindgen glue, loaded once per page. A failed load is forgotten
   * (like @stripe/stripe-js's loader), so that the next mount or element tries again:
   * `load_failed` says `retryable: true`.
   * @returns {Promise<Glue>} */
  function loadCore() {
    // Below the baseline nothing is fetched: the wasm could not run anyway.
    if (missing.length) return Promise.reject(unsupportedBrowser(missing));
    if (!core) {
      // Compiled as it streams in, from the moment the load is decided, while the glue
      // downloads: the glue then only instantiates the compiled module.
      var module = compileWasm(fetchFile(wasmUrl, integrity && integrity["sir-donate_bg.wasm"]));
      // Handled below; this only keeps a failed glue import from leaving it unhandled.
      module.catch(function () {});
      core = importGlue().then(function (glue) {
        if (chunkUrls && glue.setChunkUrls) glue.setChunkUrls(chunkUrls, integrity);
        return module.then(function (compiled) {
          return glue.default({ module_or_path: compiled });
        }).then(function () { return glue; });
      });
      var loading = core;
      // Runs before any caller's handler: a listener of the failure already finds it forgotten.
      loading.catch(function () {
        if (core === loading) core = null;
      });
    }
    return core;
  }

  /** Streaming compilation; a server sending the wrong MIME type gets the slower compile
   * of the whole body instead, as wasm-bindgen's glue does.
   * @param {Promise<Response>} response
   * @returns {Promise<WebAssembly.Module>} */
  function compileWasm(response) {
    return response.then(function (wasm) {
      if (!wasm.ok) throw new Error("HTTP " + wasm.status + " for " + wasm.url);
      var whole = function () { return wasm.arrayBuffer().then(function (bytes) { return WebAssembly.compile(bytes); }); };
      if (typeof WebAssembly.compileStreaming !== "function") return whole();
      return WebAssembly.compileStreaming(wasm).catch(function (error) {
        if (/^application\/wasm\b/.test(wasm.headers.get("content-type") || "")) throw error;
        return whole();
      });
    });
  }

  /**
   * A page's first `Intl.NumberFormat` loads the browser's number and currency data, tens of
   * ms of main thread (about 40 ms here). The widget formats every amount with one, so that
   * cost is made after the placeholder's frame, while the wasm downloads, instead of in the
   * render that makes the form usable.
   * @param {Partial<SirDonateOptions>} options
   */
  function warmNumberFormat(options) {
    requestAnimationFrame(function () {
      setTimeout(function () {
        try {
          var locale = options.locale || document.documentElement.lang || undefined;
          new Intl.NumberFormat(locale, { style: "currency", currency: options.currency || "USD" }).format(0);
        } catch (error) {
          // A bad locale or currency: the widget reports it; this was only a head start.
        }
      }, 0);
    });
  }

  /** Once a form is ready, the chunks a Donate click needs load ahead, so that the click
   * waits on no request but create-link (js/build.mjs lists them). */
  function preloadOnReady() {
    document.addEventListener(PREFIX + "ready", function () {
      loadCore().then(function (glue) {
        if (glue.preloadChunks) return glue.preloadChunks();
      }).catch(function () {});
    }, { once: true });
  }

  /** A widget without a key shows so on screen; the developer also hears it here, with the
   * usual cause, which the screen can't know.
   * @param {{ key?: unknown, publishableKey?: unknown }} options */
  function warnIfKeyless(options) {
    if (keyOf(options)) return;
    console.warn("sir-donate: no publishable key. Set publishable-key (publishableKey in mount()): React and Vue keep a key prop to themselves.");
  }

  /** Ends the widget that holds `element` (mounted by either path): its mount() handle, if
   * it had one, goes stale and loses its listeners. The element's shadow root is left empty.
   * @param {SirDonateElementState} element */
  function endWidgetIn(element) {
    var native = element._sirHandle;
    var release = element._sirRelease;
    element._sirHandle = null;
    element._sirRelease = null;
    if (release) release();
    // free() drops the Rust handle, which unmounts and cancels timers and requests.
    if (native) native.free();
  }

  /** @param {string} name */
  function camelCase(name) {
    return name.replace(/-([a-z])/g, function (_, letter) { return letter.toUpperCase(); });
  }

  /** @param {HTMLElement} element */
  function optionsFromAttributes(element) {
    /** @type {Record<string, string | null>} */
    var options = {};
    ATTRIBUTES.forEach(function (name) {
      if (element.hasAttribute(name)) options[camelCase(name)] = element.getAttribute(name);
    });
    return options;
  }

  /**
   * @param {HTMLElement} element
   * @param {SirDonateEventType} type
   * @param {SirDonateEventDetails[SirDonateEventType]} detail
   */
  function emit(element, type, detail) {
    element.dispatchEvent(new CustomEvent(PREFIX + type, { bubbles: true, composed: true, detail: detail }));
  }

  /** @param {any} error
   * @returns {SirDonateEventDetails["error"]} */
  function loadFailed(error) {
    return {
      code: "load_failed",
      message: "The donation form could not be loaded. " + String((error && error.message) || error),
      retryable: true,
    };
  }

  /** Reports a failed load or mount as the element's `error` event. Bad options throw a
   * typed SirDonateOptionError, an old browser gets unsupported_browser, anything else
   * is a load failure.
   * @param {HTMLElement} element */
  function reportTo(element) {
    return function (/** @type {any} */ error) {
      var code = error && error.code;
      emit(element, "error", code === "invalid_option" || code === "unsupported_browser"
        ? { code: code, message: error.message, retryable: false, option: error.option }
        : loadFailed(error));
    };
  }

  /** @type {CSSStyleSheet | undefined} */
  var placeholderSheet;
  /** Until the widget is ready: the element's own children (a fallback link), or a
   * placeholder card of the inline form's usual size with a disabled Donate button, so
   * the page doesn't jump when the widget arrives.
   * @param {ShadowRoot} root
   * @param {SirDonateElementState} element */
  function paintPlaceholder(root, element) {
    if (root.childNodes.length) return;
    if (element.childNodes.length) {
      root.appendChild(document.createElement("slot"));
      return;
    }
    if (!placeholderSheet && "adoptedStyleSheets" in root) {
      placeholderSheet = new CSSStyleSheet();
      placeholderSheet.replaceSync(
        ":host{display:block}" +
          "div{box-sizing:border-box;max-width:var(--sd-max-width,420px);min-height:var(--sd-reserved-height,620px);" +
          "display:flex;flex-direction:column;justify-content:flex-end;padding:12px;border:1px solid #767676;" +
          "border-radius:var(--sd-radius,10px);background:var(--sd-color-bg,#fff)}" +
          "button{font:700 16px system-ui,sans-serif;min-height:48px;padding:0 20px;border:0;" +
          "border-radius:var(--sd-radius,10px);background:var(--sd-color-accent,#0b5fff);color:#fff;opacity:.7}"
      );
    }
    if (placeholderSheet) root.adoptedStyleSheets = [placeholderSheet];
    // mode="button" ends as a lone button: the placeholder is that button, so nothing moves.
    var card = document.createElement(element.getAttribute("mode") === "button" ? "span" : "div");
    var button = document.createElement("button");
    button.type = "button";
    button.setAttribute("aria-disabled", "true");
    button.setAttribute("aria-busy", "true");
    button.textContent = element.getAttribute("label") || "Donate";
    button.addEventListener("click", function () { element._sirPressed = true; });
    card.appendChild(button);
    root.appendChild(card);
  }

  /** Whether the element is on screen, or within 200 px of it, right now. A widget a donor
   * can already see loads at once, without waiting a frame for the observer below.
   * @param {HTMLElement} element */
  function nearViewport(element) {
    var box = element.getBoundingClientRect();
    return (box.width > 0 || box.height > 0) && box.bottom > -200 && box.right > -200 &&
      box.top < innerHeight + 200 && box.left < innerWidth + 200;
  }

  /** Resolves when the widget is wanted: in or near the viewport (a donor can see it, so
   * waiting costs them), reached for (pointer, focus, touch), or the browser is idle, whichever
   * comes first. A widget far below the fold costs the page nothing until then.
   * @param {HTMLElement} element
   * @returns {Promise<void>} */
  function whenWanted(element) {
    if (core || nearViewport(element)) return Promise.resolve();
    return new Promise(function (resolve) {
      var intents = ["pointerenter", "focusin", "touchstart", "click"];
      /** @type {IntersectionObserver | undefined} */
      var observer;
      function now() {
        intents.forEach(function (type) { element.removeEventListener(type, now); });
        if (observer) observer.disconnect();
        resolve();
      }
      intents.forEach(function (type) { element.addEventListener(type, now, { passive: true }); });
      if ("IntersectionObserver" in window) {
        observer = new IntersectionObserver(function (entries) {
          if (entries.some(function (entry) { return entry.isIntersecting; })) now();
        }, { rootMargin: "200px" });
        observer.observe(element);
      }
      idle.then(now);
    });
  }

  /** @this {unknown} */
  function SirDonateElement() {
    return Reflect.construct(HTMLElement, [], SirDonateElement);
  }
  SirDonateElement.prototype = Object.create(HTMLElement.prototype);
  SirDonateElement.prototype.constructor = SirDonateElement;
  Object.setPrototypeOf(SirDonateElement, HTMLElement);
  Object.defineProperty(SirDonateElement, "observedAttributes", { get: function () { return ATTRIBUTES; } });

  /** @this {SirDonateElementState} */
  SirDonateElement.prototype.connectedCallback = function () {
    var element = this;
    // Below the baseline the element stays as the partner wrote it, fallback and all.
    if (missing.length) {
      if (!element._sirUnsupported) loadCore().catch(reportTo(element));
      element._sirUnsupported = true;
      return;
    }
    var root = element.shadowRoot || element.attachShadow({ mode: "open" });
    paintPlaceholder(root, element);
    whenWanted(element).then(function () {
      if (!element.isConnected || element._sirHandle || element._sirReads) return;
      // The API reads travel while the wasm downloads; mount() adopts them.
      var options = optionsFromAttributes(element);
      var reads = (element._sirReads = /** @type {StartedReads | false} */ (startReads(options) || false));
      warmNumberFormat(options);
      return loadCore().then(function (glue) {
        if (element._sirReads !== reads) return; // removed meanwhile: its reads are dropped
        element._sirReads = null;
        if (!element.isConnected || element._sirHandle) return dropReads(reads);
        // A donor who already focused or pressed the placeholder keeps their place.
        var focused = root.activeElement;
        var pressed = element._sirPressed;
        var attributes = optionsFromAttributes(element);
        warnIfKeyless(attributes);
        try {
          element._sirHandle = glue.mount(element, attributes, reads || null);
        } catch (error) {
          dropReads(reads);
          throw error;
        }
        var control = /** @type {HTMLElement | null} */ (root.querySelector("button, input, select"));
        if (control && focused) control.focus();
        if (control && pressed && control.getAttribute("aria-haspopup") === "dialog") control.click();
      }, function (error) {
        if (element._sirReads === reads) element._sirReads = null;
        dropReads(reads);
        throw error;
      });
    }).catch(reportTo(element));
  };

  /** @this {SirDonateElementState} */
  SirDonateElement.prototype.disconnectedCallback = function () {
    // Reads started for a widget that never mounted are cancelled with it.
    dropReads(this._sirReads);
    this._sirReads = null;
    endWidgetIn(this);
  };

  /**
   * @this {SirDonateElementState}
   * @param {string} name
   * @param {string | null} previous
   * @param {string | null} value
   */
  SirDonateElement.prototype.attributeChangedCallback = function (name, previous, value) {
    if (!this._sirHandle || previous === value) return;
    /** @type {Record<string, string>} */
    var change = {};
    change[camelCase(name)] = value === null ? "" : value;
    try {
      this._sirHandle.update(change);
    } catch (/** @type {any} */ error) {
      emit(this, "error", { code: error.code || "invalid_option", message: error.message, retryable: false, option: error.option });
    }
  };

  /** SirDonate.mount(targetOrSelector, options) → Promise<handle>.
   * @param {HTMLElement | string} target
   * @param {SirDonateOptions} options
   * @returns {Promise<SirDonateHandle>} */
  function mount(target, options) {
    // Below the baseline nothing is fetched (loadCore rejects).
    var reads = missing.length ? null : startReads(options || {});
    if (!missing.length) warmNumberFormat(options || {});
    return loadCore().then(function (glue) {
      var found = typeof target === "string" ? document.querySelector(target) : target;
      if (!(found instanceof HTMLElement)) {
        dropReads(reads);
        throw Object.assign(new Error("sir-donate: mount target not found: " + target), {
          name: "SirDonateOptionError",
          code: "invalid_option",
          option: "target",
        });
      }
      var element = /** @type {SirDonateElementState} */ (found);
      warnIfKeyless(options || {});
      // One widget per target: mounting again takes the target over (React's Strict Mode
      // mounts twice), and the earlier handle goes stale: its update(), on() and destroy()
      // no longer touch the target. The earlier widget ends first: ending a widget empties
      // the shadow root, which would blank a newer one.
      endWidgetIn(element);
      // Events dispatched before the caller could call on() (a refused key is reported
      // at once) are kept and replayed to listeners added in the same task.
      /** @type {Event[]} */
      var early = [];
      var recording = true;
      /** @param {Event} event */
      function record(event) { if (recording) early.push(event); }
      EVENTS.forEach(function (type) { element.addEventListener(PREFIX + type, record); });
      function stopRecording() {
        recording = false;
        EVENTS.forEach(function (type) { element.removeEventListener(PREFIX + type, record); });
      }
      setTimeout(stopRecording, 0);
      /** @type {{ type: string, listener: Function, wrapper: (event: Event) => void }[]} */
      var listeners = [];
      function release() {
        stopRecording();
        listeners.forEach(function (entry) { element.removeEventListener(PREFIX + entry.type, entry.wrapper); });
        listeners = [];
      }
      /** @type {NativeHandle} */
      var native;
      try {
        native = glue.mount(element, options || {}, reads);
      } catch (error) {
        release();
        dropReads(reads);
        throw error;
      }
      element._sirHandle = native;
      element._sirRelease = release;
      function owns() { return element._sirHandle === native; }
      return {
        element: element,
        update: function (change) { if (owns()) native.update(change || {}); },
        open: function (choice) { if (owns()) native.open(choice || {}); }, // #23
        destroy: function () {
          if (owns()) endWidgetIn(element);
          else release();
        },
        on: function (type, listener) {
          if (!owns()) return;
          var entry = { type: type, listener: listener, wrapper: function (/** @type {Event} */ event) { listener(/** @type {CustomEvent} */ (event).detail); } };
          listeners.push(entry);
          element.addEventListener(PREFIX + type, entry.wrapper);
          if (recording) {
            early.forEach(function (event) {
              if (event.type === PREFIX + type) queueMicrotask(function () { listener(/** @type {CustomEvent} */ (event).detail); });
            });
          }
        },
        off: function (type, listener) {
          listeners = listeners.filter(function (entry) {
            if (entry.type !== type || entry.listener !== listener) return true;
            element.removeEventListener(PREFIX + type, entry.wrapper);
            return false;
          });
        },
      };
    }, function (error) {
      dropReads(reads);
      throw error;
    });
  }

  /** Resolves when the browser is idle (or soon, where it has no idle callback).
   * @type {Promise<void>} */
  var idle = new Promise(function (resolve) {
    if ("requestIdleCallback" in window) requestIdleCallback(function () { resolve(); }, { timeout: 2000 });
    else setTimeout(resolve, 200);
  });

  preloadOnReady();
  /** @type {SirDonateApi} */
  var api = /** @type {any} */ ({ version: VERSION, mount: mount });
  // Reading `ready` starts loading: a page that waits for the widget wants it now.
  Object.defineProperty(api, "ready", {
    enumerable: true,
    get: function () { return loadCore().then(function () { return api; }); },
  });
  if (!window.customElements) {
    // No custom elements (so `missing` names them): the elements keep their fallback, and
    // each is told why.
    Array.prototype.forEach.call(document.querySelectorAll("sir-donate"), function (element) {
      loadCore().catch(reportTo(element));
    });
  } else if (!customElements.get("sir-donate")) customElements.define("sir-donate", /** @type {CustomElementConstructor} */ (/** @type {unknown} */ (SirDonateElement)));
  return api;
}
