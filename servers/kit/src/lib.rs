//! **sir-server-kit**: the plumbing the sandbox and the partner server share, so that
//! both answer alike and a fix lands in both.
//!
//! | piece | what |
//! |---|---|
//! | [`envelope`] | the one JSON error body, `{"statusCode","error","code","message",…}` |
//! | [`Fallback`], [`not_found`], [`method_not_allowed`] | the 404/405 answers, in the app's own error type |
//! | [`serve`], [`shutdown_signal`] | serving with peer addresses; SIGINT/SIGTERM, for a graceful stop |
//! | [`trace_layer`] | one log line per request: method, path, status, latency, never headers or bodies |
//! | [`describe`] | an outbound HTTP error as one line, with its causes and without its URL |
//! | [`well_formed_email`] | the email rule (from `sir-rules`, shared with the widget) |
//!
//! The JSON body extractor is axum's own `Json`, given each app's error type the way axum's
//! `customize-extractor-error` example does: `#[derive(FromRequest)]
//! #[from_request(via(axum::Json), rejection(ApiError))] pub struct AppJson<T>(pub T);` with
//! `impl From<JsonRejection> for ApiError`. axum's `Json` already refuses a body without
//! `Content-Type: application/json`, which is what keeps a page of another origin from
//! posting here without a CORS preflight.

mod envelope;

pub use envelope::{Fallback, envelope, method_not_allowed, not_found};
pub use sir_rules::well_formed_email;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Response};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{DefaultOnBodyChunk, DefaultOnEos, TraceLayer};
use tracing::Span;

/// Serves `app` on `listener`, with each peer's address (`ConnectInfo`, for per-IP limits
/// and loopback-only routes), until `shutdown` resolves; then drains open requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}

/// The request log: one span per request (method, path, and the `X-Request-Id` when one is
/// set) and one line per response (status, latency). Never headers (cookies, signatures,
/// keys) or bodies. 5xx are logged by the response line; nothing more on failure.
pub type RequestLog = TraceLayer<
    SharedClassifier<ServerErrorsAsFailures>,
    fn(&Request<Body>) -> Span,
    (),
    fn(&Response<Body>, Duration, &Span),
    DefaultOnBodyChunk,
    DefaultOnEos,
    (),
>;

pub fn trace_layer() -> RequestLog {
    fn span(request: &Request<Body>) -> Span {
        let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
        tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = id)
    }
    fn served(response: &Response<Body>, latency: Duration, _span: &Span) {
        tracing::info!(status = response.status().as_u16(), latency_ms = latency.as_millis() as u64, "served");
    }
    TraceLayer::new_for_http()
        .make_span_with(span as fn(&Request<Body>) -> Span)
        .on_request(())
        .on_response(served as fn(&Response<Body>, Duration, &Span))
        .on_failure(())
}

/// A network error with its causes, e.g. "error sending request: … Connection refused",
/// without the URL (it may carry a token); "timed out" for a timeout.
pub fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "timed out".to_owned();
    }
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(&format!(" ({url})"), "").replace(url.as_str(), "");
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
