/**
 * sir-donate: an embeddable donation widget for the SIR Giving Partner API.
 * Hand-written public types; nothing of the wasm-bindgen internals is exposed.
 */

/** Options, as for `SirDonate.mount()` and (kebab-case) as `<sir-donate>` attributes. A widget
 * needs its publishable key under one of two names: `publishableKey`, which every framework
 * passes on, or `key`. */
export interface SirDonateOptions {
  // BEGIN options: generated from js/options.json by js/generate-options.mjs; edit there.
  /** Your publishable key: `pk_test_…` (sandbox) or `pk_live_…` (production). Never an `sk_` key. Use this
   * name (`publishable-key` on the element): React and Vue keep a `key` prop for themselves and never pass it
   * to the element. Given with a different `key`, it is refused. */
  publishableKey?: string;
  /** Your publishable key by its short name: the same as `publishableKey`. */
  key?: string;
  /** Nonprofit slug, or several (array or comma-separated); the first is preselected. */
  org: string | string[];
  /** API host; defaults to the host of the key's environment. Must be https (or http to loopback). */
  apiBase?: string;
  /** Preset amounts in major units, e.g. `[10, 25, 50]` or `"10,25,50"`. */
  amounts?: number[] | string;
  /** Preselected amount in major units. */
  amount?: number | string;
  /** Smallest custom amount, major units. Default 1. */
  min?: number | string;
  /** Largest custom amount, major units. Default 1,000,000. */
  max?: number | string;
  /** ISO 4217 code. Default `"USD"`. */
  currency?: string;
  /** BCP 47 locale for formatting; default the page's `lang`. */
  locale?: string;
  /** Default `"once"`. */
  frequency?: SirDonateFrequency;
  /** Hide the once/monthly choice. */
  lockFrequency?: boolean | string;
  /** Donate exactly `amount`: no presets, no custom amount. */
  lockAmount?: boolean | string;
  /** Donor fields to require: `["email", "name"]` or `"email,name"`. Default none. */
  requiredFields?: Array<"email" | "name"> | string;
  /** Sent with each donation as `referralCode`. */
  referralCode?: string;
  mode?: "inline" | "button";
  target?: "same-tab" | "new-tab" | "popup";
  /** Text of the button. */
  label?: string;
  theme?: "light" | "dark" | "auto";
  /** Base URL of your server implementing the delegation contract (rewards, webhook-driven status). */
  partnerEndpoint?: string;
  /** With `partnerEndpoint`: send the page URL's `utm_*`, `gclid` and `fbclid` with each donation to your
   * partner server (never to SIR). Default `true`; `false` turns it off. */
  attribution?: boolean | string;
  /** Your campaign code (1–64 of `A-Z a-z 0-9 _ -`), kept by your partner server with each donation; the goal
   * meter counts this campaign's donations only. */
  campaign?: string;
  /** With `partnerEndpoint`: the goal in major units, shown as a meter of what your partner server counted
   * (`GET /sir/totals`). */
  goal?: number | string;
  /** A short line per amount, shown under the chosen one: `{ 25: "A week of clean water" }`, or as text `"25:
   * A week of clean water | 50: A month of school meals"`. At most 120 characters each, text only. */
  impact?: Record<number | string, string> | string;
  /** Read `#donate`, `sd_amount`, `sd_frequency` and `sd_org` from the page URL once, at load, and open
   * (button mode) or focus (inline) the form. Default off: set it on one widget. */
  urlPrefill?: boolean | string;
  /** Forward the widget's events to the page's tag manager: `"datalayer"` (`window.dataLayer`) or `"gtag"`.
   * Default off. Never the donor's email or name. */
  analytics?: "datalayer" | "gtag" | "off";
  // END options
}

/** What `handle.open()` prefills; each value is checked as its option would be, and a bad
 * one is left out with a `console.warn`. */
export interface SirDonateOpenChoice {
  /** Major units, e.g. `25`. */
  amount?: number | string;
  frequency?: SirDonateFrequency;
  /** One of the widget's `org` slugs. */
  org?: string;
}

/** The publishable key is required, under either name. */
export type SirDonateKeyOption = { publishableKey: string } | { key: string };

/** What `SirDonate.mount()` takes: the options with a publishable key. */
export type SirDonateMountOptions = SirDonateOptions & SirDonateKeyOption;

export type SirDonateFrequency = "once" | "monthly";

export type SirDonateStatus = "pending" | "processing" | "completed" | "failed" | "cancelled" | "expired";

/** Stable error codes of `error` events. */
export type SirDonateErrorCode =
  | "invalid_key"
  | "secret_key_refused"
  | "unauthorized"
  | "forbidden"
  | "organization_not_found"
  | "organization_inactive"
  | "donations_disabled"
  | "donation_not_found"
  | "invalid_request"
  | "rate_limited"
  | "server_error"
  | "network"
  | "timeout"
  | "invalid_response"
  | "unsafe_link"
  | "invalid_option"
  | "load_failed"
  | "unsupported_browser";

