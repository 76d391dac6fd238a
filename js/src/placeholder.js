// @ts-check
/* sir-donate · what an element shows when the loader can't paint the first view: the
 * element's own children (a fallback link), or a card of the form's usual size. */

/** @type {CSSStyleSheet | undefined} */
let sheet;

/**
 * The element's children if it has any, else a placeholder card of the inline form's usual
 * size with a busy Donate button, so the page doesn't jump when the widget arrives. Returns
 * whether that button was pressed.
 * @param {ShadowRoot} root
 * @param {HTMLElement} element
 * @returns {() => boolean}
 */
export function paintPlaceholder(root, element) {
  let pressed = false;
  if (element.childNodes.length) {
    root.replaceChildren(document.createElement("slot"));
    return () => pressed;
  }
  if (!sheet && "adoptedStyleSheets" in root) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(
      ":host{display:block}" +
        "div{box-sizing:border-box;max-width:var(--sd-max-width,420px);min-height:var(--sd-reserved-height,620px);" +
        "display:flex;flex-direction:column;justify-content:flex-end;padding:12px;border:1px solid #767676;" +
        "border-radius:var(--sd-radius,10px);background:var(--sd-color-bg,#fff)}" +
        "button{font:700 16px system-ui,sans-serif;min-height:48px;padding:0 20px;border:0;" +
        "border-radius:var(--sd-radius,10px);background:var(--sd-color-accent,#0b5fff);color:#fff;opacity:.7}",
    );
  }
  if (sheet) root.adoptedStyleSheets = [sheet];
  // mode="button" ends as a lone button: the placeholder is that button, so nothing moves.
  const card = document.createElement(element.getAttribute("mode") === "button" ? "span" : "div");
  const button = document.createElement("button");
  button.type = "button";
  button.setAttribute("aria-disabled", "true");
  button.setAttribute("aria-busy", "true");
  button.textContent = element.getAttribute("label") || "Donate";
  button.addEventListener("click", () => {
    pressed = true;
  });
  card.appendChild(button);
  root.replaceChildren(card);
  return () => pressed;
}
