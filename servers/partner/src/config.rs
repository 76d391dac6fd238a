//! Configuration from the environment, checked before anything starts.
//!
//! The server refuses to start, listing every problem at once, on a missing secret, a
//! publishable key given as the secret key, or a malformed `hmacSecret` / webhook secret.
//! `Debug` never shows a secret.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use sir_signing::{Environment, KeyKind, Signer, WebhookSecret, is_hmac_secret, is_webhook_secret, key_kind};

pub const DEFAULT_API_BASE: &str = "http://127.0.0.1:8787";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8788";
pub const DEFAULT_DB: &str = "partner.sqlite3";

#[derive(Clone, Debug)]
pub struct Config {
    /// `SIR_API_BASE`, without a trailing `/`.
    pub api_base: String,
    /// `SIR_SECRET_KEY` + `SIR_HMAC_SECRET`.
    pub signer: Signer,
    /// `SIR_WEBHOOK_SECRET`.
    pub webhook_secret: WebhookSecret,
    /// `SIR_PUBLISHABLE_KEY`, for the donation status fallback only.
    pub publishable_key: Option<String>,
    /// `PARTNER_LISTEN`.
    pub listen: SocketAddr,
    /// `PARTNER_ALLOWED_ORIGINS`: origins whose pages may call `/sir/*` with credentials.
    pub allowed_origins: Vec<String>,
    /// `PARTNER_DB`: an SQLite file, or `:memory:`.
    pub db_path: String,
    /// `PARTNER_STATIC_DIR`: served at `/` when set.
    pub static_dir: Option<PathBuf>,
    /// `PARTNER_AUTO_REWARD=1`: reward the donor's email on a verified `transaction.completed`.
    pub auto_reward: bool,
    /// `PARTNER_COOKIE_SECURE=1`: mark the session cookie `Secure` (needed behind HTTPS).
    pub cookie_secure: bool,
    /// How calls to SIR are retried (429, 5xx, network errors).
    pub retry: RetryPolicy,
}

/// Bounds on retrying a call to SIR. Every call this server makes is safe to repeat
/// (reads, and actions carrying an idempotency key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// Wait before the second try after a 5xx or network error; doubles each time.
    pub base: Duration,
    /// Longest `Retry-After` honoured on a 429; a longer one is passed on to the caller
    /// (503 `SIR_RATE_LIMITED` with that `Retry-After`) rather than holding the request.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { attempts: 3, base: Duration::from_millis(250), max_wait: Duration::from_secs(5) }
    }
}

