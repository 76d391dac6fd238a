// @ts-check
/* sir-donate · when a widget's wasm is wanted: on screen, reached for, or when the page is idle. */

/** Per document: one idle callback serves every widget of a page.
 * @type {WeakMap<Document, Promise<void>>} */
const idle = new WeakMap();

/** Resolves when the browser is idle (or soon, where it has no idle callback). */
function whenIdle() {
  let idled = idle.get(document);
  if (!idled) {
    idled = new Promise((resolve) => {
      if ("requestIdleCallback" in window) requestIdleCallback(() => resolve(), { timeout: 2000 });
      else setTimeout(resolve, 200);
    });
    idle.set(document, idled);
  }
  return idled;
}

/** Whether the element is on screen, or within 200 px of it, right now. A widget a donor
 * can already see loads at once, without waiting a frame for the observer below.
 * @param {HTMLElement} element */
function nearViewport(element) {
  const box = element.getBoundingClientRect();
  return (
    (box.width > 0 || box.height > 0) &&
    box.bottom > -200 &&
    box.right > -200 &&
    box.top < innerHeight + 200 &&
    box.left < innerWidth + 200
  );
}

/** Resolves when the widget is wanted: in or near the viewport (a donor can see it, so
 * waiting costs them), reached for (pointer, focus, touch), or the browser is idle, whichever
 * comes first. A widget far below the fold costs the page nothing until then; one that is
 * `already` loading anyway resolves at once.
 * @param {HTMLElement} element
 * @param {boolean} already
 * @returns {Promise<void>} */
export function whenWanted(element, already) {
  if (already || nearViewport(element)) return Promise.resolve();
  return new Promise((resolve) => {
    const intents = ["pointerenter", "focusin", "touchstart", "click"];
    /** @type {IntersectionObserver | undefined} */
    let observer;
    function now() {
      for (const type of intents) element.removeEventListener(type, now);
      observer?.disconnect();
      resolve();
    }
    for (const type of intents) element.addEventListener(type, now, { passive: true });
    if ("IntersectionObserver" in window) {
      observer = new IntersectionObserver(
        (entries) => {
          if (entries.some((entry) => entry.isIntersecting)) now();
        },
        { rootMargin: "200px" },
      );
      observer.observe(element);
    }
    whenIdle().then(now);
  });
}
