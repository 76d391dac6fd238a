use std::fmt;

use thiserror::Error;

/// Which SIR host a key belongs to. The docs pair `_test_` keys with the sandbox
/// host and `_live_` keys with production (API reference §1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Sandbox,
    Production,
}

impl Environment {
    /// The documented base URL of this environment's API host.
    pub const fn default_api_base(self) -> &'static str {
        match self {
            Environment::Sandbox => "https://devapi.sirgiving.org",
            Environment::Production => "https://api.sirgiving.org",
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Environment::Sandbox => "sandbox",
            Environment::Production => "production",
        }
    }
}

/// Why a key cannot be used in the browser.
///
/// Neither variant carries the key text: a secret key must never reach a log.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum KeyError {
    #[error(
        "a secret key (sk_…) was given to the widget; secret keys belong on your server only: use your publishable key (pk_…) and rotate the exposed secret key"
    )]
    Secret,
    #[error("the key must be a publishable key starting with pk_test_ or pk_live_")]
    Invalid,
}

/// A publishable (`pk_test_…` / `pk_live_…`) key, the only kind the widget accepts.
///
/// The length after the prefix is not enforced: only older doc revisions state
/// `<64 hex>` (API reference §7.7).
#[derive(Clone, PartialEq, Eq)]
pub struct PublishableKey {
    raw: String,
    environment: Environment,
}

impl PublishableKey {
    /// Parses a key given by the embedding page.
    ///
    /// ```
    /// use sir_donate::domain::{Environment, KeyError, PublishableKey};
    /// let key = PublishableKey::parse("pk_test_abc123").unwrap();
    /// assert_eq!(key.environment(), Environment::Sandbox);
    /// assert_eq!(PublishableKey::parse("sk_live_abc"), Err(KeyError::Secret));
    /// ```
    ///
    /// # Errors
    /// [`KeyError::Secret`] for any `sk_` key (checked first, before anything can
    /// send it), [`KeyError::Invalid`] for anything else that is not `pk_test_`/`pk_live_`
    /// followed by at least one ASCII alphanumeric character.
    pub fn parse(input: &str) -> Result<Self, KeyError> {
        let key = input.trim();
        if key.starts_with("sk_") {
            return Err(KeyError::Secret);
        }
        let (environment, rest) = if let Some(rest) = key.strip_prefix("pk_test_") {
            (Environment::Sandbox, rest)
        } else if let Some(rest) = key.strip_prefix("pk_live_") {
            (Environment::Production, rest)
        } else {
            return Err(KeyError::Invalid);
        };
        // A header value must stay one plain token.
        if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(KeyError::Invalid);
        }
        Ok(Self { raw: key.to_owned(), environment })
    }

    pub fn environment(&self) -> Environment {
        self.environment
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

impl fmt::Debug for PublishableKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Publishable keys are public, but a short form keeps logs readable.
        let shown: String = self.raw.chars().take(14).collect();
        write!(f, "PublishableKey({shown}…)")
    }
}
