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
use crate::identity::{CurrentUser, cookie_name, demo_token, token_hash};
use crate::store::{SessionRow, now_ms};

pub const SESSION_SECS: i64 = 7 * 24 * 60 * 60;

/// `donor_` + 16 hex digits of SHA-256 of the trimmed, lower-cased email.
pub fn external_id_for_email(email: &str) -> String {
    let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
    format!("donor_{}", &hex::encode(digest)[..16])
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
    if !sir_server_kit::well_formed_email(&email) {
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
}
