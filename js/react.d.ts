/**
 * sir-donate in React 19: the `<SirDonate>` component, and `<sir-donate>` in JSX.
 *
 *   import { SirDonate } from "sir-donate/react";
 *   <SirDonate publishableKey="pk_test_…" org="water-org" amounts={[10, 25, 50]} onLinkCreated={…} />
 *
 * The component is a client component ("use client") that renders the element with its options
 * as attributes, on the server too. For the bare element's typings alone, activate them once,
 * e.g. in `src/vite-env.d.ts`:
 *   /// <reference types="sir-donate/react" />
 */
import type { CSSProperties, DetailedHTMLProps, HTMLAttributes, JSX, ReactNode, Ref } from "react";
import type {
  HTMLSirDonateElement,
  SirDonateElementAttributes,
  SirDonateEventAttributes,
  SirDonateEventDetails,
  SirDonateOptions,
} from "sir-donate";

/** The component's props: every option under its JS name (lists as arrays or comma-separated
 * text), the publishable key as `publishableKey`, and the widget's main events as callbacks. */
export interface SirDonateProps extends Omit<SirDonateOptions, "key" | "publishableKey"> {
  /** Your publishable key: `pk_test_…` (sandbox) or `pk_live_…` (production). */
  publishableKey: string;
  /** The form is usable (the nonprofit loaded). */
  onReady?: (detail: SirDonateEventDetails["ready"]) => void;
  /** A donation link was created: the donor is on their way to the checkout. */
  onLinkCreated?: (detail: SirDonateEventDetails["link-created"]) => void;
  /** A donation completed. */
  onCompleted?: (detail: SirDonateEventDetails["completed"]) => void;
  /** The widget met an error (it shows the donor its own message). */
  onError?: (detail: SirDonateEventDetails["error"]) => void;
  /** The element itself, for its other events (`sir-donate:change`, `sir-donate:status`, …). */
  ref?: Ref<HTMLSirDonateElement>;
  /** Shown until the widget is ready, and kept if it cannot load: a plain donate link, say. */
  children?: ReactNode;
  id?: string;
  className?: string;
  style?: CSSProperties;
}

/** `<sir-donate>` as a client component: thin, the element does the work. Safe under Strict Mode. */
export declare function SirDonate(props: SirDonateProps): JSX.Element;

/** A list written as text for the bare element: React leaves an array out of a custom element's
 * server-rendered HTML, so `"10,25,50"` (or the `SirDonate` component, which takes arrays). */
type CommaSeparated = string;

/**
 * The bare element's props in JSX: its attributes (lists as comma-separated text), its events
 * (`onsir-donate:link-created={…}`, which Next's compilers refuse for its colon: prefer a ref's
 * `addEventListener` or the component), and React's own (`ref`, `className`, …).
 */
export type SirDonateReactProps = Omit<
  DetailedHTMLProps<HTMLAttributes<HTMLSirDonateElement>, HTMLSirDonateElement>,
  "key"
> &
  Omit<SirDonateElementAttributes, "key" | "org" | "amounts" | "required-fields"> &
  SirDonateEventAttributes & {
    /** Nonprofit slug, or several comma-separated (`"water-org,st-jude"`); the first is preselected. */
    org: CommaSeparated;
    /** Preset amounts, comma-separated: `"10,25,50"`. */
    amounts?: CommaSeparated;
    /** Donor fields to require, comma-separated: `"email,name"`. */
    "required-fields"?: CommaSeparated;
    /** React keeps `key` for itself and never passes it to the element: use `publishable-key`. */
    key?: never;
  };

declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "sir-donate": SirDonateReactProps;
    }
  }
}
