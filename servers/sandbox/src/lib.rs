//! **sir-sandbox**: a local emulator of the SIR Giving Partner API (sandbox environment).
//!
//! Faithful to what the API reference (`shared/sir-partner-api.md`) says; where it is
//! silent, each decision is written next to the code that makes it and listed in README.md.

pub mod actions;
pub mod api;
pub mod auth;
pub mod body;
pub mod checkout;
pub mod control;
pub mod donations;
pub mod error;
pub mod faults;
pub mod gate;
pub mod html;
pub mod logo;
pub mod model;
pub mod rate_limit;
pub mod seed;
pub mod state;
pub mod webhooks;

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Extensions, HeaderName, HeaderValue, Method, header};
use axum::routing::{get, post};
use axum::{Router, middleware};
use tokio::net::TcpListener;
use tower_http::cors::{AllowHeaders, Any, CorsLayer};

pub use model::PresetWebhook;
pub use state::{AppState, Config};

/// The whole application. Serve it with connect info (as [`serve`] does): the test
/// controls and the per-IP rate limit need the peer address.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(api::routes(state.clone()))
        .merge(control::routes())
        .route("/", get(checkout::index))
        .route("/healthz", get(|| async { "ok" }))
        .route("/logos/{file}", get(logo::logo))
        .route("/checkout/{id}", get(checkout::show))
        .route("/checkout/{id}/complete", post(checkout::complete))
        .route("/checkout/{id}/cancel", post(checkout::cancel))
        .route("/checkout/{id}/fail", post(checkout::fail))
        .fallback(sir_server_kit::not_found::<error::ApiError>)
        .layer(cors())
        .layer(middleware::from_fn_with_state(state.clone(), latency))
        .layer(middleware::map_response(close_connection))
        // 5xx are logged by the response line; a dropped connection is logged by the gate.
        .layer(sir_server_kit::trace_layer())
        .with_state(state)
}

/// Decision: no keep-alive; every response closes its connection. A browser silently
/// resends a request that failed on a *reused* keep-alive socket before any response
/// byte (even a POST), so a `drop` fault would be retried away and the page would never
/// see it. On fresh connections the page sees the network error every time. On
/// loopback a new connection costs next to nothing, and `fetch` can't observe the header.
async fn close_connection(mut response: axum::response::Response) -> axum::response::Response {
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// `--latency-ms`: waits before answering, outside CORS so that preflights wait too. The
/// loopback test controls answer at once, so a test's setup is not slowed.
async fn latency(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    if !state.config.latency.is_zero() && !request.uri().path().starts_with("/__sandbox") {
        tokio::time::sleep(state.config.latency).await;
    }
    next.run(request).await
}

/// CORS a real browser accepts from any partner page (the docs leave CORS open, §7.3):
/// any origin without credentials (the key travels in a header, not a cookie), the
/// two request headers a widget sends, and the rate-limit headers readable from JS.
/// The layer sits outside every route, so errors and injected faults carry CORS
/// headers too, and preflights are answered before any fault can apply.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers(AllowHeaders::list([header::CONTENT_TYPE, HeaderName::from_static(auth::KEY_HEADER)]))
        .expose_headers([
            rate_limit::LIMIT_HEADER,
            rate_limit::REMAINING_HEADER,
            rate_limit::RESET_HEADER,
            header::RETRY_AFTER,
        ])
        .max_age(Duration::from_secs(600))
        // Lets a page on a public origin call this loopback server in Chrome (Private Network Access).
        .allow_private_network(true)
}

/// Serves `app` on `listener` until `shutdown` resolves, then drains open requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    sir_server_kit::serve(listener, app(state), shutdown).await
}

/// The first line printed on start; tests parse it for the port.
pub fn listening_line(address: SocketAddr) -> String {
    format!("sir-sandbox listening on http://{address}")
}

/// `http://BIND:PORT` with the real port. An unspecified bind (`0.0.0.0`, `::`) is no
/// address a browser can open, so links use the loopback address of the same family.
pub fn default_public_url(bind: IpAddr, port: u16) -> String {
    let host = match bind {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::from([127, 0, 0, 1]),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
        other => other,
    };
    format!("http://{}", SocketAddr::new(host, port))
}

/// The peer's IP: from the connection, or from `MockConnectInfo` in tests.
pub(crate) fn peer_ip(extensions: &Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip())
        .or_else(|| extensions.get::<MockConnectInfo<SocketAddr>>().map(|MockConnectInfo(address)| address.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn startup_line_and_default_public_url() {
        let address = SocketAddr::from(([127, 0, 0, 1], 8787));
        assert_eq!(listening_line(address), "sir-sandbox listening on http://127.0.0.1:8787");
        assert_eq!(default_public_url(address.ip(), 8787), "http://127.0.0.1:8787");
        assert_eq!(default_public_url(IpAddr::from([0, 0, 0, 0]), 9), "http://127.0.0.1:9");
        assert_eq!(default_public_url("::".parse().expect("ip"), 9), "http://[::1]:9");
    }
}
