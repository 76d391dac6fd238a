//! `POST /sir/donations` (create a donation link for the signed-in user) and
//! `GET /sir/donations/{partnerDonationId}` (its status, to its owner only).
//!
//! Trust model (README "Trust model"): a `partnerDonationId` is public. SIR's ids are
//! ObjectId-shaped (time, fixed middle, counter), so one create-link shows the
//! neighbours. Knowing an id therefore gives nothing here: the donation belongs to the
//! user for whom *this server* created it, recorded before the id is ever shown to a
//! browser, so there is no window in which someone else could claim it. Status, amounts
//! and rewards are answered to that owner only; to anyone else the donation does not exist.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sir_server_kit::plain_text;

use crate::AppState;
use crate::error::{ApiError, Code, ErrorCode};
use crate::extract::AppJson;
use crate::identity::SignedIn;
use crate::sir::{Budget, CreateLinkOutcome, SirError};
use crate::store::{DonationRow, NewDonation, RewardRow, Store, now_ms};

/// The statuses the contract reports.
pub const STATUSES: [&str; 6] = ["pending", "processing", "completed", "failed", "cancelled", "expired"];

/// A `partnerDonationId` we will put in a URL path: 1–64 of `A-Z a-z 0-9 _ -`.
pub fn valid_donation_id(id: &str) -> bool {
    url_token(id, 64)
}

/// 1 to `max` of `A-Z a-z 0-9 _ -`: safe in a URL path or query, a log line and a CSV cell.
pub fn url_token(text: &str, max: usize) -> bool {
    (1..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub fn check_donation_id(id: &str) -> Result<(), ApiError> {
    if valid_donation_id(id) {
        Ok(())
    } else {
        Err(ApiError::bad_request(ErrorCode::InvalidDonationId, "partnerDonationId must be 1 to 64 of A-Z a-z 0-9 _ -"))
    }
}

pub fn rfc3339(unix_ms: i64) -> String {
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_millis(unix_ms.max(0) as u64);
    humantime::format_rfc3339_seconds(time).to_string()
}

/// SIR's status string in the contract's vocabulary. Decision (§7.8, the values are
/// undocumented): known values pass, `canceled` is spelled `cancelled`, anything else
/// is `processing`, a neutral in-between.
pub fn contract_status(status: &str) -> String {
    let status = status.to_ascii_lowercase();
    match status.as_str() {
        "canceled" => "cancelled".to_owned(),
        known if STATUSES.contains(&known) => status,
        _ => "processing".to_owned(),
    }
}

/// `POST /sir/donations`: the fields of SIR's create-link (API reference §2.3), checked
/// for shape and size here and exactly by SIR. Unknown fields are refused.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateDonation {
    nonprofit_slug: String,
    amount: u64,
    currency: String,
    frequency: String,
    provider: Option<String>,
    donor_email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    tip_amount: Option<u64>,
    tip_percent: Option<f64>,
    referral_code: Option<String>,
    /// Kept here, never sent to SIR (it has no such field): the partner's campaign code.
    campaign: Option<String>,
    /// Kept here, never sent to SIR: where the donor came from.
    attribution: Option<Attribution>,
}

/// The landing page's `utm_*` parameters and click ids, as the widget read them.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Attribution {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utm_source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utm_medium: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utm_campaign: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utm_term: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utm_content: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gclid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fbclid: Option<String>,
}

/// The names, in the order the export lists them.
pub const ATTRIBUTION_FIELDS: [&str; 7] =
    ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid", "fbclid"];

impl Attribution {
    fn values(&self) -> [&Option<String>; 7] {
        [
            &self.utm_source,
            &self.utm_medium,
            &self.utm_campaign,
            &self.utm_term,
            &self.utm_content,
            &self.gclid,
            &self.fbclid,
        ]
    }

    /// The value of each of [`ATTRIBUTION_FIELDS`], empty where absent.
    pub fn columns(&self) -> [&str; 7] {
        self.values().map(|value| value.as_deref().unwrap_or(""))
    }

    /// At most 200 characters each, of what URLs' query values carry (no quotes, angle
    /// brackets, spaces or control characters), so an export opened in a spreadsheet holds
    /// no formula and a page showing them no markup.
    fn check(&self) -> Result<(), ApiError> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~:/+%@!$()*,;=|".contains(c);
        let fine =
            |value: &str| value.len() <= 200 && value.chars().all(allowed) && !value.starts_with(['=', '+', '-', '@']);
        if self.values().iter().any(|value| value.as_deref().is_some_and(|value| !fine(value))) {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidBody,
                "an attribution value is too long or holds characters a URL parameter doesn't",
            ));
        }
        Ok(())
    }
}

