//! The one JSON error body of both servers: NestJS's `{statusCode, error, message}` (the
//! API's `@RequiresSecretKey()` decorator points at NestJS) plus a machine-readable `code`,
//! because the docs write errors as `402 INSUFFICIENT_POOL`. Clients switch on `code`.
//! Each server adds fields of its own (`original`, `requestId`) through `extra`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a, C, X> {
    status_code: u16,
    error: &'a str,
    code: C,
    message: &'a str,
    #[serde(flatten)]
    extra: X,
}

/// `{"statusCode","error","code","message", …extra}` with `status`. `extra` must
/// serialize as a map (a struct, or `()` for nothing).
pub fn envelope(status: StatusCode, code: impl Serialize, message: &str, extra: impl Serialize) -> Response {
    let body = Envelope {
        status_code: status.as_u16(),
        error: status.canonical_reason().unwrap_or("Error"),
        code,
        message,
        extra,
    };
    (status, axum::Json(body)).into_response()
}

/// The answers for a path nothing serves and a method a route doesn't take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fallback {
    /// 404 `NOT_FOUND`.
    NotFound,
    /// 405 `METHOD_NOT_ALLOWED` (axum's own 405 has no body).
    MethodNotAllowed,
}

impl Fallback {
    pub fn status(self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::NotFound => "No such route",
            Self::MethodNotAllowed => "Method not allowed on this route",
        }
    }
}

/// Router fallback: `router.fallback(sir_server_kit::not_found::<ApiError>)`.
pub async fn not_found<E: From<Fallback>>() -> E {
    Fallback::NotFound.into()
}

/// Method-router fallback for a known path called with the wrong method.
pub async fn method_not_allowed<E: From<Fallback>>() -> E {
    Fallback::MethodNotAllowed.into()
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt as _;
    use serde_json::json;

    use super::*;

    #[tokio::test]
    async fn the_envelope_carries_the_status_reason_code_message_and_extras() {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct RequestId<'a> {
            request_id: &'a str,
        }
        let response = envelope(StatusCode::CONFLICT, "IDEMPOTENT", "Seen before", RequestId { request_id: "abc" });
        assert_eq!(response.status(), StatusCode::CONFLICT);
        let body = response.into_body().collect().await.expect("body").to_bytes();
        let json: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(
            json,
            json!({"statusCode": 409, "error": "Conflict", "code": "IDEMPOTENT", "message": "Seen before", "requestId": "abc"})
        );
        let plain = envelope(StatusCode::NOT_FOUND, "NOT_FOUND", "No such route", ());
        let body = plain.into_body().collect().await.expect("body").to_bytes();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&body).expect("JSON"),
            json!({"statusCode": 404, "error": "Not Found", "code": "NOT_FOUND", "message": "No such route"})
        );
    }
}
