//! The hosted checkout every `donationLink` points at, and the index page.
//!
//! Plain HTML forms with no script and no external resource; every string that came
//! from an API call or the seed is escaped. After a POST the page redirects (303) to
//! itself, so reloading never re-submits.

use std::fmt::Write as _;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Redirect, Response};

use crate::html::{escape, page};
use crate::model::{Donation, DonationStatus, Frequency, Provider};
use crate::seed;
use crate::state::AppState;
use crate::webhooks;

/// `2500` USD → `$25.00`; thousands grouped.
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
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{symbol}{grouped}.{:02}", cents % 100)
}

/// `GET /checkout/{id}`.
pub async fn show(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let ttl = state.config.checkout_ttl;
    let inner = state.lock();
    match inner.donations.get(&id) {
        Some(donation) => {
            let status = donation.status(ttl);
            page(StatusCode::OK, &format!("Donate to {}", donation.nonprofit.name), &checkout_body(donation, status))
        }
        None => page(
            StatusCode::NOT_FOUND,
            "Checkout not found",
            "<h1>Checkout not found</h1>\n<p>This donation link is not valid. No money was taken.</p>",
        ),
    }
}

fn checkout_body(donation: &Donation, status: DonationStatus) -> String {
    let org = donation.nonprofit;
    let money = |cents| escape(&format_amount(cents, donation.currency));
    let mut body = String::new();
    // `write!` into a String can't fail.
    let _ = write!(
        body,
        "<h1>Your donation</h1>\n<div class=\"org\"><img src=\"/logos/{slug}.svg\" alt=\"\" width=\"64\" height=\"64\">\
<div><strong>{name}</strong><br>EIN {ein}</div></div>\n<dl>\n<dt>Amount</dt><dd>{amount}</dd>\n\
<dt>Frequency</dt><dd>{frequency}</dd>\n",
        slug = escape(org.slug),
        name = escape(org.name),
        ein = escape(org.ein),
        amount = money(donation.amount),
        frequency = match donation.frequency {
            Frequency::Once => "one-time",
            Frequency::Monthly => "monthly",
        },
    );
    if let Some(tip) = donation.tip.filter(|tip| *tip > 0) {
        let total = donation.amount.saturating_add(tip);
        let _ = write!(body, "<dt>Tip</dt><dd>{}</dd>\n<dt>Total</dt><dd>{}</dd>\n", money(tip), money(total));
    }
    let name = [&donation.donor.first_name, &donation.donor.last_name]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if !name.is_empty() {
        let _ = writeln!(body, "<dt>Donor</dt><dd>{}</dd>", escape(&name));
    }
    if let Some(email) = &donation.donor.email {
        let _ = writeln!(body, "<dt>Email</dt><dd>{}</dd>", escape(email));
    }
    let provider = match donation.provider {
        Provider::Stripe => "Stripe",
        Provider::EveryOrg => "Every.org",
    };
    let _ = writeln!(body, "<dt>Processor</dt><dd>{provider} (simulated)</dd>\n</dl>");

    let message = match status {
        DonationStatus::Pending => "Waiting for you to complete the donation.",
        DonationStatus::Completed => "Thank you — your donation is complete.",
        DonationStatus::Cancelled => "Donation cancelled. No money was taken.",
        DonationStatus::Failed => "Payment failed. No money was taken.",
        DonationStatus::Expired => "This checkout link has expired. No money was taken.",
    };
    let _ = writeln!(body, "<p role=\"status\" id=\"checkout-status\">{message}</p>");
    if status == DonationStatus::Pending {
        // The id is ours (24 hex), but escape it anyway: it came in through the URL.
        let id = escape(&donation.id);
        let _ = write!(
            body,
            "<div class=\"actions\">\
<form method=\"post\" action=\"/checkout/{id}/complete\"><button type=\"submit\" id=\"complete\">Complete donation</button></form>\
<form method=\"post\" action=\"/checkout/{id}/cancel\"><button type=\"submit\" id=\"cancel\" class=\"secondary\">Cancel</button></form>\
</div>\n<form method=\"post\" action=\"/checkout/{id}/fail\" class=\"actions tools\">\
<button type=\"submit\" id=\"fail\" class=\"tool\">Simulate failure</button>\
<small>Sandbox tool: a real checkout has no such button.</small></form>\n",
        );
    }
    if let Some(origin) = &donation.return_origin {
        let origin = escape(origin);
        let _ = writeln!(body, "<p><a id=\"return\" href=\"{origin}\">Return to {origin}</a></p>");
    }
    body
}