/** The `detail` of each event, by type. */
export interface SirDonateEventDetails {
  ready: Record<string, never>;
  organization: { slug: string | null; name: string; ein: string | null; logoUrl: string | null };
  change: { amount: number | null; currency: string; frequency: SirDonateFrequency; valid: boolean };
  "link-created": {
    partnerDonationId: string;
    donationLink: string;
    /** Minor units (cents). */
    amount: number;
    currency: string;
    frequency: SirDonateFrequency;
    nonprofit: string;
  };
  status: { partnerDonationId: string; status: SirDonateStatus };
  completed: { partnerDonationId: string };
  error: { code: SirDonateErrorCode; message: string; retryable: boolean; option?: string };
}

export type SirDonateEventType = keyof SirDonateEventDetails;

/** Thrown (or rejected) for an unknown option or a bad value. */
export interface SirDonateOptionError extends Error {
  name: "SirDonateOptionError";
  code: "invalid_option";
  /** The option at fault, e.g. `"frequency"`. */
  option: string;
}

/**
 * `mount()` and `ready` reject with this in a browser below the supported baseline
 * (docs/browser-support.md); `<sir-donate>` elements keep their fallback content and
 * dispatch `error` with the same code. Nothing was fetched.
 */
export interface SirDonateUnsupportedError extends Error {
  name: "SirDonateError";
  code: "unsupported_browser";
  /** Names what the browser lacks, e.g. "… it lacks AbortSignal.any." */
  message: string;
  retryable: false;
}

/**
 * A mounted widget. A target holds one widget: a later `mount()` on the same target takes it
 * over, and this handle goes stale: its `update()`, `on()` and `destroy()` then leave the
 * target (and the newer widget) alone, and its listeners are removed.
 */
export interface SirDonateHandle {
  readonly element: HTMLElement;
  /** Changes some options; the others keep their values. Throws `SirDonateOptionError`. */
  update(options: Partial<SirDonateOptions>): void;
  /** Prefills the form and opens its dialog (button mode), or scrolls it into view and focuses
   * the amount (inline). */
  open(choice?: SirDonateOpenChoice): void;
  /** Removes the widget with all its listeners, timers and requests; of a stale handle, only its listeners. */
  destroy(): void;
  on<T extends SirDonateEventType>(type: T, listener: (detail: SirDonateEventDetails[T]) => void): void;
  off<T extends SirDonateEventType>(type: T, listener: (detail: SirDonateEventDetails[T]) => void): void;
}

export interface SirDonateApi {
  readonly version: string;
  /** Resolves once the widget's code is loaded (reading it starts the load); rejects
   * with `SirDonateUnsupportedError` below the browser baseline. */
  readonly ready: Promise<SirDonateApi>;
  /** Mounts a widget into an element (or the first match of a selector), taking over a widget
   * mounted there before (whose handle goes stale). Rejects with `SirDonateOptionError` for bad
   * options, `SirDonateUnsupportedError` below the baseline. */
  mount(target: HTMLElement | string, options: SirDonateMountOptions): Promise<SirDonateHandle>;
}

/** `"apiBase"` → `"api-base"`: an option's attribute name. */
export type SirDonateAttributeName<Option extends string> = Option extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `-${Lowercase<Head>}`}${SirDonateAttributeName<Tail>}`
  : Option;

/**
 * The `<sir-donate>` attributes: the options under their kebab-case names, with the same
 * values (frameworks write numbers, booleans and arrays as text, which the widget reads back).
 * The framework typings (`sir-donate/react`, `sir-donate/vue`, `sir-donate/svelte`) use it.
 */
export type SirDonateElementAttributes = {
  // An attribute is text: `impact` in its text form.
  [Option in keyof SirDonateOptions as SirDonateAttributeName<Option>]: Option extends "impact"
    ? string
    : SirDonateOptions[Option];
};

/** The element's events, as dispatched on it: `sir-donate:<type>` `CustomEvent`s. */
export type SirDonateEventMap = {
  [Type in SirDonateEventType as `sir-donate:${Type}`]: CustomEvent<SirDonateEventDetails[Type]>;
};

/** Listeners as `on<event name>` attributes (`onsir-donate:link-created`), which React 19 and
 * Svelte 5 add to custom elements with `addEventListener`. */
export type SirDonateEventAttributes = {
  [Event in keyof SirDonateEventMap as `on${Event}`]?: (event: SirDonateEventMap[Event]) => void;
};

/** The `<sir-donate>` element. */
export interface HTMLSirDonateElement extends HTMLElement {}

declare global {
  interface Window {
    SirDonate?: SirDonateApi;
  }
  interface HTMLElementTagNameMap {
    "sir-donate": HTMLSirDonateElement;
  }
  interface HTMLElementEventMap extends SirDonateEventMap {}
}

/**
 * npm: loads the widget once and resolves to the SirDonate API, or to `null` where
 * there is no DOM (server-side rendering). Importing the package has no side effects.
 */
export declare function loadSirDonate(): Promise<SirDonateApi | null>;
