// Type-checked in CI (`make test-types`): a partner's code using every part of the
// public surface. It must compile against sir-donate.d.ts alone.
import type {
  SirDonateApi,
  SirDonateElementAttributes,
  SirDonateErrorCode,
  SirDonateEventDetails,
  SirDonateEventMap,
  SirDonateHandle,
  SirDonateMountOptions,
  SirDonateOptionError,
  SirDonateOptions,
  SirDonateStatus,
  SirDonateUnsupportedError,
} from "../sir-donate";

const options: SirDonateMountOptions = {
  publishableKey: "pk_test_123",
  org: ["water-org", "st-jude"],
  apiBase: "https://devapi.sirgiving.org",
  amounts: [10, 25, 50],
  amount: 25,
  min: "5",
  max: 500,
  currency: "USD",
  locale: "en-US",
  frequency: "monthly",
  lockFrequency: true,
  lockAmount: false,
  requiredFields: ["email", "name"],
  mode: "button",
  target: "popup",
  label: "Give",
  theme: "auto",
  partnerEndpoint: "https://partner.example/api",
  referralCode: "REFER123",
  attribution: false,
  campaign: "spring",
  analytics: "datalayer",
  impact: { 25: "A week of clean water", "50": "A month of school meals" },
  urlPrefill: true,
  goal: 5000,
};

async function useApi(api: SirDonateApi): Promise<void> {
  const ready: SirDonateApi = await api.ready;
  const version: string = ready.version;
  const handle: SirDonateHandle = await api.mount("#donate", options);
  const element: HTMLElement = handle.element;
  handle.update({ amount: 10, frequency: "once" });
  handle.open({ amount: 25, frequency: "monthly", org: "water-org" });
  handle.open();
  // @ts-expect-error a frequency the widget doesn't know
  handle.open({ frequency: "weekly" });
  const onLink = (detail: SirDonateEventDetails["link-created"]) => {
    const cents: number = detail.amount;
    const id: string = detail.partnerDonationId;
    console.log(cents, id, detail.donationLink, detail.frequency, version, element);
  };
  handle.on("link-created", onLink);
  handle.off("link-created", onLink);
  handle.on("ready", () => {});
  handle.on("organization", (detail) => console.log(detail.name, detail.ein ?? "no EIN", detail.logoUrl));
  handle.on("change", (detail) => console.log(detail.amount ?? 0, detail.valid, detail.currency));
  handle.on("status", (detail) => {
    const status: SirDonateStatus = detail.status;
    console.log(status);
  });
  handle.on("completed", (detail) => console.log(detail.partnerDonationId));
  handle.on("error", (detail) => {
    const code: SirDonateErrorCode = detail.code;
    if (detail.retryable) console.log(code, detail.message, detail.option);
  });
  handle.destroy();
  try {
    await api.mount(document.createElement("div"), { key: "pk_test_1", org: "x" });
    // The handle of a widget mounted again elsewhere is the same type; stale ones are inert.
    const again: SirDonateHandle = await api.mount(handle.element, { publishableKey: "pk_test_1", org: "x" });
    again.destroy();
    // @ts-expect-error: the publishable key is required, under one of its names.
    await api.mount("#donate", { org: "water-org" });
  } catch (error) {
    const typed = error as SirDonateOptionError | SirDonateUnsupportedError;
    if (typed.code === "invalid_option") console.log(typed.option);
    else console.log(typed.code === "unsupported_browser", typed.retryable, typed.message);
  }
}

// The custom element and its events are typed on the DOM.
const widget = document.querySelector("sir-donate");
widget?.addEventListener("sir-donate:completed", (event) => console.log(event.detail.partnerDonationId));
widget?.addEventListener("sir-donate:error", (event) => {
  const code: SirDonateErrorCode = event.detail.code;
  // Below the browser baseline the element keeps its fallback link.
  if (code === "unsupported_browser") console.log("fallback stays", event.detail.message);
});
const created = document.createElement("sir-donate");
created.setAttribute("org", "water-org");
if (window.SirDonate) void useApi(window.SirDonate);

// The element's attributes are the options in kebab-case, with the same values.
const attributes: Required<SirDonateElementAttributes> = {
  key: "pk_test_123",
  "publishable-key": "pk_test_123",
  org: "water-org",
  "api-base": "https://devapi.sirgiving.org",
  amounts: [10, 25],
  amount: 25,
  min: 1,
  max: "500",
  currency: "USD",
  locale: "fr-FR",
  frequency: "once",
  "lock-frequency": "true",
  "lock-amount": false,
  "required-fields": "email",
  mode: "inline",
  target: "new-tab",
  label: "Donate",
  theme: "dark",
  "partner-endpoint": "https://partner.example/api",
  "referral-code": "REFER123",
  attribution: "false",
  campaign: "spring",
  analytics: "gtag",
  impact: "25: A week of clean water",
  "url-prefill": true,
  goal: "5000",
};
const onCreated = (event: SirDonateEventMap["sir-donate:link-created"]) => console.log(event.detail.donationLink);
widget?.addEventListener("sir-donate:link-created", onCreated);
console.log(attributes);

// @ts-expect-error: attributes are kebab-case.
const camelCase: SirDonateElementAttributes = { key: "pk_test_1", org: "x", apiBase: "https://devapi.sirgiving.org" };
// @ts-expect-error: a required option is missing.
const missingKey: SirDonateOptions = { publishableKey: "pk_test_1" };
// @ts-expect-error: "weekly" is not a frequency.
const badFrequency: SirDonateOptions = { key: "pk_test_1", org: "x", frequency: "weekly" };
// @ts-expect-error: wasm-bindgen internals are not part of the public types.
import type { WidgetHandle } from "../sir-donate";
console.log(missingKey, badFrequency, camelCase);
export type { WidgetHandle };
