//! Signing server-to-server requests (API reference §4).
//!
//! ```text
//! bodyHash      = SHA256_hex(rawRequestBody)
//! signedPayload = timestamp + METHOD + pathWithQueryString + bodyHash
//! signature     = HMAC_SHA256_hex(hmacSecret, signedPayload)
//! ```

use std::fmt;

use hmac::{Hmac, Mac as _};
use sha2::{Digest as _, Sha256};

use crate::{Secret, VerifyError, check_fresh, parse_timestamp, unix_now};

/// Carries the secret key (`sk_…`).
pub const PARTNER_KEY_HEADER: &str = "x-partner-key";
/// Unix time in seconds, as digits.
pub const TIMESTAMP_HEADER: &str = "x-timestamp";
/// Lowercase hex HMAC-SHA256 of the signed payload.
pub const SIGNATURE_HEADER: &str = "x-signature";
/// The documented clock tolerance: ±5 minutes (§4, r9).
pub const REQUEST_TOLERANCE_SECS: u64 = 300;
/// SHA-256 of the empty body, as a GET signs it.
pub const EMPTY_BODY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

type HmacSha256 = Hmac<Sha256>;

/// Lowercase hex SHA-256 of the exact bytes sent.
pub fn body_sha256_hex(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// `timestamp + METHOD + pathWithQuery + bodyHash`, with no separators. The method is
/// upper-cased; the path is used as given (sign the very string you send).
pub fn signed_payload(timestamp: &str, method: &str, path_and_query: &str, body: &[u8]) -> String {
    format!("{timestamp}{}{path_and_query}{}", method.to_ascii_uppercase(), body_sha256_hex(body))
}

fn mac(hmac_secret: &str, timestamp: &str, method: &str, path_and_query: &str, body: &[u8]) -> HmacSha256 {
    // The secret's ASCII bytes are the key; it is not hex-decoded (the docs' openssl recipe passes it as text).
    let mut mac = HmacSha256::new_from_slice(hmac_secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(signed_payload(timestamp, method, path_and_query, body).as_bytes());
    mac
}

/// The `X-Signature` value for a request.
pub fn request_signature(
    hmac_secret: &str,
    timestamp: &str,
    method: &str,
    path_and_query: &str,
    body: &[u8],
) -> String {
    hex::encode(mac(hmac_secret, timestamp, method, path_and_query, body).finalize().into_bytes())
}

/// Signs requests with a partner's secret key and `hmacSecret`. `Debug` shows neither.
#[derive(Clone, Debug)]
pub struct Signer {
    secret_key: Secret,
    hmac_secret: Secret,
}

impl Signer {
    /// `secret_key` is the `sk_…` key sent in `X-Partner-Key`; `hmac_secret` the 64-hex
    /// `hmacSecret` issued with it (not the `sk_` value).
    pub fn new(secret_key: impl Into<String>, hmac_secret: impl Into<String>) -> Self {
        Self { secret_key: Secret::new(secret_key), hmac_secret: Secret::new(hmac_secret) }
    }

    /// The three headers for a request. `body` must be the exact bytes that will be
    /// sent (empty for a GET); `path_and_query` the path with its query string, no host.
    pub fn sign(&self, method: &str, path_and_query: &str, body: &[u8], timestamp: u64) -> SignedHeaders {
        let timestamp = timestamp.to_string();
        let signature = request_signature(self.hmac_secret.expose(), &timestamp, method, path_and_query, body);
        SignedHeaders { partner_key: self.secret_key.expose().to_owned(), timestamp, signature }
    }

    /// [`Signer::sign`] at the current time.
    pub fn sign_now(&self, method: &str, path_and_query: &str, body: &[u8]) -> SignedHeaders {
        self.sign(method, path_and_query, body, unix_now())
    }
}

/// The headers of a signed request. `Debug` hides the key.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `X-Partner-Key`: the secret key.
    pub partner_key: String,
    /// `X-Timestamp`.
    pub timestamp: String,
    /// `X-Signature`.
    pub signature: String,
}

impl SignedHeaders {
    /// `(header name, value)` pairs, names in lower case.
    pub fn pairs(&self) -> [(&'static str, &str); 3] {
        [
            (PARTNER_KEY_HEADER, &self.partner_key),
            (TIMESTAMP_HEADER, &self.timestamp),
            (SIGNATURE_HEADER, &self.signature),
        ]
    }
}

impl fmt::Debug for SignedHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedHeaders")
            .field("partner_key", &Secret::new(self.partner_key.as_str()))
            .field("timestamp", &self.timestamp)
            .field("signature", &self.signature)
            .finish()
    }
}

