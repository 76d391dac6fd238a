//! One JSON error body for every failure the sandbox answers.
//!
//! The docs show no error shape (API reference §6, §7.6). Decision: NestJS's
//! `{statusCode, error, message}` (the API's `@RequiresSecretKey()` decorator points
//! at NestJS) plus a machine-readable `code`, because the docs write errors as
//! `402 INSUFFICIENT_POOL`. Clients should switch on `code`, not on `message`.

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use sir_server_kit::Fallback;

/// The machine-readable `code` of an error body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    // 400: one code per create-link field, so a client can point at the field.
    BadRequest,
    InvalidBody,
    InvalidNonprofit,
    InvalidAmount,
    InvalidCurrency,
    InvalidFrequency,
    InvalidProvider,
    InvalidEmail,
    InvalidName,
    InvalidTip,
    InvalidReferralCode,
    // 400s of the secret-key endpoints, one per field.
    InvalidIdempotencyKey,
    InvalidActionType,
    InvalidStakeholders,
    InvalidMetadata,
    InvalidWebhookUrl,
    InvalidEventTypes,
    InvalidHeaders,
    InvalidDescription,
    // Test-control validation.
    InvalidFault,
    InvalidStatus,
    InvalidPool,
    Unauthorized,
    /// A signed request whose signature is missing, malformed or wrong.
    InvalidSignature,
    /// A genuine signature with an `X-Timestamp` more than 300 s off.
    StaleTimestamp,
    /// The docs' example of a coded error: the partner's token pool can't pay the reward.
    InsufficientPool,
    Forbidden,
    PublishableKeyRequired,
    /// A `pk_` key on an endpoint that needs the secret key (docs: 403).
    SecretKeyRequired,
    PartnerInactive,
    DonationsDisabled,
    ActionsDisabled,
    NotFound,
    OrganizationNotFound,
    DonationNotFound,
    UserNotFound,
    EventNotFound,
    ActionNotFound,
    /// A test control asked to reverse an action twice.
    AlreadyReversed,
    MethodNotAllowed,
    /// The docs' 409 code: the `idempotencyKey` was already processed.
    Idempotent,
    PayloadTooLarge,
    UnsupportedMediaType,
    OrganizationInactive,
    Unprocessable,
    RateLimited,
    ClientError,
    Internal,
}

impl ErrorCode {
    /// The code an injected `{"kind":"status"}` fault carries for a bare status.
    pub fn for_status(status: StatusCode) -> Self {
        match status.as_u16() {
            400 => Self::BadRequest,
            401 => Self::Unauthorized,
            402 => Self::InsufficientPool,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            405 => Self::MethodNotAllowed,
            409 => Self::Idempotent,
            413 => Self::PayloadTooLarge,
            415 => Self::UnsupportedMediaType,
            422 => Self::Unprocessable,
            429 => Self::RateLimited,
            500.. => Self::Internal,
            _ => Self::ClientError,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    /// Only on 409 `IDEMPOTENT`: the original response, as `"original"` in the body.
    pub original: Option<Value>,
}

/// What the sandbox adds to the shared envelope: the first response of a repeated action.
#[derive(Serialize)]
struct Original<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    original: Option<&'a Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), original: None }
    }

    /// 409 `IDEMPOTENT` carrying the first response for the key.
    ///
    /// Decision (the docs only say "the original response is returned"): the standard
    /// error envelope plus `"original": {…}`, so a client that switches on `code` keeps
    /// working and the first result is still one field away.
    pub fn idempotent(original: Value) -> Self {
        Self {
            original: Some(original),
            ..Self::new(
                StatusCode::CONFLICT,
                ErrorCode::Idempotent,
                "This idempotencyKey was already processed; \
the original response is in `original`",
            )
        }
    }

    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    pub fn forbidden(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, message)
    }

    pub fn rate_limited() -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited, "Rate limit exceeded; retry after Retry-After")
    }

    /// The answer for any path nothing serves, so unknown routes look like the API's own 404s.
    pub fn route_not_found() -> Self {
        Fallback::NotFound.into()
    }
}

/// The shared envelope (`sir_server_kit::envelope`):
/// `{"statusCode":400,"error":"Bad Request","code":"INVALID_AMOUNT","message":"…"}`.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        sir_server_kit::envelope(self.status, self.code, &self.message, Original { original: self.original.as_ref() })
    }
}

/// The shared fallbacks' 404 and 405 (`sir_server_kit::not_found::<ApiError>`): unknown
/// routes look like the API's own 404s; axum's own 405 has no body.
impl From<Fallback> for ApiError {
    fn from(fallback: Fallback) -> Self {
        ApiError::new(fallback.status(), ErrorCode::for_status(fallback.status()), fallback.message())
    }
}

/// A body that is not a JSON object sent as `application/json` is 400 `INVALID_BODY`
/// (the docs send JSON; decision: a missing content type is the client's bad request, as
/// the API would answer); a body that can't be read keeps axum's status.
impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => {
                ApiError::bad_request(ErrorCode::InvalidBody, "Content-Type must be application/json")
            }
            JsonRejection::BytesRejection(bytes) => {
                ApiError::new(bytes.status(), ErrorCode::for_status(bytes.status()), bytes.body_text())
            }
            other => ApiError::bad_request(
                ErrorCode::InvalidBody,
                format!("The body must be a JSON object of the documented shape: {}", other.body_text()),
            ),
        }
    }
}
