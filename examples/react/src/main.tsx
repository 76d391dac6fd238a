import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";

// <SirDonate> loads the widget's loader once it mounts; the wasm follows once a widget nears the viewport.
createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
