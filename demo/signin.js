// The demo partner page's pretend sign-in (the partner server's PARTNER_IDENTITY=demo):
// the partner server identifies the donor with a session cookie, so donations made here
// are theirs, and the widget shows their reward and SIR balance.
const form = document.getElementById("signin");
const status = document.getElementById("signin-status");

async function showRewards() {
  const response = await fetch("/sir/rewards", { credentials: "include" });
  const rewards = response.ok ? await response.json() : { signedIn: false };
  status.textContent = rewards.signedIn
    ? `Signed in as ${rewards.email}: SIR balance ${rewards.balance}.`
    : "Not signed in: donations made now are nobody's, so they earn no reward here.";
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
// The reward follows SIR's webhook and the partner server's call to SIR: look a few times.
document.addEventListener("sir-donate:completed", () => {
  for (const delay of [1500, 4000, 8000]) setTimeout(showRewards, delay);
});
showRewards().catch(() => {
  status.textContent = "The partner server is not running: the widget still works without rewards.";
});
