//! `GET /healthz`: liveness for load balancers, and the operator's view of what needs
//! attention.
//!
//! Everyone gets `{"status": "ok"}` (the database answered). A request from loopback that
//! no proxy forwarded also gets the counts: events stored but not applied (queued for the
//! inbox, or flagged as unusable), rewards waiting, held or failed, completed donations
//! nobody can be rewarded for yet, donations SIR calls paid whose signed webhook never came
//! (reconcile.rs; their ids are in the log), and SIR's alerts of the last 24 hours (`token_pool.low_balance`). Those are internal, so they are not for the
//! internet.

use axum::Json;
use axum::extract::{Request, State};
use serde_json::{Value, json};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::peer_ip;
use crate::store::now_ms;

/// How long SIR's last low-balance alert stays raised: SIR sends no all-clear event.
pub const ALERT_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;

pub async fn healthz(State(state): State<AppState>, request: Request) -> Result<Json<Value>, ApiError> {
    let forwarded = request.headers().contains_key("x-forwarded-for") || request.headers().contains_key("forwarded");
    let local = peer_ip(request.extensions()).is_some_and(|ip| ip.is_loopback()) && !forwarded;
    if !local {
        // Anyone may ask, so it costs one trivial query.
        state.store.ping().await?;
        return Ok(Json(json!({"status": "ok"})));
    }
    let now = now_ms();
    let health = state.store.health(now - ALERT_WINDOW_MS).await?;
    let queues = &health.queues;
    let age = |since: Option<i64>| since.map(|at| (now - at).max(0) / 1000);
    let low = health.alerts.iter().find(|alert| alert.name == crate::events::TOKEN_POOL_LOW_BALANCE);
    Ok(Json(json!({
        "status": "ok",
        "identity": state.config.identity.name(),
        "webhooks": {
            "unapplied": health.unapplied_events,
            "queued": queues.events_queued,
            "flagged": queues.events_flagged,
            "oldestQueuedSecs": age(queues.oldest_queued_at),
        },
        "rewards": {
            "pending": health.rewards_pending,
            "held": health.rewards_held,
            "failed": health.rewards_failed,
            "unconfirmed": health.rewards_unconfirmed,
            "oldestPendingSecs": age(queues.oldest_pending_reward_at),
        },
        "donations": {"unassigned": health.donations_unassigned, "paidWithoutWebhook": queues.paid_without_webhook},
        "tokenPool": {
            "lowBalance": low.is_some(),
            "alert": low.map(|alert| json!({"detail": alert.detail, "raisedAt": crate::donations::rfc3339(alert.raised_at)})),
        },
    })))
}
