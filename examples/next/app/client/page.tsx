"use client";
import { useEffect, useRef, useState } from "react";
import { loadSirDonate, type SirDonateEventDetails, type SirDonateHandle } from "sir-donate";
import { API_BASE, PUBLISHABLE_KEY } from "../settings";

// The JS API in a client component. Strict Mode runs the effect, its cleanup and the effect
// again: the second mount() takes the target over, and the first handle's destroy() (once it
// arrives) leaves the second widget alone.
export default function ClientPage() {
  const target = useRef<HTMLDivElement>(null);
  const [links, setLinks] = useState<SirDonateEventDetails["link-created"][]>([]);
  useEffect(() => {
    const mounted: Promise<SirDonateHandle | undefined> = loadSirDonate().then(async (SirDonate) => {
      if (!SirDonate || !target.current) return undefined;
      const handle = await SirDonate.mount(target.current, {
        publishableKey: PUBLISHABLE_KEY,
        org: "water-org",
        amounts: [10, 25, 50],
        target: "new-tab",
        apiBase: API_BASE,
      });
      handle.on("link-created", (link) => setLinks((earlier) => [...earlier, link]));
      return handle;
    });
    mounted.catch(console.error);
    return () => {
      mounted.then(
        (handle) => handle?.destroy(),
        () => {},
      );
    };
  }, []);
  return (
    <main>
      <h1>Give with the JS API</h1>
      <div id="donate" ref={target} />
      <ul aria-label="Donations started">
        {links.map((link) => (
          <li key={link.partnerDonationId}>{link.partnerDonationId}</li>
        ))}
      </ul>
    </main>
  );
}
