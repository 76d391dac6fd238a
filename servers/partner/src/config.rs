//! Configuration from the environment, checked before anything starts.
//!
//! The server refuses to start, listing every problem at once, on a missing secret, a
//! publishable key given as the secret key, a malformed `hmacSecret` / webhook secret,
//! no identity mode, or a setting that is only safe on loopback used elsewhere (plain
//! http to SIR or from allowed origins, the demo sign-in with a live key). `Debug` never
//! shows a secret.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use sir_signing::{Environment, KeyKind, Secret, Signer, WebhookSecret, is_hmac_secret, is_webhook_secret, key_kind};

pub const DEFAULT_API_BASE: &str = "http://127.0.0.1:8787";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8788";
pub const DEFAULT_DB: &str = "partner.sqlite3";
pub const DEFAULT_DB_POOL_SIZE: u32 = 10;
/// `__Host-`: a browser accepts it only from https, for `/`, with no `Domain`, so no sibling
/// subdomain can set or shadow the token ("cookie tossing").
pub const DEFAULT_JWT_COOKIE: &str = "__Host-partner_token";
pub const DEFAULT_USER_HEADER: &str = "x-partner-user";
pub const DEFAULT_EMAIL_HEADER: &str = "x-partner-email";
pub const DEFAULT_EMAIL_VERIFIED_HEADER: &str = "x-partner-email-verified";
/// An HS256 key shorter than its hash (32 bytes) weakens it (RFC 7518 §3.2).
pub const MIN_JWT_SECRET_BYTES: usize = 32;

#[derive(Clone, Debug)]
pub struct Config {
    /// `SIR_API_BASE`, without a trailing `/`.
    pub api_base: String,
    /// `SIR_SECRET_KEY` + `SIR_HMAC_SECRET`.
    pub signer: Signer,
    /// `sk_live_…`: production credentials.
    pub live: bool,
    /// `SIR_WEBHOOK_SECRET`.
    pub webhook_secret: WebhookSecret,
    /// `SIR_PUBLISHABLE_KEY`: creates donation links and reads their status (both
    /// publishable-key endpoints in the docs).
    pub publishable_key: String,
    /// `PARTNER_LISTEN`.
    pub listen: SocketAddr,
    /// `PARTNER_ALLOWED_ORIGINS`: origins whose pages may call `/sir/*` with credentials.
    pub allowed_origins: Vec<String>,
    /// `PARTNER_DATABASE_URL` (PostgreSQL), else `PARTNER_DB` (SQLite).
    pub database: Database,
    /// `PARTNER_STATIC_DIR`: served at `/` when set.
    pub static_dir: Option<PathBuf>,
    /// `PARTNER_IDENTITY`: how the server learns who the user is.
    pub identity: IdentityConfig,
    /// `PARTNER_TRUSTED_PROXIES`: peers whose `X-Forwarded-For` (and, in header mode,
    /// identity headers) are believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// The demo session cookie is `Secure` and `__Host-` prefixed: off loopback always,
    /// on loopback with `PARTNER_COOKIE_SECURE=1` (behind a TLS proxy on the same host).
    pub cookie_secure: bool,
    pub limits: Limits,
    /// How calls to SIR are retried (429, 5xx, network errors).
    pub retry: RetryPolicy,
    /// How the reward outbox backs off between tries.
    pub outbox: OutboxPolicy,
    /// How donations whose signed webhook never came are found.
    pub reconcile: ReconcilePolicy,
    /// `PARTNER_METRICS_LISTEN`: the Prometheus endpoint's own address (`GET /metrics`),
    /// apart from the public one. None: no metrics endpoint.
    pub metrics_listen: Option<SocketAddr>,
}

/// Reconciliation (`reconcile.rs`): a donation still open `after` its creation is looked up
/// at SIR, every `every`, until it is final or a week old.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReconcilePolicy {
    /// `PARTNER_RECONCILE_AFTER_SECS`: SIR's own retries have had their chance by then.
    pub after: Duration,
    /// `PARTNER_RECONCILE_EVERY_SECS`: how often the job looks, and how often one donation is asked about.
    pub every: Duration,
}

