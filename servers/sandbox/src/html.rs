//! Minimal HTML building for the sandbox's own pages: escaping and one page frame.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// Escapes text for HTML and XML, in element content and in quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// No script may run and nothing loads from elsewhere; forms post only back here.
/// Framing is not restricted: the docs don't say whether the real checkout allows it.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'";

const STYLE: &str = "\
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1a1a1a}\
main{max-width:480px;margin:24px auto;background:#fff;padding:24px;border-radius:12px}\
.banner{margin:0;background:#fff3cd;color:#5c4400;padding:8px 16px;text-align:center;font-weight:600}\
.org{display:flex;gap:12px;align-items:center}.org img{border-radius:12px}\
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 16px}dt{color:#555}dd{margin:0}\
[role=status]{font-weight:700;padding:12px;border-radius:8px;background:#eef3ff}\
.actions{display:flex;flex-wrap:wrap;gap:8px;align-items:center}form{margin:0}.tools{margin-top:16px}\
button{font:inherit;font-weight:700;min-height:44px;padding:0 20px;border-radius:10px;border:2px solid #0b5fff;\
background:#0b5fff;color:#fff;cursor:pointer}button:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}\
button.secondary{background:#fff;color:#0b5fff}button.tool{background:#fff;color:#8a1c1c;border:2px dashed #8a1c1c}\
code{word-break:break-all}";

/// A complete page around `body` (already-escaped HTML), with the sandbox banner.
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>\
<style>{STYLE}</style></head>\n<body><p class=\"banner\" role=\"note\">SIR sandbox — no real money moves</p>\n\
<main>\n{body}\n</main></body></html>\n",
        title = escape(title),
    );
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_markup_character() {
        assert_eq!(
            escape(r#"Kids & Arts <Fund> "Create" 'Now'"#),
            "Kids &amp; Arts &lt;Fund&gt; &quot;Create&quot; &#39;Now&#39;"
        );
    }
}
