/** The publishable key and, for a local sandbox only, the API host (`.env`). Inlined at build time. */
export const PUBLISHABLE_KEY = process.env.NEXT_PUBLIC_SIR_DONATE_KEY ?? "";
export const API_BASE = process.env.NEXT_PUBLIC_SIR_API_BASE || undefined;
