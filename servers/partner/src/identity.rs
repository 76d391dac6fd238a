//! Who the user is, learned from the partner's own authentication (`PARTNER_IDENTITY`).
//!
//! * `jwt`: an HS256 token the partner's login issues, signed with `PARTNER_JWT_SECRET`,
//!   read from the `PARTNER_JWT_COOKIE` cookie or an `Authorization: Bearer` header. `sub`
//!   is the user's id; `email` and `email_verified` are optional claims.
//! * `header`: the partner's reverse proxy authenticated the user and says so in headers
//!   (`X-Partner-User`, `X-Partner-Email`, `X-Partner-Email-Verified: true`). They are
//!   believed only from `PARTNER_TRUSTED_PROXIES`; from anyone else they are ignored.
//! * `demo`: the demo's "sign in with any email" session cookie (`session.rs`). Anyone can
//!   claim any email there, so a demo email is never treated as verified.
//!
//! The user's id (`externalId` at SIR) never comes from a request body.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde::Deserialize;

use sha2::{Digest as _, Sha256};
use sir_server_kit::well_formed_email;

use crate::AppState;
use crate::config::{HeaderConfig, IdentityConfig, JwtConfig};
use crate::error::ApiError;
use crate::extract::{cookie, peer_ip};
use crate::store::{SessionRow, now_ms};

/// The demo session cookie (`PARTNER_IDENTITY=demo`, see `session.rs`).
pub const COOKIE_NAME: &str = "sir_partner_session";
pub const SECURE_COOKIE_NAME: &str = "__Host-sir_partner_session";

/// A signed-in user, as the partner's auth describes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// The partner's own id for the user: SIR's `partnerUserId` / `externalId`.
    pub external_id: String,
    pub email: Option<String>,
    /// The partner's auth vouches for `email` (a JWT's `email_verified`, the proxy's header).
    pub email_verified: bool,
}

impl User {
    /// The email, if the partner's auth vouches for it.
    pub fn verified_email(&self) -> Option<&str> {
        self.email.as_deref().filter(|_| self.email_verified)
    }
}

/// An `externalId` that can go into a URL path as is: 1–64 of `A-Z a-z 0-9 . _ ~ -`, and
/// not only dots (`.` and `..` are path segments with a meaning of their own).
pub fn valid_external_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b'-'))
        && !id.bytes().all(|b| b == b'.')
}

/// The signed-in user, or `None`. Never fails: a missing, expired or forged credential
/// is simply nobody.
pub struct CurrentUser(pub Option<User>);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        identify(state, parts).await.map(CurrentUser)
    }
}

/// The signed-in user, required: 401 `SIGN_IN_REQUIRED` without one.
pub struct SignedIn(pub User);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        identify(state, parts).await?.map(SignedIn).ok_or_else(ApiError::sign_in_required)
    }
}

pub async fn identify(state: &AppState, parts: &Parts) -> Result<Option<User>, ApiError> {
    Ok(match &state.config.identity {
        IdentityConfig::Jwt(jwt) => from_jwt(jwt, &parts.headers),
        IdentityConfig::Header(names) => {
            let trusted = peer_ip(&parts.extensions).is_some_and(|ip| state.config.trusted_proxies.contains(&ip));
            from_headers(names, &parts.headers, trusted)
        }
        IdentityConfig::Demo => demo_session(state, &parts.headers).await?.map(|session| User {
            external_id: session.external_id,
            email: Some(session.email),
            email_verified: false,
        }),
    })
}

/// The demo cookie's name for this server: `__Host-` prefixed when it is `Secure`.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.config.cookie_secure { SECURE_COOKIE_NAME } else { COOKIE_NAME }
}

/// The demo session token the request's cookie holds: 64 hex digits, or nothing.
pub fn demo_token(headers: &HeaderMap, name: &str) -> Option<String> {
    cookie(headers, name)
        .filter(|token| token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned)
}

/// What the database keeps of a session token: its SHA-256, never the token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The demo session the request's cookie names, if it is live.
async fn demo_session(state: &AppState, headers: &HeaderMap) -> Result<Option<SessionRow>, ApiError> {
    match demo_token(headers, cookie_name(state)) {
        Some(token) => Ok(state.store.session(&token_hash(&token), now_ms()).await?),
        None => Ok(None),
    }
}

