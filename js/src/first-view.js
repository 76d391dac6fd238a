// @ts-check
/* sir-donate · the first view: the form as Leptos renders it, made at build time by
 * tools/first-view and painted by the loader before the wasm arrives, so that a donor can
 * choose and type at once. The loader picks Leptos's fragments and fills their slots with
 * text; it writes no markup of its own (docs/decisions/2026-12-07-first-view.md). */
import { text } from "./first-view-shape.js";

/** @typedef {Array<string | [number, string[]]>} Template */
/** @typedef {{ bases: Record<string, Template>, organizations: Record<string, string[]>, tips: Record<string, string> }} Templates */
/**
 * What the donor did before the wasm arrived, for the wasm to start from (src/embed/typed.rs).
 * @typedef {{ preset?: number, custom?: string, frequency?: string, email?: string, firstName?: string, lastName?: string, tip?: boolean }} Typed
 */
/** @typedef {import("./first-view-shape.js").Shape} Shape */

/** Leptos's renders (tools/first-view); null only in the loader's unit tests, which paint nothing. */
function leptosRenders() {
  return /** @type {Templates} */ (__SIR_DONATE_FIRST_VIEW__);
}

/** The sheet of style/widget.css the first view is painted with (the wasm adopts its own). */
/** @type {CSSStyleSheet | undefined} */
let sheet;

/**
 * Paints the first view into `root`, replacing what is there, and returns it. `onPress` runs
 * when the donor presses Donate before the wasm is in.
 * @param {ShadowRoot} root
 * @param {Shape} shape
 * @param {() => void} onPress
 */
export function paintFirstView(root, shape, onPress) {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(__SIR_DONATE_STYLE__);
  }
  const template = leptosRenders().bases[shape.base];
  const html = template.map((part) => (typeof part === "string" ? part : part[1][shape.values[part[0]]])).join("");
  // src/embed.rs makes the same container.
  const container = document.createElement("div");
  container.className = "sd-root";
  container.setAttribute("lang", shape.locale);
  container.setAttribute("dir", shape.dir);
  container.setAttribute("data-theme", shape.theme);
  const totals = fillSlots(container, html, {
    total: shape.format(shape.total),
    zero: shape.format(0),
    currency: shape.currency,
    label: shape.label,
    ...Object.fromEntries(shape.presets.map((minor, index) => [`money:${index}`, shape.format(minor)])),
  });
  root.adoptedStyleSheets = [sheet];
  root.replaceChildren(container);
  return new FirstView(container, shape, totals, onPress);
}

/**
 * Parses Leptos's `html` into `parent` and fills its `{{slot}}`s, in text and attributes,
 * with `values` as text: a value is never parsed as markup. Returns the text nodes whose
 * slots match `kept` (by default the Donate button's total), with what they were made from.
 * @param {Element} parent
 * @param {string} html
 * @param {Record<string, string>} values
 * @param {RegExp} [kept]
 * @returns {{ node: Text, from: string }[]}
 */
function fillSlots(parent, html, values, kept) {
  const parsed = document.createElement("template");
  parsed.innerHTML = html;
  /** @param {string} from */
  const fill = (from) => from.replace(/\{\{([a-z:0-9-]+)\}\}/g, (slot, name) => values[name] ?? slot);
  const totals = [];
  const walker = document.createTreeWalker(parsed.content, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node instanceof Text) {
      const from = node.data;
      if (!from.includes("{{")) continue;
      node.data = fill(from);
      if (kept ? kept.test(from) : from.includes("{{total}}") && node.parentElement?.matches(".sd-submit")) {
        totals.push({ node, from });
      }
    } else if (node instanceof Element) {
      for (const attribute of Array.from(node.attributes)) {
        if (attribute.value.includes("{{")) attribute.value = fill(attribute.value);
      }
    }
  }
  parent.append(parsed.content);
  return totals;
}

/** @param {string} url An https logo (or the local sandbox's), as src/domain/link.rs allows. */
function loadableLogo(url) {
  try {
    const parsed = new URL(url);
    return (
      parsed.protocol === "https:" ||
      (parsed.protocol === "http:" && /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(parsed.hostname))
    );
  } catch {
    return false;
  }
}

/** The painted first view: native inputs the donor uses until the wasm takes over. */
export class FirstView {
  /** Whether the donor pressed Donate before the takeover. */
  pressed = false;
  #container;
  #shape;
  #totals;
  /** The offered tip's percent and its filled text, once the config offers one.
   * @type {{ percent: number, texts: { node: Text, from: string }[] } | null} */
  #tip = null;

