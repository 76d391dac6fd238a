// @ts-check
// Generated from js/options.json by js/generate-options.mjs (js/build.mjs runs it): edit there, not here.

/**
 * Every option of `SirDonateOptions`, by its JS name.
 * @type {Array<keyof import("../sir-donate").SirDonateOptions>}
 */
export const OPTION_NAMES = [
  "publishableKey",
  "key",
  "org",
  "apiBase",
  "amounts",
  "amount",
  "min",
  "max",
  "currency",
  "locale",
  "frequency",
  "lockFrequency",
  "lockAmount",
  "requiredFields",
  "referralCode",
  "mode",
  "target",
  "label",
  "theme",
  "partnerEndpoint",
  "attribution",
  "campaign",
  "goal",
  "impact",
  "urlPrefill",
  "analytics",
];

/**
 * The `<sir-donate>` attributes: the same options in kebab-case, in the same order.
 * @type {Array<keyof import("../sir-donate").SirDonateElementAttributes>}
 */
export const OPTION_ATTRIBUTES = [
  "publishable-key",
  "key",
  "org",
  "api-base",
  "amounts",
  "amount",
  "min",
  "max",
  "currency",
  "locale",
  "frequency",
  "lock-frequency",
  "lock-amount",
  "required-fields",
  "referral-code",
  "mode",
  "target",
  "label",
  "theme",
  "partner-endpoint",
  "attribution",
  "campaign",
  "goal",
  "impact",
  "url-prefill",
  "analytics",
];
