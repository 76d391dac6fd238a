//! `GET /sir/donations/{partnerDonationId}` and `POST /sir/rewards/donation`.
//!
//! A donation's state comes from verified webhooks first; when they haven't said it
//! completed, SIR's status endpoint is asked (with the publishable key, as the docs
//! list it) and the answer recorded with `source: "api"`. A reward is given only for a
//! donation known to be completed, as one `DONATION` action whose idempotency key is
//! `donation_<partnerDonationId>`, so no retry, race or second caller rewards twice.

use axum::Json;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sir_signing::unix_now;

use crate::AppState;
use crate::db::{DonationFacts, DonationRow, RewardRow, SessionRow};
use crate::error::{ApiError, ErrorCode};
use crate::session::{self, external_id_for_email};
use crate::sir::{ActionOutcome, SirError};

/// The statuses the contract reports.
pub const STATUSES: [&str; 6] = ["pending", "processing", "completed", "failed", "cancelled", "expired"];

/// What `GET /sir/donations/{id}` answers.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DonationView {
    pub partner_donation_id: String,
    pub status: String,
    /// `webhook` or `api`: where the status came from.
    pub source: String,
    pub reward: Option<RewardView>,
    /// RFC 3339 UTC: when this server learned of the current status.
    pub updated_at: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RewardView {
    pub tokens: u64,
    pub action_id: String,
}

/// What `POST /sir/rewards/donation` answers.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RewardResponse {
    pub partner_donation_id: String,
    pub action_id: String,
    pub tokens_distributed: u64,
    /// True when this call gave nothing new: the reward was given before.
    pub idempotent: bool,
}

/// A `partnerDonationId` we will put in a URL path: 1–64 of `A-Z a-z 0-9 _ -`.
pub fn valid_donation_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn check_donation_id(id: &str) -> Result<(), ApiError> {
    if valid_donation_id(id) {
        Ok(())
    } else {
        Err(ApiError::bad_request(ErrorCode::InvalidDonationId, "partnerDonationId must be 1 to 64 of A-Z a-z 0-9 _ -"))
    }
}

fn rfc3339(unix: u64) -> String {
    humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + std::time::Duration::from_secs(unix)).to_string()
}

/// SIR's status string in the contract's vocabulary. Decision (§7.8, the values are
/// undocumented): known values pass, `canceled` is spelled `cancelled`, anything else
/// is `processing`, a neutral in-between.
fn contract_status(status: &str) -> String {
    let status = status.to_ascii_lowercase();
    match status.as_str() {
        "canceled" => "cancelled".to_owned(),
        known if STATUSES.contains(&known) => status,
        _ => "processing".to_owned(),
    }
}

/// The donation as best known now. A completion is final; otherwise SIR is asked. `None`
/// only when nothing is known and SIR can't be asked (no publishable key).
async fn refresh(state: &AppState, id: &str) -> Result<Option<DonationRow>, ApiError> {
    let local = state.db.donation(id).await?;
    if local.as_ref().is_some_and(|d| d.facts.status == "completed") {
        return Ok(local);
    }
    match state.sir.donation_status(id).await {
        Ok(Some(remote)) => {
            let facts = DonationFacts {
                partner_donation_id: id.to_owned(),
                status: contract_status(&remote.status),
                amount_cents: remote.amount,
                currency: remote.currency,
                nonprofit_slug: remote.nonprofit_slug,
                frequency: remote.frequency,
                donor_email: None,
            };
            state.db.record_api_status(facts, unix_now()).await?;
            state.db.donation(id).await
        }
        Ok(None) => {
            Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::DonationNotFound, "SIR Giving knows no such donation"))
        }
        Err(SirError::NoPublishableKey) => Ok(local),
        // SIR is down or busy: what we know is better than an error.
        Err(error) if local.is_some() => {
            tracing::warn!(donation = id, ?error, "status check failed; answering from storage");
            Ok(local)
        }
        Err(error) => Err(error.into()),
    }
}

