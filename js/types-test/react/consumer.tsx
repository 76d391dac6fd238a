// Type-checked in CI (`make test-types`): `<sir-donate>` in a React 19 component, as a partner
// writes it, against js/react.d.ts. Every `@ts-expect-error` must stay an error.
import type {} from "sir-donate/react";
import { useEffect, useRef, useState } from "react";
import type { HTMLSirDonateElement, SirDonateErrorCode, SirDonateEventDetails, SirDonateFrequency } from "sir-donate";

const setKey = (element: HTMLSirDonateElement | null) => element?.setAttribute("key", "pk_test_123");

export function Donate() {
  const [frequency, setFrequency] = useState<SirDonateFrequency>("once");
  const [link, setLink] = useState<SirDonateEventDetails["link-created"] | null>(null);
  const widget = useRef<HTMLSirDonateElement>(null);
  useEffect(() => {
    const element = widget.current;
    const onStatus = (event: CustomEvent<SirDonateEventDetails["status"]>) => console.log(event.detail.status);
    element?.addEventListener("sir-donate:status", onStatus);
    return () => element?.removeEventListener("sir-donate:status", onStatus);
  }, []);
  return (
    <>
      <sir-donate
        ref={setKey}
        org="water-org"
        api-base="https://devapi.sirgiving.org"
        amounts={[10, 25, 50]}
        amount={25}
        min="5"
        max={500}
        currency="USD"
        locale="en-US"
        frequency={frequency}
        lock-frequency
        lock-amount={false}
        required-fields={["email", "name"]}
        referral-code="REFER123"
        mode="button"
        target="popup"
        label="Give"
        theme="auto"
        partner-endpoint="https://partner.example/api"
        id="donate"
        className="donate"
        style={{ maxWidth: 420 }}
        onsir-donate:ready={(event) => console.log(event.detail)}
        onsir-donate:organization={(event) => console.log(event.detail.name, event.detail.ein ?? "no EIN")}
        onsir-donate:change={(event) => console.log(event.detail.amount ?? 0, event.detail.valid)}
        onsir-donate:link-created={(event) => setLink(event.detail)}
        onsir-donate:status={(event) => console.log(event.detail.status)}
        onsir-donate:completed={(event) => console.log(event.detail.partnerDonationId)}
        onsir-donate:error={(event) => {
          const code: SirDonateErrorCode = event.detail.code;
          console.log(code, event.detail.retryable);
        }}
      >
        <a href="https://example.org/donate">Donate</a>
      </sir-donate>
      <sir-donate ref={widget} org={["water-org", "st-jude"]} />
      <button onClick={() => setFrequency("monthly")}>Monthly</button>
      {link && <p>{link.partnerDonationId}</p>}

      {/* @ts-expect-error: a typo in an attribute name. */}
      <sir-donate org="water-org" ammount={25} />
      {/* @ts-expect-error: "weekly" is not a frequency. */}
      <sir-donate org="water-org" frequency="weekly" />
      {/* @ts-expect-error: options take their kebab-case attribute names. */}
      <sir-donate org="water-org" apiBase="https://devapi.sirgiving.org" />
      {/* @ts-expect-error: React keeps `key` and never passes it on; the publishable key goes in through a ref. */}
      <sir-donate key="pk_test_123" org="water-org" />
      {/* @ts-expect-error: `org` is required. */}
      <sir-donate amounts={[10]} />
      {/* @ts-expect-error: the detail of link-created has no `status`. */}
      <sir-donate org="water-org" onsir-donate:link-created={(event) => event.detail.status} />
      {/* A misspelled kebab-case *name* is not caught: TypeScript lets JSX attributes with a dash through. */}
      {/* @ts-expect-error: a bad value under a kebab-case name. */}
      <sir-donate org="water-org" lock-frequency={3} />
    </>
  );
}
