// The demo partner page's pretend sign-in: the partner server identifies the donor
// with a session cookie, so the widget can show their SIR balance after a donation.
const form = document.getElementById("signin");
const status = document.getElementById("signin-status");

async function showRewards() {
  const response = await fetch("/sir/rewards", { credentials: "include" });
  const rewards = response.ok ? await response.json() : { signedIn: false };
  status.textContent = rewards.signedIn
    ? `Signed in as ${rewards.email}: SIR balance ${rewards.balance}.`
    : "Not signed in: rewards go to the email you give at checkout.";
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const email = new FormData(form).get("email");
  await fetch("/sir/session", {
    method: "POST",
    credentials: "include",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email }),
  });
  await showRewards();
});
document.addEventListener("sir-donate:completed", () => setTimeout(showRewards, 1500));
showRewards().catch(() => {
  status.textContent = "The partner server is not running: the widget still works without rewards.";
});
