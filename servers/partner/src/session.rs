//! The demo's donor identity: `POST /sir/session`, `DELETE /sir/session`, and
//! `GET /sir/rewards` (the signed-in donor's SIR balance).
//!
//! Decisions:
//! * The session is an opaque random token in an `HttpOnly; SameSite=Lax; Path=/`
//!   cookie, valid 7 days; the database keeps only its SHA-256, so a copy of the
//!   database holds no usable cookie. `Secure` is added with `PARTNER_COOKIE_SECURE=1`
//!   (needed when served over HTTPS; the demo runs on plain http).
//! * SameSite=Lax is enough for the demo: a page on `http://127.0.0.1:8080` calling
//!   `http://127.0.0.1:8788` is cross-*origin* but same-*site* (ports don't count), so
//!   the browser sends the cookie with `fetch(…, {credentials: "include"})`. Use the
//!   same host name for both (`localhost` and `127.0.0.1` are different sites).
//! * Without an `externalId`, the donor's id is derived from the email
//!   (`donor_` + 16 hex of SHA-256 of the lower-cased email), the same derivation the
//!   reward uses for a donor known only by the email given at checkout.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use sir_signing::unix_now;

use crate::AppState;
use crate::db::SessionRow;
use crate::error::{ApiError, ErrorCode};

pub const COOKIE_NAME: &str = "sir_partner_session";
pub const SESSION_SECS: u64 = 7 * 24 * 60 * 60;

/// `donor_` + 16 hex digits of SHA-256 of the trimmed, lower-cased email.
pub fn external_id_for_email(email: &str) -> String {
    let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
    format!("donor_{}", &hex::encode(digest)[..16])
}

/// An `externalId` that can go into a URL path as is: 1–64 of `A-Z a-z 0-9 . _ ~ -`.
pub fn valid_external_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b'-'))
}

/// A deliberately simple check: one `@`, a non-empty local part, a dotted domain, no whitespace.
pub fn well_formed_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    email.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

/// A JSON body of type `T`. Decision: `Content-Type: application/json` is required, so
/// a cross-origin call always needs a CORS preflight, which other origins fail: a
/// simple form post from another site can't act on the donor's cookie.
pub fn json_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    shape: &str,
) -> Result<T, ApiError> {
    let body = body.map_err(|rejection| {
        ApiError::new(rejection.status(), ErrorCode::PayloadTooLarge, "The body could not be read")
    })?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "Send Content-Type: application/json",
        ));
    }
    serde_json::from_slice(&body)
        .map_err(|error| ApiError::bad_request(ErrorCode::InvalidBody, format!("Expected {shape}: {error}")))
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE_NAME)?.strip_prefix('=').map(str::to_owned))
        .filter(|token| token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The signed-in donor, if the request carries a live session cookie.
pub async fn current(state: &AppState, headers: &HeaderMap) -> Result<Option<SessionRow>, ApiError> {
    match cookie_token(headers) {
        Some(token) => state.db.session(token_hash(&token), unix_now()).await,
        None => Ok(None),
    }
}

fn cookie(state: &AppState, value: &str, max_age: u64) -> Result<HeaderValue, ApiError> {
    let secure = if state.config.cookie_secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{COOKIE_NAME}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"))
        .map_err(|_| ApiError::internal("Could not build the session cookie"))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SignIn {
    email: String,
    external_id: Option<String>,
}

/// `POST /sir/session` `{"email", "externalId"?}` → 200 `{"signedIn": true, "externalId", "email"}`
/// and the cookie. Replaces any session the request carried.
pub async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let request: SignIn = json_body(&headers, body, "{\"email\": \"…\", \"externalId\"?: \"…\"}")?;
    let email = request.email.trim().to_owned();
    if !well_formed_email(&email) {
        return Err(ApiError::bad_request(ErrorCode::InvalidEmail, "email must be a well-formed email address"));
    }
    let external_id = match request.external_id {
        Some(id) if valid_external_id(&id) => id,
        Some(_) => {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidExternalId,
                "externalId must be 1 to 64 of A-Z a-z 0-9 . _ ~ -",
            ));
        }
        None => external_id_for_email(&email),
    };
    if let Some(old) = cookie_token(&headers) {
        state.db.delete_session(token_hash(&old)).await?;
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| ApiError::internal(format!("No randomness: {error}")))?;
    let token = hex::encode(bytes);
    let session = SessionRow { external_id: external_id.clone(), email: email.clone() };
    state.db.create_session(token_hash(&token), session, unix_now() + SESSION_SECS).await?;
    let mut response = Json(json!({"signedIn": true, "externalId": external_id, "email": email})).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie(&state, &token, SESSION_SECS)?);
    Ok(response)
}

/// `DELETE /sir/session` → 200 `{"signedIn": false}` and an expired cookie.
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = cookie_token(&headers) {
        state.db.delete_session(token_hash(&token)).await?;
    }
    let mut response = Json(json!({"signedIn": false})).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie(&state, "", 0)?);
    Ok(response)
}

/// `GET /sir/rewards` → `{"signedIn": false}`, or `{"signedIn": true, "externalId",
/// "email", "balance", "currency": "SIR"}` from the signed balance call. A donor SIR
/// doesn't know yet (never rewarded) has balance 0.
pub async fn rewards(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let Some(session) = current(&state, &headers).await? else {
        return Ok(Json(json!({"signedIn": false})));
    };
    let balance = state.sir.balance(&session.external_id).await?.unwrap_or(0);
    Ok(Json(json!({
        "signedIn": true,
        "externalId": session.external_id,
        "email": session.email,
        "balance": balance,
        "currency": "SIR",
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_path_safe() {
        let id = external_id_for_email(" Jane@Example.com ");
        assert_eq!(id, external_id_for_email("jane@example.com"));
        assert!(id.starts_with("donor_") && id.len() == 22 && valid_external_id(&id), "{id}");
        assert!(!valid_external_id("a b") && !valid_external_id("a/b") && !valid_external_id(""));
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        let token = "ab".repeat(32);
        let mut headers = HeaderMap::new();
        let cookies = format!("theme=dark; {COOKIE_NAME}={token}; x=1");
        headers.insert(header::COOKIE, HeaderValue::from_str(&cookies).expect("header"));
        assert_eq!(cookie_token(&headers), Some(token));
        headers.insert(header::COOKIE, HeaderValue::from_static("sir_partner_session=short"));
        assert_eq!(cookie_token(&headers), None);
    }
}