/// `GET /sir/donations/{partnerDonationId}`.
///
/// Decision: without `SIR_PUBLISHABLE_KEY`, a donation no webhook has mentioned reads
/// `pending` (source `webhook`): all this server can know. Set the key to see
/// failures, cancellations and expiry, which SIR sends no webhook for.
pub async fn status(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<DonationView>, ApiError> {
    check_donation_id(&id)?;
    let reward = state.db.reward(&id).await?.map(|r| RewardView { tokens: r.tokens, action_id: r.action_id });
    let view = match refresh(&state, &id).await? {
        Some(row) => DonationView {
            partner_donation_id: id,
            status: row.facts.status,
            source: row.source,
            reward,
            updated_at: rfc3339(row.updated_at),
        },
        None => DonationView {
            partner_donation_id: id,
            status: "pending".to_owned(),
            source: "webhook".to_owned(),
            reward,
            updated_at: rfc3339(unix_now()),
        },
    };
    Ok(Json(view))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RewardRequest {
    partner_donation_id: String,
}

/// `POST /sir/rewards/donation` `{"partnerDonationId": "…"}`.
pub async fn reward(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<RewardResponse>, ApiError> {
    let request: RewardRequest = session::json_body(&headers, body, "{\"partnerDonationId\": \"…\"}")?;
    check_donation_id(&request.partner_donation_id)?;
    let donor = session::current(&state, &headers).await?;
    reward_donation(&state, &request.partner_donation_id, donor).await.map(Json)
}

/// Rewards a completed donation once. The stakeholder is `donor` (the signed-in
/// session) or else the donor email the webhook carried (its derived external id).
/// The first reward recorded for a donation is the one every later call returns.
pub async fn reward_donation(
    state: &AppState,
    id: &str,
    donor: Option<SessionRow>,
) -> Result<RewardResponse, ApiError> {
    let answer = |reward: RewardRow, idempotent: bool| RewardResponse {
        partner_donation_id: reward.partner_donation_id,
        action_id: reward.action_id,
        tokens_distributed: reward.tokens,
        idempotent,
    };
    if let Some(reward) = state.db.reward(id).await? {
        return Ok(answer(reward, true));
    }
    let donation = refresh(state, id).await?;
    let Some(donation) = donation.filter(|d| d.facts.status == "completed") else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::DonationNotCompleted,
            "The donation is not completed (yet); a reward follows a completed donation only",
        ));
    };
    let facts = donation.facts;
    // The donor email comes with the webhook only (the status API doesn't carry it), so a
    // completion seen by the API first has no email until the webhook arrives.
    let message = if donation.source == "api" {
        "Nobody to reward yet: no session, and SIR's webhook (which carries the donor's email) has not \
arrived; sign in (POST /sir/session) or retry shortly"
    } else {
        "Nobody to reward: no session, and no email was given at checkout; sign in (POST /sir/session)"
    };
    let donor = donor
        .or_else(|| {
            facts.donor_email.clone().map(|email| SessionRow { external_id: external_id_for_email(&email), email })
        })
        .ok_or_else(|| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::DonorUnknown, message))?;

    let body = json!({
        "idempotencyKey": format!("donation_{id}"),
        "actionType": "DONATION",
        // The action takes major units (49.99); the donation is in cents.
        "amount": facts.amount_cents.unwrap_or_default() as f64 / 100.0,
        "currency": facts.currency.as_deref().unwrap_or("USD"),
        "stakeholders": [{
            "stakeholderTypeCode": "CUSTOMER",
            "partnerUserId": donor.external_id,
            "userEmail": donor.email,
        }],
        "autoCreateUsers": true,
        "metadata": {"partnerDonationId": id, "nonprofitSlug": facts.nonprofit_slug, "source": "sir-partner-server"},
    });
    let bytes = serde_json::to_vec(&body).map_err(|error| ApiError::internal(error.to_string()))?;
    let (result, idempotent) = match state.sir.submit_action(&bytes).await? {
        ActionOutcome::Created(result) => (result, false),
        ActionOutcome::Idempotent(result) => (result, true),
    };
    let reward = RewardRow {
        partner_donation_id: id.to_owned(),
        action_id: result.action_id,
        tokens: result.tokens_distributed,
        external_id: donor.external_id,
    };
    let (stored, inserted) = state.db.record_reward(reward, unix_now()).await?;
    tracing::info!(donation = id, action = %stored.action_id, tokens = stored.tokens, "donation rewarded");
    Ok(answer(stored, idempotent || !inserted))
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
    }
}