/// A credential's bytes, for the per-session rate limit: the cookie or token that the
/// request presents (whether or not it is valid; an invalid one is limited too).
pub fn credential<'a>(
    identity: &IdentityConfig,
    headers: &'a HeaderMap,
    cookie_name: &str,
    from_trusted_proxy: bool,
) -> Option<&'a str> {
    match identity {
        IdentityConfig::Jwt(jwt) => bearer(headers).or_else(|| cookie(headers, &jwt.cookie)),
        // Only a trusted proxy's header names a user; from anyone else it is not a key of
        // that user's (else a stranger could spend a user's limit).
        IdentityConfig::Header(_) if !from_trusted_proxy => None,
        IdentityConfig::Header(names) => headers.get(&names.user).and_then(|v| v.to_str().ok()),
        IdentityConfig::Demo => cookie(headers, cookie_name),
    }
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: bool,
}

fn from_jwt(config: &JwtConfig, headers: &HeaderMap) -> Option<User> {
    let token = bearer(headers).or_else(|| cookie(headers, &config.cookie))?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    // Clocks drift: half a minute either way, for `exp` and `nbf` alike.
    validation.leeway = 30;
    validation.validate_nbf = true;
    validation.set_audience(&[&config.audience]);
    // jsonwebtoken checks `iss` only when the token has one: a configured issuer is also
    // a required claim, so a token without `iss` is refused.
    match &config.issuer {
        Some(issuer) => {
            validation.set_issuer(&[issuer]);
            validation.set_required_spec_claims(&["exp", "sub", "aud", "iss"]);
        }
        None => validation.set_required_spec_claims(&["exp", "sub", "aud"]),
    }
    let key = jsonwebtoken::DecodingKey::from_secret(config.secret.expose().as_bytes());
    let claims = match jsonwebtoken::decode::<Claims>(token, &key, &validation) {
        Ok(data) => data.claims,
        Err(error) => {
            tracing::debug!(%error, "session token refused");
            return None;
        }
    };
    if !valid_external_id(&claims.sub) {
        tracing::warn!("session token refused: its sub is not a usable user id");
        return None;
    }
    let email = claims.email.filter(|e| well_formed_email(e));
    Some(User { external_id: claims.sub, email_verified: claims.email_verified && email.is_some(), email })
}

