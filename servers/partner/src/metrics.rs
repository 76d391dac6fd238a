//! What an operator graphs and alerts on: Prometheus text at `GET /metrics`, served on
//! `PARTNER_METRICS_LISTEN` only (never on the public address), through the official
//! `prometheus-client` crate with one registry per server (no global recorder, so several
//! servers in one test process keep their own counts).
//!
//! Counters are counted where things happen; depths and ages are read from the database
//! at each scrape, so every instance reports the same shared queues.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use sir_server_kit::ConnectionStats;

use crate::AppState;
use crate::error::ApiError;
use crate::store::now_ms;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Outcome {
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Reason {
    pub reason: &'static str,
}

/// Webhook delivery outcomes (`sir_partner_webhook_deliveries_total{outcome=…}`).
pub mod delivery {
    /// Verified and stored (answered 2xx).
    pub const ACCEPTED: &str = "accepted";
    /// A replay of a stored event (answered 2xx).
    pub const DUPLICATE: &str = "duplicate";
    /// No valid signature, or a stale timestamp (401).
    pub const REFUSED_SIGNATURE: &str = "refused_signature";
    /// Signed, but not an event envelope (400).
    pub const REFUSED_INVALID: &str = "refused_invalid";
    /// The body did not arrive whole in time, or was too large.
    pub const REFUSED_BODY: &str = "refused_body";
    /// Waited too long for a slot (503): shedding, which should stay at 0.
    pub const SHED: &str = "shed";
    /// The database could not store it (503): SIR retries.
    pub const NOT_STORED: &str = "not_stored";
}

pub struct Metrics {
    registry: Registry,
    pub deliveries: Family<Outcome, Counter>,
    pub events_applied: Counter,
    pub events_flagged: Counter,
    pub rewards: Family<Outcome, Counter>,
    pub reconciliation: Family<Outcome, Counter>,
    pub requests_shed: Family<Reason, Counter>,
    inbox_depth: Gauge,
    inbox_oldest_seconds: Gauge,
    outbox_depth: Gauge,
    outbox_oldest_seconds: Gauge,
    rewards_held: Gauge,
    events_unapplied: Gauge,
    paid_without_webhook: Gauge,
    connections_open: Gauge,
    connections_closed: Family<Reason, Counter>,
    pub connections: Arc<ConnectionStats>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut metrics = Self {
            deliveries: Family::default(),
            events_applied: Counter::default(),
            events_flagged: Counter::default(),
            rewards: Family::default(),
            reconciliation: Family::default(),
            requests_shed: Family::default(),
            inbox_depth: Gauge::default(),
            inbox_oldest_seconds: Gauge::default(),
            outbox_depth: Gauge::default(),
            outbox_oldest_seconds: Gauge::default(),
            rewards_held: Gauge::default(),
            events_unapplied: Gauge::default(),
            paid_without_webhook: Gauge::default(),
            connections_open: Gauge::default(),
            connections_closed: Family::default(),
            connections: Arc::default(),
            registry: Registry::with_prefix("sir_partner"),
        };
        let r = &mut metrics.registry;
        r.register("webhook_deliveries", "Webhook deliveries received, by outcome", metrics.deliveries.clone());
        r.register("webhook_events_applied", "Stored webhook events applied", metrics.events_applied.clone());
        r.register(
            "webhook_events_flagged",
            "Stored webhook events that could not be applied",
            metrics.events_flagged.clone(),
        );
        r.register("inbox_depth", "Webhook events stored and waiting to be applied", metrics.inbox_depth.clone());
        r.register(
            "inbox_oldest_age_seconds",
            "Age of the oldest event waiting to be applied",
            metrics.inbox_oldest_seconds.clone(),
        );
        r.register(
            "webhook_events_unapplied",
            "Stored webhook events flagged as not applicable",
            metrics.events_unapplied.clone(),
        );
        r.register("outbox_depth", "Rewards waiting to be accepted by SIR", metrics.outbox_depth.clone());
        r.register(
            "outbox_oldest_age_seconds",
            "Age of the oldest reward waiting in the outbox",
            metrics.outbox_oldest_seconds.clone(),
        );
        r.register("rewards", "Rewards by outcome: issued, held, failed", metrics.rewards.clone());
        r.register("rewards_held", "Rewards held for an operator now", metrics.rewards_held.clone());
        r.register(
            "reconciliation_findings",
            "Donations reconciliation found, by kind",
            metrics.reconciliation.clone(),
        );
        r.register(
            "donations_paid_without_webhook",
            "Donations SIR calls paid whose signed webhook never came",
            metrics.paid_without_webhook.clone(),
        );
        r.register("requests_shed", "Requests refused for load, by reason", metrics.requests_shed.clone());
        r.register("connections_open", "Connections open now", metrics.connections_open.clone());
        r.register(
            "connections_closed",
            "Connections closed or refused by the server, by reason",
            metrics.connections_closed.clone(),
        );
        metrics
    }
}

