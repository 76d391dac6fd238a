//! The hosted checkout every `donationLink` points at, and the nonprofits' logos.
//! Plain HTML with no script: every API-derived string is escaped.

use std::fmt::Write as _;
use std::time::SystemTime;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::seed;
use crate::state::{AppState, Status};

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

/// `2500` USD → `$25.00`.
pub fn format_amount(cents: u64, currency: &str) -> String {
    let symbol = match currency {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "CAD" => "CA$",
        "AUD" => "A$",
        _ => "",
    };
    let digits = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{symbol}{grouped}.{:02}", cents % 100)
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1a1a1a}}main{{max-width:480px;margin:32px auto;background:#fff;padding:24px;border-radius:12px}}
.banner{{background:#fff3cd;color:#5c4400;padding:8px 16px;text-align:center;font-weight:600}}.org{{display:flex;gap:12px;align-items:center}}
button{{font:inherit;font-weight:700;min-height:48px;padding:0 20px;border-radius:10px;border:0;background:#0b5fff;color:#fff;cursor:pointer;margin:4px 0}}
button.secondary{{background:#fff;color:#0b5fff;border:2px solid #0b5fff}}button.tool{{background:#fff;color:#8a1c1c;border:2px dashed #8a1c1c}}
form{{display:inline}}dl{{display:grid;grid-template-columns:auto 1fr;gap:4px 12px}}dt{{color:#555}}</style></head>
<body><div class="banner">SIR sandbox — no real money moves</div><main>{body}</main></body></html>"#,
        title = escape(title)
    ))
}

pub async fn checkout(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let ttl = state.config.checkout_ttl;
    let inner = state.lock();
    let Some(donation) = inner.donations.get(&id) else {
        return (
            StatusCode::NOT_FOUND,
            page("Checkout not found", "<h1>Checkout not found</h1><p>This link is not valid.</p>"),
        )
            .into_response();
    };
    let org = seed::nonprofit(donation.nonprofit_slug);
    let org_name = org.map_or(donation.nonprofit_slug, |o| o.name);
    let partner = seed::partner_by_id(donation.partner_id).map_or("", |p| p.name);
    let mut body = String::new();
    let _ = write!(
        body,
        r#"<div class="org"><img src="/logos/{slug}.svg" alt="" width="56" height="56"><div><h1 style="margin:0;font-size:1.3em">{name}</h1><div>EIN {ein}</div></div></div>
<dl><dt>Amount</dt><dd>{amount}</dd><dt>Frequency</dt><dd>{frequency}</dd>"#,
        slug = escape(donation.nonprofit_slug),
        name = escape(org_name),
        ein = escape(org.map_or("", |o| o.ein)),
        amount = escape(&format_amount(donation.amount, &donation.currency)),
        frequency = if donation.frequency == "monthly" { "monthly" } else { "one-time" },
    );
    if let Some(tip) = donation.tip_amount.filter(|t| *t > 0) {
        let _ = write!(body, "<dt>Tip</dt><dd>{}</dd>", escape(&format_amount(tip, &donation.currency)));
    }
    if let Some(email) = &donation.donor_email {
        let _ = write!(body, "<dt>Email</dt><dd>{}</dd>", escape(email));
    }
    let _ = write!(body, "<dt>Via</dt><dd>{} ({})</dd></dl>", escape(partner), escape(&donation.provider));
    let (state_text, open) = match donation.current_status(ttl) {
        Status::Pending => ("Waiting for payment.", true),
        Status::Completed => ("Thank you — your donation is complete.", false),
        Status::Cancelled => ("Donation cancelled. No money was taken.", false),
        Status::Failed => ("Payment failed. No money was taken.", false),
        Status::Expired => ("This checkout link has expired.", false),
    };
    let _ = write!(body, r#"<p role="status"><strong>{state_text}</strong></p>"#);
    if open {
        let id = escape(&donation.id);
        let _ = write!(
            body,
            r#"<form method="post" action="/checkout/{id}/complete"><button type="submit">Complete donation</button></form>
<form method="post" action="/checkout/{id}/cancel"><button type="submit" class="secondary">Cancel</button></form>
<p><form method="post" action="/checkout/{id}/fail"><button type="submit" class="tool">Simulate failure</button></form> <small>(sandbox tool)</small></p>"#
        );
    }
    if let Some(origin) = &donation.return_origin {
        let origin = escape(origin);
        let _ = write!(body, r#"<p><a href="{origin}">Return to {origin}</a></p>"#);
    }
    page(&format!("Donate to {org_name}"), &body).into_response()
}

async fn finish(state: &AppState, id: &str, to: Status) -> Redirect {
    let ttl = state.config.checkout_ttl;
    if let Some(donation) = state.lock().donations.get_mut(id) {
        // Only an open checkout changes; a repeated POST just shows the result.
        if donation.current_status(ttl) == Status::Pending {
            donation.status = to;
            donation.updated = SystemTime::now();
            tracing::info!(donation = %donation.id, status = ?to, "checkout finished");
        }
    }
    Redirect::to(&format!("/checkout/{}", urlencode(id)))
}

fn urlencode(segment: &str) -> String {
    segment.chars().filter(char::is_ascii_alphanumeric).collect()
}

pub async fn complete(State(state): State<AppState>, Path(id): Path<String>) -> Redirect {
    finish(&state, &id, Status::Completed).await
}

pub async fn cancel(State(state): State<AppState>, Path(id): Path<String>) -> Redirect {
    finish(&state, &id, Status::Cancelled).await
}

pub async fn fail(State(state): State<AppState>, Path(id): Path<String>) -> Redirect {
    finish(&state, &id, Status::Failed).await
}

/// A generated logo: the nonprofit's initials on its colour.
pub async fn logo(Path(file): Path<String>) -> Response {
    let slug = file.strip_suffix(".svg").unwrap_or(&file);
    let Some(org) = seed::nonprofit(slug) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let initials: String =
        org.name.split_whitespace().filter_map(|w| w.chars().next()).filter(|c| c.is_alphanumeric()).take(2).collect();
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="{name}"><rect width="64" height="64" rx="12" fill="{color}"/><text x="32" y="41" font-family="sans-serif" font-size="24" font-weight="700" fill="#fff" text-anchor="middle">{initials}</text></svg>"##,
        name = escape(org.name),
        color = org.color,
        initials = escape(&initials),
    );
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=3600")], svg).into_response()
}

/// The index page: what this server is and its seeded data.
pub async fn index(State(state): State<AppState>) -> Html<String> {
    let mut body = String::from(
        "<h1>SIR Giving sandbox</h1><p>A local emulator of the SIR Giving Partner API for sir-donate.</p><h2>Partners</h2>",
    );
    for p in &seed::PARTNERS {
        let _ = write!(
            body,
            "<h3>{}</h3><dl><dt>Publishable</dt><dd><code>{}</code></dd><dt>Secret</dt><dd><code>{}</code></dd><dt>hmacSecret</dt><dd><code>{}</code></dd></dl>",
            escape(p.name),
            escape(p.publishable_key),
            escape(p.secret_key),
            escape(p.hmac_secret)
        );
    }
    body.push_str("<h2>Nonprofits</h2><ul>");
    for n in &seed::NONPROFITS {
        let inactive = if n.active { "" } else { " (inactive)" };
        let _ = write!(body, "<li><code>{}</code> — {}{inactive}</li>", escape(n.slug), escape(n.name));
    }
    let _ = write!(body, "</ul><p>API base URL: <code>{}</code></p>", escape(&state.config.public_url));
    page("SIR sandbox", &body)
}
