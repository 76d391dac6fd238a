import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  // Pre-bundling would move the package away from its wasm file (loaded relative to the module).
  optimizeDeps: { exclude: ["sir-donate"] },
});
