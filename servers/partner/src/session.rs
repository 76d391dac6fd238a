//! `/sir/session`: who is signed in (every identity mode), and the demo's sign-in.
//!
//! Demo mode (`PARTNER_IDENTITY=demo`) only: `POST /sir/session {"email"}` signs in as
//! that email, with no password. It exists so the demo and the tests have users; it is off
//! unless chosen, refused with an `sk_live_` key, announced loudly at start, and marked on
//! the demo page. The user's id is derived from the email on the server; a client never
//! chooses it.
//!
//! The session is an opaque random token in an `HttpOnly; SameSite=Lax; Path=/` cookie,
//! valid 7 days; the database keeps only its SHA-256. Off loopback (or with
//! `PARTNER_COOKIE_SECURE=1`) the cookie is `Secure` and named with the `__Host-` prefix,
//! which browsers only accept from https with no `Domain`, so no sibling subdomain can set
//! or shadow it.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::AppState;
use crate::error::{ApiError, ErrorCode};
use crate::extract::AppJson;
use crate::identity::{CurrentUser, cookie};
use crate::store::{SessionRow, now_ms};

pub const COOKIE_NAME: &str = "sir_partner_session";
pub const SECURE_COOKIE_NAME: &str = "__Host-sir_partner_session";
pub const SESSION_SECS: i64 = 7 * 24 * 60 * 60;

/// The demo cookie's name for this server: `__Host-` prefixed when it is `Secure`.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.config.cookie_secure { SECURE_COOKIE_NAME } else { COOKIE_NAME }
}

/// `donor_` + 16 hex digits of SHA-256 of the trimmed, lower-cased email.
pub fn external_id_for_email(email: &str) -> String {
    let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
    format!("donor_{}", &hex::encode(digest)[..16])
}

/// A deliberately simple check: one `@`, a non-empty local part, a dotted domain without
/// empty labels, no whitespace, at most 254 characters.
pub fn well_formed_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    email.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !email.chars().any(char::is_whitespace)
}

fn demo_token(headers: &HeaderMap, name: &str) -> Option<String> {
    cookie(headers, name)
        .filter(|token| token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The demo session the request's cookie names, if it is live.
pub async fn current(state: &AppState, headers: &HeaderMap) -> Result<Option<SessionRow>, ApiError> {
    match demo_token(headers, cookie_name(state)) {
        Some(token) => state.store.session(&token_hash(&token), now_ms()).await,
        None => Ok(None),
    }
}

fn set_cookie(state: &AppState, value: &str, max_age: i64) -> Result<HeaderValue, ApiError> {
    let secure = if state.config.cookie_secure { "; Secure" } else { "" };
    let name = cookie_name(state);
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"))
        .map_err(|_| ApiError::internal("could not build the session cookie"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    email: String,
}

/// `GET /sir/session` → `{"signedIn": false, "identity"}` or `{"signedIn": true,
/// "identity", "externalId", "email", "emailVerified"}`.
pub async fn who(State(state): State<AppState>, CurrentUser(user): CurrentUser) -> Json<Value> {
    let identity = state.config.identity.name();
    Json(match user {
        None => json!({"signedIn": false, "identity": identity}),
        Some(user) => json!({
            "signedIn": true,
            "identity": identity,
            "externalId": user.external_id,
            "email": user.email,
            "emailVerified": user.email_verified,
        }),
    })
}

/// `POST /sir/session` `{"email"}` (demo mode) → the session cookie. Replaces any
/// session the request carried.
pub async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppJson(request): AppJson<SignIn>,
) -> Result<Response, ApiError> {
    let email = request.email.trim().to_owned();
    if !well_formed_email(&email) {
        return Err(ApiError::bad_request(ErrorCode::InvalidEmail, "email must be a well-formed email address"));
    }
    let external_id = external_id_for_email(&email);
    if let Some(old) = demo_token(&headers, cookie_name(&state)) {
        state.store.delete_session(&token_hash(&old)).await?;
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| ApiError::internal(format!("no randomness: {error}")))?;
    let token = hex::encode(bytes);
    let session = SessionRow { external_id: external_id.clone(), email: email.clone() };
    state.store.create_session(&token_hash(&token), &session, now_ms() + SESSION_SECS * 1000).await?;
    let body = json!({"signedIn": true, "identity": "demo", "externalId": external_id, "email": email, "emailVerified": false});
    let mut response = Json(body).into_response();
    response.headers_mut().insert(header::SET_COOKIE, set_cookie(&state, &token, SESSION_SECS)?);
    Ok(response)
}

/// `DELETE /sir/session` (demo mode) → 200 `{"signedIn": false}` and an expired cookie.
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = demo_token(&headers, cookie_name(&state)) {
        state.store.delete_session(&token_hash(&token)).await?;
    }
    let mut response = Json(json!({"signedIn": false, "identity": "demo"})).into_response();
    response.headers_mut().insert(header::SET_COOKIE, set_cookie(&state, "", 0)?);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_path_safe() {
        let id = external_id_for_email(" Jane@Example.com ");
        assert_eq!(id, external_id_for_email("jane@example.com"));
        assert!(id.starts_with("donor_") && id.len() == 22 && crate::identity::valid_external_id(&id), "{id}");
    }

    #[test]
    fn emails() {
        for good in ["jane@example.com", "a.b+c@mail.example.org"] {
            assert!(well_formed_email(good), "{good}");
        }
        for bad in ["", "jane", "@example.com", "jane@example", "jane@.example.com", "jane@example..com", "a b@c.de"] {
            assert!(!well_formed_email(bad), "{bad}");
        }
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        let token = "ab".repeat(32);
        let mut headers = HeaderMap::new();
        let cookies = format!("theme=dark; {COOKIE_NAME}={token}; x=1");
        headers.insert(header::COOKIE, HeaderValue::from_str(&cookies).expect("header"));
        assert_eq!(demo_token(&headers, COOKIE_NAME), Some(token));
        assert_eq!(demo_token(&headers, SECURE_COOKIE_NAME), None);
        headers.insert(header::COOKIE, HeaderValue::from_static("sir_partner_session=short"));
        assert_eq!(demo_token(&headers, COOKIE_NAME), None);
    }
}
