import { Donation } from "./donation";

// A server component: the page's HTML holds <sir-donate> with its attributes, from the
// SirDonate component inside <Donation> (a client component, for its callback and state).
export default function Home() {
  return (
    <main>
      <h1>Support clean water</h1>
      <Donation />
    </main>
  );
}