impl Default for ReconcilePolicy {
    fn default() -> Self {
        Self { after: Duration::from_secs(600), every: Duration::from_secs(60) }
    }
}

/// Where the server keeps its state.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// `PARTNER_DB`: an SQLite file, or `:memory:`. The default: no server to run, one instance.
    Sqlite(String),
    /// `PARTNER_DATABASE_URL=postgres://…`: shared by every instance. `pool` is
    /// `PARTNER_DB_POOL_SIZE`, the connections this instance keeps.
    Postgres { url: String, pool: u32 },
}

impl Database {
    /// Where it is, for people: host, port and database only (a password can hide in the
    /// user part or in the query).
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("SQLite {path}"),
            Self::Postgres { url, pool } => {
                let shown = reqwest::Url::parse(url).ok().and_then(|parsed| {
                    let host = parsed.host_str()?.to_owned();
                    Some(format!("{host}:{}{}", parsed.port().unwrap_or(5432), parsed.path()))
                });
                format!("PostgreSQL {} (pool {pool})", shown.as_deref().unwrap_or("(unparsable URL)"))
            }
        }
    }
}

/// `Debug` hides the URL's password.
impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Who the user is, from the partner's own auth. See README "Identity".
#[derive(Clone, Debug)]
pub enum IdentityConfig {
    /// `PARTNER_IDENTITY=jwt`: an HS256 token signed with a secret shared with the
    /// partner's login, read from a cookie or an `Authorization: Bearer` header.
    Jwt(JwtConfig),
    /// `PARTNER_IDENTITY=header`: headers set by the partner's reverse proxy after it
    /// authenticated the user; believed only from `PARTNER_TRUSTED_PROXIES`.
    Header(HeaderConfig),
    /// `PARTNER_IDENTITY=demo`: "sign in with any email", for the demo and tests only.
    Demo,
}

#[derive(Clone, Debug)]
pub struct JwtConfig {
    pub secret: Secret,
    pub cookie: String,
    pub issuer: Option<String>,
    /// Required: a token minted for another service of the partner's is not one for us.
    pub audience: String,
}

#[derive(Clone, Debug)]
pub struct HeaderConfig {
    pub user: String,
    pub email: String,
    pub email_verified: String,
}

impl IdentityConfig {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Jwt(_) => "jwt",
            Self::Header(_) => "header",
            Self::Demo => "demo",
        }
    }
}

/// Bounds on what one client may ask of this server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// `PARTNER_REQUEST_DEADLINE_MS`: no request runs longer (504 `TIMEOUT` after it).
    pub deadline: Duration,
    /// `PARTNER_MAX_CONCURRENT`: requests in progress at once (webhooks apart); more get
    /// 503 `OVERLOADED`.
    pub max_concurrent: usize,
    /// `PARTNER_MAX_CONCURRENT_WEBHOOKS`: webhook deliveries in progress at once, in slots of
    /// their own, so no flood of other requests delays SIR's (and the reverse).
    pub max_concurrent_webhooks: usize,
    /// `PARTNER_RATE_PER_IP`: `/sir/*` requests per minute per client IP (bursts of a third).
    pub per_ip_per_minute: u32,
    /// `PARTNER_RATE_PER_SESSION`: `/sir/*` requests per minute per signed-in user.
    pub per_session_per_minute: u32,
    /// `PARTNER_SIGN_INS_PER_IP`: demo sign-ins per minute per client IP.
    pub sign_ins_per_minute: u32,
    /// `PARTNER_BALANCE_CACHE_SECS`: how long a balance read from SIR is reused.
    pub balance_cache: Duration,
    /// `PARTNER_MAX_CONNECTIONS_PER_CLIENT`: connections one client address may hold (its
    /// oldest idle one is closed for a newer one past that).
    pub connections_per_client: usize,
    /// `PARTNER_MAX_CONCURRENT_PER_CLIENT`: `/sir/*` requests in progress at once per client.
    pub concurrent_per_client: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            deadline: Duration::from_secs(10),
            max_concurrent: 256,
            max_concurrent_webhooks: 256,
            per_ip_per_minute: 120,
            per_session_per_minute: 60,
            sign_ins_per_minute: 10,
            balance_cache: Duration::from_secs(15),
            connections_per_client: 256,
            concurrent_per_client: 32,
        }
    }
}

