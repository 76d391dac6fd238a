//! **sir-server-kit**: the plumbing the sandbox and the partner server share, so that
//! both answer alike and a fix lands in both.
//!
//! | piece | what |
//! |---|---|
//! | [`envelope`] | the one JSON error body, `{"statusCode","error","code","message",…}` |
//! | [`Fallback`], [`not_found`], [`method_not_allowed`] | the 404/405 answers, in the app's own error type |
//! | [`serve`], [`connections`], [`shutdown_signal`] | serving with peer addresses and per-address connection shares; SIGINT/SIGTERM, for a graceful stop |
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

pub mod connections;
mod envelope;

pub use connections::{ConnectionPolicy, ConnectionStats, Connections};
pub use envelope::{Fallback, envelope, method_not_allowed, not_found};
pub use sir_rules::{plain_text, well_formed_email};

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Response};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{DefaultOnBodyChunk, DefaultOnEos, TraceLayer};
use tracing::Span;

/// A client gets this long to send a request's headers; a slower one is disconnected, so
/// half-open connections can't pile up (bodies are bounded by each app's own deadline).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// The most connections held open at once; past it, a new connection is closed at once.
pub const MAX_CONNECTIONS: usize = 2_048;
/// HTTP/2 streams (requests) in flight at once on one connection.
pub const MAX_STREAMS_PER_CONNECTION: u32 = 32;
/// How long a graceful stop waits for requests in flight.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `shutdown` resolves, then drains requests in flight
/// (for up to [`DRAIN_TIMEOUT`]), with the default [`ConnectionPolicy`].
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let connections = Connections::new(ConnectionPolicy::default(), Arc::default());
    serve_with(listener, app, shutdown, connections).await
}

/// What `axum::serve` does, plus: each request carries its peer's address (`ConnectInfo`,
/// for per-IP limits and loopback-only routes), and `connections` decides who may hold a
/// connection and for how long (see [`connections`]).
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    connections: Connections,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use tower::ServiceExt as _;

    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    // Each stream is a request in flight: a bounded number per connection.
    builder.http2().timer(TokioTimer::new()).max_concurrent_streams(MAX_STREAMS_PER_CONNECTION);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, say: wait rather than spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(admitted) = connections.admit(peer.ip()) else {
            tracing::warn!(%peer, "every connection in the way is busy: closed a new one");
            continue;
        };
        let admitted = Arc::new(admitted);
        let app = app.clone();
        let tracked = admitted.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            // Busy until the response is sent, or the request is cancelled (an HTTP/2
            // reset drops this future): either way the guard is dropped.
            let busy = connections::Busy::new(tracked.clone());
            let response = app.clone().oneshot(request.map(Body::new));
            async move {
                let response = response.await?;
                Ok::<_, std::convert::Infallible>(response.map(|body| busy.until_sent(body)))
            }
        });
        let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            tokio::pin!(connection);
            let mut check = tokio::time::interval(admitted.check_every());
            loop {
                tokio::select! {
                    _ = &mut connection => break,
                    // Evicted for a newer connection, or past its deadline: dropping the
                    // connection closes it (it has no request in flight).
                    () = admitted.close.notified() => break,
                    _ = check.tick() => if admitted.overdue() { break },
                }
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still in flight after the drain timeout");
    }
    Ok(())
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
