//! One JSON error body for every failure: the SIR sandbox's envelope plus a request id,
//! `{"statusCode","error","code","message","requestId"}`, so the widget parses one shape
//! whether it talks to SIR or to this server. Switch on `code`, not on `message`.
//!
//! Browsers are told nothing internal: a failure of this server or of SIR gets a generic
//! message, and its detail goes to the log under the same request id (`render` below).

use axum::extract::Request;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sir_server_kit::Fallback;

/// The machine-readable `code` of an error body (the delegation contract's error codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// 400: the body is not a JSON object of the expected shape.
    InvalidBody,
    /// 400: `email` is not a well-formed address.
    InvalidEmail,
    /// 400: a `partnerDonationId` that can't be one (1–64 of `A-Z a-z 0-9 _ -`).
    InvalidDonationId,
    /// 400: a webhook with a valid signature whose body is not an event envelope.
    InvalidEvent,
    /// 401: a webhook whose `X-SIR-Signature` is missing, malformed or wrong.
    InvalidSignature,
    /// 401: a webhook with a genuine signature and an `X-SIR-Timestamp` over 5 minutes off.
    StaleTimestamp,
    /// 401: this call needs a signed-in user.
    SignInRequired,
    /// 403: a state-changing request from an origin not in `PARTNER_ALLOWED_ORIGINS`.
    OriginNotAllowed,
    /// 404: no such route or file.
    NotFound,
    /// 404: no donation of the signed-in user has this id (whether or not someone else's has).
    DonationNotFound,
    MethodNotAllowed,
    /// 409: a reward was asked for a donation no verified webhook has completed yet.
    DonationNotCompleted,
    PayloadTooLarge,
    /// 415: a POST without `Content-Type: application/json`.
    UnsupportedMediaType,
    /// 429: this client or user sent too many requests; `Retry-After` says when to retry.
    RateLimited,
    Internal,
    /// 502: SIR could not be reached, or answered 5xx, after retries.
    SirUnavailable,
    /// 502: SIR refused this server's credentials (401/403): a configuration problem.
    SirAuthFailed,
    /// 502: SIR answered something this server did not expect.
    SirError,
    /// 503: SIR kept answering 429; `Retry-After` says when to try again.
    SirRateLimited,
    /// 503: more requests in progress than `PARTNER_MAX_CONCURRENT`.
    Overloaded,
    /// 504: the request ran past `PARTNER_REQUEST_DEADLINE_MS`.
    Timeout,
}

/// Our own code, or SIR's when its answer is passed on as is (create-link's 4xx, which
/// describe the donor's own input: `INVALID_AMOUNT`, `ORGANIZATION_NOT_FOUND`, …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Code {
    Ours(ErrorCode),
    Sir(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: Code,
    /// What the client is told.
    pub message: String,
    /// Seconds, sent as `Retry-After`.
    pub retry_after: Option<u64>,
    /// What only the log is told (a network error, SIR's body, a storage error).
    pub detail: Option<String>,
}

/// What this server adds to the shared envelope.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RequestId<'a> {
    request_id: &'a str,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self { status, code: Code::Ours(code), message: message.into(), retry_after: None, detail: None }
    }

    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// A failure of this server: a generic message out, `detail` to the log.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, "Something went wrong on our side")
            .with_detail(detail)
    }

    pub fn sign_in_required() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorCode::SignInRequired, "Sign in first")
    }

    /// The same answer whether the donation is unknown or someone else's: an id is public,
    /// so it must not tell a stranger anything.
    pub fn donation_not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::DonationNotFound, "You have no donation with this id")
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {:?}: {}", self.status.as_u16(), self.code, self.message)?;
        if let Some(detail) = &self.detail {
            write!(f, " ({detail})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The status and headers now; the body is written by [`render`], which knows the request id.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(self);
        response
    }
}

/// The request id header, set by `SetRequestIdLayer` and echoed to the client.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Middleware: writes every [`ApiError`]'s body with the request's id, and logs it:
/// 5xx at error level with the internal detail, 4xx at debug.
pub async fn render(request: Request, next: Next) -> Response {
    let request_id =
        request.headers().get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let mut response = next.run(request).await;
    let Some(error) = response.extensions_mut().remove::<ApiError>() else { return response };
    if error.status.is_server_error() {
        tracing::error!(request_id, status = error.status.as_u16(), code = ?error.code, detail = error.detail.as_deref().unwrap_or(""), "{}", error.message);
    } else {
        tracing::debug!(request_id, status = error.status.as_u16(), code = ?error.code, "{}", error.message);
    }
    let rendered =
        sir_server_kit::envelope(error.status, &error.code, &error.message, RequestId { request_id: &request_id });
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, rendered.into_body())
}

/// The 404 and 405 of the shared fallbacks (`sir_server_kit::not_found::<ApiError>`).
impl From<Fallback> for ApiError {
    fn from(fallback: Fallback) -> Self {
        let code = match fallback {
            Fallback::NotFound => ErrorCode::NotFound,
            Fallback::MethodNotAllowed => ErrorCode::MethodNotAllowed,
        };
        ApiError::new(fallback.status(), code, fallback.message())
    }
}

/// Every JSON body problem in the envelope: 415 without `Content-Type: application/json`,
/// 413 (or axum's status) for a body that can't be read, 400 `INVALID_BODY` otherwise.
impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "Send Content-Type: application/json",
            ),
            JsonRejection::BytesRejection(bytes) => {
                ApiError::new(bytes.status(), ErrorCode::PayloadTooLarge, "The body could not be read")
            }
            other => ApiError::bad_request(
                ErrorCode::InvalidBody,
                format!("The body is not what this call takes: {}", other.body_text()),
            ),
        }
    }
}

/// A storage failure is ours: a generic 500 out, the cause to the log (so `?` works on
/// every query, as in axum's examples).
impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        ApiError::internal(format!("storage: {error}"))
    }
}

/// A database that doesn't answer (restarting, its pool exhausted) is a passing outage:
/// 503 with `Retry-After`, so clients and SIR try again; anything else is a 500.
impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> Self {
        use crate::store::StoreError;
        match &error {
            StoreError::Database(sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_)) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Overloaded, "Busy right now; try again")
                    .with_retry_after(1)
                    .with_detail(error.to_string())
            }
            _ => ApiError::internal(error.to_string()),
        }
    }
}
