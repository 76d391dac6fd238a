import type { NextConfig } from "next";

// Nothing for sir-donate: Turbopack and webpack copy its wasm files and serve them as application/wasm.
const config: NextConfig = {
  // The default for the App Router, said out loud: the dev server runs every effect twice.
  reactStrictMode: true,
};

export default config;