/// Everything wrong with the environment, one line each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub Vec<String>);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid configuration:")?;
        for problem in &self.0 {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the variables through `lookup` (tests pass a map). Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let mut problems = Vec::new();

        let api_base = get("SIR_API_BASE").unwrap_or_else(|| DEFAULT_API_BASE.to_owned());
        let api_base = api_base.trim_end_matches('/').to_owned();
        if reqwest::Url::parse(&api_base).map_or(true, |url| !matches!(url.scheme(), "http" | "https")) {
            problems.push(format!("SIR_API_BASE must be an http:// or https:// URL, got {api_base:?}"));
        }

        let secret_key = get("SIR_SECRET_KEY");
        let secret_env = match secret_key.as_deref().map(|key| (key, key_kind(key))) {
            None => {
                problems.push("SIR_SECRET_KEY is missing: the sk_test_… / sk_live_… key (backend only)".to_owned());
                None
            }
            Some((_, Some((KeyKind::Secret, environment)))) => Some(environment),
            Some((_, Some((KeyKind::Publishable, _)))) => {
                problems.push(
                    "SIR_SECRET_KEY holds a publishable key (pk_…); give the secret key (sk_test_… / sk_live_…)"
                        .to_owned(),
                );
                None
            }
            Some(_) => {
                problems.push("SIR_SECRET_KEY is not a secret key: expected sk_test_… or sk_live_…".to_owned());
                None
            }
        };

        let hmac_secret = get("SIR_HMAC_SECRET");
        match hmac_secret.as_deref() {
            None => {
                problems.push("SIR_HMAC_SECRET is missing: the 64-hex hmacSecret issued with the secret key".to_owned())
            }
            Some(secret) if !is_hmac_secret(secret) => {
                problems.push("SIR_HMAC_SECRET must be 64 hex digits (the hmacSecret, not the sk_ key)".to_owned())
            }
            Some(_) => {}
        }

        let webhook_secret = get("SIR_WEBHOOK_SECRET");
        match webhook_secret.as_deref() {
            None => problems.push("SIR_WEBHOOK_SECRET is missing: the whsec_… secret of your webhook".to_owned()),
            Some(secret) if !is_webhook_secret(secret) => {
                problems.push("SIR_WEBHOOK_SECRET must be whsec_ followed by 64 hex digits".to_owned())
            }
            Some(_) => {}
        }

        let publishable_key = get("SIR_PUBLISHABLE_KEY");
        if let Some(key) = &publishable_key {
            match key_kind(key) {
                Some((KeyKind::Publishable, environment)) => {
                    if secret_env.is_some_and(|secret_env| secret_env != environment) {
                        problems.push(format!(
                            "SIR_PUBLISHABLE_KEY is a {} key but SIR_SECRET_KEY a {} key: use one environment",
                            environment_name(environment),
                            secret_env.map_or("", environment_name),
                        ));
                    }
                }
                _ => problems.push("SIR_PUBLISHABLE_KEY must be a publishable key (pk_test_… / pk_live_…)".to_owned()),
            }
        }

        let listen = get("PARTNER_LISTEN").unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen = listen.parse::<SocketAddr>().map_err(|_| {
            problems.push(format!("PARTNER_LISTEN must be IP:PORT, e.g. {DEFAULT_LISTEN}, got {listen:?}"));
        });

        let allowed_origins: Vec<String> = get("PARTNER_ALLOWED_ORIGINS")
            .map(|list| {
                list.split(',').map(|o| o.trim().trim_end_matches('/').to_owned()).filter(|o| !o.is_empty()).collect()
            })
            .unwrap_or_default();
        for origin in &allowed_origins {
            if !is_origin(origin) {
                problems.push(format!(
                    "PARTNER_ALLOWED_ORIGINS: {origin:?} is not an origin (scheme://host[:port], no path), e.g. http://127.0.0.1:8080"
                ));
            }
        }

        let static_dir = get("PARTNER_STATIC_DIR").map(PathBuf::from);
        if let Some(dir) = &static_dir
            && !dir.is_dir()
        {
            problems.push(format!("PARTNER_STATIC_DIR {} is not a directory", dir.display()));
        }

        let flag = |name: &str, problems: &mut Vec<String>| match get(name).as_deref() {
            None | Some("0" | "false" | "no") => false,
            Some("1" | "true" | "yes") => true,
            Some(other) => {
                problems.push(format!("{name} must be 1 or 0, got {other:?}"));
                false
            }
        };
        let auto_reward = flag("PARTNER_AUTO_REWARD", &mut problems);
        let cookie_secure = flag("PARTNER_COOKIE_SECURE", &mut problems);

        match (problems.is_empty(), secret_key, hmac_secret, webhook_secret, listen) {
            (true, Some(secret_key), Some(hmac_secret), Some(webhook_secret), Ok(listen)) => Ok(Self {
                api_base,
                signer: Signer::new(secret_key, hmac_secret),
                webhook_secret: WebhookSecret::new(webhook_secret),
                publishable_key,
                listen,
                allowed_origins,
                db_path: get("PARTNER_DB").unwrap_or_else(|| DEFAULT_DB.to_owned()),
                static_dir,
                auto_reward,
                cookie_secure,
                retry: RetryPolicy::default(),
            }),
            _ => Err(ConfigError(problems)),
        }
    }
}

fn environment_name(environment: Environment) -> &'static str {
    match environment {
        Environment::Test => "test",
        Environment::Live => "live",
    }
}

