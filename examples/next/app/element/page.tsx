import { DefineSirDonate } from "../define-sir-donate";
import { API_BASE, PUBLISHABLE_KEY } from "../settings";

// The bare element in a server component: the key as publishable-key (React keeps `key`),
// lists as text (React leaves an array out of the server's HTML).
export default function ElementPage() {
  return (
    <main>
      <h1>The element, rendered on the server</h1>
      <sir-donate
        publishable-key={PUBLISHABLE_KEY}
        org="water-org"
        amounts="10,25,50"
        target="new-tab"
        api-base={API_BASE}
      >
        <a href="https://example.org/donate">Donate to Water.org</a>
      </sir-donate>
      <DefineSirDonate />
    </main>
  );
}
