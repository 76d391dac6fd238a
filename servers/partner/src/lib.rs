//! **sir-partner-server**: a reference partner backend for sir-donate.
//!
//! The browser widget holds only a publishable key. Everything that needs the secret
//! key, the `hmacSecret` or the webhook secret runs here, behind a small JSON API the
//! widget calls with cookies (the *delegation contract*, see README.md):
//!
//! | Route | Does |
//! |---|---|
//! | `POST /webhooks/sir` | verifies, stores and applies SIR's webhooks, exactly once |
//! | `GET /sir/donations/{id}` | a donation's status (webhooks first, else SIR's status API) |
//! | `POST /sir/rewards/donation` | rewards a completed donation once (a signed `DONATION` action) |
//! | `GET /sir/rewards` | the signed-in donor's balance (signed call) |
//! | `POST`/`DELETE /sir/session` | the demo's donor sign-in cookie |
//! | `GET /healthz` | liveness |
//! | `/` | `PARTNER_STATIC_DIR`, when set |

pub mod config;
pub mod db;
pub mod donations;
pub mod error;
pub mod session;
pub mod sir;
pub mod webhook;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::handler::HandlerWithoutStateExt as _;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use tokio::net::TcpListener;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;
use tracing::Span;

pub use config::{Config, ConfigError, RetryPolicy};
pub use db::Db;
pub use error::{ApiError, ErrorCode};
pub use sir::SirClient;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub sir: SirClient,
}

impl AppState {
    pub fn new(config: Config, db: Db) -> Self {
        let sir = SirClient::new(&config);
        Self { config: Arc::new(config), db, sir }
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    let wrong_method = |route: MethodRouter<AppState>| route.fallback(error::method_not_allowed);
    let sir_routes = Router::new()
        .route("/sir/donations/{partner_donation_id}", wrong_method(get(donations::status)))
        .route("/sir/rewards", wrong_method(get(session::rewards)))
        .route("/sir/rewards/donation", wrong_method(post(donations::reward)))
        .route("/sir/session", wrong_method(post(session::sign_in).delete(session::sign_out)))
        .route_layer(middleware::from_fn_with_state(state.clone(), origin_guard))
        .layer(cors(&state.config));
    let router = Router::new()
        .merge(sir_routes)
        .route("/webhooks/sir", wrong_method(post(webhook::receive)))
        .route("/healthz", get(|| async { "ok" }));
    let router = match &state.config.static_dir {
        // ServeDir guesses types from extensions: `.wasm` is `application/wasm`, which
        // `WebAssembly.instantiateStreaming` requires.
        Some(dir) => router.fallback_service(
            ServeDir::new(dir)
                .append_index_html_on_directories(true)
                .not_found_service(error::not_found.into_service()),
        ),
        None => router.fallback(error::not_found),
    };
    router
        .layer(
            TraceLayer::new_for_http()
                // Method and path only: never headers (cookies, signatures) or bodies.
                .make_span_with(|request: &Request<_>| {
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
                })
                .on_request(())
                .on_response(|response: &Response<_>, latency: Duration, _span: &Span| {
                    tracing::info!(status = response.status().as_u16(), latency_ms = latency.as_millis() as u64, "served");
                })
                .on_failure(()),
        )
        .with_state(state)
}

/// CORS for the widget's `/sir/*` calls: only `PARTNER_ALLOWED_ORIGINS`, with
/// credentials (the session cookie), `content-type` as the one request header.
/// DELETE is allowed for `DELETE /sir/session`.
fn cors(config: &Config) -> CorsLayer {
    let origins: Vec<HeaderValue> =
        config.allowed_origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST, Method::DELETE, Method::OPTIONS])
        .allow_headers([header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600))
}

/// Refuses a state-changing `/sir/*` request (POST, DELETE) whose `Origin` is neither
/// allowed nor this server itself: 403 `ORIGIN_NOT_ALLOWED`. CORS only stops another
/// site from *reading* answers; this stops it from acting with the donor's cookie.
/// Requests without `Origin` (curl, server-to-server) pass.
async fn origin_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let changes_state = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let origin = request.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if let (true, Some(origin)) = (changes_state, origin) {
        let host = request.headers().get(header::HOST).and_then(|v| v.to_str().ok());
        let same_origin = host.is_some_and(|host| {
            origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) == Some(host)
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

/// Serves `app` on `listener` until `shutdown` resolves, then drains open requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state)).with_graceful_shutdown(shutdown).await
}

/// The first line printed on start; tests and scripts parse it for the port.
pub fn listening_line(address: std::net::SocketAddr) -> String {
    format!("sir-partner-server listening on http://{address}")
}