fn from_headers(names: &HeaderConfig, headers: &HeaderMap, from_trusted_proxy: bool) -> Option<User> {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty());
    let user = value(&names.user)?;
    if !from_trusted_proxy {
        tracing::warn!("identity headers from a peer that is not in PARTNER_TRUSTED_PROXIES: ignored");
        return None;
    }
    // A proxy that appends rather than replaces passes the client's own copy on too:
    // with more than one, which is the proxy's can't be known, so nobody is signed in.
    if [&names.user, &names.email, &names.email_verified]
        .iter()
        .any(|name| headers.get_all(name.as_str()).iter().count() > 1)
    {
        tracing::warn!("identity header sent more than once: refused (does the proxy replace the client's copy?)");
        return None;
    }
    if !valid_external_id(user) {
        tracing::warn!("identity header refused: not a usable user id");
        return None;
    }
    let email = value(&names.email).filter(|e| well_formed_email(e)).map(str::to_owned);
    let verified = value(&names.email_verified).is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
    Some(User { external_id: user.to_owned(), email_verified: verified && email.is_some(), email })
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Seconds since the epoch, for token lifetimes.
pub fn now_secs() -> i64 {
    now_ms() / 1000
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;
    use sir_signing::Secret;

    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn jwt_config() -> JwtConfig {
        JwtConfig {
            secret: Secret::new(SECRET),
            cookie: "partner_token".into(),
            issuer: None,
            audience: "partner-api".into(),
        }
    }

    fn token(claims: serde_json::Value, secret: &str) -> String {
        let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes());
        jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).expect("encode")
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).expect("value"));
        }
        map
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        let token = "ab".repeat(32);
        let mut headers = HeaderMap::new();
        let cookies = format!("theme=dark; {COOKIE_NAME}={token}; x=1");
        headers.insert(axum::http::header::COOKIE, HeaderValue::from_str(&cookies).expect("header"));
        assert_eq!(demo_token(&headers, COOKIE_NAME), Some(token));
        assert_eq!(demo_token(&headers, SECURE_COOKIE_NAME), None);
        headers.insert(axum::http::header::COOKIE, HeaderValue::from_static("sir_partner_session=short"));
        assert_eq!(demo_token(&headers, COOKIE_NAME), None);
    }

    #[test]
    fn external_ids_are_path_safe_and_never_dot_segments() {
        assert!(valid_external_id("user-42") && valid_external_id("a.b") && valid_external_id("~x"));
        for bad in ["", ".", "..", "...", "a/b", "a b", "%2e%2e", &"a".repeat(65)] {
            assert!(!valid_external_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_signed_unexpired_token_names_the_user_from_a_cookie_or_a_bearer_header() {
        let exp = now_secs() + 600;
        let good = token(json(&[("sub", "user-42"), ("email", "jane@example.com")], exp, true), SECRET);
        let from_cookie = from_jwt(&jwt_config(), &headers(&[("cookie", &format!("theme=x; partner_token={good}"))]));
        assert_eq!(
            from_cookie,
            Some(User { external_id: "user-42".into(), email: Some("jane@example.com".into()), email_verified: true })
        );
        let from_header = from_jwt(&jwt_config(), &headers(&[("authorization", &format!("Bearer {good}"))]));
        assert_eq!(from_header.map(|u| u.external_id), Some("user-42".to_owned()));
    }

    #[test]
    fn forged_expired_or_unusable_tokens_are_nobody() {
        let exp = now_secs() + 600;
        let cases = [
            token(json(&[("sub", "user-42")], exp, false), "another-secret-another-secret-xx"),
            token(json(&[("sub", "user-42")], now_secs() - 120, false), SECRET),
            token(json(&[("sub", "..")], exp, false), SECRET),
            "not.a.token".to_owned(),
        ];
        for bad in cases {
            let found = from_jwt(&jwt_config(), &headers(&[("authorization", &format!("Bearer {bad}"))]));
            assert_eq!(found, None, "{bad}");
        }
        // Another service's token, one not valid yet, one with no audience: nobody either.
        let elsewhere = token(json(&[("sub", "user-42"), ("aud", "billing")], exp, false), SECRET);
        let later = {
            let mut claims = json(&[("sub", "user-42")], exp, false);
            claims["nbf"] = (now_secs() + 3600).into();
            token(claims, SECRET)
        };
        let mut no_audience = json(&[("sub", "user-42")], exp, false);
        no_audience.as_object_mut().map(|c| c.remove("aud"));
        for bad in [elsewhere, later, token(no_audience, SECRET)] {
            assert_eq!(
                from_jwt(&jwt_config(), &headers(&[("authorization", &format!("Bearer {bad}"))])),
                None,
                "{bad}"
            );
        }
        // Two cookies of that name (one planted from a sibling subdomain): nobody.
        let good = token(json(&[("sub", "user-42")], exp, false), SECRET);
        let tossed = format!("partner_token={good}; partner_token={good}");
        assert_eq!(from_jwt(&jwt_config(), &headers(&[("cookie", &tossed)])), None);
        // `alg: none` is not HS256.
        let unsigned = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjo5OTk5OTk5OTk5fQ.";
        assert_eq!(from_jwt(&jwt_config(), &headers(&[("authorization", &format!("Bearer {unsigned}"))])), None);
    }

    #[test]
    fn an_unverified_email_is_not_vouched_for() {
        let exp = now_secs() + 600;
        let unverified = token(json(&[("sub", "u1"), ("email", "jane@example.com")], exp, false), SECRET);
        let user = from_jwt(&jwt_config(), &headers(&[("authorization", &format!("Bearer {unverified}"))]));
        assert_eq!(user.expect("user").verified_email(), None);
    }

    #[test]
    fn proxy_headers_count_only_from_a_trusted_proxy() {
        let names = HeaderConfig {
            user: "x-partner-user".into(),
            email: "x-partner-email".into(),
            email_verified: "x-partner-email-verified".into(),
        };
        let sent = headers(&[
            ("x-partner-user", "user-7"),
            ("x-partner-email", "sam@example.com"),
            ("x-partner-email-verified", "true"),
        ]);
        let user = from_headers(&names, &sent, true).expect("user");
        assert_eq!((user.external_id.as_str(), user.verified_email()), ("user-7", Some("sam@example.com")));
        assert_eq!(from_headers(&names, &sent, false), None);
        assert_eq!(from_headers(&names, &headers(&[("x-partner-user", "..")]), true), None);
    }

    fn json(pairs: &[(&str, &str)], exp: i64, verified: bool) -> serde_json::Value {
        let mut claims = serde_json::Map::new();
        for (k, v) in pairs {
            claims.insert((*k).to_owned(), serde_json::Value::String((*v).to_owned()));
        }
        claims.insert("exp".into(), exp.into());
        claims.entry("aud").or_insert_with(|| "partner-api".into());
        claims.insert("email_verified".into(), verified.into());
        serde_json::Value::Object(claims)
    }
}
