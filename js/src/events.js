// @ts-check
/* sir-donate · the element's events, as `sir-donate:<type>` CustomEvents. */

/** @typedef {import("../sir-donate").SirDonateEventType} SirDonateEventType */
/** @typedef {import("../sir-donate").SirDonateEventDetails} SirDonateEventDetails */

export const PREFIX = "sir-donate:";

/** The widget's event types, each dispatched as `sir-donate:<type>`.
 * @type {SirDonateEventType[]} */
export const EVENT_TYPES = ["ready", "organization", "change", "link-created", "status", "completed", "error"];

/**
 * @param {HTMLElement} element
 * @param {SirDonateEventType} type
 * @param {SirDonateEventDetails[SirDonateEventType]} detail
 */
export function emit(element, type, detail) {
  element.dispatchEvent(new CustomEvent(PREFIX + type, { bubbles: true, composed: true, detail }));
}

/** @param {any} error
 * @returns {SirDonateEventDetails["error"]} */
function loadFailed(error) {
  return {
    code: "load_failed",
    message: `The donation form could not be loaded. ${String(error?.message || error)}`,
    retryable: true,
  };
}

/** Reports a failed load or mount as the element's `error` event. Bad options throw a
 * typed SirDonateOptionError, an old browser gets unsupported_browser, anything else
 * is a load failure.
 * @param {HTMLElement} element */
export function reportTo(element) {
  return (/** @type {any} */ error) => {
    const code = error?.code;
    emit(
      element,
      "error",
      code === "invalid_option" || code === "unsupported_browser"
        ? { code, message: error.message, retryable: false, option: error.option }
        : loadFailed(error),
    );
  };
}
