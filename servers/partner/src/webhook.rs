//! `POST /webhooks/sir`: SIR's webhook deliveries (API reference §5).
//!
//! Verify the signature over the raw bytes, then store the event and apply it in one
//! transaction, then answer 2xx. Storing and applying are kept apart: an event whose data
//! can't be applied is still stored (SIR sent it, and retrying won't improve it), flagged
//! with the reason, logged at error level and counted in `/healthz`; it is applied again
//! when SIR redelivers it and at every start, so a fixed server picks it up. Slow work (the
//! reward call to SIR) happens in the outbox, after the answer.
//!
//! Decision: a replay (same event id, or same signature) is answered **200**
//! `{"received": true, "duplicate": true, "applied": …}` and not applied again. SIR treats
//! any non-2xx as a failed delivery and retries it, so a 409 would only cause more retries
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
use crate::error::{ApiError, ErrorCode};
use crate::events::{self, Effects};
use crate::store::{IncomingEvent, Recorded, Store, now_ms};

/// The largest delivery read: events are a few hundred bytes.
pub const MAX_WEBHOOK_BYTES: usize = 256 * 1024;
/// The longest a delivery's body may pause: SIR sends it at once.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

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

#[derive(Serialize)]
pub struct Received {
    pub received: bool,
    pub duplicate: bool,
    pub applied: bool,
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
    // Verified, so these are SIR's own bytes: from here on, parse.
    let invalid = |message: &str| ApiError::bad_request(ErrorCode::InvalidEvent, message);
    let text = String::from_utf8(body.to_vec()).map_err(|_| invalid("The body is not UTF-8"))?;
    let envelope: Envelope =
        serde_json::from_str(&text).map_err(|_| invalid("The body is not an event envelope {id, type, data}"))?;
    if envelope.id.is_empty() || envelope.id.len() > 200 || envelope.event_type.len() > 200 {
        return Err(invalid("The event id and type must be 1 to 200 characters"));
    }
    let event = IncomingEvent {
        event_id: envelope.id.clone(),
        // Lower-cased: the same signature in another hex case is the same delivery.
        signature: signature.unwrap_or_default().to_ascii_lowercase(),
        event_type: envelope.event_type.clone(),
        sir_timestamp: i64::try_from(sir_timestamp).unwrap_or(i64::MAX),
        body: text,
    };

    let now = now_ms();
    let mut tx = state.store.begin().await?;
    let recorded = Store::insert_event(&mut tx, &event, now).await?;
    if recorded == (Recorded::Duplicate { applied: true }) {
        tracing::info!(event = %event.event_id, event_type = %event.event_type, "webhook replay: already applied");
        return Ok(Json(Received { received: true, duplicate: true, applied: true }));
    }
    let applied = apply_and_commit(&state, tx, &event.event_id, &event.event_type, &envelope.data, now).await?;
    Ok(Json(Received { received: true, duplicate: recorded != Recorded::New, applied }))
}

/// Applies a stored event in `tx`, records how that went, commits, then wakes the outbox
/// and forgets changed balances. Returns whether it was applied.
async fn apply_and_commit(
    state: &AppState,
    mut tx: crate::store::Tx,
    event_id: &str,
    event_type: &str,
    data: &Value,
    now: i64,
) -> Result<bool, ApiError> {
    let outcome = events::apply(&mut tx, event_type, data, now).await?;
    Store::mark_event(&mut tx, event_id, outcome.as_ref().map(|_| ()).map_err(String::as_str), now).await?;
    tx.commit().await.map_err(|error| ApiError::internal(format!("storage: {error}")))?;
    match outcome {
        Ok(Effects { reward_due, balances_changed }) => {
            tracing::info!(event = %event_id, event_type, "webhook applied");
            if reward_due {
                state.outbox.notify_one();
            }
            for user in &balances_changed {
                state.balances.forget(user);
            }
            Ok(true)
        }
        Err(reason) => {
            tracing::error!(event = %event_id, event_type, reason, "webhook stored but NOT applied");
            Ok(false)
        }
    }
}

/// Applies again every stored event that was never applied (at start: a fixed or
/// upgraded server picks them up). Returns how many are applied now, and how many still
/// can't be.
pub async fn reapply_stored(state: &AppState) -> Result<(usize, usize), ApiError> {
    let (mut applied, mut still_not) = (0, 0);
    for (event_id, event_type, body) in state.store.unapplied_events().await? {
        let data = serde_json::from_str::<Value>(&body).ok().and_then(|mut v| v.get_mut("data").map(Value::take));
        let tx = state.store.begin().await?;
        if apply_and_commit(state, tx, &event_id, &event_type, &data.unwrap_or(Value::Null), now_ms()).await? {
            applied += 1;
        } else {
            still_not += 1;
        }
    }
    Ok((applied, still_not))
}
