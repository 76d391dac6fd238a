//! Test controls under `/__sandbox/`, answered only to loopback peers: anyone else
//! gets the same 404 as for a route that doesn't exist.

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::actions;
use crate::body::AppJson;
use crate::error::{ApiError, ErrorCode};
use crate::faults::FaultRequest;
use crate::model::{DeliveryRecord, DonationStatus};
use crate::peer_ip;
use crate::seed::{PARTNERS, Partner};
use crate::state::{AppState, RequestRecord, Stats};
use crate::webhooks;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/__sandbox/reset", post(reset))
        .route("/__sandbox/stats", get(stats))
        .route("/__sandbox/requests", get(requests))
        .route("/__sandbox/faults", post(arm_fault).delete(clear_faults))
        .route("/__sandbox/donations/{id}/status", post(set_status))
        .route("/__sandbox/pool", get(pool).post(set_pool))
        .route("/__sandbox/actions/{action_id}/reverse", post(reverse_action))
        .route("/__sandbox/webhooks/deliveries", get(deliveries))
        .route("/__sandbox/webhooks/redeliver/{event_id}", post(redeliver))
        .layer(middleware::from_fn(loopback_only))
}

/// Only this machine may steer the sandbox, even when it is bound to a public address.
async fn loopback_only(request: Request, next: Next) -> Response {
    if peer_ip(request.extensions()).is_some_and(|ip| ip.is_loopback()) {
        next.run(request).await
    } else {
        ApiError::route_not_found().into_response()
    }
}

/// `POST /__sandbox/reset`: clears donations, faults, counters, the request log and
/// rate-limit windows.
async fn reset(State(state): State<AppState>) -> StatusCode {
    state.reset();
    tracing::info!("sandbox reset");
    StatusCode::NO_CONTENT
}

#[derive(Serialize)]
struct StatsResponse {
    requests: Stats,
    donations: usize,
    actions: ActionStats,
}

#[derive(Serialize)]
struct ActionStats {
    completed: usize,
    /// Submissions answered 409 `IDEMPOTENT`.
    repeats: u64,
}

/// `GET /__sandbox/stats`.
async fn stats(State(state): State<AppState>) -> Json<StatsResponse> {
    let inner = state.lock();
    let actions = ActionStats { completed: inner.ledger.completed_actions(), repeats: inner.ledger.repeats };
    Json(StatsResponse { requests: inner.stats, donations: inner.donations.len(), actions })
}

/// `GET /__sandbox/requests`: the last requests to `/v1/partner`, oldest first.
async fn requests(State(state): State<AppState>) -> Json<Vec<RequestRecord>> {
    Json(state.lock().log.iter().cloned().collect())
}

