import type { NextConfig } from "next";

// Nothing for sir-donate: Turbopack and webpack copy its wasm files and serve them as application/wasm.
const config: NextConfig = {
  // The default for the App Router, said out loud: the dev server runs every effect twice.
  reactStrictMode: true,
  // Routes navigated away from stay, hidden (React's <Activity>): effects are cleaned up and run
  // again on the way back, while the DOM, and so each widget, stays.
  cacheComponents: true,
};

export default config;
