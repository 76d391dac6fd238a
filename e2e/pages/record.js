// Test pages load this first, before the widget: it keeps what a partner's page can
// observe (the widget's events, page errors, CSP violations) on `window.__sirLog`, in
// every engine alike. WebKit's WebDriver has no log endpoint and no preload scripts, so
// the record lives in the page itself.
(() => {
  var log = { events: [], errors: [], violations: [] };
  window.__sirLog = log;
  ["ready", "organization", "change", "link-created", "status", "completed", "error"].forEach((type) => {
    document.addEventListener(
      `sir-donate:${type}`,
      (event) => {
        var target = event.target;
        log.events.push({ type: type, target: target.id || target.localName, detail: event.detail });
      },
      true,
    );
  });
  window.addEventListener("error", (event) => {
    log.errors.push(String(event.message));
  });
  window.addEventListener("unhandledrejection", (event) => {
    log.errors.push(String(event.reason));
  });
  document.addEventListener("securitypolicyviolation", (event) => {
    log.violations.push(`${event.violatedDirective} ${event.blockedURI}`);
  });
})();
