//! Credentials that must never reach a log, and format checks for them (API reference §1.2, §5).

use std::fmt;

/// A credential (`sk_…`, an `hmacSecret`, a `whsec_…`). `Debug` and `Display` are not
/// implemented over the value: `Debug` shows only a harmless prefix (`sk_test_…`,
/// `whsec_…`) or `[redacted]`, so a `{:?}` of a config struct can't leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself; call this only where it is used (signing, a header).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: [&str; 5] = ["sk_test_", "sk_live_", "pk_test_", "pk_live_", "whsec_"];
        match SHOWN.iter().find(|prefix| self.0.starts_with(*prefix)) {
            Some(prefix) => write!(f, "Secret({prefix}…)"),
            None => f.write_str("Secret([redacted])"),
        }
    }
}

/// Which kind of API key a string is, by its documented prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// `pk_…`: safe in a browser; never for signed calls.
    Publishable,
    /// `sk_…`: backend only.
    Secret,
}

/// The environment a key belongs to: `_test_` keys to the sandbox, `_live_` to production.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Test,
    Live,
}

/// The kind and environment of a key (`pk_test_…`, `sk_live_…`, …), or `None` for
/// anything else. The part after the prefix is not checked: only old revisions of the
/// docs give it as 64 hex digits (§7.7).
pub fn key_kind(key: &str) -> Option<(KeyKind, Environment)> {
    let (kind, rest) = if let Some(rest) = key.strip_prefix("pk_") {
        (KeyKind::Publishable, rest)
    } else {
        (KeyKind::Secret, key.strip_prefix("sk_")?)
    };
    let (environment, rest) = if let Some(rest) = rest.strip_prefix("test_") {
        (Environment::Test, rest)
    } else {
        (Environment::Live, rest.strip_prefix("live_")?)
    };
    (!rest.is_empty()).then_some((kind, environment))
}

/// An `hmacSecret` as issued: "a 64-character hex string" (§1.2).
pub fn is_hmac_secret(secret: &str) -> bool {
    is_hex(secret, 64)
}

/// A webhook secret as issued: `whsec_` and 64 hex digits (§5, r11).
pub fn is_webhook_secret(secret: &str) -> bool {
    secret.strip_prefix(crate::WEBHOOK_SECRET_PREFIX).is_some_and(|hex| is_hex(hex, 64))
}

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let key = Secret::new("sk_test_c324ca5be4ee54c387386da622872f2a");
        assert_eq!(format!("{key:?}"), "Secret(sk_test_…)");
        let hmac = Secret::new("0123456789abcdef");
        assert_eq!(format!("{hmac:?}"), "Secret([redacted])");
        assert_eq!(Secret::new("whsec_abab").expose(), "whsec_abab");
    }

    #[test]
    fn key_kinds_by_prefix() {
        assert_eq!(key_kind("pk_test_abc"), Some((KeyKind::Publishable, Environment::Test)));
        assert_eq!(key_kind("sk_live_abc"), Some((KeyKind::Secret, Environment::Live)));
        for bad in ["sk_test_", "sk_prod_abc", "rk_test_abc", "", "whsec_abc"] {
            assert_eq!(key_kind(bad), None, "{bad}");
        }
    }

    #[test]
    fn secret_formats() {
        assert!(is_hmac_secret(&"a1".repeat(32)));
        assert!(!is_hmac_secret(&"a1".repeat(31)));
        assert!(!is_hmac_secret(&"g1".repeat(32)));
        assert!(is_webhook_secret(&format!("whsec_{}", "ab".repeat(32))));
        assert!(!is_webhook_secret(&"ab".repeat(32)));
        assert!(!is_webhook_secret(&format!("whsec_{}", "ab".repeat(31))));
    }
}
