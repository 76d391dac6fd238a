"use client";
import { useEffect } from "react";
import { loadSirDonate } from "sir-donate";

/** Defines <sir-donate> in the browser, once; renders nothing. */
export function DefineSirDonate() {
  useEffect(() => {
    loadSirDonate().catch(console.error);
  }, []);
  return null;
}
