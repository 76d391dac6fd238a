//! `X-Partner-Key` authentication: publishable keys for the four widget endpoints,
//! secret keys plus an HMAC signature for the backend ones (API reference §1.4, §4).

use axum::http::HeaderMap;
use sir_signing::{RequestToVerify, SIGNATURE_HEADER, TIMESTAMP_HEADER, VerifyError};

use crate::error::{ApiError, ErrorCode};
use crate::seed::{PARTNERS, Partner};

pub const KEY_HEADER: &str = "x-partner-key";

/// Which of a partner's credentials a request presented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Publishable,
    Secret,
}

/// A seeded partner's key, found by exact match.
#[derive(Clone, Copy, Debug)]
pub struct Credential {
    pub partner: &'static Partner,
    pub kind: KeyKind,
}

pub fn key_from(headers: &HeaderMap) -> Option<&str> {
    headers.get(KEY_HEADER).and_then(|value| value.to_str().ok())
}

pub fn lookup(key: &str) -> Option<Credential> {
    PARTNERS.iter().find_map(|partner| {
        let kind = if key == partner.publishable_key {
            KeyKind::Publishable
        } else if key == partner.secret_key {
            KeyKind::Secret
        } else {
            return None;
        };
        Some(Credential { partner, kind })
    })
}

/// Only the prefix of a key, safe to record: lets a test prove no secret key
/// ever reached the API without the log holding any secret.
pub fn key_prefix(key: Option<&str>) -> &'static str {
    const PREFIXES: [&str; 4] = ["pk_test_", "sk_test_", "pk_live_", "sk_live_"];
    match key {
        None => "none",
        Some(key) => PREFIXES.into_iter().find(|prefix| key.starts_with(prefix)).unwrap_or("other"),
    }
}

/// The partner a widget endpoint acts for.
///
/// * Missing or unknown key: 401, as the docs say for missing or wrong auth headers.
///   `pk_live_`/`sk_live_` keys are unknown here: this is the sandbox environment,
///   and the docs pair `_live_` keys with the production host.
/// * A seeded `sk_` key: decision: 403 `PUBLISHABLE_KEY_REQUIRED`, because it is a valid
///   credential of the wrong kind, mirroring the docs' 403 for `pk_` on secret endpoints.
pub fn authenticate(credential: Option<Credential>, key: Option<&str>) -> Result<&'static Partner, ApiError> {
    match credential {
        Some(Credential { partner, kind: KeyKind::Publishable }) => Ok(partner),
        Some(Credential { kind: KeyKind::Secret, .. }) => Err(ApiError::forbidden(
            ErrorCode::PublishableKeyRequired,
            "This endpoint takes a publishable key (pk_test_…); a secret key must never be used in a browser",
        )),
        None => Err(unknown_key(key)),
    }
}

/// The 401 for a key that is no seeded credential.
fn unknown_key(key: Option<&str>) -> ApiError {
    match key {
        None => ApiError::unauthorized("Missing X-Partner-Key header"),
        Some(key) if key.starts_with("pk_live_") || key.starts_with("sk_live_") => {
            ApiError::unauthorized("Live keys are not valid in the sandbox environment; use a _test_ key")
        }
        Some(_) => ApiError::unauthorized("Unknown API key"),
    }
}

/// The partner a secret-key endpoint acts for, before its signature is checked.
///
/// * Missing, unknown or live key: 401, as for the widget endpoints.
/// * A seeded `pk_` key: 403 `SECRET_KEY_REQUIRED` (the docs' 403 for a publishable key
///   on a secret-key endpoint). Decision: this covers the balance read too. Old revision
///   r9 let a *signed* `pk_` call read, but the current auth chapter says backend reads
///   take `sk_` + HMAC, and a browser (the only holder of a lone `pk_`) can't sign anyway.
pub fn secret_key_partner(credential: Option<Credential>, key: Option<&str>) -> Result<&'static Partner, ApiError> {
    match credential {
        Some(Credential { partner, kind: KeyKind::Secret }) => Ok(partner),
        Some(Credential { kind: KeyKind::Publishable, .. }) => Err(ApiError::forbidden(
            ErrorCode::SecretKeyRequired,
            "This endpoint takes the secret key (sk_test_…) and an HMAC signature: call it from your server, \
never from a browser",
        )),
        None => Err(unknown_key(key)),
    }
}

/// Checks a signed request's `X-Timestamp` / `X-Signature` against the partner's
/// `hmacSecret`: 401 `INVALID_SIGNATURE` if missing, malformed or wrong, 401
/// `STALE_TIMESTAMP` if genuine but more than 300 s from the sandbox's clock.
/// `path_and_query` must be the original one, as the client signed it.
pub fn verify_signature(
    partner: &Partner,
    headers: &HeaderMap,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    now: u64,
) -> Result<(), ApiError> {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let request = RequestToVerify {
        method,
        path_and_query,
        body,
        timestamp: header(TIMESTAMP_HEADER),
        signature: header(SIGNATURE_HEADER),
    };
    sir_signing::verify_request(partner.hmac_secret, &request, now).map_err(|error| {
        let code = match error {
            VerifyError::StaleTimestamp { .. } => ErrorCode::StaleTimestamp,
            _ => ErrorCode::InvalidSignature,
        };
        let hint = match error {
            VerifyError::BadSignature => {
                ": sign timestamp + METHOD + path with query + sha256_hex(exact body bytes) with the hmacSecret"
            }
            _ => "",
        };
        ApiError::new(axum::http::StatusCode::UNAUTHORIZED, code, format!("Invalid request signature: {error}{hint}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_never_reveal_more_than_the_kind() {
        assert_eq!(key_prefix(None), "none");
        assert_eq!(key_prefix(Some(PARTNERS[0].secret_key)), "sk_test_");
        assert_eq!(key_prefix(Some("pk_live_abc")), "pk_live_");
        assert_eq!(key_prefix(Some("hello")), "other");
    }

    #[test]
    fn keys_resolve_to_their_partner_and_kind() {
        let found = lookup(PARTNERS[2].publishable_key).map(|c| (c.partner.slug, c.kind));
        assert_eq!(found, Some(("actions-only-partner", KeyKind::Publishable)));
        let found = lookup(PARTNERS[1].secret_key).map(|c| (c.partner.slug, c.kind));
        assert_eq!(found, Some(("paused-partner", KeyKind::Secret)));
        assert!(lookup("pk_test_0000").is_none());
    }
}
