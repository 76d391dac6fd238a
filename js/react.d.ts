/**
 * `<sir-donate>` in React 19 JSX. Types only; activate once, e.g. in `src/vite-env.d.ts`:
 *   /// <reference types="sir-donate/react" />
 */
import type { DetailedHTMLProps, HTMLAttributes } from "react";
import type { HTMLSirDonateElement, SirDonateElementAttributes, SirDonateEventAttributes } from "sir-donate";

/** The element's props in JSX: its attributes, its events (`onsir-donate:link-created={…}`), and
 * React's own (`ref`, `className`, …). */
export type SirDonateReactProps = Omit<DetailedHTMLProps<HTMLAttributes<HTMLSirDonateElement>, HTMLSirDonateElement>, "key"> &
  Omit<SirDonateElementAttributes, "key"> &
  SirDonateEventAttributes & {
    /** React keeps `key` for itself and never passes it to the element: set the publishable key with a
     * ref (`ref={(element) => element?.setAttribute("key", "pk_…")}`). */
    key?: never;
  };

declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "sir-donate": SirDonateReactProps;
    }
  }
}
