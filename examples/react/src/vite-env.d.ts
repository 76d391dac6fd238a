/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Your publishable key: pk_test_… (sandbox) or pk_live_… (production). */
  readonly VITE_SIR_DONATE_KEY: string;
  /** Only for a local sandbox: otherwise the key picks the API. */
  readonly VITE_SIR_API_BASE?: string;
}
