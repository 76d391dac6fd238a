import { useState } from "react";
import type { HTMLSirDonateElement, SirDonateEventDetails } from "sir-donate";

// React keeps `key` for itself (it never reaches the element), so the publishable key is set here.
function setPublishableKey(widget: HTMLSirDonateElement | null) {
  widget?.setAttribute("key", import.meta.env.VITE_SIR_DONATE_KEY);
}

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
      <sir-donate
        ref={setPublishableKey}
        org="water-org"
        amounts={[10, 25, 50]}
        frequency={monthly ? "monthly" : "once"}
        target="new-tab"
        api-base={import.meta.env.VITE_SIR_API_BASE}
        onsir-donate:link-created={(event) => setStarted(event.detail)}
      >
        <a href="https://example.org/donate">Donate to Water.org</a>
      </sir-donate>
      {started && (
        <p role="status">
          Thank you! Your {started.frequency === "monthly" ? "monthly " : ""}donation {started.partnerDonationId} is
          waiting in the checkout tab.
        </p>
      )}
    </main>
  );
}
