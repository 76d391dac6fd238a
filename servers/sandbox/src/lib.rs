//! **sir-sandbox**: a local emulator of the SIR Giving Partner API.
//!
//! Faithful to what the docs say (`shared/sir-partner-api.md`); where they are
//! silent, each decision is written next to the code that makes it. See README.md.

pub mod api;
pub mod checkout;
pub mod control;
pub mod error;
pub mod faults;
pub mod seed;
pub mod state;

use std::time::Duration;

use axum::http::{HeaderName, Method, header};
use axum::routing::{get, post};
use axum::{Router, middleware};
use tower_http::cors::{Any, CorsLayer};
use tower_http::trace::TraceLayer;

pub use state::{AppState, Config};

/// CORS a browser accepts from any partner origin: no credentials, the key header
/// allowed, and the rate-limit headers readable by the widget (§7.3).
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS, Method::DELETE])
        .allow_headers([header::CONTENT_TYPE, HeaderName::from_static("x-partner-key")])
        .expose_headers([
            HeaderName::from_static("x-ratelimit-limit"),
            HeaderName::from_static("x-ratelimit-remaining"),
            HeaderName::from_static("x-ratelimit-reset"),
            header::RETRY_AFTER,
        ])
        .max_age(Duration::from_secs(600))
}

/// The whole application. Serve it with `into_make_service_with_connect_info::<SocketAddr>()`,
/// which the loopback check of the test controls needs.
pub fn app(state: AppState) -> Router {
    let partner_api = Router::new()
        .route("/config", get(api::config))
        .route("/organizations/{slug}", get(api::organization))
        .route("/donations/create-link", post(api::create_link))
        .route("/donations/status/{id}", get(api::status))
        .layer(middleware::from_fn_with_state(state.clone(), api::gate));
    let controls = Router::new()
        .route("/reset", post(control::reset))
        .route("/stats", get(control::stats))
        .route("/requests", get(control::requests))
        .route("/faults", post(control::arm_fault).delete(control::clear_faults))
        .route("/donations/{id}/status", post(control::set_status))
        .layer(middleware::from_fn(control::loopback_only));
    Router::new()
        .nest("/v1/partner", partner_api)
        .nest("/__sandbox", controls)
        .route("/", get(checkout::index))
        .route("/healthz", get(|| async { "ok" }))
        .route("/logos/{file}", get(checkout::logo))
        .route("/checkout/{id}", get(checkout::checkout))
        .route("/checkout/{id}/complete", post(checkout::complete))
        .route("/checkout/{id}/cancel", post(checkout::cancel))
        .route("/checkout/{id}/fail", post(checkout::fail))
        .layer(cors())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
