// Type-checked in CI (`make test-types`): `<SirDonate>` and the bare `<sir-donate>` in a React 19
// component, as a partner writes them, against js/react.d.ts. Every `@ts-expect-error` must stay an error.
import { SirDonate, type SirDonateProps } from "sir-donate/react";
import { useEffect, useRef, useState } from "react";
import type { HTMLSirDonateElement, SirDonateErrorCode, SirDonateEventDetails, SirDonateFrequency } from "sir-donate";

/** The component: every option by its JS name, lists as arrays, events as callbacks. */
export function DonateWithComponent({ monthly }: { monthly: boolean }) {
  const widget = useRef<HTMLSirDonateElement>(null);
  const props: SirDonateProps = { publishableKey: "pk_test_123", org: ["water-org", "st-jude"] };
  return (
    <>
      <SirDonate
        ref={widget}
        publishableKey="pk_test_123"
        org="water-org"
        apiBase="https://devapi.sirgiving.org"
        amounts={[10, 25, 50]}
        amount={25}
        min="5"
        max={500}
        currency="USD"
        locale="en-US"
        frequency={monthly ? "monthly" : "once"}
        lockFrequency
        lockAmount={false}
        requiredFields={["email", "name"]}
        referralCode="REFER123"
        impact={{ 25: "A week of clean water" }}
        analytics="gtag"
        mode="button"
        target="popup"
        label="Give"
        theme="auto"
        partnerEndpoint="https://partner.example/api"
        id="donate"
        className="donate"
        style={{ maxWidth: 420 }}
        onReady={() => console.log("ready")}
        onLinkCreated={(detail) => console.log(detail.partnerDonationId, detail.amount)}
        onCompleted={(detail) => console.log(detail.partnerDonationId)}
        onError={(detail) => {
          const code: SirDonateErrorCode = detail.code;
          console.log(code, detail.retryable);
        }}
      >
        <a href="https://example.org/donate">Donate</a>
      </SirDonate>
      <SirDonate {...props} amounts="10,25,50" />

      {/* @ts-expect-error: the publishable key is required. */}
      <SirDonate org="water-org" />
      {/* @ts-expect-error: React keeps `key`; the component takes `publishableKey`. */}
      <SirDonate key="pk_test_123" org="water-org" />
      {/* @ts-expect-error: a typo in an option's name. */}
      <SirDonate publishableKey="pk_test_123" org="water-org" apiBse="https://devapi.sirgiving.org" />
      {/* @ts-expect-error: "weekly" is not a frequency. */}
      <SirDonate publishableKey="pk_test_123" org="water-org" frequency="weekly" />
      {/* @ts-expect-error: the detail of link-created has no `status`. */}
      <SirDonate publishableKey="pk_test_123" org="water-org" onLinkCreated={(detail) => detail.status} />
    </>
  );
}

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
        publishable-key="pk_test_123"
        org="water-org"
        api-base="https://devapi.sirgiving.org"
        amounts="10,25,50"
        amount={25}
        min="5"
        max={500}
        currency="USD"
        locale="en-US"
        frequency={frequency}
        lock-frequency
        lock-amount={false}
        required-fields="email,name"
        referral-code="REFER123"
        impact="25: A week of clean water | 50: A month of school meals"
        url-prefill
        goal="5000"
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
      <sir-donate ref={widget} publishable-key="pk_test_123" org="water-org,st-jude" />
      <button type="button" onClick={() => setFrequency("monthly")}>
        Monthly
      </button>
      {link && <p>{link.partnerDonationId}</p>}

      {/* @ts-expect-error: a typo in an attribute name. */}
      <sir-donate org="water-org" ammount={25} />
      {/* @ts-expect-error: "weekly" is not a frequency. */}
      <sir-donate org="water-org" frequency="weekly" />
      {/* @ts-expect-error: options take their kebab-case attribute names. */}
      <sir-donate org="water-org" apiBase="https://devapi.sirgiving.org" />
      {/* @ts-expect-error: React keeps `key` and never passes it on; the publishable key goes in as `publishable-key`. */}
      <sir-donate key="pk_test_123" org="water-org" />
      {/* @ts-expect-error: `org` is required. */}
      <sir-donate amounts="10" />
      {/* @ts-expect-error: an array is left out of the server's HTML: lists are comma-separated text here. */}
      <sir-donate org="water-org" amounts={[10, 25, 50]} />
      {/* @ts-expect-error: likewise for several nonprofits. */}
      <sir-donate org={["water-org", "st-jude"]} />
      {/* @ts-expect-error: and for the required fields. */}
      <sir-donate org="water-org" required-fields={["email"]} />
      {/* @ts-expect-error: the detail of link-created has no `status`. */}
      <sir-donate org="water-org" onsir-donate:link-created={(event) => event.detail.status} />
      {/* A misspelled kebab-case *name* is not caught: TypeScript lets JSX attributes with a dash through. */}
      {/* @ts-expect-error: a bad value under a kebab-case name. */}
      <sir-donate org="water-org" lock-frequency={3} />
    </>
  );
}