/// Bounds on retrying a call to SIR inside one request. Every call retried here is safe
/// to repeat (reads, and actions carrying an idempotency key); create-link never is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// Wait before the second try after a 5xx or network error; doubles each time.
    pub base: Duration,
    /// Longest `Retry-After` honoured on a 429; a longer one is passed on to the caller.
    pub max_wait: Duration,
    /// One try's timeout.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 3,
            base: Duration::from_millis(250),
            max_wait: Duration::from_secs(2),
            timeout: Duration::from_secs(4),
        }
    }
}

/// The reward outbox: a reward SIR did not accept yet is tried again after
/// `base * 2^(tries - 1)`, at most `max`, until SIR accepts it or refuses it for good.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutboxPolicy {
    /// `PARTNER_OUTBOX_RETRY_BASE_MS`.
    pub base: Duration,
    /// `PARTNER_OUTBOX_RETRY_MAX_MS`.
    pub max: Duration,
    /// `PARTNER_OUTBOX_LEASE_MS`: how long a worker holds a reward it is submitting. If the
    /// instance dies meanwhile, another takes the reward over once the lease runs out. A try
    /// gets half of it, so no try outlives its lease.
    pub lease: Duration,
}

impl Default for OutboxPolicy {
    fn default() -> Self {
        Self { base: Duration::from_secs(2), max: Duration::from_secs(300), lease: Duration::from_secs(60) }
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
        match reqwest::Url::parse(&api_base) {
            Ok(url) if url.scheme() == "https" => {}
            Ok(url) if url.scheme() == "http" && is_loopback_host(url.host_str().unwrap_or_default()) => {}
            Ok(url) if url.scheme() == "http" => problems.push(format!(
                "SIR_API_BASE must be https:// (plain http:// only to a loopback sandbox), got {api_base:?}: \
                 the secret key's signatures and the donors' data must not cross a network in clear"
            )),
            _ => problems.push(format!("SIR_API_BASE must be an https:// URL, got {api_base:?}")),
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
        let live = secret_env == Some(Environment::Live);
        if live && !api_base.starts_with("https://") {
            problems
                .push("an sk_live_ key talks to SIR over https:// only: set SIR_API_BASE to an https:// URL".into());
        }

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
        match publishable_key.as_deref().map(key_kind) {
            None => problems.push(
                "SIR_PUBLISHABLE_KEY is missing: the pk_… key of the same environment (it creates the donation \
                 links this server ties to their donors, and reads their status)"
                    .to_owned(),
            ),
            Some(Some((KeyKind::Publishable, environment))) => {
                if secret_env.is_some_and(|secret_env| secret_env != environment) {
                    problems.push(format!(
                        "SIR_PUBLISHABLE_KEY is a {} key but SIR_SECRET_KEY a {} key: use one environment",
                        environment_name(environment),
                        secret_env.map_or("", environment_name),
                    ));
                }
            }
            Some(_) => {
                problems.push("SIR_PUBLISHABLE_KEY must be a publishable key (pk_test_… / pk_live_…)".to_owned())
            }
        }

        let listen = get("PARTNER_LISTEN").unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen = listen.parse::<SocketAddr>().map_err(|_| {
            problems.push(format!("PARTNER_LISTEN must be IP:PORT, e.g. {DEFAULT_LISTEN}, got {listen:?}"));
        });

        let allowed_origins: Vec<String> =
            list(get("PARTNER_ALLOWED_ORIGINS")).into_iter().map(|o| o.trim_end_matches('/').to_owned()).collect();
        for origin in &allowed_origins {
            match origin_host(origin) {
                None => problems.push(format!(
                    "PARTNER_ALLOWED_ORIGINS: {origin:?} is not an origin (scheme://host[:port], no path), \
                     e.g. https://shop.example"
                )),
                Some(("http", host)) if !is_loopback_host(host) => problems.push(format!(
                    "PARTNER_ALLOWED_ORIGINS: {origin:?} must be https:// (plain http:// only for loopback pages): \
                     the session travels with these requests"
                )),
                Some(_) => {}
            }
        }

        let static_dir = get("PARTNER_STATIC_DIR").map(PathBuf::from);
        if let Some(dir) = &static_dir
            && !dir.is_dir()
        {
            problems.push(format!("PARTNER_STATIC_DIR {} is not a directory", dir.display()));
        }

        let database = match get("PARTNER_DATABASE_URL") {
            None => Database::Sqlite(get("PARTNER_DB").unwrap_or_else(|| DEFAULT_DB.to_owned())),
            Some(url) => {
                if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                    problems.push("PARTNER_DATABASE_URL must be a postgres:// URL".to_owned());
                }
                if get("PARTNER_DB").is_some() {
                    problems.push("set PARTNER_DATABASE_URL (PostgreSQL) or PARTNER_DB (SQLite), not both".to_owned());
                }
                Database::Postgres { url, pool: DEFAULT_DB_POOL_SIZE }
            }
        };

        let flag = |name: &str, problems: &mut Vec<String>| match get(name).as_deref() {
            None | Some("0" | "false" | "no") => false,
            Some("1" | "true" | "yes") => true,
            Some(other) => {
                problems.push(format!("{name} must be 1 or 0, got {other:?}"));
                false
            }
        };
        let force_secure = flag("PARTNER_COOKIE_SECURE", &mut problems);

        let trusted_proxies: Vec<IpAddr> = list(get("PARTNER_TRUSTED_PROXIES"))
            .into_iter()
            .filter_map(|ip| {
                ip.parse()
                    .map_err(|_| problems.push(format!("PARTNER_TRUSTED_PROXIES: {ip:?} is not an IP address")))
                    .ok()
            })
            .collect();

        let identity = match get("PARTNER_IDENTITY").as_deref() {
            Some("jwt") => {
                let secret = get("PARTNER_JWT_SECRET");
                match &secret {
                    None => {
                        problems.push("PARTNER_JWT_SECRET is missing: the HS256 secret shared with your login".into())
                    }
                    Some(s) if s.len() < MIN_JWT_SECRET_BYTES => problems.push(format!(
                        "PARTNER_JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes (a random 256-bit value)"
                    )),
                    Some(_) => {}
                }
                let audience = get("PARTNER_JWT_AUDIENCE");
                if audience.is_none() {
                    problems.push(
                        "PARTNER_JWT_AUDIENCE is missing: the `aud` your login puts in tokens meant for this server \
                         (so a token for another of your services is refused here)"
                            .to_owned(),
                    );
                }
                Some(IdentityConfig::Jwt(JwtConfig {
                    secret: Secret::new(secret.unwrap_or_default()),
                    cookie: get("PARTNER_JWT_COOKIE").unwrap_or_else(|| DEFAULT_JWT_COOKIE.to_owned()),
                    issuer: get("PARTNER_JWT_ISSUER"),
                    audience: audience.unwrap_or_default(),
                }))
            }
            Some("header") => {
                if trusted_proxies.is_empty() {
                    problems.push(
                        "PARTNER_IDENTITY=header needs PARTNER_TRUSTED_PROXIES: the reverse proxies whose identity \
                         headers are believed (anyone else could send them)"
                            .to_owned(),
                    );
                }
                let header = |name: &str, default: &str| get(name).unwrap_or_else(|| default.to_owned()).to_lowercase();
                Some(IdentityConfig::Header(HeaderConfig {
                    user: header("PARTNER_USER_HEADER", DEFAULT_USER_HEADER),
                    email: header("PARTNER_EMAIL_HEADER", DEFAULT_EMAIL_HEADER),
                    email_verified: header("PARTNER_EMAIL_VERIFIED_HEADER", DEFAULT_EMAIL_VERIFIED_HEADER),
                }))
            }
            Some("demo") => {
                if live {
                    problems.push(
                        "PARTNER_IDENTITY=demo lets anyone sign in as any email: it is refused with an sk_live_ key"
                            .to_owned(),
                    );
                }
                Some(IdentityConfig::Demo)
            }
            Some(other) => {
                problems.push(format!("PARTNER_IDENTITY must be jwt, header or demo, got {other:?}"));
                None
            }
            None => {
                problems.push(
                    "PARTNER_IDENTITY is missing: jwt (a token from your login), header (set by your reverse proxy) \
                     or demo (any email, for the demo only); see servers/partner/README.md"
                        .to_owned(),
                );
                None
            }
        };

        let mut number = |name: &str, default: u64, range: std::ops::RangeInclusive<u64>| match get(name) {
            None => default,
            Some(text) => match text.parse::<u64>() {
                Ok(value) if range.contains(&value) => value,
                _ => {
                    problems.push(format!("{name} must be a whole number from {} to {}", range.start(), range.end()));
                    default
                }
            },
        };
        let mut millis = |name: &str, default: Duration, range| {
            Duration::from_millis(number(name, default.as_millis() as u64, range))
        };
        let defaults = Limits::default();
        let outbox_defaults = OutboxPolicy::default();
        let deadline = millis("PARTNER_REQUEST_DEADLINE_MS", defaults.deadline, 1_000..=120_000);
        let outbox = OutboxPolicy {
            base: millis("PARTNER_OUTBOX_RETRY_BASE_MS", outbox_defaults.base, 10..=3_600_000),
            max: millis("PARTNER_OUTBOX_RETRY_MAX_MS", outbox_defaults.max, 10..=86_400_000),
            lease: millis("PARTNER_OUTBOX_LEASE_MS", outbox_defaults.lease, 1_000..=3_600_000),
        };
        let limits = Limits {
            deadline,
            max_concurrent: number("PARTNER_MAX_CONCURRENT", defaults.max_concurrent as u64, 1..=100_000) as usize,
            max_concurrent_webhooks: number(
                "PARTNER_MAX_CONCURRENT_WEBHOOKS",
                defaults.max_concurrent_webhooks as u64,
                1..=100_000,
            ) as usize,
            per_ip_per_minute: number("PARTNER_RATE_PER_IP", defaults.per_ip_per_minute.into(), 3..=1_000_000) as u32,
            per_session_per_minute: number(
                "PARTNER_RATE_PER_SESSION",
                defaults.per_session_per_minute.into(),
                3..=1_000_000,
            ) as u32,
            sign_ins_per_minute: number("PARTNER_SIGN_INS_PER_IP", defaults.sign_ins_per_minute.into(), 1..=100_000)
                as u32,
            balance_cache: Duration::from_secs(number(
                "PARTNER_BALANCE_CACHE_SECS",
                defaults.balance_cache.as_secs(),
                0..=3_600,
            )),
            connections_per_client: number(
                "PARTNER_MAX_CONNECTIONS_PER_CLIENT",
                defaults.connections_per_client as u64,
                1..=100_000,
            ) as usize,
            concurrent_per_client: number(
                "PARTNER_MAX_CONCURRENT_PER_CLIENT",
                defaults.concurrent_per_client as u64,
                1..=100_000,
            ) as usize,
        };
        let reconcile_defaults = ReconcilePolicy::default();
        let seconds = |value: u64| Duration::from_secs(value);
        let reconcile = ReconcilePolicy {
            after: seconds(number("PARTNER_RECONCILE_AFTER_SECS", reconcile_defaults.after.as_secs(), 1..=604_800)),
            every: seconds(number("PARTNER_RECONCILE_EVERY_SECS", reconcile_defaults.every.as_secs(), 1..=86_400)),
        };
        let database = match database {
            Database::Postgres { url, .. } => Database::Postgres {
                url,
                pool: number("PARTNER_DB_POOL_SIZE", DEFAULT_DB_POOL_SIZE.into(), 1..=1_000) as u32,
            },
            sqlite => sqlite,
        };
        let metrics_listen = match get("PARTNER_METRICS_LISTEN") {
            None => None,
            Some(text) => match text.parse::<SocketAddr>() {
                Ok(address) => Some(address),
                Err(_) => {
                    problems.push("PARTNER_METRICS_LISTEN must be an address and port, like 127.0.0.1:9464".to_owned());
                    None
                }
            },
        };
        // A SIR call, retries included, fits inside the request deadline.
        let retry =
            RetryPolicy { timeout: RetryPolicy::default().timeout.min(limits.deadline / 2), ..Default::default() };

        match (problems.is_empty(), secret_key, hmac_secret, webhook_secret, publishable_key, listen, identity) {
            (
                true,
                Some(secret_key),
                Some(hmac_secret),
                Some(webhook_secret),
                Some(publishable_key),
                Ok(listen),
                Some(identity),
            ) => Ok(Self {
                api_base,
                signer: Signer::new(secret_key, hmac_secret),
                live,
                webhook_secret: WebhookSecret::new(webhook_secret),
                publishable_key,
                listen,
                allowed_origins,
                database,
                static_dir,
                identity,
                trusted_proxies,
                cookie_secure: force_secure || !listen.ip().is_loopback(),
                limits,
                retry,
                outbox,
                reconcile,
                metrics_listen,
            }),
            _ => Err(ConfigError(problems)),
        }
    }
}

