import { expect, type Locator, type Page } from "@playwright/test";

/** Holds the main wasm module back until `release()`: the page as a donor sees it before the wasm. */
export async function holdWasm(page: Page) {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/wasm/sir-donate_bg.wasm", async (route) => {
    await held;
    await route.continue().catch(() => {});
  });
  return release;
}

/** Stores a Water.org donation (from `Sandbox.createLink`) where the widget keeps the one it
 * follows, as after a return from the checkout: the next widget on this origin follows it. */
export async function rememberDonation(page: Page, partnerDonationId: string, key: string) {
  await page.evaluate(
    ([key, id]) =>
      sessionStorage.setItem(
        `sir-donate:donation:${key}:water-org`,
        JSON.stringify({
          partnerDonationId: id,
          nonprofitSlug: "water-org",
          nonprofitName: "Water.org",
          amount: 2500,
          currency: "USD",
          frequency: "once",
        }),
      ),
    [key, partnerDonationId],
  );
}

/** A donor's view of one <sir-donate> widget. Locators pierce its open shadow root. */
export class DonateWidget {
  readonly root: Locator;

  constructor(
    private readonly page: Page,
    selector = "sir-donate",
  ) {
    this.root = page.locator(selector);
  }

  /** Every `sir-donate:*` event the page dispatched, kept on the test's side so
   * that it survives the donor navigating to the checkout. */
  private readonly log: Array<{ type: string; detail: Record<string, unknown> }> = [];

  /** Starts recording events; call before the page loads. */
  async recordEvents() {
    await this.page.exposeBinding("__sirRecord", (_source, type: string, detail: Record<string, unknown>) => {
      this.log.push({ type, detail });
    });
    await this.page.addInitScript(() => {
      const record = (window as unknown as { __sirRecord: (type: string, detail: unknown) => void }).__sirRecord;
      for (const type of ["ready", "organization", "change", "link-created", "status", "completed", "error"]) {
        document.addEventListener(`sir-donate:${type}`, (event) => record(type, (event as CustomEvent).detail));
      }
    });
  }

  async events(type: string): Promise<Array<Record<string, unknown>>> {
    return this.log.filter((e) => e.type === type).map((e) => e.detail);
  }

  async seeNonprofit(name: string) {
    // The header names the nonprofit (a chooser may list it too).
    await expect(this.root.locator('[part~="organization"]').getByText(name, { exact: true })).toBeVisible();
  }

  async pickAmount(label: string) {
    await this.root.getByRole("radio", { name: label, exact: true }).check();
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