  /**
   * @param {HTMLElement} container
   * @param {Shape} shape
   * @param {{ node: Text, from: string }[]} totals
   * @param {() => void} onPress
   */
  constructor(container, shape, totals, onPress) {
    this.#container = container;
    this.#shape = shape;
    this.#totals = totals;
    this.#check("sd-amount", shape.presets.indexOf(shape.total));
    if (!shape.lockFrequency) this.#check("sd-frequency", shape.monthly ? 1 : 0);
    container.addEventListener("change", (event) => this.#changed(event));
    container.addEventListener("input", (event) => this.#typed(event));
    container.addEventListener("click", (event) => this.#dialogButton(event));
    container.addEventListener("submit", (event) => {
      // Never the browser's own submission: the press is held for the wasm.
      event.preventDefault();
      this.pressed = true;
      this.busy(true);
      onPress();
    });
  }

  /** The radios of one group (`sd-amount`, `sd-frequency`), in order.
   * @param {string} name
   * @returns {HTMLInputElement[]} */
  #radios(name) {
    return Array.from(this.#container.querySelectorAll(`input[name="${name}"]`));
  }

  /** The index of the group's checked radio, or -1. @param {string} name */
  #checkedIndex(name) {
    return this.#radios(name).findIndex((radio) => radio.checked);
  }

  /** @param {string} name @param {number} index */
  #check(name, index) {
    const radio = this.#radios(name)[index];
    if (radio) radio.checked = true;
  }

  /** A chosen preset clears the custom amount and shows on the Donate button, as in the wasm's form.
   * @param {Event} event */
  #changed(event) {
    const index = this.#radios("sd-amount").indexOf(/** @type {HTMLInputElement} */ (event.target));
    if (index < 0) return;
    const custom = this.#input("sd-custom-amount");
    if (custom) custom.value = "";
    const amount = this.#shape.presets[index];
    const total = this.#shape.format(amount);
    for (const { node, from } of this.#totals) node.data = from.replace("{{total}}", total);
    if (this.#tip) this.#fillTip(this.#tip, amount);
  }

  /** @param {{ percent: number, texts: { node: Text, from: string }[] }} tip @param {number} amount */
  #fillTip(tip, amount) {
    // src/domain/money.rs: tip_minor, rounded half up.
    const minor = Math.floor((amount * tip.percent + 50) / 100);
    for (const { node, from } of tip.texts) {
      node.data = from.replace("{{tip-percent}}", String(tip.percent)).replace("{{tip}}", this.#shape.format(minor));
    }
  }

  /** A typed custom amount unchecks the presets, as in the wasm's form.
   * @param {Event} event */
  #typed(event) {
    if (/** @type {Element} */ (event.target).id !== "sd-custom-amount") return;
    for (const radio of this.#radios("sd-amount")) radio.checked = false;
  }

  /** mode="button": the open and close buttons work before the wasm.
   * @param {Event} event */
  #dialogButton(event) {
    const button = /** @type {Element} */ (event.target).closest("button");
    const dialog = this.#container.querySelector("dialog");
    if (!button || !dialog) return;
    if (button.matches(".sd-open")) dialog.showModal();
    else if (button.matches(".sd-close")) dialog.close();
  }

  /** @param {string} id */
  #input(id) {
    const input = this.#container.querySelector(`#${id}`);
    return input instanceof HTMLInputElement ? input : null;
  }