impl CreateDonation {
    /// The body sent to SIR: only the documented fields, as given.
    fn to_sir_body(&self) -> Result<Vec<u8>, ApiError> {
        let invalid = |message: &str| ApiError::bad_request(ErrorCode::InvalidBody, message);
        let short = |text: &str, max: usize| text.chars().count() <= max;
        if self.nonprofit_slug.is_empty() || !short(&self.nonprofit_slug, 100) {
            return Err(invalid("nonprofitSlug must be 1 to 100 characters"));
        }
        if !(1..=100_000_000).contains(&self.amount) {
            return Err(invalid("amount must be whole cents from 1 to 100000000"));
        }
        let texts = [&self.provider, &self.donor_email, &self.first_name, &self.last_name, &self.referral_code];
        if !short(&self.currency, 3)
            || !short(&self.frequency, 16)
            || texts.iter().any(|t| t.as_deref().is_some_and(|t| !short(t, 254)))
        {
            return Err(invalid("a field is longer than SIR accepts"));
        }
        let fixed = [&self.nonprofit_slug, &self.currency, &self.frequency];
        let given = texts.iter().filter_map(|t| t.as_ref());
        if fixed.into_iter().chain(given).any(|text| !plain_text(text)) {
            return Err(invalid("a field holds control characters"));
        }
        let mut body = Map::new();
        body.insert("nonprofitSlug".into(), json!(self.nonprofit_slug));
        body.insert("amount".into(), json!(self.amount));
        body.insert("currency".into(), json!(self.currency));
        body.insert("frequency".into(), json!(self.frequency));
        let optional = [
            ("provider", self.provider.as_ref().map(|v| json!(v))),
            ("donorEmail", self.donor_email.as_ref().map(|v| json!(v))),
            ("firstName", self.first_name.as_ref().map(|v| json!(v))),
            ("lastName", self.last_name.as_ref().map(|v| json!(v))),
            ("tipAmount", self.tip_amount.map(|v| json!(v))),
            ("tipPercent", self.tip_percent.filter(|p| p.is_finite()).map(|v| json!(v))),
            ("referralCode", self.referral_code.as_ref().map(|v| json!(v))),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                body.insert(name.into(), value);
            }
        }
        serde_json::to_vec(&Value::Object(body)).map_err(|error| ApiError::internal(error.to_string()))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Created {
    donation_link: String,
    partner_donation_id: String,
}

/// `POST /sir/donations` → 201 `{donationLink, partnerDonationId}`, created with SIR's
/// create-link (publishable key, never retried) and recorded as the signed-in user's
/// before the answer leaves. Nobody signed in: 401 `SIGN_IN_REQUIRED`, before anything
/// reaches SIR (the widget then creates the link with SIR itself: such a donation has no
/// owner, and is rewarded only to a user whose *verified* email the webhook reports).
/// Without a `donorEmail`, the user's verified email is sent, so the checkout knows it and
/// the payment's event can be checked against it. SIR's own 4xx (an unknown nonprofit, a
/// bad amount) are passed on with their status and code.
pub async fn create(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    headers: HeaderMap,
    AppJson(mut request): AppJson<CreateDonation>,
) -> Result<Response, ApiError> {
    if request.donor_email.is_none() {
        request.donor_email = user.verified_email().map(str::to_owned);
    }
    let body = request.to_sir_body()?;
    let campaign = request.campaign.take().filter(|code| !code.is_empty());
    if campaign.as_deref().is_some_and(|code| !url_token(code, 64)) {
        return Err(ApiError::bad_request(ErrorCode::InvalidBody, "campaign must be 1 to 64 of A-Z a-z 0-9 _ -"));
    }
    let attribution = request.attribution.take().filter(|a| *a != Attribution::default());
    if let Some(attribution) = &attribution {
        attribution.check()?;
    }
    // The origin guard let this request through, so its Origin is allowed (or ours).
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let (donation_link, id) = match state.sir.create_link(&body, origin).await? {
        CreateLinkOutcome::Created { donation_link, partner_donation_id } => (donation_link, partner_donation_id),
        CreateLinkOutcome::Refused { status, code, message, retry_after } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
            let message = if message.is_empty() { "SIR Giving refused the donation".to_owned() } else { message };
            let mut error =
                ApiError { code: Code::Sir(code), ..ApiError::new(status, ErrorCode::InvalidBody, message) };
            error.retry_after = retry_after;
            return Err(error);
        }
    };
    if !valid_donation_id(&id) {
        return Err(SirError::Unexpected { status: 201, code: "UNUSABLE_DONATION_ID".into() }.into());
    }
    let donation = NewDonation {
        id: id.clone(),
        owner: Some(user.external_id.clone()),
        owner_email: user.verified_email().map(str::to_owned),
        amount_cents: request.amount as i64,
        currency: request.currency,
        nonprofit_slug: request.nonprofit_slug,
        frequency: request.frequency,
        campaign,
        attribution: attribution.as_ref().and_then(|a| serde_json::to_string(a).ok()),
    };
    // One transaction: if SIR's webhook outran this answer, the stored completion is
    // rewarded now that the owner is known.
    let now = now_ms();
    let mut tx = state.store.begin().await?;
    let stored = Store::create_donation_in(&mut tx, &donation, now).await?;
    let effects = crate::events::reward_after_claim(&mut tx, &stored, now).await?;
    tx.commit().await?;
    if effects.reward_due {
        state.outbox.notify_one();
    }
    if effects.reward_held {
        state.metrics.reward("held");
    }
    tracing::info!(donation = %id, "donation link created");
    Ok((StatusCode::CREATED, Json(Created { donation_link, partner_donation_id: id })).into_response())
}

