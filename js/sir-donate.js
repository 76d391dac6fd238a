/*! sir-donate loader. Drop-in: <script src=".../sir-donate.js" async></script>
 * It defines <sir-donate>, paints a placeholder at once, then loads the widget's
 * wasm from beside this file and mounts it into each element's shadow root. */
(function () {
  "use strict";
  var VERSION = "0.1.0";
  var PREFIX = "sir-donate:";
  var ATTRIBUTES = [
    "key", "org", "api-base", "amounts", "amount", "min", "max", "currency", "locale", "frequency",
    "lock-frequency", "mode", "target", "label", "theme", "partner-endpoint", "referral-code",
  ];

  // Loaded twice (two tags, SPA re-injection): the first copy stays in charge.
  if (window.SirDonate && window.SirDonate.version) return;

  var script = document.currentScript;
  var base = new URL(".", (script && script.src) || location.href);
  var core;

  /** Imports the wasm-bindgen glue and instantiates the wasm, once per page. */
  function loadCore() {
    if (!core) {
      core = import(new URL("wasm/sir-donate.js", base).href).then(function (glue) {
        return glue
          .default({ module_or_path: new URL("wasm/sir-donate_bg.wasm", base) })
          .then(function () { return glue; });
      });
    }
    return core;
  }

  function camelCase(name) {
    return name.replace(/-([a-z])/g, function (_, letter) { return letter.toUpperCase(); });
  }

  function optionsFromAttributes(element) {
    var options = {};
    ATTRIBUTES.forEach(function (name) {
      if (element.hasAttribute(name)) options[camelCase(name)] = element.getAttribute(name);
    });
    return options;
  }

  function emitError(element, error) {
    element.dispatchEvent(new CustomEvent(PREFIX + "error", {
      bubbles: true,
      composed: true,
      detail: {
        code: (error && error.code) || "load_failed",
        message: String((error && error.message) || error),
        retryable: !(error && error.code),
      },
    }));
  }

  var placeholderSheet;
  /** Until the widget is ready: the element's own children (a fallback link), or a
   * disabled Donate button, so the page shows something at once. */
  function paintPlaceholder(root, element) {
    if (root.childNodes.length) return;
    if (element.childNodes.length) {
      root.appendChild(document.createElement("slot"));
      return;
    }
    if (!placeholderSheet && "adoptedStyleSheets" in root) {
      placeholderSheet = new CSSStyleSheet();
      placeholderSheet.replaceSync(
        ":host{display:block}button{font:700 16px system-ui,sans-serif;min-height:48px;padding:0 20px;border:0;" +
        "border-radius:10px;background:#0b5fff;color:#fff;opacity:.7}"
      );
    }
    if (placeholderSheet) root.adoptedStyleSheets = [placeholderSheet];
    var button = document.createElement("button");
    button.type = "button";
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    button.textContent = element.getAttribute("label") || "Donate";
    root.appendChild(button);
  }

  function SirDonateElement() {
    return Reflect.construct(HTMLElement, [], SirDonateElement);
  }
  SirDonateElement.prototype = Object.create(HTMLElement.prototype);
  SirDonateElement.prototype.constructor = SirDonateElement;
  Object.setPrototypeOf(SirDonateElement, HTMLElement);
  Object.defineProperty(SirDonateElement, "observedAttributes", { get: function () { return ATTRIBUTES; } });

  SirDonateElement.prototype.connectedCallback = function () {
    var element = this;
    var root = element.shadowRoot || element.attachShadow({ mode: "open" });
    paintPlaceholder(root, element);
    loadCore().then(function (glue) {
      // Removed again before the wasm arrived, or already mounted: nothing to do.
      if (!element.isConnected || element._sirHandle) return;
      element._sirHandle = glue.mount(element, optionsFromAttributes(element));
    }).catch(function (error) { emitError(element, error); });
  };

  SirDonateElement.prototype.disconnectedCallback = function () {
    var handle = this._sirHandle;
    this._sirHandle = null;
    if (handle) handle.free(); // free() drops the Rust handle, which destroys the widget
  };

  SirDonateElement.prototype.attributeChangedCallback = function (name, previous, value) {
    if (!this._sirHandle || previous === value) return;
    var change = {};
    change[camelCase(name)] = value === null ? "" : value;
    try {
      this._sirHandle.update(change);
    } catch (error) {
      emitError(this, error);
    }
  };

  /** SirDonate.mount(targetOrSelector, options) → Promise<handle>. */
  function mount(target, options) {
    return loadCore().then(function (glue) {
      var element = typeof target === "string" ? document.querySelector(target) : target;
      if (!(element instanceof HTMLElement)) {
        var error = new Error("sir-donate: mount target not found: " + target);
        error.name = "SirDonateOptionError";
        error.code = "invalid_option";
        error.option = "target";
        throw error;
      }
      var handle = glue.mount(element, options || {});
      var listeners = new Map();
      return {
        element: element,
        update: function (change) { handle.update(change || {}); },
        destroy: function () {
          listeners.forEach(function (wrapper, key) { element.removeEventListener(key.type, wrapper); });
          listeners.clear();
          if (handle) handle.free();
          handle = null;
        },
        on: function (type, listener) {
          var key = { type: PREFIX + type, listener: listener };
          var wrapper = function (event) { listener(event.detail); };
          listeners.set(key, wrapper);
          element.addEventListener(key.type, wrapper);
        },
        off: function (type, listener) {
          listeners.forEach(function (wrapper, key) {
            if (key.type === PREFIX + type && key.listener === listener) {
              element.removeEventListener(key.type, wrapper);
              listeners.delete(key);
            }
          });
        },
      };
    });
  }

  window.SirDonate = { version: VERSION, mount: mount, ready: loadCore().then(function () { return window.SirDonate; }) };
  // A page without a script error handler must not see an unhandled rejection.
  window.SirDonate.ready.catch(function () {});
  if (!customElements.get("sir-donate")) customElements.define("sir-donate", SirDonateElement);
})();
