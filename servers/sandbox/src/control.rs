//! Test controls under `/__sandbox/`, answered only to loopback peers.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::faults::{Fault, FaultRequest};
use crate::state::{AppState, Status};

/// Hides the controls from anything but this machine.
pub async fn loopback_only(ConnectInfo(peer): ConnectInfo<SocketAddr>, request: Request, next: Next) -> Response {
    if peer.ip().is_loopback() { next.run(request).await } else { StatusCode::NOT_FOUND.into_response() }
}

pub async fn reset(State(state): State<AppState>) -> StatusCode {
    state.reset();
    StatusCode::NO_CONTENT
}

pub async fn stats(State(state): State<AppState>) -> Json<serde_json::Value> {
    let inner = state.lock();
    Json(json!({ "requests": inner.stats, "donations": inner.donations.len() }))
}

pub async fn requests(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(json!(state.lock().log))
}

pub async fn arm_fault(State(state): State<AppState>, Json(request): Json<FaultRequest>) -> Response {
    let mut inner = state.lock();
    let remaining = (request.times > 0).then_some(request.times);
    inner.faults.entry(request.endpoint).or_default().push_back(Fault { kind: request.kind, remaining });
    (StatusCode::CREATED, Json(json!({ "armed": true }))).into_response()
}

pub async fn clear_faults(State(state): State<AppState>) -> StatusCode {
    state.lock().faults.clear();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
pub struct StatusChange {
    status: Option<Status>,
    #[serde(default)]
    sequence: Vec<Status>,
}

/// Sets a donation's status now, or scripts what the next polls see.
pub async fn set_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(change): Json<StatusChange>,
) -> StatusCode {
    let mut inner = state.lock();
    let Some(donation) = inner.donations.get_mut(&id) else { return StatusCode::NOT_FOUND };
    if let Some(status) = change.status {
        donation.status = status;
    }
    donation.scripted = change.sequence.into();
    StatusCode::NO_CONTENT
}
