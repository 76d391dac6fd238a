import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { loadSirDonate } from "sir-donate";
import { App } from "./App";

// Defines <sir-donate>. The widget's code loads once a widget nears the viewport.
loadSirDonate().catch(console.error);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