/// `POST /checkout/{id}/complete`.
pub async fn complete(state: State<AppState>, id: Path<String>) -> Redirect {
    finish(state, id, DonationStatus::Completed)
}

/// `POST /checkout/{id}/cancel`.
pub async fn cancel(state: State<AppState>, id: Path<String>) -> Redirect {
    finish(state, id, DonationStatus::Cancelled)
}

/// `POST /checkout/{id}/fail`: a sandbox tool, so tests can reach the failed state.
pub async fn fail(state: State<AppState>, id: Path<String>) -> Redirect {
    finish(state, id, DonationStatus::Failed)
}

/// Only a pending donation changes; a POST on a finished, expired or unknown one
/// just redirects to the page, which shows how it stands.
fn finish(State(state): State<AppState>, Path(id): Path<String>, to: DonationStatus) -> Redirect {
    let ttl = state.config.checkout_ttl;
    let completion = {
        let mut inner = state.lock();
        match inner.donations.get_mut(&id) {
            Some(donation) if donation.status(ttl) == DonationStatus::Pending => {
                donation.finish(to, ttl);
                tracing::info!(donation = %donation.id, status = ?to, "checkout finished");
                donation.take_completion().map(|data| (donation.partner_id, data))
            }
            _ => None,
        }
    };
    if let Some((partner_id, data)) = completion {
        webhooks::emit(&state, partner_id, webhooks::TRANSACTION_COMPLETED, data);
    }
    // Only hex digits ever name a donation; dropping the rest keeps the Location header clean.
    let id: String = id.chars().filter(char::is_ascii_hexdigit).collect();
    Redirect::to(&format!("/checkout/{id}"))
}

/// `GET /`: what this server is, with the seeded keys and nonprofits.
pub async fn index(State(state): State<AppState>) -> Response {
    let mut body = String::from(
        "<h1>SIR Giving sandbox</h1>\n<p>A local emulator of the SIR Giving Partner API, for sir-donate's demo and tests. \
All data lives in memory.</p>\n",
    );
    let _ = writeln!(body, "<p>API base URL: <code>{}</code></p>\n<h2>Partners</h2>", escape(&state.config.public_url));
    for p in &seed::PARTNERS {
        let notes = match (p.is_active, p.donations_enabled()) {
            (false, _) => " (inactive)",
            (true, false) => " (no DONATIONS feature)",
            (true, true) => "",
        };
        let _ = writeln!(
            body,
            "<h3>{name}{notes}</h3>\n<dl><dt>Slug</dt><dd><code>{slug}</code></dd><dt>Publishable key</dt><dd><code>{pk}</code></dd>\
<dt>Secret key</dt><dd><code>{sk}</code></dd><dt>hmacSecret</dt><dd><code>{hmac}</code></dd></dl>",
            name = escape(p.name),
            slug = escape(p.slug),
            pk = escape(p.publishable_key),
            sk = escape(p.secret_key),
            hmac = escape(p.hmac_secret),
        );
    }
    body.push_str("<h2>Nonprofits</h2>\n<ul>\n");
    for n in &seed::NONPROFITS {
        let inactive = if n.active { "" } else { " (inactive)" };
        let _ = writeln!(
            body,
            "<li><code>{}</code> — {} (EIN {}){inactive}</li>",
            escape(n.slug),
            escape(n.name),
            escape(n.ein)
        );
    }
    body.push_str("</ul>");
    page(StatusCode::OK, "SIR sandbox", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_formatted_per_currency() {
        assert_eq!(format_amount(2500, "USD"), "$25.00");
        assert_eq!(format_amount(2505, "EUR"), "€25.05");
        assert_eq!(format_amount(7, "GBP"), "£0.07");
        assert_eq!(format_amount(123_456_789, "CAD"), "CA$1,234,567.89");
        assert_eq!(format_amount(100_000_000, "AUD"), "A$1,000,000.00");
    }
}