/// `POST /__sandbox/faults` → 201 `{"id":"fault-1"}`.
async fn arm_fault(State(state): State<AppState>, AppJson(body): AppJson<Value>) -> Result<Response, ApiError> {
    let request = FaultRequest::parse(body)?;
    tracing::info!(endpoint = ?request.endpoint, kind = ?request.kind, times = request.times, "fault armed");
    let id = state.lock().faults.arm(request);
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

/// `DELETE /__sandbox/faults`.
async fn clear_faults(State(state): State<AppState>) -> StatusCode {
    state.lock().faults.clear();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusChange {
    status: Option<DonationStatus>,
    sequence: Option<Vec<DonationStatus>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusChanged {
    partner_donation_id: String,
    status: DonationStatus,
    sequence: Vec<DonationStatus>,
}

/// `POST /__sandbox/donations/{id}/status`: `{"status":"completed"}` sets it now;
/// `{"sequence":["pending","completed"]}` scripts what the next status polls return,
/// one entry each, the last one sticking.
async fn set_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(body): AppJson<Value>,
) -> Result<Json<StatusChanged>, ApiError> {
    let change: StatusChange = serde_json::from_value(body)
        .map_err(|error| ApiError::bad_request(ErrorCode::InvalidStatus, format!("Invalid status change: {error}")))?;
    if change.status.is_none() && change.sequence.is_none() {
        return Err(ApiError::bad_request(ErrorCode::InvalidStatus, "Give a status or a sequence"));
    }
    let ttl = state.config.checkout_ttl;
    let mut inner = state.lock();
    let donation = inner
        .donations
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found(ErrorCode::DonationNotFound, "No such donation"))?;
    if let Some(status) = change.status {
        donation.set_status(status);
    }
    if let Some(sequence) = change.sequence {
        donation.scripted = sequence.into();
    }
    let changed = StatusChanged {
        partner_donation_id: donation.id.clone(),
        status: donation.status(ttl),
        sequence: donation.scripted.iter().copied().collect(),
    };
    // Completing a donation this way sends its webhook, as the checkout would.
    let completion = donation.take_completion().map(|data| (donation.partner_id, data));
    drop(inner);
    if let Some((partner_id, data)) = completion {
        webhooks::emit(&state, partner_id, webhooks::TRANSACTION_COMPLETED, data);
    }
    Ok(Json(changed))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PoolChange {
    tokens: u64,
    /// A seeded partner's slug; the Demo Partner when absent.
    partner: Option<String>,
}

#[derive(Serialize)]
struct PoolState {
    partner: &'static str,
    tokens: u64,
}

fn partner_by_slug(slug: Option<&str>) -> Result<&'static Partner, ApiError> {
    match slug {
        None => Ok(&PARTNERS[0]),
        Some(slug) => PARTNERS
            .iter()
            .find(|p| p.slug == slug)
            .ok_or_else(|| ApiError::bad_request(ErrorCode::InvalidPool, format!("No seeded partner {slug:?}"))),
    }
}

#[derive(Deserialize)]
struct PoolQuery {
    partner: Option<String>,
}

/// `GET /__sandbox/pool[?partner=slug]` → `{"partner":"demo-partner","tokens":10000}`.
async fn pool(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<PoolQuery>,
) -> Result<Json<PoolState>, ApiError> {
    let partner = partner_by_slug(query.partner.as_deref())?;
    Ok(Json(PoolState { partner: partner.slug, tokens: state.lock().ledger.pool(partner.id) }))
}

/// `POST /__sandbox/pool` `{"tokens": n, "partner"?: slug}`: sets a partner's token pool.
async fn set_pool(State(state): State<AppState>, AppJson(body): AppJson<Value>) -> Result<Json<PoolState>, ApiError> {
    let change: PoolChange = serde_json::from_value(body).map_err(|error| {
        ApiError::bad_request(ErrorCode::InvalidPool, format!("Expected {{\"tokens\": n}}: {error}"))
    })?;
    let partner = partner_by_slug(change.partner.as_deref())?;
    state.lock().ledger.set_pool(partner.id, change.tokens);
    tracing::info!(partner = partner.slug, tokens = change.tokens, "pool set");
    if change.tokens < state.config.pool_low_threshold {
        actions::announce_low_pool(&state, partner.id, change.tokens);
    }
    Ok(Json(PoolState { partner: partner.slug, tokens: change.tokens }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Reversal {
    reason: Option<String>,
}

/// `POST /__sandbox/actions/{actionId}/reverse` `{"reason"?}` (JSON; `{}` for the
/// default `REFUND`) → 200 with the
/// `action.reversed` event's data: what a refund at the processor does to a reward.
async fn reverse_action(
    State(state): State<AppState>,
    Path(action_id): Path<String>,
    AppJson(reversal): AppJson<Reversal>,
) -> Result<Json<Value>, ApiError> {
    let reason = reversal.reason.unwrap_or_else(|| "REFUND".to_owned());
    actions::reverse(&state, &action_id, &reason).map(Json)
}

/// `GET /__sandbox/webhooks/deliveries`: every delivery attempt, oldest first.
async fn deliveries(State(state): State<AppState>) -> Json<Vec<DeliveryRecord>> {
    Json(state.lock().hooks.deliveries.iter().cloned().collect())
}

/// `POST /__sandbox/webhooks/redeliver/{eventId}` → 202 `{"eventId","webhooks":n}`:
/// the same event (id and body) again, with a fresh timestamp and signature.
async fn redeliver(State(state): State<AppState>, Path(event_id): Path<String>) -> Result<Response, ApiError> {
    let count = webhooks::redeliver(&state, &event_id)
        .ok_or_else(|| ApiError::not_found(ErrorCode::EventNotFound, format!("No event {event_id:?} is kept")))?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "eventId": event_id, "webhooks": count })).into_response()).into_response())
}
