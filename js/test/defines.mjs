// What js/build.mjs defines at build time, as the script-tag and npm builds have it. Imported
// before the loader's modules, which read them when they load.
globalThis.__SIR_DONATE_VERSION__ = "0.0.0-test";
globalThis.__SIR_DONATE_VERIFIED__ = false;
