import { useState } from "react";
import type { SirDonateEventDetails } from "sir-donate";
import { SirDonate } from "sir-donate/react";

export function App() {
  const [monthly, setMonthly] = useState(false);
  const [started, setStarted] = useState<SirDonateEventDetails["link-created"] | null>(null);

  return (
    <main>
      <h1>Support clean water</h1>
      <label>
        <input type="checkbox" checked={monthly} onChange={(event) => setMonthly(event.target.checked)} />
        Give monthly
      </label>
      <SirDonate
        publishableKey={import.meta.env.VITE_SIR_DONATE_KEY}
        org="water-org"
        amounts={[10, 25, 50]}
        frequency={monthly ? "monthly" : "once"}
        target="new-tab"
        apiBase={import.meta.env.VITE_SIR_API_BASE}
        onLinkCreated={setStarted}
      >
        <a href="https://example.org/donate">Donate to Water.org</a>
      </SirDonate>
      {started && (
        <p role="status">
          Thank you! Your {started.frequency === "monthly" ? "monthly " : ""}donation {started.partnerDonationId} is
          waiting in the checkout tab.
        </p>
      )}
    </main>
  );
}
