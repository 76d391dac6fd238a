// @ts-check
/*! sir-donate · the `impact` option as its attribute's text, for wrappers that render the
 * element's attributes (the React component): `{ 25: "A week of water" }` →
 * `"25: A week of water"`, entries joined with `|`. The widget checks the result. */

/** @param {Record<string | number, string> | string} impact
 * @returns {string} */
export function impactAttribute(impact) {
  if (typeof impact !== "object" || impact === null) return String(impact);
  return Object.entries(impact)
    .map(([amount, line]) => `${amount}: ${line}`)
    .join(" | ");
}
