import { expect, type Locator, type Page } from "@playwright/test";

/** A donor's view of one <sir-donate> widget. Locators pierce its open shadow root. */
export class DonateWidget {
  readonly root: Locator;

  constructor(private readonly page: Page, selector = "sir-donate") {
    this.root = page.locator(selector);
  }

  /** Records every `sir-donate:*` event on the page into window.__sirEvents. */
  static async recordEvents(page: Page) {
    await page.addInitScript(() => {
      const events: Array<{ type: string; detail: unknown }> = [];
      (window as unknown as { __sirEvents: typeof events }).__sirEvents = events;
      for (const type of ["ready", "organization", "link-created", "status", "completed", "error"]) {
        document.addEventListener(`sir-donate:${type}`, (event) =>
          events.push({ type, detail: (event as CustomEvent).detail }),
        );
      }
    });
  }

  async events(type: string): Promise<Array<Record<string, unknown>>> {
    const all = await this.page.evaluate(() => (window as unknown as { __sirEvents: Array<{ type: string; detail: Record<string, unknown> }> }).__sirEvents);
    return all.filter((e) => e.type === type).map((e) => e.detail);
  }

  async seeNonprofit(name: string) {
    await expect(this.root.getByText(name, { exact: true })).toBeVisible();
  }

  async pickAmount(label: string) {
    await this.root.getByRole("radio", { name: label }).check();
  }

  async typeOtherAmount(value: string) {
    await this.root.getByLabel(/Other amount/).fill(value);
  }

  async fillEmail(email: string) {
    await this.root.getByLabel(/Email/).fill(email);
  }

  donateButton(label: string | RegExp = /^Donate/) {
    return this.root.getByRole("button", { name: label });
  }

  async seeAlert(text: string | RegExp) {
    await expect(this.root.getByRole("alert")).toContainText(text);
  }

  async seeStatus(text: string | RegExp) {
    await expect(this.root.getByRole("status")).toContainText(text, { timeout: 20_000 });
  }
}