  /** The wasm could not load: a held press is dropped, and the element's own fallback
   * content, if it has any, shows instead. Returns whether it does. Without one, the form
   * stays: the next Donate press tries the load again.
   * @param {HTMLElement} element */
  failed(element) {
    this.pressed = false;
    this.busy(false);
    if (!element.childNodes.length) return false;
    /** @type {ShadowRoot} */ (this.#container.getRootNode()).replaceChildren(document.createElement("slot"));
    return true;
  }

  /** @param {boolean} busy */
  busy(busy) {
    this.#container.querySelector("form")?.setAttribute("aria-busy", String(busy));
    this.#container.querySelector(".sd-submit:not(.sd-open)")?.setAttribute("aria-disabled", String(busy));
  }

  /** Names the nonprofit from the loader's read, if the form is still this view's.
   * @param {Record<string, unknown>} organization the API's answer */
  name(organization) {
    const name = text(organization.name);
    const status = text(organization.status).toLowerCase();
    const painted = this.#container.querySelector(".sd-org");
    if (!name || /^(inactive|disabled|suspended|archived)$/.test(status) || !painted?.isConnected) return;
    const ein = text(organization.ein ?? organization.EIN);
    const logo = text(organization.logoUrl ?? organization.logo);
    const fragments = leptosRenders().organizations[this.#language()];
    const shown = loadableLogo(logo);
    const header = document.createElement("div");
    fillSlots(header, fragments[(shown ? 2 : 0) + (ein ? 1 : 0)], {
      "org-name": name,
      "org-ein": ein,
      "org-logo": logo,
    });
    painted.replaceWith(...header.childNodes);
  }

  /** Shows the tip the partner's config offers (src/state/form.rs: tip_offer), as the wasm would.
   * @param {Record<string, any>} config the API's answer */
  offerTip(config) {
    const tip = config.tipConfig;
    const painted = this.#container.querySelector('[part="tip"]');
    if (tip?.enabled !== true || typeof tip.defaultPercent !== "number" || !painted?.isConnected) return;
    const percent = Math.min(100, Math.max(0, Math.round(tip.defaultPercent)));
    if (!percent) return;
    const offered = document.createElement("div");
    const texts = fillSlots(offered, leptosRenders().tips[this.#language()], {}, /\{\{tip/);
    this.#tip = { percent, texts };
    const preset = this.#checkedIndex("sd-amount");
    this.#fillTip(this.#tip, preset < 0 ? this.#shape.total : this.#shape.presets[preset]);
    painted.replaceWith(...offered.childNodes);
  }

  #language() {
    return this.#shape.base.split("/")[1];
  }

  /** What the donor did, for the wasm to start from.
   * @returns {Typed} */
  typed() {
    const preset = this.#checkedIndex("sd-amount");
    const frequency = this.#checkedIndex("sd-frequency");
    return {
      preset: preset < 0 ? undefined : preset,
      custom: this.#input("sd-custom-amount")?.value,
      frequency: frequency < 0 ? undefined : frequency === 1 ? "monthly" : "once",
      email: this.#input("sd-email")?.value,
      firstName: this.#input("sd-first-name")?.value,
      lastName: this.#input("sd-last-name")?.value,
      tip: /** @type {HTMLInputElement | null} */ (this.#container.querySelector('[part="tip"] input'))?.checked,
    };
  }

  /** Where the donor is: the focused control, its caret, and an open dialog. */
  place() {
    const root = /** @type {ShadowRoot} */ (this.#container.getRootNode());
    const focused = root.activeElement;
    const open = Boolean(this.#container.querySelector("dialog")?.open);
    if (!(focused instanceof HTMLElement)) return { open, focus: null };
    const radio = focused instanceof HTMLInputElement && focused.type === "radio" ? focused : null;
    return {
      open,
      focus: {
        selector: radio ? `input[name="${radio.name}"]` : focused.id ? `#${focused.id}` : null,
        index: radio ? this.#radios(radio.name).indexOf(radio) : 0,
        caret: caretOf(focused),
      },
    };
  }
}

/** The selection of a text field; null where the field has none (email inputs expose none).
 * @param {Element} element */
function caretOf(element) {
  if (!(element instanceof HTMLInputElement) || element.selectionStart == null) return null;
  return {
    start: element.selectionStart,
    end: element.selectionEnd ?? element.selectionStart,
    direction: element.selectionDirection,
  };
}

/**
 * Puts the donor back where they were, in the wasm's fresh form: the dialog opened again
 * and the same control focused with the same caret.
 * @param {ShadowRoot} root
 * @param {ReturnType<FirstView["place"]>} place
 */
export function restorePlace(root, place) {
  if (place.open) /** @type {HTMLElement | null} */ (root.querySelector(".sd-open"))?.click();
  const focus = place.focus;
  if (!focus?.selector) return;
  const target = root.querySelectorAll(focus.selector)[focus.index];
  if (!(target instanceof HTMLElement)) return;
  target.focus({ preventScroll: true });
  const caret = focus.caret;
  if (!caret || !(target instanceof HTMLInputElement)) return;
  const select = () => {
    try {
      target.setSelectionRange(caret.start, caret.end, caret.direction ?? undefined);
    } catch {
      // A field type without a selection: focus is what can be restored.
    }
  };
  select();
  // Leptos sets `prop:value` in its next frame, which moves the caret to the end: again after it.
  requestAnimationFrame(() => {
    if (root.activeElement === target) select();
  });
}