/// `scheme://host[:port]` with an http(s) scheme and nothing after the authority.
pub fn is_origin(origin: &str) -> bool {
    let Some(authority) = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://")) else {
        return false;
    };
    !authority.is_empty()
        && authority.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const SK: &str = "sk_test_c324ca5be4ee54c387386da622872f2a9eb5d1ed549a534a0c77236730a939b7";
    const PK: &str = "pk_test_f40ae06e2cfeb3cb6ce6bbcfa2617d6b8452aff0221c5281ba74b1183db4d378";
    const HMAC: &str = "d2dd24eac6bcec3d55c01a49af7948725fb96acd329e06655a2a59bd2a1706c3";
    const WHSEC: &str = "whsec_abababababababababababababababababababababababababababababababab";

    fn parse(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    fn valid() -> Vec<(&'static str, &'static str)> {
        vec![("SIR_SECRET_KEY", SK), ("SIR_HMAC_SECRET", HMAC), ("SIR_WEBHOOK_SECRET", WHSEC)]
    }

    fn problems(vars: &[(&str, &str)]) -> String {
        parse(vars).expect_err("refused").to_string()
    }

    #[test]
    fn defaults() {
        let config = parse(&valid()).expect("valid");
        assert_eq!(config.api_base, DEFAULT_API_BASE);
        assert_eq!(config.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(config.db_path, DEFAULT_DB);
        assert!(config.allowed_origins.is_empty() && config.static_dir.is_none() && config.publishable_key.is_none());
        assert!(!config.auto_reward && !config.cookie_secure);
    }

    #[test]
    fn everything_set() {
        let mut vars = valid();
        vars.extend([
            ("SIR_API_BASE", "https://devapi.sirgiving.org/"),
            ("SIR_PUBLISHABLE_KEY", PK),
            ("PARTNER_LISTEN", "0.0.0.0:9000"),
            ("PARTNER_ALLOWED_ORIGINS", "http://127.0.0.1:8080, https://shop.example/"),
            ("PARTNER_DB", ":memory:"),
            ("PARTNER_AUTO_REWARD", "1"),
        ]);
        let config = parse(&vars).expect("valid");
        assert_eq!(config.api_base, "https://devapi.sirgiving.org");
        assert_eq!(config.allowed_origins, ["http://127.0.0.1:8080", "https://shop.example"]);
        assert_eq!(config.db_path, ":memory:");
        assert!(config.auto_reward);
    }

    #[test]
    fn missing_secrets_are_all_reported() {
        let message = problems(&[]);
        for name in ["SIR_SECRET_KEY is missing", "SIR_HMAC_SECRET is missing", "SIR_WEBHOOK_SECRET is missing"] {
            assert!(message.contains(name), "{message}");
        }
    }

    #[test]
    fn a_publishable_key_as_the_secret_key_is_refused() {
        let message = problems(&[("SIR_SECRET_KEY", PK), ("SIR_HMAC_SECRET", HMAC), ("SIR_WEBHOOK_SECRET", WHSEC)]);
        assert!(message.contains("SIR_SECRET_KEY holds a publishable key"), "{message}");
        assert!(!message.contains(&PK[8..]), "the key itself is not echoed: {message}");
    }

    #[test]
    fn malformed_values_are_refused() {
        let cases: [(&str, &str, &str); 9] = [
            ("SIR_SECRET_KEY", "hello", "not a secret key"),
            ("SIR_HMAC_SECRET", SK, "64 hex digits"),
            ("SIR_HMAC_SECRET", "abc", "64 hex digits"),
            ("SIR_WEBHOOK_SECRET", "abab", "whsec_"),
            ("SIR_WEBHOOK_SECRET", "whsec_xyz", "whsec_"),
            ("SIR_PUBLISHABLE_KEY", SK, "must be a publishable key"),
            ("SIR_PUBLISHABLE_KEY", "pk_live_abc", "one environment"),
            ("PARTNER_ALLOWED_ORIGINS", "http://127.0.0.1:8080/page", "not an origin"),
            ("PARTNER_LISTEN", "localhost", "IP:PORT"),
        ];
        for (name, value, expected) in cases {
            let mut vars: Vec<_> = valid().into_iter().filter(|(n, _)| *n != name).collect();
            vars.push((name, value));
            let message = problems(&vars);
            assert!(message.contains(expected), "{name}={value}: {message}");
        }
    }

    #[test]
    fn debug_shows_no_secret() {
        let shown = format!("{:?}", parse(&valid()).expect("valid"));
        for secret in [&SK[8..], HMAC, &WHSEC[6..]] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
