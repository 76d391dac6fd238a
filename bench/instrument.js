// Injected into every bench page before its own scripts (Playwright addInitScript).
// Collects timestamps in window.__bench.marks, in ms from navigation start
// (performance.now()), for both widgets and the plain page alike:
//   define:<tag> / defined:<tag>  customElements.define of the widget's element: its script ran
//   placeholderFrame              the first animation frame whose DOM holds the widget's first
//                                 pixels (our placeholder button; Change's form), i.e. the frame
//                                 that paints them; placeholderFrameIndex is its frame number
//   firstFrameAfterScript         the first animation frame after `defined:<tag>`
//   wasmStart                     the first WebAssembly compile or instantiate call
//   wasmInstantiated              WebAssembly.instantiate(Streaming) resolved
//   ready                         `sir-donate:ready`, or Change's first render committed (its
//                                 LitElement updateComplete)
//   takesInput                    the amount choices and the email field (Change: its amount
//                                 buttons, custom amount and first name) are in the widget's
//                                 shadow root, rendered and enabled, whoever painted them
//   usable                        takes input and names the nonprofit (Change: takes input and
//                                 its first render committed; its form names none here)
//   interactive                   sir-donate's wasm has taken over: see watchInteractive
//   click / clickHandled          a click on Donate, and the create-link response handled
//                                 (`sir-donate:link-created`; Change: its "paying" render)
//   first-paint, first-contentful-paint  from the paint timeline
// and window.__bench.longTasks (every main-thread task over 50 ms).
(() => {
  if (window.__bench) return;
  const bench = { marks: {}, longTasks: [], wasm: [], frames: 0 };
  window.__bench = bench;
  const now = () => performance.now();
  const mark = (name, at = now()) => {
    if (!(name in bench.marks)) bench.marks[name] = at;
  };
  const report = (name, value) => {
    if (typeof window.__benchReport === "function") window.__benchReport(name, value);
  };

  const observe = (type, onEntry) => {
    try {
      new PerformanceObserver((list) => list.getEntries().forEach(onEntry)).observe({ type, buffered: true });
    } catch {
      // Not supported here: the figure stays empty.
    }
  };
  observe("longtask", (entry) => bench.longTasks.push({ start: entry.startTime, duration: entry.duration }));
  observe("paint", (entry) => mark(entry.name, entry.startTime));

  // The wasm: compiled (the loader compiles it as it streams in), then instantiated; its
  // exports.memory is the linear memory that run.mjs sizes. Chunks are instantiated later.
  for (const api of ["compileStreaming", "compile", "instantiateStreaming", "instantiate"]) {
    const original = WebAssembly[api];
    if (typeof original !== "function") continue;
    WebAssembly[api] = function (...args) {
      const start = now();
      mark("wasmStart", start);
      return original.apply(this, args).then((result) => {
        bench.wasm.push({ api, start, end: now() });
        if (api.startsWith("compile")) return result;
        const instance = result instanceof WebAssembly.Instance ? result : result.instance;
        mark("wasmInstantiated");
        if (instance && instance.exports.memory instanceof WebAssembly.Memory) bench.memory = instance.exports.memory;
        return result;
      });
    };
  }
  bench.wasmMemoryBytes = () => (bench.memory ? bench.memory.buffer.byteLength : null);

  const WIDGETS = {
    "sir-donate": (element) => element.shadowRoot?.querySelector("button"),
    "change-donation-form": (element) => element.shadowRoot?.querySelector("form"),
  };

  // The widget's script ran when it defines its element (the define upgrades the element
  // already in the page, which is when our loader paints its placeholder).
  const define = CustomElementRegistry.prototype.define;
  CustomElementRegistry.prototype.define = function (name, elementClass, options) {
    mark(`define:${name}`);
    const result = define.call(this, name, elementClass, options);
    mark(`defined:${name}`);
    if (name === "change-donation-form") {
      const element = document.querySelector(name);
      if (element?.updateComplete)
        element.updateComplete.then(() => {
          mark("ready");
          checkForms();
        });
    }
    return result;
  };

  // Takes input and usable are read from the DOM of the widget's open shadow root, not from
  // any event, so they hold whether the wasm or the loader painted the form (issue #21).
  // run.mjs prepends the nonprofit's name as the sandbox sends it.
  const NONPROFIT = window.__benchNonprofitName;
  const enabled = (input) => !input.matches(":disabled") && input.getClientRects().length > 0;
  const FORMS = {
    "sir-donate": {
      // The amount picker's radios and the email field.
      takesInput: (root) => {
        const amounts = [...root.querySelectorAll('input[type="radio"][name="sd-amount"]')];
        const email = root.querySelector('input[type="email"]');
        return amounts.length > 0 && email !== null && amounts.every(enabled) && enabled(email);
      },
      namesNonprofit: (root) => typeof NONPROFIT === "string" && root.textContent.includes(NONPROFIT),
    },
    "change-donation-form": {
      // Its equivalents: the amount buttons, the custom amount and the first name (it asks no email).
      takesInput: (root) => {
        const controls = [
          ...root.querySelectorAll("button.amount-button, input[name=custom-amount], input[name=first-name]"),
        ];
        return (
          controls.some((c) => c.matches("button")) &&
          controls.filter((c) => c.matches("input")).length === 2 &&
          controls.every(enabled)
        );
      },
      // Its stubbed API sends no name: its first render committed stands for it, as before.
      namesNonprofit: () => bench.marks.ready !== undefined,
    },
  };
  const checkForms = () => {
    if (bench.marks.usable !== undefined) return;
    for (const [tag, form] of Object.entries(FORMS)) {
      const root = document.querySelector(tag)?.shadowRoot;
      if (!root) continue;
      const takesInput = form.takesInput(root);
      if (takesInput) mark("takesInput");
      if (takesInput && form.namesNonprofit(root)) mark("usable");
    }
  };
  // Every change inside a shadow root is checked as it happens (a microtask after the change);
  // the animation frames below catch what no mutation record shows (a `disabled` property).
  const attachShadow = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attachShadow.call(this, init);
    new MutationObserver(checkForms).observe(root, {
      childList: true,
      subtree: true,
      attributes: true,
      characterData: true,
    });
    return root;
  };

  // sir-donate is interactive once its wasm has taken over the form. Only the wasm emits
  // `sir-donate:ready` (src/embed/events.rs), so that is the signal. If the loader ever
  // dispatches `ready` itself (say, once its painted form names the nonprofit), this is the one
  // place to change.
  const watchInteractive = (markInteractive) => document.addEventListener("sir-donate:ready", markInteractive);
  watchInteractive(() => mark("interactive"));

  // Check that the form takes input when it says it is ready.
  document.addEventListener("sir-donate:ready", (event) => {
    mark("ready");
    checkForms();
    const root = event.target?.shadowRoot;
    if (root && bench.readyInputs === undefined) {
      bench.readyInputs = [...root.querySelectorAll("input, button")].filter((control) => !control.disabled).length;
    }
  });

  // Click → handled. Capture on document runs before the widget's own handlers.
  document.addEventListener(
    "click",
    () => {
      if (bench.armed) mark("click");
    },
    true,
  );
  document.addEventListener("sir-donate:link-created", () => {
    mark("clickHandled");
    // The widget navigates to the checkout right after this: hand the figure over now.
    report("click", { click: bench.marks.click, clickHandled: bench.marks.clickHandled });
  });
  // Change builds its checkout link on the client (no request): its click is handled when it
  // renders the "paying" state. Bubble phase: its own click handler has run by then.
  document.addEventListener("click", () => {
    const element = bench.armed && document.querySelector("change-donation-form");
    if (element?.updateComplete) element.updateComplete.then(() => mark("clickHandled"));
  });

  // Frames: find the first one that paints the widget, and the first after its script ran.
  const tick = () => {
    bench.frames += 1;
    const at = now();
    checkForms();
    for (const [tag, painted] of Object.entries(WIDGETS)) {
      if (bench.marks[`defined:${tag}`] !== undefined && bench.firstFrameAfterScriptIndex === undefined) {
        bench.firstFrameAfterScriptIndex = bench.frames;
        mark("firstFrameAfterScript", at);
      }
      const element = document.querySelector(tag);
      if (element && bench.placeholderFrameIndex === undefined && painted(element)) {
        bench.placeholderFrameIndex = bench.frames;
        mark("placeholderFrame", at);
      }
    }
    if (!bench.stopFrames && bench.frames < 3000) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
