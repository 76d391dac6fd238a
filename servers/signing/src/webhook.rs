//! Webhook signatures (API reference §5).
//!
//! ```text
//! signedPayload = X-SIR-Timestamp + "." + rawRequestBody
//! X-SIR-Signature = "sha256=" + HMAC_SHA256_hex(webhookSecret, signedPayload)
//! ```

use hmac::{Hmac, Mac as _};
use sha2::Sha256;

use crate::{Secret, VerifyError, check_fresh, parse_timestamp};

pub const WEBHOOK_SIGNATURE_HEADER: &str = "x-sir-signature";
pub const WEBHOOK_TIMESTAMP_HEADER: &str = "x-sir-timestamp";
/// The `User-Agent` of every delivery.
pub const WEBHOOK_USER_AGENT: &str = "SIRGiving-Webhooks/1.0";
/// How webhook secrets start (`whsec_<64hex>`, §5 r11).
pub const WEBHOOK_SECRET_PREFIX: &str = "whsec_";
/// Decision (§7.12, the docs state no replay window): ±5 minutes, the same as for
/// signed requests.
pub const WEBHOOK_TOLERANCE_SECS: u64 = 300;

const SIGNATURE_PREFIX: &str = "sha256=";

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
    // Decision (§7.12): the key is the whole secret string, `whsec_` prefix included,
    // as the docs' example secret is shown and used; not hex-decoded.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `X-SIR-Signature` value (`sha256=<hex>`) for a delivery of `body` at `timestamp`.
pub fn sign_webhook(secret: &str, timestamp: u64, body: &[u8]) -> String {
    let tag = mac(secret, &timestamp.to_string(), body).finalize().into_bytes();
    format!("{SIGNATURE_PREFIX}{}", hex::encode(tag))
}

/// Verifies a delivery: the signature over the raw `body` in constant time, then the
/// timestamp within ±[`WEBHOOK_TOLERANCE_SECS`] of `now`. Returns the timestamp.
///
/// Hash the bytes as received: never parse and re-serialize the JSON first.
pub fn verify_webhook(
    secret: &str,
    signature: Option<&str>,
    timestamp: Option<&str>,
    body: &[u8],
    now: u64,
) -> Result<u64, VerifyError> {
    let timestamp_text = timestamp.ok_or(VerifyError::MissingTimestamp)?;
    let signature = signature.ok_or(VerifyError::MissingSignature)?;
    let parsed = parse_timestamp(timestamp_text)?;
    let hex_tag = signature.strip_prefix(SIGNATURE_PREFIX).ok_or(VerifyError::MalformedSignature)?;
    if hex_tag.len() != 64 {
        return Err(VerifyError::MalformedSignature);
    }
    let tag = hex::decode(hex_tag).map_err(|_| VerifyError::MalformedSignature)?;
    mac(secret, timestamp_text, body).verify_slice(&tag).map_err(|_| VerifyError::BadSignature)?;
    check_fresh(parsed, now, WEBHOOK_TOLERANCE_SECS)?;
    Ok(parsed)
}

/// What can be checked before a delivery's body is read: both headers there and well
/// formed, and the timestamp within ±[`WEBHOOK_TOLERANCE_SECS`] of `now`. A receiver
/// refuses at once what fails here, without reading (or waiting for) the body.
pub fn check_webhook_headers(signature: Option<&str>, timestamp: Option<&str>, now: u64) -> Result<u64, VerifyError> {
    let timestamp = parse_timestamp(timestamp.ok_or(VerifyError::MissingTimestamp)?)?;
    let hex_tag = signature
        .ok_or(VerifyError::MissingSignature)?
        .strip_prefix(SIGNATURE_PREFIX)
        .ok_or(VerifyError::MalformedSignature)?;
    if hex_tag.len() != 64 || !hex_tag.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(VerifyError::MalformedSignature);
    }
    check_fresh(timestamp, now, WEBHOOK_TOLERANCE_SECS)?;
    Ok(timestamp)
}

/// A webhook secret (`whsec_…`). `Debug` shows only `whsec_…`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookSecret(Secret);

