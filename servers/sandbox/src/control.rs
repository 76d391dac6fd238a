//! Test controls under `/__sandbox/`, answered only to loopback peers: anyone else
//! gets the same 404 as for a route that doesn't exist.

use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::donations::DonationStatus;
use crate::error::{ApiError, ErrorCode};
use crate::faults::FaultRequest;
use crate::peer_ip;
use crate::state::{AppState, RequestRecord, Stats};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/__sandbox/reset", post(reset))
        .route("/__sandbox/stats", get(stats))
        .route("/__sandbox/requests", get(requests))
        .route("/__sandbox/faults", post(arm_fault).delete(clear_faults))
        .route("/__sandbox/donations/{id}/status", post(set_status))
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
}

/// `GET /__sandbox/stats`.
async fn stats(State(state): State<AppState>) -> Json<StatsResponse> {
    let inner = state.lock();
    Json(StatsResponse { requests: inner.stats, donations: inner.donations.len() })
}

/// `GET /__sandbox/requests`: the last requests to `/v1/partner`, oldest first.
async fn requests(State(state): State<AppState>) -> Json<Vec<RequestRecord>> {
    Json(state.lock().log.iter().cloned().collect())
}

/// `POST /__sandbox/faults` → 201 `{"id":"fault-1"}`.
async fn arm_fault(State(state): State<AppState>, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let request = FaultRequest::parse(json_body(body, ErrorCode::InvalidFault)?)?;
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
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<StatusChanged>, ApiError> {
    let change: StatusChange = serde_json::from_value(json_body(body, ErrorCode::InvalidStatus)?)
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
    Ok(Json(StatusChanged {
        partner_donation_id: donation.id.clone(),
        status: donation.status(ttl),
        sequence: donation.scripted.iter().copied().collect(),
    }))
}

fn json_body(body: Result<Bytes, BytesRejection>, code: ErrorCode) -> Result<Value, ApiError> {
    let body = body.map_err(|rejection| ApiError::new(rejection.status(), code, rejection.body_text()))?;
    serde_json::from_slice(&body)
        .map_err(|error| ApiError::bad_request(code, format!("The body is not valid JSON: {error}")))
}