impl Metrics {
    pub fn delivery(&self, outcome: &'static str) {
        self.deliveries.get_or_create(&Outcome { outcome }).inc();
    }

    pub fn reward(&self, outcome: &'static str) {
        self.rewards.get_or_create(&Outcome { outcome }).inc();
    }

    pub fn shed(&self, reason: &'static str) {
        self.requests_shed.get_or_create(&Reason { reason }).inc();
    }

    /// Brings the connection counters up to the serving loop's.
    fn sync_connections(&self) {
        let stats = &self.connections;
        self.connections_open.set(stats.open.load(Ordering::Relaxed) as i64);
        for (reason, total) in [
            ("refused", &stats.refused_total),
            ("evicted_idle", &stats.evicted_total),
            ("timed_out", &stats.timed_out_total),
        ] {
            let counter = self.connections_closed.get_or_create(&Reason { reason });
            let behind = total.load(Ordering::Relaxed).saturating_sub(counter.get());
            counter.inc_by(behind);
        }
    }

    fn render(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// `GET /metrics`.
pub async fn serve(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let now = now_ms();
    let queues = state.store.queues().await?;
    let metrics = &state.metrics;
    let age = |since: Option<i64>| since.map_or(0, |at| (now - at).max(0) / 1000);
    metrics.inbox_depth.set(queues.events_queued);
    metrics.inbox_oldest_seconds.set(age(queues.oldest_queued_at));
    metrics.events_unapplied.set(queues.events_flagged);
    metrics.outbox_depth.set(queues.rewards_pending);
    metrics.outbox_oldest_seconds.set(age(queues.oldest_pending_reward_at));
    metrics.rewards_held.set(queues.rewards_held);
    metrics.paid_without_webhook.set(queues.paid_without_webhook);
    metrics.sync_connections();
    let text = metrics.render().map_err(|_| ApiError::internal("cannot encode the metrics"))?;
    Ok(([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text))
}

/// The private listener's router: the metrics, and the confirmed donations' export, behind
/// `PARTNER_METRICS_TOKEN` when one is set.
pub fn router(state: AppState) -> axum::Router {
    axum::Router::new()
        .route("/metrics", axum::routing::get(serve))
        .route("/donations.csv", axum::routing::get(crate::export::donations_csv))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), token_only))
        .fallback(sir_server_kit::not_found::<ApiError>)
        .with_state(state)
}

/// Refuses a request without the configured bearer token (compared in constant time).
async fn token_only(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if let Some(token) = &state.config.metrics_token {
        let given = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
        let expected = format!("Bearer {}", token.expose());
        let same = given.len() == expected.len()
            && given.bytes().zip(expected.bytes()).fold(0u8, |diff, (a, b)| diff | (a ^ b)) == 0;
        if !same {
            return ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                crate::error::ErrorCode::SignInRequired,
                "This listener needs its bearer token",
            )
            .into_response();
        }
    }
    next.run(request).await
}
