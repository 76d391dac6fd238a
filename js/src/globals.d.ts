// Replaced at build time by js/build.mjs (esbuild `define` and a text replacement).
declare const __SIR_DONATE_VERSION__: string;
declare const __SIR_DONATE_CHUNK_URLS__: Record<string, URL> | undefined;
declare const __SIR_DONATE_VERIFIED__: boolean;
