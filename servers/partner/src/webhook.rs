//! `POST /webhooks/sir`: SIR's webhook deliveries (API reference §5).
//!
//! Verify the signature over the raw bytes, store the event durably and apply it in one
//! transaction (see `db`), answer 2xx at once; anything slow (an automatic reward)
//! runs after the answer.
//!
//! Decision: a replay (same event id, or same signature) is answered **200**
//! `{"received": true, "duplicate": true}` and not processed again. SIR treats any
//! non-2xx as a failed delivery and retries it, so a 409 would only cause more retries
//! of something already done.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sir_signing::{VerifyError, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER, unix_now};

use crate::AppState;
use crate::db::{DonationFacts, IncomingEvent, Recorded};
use crate::donations::{self, valid_donation_id};
use crate::error::{ApiError, ErrorCode};

pub const TRANSACTION_COMPLETED: &str = "transaction.completed";

/// The documented envelope; `data` depends on the type.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    id: String,
    #[serde(rename = "type")]
    event_type: String,
    #[serde(default)]
    data: Value,
}

/// `transaction.completed` data, as the sandbox sends it (see the sandbox README).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransactionCompleted {
    partner_donation_id: String,
    amount: Option<u64>,
    currency: Option<String>,
    nonprofit_slug: Option<String>,
    frequency: Option<String>,
    donor_email: Option<String>,
}

#[derive(Serialize)]
pub struct Received {
    pub received: bool,
    pub duplicate: bool,
}

pub async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Received>, ApiError> {
    let body = body.map_err(|rejection| {
        ApiError::new(rejection.status(), ErrorCode::PayloadTooLarge, "The webhook body could not be read")
    })?;
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let signature = header(WEBHOOK_SIGNATURE_HEADER);
    let sir_timestamp =
        state.config.webhook_secret.verify(signature, header(WEBHOOK_TIMESTAMP_HEADER), &body, unix_now()).map_err(
            |error| {
                tracing::warn!(%error, "webhook refused");
                let code = match error {
                    VerifyError::StaleTimestamp { .. } => ErrorCode::StaleTimestamp,
                    _ => ErrorCode::InvalidSignature,
                };
                ApiError::new(StatusCode::UNAUTHORIZED, code, format!("Webhook refused: {error}"))
            },
        )?;
    // Verified, so this is SIR's own bytes: from here on, parse.
    let invalid = |message: &str| ApiError::bad_request(ErrorCode::InvalidEvent, message);
    let text = String::from_utf8(body.to_vec()).map_err(|_| invalid("The body is not UTF-8"))?;
    let envelope: Envelope =
        serde_json::from_str(&text).map_err(|_| invalid("The body is not an event envelope {id, type, data}"))?;
    if envelope.id.is_empty() || envelope.id.len() > 200 {
        return Err(invalid("The event id must be 1 to 200 characters"));
    }
    let completed_donation = (envelope.event_type == TRANSACTION_COMPLETED)
        .then(|| match serde_json::from_value::<TransactionCompleted>(envelope.data.clone()) {
            Ok(data) if valid_donation_id(&data.partner_donation_id) => Some(DonationFacts {
                partner_donation_id: data.partner_donation_id,
                status: "completed".to_owned(),
                amount_cents: data.amount,
                currency: data.currency,
                nonprofit_slug: data.nonprofit_slug,
                frequency: data.frequency,
                donor_email: data.donor_email,
            }),
            // Stored but not applied: retrying a genuine event won't make its data better.
            _ => {
                tracing::warn!(event = %envelope.id, "transaction.completed without a usable partnerDonationId");
                None
            }
        })
        .flatten();

    let donation_id = completed_donation.as_ref().map(|facts| facts.partner_donation_id.clone());
    let event = IncomingEvent {
        event_id: envelope.id.clone(),
        // Lower-cased: the same signature in another hex case is the same delivery.
        signature: signature.unwrap_or_default().to_ascii_lowercase(),
        event_type: envelope.event_type.clone(),
        sir_timestamp,
        body: text,
        completed_donation,
    };
    let recorded = state.db.record_event(event, unix_now()).await?;
    let duplicate = recorded == Recorded::Duplicate;
    tracing::info!(event = %envelope.id, event_type = %envelope.event_type, duplicate, "webhook received");

    if !duplicate
        && state.config.auto_reward
        && let Some(id) = donation_id
    {
        let state = state.clone();
        tokio::spawn(async move {
            match donations::reward_donation(&state, &id, None).await {
                Ok(reward) => tracing::info!(donation = %id, action = %reward.action_id, "rewarded automatically"),
                Err(error) => {
                    tracing::warn!(donation = %id, code = ?error.code, "automatic reward failed: {}", error.message)
                }
            }
        });
    }
    Ok(Json(Received { received: true, duplicate }))
}