/// What `GET /sir/donations/{id}` answers.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DonationView {
    pub partner_donation_id: String,
    pub status: String,
    /// `created`, `webhook` or `api`: where the status came from.
    pub source: String,
    pub reward: Option<RewardView>,
    /// RFC 3339 UTC: when this server learned of the current status.
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// Where the donor came from, as the widget sent it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribution: Option<Attribution>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RewardView {
    /// `pending`, `issued`, `confirmed`, `failed` or `reversed`.
    pub state: &'static str,
    pub tokens: Option<i64>,
    pub action_id: Option<String>,
}

impl From<RewardRow> for RewardView {
    fn from(reward: RewardRow) -> Self {
        Self { state: reward.state.as_str(), tokens: reward.tokens, action_id: reward.action_id }
    }
}

/// The user's own donation, or 404 whether it is unknown or someone else's.
pub async fn owned(state: &AppState, user_id: &str, id: &str) -> Result<DonationRow, ApiError> {
    check_donation_id(id)?;
    state
        .store
        .donation(id)
        .await?
        .filter(|d| d.owner.as_deref() == Some(user_id))
        .ok_or_else(ApiError::donation_not_found)
}

/// Asks SIR for a donation not yet known to be completed, within a short budget: what we
/// know is a better answer than a wait (the webhook is the authority anyway).
async fn refresh(state: &AppState, donation: DonationRow) -> Result<DonationRow, ApiError> {
    if donation.status == "completed" {
        return Ok(donation);
    }
    let budget = Budget::new(state.config.limits.deadline / 3);
    match state.sir.donation_status(&donation.id, budget).await {
        Ok(Some(remote)) => {
            let young = now_ms() - donation.created_at < state.config.reconcile.after.as_millis() as i64;
            crate::reconcile::record(state, &donation.id, &remote.status, young).await?;
            Ok(state.store.donation(&donation.id).await?.unwrap_or(donation))
        }
        Ok(None) => Ok(donation),
        Err(error) => {
            tracing::warn!(donation = %donation.id, %error, "status check failed; answering from storage");
            Ok(donation)
        }
    }
}

/// `GET /sir/donations/{partnerDonationId}`: to its owner, the status from verified
/// webhooks first, else from SIR's status API (recorded with `source: "api"`).
pub async fn status(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> Result<Json<DonationView>, ApiError> {
    let donation = refresh(&state, owned(&state, &user.external_id, &id).await?).await?;
    let reward = state.store.reward(&id).await?.map(RewardView::from);
    Ok(Json(DonationView {
        partner_donation_id: id,
        status: donation.status,
        source: donation.source,
        reward,
        updated_at: rfc3339(donation.updated_at),
        campaign: donation.campaign,
        attribution: donation.attribution.and_then(|text| serde_json::from_str(&text).ok()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_in_the_contract_vocabulary() {
        assert_eq!(contract_status("completed"), "completed");
        assert_eq!(contract_status("CANCELED"), "cancelled");
        assert_eq!(contract_status("paid"), "processing");
    }

    #[test]
    fn donation_ids() {
        assert!(valid_donation_id("6b0360927034599dec1e1001"));
        assert!(!valid_donation_id("") && !valid_donation_id("a/b") && !valid_donation_id(&"a".repeat(65)));
        assert!(!valid_donation_id(".") && !valid_donation_id(".."));
    }
}
