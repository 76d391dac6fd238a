//! `GET /donations.csv` on the private listener (`PARTNER_METRICS_LISTEN`): every donation a
//! signed webhook confirmed, reversed ones left out, with its campaign and attribution, so a
//! partner can count donations by source. Never on the public address: it lists every donor's
//! donation.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::AppState;
use crate::donations::{ATTRIBUTION_FIELDS, Attribution, rfc3339};
use crate::error::ApiError;

pub async fn donations_csv(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let mut csv = String::from("partnerDonationId,completedAt,nonprofitSlug,campaign,amount,currency,frequency");
    for field in ATTRIBUTION_FIELDS {
        csv.push(',');
        csv.push_str(field);
    }
    csv.push_str("\r\n");
    for donation in state.store.confirmed_donations().await? {
        let attribution: Attribution =
            donation.attribution.as_deref().and_then(|text| serde_json::from_str(text).ok()).unwrap_or_default();
        let amount = donation.amount_cents.map(|cents| format!("{}.{:02}", cents / 100, cents % 100));
        let fixed = [
            Some(donation.id),
            Some(rfc3339(donation.completed_at)),
            donation.nonprofit_slug,
            donation.campaign,
            amount,
            donation.currency,
            donation.frequency,
        ];
        let cells: Vec<String> =
            fixed.iter().map(|cell| cell.as_deref().unwrap_or("")).chain(attribution.columns()).map(cell).collect();
        csv.push_str(&cells.join(","));
        csv.push_str("\r\n");
    }
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv))
}

/// One CSV cell: quoted, quotes doubled (RFC 4180), and a leading `=`, `+`, `-`, `@`, tab or
/// return escaped with `'`, so a spreadsheet reads a formula as text.
fn cell(text: &str) -> String {
    let guard = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { "'" } else { "" };
    format!("\"{guard}{}\"", text.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_cell_is_quoted_and_never_a_formula() {
        assert_eq!(super::cell("plain"), "\"plain\"");
        assert_eq!(super::cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(super::cell("-spring"), "\"'-spring\"");
        assert_eq!(super::cell("=1+1"), "\"'=1+1\"");
    }
}
