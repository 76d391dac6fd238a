//! Faults that tests arm on purpose (`POST /__sandbox/faults`), queued FIFO per endpoint.
//!
//! Each request to an endpoint takes the first fault queued for that endpoint, or else
//! the first one queued for `any`; a fault armed with `times: n` serves n requests,
//! `times: 0` serves every request until the faults are cleared.

use std::collections::{HashMap, VecDeque};

use axum::body::{Body, to_bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{ApiError, ErrorCode};

/// Longest injectable delay. Decision: long enough for any timeout test, short
/// enough that a forgotten fault can't hang a test run.
pub const MAX_DELAY_MS: u64 = 120_000;

/// Size of the padding an `oversized` fault adds: ~3 MiB, past any sane client cap.
pub const OVERSIZED_PADDING: usize = 3 * 1024 * 1024;

/// The exact body of a `malformed` fault: JSON cut off mid-object.
pub const MALFORMED_BODY: &str = r#"{"partnerDonationId": "abc", "donationLink": "#;

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum FaultEndpoint {
    Config,
    Organization,
    CreateLink,
    Status,
    Balance,
    SubmitAction,
    RegisterWebhook,
    Any,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum FaultKind {
    /// That HTTP status (400–599) with the standard error body.
    Status { status: u16 },
    /// 429 `RATE_LIMITED` with `Retry-After` set verbatim (seconds or an HTTP date).
    RateLimit { retry_after: RetryAfter },
    /// Waits, then handles the request normally.
    Delay { delay_ms: u64 },
    /// Handles the request at once, then waits before answering: a create-link whose
    /// donation exists (and can be paid, and its webhook sent) before its answer arrives.
    LateAnswer { delay_ms: u64 },
    /// 200 with truncated JSON.
    Malformed,
    /// The normal answer plus ~3 MiB of padding: still valid JSON.
    Oversized,
    /// The connection closes with no HTTP response at all.
    Drop,
    /// create-link succeeds (the donation is stored) but answers with this `donationLink`.
    Link { link: String },
}

/// `retryAfter` as given; a JSON number is taken as its digits, for convenience.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum RetryAfter {
    Text(String),
    Seconds(u64),
}

impl RetryAfter {
    fn header_value(&self) -> Result<HeaderValue, ApiError> {
        let text = match self {
            Self::Text(text) => text.clone(),
            Self::Seconds(seconds) => seconds.to_string(),
        };
        HeaderValue::from_str(&text).ok().filter(|_| !text.is_empty()).ok_or_else(|| {
            ApiError::bad_request(ErrorCode::InvalidFault, "retryAfter must be a non-empty header value")
        })
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct FaultRequest {
    pub endpoint: FaultEndpoint,
    #[serde(flatten)]
    pub kind: FaultKind,
    /// How many requests it serves; 0 means until cleared.
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

impl FaultRequest {
    /// Parses and checks a control request, so a mistake surfaces when arming, not mid-test.
    pub fn parse(body: Value) -> Result<Self, ApiError> {
        let request: Self = serde_json::from_value(body)
            .map_err(|error| ApiError::bad_request(ErrorCode::InvalidFault, format!("Invalid fault: {error}")))?;
        match &request.kind {
            FaultKind::Status { status } if !(400..=599).contains(status) => {
                Err(ApiError::bad_request(ErrorCode::InvalidFault, "status must be an error status, 400 to 599"))
            }
            FaultKind::RateLimit { retry_after } => retry_after.header_value().map(|_| request),
            FaultKind::Delay { delay_ms } | FaultKind::LateAnswer { delay_ms } if *delay_ms > MAX_DELAY_MS => {
                Err(ApiError::bad_request(ErrorCode::InvalidFault, format!("delayMs must be at most {MAX_DELAY_MS}")))
            }
            // Only create-link has a link to replace; elsewhere the fault would be silently lost.
            FaultKind::Link { .. } if request.endpoint != FaultEndpoint::CreateLink => Err(ApiError::bad_request(
                ErrorCode::InvalidFault,
                "a link fault applies to the create-link endpoint only",
            )),
            _ => Ok(request),
        }
    }
}

#[derive(Debug)]
struct Armed {
    kind: FaultKind,
    /// `None`: until cleared.
    remaining: Option<u32>,
}

/// The armed faults.
#[derive(Debug, Default)]
pub struct FaultBook {
    queues: HashMap<FaultEndpoint, VecDeque<Armed>>,
    armed_total: u64,
}

impl FaultBook {
    /// Queues a fault and returns its id.
    pub fn arm(&mut self, request: FaultRequest) -> String {
        self.armed_total += 1;
        let remaining = (request.times > 0).then_some(request.times);
        self.queues.entry(request.endpoint).or_default().push_back(Armed { kind: request.kind, remaining });
        format!("fault-{}", self.armed_total)
    }

    /// Consumes one use of the fault due for a request to `endpoint`, if any.
    pub fn take(&mut self, endpoint: FaultEndpoint) -> Option<FaultKind> {
        [endpoint, FaultEndpoint::Any].into_iter().find_map(|key| {
            let queue = self.queues.get_mut(&key)?;
            let front = queue.front_mut()?;
            let kind = front.kind.clone();
            match &mut front.remaining {
                Some(1) => {
                    queue.pop_front();
                }
                Some(n) => *n -= 1,
                None => {}
            }
            Some(kind)
        })
    }

    /// Clears the queues; ids keep counting so they stay unique.
    pub fn clear(&mut self) {
        self.queues.clear();
    }
}

/// What an armed fault does to one request.
pub enum Effect {
    /// Answer with this instead of running the handler.
    Replace(Response),
    /// Close the connection without any response.
    Drop,
    /// Wait this long, then run the handler.
    Delay(std::time::Duration),
    /// Run the handler, then wait this long before answering.
    LateAnswer(std::time::Duration),
    /// Run the handler, then pad its JSON.
    Pad,
    /// Run the handler with this link in place of the checkout URL.
    Link(String),
}

impl From<FaultKind> for Effect {
    fn from(kind: FaultKind) -> Self {
        match kind {
            FaultKind::Status { status } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let error = ApiError::new(status, ErrorCode::for_status(status), "Injected fault");
                Self::Replace(error.into_response())
            }
            FaultKind::RateLimit { retry_after } => {
                let mut response = ApiError::rate_limited().into_response();
                // Validated when armed; a bad value can't get here.
                if let Ok(value) = retry_after.header_value() {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
                Self::Replace(response)
            }
            FaultKind::Malformed => {
                Self::Replace(([(header::CONTENT_TYPE, "application/json")], MALFORMED_BODY).into_response())
            }
            FaultKind::Oversized => Self::Pad,
            FaultKind::Drop => Self::Drop,
            FaultKind::Delay { delay_ms } => Self::Delay(std::time::Duration::from_millis(delay_ms)),
            FaultKind::LateAnswer { delay_ms } => Self::LateAnswer(std::time::Duration::from_millis(delay_ms)),
            FaultKind::Link { link } => Self::Link(link),
        }
    }
}

/// A response whose body fails before its first byte. hyper buffers the head until
/// the body yields data, so on this error it closes the connection with nothing
/// written: the browser's `fetch` rejects with a network `TypeError`.
pub fn dropped_connection() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<bytes::Bytes, std::io::Error>(std::io::Error::other("injected fault: connection dropped"))
    });
    let mut response = Response::new(Body::from_stream(failing));
    // Never sent; it only labels the request log line. nginx uses 444 for "closed without response".
    if let Ok(status) = StatusCode::from_u16(444) {
        *response.status_mut() = status;
    }
    response
}

/// The handler's JSON object plus a `padding` field of ~3 MiB, keeping its status.
/// Decision: real fields stay, so a client that ignores its size cap would succeed,
/// which lets a test tell a capped client from one that merely failed to parse.
pub async fn oversized(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, "Could not pad the response")
            .into_response();
    };
    let mut object = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(object)) => object,
        _ => serde_json::Map::new(),
    };
    object.insert("padding".to_owned(), Value::String("x".repeat(OVERSIZED_PADDING)));
    let body = Value::Object(object).to_string();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn arm(book: &mut FaultBook, body: Value) -> String {
        let request = FaultRequest::parse(body).expect("valid fault");
        book.arm(request)
    }

    #[test]
    fn faults_are_consumed_in_order_endpoint_first_then_any() {
        let mut book = FaultBook::default();
        arm(&mut book, json!({"endpoint": "any", "kind": "malformed"}));
        arm(&mut book, json!({"endpoint": "config", "kind": "status", "status": 503, "times": 2}));
        arm(&mut book, json!({"endpoint": "config", "kind": "drop"}));
        let status = Some(FaultKind::Status { status: 503 });
        assert_eq!(book.take(FaultEndpoint::Config), status);
        assert_eq!(book.take(FaultEndpoint::Config), status);
        assert_eq!(book.take(FaultEndpoint::Config), Some(FaultKind::Drop));
        assert_eq!(book.take(FaultEndpoint::Config), Some(FaultKind::Malformed));
        assert_eq!(book.take(FaultEndpoint::Config), None);
    }

    #[test]
    fn times_zero_lasts_until_cleared() {
        let mut book = FaultBook::default();
        arm(&mut book, json!({"endpoint": "status", "kind": "oversized", "times": 0}));
        for _ in 0..5 {
            assert_eq!(book.take(FaultEndpoint::Status), Some(FaultKind::Oversized));
        }
        book.clear();
        assert_eq!(book.take(FaultEndpoint::Status), None);
    }

    #[test]
    fn bad_faults_are_refused_when_armed() {
        for body in [
            json!({"endpoint": "config", "kind": "status", "status": 200}),
            json!({"endpoint": "config", "kind": "explode"}),
            json!({"endpoint": "nowhere", "kind": "drop"}),
            json!({"endpoint": "config", "kind": "link", "link": "http://evil.example/pay"}),
            json!({"endpoint": "config", "kind": "rate-limit", "retryAfter": "two\nlines"}),
            json!({"endpoint": "config", "kind": "delay", "delayMs": MAX_DELAY_MS + 1}),
        ] {
            let error = FaultRequest::parse(body.clone()).expect_err("refused");
            assert_eq!(error.code, ErrorCode::InvalidFault, "{body}");
        }
        let numeric = FaultRequest::parse(json!({"endpoint": "any", "kind": "rate-limit", "retryAfter": 3}));
        assert_eq!(numeric.map(|r| r.kind), Ok(FaultKind::RateLimit { retry_after: RetryAfter::Seconds(3) }));
    }
}