impl WebhookSecret {
    /// Takes the secret as returned by webhook registration. See
    /// [`crate::is_webhook_secret`] to check its format first.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(Secret::new(secret))
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// See [`sign_webhook`].
    pub fn sign(&self, timestamp: u64, body: &[u8]) -> String {
        sign_webhook(self.expose(), timestamp, body)
    }

    /// See [`check_webhook_headers`].
    pub fn check_headers(
        &self,
        signature: Option<&str>,
        timestamp: Option<&str>,
        now: u64,
    ) -> Result<u64, VerifyError> {
        check_webhook_headers(signature, timestamp, now)
    }

    /// See [`verify_webhook`].
    pub fn verify(
        &self,
        signature: Option<&str>,
        timestamp: Option<&str>,
        body: &[u8],
        now: u64,
    ) -> Result<u64, VerifyError> {
        verify_webhook(self.expose(), signature, timestamp, body, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The API reference's webhook test vector (§5).
    const SECRET: &str = "whsec_abababababababababababababababababababababababababababababababab";
    const TIMESTAMP: u64 = 1_746_868_320;
    const BODY: &str = r#"{"id":"evt_abc123","type":"action.completed","createdAt":"2026-05-10T09:12:00Z","data":{"actionId":"a1","tokensDistributed":50}}"#;
    const SIGNATURE: &str = "sha256=95fdfc74c0572cfec2885fad06fa327ab8dca8a0f4103cd7b9e3e0541d544c0b";

    #[test]
    fn the_documented_vector() {
        assert!(crate::is_webhook_secret(SECRET));
        assert_eq!(sign_webhook(SECRET, TIMESTAMP, BODY.as_bytes()), SIGNATURE);
        let secret = WebhookSecret::new(SECRET);
        assert_eq!(secret.verify(Some(SIGNATURE), Some("1746868320"), BODY.as_bytes(), TIMESTAMP), Ok(TIMESTAMP));
    }

    #[test]
    fn tampering_staleness_and_malformed_headers_are_refused() {
        let secret = WebhookSecret::new(SECRET);
        let ts = Some("1746868320");
        let body = BODY.as_bytes();
        let verify = |signature: Option<&str>, timestamp: Option<&str>, body: &[u8], now: u64| {
            secret.verify(signature, timestamp, body, now)
        };
        assert_eq!(verify(Some(SIGNATURE), ts, body, TIMESTAMP + 300), Ok(TIMESTAMP));
        assert_eq!(
            verify(Some(SIGNATURE), ts, body, TIMESTAMP + 301),
            Err(VerifyError::StaleTimestamp { skew: 301, tolerance: 300 })
        );
        assert_eq!(
            verify(Some(SIGNATURE), ts, body, TIMESTAMP - 301),
            Err(VerifyError::StaleTimestamp { skew: 301, tolerance: 300 })
        );
        let reserialized = BODY.replace(',', ", ");
        assert_eq!(verify(Some(SIGNATURE), ts, reserialized.as_bytes(), TIMESTAMP), Err(VerifyError::BadSignature));
        assert_eq!(verify(Some(SIGNATURE), Some("1746868321"), body, TIMESTAMP), Err(VerifyError::BadSignature));
        // Keyed with only the hex part (the other reading of §7.12): refused.
        let hex_only = sign_webhook(&SECRET[6..], TIMESTAMP, body);
        assert_eq!(verify(Some(&hex_only), ts, body, TIMESTAMP), Err(VerifyError::BadSignature));
        assert_eq!(verify(Some(&SIGNATURE[7..]), ts, body, TIMESTAMP), Err(VerifyError::MalformedSignature));
        assert_eq!(verify(Some("sha256=xyz"), ts, body, TIMESTAMP), Err(VerifyError::MalformedSignature));
        assert_eq!(verify(None, ts, body, TIMESTAMP), Err(VerifyError::MissingSignature));
        assert_eq!(verify(Some(SIGNATURE), None, body, TIMESTAMP), Err(VerifyError::MissingTimestamp));
        assert_eq!(verify(Some(SIGNATURE), Some("soon"), body, TIMESTAMP), Err(VerifyError::MalformedTimestamp));
    }

    #[test]
    fn debug_hides_the_secret() {
        assert_eq!(format!("{:?}", WebhookSecret::new(SECRET)), "WebhookSecret(Secret(whsec_…))");
    }
}
