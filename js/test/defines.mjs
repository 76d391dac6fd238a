// What js/build.mjs defines at build time, as the script-tag and npm builds have it. Imported
// before the loader's modules, which read them when they load.
globalThis.__SIR_DONATE_VERSION__ = "0.0.0-test";
globalThis.__SIR_DONATE_VERIFIED__ = false;
// No first view in the unit tests: the fake page can't parse HTML (the browser tiers paint it).
globalThis.__SIR_DONATE_FIRST_VIEW__ = null;
globalThis.__SIR_DONATE_STYLE__ = "";
// The element class extends the page's HTMLElement when its module loads: the fake page's.
import { FakeNode } from "./fake-page.mjs";
globalThis.HTMLElement = FakeNode;