/// A comma-separated list, entries trimmed, empty ones dropped.
fn list(value: Option<String>) -> Vec<String> {
    value.map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()).unwrap_or_default()
}

fn environment_name(environment: Environment) -> &'static str {
    match environment {
        Environment::Test => "test",
        Environment::Live => "live",
    }
}

/// `(scheme, host)` of `scheme://host[:port]` with an http(s) scheme and nothing after
/// the authority; `None` for anything else.
pub fn origin_host(origin: &str) -> Option<(&'static str, &str)> {
    let (scheme, authority) = if let Some(rest) = origin.strip_prefix("https://") {
        ("https", rest)
    } else {
        ("http", origin.strip_prefix("http://")?)
    };
    let valid = !authority.is_empty()
        && authority.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !valid {
        return None;
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(host, _port)| host),
    };
    Some((scheme, host))
}

/// `scheme://host[:port]` with an http(s) scheme and nothing after the authority.
pub fn is_origin(origin: &str) -> bool {
    origin_host(origin).is_some()
}

/// `localhost`, `127.0.0.0/8` or `::1` (with or without brackets).
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const SK: &str = "sk_test_c324ca5be4ee54c387386da622872f2a9eb5d1ed549a534a0c77236730a939b7";
    const SK_LIVE: &str = "sk_live_c324ca5be4ee54c387386da622872f2a9eb5d1ed549a534a0c77236730a939b7";
    const PK: &str = "pk_test_f40ae06e2cfeb3cb6ce6bbcfa2617d6b8452aff0221c5281ba74b1183db4d378";
    const PK_LIVE: &str = "pk_live_f40ae06e2cfeb3cb6ce6bbcfa2617d6b8452aff0221c5281ba74b1183db4d378";
    const HMAC: &str = "d2dd24eac6bcec3d55c01a49af7948725fb96acd329e06655a2a59bd2a1706c3";
    const WHSEC: &str = "whsec_abababababababababababababababababababababababababababababababab";
    const JWT_SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn parse(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    fn valid() -> Vec<(&'static str, &'static str)> {
        vec![
            ("SIR_SECRET_KEY", SK),
            ("SIR_HMAC_SECRET", HMAC),
            ("SIR_WEBHOOK_SECRET", WHSEC),
            ("SIR_PUBLISHABLE_KEY", PK),
            ("PARTNER_IDENTITY", "demo"),
        ]
    }

    fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut vars: Vec<_> = valid().into_iter().filter(|(n, _)| extra.iter().all(|(e, _)| e != n)).collect();
        vars.extend_from_slice(extra);
        vars
    }

    fn problems(vars: &[(&str, &str)]) -> String {
        parse(vars).expect_err("refused").to_string()
    }

    #[test]
    fn defaults() {
        let config = parse(&valid()).expect("valid");
        assert_eq!(config.api_base, DEFAULT_API_BASE);
        assert_eq!(config.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(config.database, Database::Sqlite(DEFAULT_DB.to_owned()));
        assert!(config.allowed_origins.is_empty() && config.static_dir.is_none());
        assert!(!config.cookie_secure, "plain cookie on loopback");
        assert_eq!(config.identity.name(), "demo");
        assert_eq!(config.limits, Limits::default());
        assert!(config.retry.timeout <= config.limits.deadline / 2);
    }

    #[test]
    fn everything_set() {
        let config = parse(&with(&[
            ("SIR_API_BASE", "https://devapi.sirgiving.org/"),
            ("PARTNER_LISTEN", "0.0.0.0:9000"),
            ("PARTNER_ALLOWED_ORIGINS", "http://127.0.0.1:8080, https://shop.example/"),
            ("PARTNER_DB", ":memory:"),
            ("PARTNER_IDENTITY", "jwt"),
            ("PARTNER_JWT_SECRET", JWT_SECRET),
            ("PARTNER_JWT_AUDIENCE", "partner-api"),
            ("PARTNER_TRUSTED_PROXIES", "10.0.0.1, ::1"),
            ("PARTNER_REQUEST_DEADLINE_MS", "5000"),
            ("PARTNER_RATE_PER_IP", "30"),
        ]))
        .expect("valid");
        assert_eq!(config.api_base, "https://devapi.sirgiving.org");
        assert_eq!(config.allowed_origins, ["http://127.0.0.1:8080", "https://shop.example"]);
        assert_eq!(config.database, Database::Sqlite(":memory:".to_owned()));
        assert!(config.cookie_secure, "off loopback the cookie is Secure");
        assert_eq!(config.trusted_proxies.len(), 2);
        assert_eq!(config.limits.deadline, Duration::from_secs(5));
        assert_eq!(config.limits.per_ip_per_minute, 30);
        assert!(matches!(&config.identity, IdentityConfig::Jwt(jwt) if jwt.cookie == DEFAULT_JWT_COOKIE));
    }

    #[test]
    fn missing_secrets_and_identity_are_all_reported() {
        let message = problems(&[]);
        for name in [
            "SIR_SECRET_KEY is missing",
            "SIR_HMAC_SECRET is missing",
            "SIR_WEBHOOK_SECRET is missing",
            "SIR_PUBLISHABLE_KEY is missing",
            "PARTNER_IDENTITY is missing",
        ] {
            assert!(message.contains(name), "{message}");
        }
    }

    #[test]
    fn a_publishable_key_as_the_secret_key_is_refused() {
        let message = problems(&with(&[("SIR_SECRET_KEY", PK)]));
        assert!(message.contains("SIR_SECRET_KEY holds a publishable key"), "{message}");
        assert!(!message.contains(&PK[8..]), "the key itself is not echoed: {message}");
    }

    #[test]
    fn production_defaults_are_enforced() {
        let cases: [(&[(&str, &str)], &str); 8] = [
            (&[("SIR_API_BASE", "http://api.sirgiving.org")], "must be https://"),
            (&[("SIR_API_BASE", "ftp://127.0.0.1")], "must be an https:// URL"),
            (&[("PARTNER_ALLOWED_ORIGINS", "http://shop.example")], "must be https://"),
            (&[("SIR_SECRET_KEY", SK_LIVE), ("SIR_PUBLISHABLE_KEY", PK_LIVE)], "over https:// only"),
            (
                &[
                    ("SIR_SECRET_KEY", SK_LIVE),
                    ("SIR_PUBLISHABLE_KEY", PK_LIVE),
                    ("SIR_API_BASE", "https://api.sirgiving.org"),
                ],
                "refused with an sk_live_ key",
            ),
            (&[("PARTNER_IDENTITY", "header")], "needs PARTNER_TRUSTED_PROXIES"),
            (&[("PARTNER_IDENTITY", "jwt"), ("PARTNER_JWT_SECRET", "short")], "at least 32 bytes"),
            (&[("PARTNER_IDENTITY", "jwt"), ("PARTNER_JWT_SECRET", JWT_SECRET)], "PARTNER_JWT_AUDIENCE is missing"),
        ];
        for (vars, expected) in cases {
            let message = problems(&with(vars));
            assert!(message.contains(expected), "{vars:?}: {message}");
        }
        // Loopback keeps the demo working over plain http.
        let config = parse(&with(&[
            ("SIR_API_BASE", "http://localhost:8787"),
            ("PARTNER_ALLOWED_ORIGINS", "http://[::1]:8080,http://127.0.0.1:8080"),
        ]));
        assert!(config.is_ok(), "{config:?}");
        let forced = parse(&with(&[("PARTNER_COOKIE_SECURE", "1")])).expect("valid");
        assert!(forced.cookie_secure);
    }

    #[test]
    fn malformed_values_are_refused() {
        let cases: [(&str, &str, &str); 10] = [
            ("SIR_SECRET_KEY", "hello", "not a secret key"),
            ("SIR_HMAC_SECRET", SK, "64 hex digits"),
            ("SIR_HMAC_SECRET", "abc", "64 hex digits"),
            ("SIR_WEBHOOK_SECRET", "abab", "whsec_"),
            ("SIR_WEBHOOK_SECRET", "whsec_xyz", "whsec_"),
            ("SIR_PUBLISHABLE_KEY", SK, "must be a publishable key"),
            ("SIR_PUBLISHABLE_KEY", "pk_live_abc", "one environment"),
            ("PARTNER_ALLOWED_ORIGINS", "http://127.0.0.1:8080/page", "not an origin"),
            ("PARTNER_LISTEN", "localhost", "IP:PORT"),
            ("PARTNER_IDENTITY", "anyone", "jwt, header or demo"),
        ];
        for (name, value, expected) in cases {
            let message = problems(&with(&[(name, value)]));
            assert!(message.contains(expected), "{name}={value}: {message}");
        }
    }

    #[test]
    fn postgres_is_chosen_by_its_url_and_its_password_never_shown() {
        let url = "postgres://sir:s3cret-pw@db.internal:5432/partner?password=s3cret-pw";
        let config = parse(&with(&[("PARTNER_DATABASE_URL", url), ("PARTNER_DB_POOL_SIZE", "20")])).expect("valid");
        assert_eq!(config.database, Database::Postgres { url: url.to_owned(), pool: 20 });
        let shown = format!("{config:?} {}", config.database.describe());
        assert!(shown.contains("db.internal") && !shown.contains("s3cret-pw"), "{shown}");
        let both = problems(&with(&[("PARTNER_DATABASE_URL", url), ("PARTNER_DB", "x.sqlite3")]));
        assert!(both.contains("not both"), "{both}");
        assert!(problems(&with(&[("PARTNER_DATABASE_URL", "mysql://x")])).contains("postgres:// URL"));
    }

    #[test]
    fn debug_shows_no_secret() {
        let config = parse(&with(&[
            ("PARTNER_IDENTITY", "jwt"),
            ("PARTNER_JWT_SECRET", JWT_SECRET),
            ("PARTNER_JWT_AUDIENCE", "partner-api"),
        ]))
        .expect("valid");
        let shown = format!("{config:?}");
        for secret in [&SK[8..], HMAC, &WHSEC[6..], JWT_SECRET] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn origins_and_loopback_hosts() {
        assert_eq!(origin_host("https://shop.example:8443"), Some(("https", "shop.example")));
        assert_eq!(origin_host("http://[::1]:8080"), Some(("http", "::1")));
        assert_eq!(origin_host("http://127.0.0.1"), Some(("http", "127.0.0.1")));
        assert_eq!(origin_host("https://a.example/path"), None);
        assert!(is_loopback_host("localhost") && is_loopback_host("127.0.0.2") && is_loopback_host("[::1]"));
        assert!(!is_loopback_host("10.0.0.1") && !is_loopback_host("localhost.evil.example"));
    }
}
