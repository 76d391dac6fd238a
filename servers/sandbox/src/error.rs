//! One JSON error body for every failure.
//!
//! The docs show no error shape (API reference §7.6). Decision: NestJS's
//! `{statusCode, error, message}` (the API's server-side decorators suggest NestJS)
//! plus a machine-readable `code`, because the docs write errors as `402 INSUFFICIENT_POOL`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into() }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "statusCode": self.status.as_u16(),
            "error": self.status.canonical_reason().unwrap_or("Error"),
            "code": self.code,
            "message": self.message,
        });
        (self.status, Json(body)).into_response()
    }
}
