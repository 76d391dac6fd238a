import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

export default defineConfig({
  // <sir-donate> is a custom element, not a Vue component.
  plugins: [vue({ template: { compilerOptions: { isCustomElement: (tag) => tag === "sir-donate" } } })],
  // Pre-bundling would move the package away from its wasm file (loaded relative to the module).
  optimizeDeps: { exclude: ["sir-donate"] },
});