/// A received request, as [`verify_request`] needs it.
#[derive(Clone, Copy, Debug)]
pub struct RequestToVerify<'a> {
    pub method: &'a str,
    /// The original path and query as received (e.g. axum's `OriginalUri`), not a
    /// nested router's stripped path.
    pub path_and_query: &'a str,
    /// The raw body bytes as received.
    pub body: &'a [u8],
    /// `X-Timestamp`, if present.
    pub timestamp: Option<&'a str>,
    /// `X-Signature`, if present.
    pub signature: Option<&'a str>,
}

/// Checks a signed request against `hmac_secret` at Unix time `now`: the signature in
/// constant time, then the timestamp within ±[`REQUEST_TOLERANCE_SECS`].
///
/// The signature is checked first, so [`VerifyError::StaleTimestamp`] means a genuine
/// but old request (a replay, or a skewed clock), which is worth telling apart in logs.
pub fn verify_request(hmac_secret: &str, request: &RequestToVerify<'_>, now: u64) -> Result<(), VerifyError> {
    let timestamp_text = request.timestamp.ok_or(VerifyError::MissingTimestamp)?;
    let signature = request.signature.ok_or(VerifyError::MissingSignature)?;
    let timestamp = parse_timestamp(timestamp_text)?;
    if signature.len() != 64 {
        return Err(VerifyError::MalformedSignature);
    }
    let expected = hex::decode(signature).map_err(|_| VerifyError::MalformedSignature)?;
    mac(hmac_secret, timestamp_text, request.method, request.path_and_query, request.body)
        .verify_slice(&expected)
        .map_err(|_| VerifyError::BadSignature)?;
    check_fresh(timestamp, now, REQUEST_TOLERANCE_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The common inputs of the API reference's test vectors (§4).
    const HMAC_SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const TIMESTAMP: u64 = 1_746_876_000;
    const POST_BODY: &str =
        r#"{"idempotencyKey":"order_98765","actionType":"PURCHASE","amount":49.99,"currency":"USD"}"#;

    fn signer() -> Signer {
        Signer::new("sk_test_example", HMAC_SECRET)
    }

    #[test]
    fn the_empty_body_hash() {
        assert_eq!(body_sha256_hex(b""), EMPTY_BODY_SHA256);
    }

    #[test]
    fn vector_get_with_query_and_empty_body() {
        assert_eq!(
            signed_payload("1746876000", "GET", "/v1/partner/users?page=1&limit=20", b""),
            "1746876000GET/v1/partner/users?page=1&limit=20e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let headers = signer().sign("GET", "/v1/partner/users?page=1&limit=20", b"", TIMESTAMP);
        assert_eq!(headers.signature, "1037c123fac712b9f27235ee013047e2acd4044a089ec1c0561b2fe0329406a2");
        assert_eq!(headers.timestamp, "1746876000");
        assert_eq!(headers.partner_key, "sk_test_example");
    }

    #[test]
    fn vector_post_with_body() {
        assert_eq!(
            body_sha256_hex(POST_BODY.as_bytes()),
            "e538bae85f67ce0db4b78e12b6a65a5dfbd012fb495f982cc4e5ee4c3dc33161"
        );
        let headers = signer().sign("POST", "/v1/partner/actions/submit", POST_BODY.as_bytes(), TIMESTAMP);
        assert_eq!(headers.signature, "e6f9c283ace88236c0f60fb9e61191094fb2e758dc006bd249077f2aba60f1a4");
        // A lower-case method signs the same: the payload always carries it upper-cased.
        let lower = signer().sign("post", "/v1/partner/actions/submit", POST_BODY.as_bytes(), TIMESTAMP);
        assert_eq!(lower.signature, headers.signature);
    }

    fn to_verify<'a>(headers: &'a SignedHeaders, body: &'a [u8]) -> RequestToVerify<'a> {
        RequestToVerify {
            method: "POST",
            path_and_query: "/v1/partner/actions/submit",
            body,
            timestamp: Some(&headers.timestamp),
            signature: Some(&headers.signature),
        }
    }

    #[test]
    fn verification_accepts_only_the_exact_request_within_the_window() {
        let headers = signer().sign("POST", "/v1/partner/actions/submit", POST_BODY.as_bytes(), TIMESTAMP);
        let good = to_verify(&headers, POST_BODY.as_bytes());
        assert_eq!(verify_request(HMAC_SECRET, &good, TIMESTAMP), Ok(()));
        assert_eq!(verify_request(HMAC_SECRET, &good, TIMESTAMP + 300), Ok(()));
        assert_eq!(verify_request(HMAC_SECRET, &good, TIMESTAMP - 300), Ok(()));
        assert_eq!(
            verify_request(HMAC_SECRET, &good, TIMESTAMP + 301),
            Err(VerifyError::StaleTimestamp { skew: 301, tolerance: 300 })
        );
        assert_eq!(verify_request(&"f".repeat(64), &good, TIMESTAMP), Err(VerifyError::BadSignature));

        let reserialized = POST_BODY.replace(':', ": ");
        let changed_body = to_verify(&headers, reserialized.as_bytes());
        assert_eq!(verify_request(HMAC_SECRET, &changed_body, TIMESTAMP), Err(VerifyError::BadSignature));
        let other_path = RequestToVerify { path_and_query: "/v1/partner/actions/submit?x=1", ..good };
        assert_eq!(verify_request(HMAC_SECRET, &other_path, TIMESTAMP), Err(VerifyError::BadSignature));
        let other_time = RequestToVerify { timestamp: Some("1746876001"), ..good };
        assert_eq!(verify_request(HMAC_SECRET, &other_time, TIMESTAMP), Err(VerifyError::BadSignature));
    }

    #[test]
    fn verification_refuses_missing_and_malformed_headers() {
        let headers = signer().sign("GET", "/x", b"", TIMESTAMP);
        let base = RequestToVerify {
            method: "GET",
            path_and_query: "/x",
            body: b"",
            timestamp: Some(&headers.timestamp),
            signature: Some(&headers.signature),
        };
        let cases = [
            (RequestToVerify { timestamp: None, ..base }, VerifyError::MissingTimestamp),
            (RequestToVerify { signature: None, ..base }, VerifyError::MissingSignature),
            (RequestToVerify { timestamp: Some("+1746876000"), ..base }, VerifyError::MalformedTimestamp),
            (RequestToVerify { timestamp: Some("1746876000.5"), ..base }, VerifyError::MalformedTimestamp),
            (RequestToVerify { signature: Some("abc"), ..base }, VerifyError::MalformedSignature),
            (RequestToVerify { signature: Some(&"zz".repeat(32)), ..base }, VerifyError::MalformedSignature),
        ];
        for (request, error) in cases {
            assert_eq!(verify_request(HMAC_SECRET, &request, TIMESTAMP), Err(error), "{request:?}");
        }
    }

    #[test]
    fn debug_hides_the_credentials() {
        let signer = Signer::new("sk_test_c324ca5be4ee", HMAC_SECRET);
        let shown = format!("{signer:?} {:?}", signer.sign("GET", "/", b"", TIMESTAMP));
        assert!(!shown.contains("c324ca5be4ee") && !shown.contains(HMAC_SECRET), "{shown}");
        assert!(shown.contains("sk_test_…"), "{shown}");
    }
}
