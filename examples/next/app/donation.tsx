"use client";
import { useState } from "react";
import type { SirDonateEventDetails } from "sir-donate";
import { SirDonate } from "sir-donate/react";
import { API_BASE, PUBLISHABLE_KEY } from "./settings";

export function Donation() {
  const [links, setLinks] = useState<SirDonateEventDetails["link-created"][]>([]);
  return (
    <>
      <SirDonate
        publishableKey={PUBLISHABLE_KEY}
        org="water-org"
        amounts={[10, 25, 50]}
        target="new-tab"
        apiBase={API_BASE}
        onLinkCreated={(link) => setLinks((earlier) => [...earlier, link])}
      >
        <a href="https://example.org/donate">Donate to Water.org</a>
      </SirDonate>
      <ul aria-label="Donations started">
        {links.map((link) => (
          <li key={link.partnerDonationId}>{link.partnerDonationId}</li>
        ))}
      </ul>
    </>
  );
}
