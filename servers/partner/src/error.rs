//! One JSON error body for every failure: the same envelope as the SIR sandbox,
//! `{"statusCode","error","code","message"}`, so the widget parses one shape whether
//! it talks to SIR or to this server. Switch on `code`, not on `message`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The machine-readable `code` of an error body (the delegation contract's error codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// 400: the body is not a JSON object of the expected shape.
    InvalidBody,
    /// 400: `email` is not a well-formed address.
    InvalidEmail,
    /// 400: `externalId` is not 1–64 of `A-Z a-z 0-9 . _ ~ -`.
    InvalidExternalId,
    /// 400: a `partnerDonationId` that can't be one (1–64 of `A-Z a-z 0-9 _ -`).
    InvalidDonationId,
    /// 400: a webhook with a valid signature whose body is not an event envelope.
    InvalidEvent,
    /// 401: a webhook whose `X-SIR-Signature` is missing, malformed or wrong.
    InvalidSignature,
    /// 401: a webhook with a genuine signature and an `X-SIR-Timestamp` over 5 minutes off.
    StaleTimestamp,
    /// 403: a state-changing request from an origin not in `PARTNER_ALLOWED_ORIGINS`.
    OriginNotAllowed,
    NotFound,
    /// 404: SIR doesn't know this donation.
    DonationNotFound,
    MethodNotAllowed,
    /// 409: a reward was asked for a donation not (yet) known to be completed.
    DonationNotCompleted,
    PayloadTooLarge,
    /// 415: a POST without `Content-Type: application/json`.
    UnsupportedMediaType,
    /// 422: nobody to reward: no session, and no donor email from the webhook.
    DonorUnknown,
    Internal,
    /// 502: SIR could not be reached, or answered 5xx, after retries.
    SirUnavailable,
    /// 502: SIR refused this server's credentials (401/403): a configuration problem.
    SirAuthFailed,
    /// 502: SIR answered something this server did not expect.
    SirError,
    /// 503: SIR's 402 `INSUFFICIENT_POOL`: the partner's token pool is empty.
    RewardPoolEmpty,
    /// 503: SIR kept answering 429; `Retry-After` says when to try again.
    SirRateLimited,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    /// Seconds, sent as `Retry-After` (on 503 `SIR_RATE_LIMITED`).
    pub retry_after: Option<u64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody<'a> {
    status_code: u16,
    error: &'a str,
    code: ErrorCode,
    message: &'a str,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), retry_after: None }
    }

    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            status_code: self.status.as_u16(),
            error: self.status.canonical_reason().unwrap_or("Error"),
            code: self.code,
            message: &self.message,
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Fallback for unknown routes (when no static directory is served).
pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "No such route")
}

/// Fallback for a known route called with the wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed, "Method not allowed on this route")
}
