//! **sir-signing**: HMAC request signing and webhook verification for the SIR Giving
//! Partner API, for partners whose backend is written in Rust.
//!
//! * [`Signer`] signs a server-to-server request (API reference §4) and
//!   [`verify_request`] checks one (what the API, or the sandbox, does on receipt).
//! * [`WebhookSecret`] verifies a webhook delivery (§5) and signs one (what the
//!   sandbox does when it delivers).
//! * [`Secret`] holds a credential whose `Debug` never shows it.
//!
//! ```
//! use sir_signing::Signer;
//!
//! let signer = Signer::new("sk_test_…", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
//! let body = br#"{"idempotencyKey":"order_98765","actionType":"PURCHASE","amount":49.99,"currency":"USD"}"#;
//! let headers = signer.sign("POST", "/v1/partner/actions/submit", body, 1_746_876_000);
//! assert_eq!(headers.signature, "e6f9c283ace88236c0f60fb9e61191094fb2e758dc006bd249077f2aba60f1a4");
//! // Send exactly `body`, with these three headers.
//! for (name, value) in headers.pairs() {
//!     println!("{name}: {}", if name == "x-partner-key" { "[redacted]" } else { value });
//! }
//! ```

mod request;
mod secret;
mod webhook;

pub use request::{
    EMPTY_BODY_SHA256, PARTNER_KEY_HEADER, REQUEST_TOLERANCE_SECS, RequestToVerify, SIGNATURE_HEADER, SignedHeaders,
    Signer, TIMESTAMP_HEADER, body_sha256_hex, request_signature, signed_payload, verify_request,
};
pub use secret::{Environment, KeyKind, Secret, is_hmac_secret, is_webhook_secret, key_kind};
pub use webhook::{
    WEBHOOK_SECRET_PREFIX, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER, WEBHOOK_TOLERANCE_SECS,
    WEBHOOK_USER_AGENT, WebhookSecret, check_webhook_headers, sign_webhook, verify_webhook,
};

/// Why a signature was refused. Every variant means "401 Unauthorized" to an HTTP server;
/// the variants exist so logs and error messages can say what to fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the timestamp header is missing")]
    MissingTimestamp,
    #[error("the signature header is missing")]
    MissingSignature,
    #[error("the timestamp is not a Unix time in seconds (digits only)")]
    MalformedTimestamp,
    #[error("the signature header is malformed")]
    MalformedSignature,
    #[error("the signature does not match")]
    BadSignature,
    /// The signature is genuine but the timestamp is outside the tolerance window:
    /// a replay, or a clock that is off.
    #[error("the timestamp is {skew} s away from this server's clock (tolerance: {tolerance} s)")]
    StaleTimestamp { skew: u64, tolerance: u64 },
}

/// Parses a timestamp header: ASCII digits only (no sign, no spaces), at most 20 of them.
pub(crate) fn parse_timestamp(text: &str) -> Result<u64, VerifyError> {
    if text.is_empty() || text.len() > 20 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VerifyError::MalformedTimestamp);
    }
    text.parse().map_err(|_| VerifyError::MalformedTimestamp)
}

/// Checks `timestamp` against `now`, in both directions (a clock ahead is as suspect as one behind).
pub(crate) fn check_fresh(timestamp: u64, now: u64, tolerance: u64) -> Result<(), VerifyError> {
    let skew = now.abs_diff(timestamp);
    if skew > tolerance { Err(VerifyError::StaleTimestamp { skew, tolerance }) } else { Ok(()) }
}

/// The current Unix time in seconds (0 if the clock is before 1970).
pub fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}
