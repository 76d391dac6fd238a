//! `POST /webhooks/sir`: SIR's webhook deliveries (API reference §5).
//!
//! Read the body under a total deadline, verify the signature over the raw bytes, store
//! the event, answer 2xx: that is all a delivery waits for. The inbox (`inbox.rs`) applies
//! it afterwards, from the database. So a delivery is never refused for load once it is
//! signed: however many arrive at once, each costs one insert.
//!
//! What is bounded comes before the signature is known (`limits::WebhookShares`): each
//! client address reads a few bodies at a time and waits its turn past that, so senders of
//! slow or unsigned bodies hold only their own address's share, never SIR's; a body must
//! arrive whole within [`BODY_DEADLINE`]; a request without the signature headers, or with
//! a stale timestamp, is refused before its body is read.
//!
//! Decision: a replay (same event id, or same signature) is answered **200**
//! `{"received": true, "duplicate": true}` and not applied again. SIR treats any non-2xx as
//! a failed delivery and retries it, so a 409 would only cause more retries of something
//! already done.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sir_signing::{VerifyError, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER, unix_now};

use crate::AppState;
use crate::error::{ApiError, ErrorCode};
use crate::metrics::delivery;
use crate::store::{IncomingEvent, Recorded, now_ms};

/// The largest delivery read: events are a few hundred bytes.
pub const MAX_WEBHOOK_BYTES: usize = 64 * 1024;
/// The longest a delivery's whole body may take: SIR sends it at once.
pub const BODY_DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);

/// The documented envelope; `data` depends on the type.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    id: String,
    #[serde(rename = "type")]
    event_type: String,
}

#[derive(Serialize)]
pub struct Received {
    pub received: bool,
    pub duplicate: bool,
}

pub async fn receive(State(state): State<AppState>, request: Request) -> Result<Json<Received>, ApiError> {
    let client = state.webhook_reads.client_of(&request);
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    let refuse = |outcome: &'static str, error: ApiError| {
        state.metrics.delivery(outcome);
        error
    };
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let (signature, timestamp) = (header(WEBHOOK_SIGNATURE_HEADER), header(WEBHOOK_TIMESTAMP_HEADER));
    // Refused before the body is read: no signature, or a timestamp out of the window.
    if let Err(error) = state.config.webhook_secret.check_headers(signature, timestamp, unix_now()) {
        return Err(refuse(delivery::REFUSED_SIGNATURE, signature_refused(error)));
    }
    // Only the read holds the client's share: SIR's bodies arrive at once, so its slots free
    // in microseconds, while a slow sender waits on its own.
    let read = tokio::time::timeout(BODY_DEADLINE, axum::body::to_bytes(body, MAX_WEBHOOK_BYTES));
    let body = match state.webhook_reads.run(client, read).await.map_err(|shed| refuse(delivery::SHED, shed))? {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => {
            let error = ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "The webhook body could not be read",
            );
            return Err(refuse(delivery::REFUSED_BODY, error));
        }
        Err(_) => {
            let error = ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::Timeout,
                "The webhook body did not arrive in time",
            );
            return Err(refuse(delivery::REFUSED_BODY, error));
        }
    };
    let sir_timestamp = state
        .config
        .webhook_secret
        .verify(signature, timestamp, &body, unix_now())
        .map_err(|error| refuse(delivery::REFUSED_SIGNATURE, signature_refused(error)))?;
    // Verified, so these are SIR's own bytes: from here on, parse.
    let invalid =
        |message: &str| refuse(delivery::REFUSED_INVALID, ApiError::bad_request(ErrorCode::InvalidEvent, message));
    let text = String::from_utf8(body.to_vec()).map_err(|_| invalid("The body is not UTF-8"))?;
    let envelope: Envelope =
        serde_json::from_str(&text).map_err(|_| invalid("The body is not an event envelope {id, type, data}"))?;
    if envelope.id.is_empty() || envelope.id.len() > 200 || envelope.event_type.len() > 200 {
        return Err(invalid("The event id and type must be 1 to 200 characters"));
    }
    let event = IncomingEvent {
        event_id: envelope.id,
        // Lower-cased: the same signature in another hex case is the same delivery.
        signature: signature.unwrap_or_default().to_ascii_lowercase(),
        event_type: envelope.event_type,
        sir_timestamp: i64::try_from(sir_timestamp).unwrap_or(i64::MAX),
        body: text,
    };
    let recorded = state.store.store_event(&event, now_ms()).await.map_err(|error| {
        tracing::error!(event = %event.event_id, ?error, "webhook NOT stored: SIR will retry it");
        refuse(
            delivery::NOT_STORED,
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Overloaded, "Not stored; try again")
                .with_retry_after(1),
        )
    })?;
    let duplicate = recorded != Recorded::New;
    state.metrics.delivery(if duplicate { delivery::DUPLICATE } else { delivery::ACCEPTED });
    if recorded != (Recorded::Duplicate { applied: true }) {
        state.inbox.notify_one();
    }
    tracing::info!(event = %event.event_id, event_type = %event.event_type, duplicate, "webhook stored");
    Ok(Json(Received { received: true, duplicate }))
}

fn signature_refused(error: VerifyError) -> ApiError {
    tracing::warn!(%error, "webhook refused");
    let code = match error {
        VerifyError::StaleTimestamp { .. } => ErrorCode::StaleTimestamp,
        _ => ErrorCode::InvalidSignature,
    };
    ApiError::new(StatusCode::UNAUTHORIZED, code, format!("Webhook refused: {error}"))
}
