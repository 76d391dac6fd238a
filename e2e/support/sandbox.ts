import { expect, type APIRequestContext } from "@playwright/test";
import { SANDBOX_URL } from "../playwright.config";

/** The sandbox's seeded demo partner (see servers/sandbox/README.md). */
export const DEMO_KEY = "pk_test_f40ae06e2cfeb3cb6ce6bbcfa2617d6b8452aff0221c5281ba74b1183db4d378";
export const DEMO_SECRET_KEY = "sk_test_c324ca5be4ee54c387386da622872f2a9eb5d1ed549a534a0c77236730a939b7";

/** Talks to the sandbox's loopback-only test controls. */
export class Sandbox {
  constructor(private readonly request: APIRequestContext) {}

  async reset() {
    expect((await this.request.post(`${SANDBOX_URL}/__sandbox/reset`)).ok()).toBeTruthy();
  }

  async stats(): Promise<{ requests: Record<string, number>; donations: number }> {
    return (await this.request.get(`${SANDBOX_URL}/__sandbox/stats`)).json();
  }

  async requests(): Promise<Array<{ method: string; path: string; keyPrefix: string }>> {
    return (await this.request.get(`${SANDBOX_URL}/__sandbox/requests`)).json();
  }

  async fault(fault: Record<string, unknown>) {
    expect((await this.request.post(`${SANDBOX_URL}/__sandbox/faults`, { data: fault })).ok()).toBeTruthy();
  }

  /** Sets a donation's status, or scripts what the next polls return. */
  async scriptStatus(partnerDonationId: string, change: { status?: string; sequence?: string[] }) {
    const url = `${SANDBOX_URL}/__sandbox/donations/${partnerDonationId}/status`;
    expect((await this.request.post(url, { data: change })).ok()).toBeTruthy();
  }

  /** Creates a $25 donation link to Water.org with the publishable key, as the widget would. */
  async createLink(): Promise<string> {
    const created = await this.request.post(`${SANDBOX_URL}/v1/partner/donations/create-link`, {
      headers: { "X-Partner-Key": DEMO_KEY },
      data: { nonprofitSlug: "water-org", amount: 2500, currency: "USD", frequency: "once" },
    });
    expect(created.status()).toBe(201);
    return (await created.json()).partnerDonationId;
  }

  /** Reads a donation's status the way a partner's server would, with the publishable key. */
  async donationStatus(partnerDonationId: string): Promise<string> {
    const response = await this.request.get(`${SANDBOX_URL}/v1/partner/donations/status/${partnerDonationId}`, {
      headers: { "X-Partner-Key": DEMO_KEY },
    });
    expect(response.status()).toBe(200);
    return (await response.json()).status;
  }
}
