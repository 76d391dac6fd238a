// Functions the journeys run inside the page, in every engine. Each one is sent to the
// browser as source text (Playwright's evaluate, WebDriver's Execute Script), so it must
// stand alone: one plain argument, no imports, nothing from the enclosing module.

/** A control as a donor finds it: by its visible text or label, inside a widget's shadow
 * root (`host`, a selector) or, without `host`, in the page itself. */
export interface Find {
  host?: string;
  kind: "button" | "link" | "radio" | "field" | "dialog";
  name: string;
  /** `exact` (default): the whole text; `prefix`: the text starts with `name`. */
  match?: "exact" | "prefix";
}

/** The first shown control matching `find`, or null. */
export function findControl(find: Find): Element | null {
  const root: Document | ShadowRoot | null | undefined = find.host
    ? document.querySelector(find.host)?.shadowRoot
    : document;
  if (!root) return null;
  const text = (el: Element | null) => (el?.textContent ?? "").replace(/\s+/g, " ").trim();
  const named = (value: string) => (find.match === "prefix" ? value.startsWith(find.name) : value === find.name);
  const shown = (el: Element | null): el is Element => !!el && el.getClientRects().length > 0;
  const all = (selector: string) => Array.from(root.querySelectorAll(selector));
  const byId = (id: string | null) => (id ? root.querySelector(`[id="${id}"]`) : null);
  switch (find.kind) {
    case "button":
      return (
        all("button").find((el) => shown(el) && (named(text(el)) || el.getAttribute("aria-label") === find.name)) ??
        null
      );
    case "link":
      return all("a").find((el) => shown(el) && named(text(el))) ?? null;
    case "dialog":
      return all("dialog").find((el) => shown(el) && el.getAttribute("aria-label") === find.name) ?? null;
    case "radio":
      // Amount and frequency chips: <label><input type=radio><span>$25</span></label>.
      return (
        all("label")
          .filter((el) => named(text(el)))
          .map((el) => el.querySelector("input"))
          .find(shown) ?? null
      );
    case "field":
      // Labels may carry "(optional)" after the name.
      return (
        all("label")
          .filter((el) => text(el).startsWith(find.name))
          .map((el) => byId(el.getAttribute("for")))
          .find(shown) ?? null
      );
  }
}

/** An element of the widget at `host` by its `part` name (`widget`, `dialog`, …). */
export function widgetPart({ host, part }: { host: string; part: string }): Element | null {
  const element = document.querySelector(host)?.shadowRoot?.querySelector(`[part~="${part}"]`);
  return element?.getClientRects().length ? element : null;
}

/** Whether the widget at `host` shows this nonprofit in its header. */
export function showsNonprofit({ host, name }: { host: string; name: string }): boolean {
  const header = document.querySelector(host)?.shadowRoot?.querySelector('[part~="organization"]');
  const shownName = header?.querySelector(".sd-org__name");
  return !!shownName && shownName.getClientRects().length > 0 && shownName.textContent === name;
}

/** The widget's text (its shadow root), or the page's when there is no shadow root. */
export function widgetText({ host }: { host: string }): string {
  const element = document.querySelector(host);
  return (element?.shadowRoot ?? element)?.textContent?.replace(/\s+/g, " ") ?? "";
}

/** The focused element, through shadow roots, described by its label and text. */
export function focusedText(): string {
  let el: Element | null = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  const labels = (el as HTMLInputElement | null)?.labels;
  const label = labels?.length
    ? Array.from(labels)
        .map((l) => l.textContent)
        .join(" ")
    : (el?.closest("label")?.textContent ?? "");
  return `${el?.getAttribute("aria-label") ?? ""} ${el?.textContent ?? ""} ${label}`.replace(/\s+/g, " ").trim();
}

/** Where focus is in button mode (the dialog, its opener, or the page when focus is in
 * the browser's own toolbar), and whether the page has the focus at all. */
export function focusInDialog({ host }: { host: string }): {
  where: "dialog" | "opener" | "body" | "elsewhere";
  pageFocused: boolean;
} {
  const active = document.querySelector(host)?.shadowRoot?.activeElement;
  const where = active?.closest("dialog")
    ? "dialog"
    : active?.getAttribute("aria-haspopup") === "dialog"
      ? "opener"
      : document.activeElement === document.body
        ? "body"
        : "elsewhere";
  return { where, pageFocused: document.hasFocus() };
}

/** What record.js kept: the widget's events, page errors and CSP violations. */
export function pageLog(): {
  events: Array<{ type: string; target: string; detail: Record<string, unknown> }>;
  errors: string[];
  violations: string[];
} {
  return (window as unknown as { __sirLog: ReturnType<typeof pageLog> }).__sirLog;
}

/** Layout facts of the inline or dialog form, for checks that hold in every engine. */
export function formLayout({ host }: { host: string }) {
  const root = document.querySelector(host)?.shadowRoot;
  const box = (selector: string) => root?.querySelector(selector)?.getBoundingClientRect() ?? null;
  const fieldset = box(".sd-fieldset");
  const lastRow = root?.querySelector(".sd-fieldset > :last-child")?.getBoundingClientRect() ?? null;
  const submit = box(".sd-form > .sd-submit");
  const gap = parseFloat(
    root?.querySelector(".sd-form") ? getComputedStyle(root.querySelector(".sd-form")!).rowGap : "NaN",
  );
  return {
    viewport: document.documentElement.clientWidth,
    scrollWidth: document.documentElement.scrollWidth,
    // Empty space at the bottom of the fieldset, below its last row.
    fieldsetSlack: fieldset && lastRow ? fieldset.bottom - lastRow.bottom : NaN,
    // From the fieldset to the Donate button: the form's gap, nothing more.
    fieldsetToSubmit: fieldset && submit ? submit.top - fieldset.bottom : NaN,
    formGap: gap,
    submit: submit && { left: submit.left, right: submit.right, height: submit.height },
  };
}
