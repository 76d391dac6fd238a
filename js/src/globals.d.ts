// Replaced at build time by js/build.mjs (esbuild `define` and a text replacement).
declare const __SIR_DONATE_VERSION__: string;
declare const __SIR_DONATE_CHUNK_URLS__: Record<string, URL> | undefined;
declare const __SIR_DONATE_VERIFIED__: boolean;
declare const __SIR_DONATE_FIRST_VIEW__: unknown;
declare const __SIR_DONATE_STYLE__: string;
/** dist/cdn/<version>/: file name → [its content-hashed name, its SRI hash]; null elsewhere. */
declare const __SIR_DONATE_FILES__: Record<string, [string, string]>;
