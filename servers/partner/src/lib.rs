//! **sir-partner-server**: a reference partner backend for sir-donate.
//!
//! The browser widget holds only a publishable key. Everything that needs the secret
//! key, the `hmacSecret` or the webhook secret runs here, behind a small JSON API the
//! widget calls with the user's cookies (the *delegation contract*, see README.md):
//!
//! | Route | Does |
//! |---|---|
//! | `POST /webhooks/sir` | verifies and stores SIR's webhooks, answers 2xx; the inbox applies each once |
//! | `POST /sir/donations` | creates a donation link with SIR, owned by the signed-in user |
//! | `GET /sir/donations/{id}` | the owner's view of their donation (webhooks first, else SIR) |
//! | `POST /sir/rewards/donation` | the owner's reward for a completed donation |
//! | `GET /sir/rewards` | the signed-in user's SIR balance (signed call, briefly cached) |
//! | `GET /sir/totals?org=…` | a goal meter's totals: confirmed donations only, for anyone |
//! | `GET /sir/session` | who is signed in; `POST`/`DELETE` sign in and out in demo mode |
//! | `GET /healthz` | liveness; counts and alerts for loopback callers |
//! | `/` | `PARTNER_STATIC_DIR`, when set |
//! | `GET /metrics`, `GET /donations.csv` | Prometheus text; the confirmed donations with their attribution: on `PARTNER_METRICS_LISTEN` only |

pub mod config;
pub mod donations;
pub mod error;
pub mod events;
pub mod export;
pub mod extract;
pub mod health;
pub mod identity;
pub mod inbox;
pub mod limits;
pub mod metrics;
pub mod outbox;
pub mod reconcile;
pub mod rewards;
pub mod session;
pub mod sir;
pub mod static_files;
pub mod store;
pub mod totals;
pub mod webhook;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use sir_server_kit::{ConnectionPolicy, Connections};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower_governor::GovernorLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub use config::{Config, ConfigError, IdentityConfig, OutboxPolicy, ReconcilePolicy, RetryPolicy};
pub use error::{ApiError, ErrorCode};
pub use sir::SirClient;
pub use store::Store;

use crate::config::origin_host;
use crate::limits::{ClientShares, Limiters};
use crate::metrics::Metrics;
use crate::rewards::BalanceCache;

/// Largest body a `/sir/*` call may send: its JSON is a few hundred bytes.
pub const MAX_SIR_BODY_BYTES: usize = 16 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub sir: SirClient,
    pub balances: Arc<BalanceCache>,
    /// Woken when a reward becomes due, so the outbox doesn't wait for its next look.
    pub outbox: Arc<Notify>,
    /// Woken when a webhook is stored, so the inbox applies it at once.
    pub inbox: Arc<Notify>,
    pub limiters: Limiters,
    /// Webhook bodies read at once, per client and in all.
    pub webhook_reads: ClientShares,
    pub metrics: Arc<Metrics>,
    /// The goal meter's totals, briefly reused.
    pub totals: Arc<totals::TotalsCache>,
}

