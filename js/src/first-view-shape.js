// @ts-check
/* sir-donate · which first view a widget's options call for (js/src/first-view.js paints it):
 * the options read exactly as the wasm reads them (src/domain/options.rs), or not at all. */
import { isSlug, keyEnvironment, slugsOf } from "./reads.js";

/**
 * @typedef {{
 *   base: string, values: number[], locale: string, dir: string, theme: string, currency: string,
 *   digits: number, presets: number[], total: number, monthly: boolean, lockFrequency: boolean, label: string,
 *   format: (minor: number) => string,
 * }} Shape
 */

// tools/first-view/src/render.rs: DIMENSIONS, in order.
const MAX_PRESETS = 8;
const LOCKED_AMOUNT = 8;
// src/domain/money.rs: Currency::minor_digits; src/domain/options.rs: the defaults.
const ZERO_DIGITS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF";
const THREE_DIGITS = "BHD IQD JOD KWD LYD OMR TND";
const DEFAULT_PRESETS_MAJOR = [10, 25, 50, 100];
const DEFAULT_MAX_MAJOR = 1000000;
// src/i18n.rs: direction.
const RTL_LANGUAGES = ["ar", "he", "iw", "fa", "ur", "yi", "ps", "sd", "ug"];

/** An option's text as the wasm reads it (src/embed/options.rs): trimmed, lists joined.
 * @param {unknown} value */
export function text(value) {
  if (value == null) return "";
  return (Array.isArray(value) ? value.join(",") : String(value)).trim();
}

/** A partner amount in major units ("25", "25.50") as minor units, or null when the loader
 * is unsure (the wasm then decides, and reports a bad one).
 * @param {string} value
 * @param {number} digits */
function minorUnits(value, digits) {
  const match = /^(\d{1,12})(?:\.(\d+))?$/.exec(value);
  if (!match) return null;
  const fraction = (match[2] || "").replace(/0+$/, "");
  if (fraction.length > digits) return null;
  return Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, "0") || 0);
}

/** A boolean option (src/domain/options.rs: flag): absent or "false" is off, "" or "true" on.
 * @param {unknown} value */
function flag(value) {
  if (value == null || value === false) return false;
  const written = String(value).trim();
  return written === "false" ? false : written === "" || written === "true" ? true : null;
}

/** The page's language, as src/embed.rs reads it. */
function pageLocale() {
  const lang = (document.documentElement.getAttribute("lang") || "").trim();
  return lang || navigator.language || "en";
}

/**
 * Formats minor units as src/i18n.rs's format_money does: the same Intl call, given the
 * amount as an exact decimal string, never a float.
 * @param {string} locale
 * @param {string} currency
 * @param {number} digits
 * @returns {(minor: number) => string}
 */
function moneyFormat(locale, currency, digits) {
  // trailingZeroDisplay is ES2023 Intl, not in TypeScript's lib yet.
  const options = /** @type {Intl.NumberFormatOptions} */ ({
    style: "currency",
    currency,
    trailingZeroDisplay: "stripIfInteger",
  });
  const format = new Intl.NumberFormat(locale, options);
  const unit = 10 ** digits;
  return (minor) => {
    const decimal = digits
      ? `${Math.floor(minor / unit)}.${String(minor % unit).padStart(digits, "0")}`
      : String(minor);
    return format.format(/** @type {any} */ (decimal));
  };
}

/**
 * What the first view shows for these options, or null when the loader is not sure: it
 * then leaves the form to the wasm (src/domain/options.rs decides and reports).
 * @param {Record<string, unknown>} options
 * @returns {Shape | null}
 */
export function firstViewShape(options) {
  if (!__SIR_DONATE_FIRST_VIEW__) return null;
  // Impact lines and a goal meter change the form's first render, and tools/first-view has no
  // dimension for them yet: such a widget gets the placeholder, then the wasm's form.
  if (text(options.impact) || text(options.goal)) return null;
  const environment = keyEnvironment(options);
  const slugs = slugsOf(options);
  const mode = text(options.mode) || "inline";
  const currency = (text(options.currency) || "USD").toUpperCase();
  const theme = text(options.theme) || "light";
  if (!environment || !slugs.length || !slugs.every(isSlug)) return null;
  if (!/^(inline|button)$/.test(mode) || !/^[A-Z]{3}$/.test(currency) || !/^(light|dark|auto)$/.test(theme))
    return null;
  const digits = ZERO_DIGITS.includes(currency) ? 0 : THREE_DIGITS.includes(currency) ? 3 : 2;
  const amounts = amountsOf(options, digits);
  const lockAmount = flag(options.lockAmount);
  const lockFrequency = flag(options.lockFrequency);
  const frequency = (text(options.frequency) || "once").toLowerCase();
  const required = text(options.requiredFields)
    .split(",")
    .map((field) => field.trim())
    .filter(Boolean);
  if (!amounts || lockAmount == null || lockFrequency == null || !/^(once|one-time|monthly)$/.test(frequency))
    return null;
  if (!lockAmount && (amounts.presets.length < 1 || amounts.presets.length > MAX_PRESETS)) return null;
  if (required.some((field) => field !== "email" && field !== "name")) return null;
  const locale = text(options.locale) || pageLocale();
  const language = locale.split(/[-_]/)[0].toLowerCase();
  let format;
  try {
    format = moneyFormat(locale, currency, digits);
  } catch {
    return null; // a locale or currency Intl refuses: the wasm's own text, not ours
  }
  const monthly = frequency === "monthly";
  const label = text(options.label);
  return {
    base: `${mode}/${language === "fr" ? "fr" : "en"}`,
    values: [
      environment === "test" ? 0 : 1,
      lockAmount ? LOCKED_AMOUNT : amounts.presets.length - 1,
      (lockFrequency ? 2 : 0) + (monthly ? 1 : 0),
      (required.includes("email") ? 1 : 0) + (required.includes("name") ? 2 : 0),
      label ? 1 : 0,
    ],
    locale,
    dir: RTL_LANGUAGES.includes(language) ? "rtl" : "ltr",
    theme,
    currency,
    digits,
    presets: amounts.presets,
    total: amounts.total,
    monthly,
    lockFrequency,
    label,
    format,
  };
}

/** The presets within min..max and the default amount, in minor units, as src/domain/options.rs
 * makes them; null when unsure.
 * @param {Record<string, unknown>} options
 * @param {number} digits */
function amountsOf(options, digits) {
  const unit = 10 ** digits;
  const written = (/** @type {string} */ name) =>
    text(options[name]) ? minorUnits(text(options[name]), digits) : undefined;
  const min = written("min") ?? unit;
  const max = written("max") ?? DEFAULT_MAX_MAJOR * unit;
  const listed = text(options.amounts)
    ? text(options.amounts)
        .split(",")
        .map((amount) => minorUnits(amount.trim(), digits))
    : DEFAULT_PRESETS_MAJOR.map((major) => major * unit);
  if (min == null || max == null || min > max || listed.some((amount) => amount == null)) return null;
  const presets = /** @type {number[]} */ (listed).filter((amount) => amount >= min && amount <= max);
  const total = written("amount") ?? presets[1] ?? presets[0];
  if (total == null || total < min || total > max) return null;
  return { presets, total };
}
