/**
 * `<sir-donate>` in Vue 3 templates (vue-tsc, Vue - Official). Types only; activate once, e.g. in
 * `src/env.d.ts`:
 *   /// <reference types="sir-donate/vue" />
 * Vue itself must be told that `sir-donate` is a custom element (`compilerOptions.isCustomElement`),
 * and catches misspelled attributes under `vueCompilerOptions.strictTemplates`.
 */
import type { EmitFn, HTMLAttributes, PublicProps } from "vue";
import type { HTMLSirDonateElement, SirDonateEventMap, SirDonateOptions } from "sir-donate";

/**
 * The element's props in templates: its options and Vue's own (`ref`, `class`, …). Vue's checker
 * reads `api-base` as `apiBase`, as for a component, so these are the option names; templates write
 * them in kebab-case, which is what the element reads.
 */
export type SirDonateVueProps = Omit<HTMLAttributes, "key"> &
  Omit<PublicProps, "key"> &
  Omit<SirDonateOptions, "key" | "impact"> & {
    /** Impact lines as text (an attribute): `"25: A week of clean water | 50: …"`. */
    impact?: string;
    /** `data-*` attributes, as Vue's checker names them (`data-track` → `dataTrack`). */
    [data: `data${Capitalize<string>}`]: unknown;
    /** Vue keeps `key` for itself and never passes it to the element: write `publishable-key`. */
    key?: never;
  };

/**
 * How Vue types a custom element it did not build (Vue's guide, "Web Components"): `$props` types
 * the attributes and `$emit` the `@sir-donate:…` listeners, which receive the `CustomEvent`.
 */
export type SirDonateVueElement = new () => HTMLSirDonateElement & {
  /** @deprecated For template type checking only: not a property of the element. */
  $props: SirDonateVueProps;
  /** @deprecated For template type checking only: not a method of the element. */
  $emit: EmitFn<{ [Event in keyof SirDonateEventMap]: (event: SirDonateEventMap[Event]) => void }>;
};

declare module "vue" {
  interface GlobalComponents {
    "sir-donate": SirDonateVueElement;
  }
}
