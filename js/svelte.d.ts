/**
 * `<sir-donate>` in Svelte 5 markup (svelte-check, the Svelte language server). Types only; activate
 * once, e.g. in `src/app.d.ts`:
 *   /// <reference types="sir-donate/svelte" />
 */
import type { HTMLAttributes } from "svelte/elements";
import type { HTMLSirDonateElement, SirDonateElementAttributes, SirDonateEventAttributes } from "sir-donate";

/**
 * The element's attributes in markup: its options, its events and the global HTML attributes.
 * Listen with `{@attach (element) => on(element, "sir-donate:link-created", …)}` (`on` from
 * `svelte/events`), or with `onsir-donate:link-created={…}`, about whose colon Svelte warns
 * (`<!-- svelte-ignore attribute_illegal_colon -->`).
 */
export type SirDonateSvelteAttributes = HTMLAttributes<HTMLSirDonateElement> &
  SirDonateElementAttributes &
  SirDonateEventAttributes;

declare module "svelte/elements" {
  interface SvelteHTMLElements {
    "sir-donate": SirDonateSvelteAttributes;
  }
}
