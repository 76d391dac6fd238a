// A partner's app using the npm package, bundled by esbuild and by Vite in npm.spec.ts.
import { loadSirDonate } from "sir-donate";

const params = new URLSearchParams(location.search);
const SirDonate = await loadSirDonate();
const handle = await SirDonate.mount("#donate", {
  key: "pk_test_f40ae06e2cfeb3cb6ce6bbcfa2617d6b8452aff0221c5281ba74b1183db4d378",
  org: "water-org",
  apiBase: params.get("api"),
  amounts: [5, 10],
});
handle.on("ready", () => document.body.setAttribute("data-ready", SirDonate.version));