impl AppState {
    pub fn new(config: Config, store: Store) -> Self {
        let sir = SirClient::new(&config);
        let balances = Arc::new(BalanceCache::new(config.limits.balance_cache));
        let cookie = if config.cookie_secure { identity::SECURE_COOKIE_NAME } else { identity::COOKIE_NAME };
        let limiters = Limiters::new(&config, cookie);
        let metrics = Arc::<Metrics>::default();
        let webhook_reads = ClientShares::new(
            "webhook_wait",
            limits::WEBHOOKS_PER_CLIENT,
            config.limits.max_concurrent_webhooks,
            Some(config.limits.deadline / 3),
            &config.trusted_proxies,
            metrics.clone(),
        );
        Self {
            config: Arc::new(config),
            store,
            sir,
            balances,
            outbox: Arc::default(),
            inbox: Arc::default(),
            limiters,
            webhook_reads,
            metrics,
            totals: Arc::default(),
        }
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    let wrong_method = |route: MethodRouter<AppState>| route.fallback(sir_server_kit::method_not_allowed::<ApiError>);
    let limits = &state.limiters;
    let config = &state.config;
    let sir_share = ClientShares::new(
        "sir_client_share",
        config.limits.concurrent_per_client,
        config.limits.max_concurrent,
        None,
        &config.trusted_proxies,
        state.metrics.clone(),
    );
    let mut session = get(session::who);
    if matches!(state.config.identity, IdentityConfig::Demo) {
        let sign_in = post(session::sign_in)
            .route_layer(GovernorLayer::new(limits.sign_ins.clone()).error_handler(limits::too_many));
        session = session.merge(sign_in).delete(session::sign_out);
    }
    let sir_routes = Router::new()
        .route("/sir/donations", wrong_method(post(donations::create)))
        .route("/sir/donations/{partner_donation_id}", wrong_method(get(donations::status)))
        .route("/sir/rewards", wrong_method(get(rewards::balance)))
        .route("/sir/rewards/donation", wrong_method(post(rewards::reward)))
        .route("/sir/totals", wrong_method(get(totals::totals)))
        .route("/sir/session", wrong_method(session))
        .route_layer(middleware::from_fn_with_state(state.clone(), origin_guard))
        .route_layer(GovernorLayer::new(limits.per_session.clone()).error_handler(limits::too_many))
        .route_layer(GovernorLayer::new(limits.per_ip.clone()).error_handler(limits::too_many))
        .route_layer(middleware::from_fn_with_state(sir_share, limits::within_share))
        .layer(DefaultBodyLimit::max(MAX_SIR_BODY_BYTES))
        .layer(cors(&state.config));
    let router = Router::new().merge(sir_routes).route("/healthz", get(health::healthz));
    let router = match &state.config.static_dir {
        Some(dir) => router.fallback_service(static_files::router(dir)),
        None => router.fallback(sir_server_kit::not_found::<ApiError>),
    };
    let deadline = state.config.limits.deadline;
    let router = limits::bounded(router, state.config.limits.max_concurrent, deadline);
    // SIR's deliveries: bodies read in slots of their own, each client in its share,
    // waiting its turn, so a client sending slow bodies holds only its own (webhook.rs).
    let webhooks = Router::new().route("/webhooks/sir", wrong_method(post(webhook::receive)));
    let webhooks = limits::deadline(webhooks, deadline);
    router
        .merge(webhooks)
        .layer(middleware::from_fn(error::render))
        // Method, path and request id only: never headers (cookies, signatures) or bodies.
        .layer(sir_server_kit::trace_layer())
        .layer(middleware::from_fn(request_id))
        .with_state(state)
}

/// Gives every request an id (a proxy's, if it is a plain token, else a new one), echoed
/// in the `X-Request-Id` response header and in every error body, and logged.
async fn request_id(mut request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(error::REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|id| {
            (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned);
    let id = given.unwrap_or_else(|| {
        let mut bytes = [0u8; 8];
        let _ = getrandom::fill(&mut bytes);
        hex::encode(bytes)
    });
    let value = HeaderValue::from_str(&id).unwrap_or(HeaderValue::from_static("unknown"));
    request.headers_mut().insert(error::REQUEST_ID_HEADER, value.clone());
    let mut response = next.run(request).await;
    response.headers_mut().insert(error::REQUEST_ID_HEADER, value);
    response
}

/// CORS for the widget's `/sir/*` calls: only `PARTNER_ALLOWED_ORIGINS`, with
/// credentials (the session cookie), `content-type` and `authorization` as request
/// headers. DELETE is allowed for `DELETE /sir/session`.
fn cors(config: &Config) -> CorsLayer {
    let origins: Vec<HeaderValue> =
        config.allowed_origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST, Method::DELETE, Method::OPTIONS])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
        .expose_headers([header::RETRY_AFTER, header::HeaderName::from_static(error::REQUEST_ID_HEADER)])
        .max_age(Duration::from_secs(600))
}

/// Refuses a state-changing `/sir/*` request (POST, DELETE) whose `Origin` is neither
/// allowed nor this server itself: 403 `ORIGIN_NOT_ALLOWED`. CORS only stops another
/// site from *reading* answers; this stops it from acting with the user's cookie.
/// Requests without `Origin` (curl, server-to-server) pass.
async fn origin_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let changes_state = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let origin = request.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if let (true, Some(origin)) = (changes_state, origin) {
        let host = request.headers().get(header::HOST).and_then(|v| v.to_str().ok());
        let same_origin = host.is_some_and(|host| {
            origin_host(origin).is_some() && origin.split_once("://").map(|(_, authority)| authority) == Some(host)
        });
        if !same_origin && !state.config.allowed_origins.iter().any(|allowed| allowed == origin) {
            return ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                ErrorCode::OriginNotAllowed,
                "This origin is not in PARTNER_ALLOWED_ORIGINS",
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// The background work: the webhook inbox, the reward outbox, reconciliation, and a timer
/// that prunes expired sessions and idle rate-limit keys. Aborted when the returned
/// handles drop.
pub fn spawn_workers(state: &AppState) -> Workers {
    let inbox = tokio::spawn(inbox::run(state.clone()));
    let outbox = tokio::spawn(outbox::run(state.clone()));
    let reconcile = tokio::spawn(reconcile::run(state.clone()));
    let housekeeping = {
        let state = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(600));
            loop {
                tick.tick().await;
                match state.store.prune_sessions(store::now_ms()).await {
                    Ok(pruned) if pruned > 0 => tracing::info!(pruned, "expired sessions deleted"),
                    Ok(_) => {}
                    Err(error) => tracing::error!(%error, "cannot prune sessions"),
                }
                state.limiters.retain_recent();
            }
        })
    };
    Workers(vec![inbox, outbox, reconcile, housekeeping])
}

/// Background tasks, aborted on drop.
pub struct Workers(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Workers {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// Serves `app` on `listener` (with the peers' addresses, for the per-IP limits, and each
/// client address's share of connections) until `shutdown` resolves, then drains open
/// requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let policy = ConnectionPolicy {
        per_address: state.config.limits.connections_per_client,
        trusted_proxies: state.config.trusted_proxies.clone().into(),
        ..ConnectionPolicy::default()
    };
    let connections = Connections::new(policy, state.metrics.connections.clone());
    sir_server_kit::serve_with(listener, app(state), shutdown, connections).await
}

/// The first line printed on start; tests and scripts parse it for the port.
pub fn listening_line(address: std::net::SocketAddr) -> String {
    format!("sir-partner-server listening on http://{address}")
}
