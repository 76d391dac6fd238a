// The snippet builder: every option is a control, a live <sir-donate> shows the result, and
// the snippet is exactly what renders it: the versioned, integrity-pinned script tag and the
// element with its attributes. Query parameters prefill the controls (`?org=water-org`).

/** @type {{ version: string, loader: string, integrity: string }} */
const release = JSON.parse(document.getElementById("release").textContent);
const form = /** @type {HTMLFormElement} */ (document.getElementById("controls"));
const preview = document.getElementById("preview");
const snippetBox = /** @type {HTMLTextAreaElement} */ (document.getElementById("snippet"));

// The sandbox's demo partner (servers/sandbox/README.md) and its seeded nonprofits.
const DEFAULTS = {
  key: "pk_test_f40ae06e2cfeb3cb6ce6bbcfa2617d6b8452aff0221c5281ba74b1183db4d378",
  "api-base": "http://127.0.0.1:8787",
  org: "american-red-cross",
};
const SANDBOX_SLUGS = [
  "american-red-cross",
  "doctors-without-borders",
  "st-jude",
  "feeding-america",
  "water-org",
  "kids-arts-fund",
];
/** Values the widget assumes when the attribute is absent: the snippet leaves those out. */
const IMPLIED = { currency: "USD", frequency: "once", mode: "inline", target: "same-tab", theme: "light" };
const ATTRIBUTES = [
  "key",
  "api-base",
  "org",
  "amounts",
  "amount",
  "currency",
  "frequency",
  "lock-frequency",
  "mode",
  "label",
  "target",
  "theme",
  "locale",
  "impact",
  "url-prefill",
  "analytics",
];
/** On/off options: present when checked. */
const FLAGS = ["lock-frequency", "url-prefill"];
const COLOURS = [
  ["use-accent", "--sd-color-accent"],
  ["use-text", "--sd-color-text"],
  ["use-bg", "--sd-color-bg"],
];

for (const slug of SANDBOX_SLUGS) document.getElementById("slugs").append(new Option(slug));
const query = new URLSearchParams(location.search);
for (const element of form.elements) {
  const control = /** @type {HTMLInputElement} */ (element);
  if (!control.name) continue;
  const given = query.get(control.name) ?? DEFAULTS[control.name];
  if (given == null) continue;
  if (control.type === "checkbox") control.checked = given === "" || given === "true";
  else control.value = given;
}

/** The attributes and custom properties the controls describe, defaults left out. */
function chosen() {
  const data = new FormData(form);
  /** @type {Array<[string, string]>} */
  const attributes = [];
  for (const name of ATTRIBUTES) {
    const value = String(data.get(name) ?? "").trim();
    if (FLAGS.includes(name)) {
      if (data.has(name)) attributes.push([name, "true"]);
    } else if (name === "label" && data.get("mode") !== "button") {
    } else if (value && IMPLIED[name] !== value) {
      attributes.push([name, value]);
    }
  }
  const colours = COLOURS.filter(([toggle]) => data.has(toggle)).map(([, property]) => [
    property,
    String(data.get(property)),
  ]);
  return { attributes, colours };
}

const escapeHtml = (text) =>
  text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The loader's address as a partner would host it: here, next to this page. */
const loaderUrl = () => new URL(release.loader, location.href).href;

function snippet({ attributes, colours }) {
  const lines = [];
  if (colours.length) {
    lines.push("<style>", `  sir-donate { ${colours.map(([p, v]) => `${p}: ${v};`).join(" ")} }`, "</style>");
  }
  lines.push("<sir-donate");
  for (const [name, value] of attributes) lines.push(`  ${name}="${escapeHtml(value)}"`);
  lines.push(
    ">",
    "  <!-- Shown until the widget is ready, and kept if it cannot load. -->",
    '  <a href="https://example.org/donate">Donate</a>',
    "</sir-donate>",
  );
  lines.push(
    `<script src="${escapeHtml(loaderUrl())}" integrity="${release.integrity}" crossorigin="anonymous" async></script>`,
  );
  return `${lines.join("\n")}\n`;
}

/** @type {HTMLElement | null} */
let widget = null;
let widgetMode = "";

/** Brings the preview to the controls: attributes change live; a new mode is a new element. */
function render() {
  const choice = chosen();
  const mode = choice.attributes.find(([name]) => name === "mode")?.[1] ?? "inline";
  if (!widget || mode !== widgetMode) {
    widget?.remove();
    widget = document.createElement("sir-donate");
    widgetMode = mode;
    preview.append(widget);
  }
  const wanted = new Map(choice.attributes);
  for (const { name } of [...widget.attributes]) if (!wanted.has(name)) widget.removeAttribute(name);
  for (const [name, value] of wanted) if (widget.getAttribute(name) !== value) widget.setAttribute(name, value);
  for (const [, property] of COLOURS) widget.style.removeProperty(property);
  for (const [property, value] of choice.colours) widget.style.setProperty(property, value);
  snippetBox.value = snippet(choice);
}

let pending = 0;
form.addEventListener("input", () => {
  // Typing a slug or an amount settles before the widget refetches.
  clearTimeout(pending);
  pending = setTimeout(render, 250);
});
form.addEventListener("change", render);
form.addEventListener("submit", (event) => event.preventDefault());

document.getElementById("copy").addEventListener("click", async () => {
  const copied = document.getElementById("copied");
  try {
    await navigator.clipboard.writeText(snippetBox.value);
    copied.textContent = "Copied.";
  } catch {
    snippetBox.select();
    copied.textContent = "Select all and copy: this page may not use the clipboard.";
  }
});

document.getElementById("release-note").textContent =
  `sir-donate ${release.version}. The script tag pins this version: a browser runs it only if it matches ${release.integrity.slice(0, 19)}…`;
render();
